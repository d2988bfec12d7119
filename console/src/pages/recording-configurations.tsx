// Recording configurations: list (with state: CREATING until the bucket is checked, then ACTIVE or CREATE_FAILED),
// create with every setting of the model (bucket, reconnect window, thumbnails, renditions, tags), delete.

import {
  CreateRecordingConfigurationCommand, DeleteRecordingConfigurationCommand, ListRecordingConfigurationsCommand,
  type RecordingConfigurationSummary, type RecordingMode, type RenditionConfigurationRendition,
  type RenditionConfigurationRenditionSelection, type ThumbnailConfigurationResolution, type ThumbnailConfigurationStorage,
} from '@aws-sdk/client-ivs';
import { useState } from 'preact/hooks';
import { CheckField, SelectField, TextField } from '../components/field.js';
import { CreateForm, ResourcePage } from '../components/resource-list.js';
import { allPages, useLoad } from '../lib/hooks.js';
import { ivsClient } from '../lib/ivs.js';
import type { Session } from '../lib/session.js';

const FIELDS = ['name', 'bucketName', 'recordingReconnectWindowSeconds', 'thumbnailConfiguration', 'renditionConfiguration'];
const ALIASES = { 'destinationConfiguration': 'bucketName', 'thumbnail': 'thumbnailConfiguration', 'rendition': 'renditionConfiguration' };
const RENDITIONS = ['SD', 'HD', 'FULL_HD', 'LOWEST_RESOLUTION'];

export function RecordingConfigurations({ session }: { session: Session }) {
  const list = useLoad(() => allPages<RecordingConfigurationSummary>(async (nextToken) => {
    const out = await ivsClient(session).send(new ListRecordingConfigurationsCommand({ nextToken, maxResults: 50 }));
    return { items: out.recordingConfigurations ?? [], nextToken: out.nextToken };
  }), [session], 5000);
  return (
    <ResourcePage testId="recording-configurations-page" title="Recording configurations" list={list}
      rowTestId="recording-configuration-row" rowAttributes={(r) => ({ 'data-state': r.state })}
      empty="No recording configurations in this region."
      columns={[
        { title: 'Bucket', mono: true, cell: (r) => r.destinationConfiguration?.s3?.bucketName },
        { title: 'State', cell: (r) => <span class={`badge state-${(r.state ?? '').toLowerCase()}`}>{r.state}</span> },
      ]}
      deleteQuestion="Delete this configuration?"
      remove={(arn) => ivsClient(session).send(new DeleteRecordingConfigurationCommand({ arn }))}>
      <CreateRecordingConfiguration session={session} onCreated={list.reload} />
    </ResourcePage>
  );
}

function CreateRecordingConfiguration({ session, onCreated }: { session: Session; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [bucket, setBucket] = useState('');
  const [reconnect, setReconnect] = useState('0');
  const [mode, setMode] = useState('INTERVAL');
  const [interval, setInterval] = useState('60');
  const [resolution, setResolution] = useState('');
  const [sequential, setSequential] = useState(true);
  const [latest, setLatest] = useState(false);
  const [selection, setSelection] = useState('ALL');
  const [renditions, setRenditions] = useState<string[]>([]);
  const create = async (tags: Record<string, string> | undefined) => {
    const storage = [...(sequential ? ['SEQUENTIAL'] : []), ...(latest ? ['LATEST'] : [])] as ThumbnailConfigurationStorage[];
    await ivsClient(session).send(new CreateRecordingConfigurationCommand({
      name: name || undefined,
      destinationConfiguration: { s3: { bucketName: bucket } },
      recordingReconnectWindowSeconds: reconnect === '' ? undefined : Number(reconnect),
      thumbnailConfiguration: {
        recordingMode: mode as RecordingMode,
        targetIntervalSeconds: mode === 'INTERVAL' && interval !== '' ? Number(interval) : undefined,
        resolution: (resolution || undefined) as ThumbnailConfigurationResolution | undefined,
        storage: mode === 'INTERVAL' ? storage : undefined,
      },
      renditionConfiguration: {
        renditionSelection: selection as RenditionConfigurationRenditionSelection,
        renditions: selection === 'CUSTOM' ? (renditions as RenditionConfigurationRendition[]) : undefined,
      },
      tags,
    }));
    setName('');
    setBucket('');
  };
  return (
    <CreateForm testId="recording-configuration-form" title="Create a recording configuration" submitLabel="Create"
      submitTestId="create-recording-configuration" fields={FIELDS} aliases={ALIASES} create={create} onCreated={onCreated}>
      {(errors) => (
        <>
          <TextField label="Name" name="name" value={name} onInput={setName} error={errors.name} />
          <TextField label="S3 bucket name" name="bucketName" value={bucket} onInput={setBucket} error={errors.bucketName}
            hint="On local disk: <data-dir>/recordings/<bucket>/" />
          <TextField label="Reconnect window (s)" name="recordingReconnectWindowSeconds" type="number" value={reconnect} onInput={setReconnect}
            error={errors.recordingReconnectWindowSeconds} hint="0–300: a new broadcast within it continues the same recording" />
          <fieldset class={`group${errors.thumbnailConfiguration ? ' has-error' : ''}`} data-field="thumbnailConfiguration">
            <legend>Thumbnails</legend>
            <SelectField label="Mode" name="recordingMode" value={mode} onChange={setMode} options={['INTERVAL', 'DISABLED']} />
            {mode === 'INTERVAL' && (
              <>
                <TextField label="Interval (s)" name="targetIntervalSeconds" type="number" value={interval} onInput={setInterval} />
                <SelectField label="Resolution" name="resolution" value={resolution} onChange={setResolution} options={[['', '(source)'], ...RENDITIONS]} />
                <CheckField label="SEQUENTIAL (every thumbnail)" name="sequential" checked={sequential} onChange={setSequential} />
                <CheckField label="LATEST (one, replaced)" name="latest" checked={latest} onChange={setLatest} />
              </>
            )}
            {errors.thumbnailConfiguration && <span class="field-error" role="alert">{errors.thumbnailConfiguration}</span>}
          </fieldset>
          <fieldset class={`group${errors.renditionConfiguration ? ' has-error' : ''}`} data-field="renditionConfiguration">
            <legend>Renditions</legend>
            <SelectField label="Selection" name="renditionSelection" value={selection} onChange={setSelection} options={['ALL', 'NONE', 'CUSTOM']} />
            {selection === 'CUSTOM' && RENDITIONS.map((r) => (
              <CheckField key={r} label={r} name={`rendition-${r}`} checked={renditions.includes(r)}
                onChange={(on) => setRenditions((list) => (on ? [...list, r] : list.filter((x) => x !== r)))} />
            ))}
            {errors.renditionConfiguration && <span class="field-error" role="alert">{errors.renditionConfiguration}</span>}
          </fieldset>
        </>
      )}
    </CreateForm>
  );
}
