// Puts the access units of an MPEG-TS input back in decode-time order across its two tracks (pure). TS muxers pack
// several AAC frames into one PES (ffmpeg: about 0.17 s of audio at 128 kbps), so audio arrives up to that much later
// than the video beside it. Packaged in arrival order, the audio that belongs before a keyframe lands in the next
// segment: every segment's audio then ends short of its video, and hls.js, waiting at the live edge for the next
// part, reloaded the last one in a loop and shifted its timeline by 2 s a time (the srt-loss test's stall). RTMP
// needs none of this: FLV muxers interleave by timestamp.
//
// A unit is held until the other track has reached its decode time, or until it is `maxHoldMs` older (in media time)
// than the newest unit of its own track, for a track that stalled. At the start the first track waits the same way
// for the second; when `maxHoldMs` pass without it, the stream has one track and its units pass straight through
// (until the other shows up).

import type { AccessUnit } from '../../types.js';

export class TrackInterleaver {
  private readonly held: Record<AccessUnit['track'], AccessUnit[]> = { video: [], audio: [] };
  private readonly seen = { video: false, audio: false };

  constructor(
    private readonly emit: (au: AccessUnit) => void,
    private readonly maxHoldMs = 500,
  ) {}

  /** One track has gone `maxHoldMs` without the other ever appearing: no waiting for it. */
  private single = false;

  push(au: AccessUnit): void {
    this.seen[au.track] = true;
    if (this.seen.video && this.seen.audio) this.single = false;
    if (this.single) {
      this.emit(au);
      return;
    }
    this.held[au.track].push(au);
    this.release();
    if (!(this.seen.video && this.seen.audio) && this.heldCount > 0 && this.spanOf(au.track) > this.maxHoldMs) {
      this.single = true;
      this.flush();
    }
  }

  /** Emits everything held, in decode-time order (before a configuration change, and at the end). */
  flush(): void {
    for (;;) {
      const next = this.earliest();
      if (next === undefined) return;
      this.emit(this.held[next].shift()!);
    }
  }

  /** Units held now (for tests and bounds). */
  get heldCount(): number {
    return this.held.video.length + this.held.audio.length;
  }

  private release(): void {
    for (;;) {
      const { video, audio } = this.held;
      if (video.length > 0 && audio.length > 0) {
        this.emit((video[0]!.dts <= audio[0]!.dts ? video : audio).shift()!);
        continue;
      }
      // One track waits for the other: only as long as the other could still catch up (once both have been seen).
      const waiting = video.length > 0 ? video : audio;
      if (waiting.length === 0 || !(this.seen.video && this.seen.audio)) return;
      if (waiting.at(-1)!.dts - waiting[0]!.dts <= this.maxHoldMs) return;
      this.emit(waiting.shift()!);
    }
  }

  private spanOf(track: AccessUnit['track']): number {
    const q = this.held[track];
    return q.length === 0 ? 0 : q.at(-1)!.dts - q[0]!.dts;
  }

  private earliest(): AccessUnit['track'] | undefined {
    const v = this.held.video[0];
    const a = this.held.audio[0];
    if (v === undefined) return a === undefined ? undefined : 'audio';
    return a === undefined || v.dts <= a.dts ? 'video' : 'audio';
  }
}
