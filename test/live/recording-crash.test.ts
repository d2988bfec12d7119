// No recorded data lost across kill -9: openivs is killed mid-recording (after one segment reached S3, with
// more spooled but not uploaded); the next start replays the spool journal, uploads what is left, writes the
// final playlists and events/recording-ended.json, and emits Recording End for the recording.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil, publish, rtmpUrl } from '../helpers/live.js';
import {
  activeRecordingConfiguration,
  checkFinishedRecording,
  downloadRecording,
  recordedChannel,
  waitRecordingEvent,
  waitLive,
  type RecordingFiles,
} from '../helpers/recording.js';
import { useServer } from '../helpers/use-server.js';

const BUCKET = 'openivs-rec-crash';

describe('live: recording survives kill -9', { timeout: 120_000 }, () => {
  const { hook, server, ivs, s3 } = useServer({ webhook: true, s3Buckets: [BUCKET] });
  let rec: RecordingFiles | undefined;

  after(() => {
    if (rec) rmSync(rec.root, { recursive: true, force: true });
  });

  it('kill -9 mid-recording, restart: the recording is completed from the spool', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-crash', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 60 });
    await waitLive(ivs, arn);
    const [start] = await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    const prefix: string = start!.envelope.detail.recording_s3_key_prefix;
    const recordingId: string = start!.envelope.detail.recording_session_id;
    const first = await pollUntil(
      'first segment in the bucket',
      async () => (await s3.listKeys(BUCKET, prefix)).find((k) => k.endsWith('/0.ts')),
      { timeoutMs: 30_000 },
    );
    // Let the next file grow past a few pieces, so some media is only in the spool at the kill.
    await pollUntil(
      'spooled pieces of the next file',
      () => existsSync(join(server.dataDir, 'record-spool', recordingId, first.split('/').slice(-2, -1)[0]!, '1.ts')),
      { timeoutMs: 20_000 },
    );
    await new Promise((r) => setTimeout(r, 4_000));
    await server.kill9();
    await pub.kill();
    assert.ok(!(await s3.listKeys(BUCKET, prefix)).some((k) => k.endsWith('recording-ended.json')));

    await server.restart();
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End', 45_000);
    assert.equal(end!.envelope.detail.recording_session_id, recordingId);
    rec = await downloadRecording(s3, BUCKET, prefix);
    const checked = await checkFinishedRecording(rec, arn, undefined);
    assert.ok(checked.durationMs >= 12_000, `the spooled media after the first segment is kept: ${checked.durationMs} ms`);
    assert.equal(end!.envelope.detail.recording_duration_ms, checked.durationMs);
    await pollUntil('spool removed', () => !existsSync(join(server.dataDir, 'record-spool', recordingId)), { timeoutMs: 10_000 });
  });

  it('SIGTERM mid-broadcast: the recording is finished before the process exits', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-sigterm', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 60 });
    await waitLive(ivs, arn);
    const [start] = await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    const prefix: string = start!.envelope.detail.recording_s3_key_prefix;
    await pollUntil(
      'first segment in the bucket',
      async () => (await s3.listKeys(BUCKET, prefix)).some((k) => k.endsWith('/0.ts')),
      { timeoutMs: 30_000 },
    );
    const exited = new Promise((r) => server.proc.once('exit', r));
    server.proc.kill('SIGTERM');
    await exited;
    await pub.kill();
    const keys = await s3.listKeys(BUCKET, prefix);
    assert.ok(keys.includes(`${prefix}/events/recording-ended.json`), `finished at shutdown: ${keys.join(', ')}`);
    const recording = await downloadRecording(s3, BUCKET, prefix);
    try {
      await checkFinishedRecording(recording, arn, undefined);
    } finally {
      rmSync(recording.root, { recursive: true, force: true });
    }
    await server.restart();
    await waitRecordingEvent(hook, arn, 'Recording End', 30_000);
  });
});
