// Bitrate of a rendition measured over its recent segments: the average feeds AVERAGE-BANDWIDTH and limit checks,
// the peak segment bitrate feeds BANDWIDTH (RFC 8216 4.3.4.2: the peak segment bit rate). Bytes are container bytes,
// so TS overhead is included as the spec requires. When nothing is measured yet, estimateBandwidth() guesses.

import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';

export class BitrateMeter {
  private readonly bits: number[] = [];
  private readonly durations: number[] = [];
  private totalBits = 0;
  private totalMs = 0;

  constructor(private readonly windowSize = 6) {}

  record(bytes: number, durationMs: number): void {
    if (durationMs <= 0) return;
    this.bits.push(bytes * 8);
    this.durations.push(durationMs);
    this.totalBits += bytes * 8;
    this.totalMs += durationMs;
    if (this.bits.length > this.windowSize) {
      this.totalBits -= this.bits.shift()!;
      this.totalMs -= this.durations.shift()!;
    }
  }

  /** Average bits per second over the window, or undefined before the first sample. */
  get average(): number | undefined {
    return this.totalMs > 0 ? Math.round((this.totalBits * 1000) / this.totalMs) : undefined;
  }

  /** Highest single-segment bits per second in the window, or undefined before the first sample. */
  get peak(): number | undefined {
    let peak: number | undefined;
    for (let i = 0; i < this.bits.length; i++) {
      const rate = (this.bits[i]! * 1000) / this.durations[i]!;
      if (peak === undefined || rate > peak) peak = rate;
    }
    return peak === undefined ? undefined : Math.round(peak);
  }
}

/** A pre-measurement guess: ~0.1 bit per pixel per frame for H.264, AAC at 128 kbit/s, plus ~8% TS overhead. */
export function estimateBandwidth(video?: VideoTrackInfo, audio?: AudioTrackInfo): number {
  const videoBits = video ? video.width * video.height * (video.frameRate ?? 30) * 0.1 : 0;
  const audioBits = audio ? 128_000 : 0;
  return Math.round((videoBits + audioBits) * 1.08);
}
