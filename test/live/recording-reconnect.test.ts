// The reconnect window: a broadcast that comes back on the same channel within
// recordingReconnectWindowSeconds with the same media properties continues the recording (same prefix,
// segment numbers go on, EXT-X-DISCONTINUITY between the broadcasts, one Recording Start and one
// Recording End listing both streams, the End only after the window passed); a reconnect with another
// resolution starts a new recording and ends the previous one at once.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GetStreamCommand } from '@aws-sdk/client-ivs';
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

const BUCKET = 'openivs-rec-reconnect';

describe('live: recording across reconnects', { timeout: 120_000 }, () => {
  const { hook, server, ivs } = useServer({ webhook: true });

  /** Publishes for `seconds`, returns the stream id once the broadcast has ended. */
  const broadcast = async (arn: string, key: string, seconds: number, size?: string): Promise<string> => {
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds, size });
    const streamId = await waitLive(ivs, arn);
    const res = await pub.exited;
    assert.equal(res.code, 0, res.stderr);
    await pollUntil(
      'stream ended',
      async () =>
        !(await ivs.send(new GetStreamCommand({ channelArn: arn })).then(
          () => true,
          () => false,
        )),
    );
    return streamId;
  };

  it('a matching reconnect within the window continues the same recording', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      recordingReconnectWindowSeconds: 8,
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-reconnect', configArn);
    const arn = channel.arn!;
    const first = await broadcast(arn, key, 12);
    const second = await broadcast(arn, key, 8);
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End', 40_000);
    const starts = recordingEvents(hook, arn, 'Recording Start');
    assert.equal(starts.length, 1, 'one recording');
    const detail = end!.envelope.detail;
    assert.deepEqual(detail.recording_session_stream_ids, [first, second]);
    assert.equal(detail.stream_id, second);
    assert.equal(detail.recording_s3_key_prefix, starts[0]!.envelope.detail.recording_s3_key_prefix);
    assert.ok(Date.parse(end!.envelope.time) - Date.parse(starts[0]!.envelope.time) >= 8_000 + 8_000, 'ended after the window');

    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, detail.recording_s3_key_prefix));
    const checked = await checkFinishedRecording(rec, arn, 20_000);
    const disc = checked.media.segments.findIndex((s) => s.discontinuity === true);
    assert.ok(disc > 0, 'the second broadcast starts with EXT-X-DISCONTINUITY');
    assert.equal(checked.media.segments.filter((s) => s.discontinuity === true).length, 1);
    assert.ok(rec.text(`media/hls/${checked.renditions[0]}/byte-range-variant.m3u8`).includes('#EXT-X-DISCONTINUITY'));
  });

  it('a reconnect with another resolution starts a new recording and ends the previous one', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      recordingReconnectWindowSeconds: 60,
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-reconnect-2', configArn);
    const arn = channel.arn!;
    const first = await broadcast(arn, key, 6, '640x360');
    const second = await broadcast(arn, key, 6, '320x240');
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End', 30_000);
    assert.deepEqual(end!.envelope.detail.recording_session_stream_ids, [first], 'the 360p recording ended at the mismatch');
    const starts = recordingEvents(hook, arn, 'Recording Start');
    assert.equal(starts.length, 2);
    assert.deepEqual(
      starts.map((s) => s.envelope.detail.stream_id),
      [first, second],
    );
    assert.notEqual(starts[0]!.envelope.detail.recording_s3_key_prefix, starts[1]!.envelope.detail.recording_s3_key_prefix);
    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, end!.envelope.detail.recording_s3_key_prefix));
    const checked = await checkFinishedRecording(rec, arn, 6_000);
    assert.deepEqual(checked.renditions, ['360p30']);
  });
});
