// Recording to an S3-compatible endpoint (s3rver) through an outage: S3 goes away mid-broadcast and comes
// back; the upload queue retries, so the finished recording in the bucket lists every segment, each one
// stored and decodable, with the full duration — an outage delays a recording but loses nothing.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { GetStreamSessionCommand } from '@aws-sdk/client-ivs';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { pollUntil, publish, rtmpUrl, sleep } from '../helpers/live.js';
import {
  activeRecordingConfiguration,
  checkFinishedRecording,
  downloadRecording,
  recordedChannel,
  recordingEvents,
  waitRecordingEvent,
  waitLive,
  type RecordingFiles,
} from '../helpers/recording.js';
import { useServer } from '../helpers/use-server.js';

const BUCKET = 'openivs-rec-s3';
const GONE = 'openivs-rec-gone';

describe('live: recording to S3 through an outage', { timeout: 120_000 }, () => {
  const { hook, server, ivs, s3 } = useServer({ webhook: true, s3Buckets: [BUCKET, GONE] });
  let rec: RecordingFiles | undefined;

  after(() => {
    if (rec) rmSync(rec.root, { recursive: true, force: true });
  });

  it('S3 stopped and restarted mid-broadcast: every listed segment is stored and decodes', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 10 },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-s3', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 30 });
    await waitLive(ivs, arn);
    const [start] = await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    const prefix: string = start!.envelope.detail.recording_s3_key_prefix;
    await pollUntil(
      'recording-started.json in the bucket',
      async () => (await s3.listKeys(BUCKET, prefix)).includes(`${prefix}/events/recording-started.json`),
      { timeoutMs: 20_000 },
    );

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

  it('a bucket that went away: Recording Start Failure, nothing recorded, the broadcast plays on', async () => {
    const configArn = await activeRecordingConfiguration(ivs, { bucket: GONE });
    await s3.client.send(new DeleteBucketCommand({ Bucket: GONE }));
    const { channel, key } = await recordedChannel(ivs, 'rec-gone', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 8 });
    const streamId = await waitLive(ivs, arn);
    const [failure] = await waitRecordingEvent(hook, arn, 'Recording Start Failure', 20_000);
    const detail = failure!.envelope.detail;
    assert.equal(detail.stream_id, streamId);
    assert.equal(detail.recording_s3_bucket_name, GONE);
    assert.match(detail.recording_status_reason, new RegExp(`Bucket ${GONE} cannot be used`));
    assert.equal((await pub.exited).code, 0, 'the broadcast is not affected');
    const session = await ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId }));
    assert.ok(
      session.streamSession!.truncatedEvents!.some(
        (e) => e.name === 'Recording Start Failure' && e.type === 'IVS Recording State Change',
      ),
    );
    assert.equal(recordingEvents(hook, arn).length, 1, 'no Recording Start or End');
  });
});
