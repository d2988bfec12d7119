// HlsSegmenter: access units of one rendition → keyframe-aligned segments in a bounded window. It owns the cut
// decisions (target duration, discontinuities, track changes), the output timeline and the segment records; the
// bytes come from a SegmentWriter (MPEG-TS by default), so fMP4 and LL-HLS parts can plug in at the same seams.
// Emits 'segment' for each finished segment and 'end' after end(); later 'part' for LL-HLS parts.

import { EventEmitter } from 'node:events';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { BitrateMeter } from './bitrate.js';
import { programDateTimeFor } from './program-date-time.js';
import { SegmentWindow } from './segment-window.js';
import { Timeline } from './timeline.js';
import { sameTracks } from './tracks.js';
import { TsSegmentWriter } from './ts-segment-writer.js';
import type { MediaPlaylistState, Segment, SegmentWriter, TimedUnit, TrackSet } from './types.js';

export interface HlsSegmenterOptions {
  /**
   * Cut at the first keyframe once a segment is at least this long (less 10% for keyframe timestamp jitter, so a
   * 1.999 s GOP does not make 4 s segments); audio-only streams cut at the first frame past it.
   */
  targetDurationMs?: number;
  /** Segments listed in the playlist. */
  windowSize?: number;
  /** Segments kept fetchable after leaving the playlist. */
  retainAfterWindow?: number;
  /** Cut even without a keyframe at this length, so a keyframe-less encoder cannot grow a segment unboundedly. */
  maxSegmentMs?: number;
  /** A DTS this far from where it was expected is a timestamp jump (→ EXT-X-DISCONTINUITY). */
  jumpThresholdMs?: number;
  /** Output timeline = input + this (until a jump rebases it). */
  timelineOffsetMs?: number;
  firstSequence?: number;
  /** Container writer; default MPEG-TS with the ID3 metadata PID declared. */
  writer?: SegmentWriter;
}

export interface SegmenterEvents {
  segment: [Segment];
  end: [];
}

interface OpenSegment {
  startDts: number;
  programDateTime: Date;
  discontinuity: boolean;
  independent: boolean;
  videoFrames: number;
}

export class HlsSegmenter extends EventEmitter<SegmenterEvents> {
  readonly window: SegmentWindow;
  readonly bitrate: BitrateMeter;
  readonly writer: SegmentWriter;
  private readonly timeline: Timeline;
  private readonly targetMs: number;
  private readonly cutAtMs: number;
  private readonly maxSegmentMs: number;
  private tracks: TrackSet = {};
  private pendingTracks: TrackSet | undefined;
  private pendingDiscontinuity = false;
  private open: OpenSegment | undefined;
  private waitingSince: number | undefined;
  private nextSequence: number;
  private maxDurationMs = 0;
  private lastPts: number | undefined;
  private endedFlag = false;

