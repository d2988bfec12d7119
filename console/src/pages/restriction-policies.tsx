// Playback restriction policies: list, create (allowed origins and countries, strict origin enforcement, tags),
// delete. Channels pick one in their settings; it applies from their next broadcast.

import {
  CreatePlaybackRestrictionPolicyCommand, DeletePlaybackRestrictionPolicyCommand, ListPlaybackRestrictionPoliciesCommand,
} from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { CheckField, Field, FormError, TextField } from '../components/field.js';
import { ConfirmButton, Empty, ErrorBanner } from '../components/misc.js';
import { rowsToTags, TagsEditor, type TagRows } from '../components/tags-editor.js';
import { fieldErrors } from '../lib/errors.js';
import { arnId } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

const lines = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== '');

export function RestrictionPolicies({ session }: { session: Session }) {
  const list = useLoad(async () => (await ivsClient(session).send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 50 }))).playbackRestrictionPolicies ?? [], [session]);
  const remove = async (arn: string) => {
    await ivsClient(session).send(new DeletePlaybackRestrictionPolicyCommand({ arn }));
    list.reload();
  };
  return (
    <section data-testid="restriction-policies-page">
      <div class="page-head"><h1>Playback restriction policies</h1></div>
      <ErrorBanner error={list.error} />
      {list.value?.length === 0 && <Empty>No playback restriction policies in this region.</Empty>}
      {list.value && list.value.length > 0 && (
        <table class="list">
          <thead><tr><th>Name</th><th>Allowed origins</th><th>Allowed countries</th><th>Strict</th><th>Id</th><th /></tr></thead>
          <tbody>
            {list.value.map((p) => (
              <tr key={p.arn} data-testid="restriction-policy-row">
                <td>{p.name || <em>(unnamed)</em>}</td>
                <td class="mono">{(p.allowedOrigins ?? []).join(', ') || 'any'}</td>
                <td class="mono">{(p.allowedCountries ?? []).join(', ') || 'any'}</td>
                <td>{p.enableStrictOriginEnforcement ? 'yes' : 'no'}</td>
                <td class="mono">{arnId(p.arn)}</td>
                <td class="row-actions"><ConfirmButton small label="Delete" danger question="Delete this policy?" onConfirm={() => remove(p.arn!)} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreatePolicy session={session} onCreated={list.reload} />
    </section>
  );
}

function CreatePolicy({ session, onCreated }: { session: Session; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [countries, setCountries] = useState('');
  const [strict, setStrict] = useState(false);
  const [tags, setTags] = useState<TagRows>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      await ivsClient(session).send(new CreatePlaybackRestrictionPolicyCommand({
        name: name || undefined, allowedOrigins: lines(origins), allowedCountries: lines(countries).map((c) => c.toUpperCase()),
        enableStrictOriginEnforcement: strict, tags: rowsToTags(tags),
      }));
      setName('');
      setOrigins('');
      setCountries('');
      onCreated();
    } catch (err) {
      setErrors(fieldErrors(err, ['name', 'allowedOrigins', 'allowedCountries', 'enableStrictOriginEnforcement', 'tags'], { 'tag key': 'tags' }));
    }
  };
  return (
    <form class="card form-grid" onSubmit={submit} data-testid="restriction-policy-form">
      <h2>Create a policy</h2>
      <TextField label="Name" name="name" value={name} onInput={setName} error={errors.name} />
      <Field label="Allowed origins (one per line; * or empty: any)" name="allowedOrigins" error={errors.allowedOrigins}>
        <textarea name="allowedOrigins" rows={3} value={origins} placeholder="https://example.com" onInput={(e) => setOrigins((e.currentTarget as HTMLTextAreaElement).value)} />
      </Field>
      <Field label="Allowed countries (ISO codes; * or empty: any)" name="allowedCountries" error={errors.allowedCountries}>
        <textarea name="allowedCountries" rows={2} value={countries} placeholder="US, CA" onInput={(e) => setCountries((e.currentTarget as HTMLTextAreaElement).value)} />
      </Field>
      <CheckField label="Strict origin enforcement" name="enableStrictOriginEnforcement" checked={strict} onChange={setStrict} error={errors.enableStrictOriginEnforcement} />
      <TagsEditor rows={tags} onChange={setTags} error={errors.tags} />
      <FormError message={errors['']} />
      <div class="actions"><button class="primary" type="submit" data-testid="create-restriction-policy">Create</button></div>
    </form>
  );
}
