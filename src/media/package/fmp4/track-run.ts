// Per-track sample timing for movie fragments. Units are buffered until the fragment is cut (part()/finish()), so
// every sample's duration is exactly the DTS distance to the next sample of its track; only a fragment's last sample
// has no successor yet. It gets the track's previous duration (video: a constant frame rate makes that exact) or the
// nominal duration (audio: an AAC frame is always 1024 samples); the next fragment's tfdt is absolute, so a guess
// that is off cannot drift. A one-sample lookahead was rejected: it would move a segment's last video frame into the
// next segment, which must start with its keyframe, and delay every LL-HLS part by a frame.
// Audio times are snapped to a running 1024-sample clock while the DTS stays within half a frame of it: RTMP's
// millisecond timestamps would otherwise give AAC frames jittering 21/22 ms durations (splice clicks in MSE).

import type { TimedUnit } from '../types.js';

export interface Sample {
  duration: number;
  size: number;
  flags: number;
  /** Composition time offset (PTS − DTS), ticks; signed. */
  cto: number;
}

/** One track's share of a fragment: its traf fields and mdat payload. */
export interface TrackRun {
  trackId: number;
  baseDecodeTime: number;
  samples: Sample[];
  data: Buffer[];
  dataSize: number;
  /** Write per-sample composition time offsets (video). */
  withCto: boolean;
}

/** sample_depends_on = 2 (an I-frame / audio frame). */
export const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1, sample_is_non_sync_sample = 1. */
export const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

export interface TrackClockOptions {
  trackId: number;
  timescale: number;
  kind: 'video' | 'audio';
  /** Nominal sample duration in ticks (video: from the frame rate, audio: 1024); fallback for a lone last sample. */
  nominalDuration: number;
}

export class TrackFragmenter {
  readonly trackId: number;
  readonly timescale: number;
  private readonly kind: 'video' | 'audio';
  private readonly nominal: number;
  private units: TimedUnit[] = [];
  private lastDuration: number | undefined;
  /** Decode time of the last sample handed out, ticks (keeps decode times monotonic across fragments). */
  private lastDecodeTime: number | undefined;
  /** Audio: where the next frame is expected, ticks. */
  private audioClock: number | undefined;

  constructor(o: TrackClockOptions) {
    this.trackId = o.trackId;
    this.timescale = o.timescale;
    this.kind = o.kind;
    this.nominal = Math.max(1, Math.round(o.nominalDuration));
  }

  get pending(): number {
    return this.units.length;
  }

  add(unit: TimedUnit): void {
    this.units.push(unit);
  }

  /** The buffered units as a run (and forgets them), or undefined when none are buffered. */
  take(): TrackRun | undefined {
    const units = this.units;
    if (units.length === 0) return undefined;
    this.units = [];
    const times = units.map((u) => this.decodeTime(u));
    const samples: Sample[] = [];
    let dataSize = 0;
    for (let i = 0; i < units.length; i++) {
      const u = units[i]!;
      let duration: number;
      if (i + 1 < units.length) {
        duration = times[i + 1]! - times[i]!;
        this.lastDuration = duration > 0 ? duration : this.lastDuration;
      } else {
        duration = this.kind === 'audio' ? this.nominal : (this.lastDuration ?? this.nominal);
      }
      const cto = this.kind === 'video' ? this.ticks(u.pts) - times[i]! : 0;
      const flags = this.kind === 'audio' || u.keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS;
      samples.push({ duration, size: u.data.length, flags, cto });
      dataSize += u.data.length;
    }
    return {
      trackId: this.trackId,
      baseDecodeTime: times[0]!,
      samples,
      data: units.map((u) => u.data),
      dataSize,
      withCto: this.kind === 'video',
    };
  }

  private ticks(ms: number): number {
    return Math.round((ms * this.timescale) / 1000);
  }

  /** The unit's decode time in ticks: its DTS (audio: snapped to the frame clock), never before the previous one. */
  private decodeTime(u: TimedUnit): number {
    let t = Math.max(0, this.ticks(u.dts)); // tfdt is unsigned
    if (this.kind === 'audio') {
      if (this.audioClock !== undefined && Math.abs(t - this.audioClock) <= this.nominal / 2) t = this.audioClock;
      this.audioClock = t + this.nominal;
    }
    if (this.lastDecodeTime !== undefined && t < this.lastDecodeTime) t = this.lastDecodeTime;
    this.lastDecodeTime = t;
    return t;
  }
}
