// What a recording holds per channel kind: a STANDARD FRAGMENTED_MP4 channel records every ladder rendition
// as MPEG-TS (TS copies tapped onto the fMP4 packagers), PutMetadata's ID3 included; renditionSelection NONE
// records no video but still thumbnails and the metadata files; an ADVANCED_SD channel records its own ladder
// (not its source, not its audio-only rendition); without ffmpeg the files list no thumbnails.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateChannelCommand, PutMetadataCommand } from '@aws-sdk/client-ivs';
import { getMediaPlaylist, pollUntil, waitForMultivariant, publish, rtmpUrl } from '../helpers/live.js';
import {
  activeRecordingConfiguration,
  checkFinishedRecording,
  localRecording,
  recordedChannel,
  waitRecordingEvent,
  waitLive,
} from '../helpers/recording.js';
import { publishAt } from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';

const BUCKET = 'openivs-rec-renditions';
const MARKER = 'fmp4-recorded-id3-5c1d';

describe('live: recorded renditions', { timeout: 120_000 }, () => {
  const { hook, server, ivs } = useServer({ webhook: true });

  it('STANDARD + FRAGMENTED_MP4: every rendition recorded as MPEG-TS, with the ID3 of PutMetadata', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
    });
    const out = await ivs.send(
      new CreateChannelCommand({
        name: 'rec-fmp4',
        type: 'STANDARD',
        containerFormat: 'FRAGMENTED_MP4',
        insecureIngest: true,
        recordingConfigurationArn: configArn,
      }),
    );
    const arn = out.channel!.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: 14 });
    await waitLive(ivs, arn);
    await waitRecordingEvent(hook, arn, 'Recording Start', 20_000);
    // Metadata reaches the renditions that are packaging: wait for the ladder's first segment.
    await pollUntil(
      '160p30 segments',
      async () => {
        const { playlist } = await waitForMultivariant(out.channel!.playbackUrl!);
        const variant = playlist.variants.find((v) => v.resolution?.height === 160);
        if (!variant) return false;
        const media = await getMediaPlaylist(new URL(variant.uri, out.channel!.playbackUrl).toString());
        return media.playlist.segments.length > 0;
      },
      { timeoutMs: 20_000 },
    );
    await pollUntil('PutMetadata accepted', async () => {
      await ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: MARKER }));
      return true;
    });
    assert.equal((await pub.exited).code, 0);
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End');
    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, end!.envelope.detail.recording_s3_key_prefix));
    const checked = await checkFinishedRecording(rec, arn, 14_000);
    assert.deepEqual(checked.renditions, ['360p30', '160p30'], 'the source and the ladder rung below it');
    for (const r of checked.renditions) {
      const segments = rec.keys.filter((k) => k.startsWith(`media/hls/${r}/`) && k.endsWith('.ts'));
      assert.ok(segments.length >= 2);
      for (const k of segments) assert.equal(rec.bytes(k)[0], 0x47, `${k} is MPEG-TS`);
      assert.ok(
        segments.some((k) => rec.bytes(k).includes(Buffer.from(MARKER))),
        `${r} keeps the ID3 tag`,
      );
    }
  });

  it('ADVANCED_SD: records its own ladder (480p30, 360p30, 160p30), not the 720p source or the audio-only rendition', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      thumbnailConfiguration: { recordingMode: 'DISABLED' },
    });
    const out = await ivs.send(
      new CreateChannelCommand({
        name: 'rec-advanced-sd',
        type: 'ADVANCED_SD',
        preset: 'CONSTRAINED_BANDWIDTH_DELIVERY',
        latencyMode: 'NORMAL',
        insecureIngest: true,
        recordingConfigurationArn: configArn,
      }),
    );
    const arn = out.channel!.arn!;
    const pub = publishAt(server.rtmpPort, out.streamKey!.value!, '1280x720', 12);
    await waitLive(ivs, arn);
    assert.equal((await pub.exited).code, 0);
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End');
    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, end!.envelope.detail.recording_s3_key_prefix));
    const checked = await checkFinishedRecording(rec, arn, undefined);
    assert.deepEqual(checked.renditions, ['480p30', '360p30', '160p30']);
    assert.ok(checked.durationMs > 6_000, `recorded ${checked.durationMs} ms of a 12 s broadcast`);
  });

  it('renditionSelection NONE: thumbnails and metadata files, no video', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      renditionConfiguration: { renditionSelection: 'NONE' },
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 4, resolution: 'LOWEST_RESOLUTION' },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-none', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 10 });
    await waitLive(ivs, arn);
    assert.equal((await pub.exited).code, 0);
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End');
    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, end!.envelope.detail.recording_s3_key_prefix));
    assert.equal(rec.keys.filter((k) => k.startsWith('media/hls/')).length, 0, 'no video recorded');
    const ended = rec.json('events/recording-ended.json');
    assert.equal(ended.media.hls, undefined);
    assert.deepEqual(ended.media.thumbnails, { path: 'media/thumbnails', resolution_height: 160, resolution_width: 284 });
    const thumbs = rec.keys.filter((k) => /^media\/thumbnails\/160p30\/thumb\d+\.jpg$/.test(k));
    assert.ok(thumbs.length >= 2, thumbs.join(', '));
    assert.ok(end!.envelope.detail.recording_duration_ms > 8_000);
  });
});

describe('live: recording without a usable ffmpeg (--ffmpeg-path /nonexistent)', { timeout: 90_000 }, () => {
  const { hook, server, ivs } = useServer({ webhook: true, args: ['--ffmpeg-path', '/nonexistent'] });

  it('records the media, and the metadata files list no thumbnails that could not be taken', async () => {
    const configArn = await activeRecordingConfiguration(ivs, {
      bucket: BUCKET,
      thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 2, storage: ['SEQUENTIAL', 'LATEST'] },
    });
    const { channel, key } = await recordedChannel(ivs, 'rec-no-ffmpeg', configArn);
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 8 });
    assert.equal((await pub.exited).code, 0);
    const [end] = await waitRecordingEvent(hook, arn, 'Recording End');
    const rec = localRecording(join(server.dataDir, 'recordings', BUCKET, end!.envelope.detail.recording_s3_key_prefix));
    const ended = rec.json('events/recording-ended.json');
    assert.ok(ended.media.hls.renditions.length >= 1, 'media recorded');
    assert.equal(ended.media.thumbnails, undefined);
    assert.equal(ended.media.latest_thumbnail, undefined);
    assert.deepEqual(
      rec.keys.filter((k) => k.includes('thumb')),
      [],
    );
  });
});
