// Stream takeover on a STANDARD channel that records: the transcoder's input switches to the backup (every ladder
// rendition keeps growing after the switch), and the recording goes on across it — one Recording Start, one
// Recording End naming the one stream id, and a finished recording whose playlists and media check out and span
// both publishers.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateChannelCommand } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { get, pollUntil, publish, rtmpUrl, sleep, waitForMultivariant } from '../helpers/live.js';
import {
  activeRecordingConfiguration,
  checkFinishedRecording,
  localRecording,
  recordingEvents,
  waitLive,
  waitRecordingEvent,
} from '../helpers/recording.js';
import { useServer } from '../helpers/use-server.js';

const BUCKET = 'openivs-rec-takeover';

describe('stream takeover on a recorded STANDARD channel', { timeout: 150_000 }, () => {
  const { hook, server, ivs } = useServer({ webhook: true });

  it('the ladder follows the backup and the recording continues across the takeover', async () => {
    const configArn = await activeRecordingConfiguration(ivs, { bucket: BUCKET, name: 'rec-takeover' });
    const out = await ivs.send(
      new CreateChannelCommand({
        name: 'takeover-standard',
        type: 'STANDARD',
        insecureIngest: true,
        recordingConfigurationArn: configArn,
      }),
    );
    const channel = out.channel!;
    const key = out.streamKey!.value!;
    const arn = channel.arn!;
    const primary = publish(rtmpUrl(server.rtmpPort, `${key}?priority=1`), { seconds: 60 });
    const backup = { run: undefined as ReturnType<typeof publish> | undefined };
    try {
      const streamId = await waitLive(ivs, arn);
      const { playlist } = await waitForMultivariant(channel.playbackUrl!);
      const variants = playlist.variants.map((v) => new URL(v.uri, channel.playbackUrl).toString());
      assert.ok(variants.length >= 2, `a ladder: ${variants.length} renditions`);
      const ends = async () =>
        Promise.all(
          variants.map(async (url) => {
            const media = HLS.parse((await get(url)).text) as HLS.types.MediaPlaylist;
            return (media.mediaSequenceBase ?? 0) + media.segments.length;
          }),
        );
      await sleep(3_000);

      backup.run = publish(rtmpUrl(server.rtmpPort, `${key}?priority=2`), { seconds: 25 });
      await pollUntil(
        'the Stream Takeover event',
        () =>
          hook
            .unique()
            .some((e) => e.envelope?.detail?.stream_id === streamId && e.envelope.detail.event_name === 'Stream Takeover'),
        { timeoutMs: 20_000 },
      );
      const atSwitch = await ends();
      await pollUntil(
        'every rendition two segments past the switch',
        async () => (await ends()).every((end, i) => end >= atSwitch[i]! + 2),
        { timeoutMs: 40_000, intervalMs: 1_000 },
      );
      const primaryExit = await primary.exited;
      assert.notEqual(primaryExit.code, 0, 'the replaced publisher was disconnected');

      const done = await backup.run.exited;
      assert.equal(done.code, 0, done.stderr);
      const [startEvent] = await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
      const [endEvent] = await waitRecordingEvent(hook, arn, 'Recording End');
      assert.equal(recordingEvents(hook, arn).length, 2, 'one recording: one start, one end');
      assert.deepEqual(endEvent!.envelope.detail.recording_session_stream_ids, [streamId]);
      const prefix: string = startEvent!.envelope.detail.recording_s3_key_prefix;
      const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, prefix));
      const checked = await checkFinishedRecording(rec, arn, undefined);
      assert.ok(checked.renditions.length >= 2, `recorded renditions: ${checked.renditions.join(', ')}`);
      assert.ok(checked.durationMs > 25_000, `the recording spans both publishers (${checked.durationMs} ms)`);
    } finally {
      await primary.kill();
      await backup.run?.kill();
    }
  });
});
