// Holds the start of a stream until both of its tracks are described. In RTMP both sequence headers come before any
// media; in MPEG-TS the audio configuration is known only from the first ADTS frame, and muxers (ffmpeg's among
// them) send audio in larger PES packets, so the first video keyframe usually arrives before any audio. Passed on
// as is, the packager would start video-only and then cut a discontinuity when audio appears. When the PMT declares
// an audio stream, video (its configuration and access units) is therefore held until the audio configuration is
// known, bounded in media time and bytes: a stream whose audio never comes starts video-only after the bound.

import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../../types.js';

export interface TsMediaHandler {
  onVideoConfig(info: VideoTrackInfo): void;
  onAudioConfig(info: AudioTrackInfo): void;
  onAccessUnit(au: AccessUnit): void;
  onUnsupported(description: string): void;
}

/** How long (video DTS span, ms) and how much the gate may hold before it gives up waiting for audio. */
const MAX_HELD_MS = 2_000;
const MAX_HELD_BYTES = 4 * 1024 * 1024;

type Held = { config: VideoTrackInfo } | { unit: AccessUnit };

export class StartGate implements TsMediaHandler {
  private open = false;
  private held: Held[] = [];
  private heldBytes = 0;
  private firstDts: number | undefined;

  constructor(private readonly out: TsMediaHandler) {}

  /** The PMT says whether an audio stream is carried; without one there is nothing to wait for. */
  expectAudio(carried: boolean): void {
    if (!carried) this.release();
  }

  /** End of stream (or giving up): everything held goes out now. */
  release(): void {
    if (this.open) return;
    this.open = true;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const h of held) {
      if ('config' in h) this.out.onVideoConfig(h.config);
      else this.out.onAccessUnit(h.unit);
    }
  }

  onVideoConfig(info: VideoTrackInfo): void {
    if (this.open) this.out.onVideoConfig(info);
    else this.held.push({ config: info });
  }

  onAudioConfig(info: AudioTrackInfo): void {
    this.out.onAudioConfig(info);
    this.release();
  }

  onAccessUnit(au: AccessUnit): void {
    if (this.open || au.track === 'audio') return this.out.onAccessUnit(au);
    this.held.push({ unit: au });
    this.heldBytes += au.data.length;
    this.firstDts ??= au.dts;
    if (au.dts - this.firstDts > MAX_HELD_MS || this.heldBytes > MAX_HELD_BYTES) this.release();
  }

  onUnsupported(description: string): void {
    this.out.onUnsupported(description);
  }
}
