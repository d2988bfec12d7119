// Playback restriction policies: list, create (allowed origins and countries, strict origin enforcement, tags),
// delete. Channels pick one in their settings; it applies from their next broadcast.

import {
  CreatePlaybackRestrictionPolicyCommand, DeletePlaybackRestrictionPolicyCommand, ListPlaybackRestrictionPoliciesCommand,
} from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { CheckField, Field, TextField } from '../components/field.js';
import { CreateForm, ResourcePage } from '../components/resource-list.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

const lines = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== '');

export function RestrictionPolicies({ session }: { session: Session }) {
  const list = useLoad(async () => (await ivsClient(session).send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 50 }))).playbackRestrictionPolicies ?? [], [session]);
  return (
    <ResourcePage testId="restriction-policies-page" title="Playback restriction policies" list={list}
      rowTestId="restriction-policy-row" empty="No playback restriction policies in this region."
      columns={[
        { title: 'Allowed origins', mono: true, cell: (p) => (p.allowedOrigins ?? []).join(', ') || 'any' },
        { title: 'Allowed countries', mono: true, cell: (p) => (p.allowedCountries ?? []).join(', ') || 'any' },
        { title: 'Strict', cell: (p) => (p.enableStrictOriginEnforcement ? 'yes' : 'no') },
      ]}
      deleteQuestion="Delete this policy?"
      remove={(arn) => ivsClient(session).send(new DeletePlaybackRestrictionPolicyCommand({ arn }))}>
      <CreatePolicy session={session} onCreated={list.reload} />
    </ResourcePage>
  );
}

function CreatePolicy({ session, onCreated }: { session: Session; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [countries, setCountries] = useState('');
  const [strict, setStrict] = useState(false);
  const create = async (tags: Record<string, string> | undefined) => {
    await ivsClient(session).send(new CreatePlaybackRestrictionPolicyCommand({
      name: name || undefined, allowedOrigins: lines(origins), allowedCountries: lines(countries).map((c) => c.toUpperCase()),
      enableStrictOriginEnforcement: strict, tags,
    }));
    setName('');
    setOrigins('');
    setCountries('');
  };
  return (
    <CreateForm testId="restriction-policy-form" title="Create a policy" submitLabel="Create" submitTestId="create-restriction-policy"
      fields={['name', 'allowedOrigins', 'allowedCountries', 'enableStrictOriginEnforcement']} create={create} onCreated={onCreated}>
      {(errors) => (
        <>
          <TextField label="Name" name="name" value={name} onInput={setName} error={errors.name} />
          <Field label="Allowed origins (one per line; * or empty: any)" name="allowedOrigins" error={errors.allowedOrigins}>
            <textarea name="allowedOrigins" rows={3} value={origins} placeholder="https://example.com" onInput={(e) => setOrigins((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <Field label="Allowed countries (ISO codes; * or empty: any)" name="allowedCountries" error={errors.allowedCountries}>
            <textarea name="allowedCountries" rows={2} value={countries} placeholder="US, CA" onInput={(e) => setCountries((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <CheckField label="Strict origin enforcement" name="enableStrictOriginEnforcement" checked={strict} onChange={setStrict} error={errors.enableStrictOriginEnforcement} />
        </>
      )}
    </CreateForm>
  );
}
