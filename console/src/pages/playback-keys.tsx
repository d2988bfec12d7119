// Playback key pairs: list (name, fingerprint), import a public key (PEM, ECDSA P-384) with name and tags, delete.
// Private channels accept tokens signed with the matching private keys.

import { DeletePlaybackKeyPairCommand, ImportPlaybackKeyPairCommand, ListPlaybackKeyPairsCommand, GetPlaybackKeyPairCommand } from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { Field, FormError, TextField } from '../components/field.js';
import { ConfirmButton, Empty, ErrorBanner } from '../components/misc.js';
import { rowsToTags, TagsEditor, type TagRows } from '../components/tags-editor.js';
import { fieldErrors } from '../lib/errors.js';
import { arnId } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

export function PlaybackKeys({ session }: { session: Session }) {
  const list = useLoad(async () => {
    const ivs = ivsClient(session);
    const out = await ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 50 }));
    return Promise.all((out.keyPairs ?? []).map(async (k) => (await ivs.send(new GetPlaybackKeyPairCommand({ arn: k.arn }))).keyPair ?? k));
  }, [session]);
  const remove = async (arn: string) => {
    await ivsClient(session).send(new DeletePlaybackKeyPairCommand({ arn }));
    list.reload();
  };
  return (
    <section data-testid="playback-keys-page">
      <div class="page-head"><h1>Playback key pairs</h1></div>
      <ErrorBanner error={list.error} />
      {list.value?.length === 0 && <Empty>No playback key pairs in this region (at most 3).</Empty>}
      {list.value && list.value.length > 0 && (
        <table class="list">
          <thead><tr><th>Name</th><th>Fingerprint</th><th>Id</th><th /></tr></thead>
          <tbody>
            {list.value.map((k) => (
              <tr key={k.arn} data-testid="playback-key-row">
                <td>{k.name || <em>(unnamed)</em>}</td>
                <td class="mono">{'fingerprint' in k ? (k as { fingerprint?: string }).fingerprint : ''}</td>
                <td class="mono">{arnId(k.arn)}</td>
                <td class="row-actions"><ConfirmButton small label="Delete" danger question="Delete this key pair? Tokens signed with it stop working." onConfirm={() => remove(k.arn!)} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ImportKey session={session} onImported={list.reload} />
    </section>
  );
}

function ImportKey({ session, onImported }: { session: Session; onImported: () => void }) {
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const [tags, setTags] = useState<TagRows>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      await ivsClient(session).send(new ImportPlaybackKeyPairCommand({ name: name || undefined, publicKeyMaterial: pem, tags: rowsToTags(tags) }));
      setName('');
      setPem('');
      onImported();
    } catch (err) {
      setErrors(fieldErrors(err, ['name', 'publicKeyMaterial', 'tags'], { 'key pair': 'publicKeyMaterial', 'tag key': 'tags' }));
    }
  };
  return (
    <form class="card form-grid" onSubmit={submit} data-testid="import-key-form">
      <h2>Import a public key</h2>
      <p class="muted small">
        Make a pair with <code>openssl ecparam -name secp384r1 -genkey -noout -out private.pem</code> and
        <code> openssl ec -in private.pem -pubout -out public.pem</code>; paste public.pem here and keep private.pem to sign tokens.
      </p>
      <TextField label="Name" name="name" value={name} onInput={setName} error={errors.name} />
      <Field label="Public key (PEM)" name="publicKeyMaterial" error={errors.publicKeyMaterial}>
        <textarea name="publicKeyMaterial" rows={6} value={pem} placeholder="-----BEGIN PUBLIC KEY-----"
          onInput={(e) => setPem((e.currentTarget as HTMLTextAreaElement).value)} />
      </Field>
      <TagsEditor rows={tags} onChange={setTags} error={errors.tags} />
      <FormError message={errors['']} />
      <div class="actions"><button class="primary" type="submit" data-testid="import-key">Import</button></div>
    </form>
  );
}
