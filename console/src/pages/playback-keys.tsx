// Playback key pairs: list (name, fingerprint), import a public key (PEM, ECDSA P-384) with name and tags, delete.
// Private channels accept tokens signed with the matching private keys.

import { DeletePlaybackKeyPairCommand, ImportPlaybackKeyPairCommand, ListPlaybackKeyPairsCommand, GetPlaybackKeyPairCommand } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { Field, TextField } from '../components/field.js';
import { CreateForm, ResourcePage } from '../components/resource-list.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

export function PlaybackKeys({ session }: { session: Session }) {
  const list = useLoad(async () => {
    const ivs = ivsClient(session);
    const out = await ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 50 }));
    return Promise.all((out.keyPairs ?? []).map(async (k) => (await ivs.send(new GetPlaybackKeyPairCommand({ arn: k.arn }))).keyPair ?? k));
  }, [session]);
  return (
    <ResourcePage testId="playback-keys-page" title="Playback key pairs" list={list} rowTestId="playback-key-row"
      empty="No playback key pairs in this region (at most 3)."
      columns={[{ title: 'Fingerprint', mono: true, cell: (k) => ('fingerprint' in k ? (k as { fingerprint?: string }).fingerprint : '') }]}
      deleteQuestion="Delete this key pair? Tokens signed with it stop working."
      remove={(arn) => ivsClient(session).send(new DeletePlaybackKeyPairCommand({ arn }))}>
      <ImportKey session={session} onImported={list.reload} />
    </ResourcePage>
  );
}

function ImportKey({ session, onImported }: { session: Session; onImported: () => void }) {
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const create = async (tags: Record<string, string> | undefined) => {
    await ivsClient(session).send(new ImportPlaybackKeyPairCommand({ name: name || undefined, publicKeyMaterial: pem, tags }));
    setName('');
    setPem('');
  };
  return (
    <CreateForm testId="import-key-form" title="Import a public key" submitLabel="Import" submitTestId="import-key"
      fields={['name', 'publicKeyMaterial']} aliases={{ 'key pair': 'publicKeyMaterial' }} create={create} onCreated={onImported}>
      {(errors) => (
        <>
          <p class="muted small">
            Make a pair with <code>openssl ecparam -name secp384r1 -genkey -noout -out private.pem</code> and
            <code> openssl ec -in private.pem -pubout -out public.pem</code>; paste public.pem here and keep private.pem to sign tokens.
          </p>
          <TextField label="Name" name="name" value={name} onInput={setName} error={errors.name} />
          <Field label="Public key (PEM)" name="publicKeyMaterial" error={errors.publicKeyMaterial}>
            <textarea name="publicKeyMaterial" rows={6} value={pem} placeholder="-----BEGIN PUBLIC KEY-----"
              onInput={(e) => setPem((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
        </>
      )}
    </CreateForm>
  );
}