  constructor(options: HlsSegmenterOptions = {}) {
    super();
    const target = options.targetDurationMs ?? 2000;
    this.targetMs = target;
    this.cutAtMs = target * 0.9;
    this.maxSegmentMs = options.maxSegmentMs ?? Math.max(10_000, target * 5);
    const windowSize = options.windowSize ?? 6;
    this.window = new SegmentWindow(windowSize, options.retainAfterWindow ?? 2);
    this.bitrate = new BitrateMeter(windowSize);
    this.timeline = new Timeline({ initialOffsetMs: options.timelineOffsetMs, jumpThresholdMs: options.jumpThresholdMs });
    this.nextSequence = options.firstSequence ?? 0;
    this.writer = options.writer ?? new TsSegmentWriter({ metadata: true });
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /** Current tracks (the ones the next segment will use, if a change is pending). */
  get currentTracks(): TrackSet {
    return this.pendingTracks ?? this.tracks;
  }

  /**
   * Sets or changes the track configuration. A change (different SPS/PPS or ASC, a track added or removed) after
   * packaging started takes effect at the next keyframe, which starts a new segment marked as a discontinuity.
   */
  setTracks(video?: VideoTrackInfo, audio?: AudioTrackInfo): void {
    const next: TrackSet = { video, audio };
    if (sameTracks(this.currentTracks, next)) return;
    if (this.open) {
      this.pendingTracks = next;
    } else {
      this.applyTracks(next);
    }
    if (this.open || this.window.last) this.pendingDiscontinuity = true;
  }

  push(au: AccessUnit): void {
    if (this.endedFlag) return;
    const tracks = this.currentTracks;
    if (!(au.track === 'video' ? tracks.video : tracks.audio)) return;
    const dts = this.timeline.map(au.track, au.dts);
    if (this.timeline.jumped && (this.open || this.window.last)) this.pendingDiscontinuity = true;
    const unit: TimedUnit = {
      track: au.track, dts, pts: au.pts + this.timeline.offsetMs, keyframe: au.keyframe, data: au.data,
    };
    if (!this.place(unit, au.arrival, tracks)) return;
    this.writer.write(unit);
    if (unit.track === 'video') {
      this.open!.videoFrames++;
      this.lastPts = unit.pts;
    } else if (!tracks.video) {
      this.lastPts = unit.pts;
    }
  }

  /** Inserts an ID3 tag at the latest video PTS (audio PTS without video); false when no segment is open. */
  pushMetadata(id3: Buffer): boolean {
    if (!this.open || this.lastPts === undefined) return false;
    this.writer.writeMetadata(this.lastPts, id3);
    return true;
  }

  /** Flushes the last (partial) segment and marks the playlist ended. */
  end(): void {
    if (this.endedFlag) return;
    if (this.open) {
      let end = this.open.startDts;
      for (const track of ['video', 'audio']) end = Math.max(end, this.timeline.trackEnd(track) ?? end);
      this.close(end);
    }
    this.endedFlag = true;
    this.emit('end');
  }

  playlistState(): MediaPlaylistState {
    return {
      segments: this.window.listed,
      mediaSequence: this.window.mediaSequence,
      discontinuitySequence: this.window.discontinuitySequence,
      targetDurationS: Math.max(1, Math.round(this.maxDurationMs / 1000)),
      ended: this.endedFlag,
    };
  }

  /** Video frames per second measured over the listed segments, or undefined without video. */
  measuredFrameRate(): number | undefined {
    return this.window.frameRate();
  }

  /** Decides whether `unit` starts a segment (closing the open one); false = drop it (waiting for a keyframe). */
  private place(unit: TimedUnit, arrival: number, tracks: TrackSet): boolean {
    const startsHere = unit.track === 'video' ? unit.keyframe : !tracks.video;
    if (!this.open) {
      this.waitingSince ??= unit.dts;
      if (!startsHere && unit.dts - this.waitingSince < this.maxSegmentMs) return false;
      this.openSegment(unit.dts, arrival, startsHere);
      return true;
    }
    const elapsed = unit.dts - this.open.startDts;
    const due = this.pendingDiscontinuity || elapsed >= (unit.track === 'video' ? this.cutAtMs : this.targetMs);
    if ((startsHere && due) || elapsed >= this.maxSegmentMs) {
      this.close(unit.dts);
      this.openSegment(unit.dts, arrival, startsHere);
    }
    return true;
  }

  private applyTracks(tracks: TrackSet): void {
    this.tracks = tracks;
    this.pendingTracks = undefined;
    this.writer.setTracks(tracks);
  }

  private openSegment(startDts: number, arrival: number, independent: boolean): void {
    if (this.pendingTracks) this.applyTracks(this.pendingTracks);
    this.writer.begin();
    this.open = {
      startDts,
      programDateTime: programDateTimeFor(arrival, this.window.last),
      discontinuity: this.pendingDiscontinuity,
      independent,
      videoFrames: 0,
    };
    this.pendingDiscontinuity = false;
    this.waitingSince = undefined;
  }

  private close(endDts: number): void {
    const open = this.open!;
    this.open = undefined;
    const bytes = this.writer.finish();
    const durationMs = endDts - open.startDts;
    if (durationMs <= 0) return; // a lone unit at end(): nothing playable to list
    const segment: Segment = { sequence: this.nextSequence++, durationMs, ...open, bytes };
    this.window.push(segment);
    this.bitrate.record(bytes.length, durationMs);
    this.maxDurationMs = Math.max(this.maxDurationMs, durationMs);
    this.emit('segment', segment);
  }
}
