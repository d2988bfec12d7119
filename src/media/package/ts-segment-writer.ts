// SegmentWriter for MPEG-TS segments: adapts TsMuxer to the segmenter's container seam.

import { TsMuxer, type TsMuxerOptions } from './ts/muxer.js';
import type { SegmentWriter, TimedUnit, TrackSet } from './types.js';

export class TsSegmentWriter implements SegmentWriter {
  readonly extension = 'ts';
  private readonly muxer: TsMuxer;

  constructor(options: Omit<TsMuxerOptions, 'video' | 'audio'> = {}) {
    this.muxer = new TsMuxer(options);
  }

  setTracks(tracks: TrackSet): void {
    this.muxer.setTracks(tracks.video, tracks.audio);
  }

  begin(): void {
    this.muxer.beginSegment();
  }

  write(unit: TimedUnit): void {
    if (unit.track === 'video') this.muxer.writeVideo(unit);
    else this.muxer.writeAudio(unit);
  }

  writeMetadata(ptsMs: number, id3: Buffer): void {
    this.muxer.writeId3(ptsMs, id3);
  }

  part(): Buffer {
    return this.muxer.finishPart();
  }

  finish(): Buffer {
    return this.muxer.finishSegment();
  }

  initSection(): undefined {
    return undefined;
  }
}
