// Recording to an S3-compatible endpoint (s3rver) through an outage: S3 goes away mid-broadcast and comes
// back; the upload queue retries, so the finished recording in the bucket lists every segment, each one
// stored and decodable, with the full duration — an outage delays a recording but loses nothing.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { GetStreamCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { ivsClient, startServer, type TestServer } from '../helpers/server.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { killAllChildren, pollUntil, publish, rtmpUrl, sleep, startWebhookReceiver, type WebhookReceiver } from '../helpers/live.js';
import {
  activeRecordingConfiguration, checkFinishedRecording, downloadRecording, recordedChannel, waitRecordingEvent, type RecordingFiles,
} from '../helpers/recording.js';

const BUCKET = 'openivs-rec-s3';

describe('live: recording to S3 through an outage', { timeout: 120_000 }, () => {
  let hook: WebhookReceiver;
  let s3: TestS3;
  let server: TestServer;
  let ivs: IvsClient;
  let rec: RecordingFiles | undefined;

  before(async () => {
    hook = await startWebhookReceiver(undefined);
    s3 = await startS3({ buckets: [BUCKET] });
    server = await startServer({ env: s3.serverEnv, args: [...s3.serverArgs, '--event-webhook', hook.url] });
    ivs = ivsClient(server);
  });
  after(async () => {
    killAllChildren();
    ivs?.destroy();
    await server?.stop();
    await hook?.close();
    await s3?.dispose();
    if (rec) rmSync(rec.root, { recursive: true, force: true });
  });

  it('S3 stopped and restarted mid-broadcast: every listed segment is stored and decodes', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET, thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 10 },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-s3', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 30 });
    await pollUntil('stream live', async () => (await ivs.send(new GetStreamCommand({ channelArn: arn })).catch(() => undefined))?.stream);
    const [start] = await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    const prefix: string = start!.envelope.detail.recording_s3_key_prefix;
    await pollUntil('recording-started.json in the bucket', async () =>
      (await s3.listKeys(BUCKET, prefix)).includes(`${prefix}/events/recording-started.json`), { timeoutMs: 20_000 });

    await s3.stop(); // the outage covers the first segment's upload (it closes ~10 s into the broadcast)
    await sleep(12_000);
    await s3.restart();
    const res = await pub.exited;
    assert.equal(res.code, 0, res.stderr);

    await waitRecordingEvent(hook, arn, 'Recording End', 45_000);
    assert.match(server.logs(), /upload failed, will retry/, 'the outage was noticed');
    rec = await downloadRecording(s3, BUCKET, prefix);
    const checked = await checkFinishedRecording(rec, arn, 30_000);
    assert.equal(checked.media.segments.length, 3);
    assert.ok(rec.keys.includes(`media/thumbnails/${checked.renditions[0]}/thumb0.jpg`));
  });
});
