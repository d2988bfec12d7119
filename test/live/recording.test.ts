// Auto-record to the local-disk default: a 25 s ffmpeg broadcast on a BASIC channel with a recording
// configuration ends up under <dataDir>/recordings/<bucket>/ivs/v1/... in IVS's layout, with IVS's
// metadata files, playlists that parse and add up, media ffprobe/ffmpeg read cleanly, PutMetadata's ID3
// kept in the recorded segments, thumbnails, the Recording Start/End events and the session's
// recordingConfiguration.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GetStreamSessionCommand, PutMetadataCommand } from '@aws-sdk/client-ivs';
import { ACCOUNT, idOf } from '../helpers/assert.js';
import { pollUntil, publish, rtmpUrl } from '../helpers/live.js';
import {
  activeRecordingConfiguration,
  checkFinishedRecording,
  localRecording,
  recordedChannel,
  recordingEvents,
  waitRecordingEvent,
  waitLive,
} from '../helpers/recording.js';
import { useServer } from '../helpers/use-server.js';

const SECRET = 'recording-test-secret';
const BUCKET = 'openivs-rec-local';
const MARKER = 'recorded-id3-marker-7f3a';

describe('live: recording to the local disk', { timeout: 120_000 }, () => {
  const { hook, server, ivs } = useServer({ webhook: { secret: SECRET } });

  it('records a broadcast in the IVS layout with playlists, metadata files, ID3, thumbnails and events', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      name: 'rec-local',
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 5, storage: ['SEQUENTIAL', 'LATEST'] },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-local-ch', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 25 });
    const streamId = await waitLive(ivs, arn);
    const [startEvent] = await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    await pollUntil('PutMetadata accepted', async () => {
      await ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: MARKER }));
      return true;
    });
    const session = await ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId }));
    assert.equal(session.streamSession!.recordingConfiguration?.arn, configArn, 'the session shows its recording configuration');
    const done = await pub.exited;
    assert.equal(done.code, 0, done.stderr);

    const [endEvent] = await waitRecordingEvent(hook, arn, 'Recording End').catch((err) => {
      console.log(server.logs().slice(-6000));
      throw err;
    });
    const start = startEvent!.envelope;
    const end = endEvent!.envelope;
    const prefix: string = start.detail.recording_s3_key_prefix;
    const recordingId = prefix.split('/').pop()!;
    const parts = prefix.split('/');
    assert.deepEqual(parts.slice(0, 4), ['ivs', 'v1', ACCOUNT, idOf(arn)]);
    const [y, mo, d, h, mi] = parts.slice(4, 9).map((p) => {
      assert.match(p, /^(0|[1-9]\d*)$/, 'not zero-padded');
      return Number(p);
    });
    const startedAt = new Date(Date.UTC(y!, mo! - 1, d, h, mi));
    assert.ok(Math.abs(startedAt.getTime() - Date.now()) < 5 * 60_000);
    assert.match(recordingId, /^[A-Za-z0-9]{12}$/);
    for (const e of [start, end]) {
      assert.equal(e.source, 'aws.ivs');
      assert.deepEqual(e.resources, [arn]);
      assert.equal(e.detail.recording_s3_bucket_name, BUCKET);
      assert.equal(e.detail.recording_s3_key_prefix, prefix);
      assert.equal(e.detail.recording_session_id, recordingId);
      assert.deepEqual(e.detail.recording_session_stream_ids, [streamId]);
      assert.equal(e.detail.stream_id, streamId);
      assert.equal(e.detail.channel_name, 'rec-local-ch');
      assert.equal(e.detail.recording_status_reason, '');
    }
    assert.equal(start.detail.recording_duration_ms, 0);
    assert.equal(recordingEvents(hook, arn).length, 2, 'one start, one end');

    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, prefix));
    const checked = await checkFinishedRecording(rec, arn, 25_000);
    assert.equal(end.detail.recording_duration_ms, checked.durationMs);
    assert.deepEqual(checked.renditions, ['360p30'], 'the source rendition is named <height>p<fps>');
    assert.equal(checked.media.segments.length, 3, '25 s make three segments of ~10 s');

    const withId3 = rec.keys.filter((k) => k.endsWith('.ts') && rec.bytes(k).includes(Buffer.from(MARKER)));
    assert.equal(withId3.length, 1, 'the PutMetadata ID3 tag is in one recorded segment');
    assert.ok(rec.bytes(withId3[0]!).includes(Buffer.from('TXXX')));

    const ended = rec.json('events/recording-ended.json');
    assert.deepEqual(ended.media.thumbnails, { path: 'media/thumbnails', resolution_height: 360, resolution_width: 640 });
    assert.deepEqual(ended.media.latest_thumbnail, {
      path: 'media/latest_thumbnail/thumb.jpg',
      resolution_height: 360,
      resolution_width: 640,
    });
    const thumbs = rec.keys.filter((k) => /^media\/thumbnails\/360p30\/thumb\d+\.jpg$/.test(k));
    assert.ok(thumbs.length >= 3, `thumbnails every 5 s: ${thumbs.join(', ')}`);
    assert.ok(rec.keys.includes('media/thumbnails/360p30/thumb0.jpg'));
    for (const k of [...thumbs, 'media/latest_thumbnail/thumb.jpg']) {
      assert.deepEqual([...rec.bytes(k).subarray(0, 3)], [0xff, 0xd8, 0xff], `${k} is a JPEG`);
    }
    assert.deepEqual(
      rec.keys.filter((k) => !k.startsWith('media/')),
      ['events/recording-ended.json', 'events/recording-started.json'],
    );
    assert.ok(!server.logs().includes(key), 'the stream key never appears in the logs');
  });
});
