// Tags of every resource of the account in this region (channels, recording configurations, playback key pairs,
// restriction policies): pick a resource, see its tags (ListTagsForResource), add (TagResource), remove
// (UntagResource).

import {
  ListChannelsCommand, ListPlaybackKeyPairsCommand, ListPlaybackRestrictionPoliciesCommand, ListRecordingConfigurationsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { FormError, SelectField, TextField } from '../components/field.js';
import { Empty, ErrorBanner } from '../components/misc.js';
import { fieldErrors } from '../lib/errors.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

interface Resource {
  arn: string;
  label: string;
}

async function loadResources(session: Session): Promise<Resource[]> {
  const ivs = ivsClient(session);
  const [channels, recordings, keys, policies] = await Promise.all([
    ivs.send(new ListChannelsCommand({ maxResults: 100 })),
    ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 50 })),
    ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 50 })),
    ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 50 })),
  ]);
  const label = (kind: string, name: string | undefined, arn: string) => `${kind}: ${name || arn.slice(arn.lastIndexOf('/') + 1)}`;
  return [
    ...(channels.channels ?? []).map((r) => ({ arn: r.arn!, label: label('Channel', r.name, r.arn!) })),
    ...(recordings.recordingConfigurations ?? []).map((r) => ({ arn: r.arn!, label: label('Recording configuration', r.name, r.arn!) })),
    ...(keys.keyPairs ?? []).map((r) => ({ arn: r.arn!, label: label('Playback key pair', r.name, r.arn!) })),
    ...(policies.playbackRestrictionPolicies ?? []).map((r) => ({ arn: r.arn!, label: label('Restriction policy', r.name, r.arn!) })),
  ];
}

export function Tags({ session }: { session: Session }) {
  const resources = useLoad(() => loadResources(session), [session]);
  const [selected, setSelected] = useState('');
  const arn = selected || resources.value?.[0]?.arn || '';
  return (
    <section data-testid="tags-page">
      <div class="page-head"><h1>Tags</h1></div>
      <ErrorBanner error={resources.error} />
      {resources.value?.length === 0 && <Empty>No resources in this region yet.</Empty>}
      {resources.value && resources.value.length > 0 && (
        <div class="card">
          <SelectField label="Resource" name="resource" value={arn} onChange={setSelected} options={resources.value.map((r) => [r.arn, r.label])} />
          {arn && <ResourceTags key={arn} session={session} arn={arn} />}
        </div>
      )}
    </section>
  );
}

function ResourceTags({ session, arn }: { session: Session; arn: string }) {
  const tags = useLoad(async () => (await ivsClient(session).send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {}, [session, arn]);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const add = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      await ivsClient(session).send(new TagResourceCommand({ resourceArn: arn, tags: { [key]: value } }));
      setKey('');
      setValue('');
      tags.reload();
    } catch (err) {
      setErrors(fieldErrors(err, ['key', 'value'], { 'tag key': 'key', 'tags': 'key' }));
    }
  };
  const remove = async (k: string) => {
    try {
      await ivsClient(session).send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [k] }));
      tags.reload();
    } catch (err) {
      setErrors(fieldErrors(err, [], {}));
    }
  };
  return (
    <div data-testid="resource-tags">
      <p class="mono small">{arn}</p>
      <ErrorBanner error={tags.error} />
      <table class="list">
        <thead><tr><th>Key</th><th>Value</th><th /></tr></thead>
        <tbody>
          {Object.entries(tags.value ?? {}).map(([k, v]) => (
            <tr key={k} data-testid="tag-row"><td class="mono">{k}</td><td class="mono">{v}</td>
              <td class="row-actions"><button type="button" class="small danger" onClick={() => remove(k)}>Remove</button></td></tr>
          ))}
          {tags.value && Object.keys(tags.value).length === 0 && <tr><td colSpan={3} class="muted">no tags</td></tr>}
        </tbody>
      </table>
      <form class="inline-form" onSubmit={add} data-testid="add-tag">
        <TextField label="Key" name="key" value={key} onInput={setKey} error={errors.key} />
        <TextField label="Value" name="value" value={value} onInput={setValue} error={errors.value} />
        <button class="primary" type="submit" disabled={key === ''}>Add tag</button>
      </form>
      <FormError message={errors['']} />
    </div>
  );
}
