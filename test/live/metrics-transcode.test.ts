// Per-rendition output figures and transcoder restarts on /metrics, with a STANDARD channel that ffmpeg publishes to
// at 720p30: every rendition the multivariant playlist lists (source, 480p30, 360p30, 160p30) has its output bit
// rate, peak bit rate and frame rate under its name, smaller rungs carrying fewer bits; kill -9 of the transcoder's
// ffmpeg makes openivs_transcoder_restarts_total move from 0 to 1, and the rungs come back.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Running } from '../helpers/live.js';
import { pollUntil } from '../helpers/live.js';
import {
  createChannel,
  ffmpegChildrenOf,
  publishAt,
  renditionName,
  variantByName,
  waitForSegments,
  waitForVariants,
} from '../helpers/ladder.js';
import { samplesOf, scrapeMetrics, valueOf } from '../helpers/metrics-text.js';
import { useServer } from '../helpers/use-server.js';

describe('metrics: a STANDARD stream, per rendition, and a transcoder restart', { timeout: 120_000 }, () => {
  let pub: Running | undefined;
  const { server, ivs } = useServer(); // its after() kills the publisher
  let channelId = '';
  let names: string[] = [];

  /** Output samples of the stream by rendition, once every rendition has one. */
  const outputs = (text: string, metric: string) =>
    new Map(
      samplesOf(text, metric)
        .filter((s) => s.labels.channel_id === channelId)
        .map((s) => [s.labels.rendition!, s.value]),
    );

  it('exposes output bit rate, peak bit rate and frame rate for every rendition of the ladder', async () => {
    const { channel, key } = await createChannel(ivs, 'metrics-standard', 'STANDARD');
    channelId = channel.arn!.slice(channel.arn!.lastIndexOf('/') + 1);
    pub = publishAt(server.rtmpPort, key, '1280x720', 90);
    const { playlist: master } = await waitForVariants(channel.playbackUrl!, 4);
    names = master.variants.map(renditionName).sort();
    assert.deepEqual(names, ['160p30', '360p30', '480p30', 'source']);
    await waitForSegments(variantByName(channel.playbackUrl!, master, '160p30'), 2, 30_000);
    const text = await pollUntil(
      'every rendition has an output bit rate',
      async () => {
        const t = await scrapeMetrics(server.url);
        const rates = outputs(t, 'openivs_stream_output_bitrate_bits_per_second');
        return names.every((n) => (rates.get(n) ?? 0) > 0) ? t : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const rate = outputs(text, 'openivs_stream_output_bitrate_bits_per_second');
    const peak = outputs(text, 'openivs_stream_output_peak_bitrate_bits_per_second');
    const fps = outputs(text, 'openivs_stream_output_framerate_frames_per_second');
    assert.deepEqual([...rate.keys()].sort(), names, 'the renditions by the names of the multivariant playlist');
    const bps = (n: string) => rate.get(n)!;
    // The publisher caps 720p at 2.5 Mbit/s; the ladder's rungs carry less and less (IVS: 160p30 is ~230 kbit/s).
    assert.ok(bps('source') > 500_000 && bps('source') < 4_000_000, `source ${bps('source')} b/s`);
    assert.ok(
      bps('480p30') < bps('source') && bps('360p30') < bps('480p30') && bps('160p30') < bps('360p30'),
      [...rate].join(' '),
    );
    assert.ok(bps('160p30') > 50_000, `160p30 ${bps('160p30')} b/s`);
    for (const n of names) {
      assert.ok(peak.get(n)! >= rate.get(n)!, `${n}: peak ${peak.get(n)} >= average ${rate.get(n)}`);
      assert.ok(fps.get(n)! > 25 && fps.get(n)! < 35, `${n}: ${fps.get(n)} frames/s`);
    }
    // The ingest figures stay those of the source, the rendition the encoder sends.
    const ingest = samplesOf(text, 'openivs_stream_ingest_video_bitrate_bits_per_second').filter(
      (s) => s.labels.channel_id === channelId,
    );
    assert.deepEqual(
      ingest.map((s) => s.labels.rendition),
      ['source'],
    );
    assert.equal(valueOf(text, 'openivs_transcode_slots_in_use'), 1);
  });

  it('counts a restart of the transcoder when its ffmpeg is killed', async () => {
    assert.ok(pub !== undefined && !pub.done(), 'the STANDARD stream is live');
    assert.equal(valueOf(await scrapeMetrics(server.url), 'openivs_transcoder_restarts_total'), 0);
    const children = ffmpegChildrenOf(server.proc.pid!);
    assert.equal(children.length, 1, `one ffmpeg child of the server (got ${children.join(', ')})`);
    process.kill(children[0]!, 'SIGKILL');
    await pollUntil(
      'openivs_transcoder_restarts_total 1',
      async () => valueOf(await scrapeMetrics(server.url), 'openivs_transcoder_restarts_total') === 1,
      { timeoutMs: 15_000 },
    );
    // The restarted ffmpeg feeds the rungs again: their figures are still there, under the same names.
    const text = await scrapeMetrics(server.url);
    assert.deepEqual([...outputs(text, 'openivs_stream_output_bitrate_bits_per_second').keys()].sort(), names);
  });
});
