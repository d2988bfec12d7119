// Create or edit a channel with every setting of the newest IVS model: name, type (BASIC, STANDARD, ADVANCED_SD,
// ADVANCED_HD) and preset, latency mode, private playback, insecure ingest, recording configuration, playback
// restriction policy, container format, multitrack input, ad configuration and tags. The API validates; its
// messages appear next to the field they are about.

import {
  CreateChannelCommand, GetChannelCommand, ListPlaybackRestrictionPoliciesCommand, ListRecordingConfigurationsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateChannelCommand,
  type ChannelLatencyMode, type ChannelType, type ContainerFormat, type MultitrackMaximumResolution, type MultitrackPolicy,
  type TranscodePreset,
} from '@aws-sdk/client-ivs';
import { useEffect, useState } from 'preact/hooks';
import { CheckField, FormError, SelectField, TextField } from '../components/field.js';
import { ErrorBanner } from '../components/misc.js';
import { rowsToTags, TagsEditor, tagsToRows, type TagRows } from '../components/tags-editor.js';
import { fieldErrors } from '../lib/errors.js';
import { useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import { channelHref, navigate } from '../lib/router.js';
import type { Session } from '../lib/session.js';

interface Form {
  name: string;
  type: string;
  preset: string;
  latencyMode: string;
  authorized: boolean;
  insecureIngest: boolean;
  recordingConfigurationArn: string;
  playbackRestrictionPolicyArn: string;
  containerFormat: string;
  multitrackEnabled: boolean;
  multitrackPolicy: string;
  multitrackMaximumResolution: string;
  adConfigurationArn: string;
}

const EMPTY: Form = {
  name: '', type: 'STANDARD', preset: '', latencyMode: 'LOW', authorized: false, insecureIngest: false,
  recordingConfigurationArn: '', playbackRestrictionPolicyArn: '', containerFormat: 'TS', multitrackEnabled: false,
  multitrackPolicy: 'ALLOW', multitrackMaximumResolution: 'FULL_HD', adConfigurationArn: '',
};

const FIELDS = [
  'name', 'type', 'preset', 'latencyMode', 'authorized', 'insecureIngest', 'recordingConfigurationArn',
  'playbackRestrictionPolicyArn', 'containerFormat', 'multitrackInputConfiguration', 'adConfigurationArn', 'tags',
];
const ALIASES = {
  'multitrack': 'multitrackInputConfiguration', 'recording configuration': 'recordingConfigurationArn',
  'RecordingConfiguration not found': 'recordingConfigurationArn', 'PlaybackRestrictionPolicy not found': 'playbackRestrictionPolicyArn',
  'restriction policy': 'playbackRestrictionPolicyArn', 'tag key': 'tags', 'tags': 'tags',
};

async function loadChoices(session: Session) {
  const ivs = ivsClient(session);
  const [recordings, policies] = await Promise.all([
    ivs.send(new ListRecordingConfigurationsCommand({ maxResults: 50 })),
    ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 50 })),
  ]);
  return { recordings: recordings.recordingConfigurations ?? [], policies: policies.playbackRestrictionPolicies ?? [] };
}

