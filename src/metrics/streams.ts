// Live-stream figures, collected when Prometheus scrapes: live streams by channel type, latency mode and health, and
// per stream (labels channel_id, rendition) the figures IVS publishes to CloudWatch, from the registry's per-second
// meter. Streams that ended leave the registry and so leave these series (each collect starts from empty), which
// bounds their cardinality by the live streams. Also the part and segment publish delay, observed as each rendition
// publishes: from the wall clock of a part's (segment's) end, as its EXT-X-PROGRAM-DATE-TIME says (the ingest arrival
// of its first media plus durations), to its publication. And per rendition (labels channel_id, rendition: `source`
// and, on STANDARD channels, the ladder's rungs as the multivariant playlist names them, e.g. 480p30) what the
// packager produced: the bit rate of its recent segments and their frame rate.

import { Gauge, type Registry } from 'prom-client';
import { PlainHistogram } from './plain-histogram.js';
import type { LiveStreams, MeteredRendition, PublishingRendition } from './ports.js';

const PUBLISH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];
/** The ingest figures are of the rendition the encoder sends: the source. */
const INGEST = 'source';

interface PerStreamGauge {
  gauge: Gauge<'channel_id' | 'rendition'>;
  read: (s: {
    ingestVideoBitrate: number;
    ingestAudioBitrate: number;
    ingestFramerate: number;
    keyframeInterval: number | null;
  }) => number | null;
}

export class StreamMetrics {
  private readonly publishDelay: PlainHistogram;
  /** While true (Metrics.pause) the publish delay is not observed. */
  paused = false;

  constructor(register: Registry, live: LiveStreams, now: () => number = Date.now) {
    new Gauge({
      name: 'openivs_live_streams',
      help: 'Live streams (announced, not ended) by channel type, latency mode and health.',
      labelNames: ['channel_type', 'latency_mode', 'health'],
      registers: [register],
      collect() {
        this.reset();
        for (const s of live.streams()) {
          if (s.started && !s.ended)
            this.inc({ channel_type: s.channel.type, latency_mode: s.channel.latencyMode, health: s.health.state });
        }
      },
    });
    const figures: [string, string, PerStreamGauge['read']][] = [
      [
        'openivs_stream_ingest_video_bitrate_bits_per_second',
        'IngestVideoBitrate: video bits received in the last complete second.',
        (s) => s.ingestVideoBitrate,
      ],
      [
        'openivs_stream_ingest_audio_bitrate_bits_per_second',
        'IngestAudioBitrate: audio bits received in the last complete second.',
        (s) => s.ingestAudioBitrate,
      ],
      [
        'openivs_stream_ingest_framerate_frames_per_second',
        'IngestFramerate: video frames received per second in the last complete second.',
        (s) => s.ingestFramerate,
      ],
      [
        'openivs_stream_keyframe_interval_seconds',
        'KeyframeInterval: seconds between the two latest keyframes received.',
        (s) => s.keyframeInterval,
      ],
    ];
    const outputs: [string, string, (r: MeteredRendition) => number | undefined][] = [
      [
        'openivs_stream_output_bitrate_bits_per_second',
        'Bit rate of the segments a rendition published recently (container bytes, the AVERAGE-BANDWIDTH of the multivariant playlist).',
        (r) => r.bitrate.average,
      ],
      [
        'openivs_stream_output_peak_bitrate_bits_per_second',
        'Highest bit rate of one recent segment of a rendition (the BANDWIDTH of the multivariant playlist).',
        (r) => r.bitrate.peak,
      ],
      [
        'openivs_stream_output_framerate_frames_per_second',
        'Video frames per second of the segments a rendition published recently.',
        (r) => r.measuredFrameRate(),
      ],
    ];
    const perRendition: { gauge: Gauge<'channel_id' | 'rendition'>; read: (r: MeteredRendition) => number | undefined }[] = [];
    const perStream: PerStreamGauge[] = [];
    // One collect (on the views gauge, registered, hence collected, before them) fills the per-stream gauges together, so a scrape
    // sees one consistent reading of each stream.
    new Gauge({
      name: 'openivs_stream_concurrent_views',
      help: 'ConcurrentViews: viewers of the stream (the viewer count of GetStream).',
      labelNames: ['channel_id'],
      registers: [register],
      collect() {
        const at = now();
        this.reset();
        for (const { gauge } of [...perStream, ...perRendition]) gauge.reset();
        for (const s of live.streams()) {
          if (!s.started || s.ended) continue;
          this.set({ channel_id: s.channel.id }, s.viewers.count(at));
          for (const [rendition, packager] of s.renditions) {
            for (const { gauge, read } of perRendition) {
              const value = read(packager);
              if (value !== undefined) gauge.set({ channel_id: s.channel.id, rendition }, value);
            }
          }
          const samples = s.meter.samples(at, at - 3_000);
          const last = samples[samples.length - 1];
          if (last === undefined) continue;
          for (const { gauge, read } of perStream) {
            const value = read(last);
            if (value !== null) gauge.set({ channel_id: s.channel.id, rendition: INGEST }, value);
          }
        }
      },
    });
    const labelled = <R>([name, help, read]: [string, string, R]) => ({
      gauge: new Gauge({ name, help, labelNames: ['channel_id', 'rendition'], registers: [register] }),
      read,
    });
    perStream.push(...figures.map(labelled));
    perRendition.push(...outputs.map(labelled));
    // Observed for every part of every rendition: a PlainHistogram, as prom-client's labelled observe showed as ~2% of
    // ingest's busy main-thread samples at 50 streams (bench:ingest, profiled).
    this.publishDelay = new PlainHistogram(
      'openivs_publish_delay_seconds',
      'Delay from the end of a part (segment) by its program date-time (ingest wall clock) to its publication in the playlist, by kind (part, segment).',
      'kind',
      PUBLISH_BUCKETS,
      register,
    );
  }

  /** Watches a rendition's packager for the publish delay histogram (called as each stream's media starts). */
  watch(rendition: PublishingRendition, now: () => number = Date.now): void {
    const parts = this.publishDelay.recorder('part');
    const segments = this.publishDelay.recorder('segment');
    // The output timeline's position and wall clock of the last segment's end: where the open segment's parts start.
    let base: { dts: number; wall: number } | undefined;
    const observe = (record: (value: number) => void, endWall: number) => {
      // The program date-time follows the encoder's clock within half a second of arrival, so it may run slightly
      // ahead of the wall clock: that reads as no delay. Far outside (a discontinuity, a clock jump) is no delay at all.
      if (this.paused) return;
      const delayMs = now() - endWall;
      if (delayMs > -5_000 && delayMs < 60_000) record(Math.max(0, delayMs) / 1000);
    };
    rendition.onPart((p) => {
      if (base !== undefined) observe(parts, base.wall + (p.startDts + p.durationMs - base.dts));
    });
    rendition.onSegment((s) => {
      const endWall = s.programDateTime.getTime() + s.durationMs;
      observe(segments, endWall);
      base = { dts: s.startDts + s.durationMs, wall: endWall };
    });
  }
}
