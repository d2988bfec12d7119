// Ad breaks in the recording: a BASIC TS channel with an ad configuration records to the local disk; InsertAdBreak
// during the broadcast leaves the break in the recorded rendition's playlists (the ~10 s file playlist and the
// byte-range one), read by hls-parser: EXT-X-DATERANGE with SCTE35-OUT and SCTE35-IN under the adBreakId, and the
// EXT-X-CUE-OUT/CUE-IN markers.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateAdConfigurationCommand, InsertAdBreakCommand, UpdateChannelCommand } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { ACCOUNT, REGION } from '../helpers/assert.js';
import { pollUntil, publish, rtmpUrl } from '../helpers/live.js';
import {
  activeRecordingConfiguration,
  localRecording,
  recordedChannel,
  waitLive,
  waitRecordingEvent,
} from '../helpers/recording.js';
import { useServer } from '../helpers/use-server.js';

const SECRET = 'recording-ads-secret';
const BUCKET = 'openivs-rec-ads';

describe('live: ad breaks in the recording', { timeout: 120_000 }, () => {
  const { hook, server, ivs } = useServer({ webhook: { secret: SECRET } });

  it('the recorded playlists carry the break (DATERANGE SCTE35-OUT/IN, CUE-OUT/CUE-IN)', async () => {
    const configArn = await activeRecordingConfiguration(ivs, { bucket: BUCKET, name: 'rec-ads' });
    const { channel, key } = await recordedChannel(ivs, 'rec-ads-ch', configArn);
    const ad = await ivs.send(
      new CreateAdConfigurationCommand({
        mediaTailorPlaybackConfigurations: [
          { playbackConfigurationArn: `arn:aws:mediatailor:${REGION}:${ACCOUNT}:playbackConfiguration/rec` },
        ],
      }),
    );
    await ivs.send(new UpdateChannelCommand({ arn: channel.arn, adConfigurationArn: ad.adConfiguration!.arn }));
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 20 });
    await waitLive(ivs, channel.arn!);
    const [startEvent] = await waitRecordingEvent(hook, channel.arn!, 'Recording Start', 20_000);
    const { adBreakId } = await pollUntil('InsertAdBreak accepted', () =>
      ivs.send(new InsertAdBreakCommand({ channelArn: channel.arn, durationSeconds: 4 })).catch(() => undefined),
    );
    const done = await pub.exited;
    assert.equal(done.code, 0, done.stderr);
    await waitRecordingEvent(hook, channel.arn!, 'Recording End');
    const prefix: string = startEvent!.envelope.detail.recording_s3_key_prefix;
    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, prefix));
    const playlists = rec.keys.filter((k) => /\/(playlist|byte-range-variant)\.m3u8$/.test(k) && k.startsWith('media/hls/'));
    assert.ok(playlists.length >= 2, `recorded media playlists: ${rec.keys.join(', ')}`);
    for (const name of playlists) {
      const text = rec.text(name);
      const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
      // hls-parser keeps one DATERANGE per segment: the ~10 s file playlist may put the OUT and the IN before the same file.
      const ranges = parsed.segments.map((s) => s.dateRange).filter((r) => r?.id === adBreakId);
      assert.ok(ranges.length > 0, `${name}: hls-parser reads the DATERANGE ${adBreakId}:\n${text}`);
      for (const cue of ['SCTE35-OUT', 'SCTE35-IN']) {
        assert.match(text, new RegExp(`#EXT-X-DATERANGE:ID="${adBreakId}",[^\\n]*${cue}=0xFC[0-9A-F]+`), `${name}: ${cue}`);
      }
      if (name.endsWith('byte-range-variant.m3u8')) {
        assert.ok(
          ranges.some((r) => r!.attributes['SCTE35-OUT'] !== undefined),
          `${name}: OUT on its own piece`,
        );
        assert.ok(
          ranges.some((r) => r!.attributes['SCTE35-IN'] !== undefined),
          `${name}: IN on its own piece`,
        );
      }
      const kinds = parsed.segments.flatMap((s) => s.markers.map((m) => m.type));
      assert.ok(kinds.includes('OUT') && kinds.includes('IN'), `${name}: CUE-OUT and CUE-IN:\n${text}`);
    }
  });
});