export function ChannelForm({ session, arn }: { session: Session; arn?: string }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [tags, setTags] = useState<TagRows>([]);
  const [originalTags, setOriginalTags] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState<unknown>();
  const choices = useLoad(() => loadChoices(session), [session]);
  const set = <K extends keyof Form>(key: K) => (value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    if (arn === undefined) return;
    const ivs = ivsClient(session);
    Promise.all([ivs.send(new GetChannelCommand({ arn })), ivs.send(new ListTagsForResourceCommand({ resourceArn: arn }))]).then(([{ channel: c }, t]) => {
      if (!c) return;
      setForm({
        name: c.name ?? '', type: c.type ?? 'STANDARD', preset: c.preset ?? '', latencyMode: c.latencyMode ?? 'LOW',
        authorized: c.authorized ?? false, insecureIngest: c.insecureIngest ?? false,
        recordingConfigurationArn: c.recordingConfigurationArn ?? '', playbackRestrictionPolicyArn: c.playbackRestrictionPolicyArn ?? '',
        containerFormat: c.containerFormat ?? 'TS', multitrackEnabled: c.multitrackInputConfiguration?.enabled ?? false,
        multitrackPolicy: c.multitrackInputConfiguration?.policy ?? 'ALLOW',
        multitrackMaximumResolution: c.multitrackInputConfiguration?.maximumResolution ?? 'FULL_HD',
        adConfigurationArn: c.adConfigurationArn ?? '',
      });
      setTags(tagsToRows(t.tags));
      setOriginalTags(t.tags ?? {});
    }, setLoadError);
  }, [session, arn]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    const ivs = ivsClient(session);
    const settings = {
      name: form.name,
      type: form.type as ChannelType,
      preset: (form.preset || undefined) as TranscodePreset | undefined,
      latencyMode: form.latencyMode as ChannelLatencyMode,
      authorized: form.authorized,
      insecureIngest: form.insecureIngest,
      containerFormat: form.containerFormat as ContainerFormat,
      multitrackInputConfiguration: {
        enabled: form.multitrackEnabled,
        policy: form.multitrackPolicy as MultitrackPolicy,
        maximumResolution: form.multitrackMaximumResolution as MultitrackMaximumResolution,
      },
    };
    try {
      if (arn === undefined) {
        const out = await ivs.send(new CreateChannelCommand({
          ...settings,
          recordingConfigurationArn: form.recordingConfigurationArn || undefined,
          playbackRestrictionPolicyArn: form.playbackRestrictionPolicyArn || undefined,
          adConfigurationArn: form.adConfigurationArn || undefined,
          tags: rowsToTags(tags),
        }));
        navigate(channelHref(out.channel!.arn!));
      } else {
        await ivs.send(new UpdateChannelCommand({
          arn, ...settings,
          recordingConfigurationArn: form.recordingConfigurationArn,
          playbackRestrictionPolicyArn: form.playbackRestrictionPolicyArn,
          adConfigurationArn: form.adConfigurationArn,
        }));
        await syncTags(arn, originalTags, rowsToTags(tags) ?? {});
        navigate(channelHref(arn));
      }
    } catch (err) {
      setErrors(fieldErrors(err, FIELDS, ALIASES));
    } finally {
      setBusy(false);
    }
  };

  const syncTags = async (resourceArn: string, before: Record<string, string>, after: Record<string, string>) => {
    const ivs = ivsClient(session);
    const removed = Object.keys(before).filter((k) => !(k in after));
    if (removed.length > 0) await ivs.send(new UntagResourceCommand({ resourceArn, tagKeys: removed }));
    if (Object.entries(after).some(([k, v]) => before[k] !== v)) await ivs.send(new TagResourceCommand({ resourceArn, tags: after }));
  };

  const advanced = form.type === 'ADVANCED_SD' || form.type === 'ADVANCED_HD';
  const recordingOptions: [string, string][] = [['', '(none)'], ...(choices.value?.recordings ?? []).map((r): [string, string] => [r.arn!, `${r.name || r.arn} (${r.state})`])];
  const policyOptions: [string, string][] = [['', '(none)'], ...(choices.value?.policies ?? []).map((p): [string, string] => [p.arn!, p.name || p.arn!])];
  // A value the lists do not hold (another page of results, or one typed in the API) stays selectable.
  if (form.recordingConfigurationArn && !recordingOptions.some(([v]) => v === form.recordingConfigurationArn)) recordingOptions.push([form.recordingConfigurationArn, form.recordingConfigurationArn]);
  if (form.playbackRestrictionPolicyArn && !policyOptions.some(([v]) => v === form.playbackRestrictionPolicyArn)) policyOptions.push([form.playbackRestrictionPolicyArn, form.playbackRestrictionPolicyArn]);

  return (
    <section>
      <div class="page-head"><h1>{arn ? 'Edit channel' : 'Create channel'}</h1></div>
      <ErrorBanner error={loadError} />
      <form class="card form-grid" onSubmit={submit} data-testid="channel-form">
        <TextField label="Name" name="name" value={form.name} onInput={set('name')} error={errors.name} hint="Up to 128 characters: letters, digits, - and _" />
        <SelectField label="Type" name="type" value={form.type} onChange={set('type')} error={errors.type}
          options={[['BASIC', 'BASIC: passthrough'], ['STANDARD', 'STANDARD: transcoded ladder'], ['ADVANCED_SD', 'ADVANCED_SD'], ['ADVANCED_HD', 'ADVANCED_HD']]} />
        <SelectField label="Preset" name="preset" value={form.preset} onChange={set('preset')} error={errors.preset}
          hint={advanced ? 'ADVANCED types default to HIGHER_BANDWIDTH_DELIVERY' : 'Only for ADVANCED_SD and ADVANCED_HD'}
          options={[['', '(none)'], 'HIGHER_BANDWIDTH_DELIVERY', 'CONSTRAINED_BANDWIDTH_DELIVERY']} />
        <SelectField label="Latency mode" name="latencyMode" value={form.latencyMode} onChange={set('latencyMode')} error={errors.latencyMode}
          options={[['LOW', 'LOW: low-latency HLS'], ['NORMAL', 'NORMAL']]} />
        <SelectField label="Container format" name="containerFormat" value={form.containerFormat} onChange={set('containerFormat')} error={errors.containerFormat}
          options={[['TS', 'TS (MPEG-TS)'], ['FRAGMENTED_MP4', 'FRAGMENTED_MP4']]} />
        <SelectField label="Recording configuration" name="recordingConfigurationArn" value={form.recordingConfigurationArn}
          onChange={set('recordingConfigurationArn')} error={errors.recordingConfigurationArn} options={recordingOptions} />
        <SelectField label="Playback restriction policy" name="playbackRestrictionPolicyArn" value={form.playbackRestrictionPolicyArn}
          onChange={set('playbackRestrictionPolicyArn')} error={errors.playbackRestrictionPolicyArn} options={policyOptions} />
        <CheckField label="Private playback (authorized: playback tokens required)" name="authorized" checked={form.authorized} onChange={set('authorized')} error={errors.authorized} />
        <CheckField label="Insecure ingest (accept plain RTMP)" name="insecureIngest" checked={form.insecureIngest} onChange={set('insecureIngest')} error={errors.insecureIngest} />
        <fieldset class={`group${errors.multitrackInputConfiguration ? ' has-error' : ''}`} data-field="multitrackInputConfiguration">
          <legend>Multitrack input</legend>
          <CheckField label="Enabled (STANDARD, FRAGMENTED_MP4)" name="multitrackEnabled" checked={form.multitrackEnabled} onChange={set('multitrackEnabled')} />
          <SelectField label="Policy" name="multitrackPolicy" value={form.multitrackPolicy} onChange={set('multitrackPolicy')} options={['ALLOW', 'REQUIRE']} />
          <SelectField label="Maximum resolution" name="multitrackMaximumResolution" value={form.multitrackMaximumResolution}
            onChange={set('multitrackMaximumResolution')} options={['SD', 'HD', 'FULL_HD']} />
          {errors.multitrackInputConfiguration && <span class="field-error" role="alert" data-testid="error-multitrackInputConfiguration">{errors.multitrackInputConfiguration}</span>}
        </fieldset>
        <TextField label="Ad configuration ARN" name="adConfigurationArn" value={form.adConfigurationArn} onInput={set('adConfigurationArn')}
          error={errors.adConfigurationArn} hint="Server-side ad insertion is not implemented by openivs yet" />
        <TagsEditor rows={tags} onChange={setTags} error={errors.tags} />
        <FormError message={errors['']} />
        <div class="actions">
          <button class="primary" type="submit" disabled={busy} data-testid="save-channel">{busy ? 'Saving…' : arn ? 'Save' : 'Create channel'}</button>
          <a class="button" href={arn ? channelHref(arn) : '#/channels'}>Cancel</a>
        </div>
      </form>
    </section>
  );
}
