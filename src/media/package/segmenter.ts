// HlsSegmenter: access units of one rendition → keyframe-aligned segments in a bounded window. It owns the cut
// decisions (target duration, discontinuities, track changes), the output timeline and the segment records; the
// bytes come from a SegmentWriter (MPEG-TS by default), so fMP4 and LL-HLS parts can plug in at the same seams.
// Emits 'segment' for each finished segment and 'end' after end(). With `partTargetMs` (LL-HLS) it also cuts each
// segment into parts at frame boundaries (SegmentWriter.part()) and emits 'part' for each; a segment's last part is
// emitted just before its 'segment', when the window already lists the segment. Every segment starts with the
// `segmentmetadata` ID3 tag (segment-metadata.ts) unless `segmentMetadata` is false.

import { EventEmitter } from 'node:events';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { settleMarks, type AdBreakMark } from './ad-markers.js';
import { BitrateMeter } from './bitrate.js';
import { retire } from './buffer-pins.js';
import { programDateTimeFor } from './program-date-time.js';
import { segmentMetadataTag } from './segment-metadata.js';
import { SegmentWindow } from './segment-window.js';
import { Timeline } from './timeline.js';
import { sameTracks } from './tracks.js';
import { TsSegmentWriter } from './ts-segment-writer.js';
import type { LowLatencyPlaylistState, Part, PartPosition } from './parts.js';
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
  /** Forward timestamp gaps up to this long stay gaps (no discontinuity); see TimelineOptions. */
  maxForwardGapMs?: number;
  /** Output timeline = input + this (until a jump rebases it). */
  timelineOffsetMs?: number;
  firstSequence?: number;
  /** Container writer; default MPEG-TS with the ID3 metadata PID declared. */
  writer?: SegmentWriter;
  /**
   * LL-HLS part target (ms; see DEFAULT_PART_TARGET_MS in parts.ts). Undefined: no parts (plain HLS). Parts are cut
   * at the last frame that keeps them within the target; audio-only streams cut on audio frames.
   */
  partTargetMs?: number;
  /** Start every segment with IVS's `segmentmetadata` ID3 tag (segment-metadata.ts). Default true. */
  segmentMetadata?: boolean;
}

export interface SegmenterEvents {
  segment: [Segment];
  part: [Part];
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
  /** Counts the changes a rendering of this rendition's playlist (or a sibling's rendition report) could show. */
  private changes = 0;
  // LL-HLS parts (partTargetMs set): the open part, the finished ones of the open segment, recent segments' parts.
  readonly partTargetMs: number | undefined;
  private openParts: Part[] = [];
  private partStartDts = 0;
  private partIndependent = false;
  private lastPart: PartPosition | undefined;
  private readonly partsBySegment = new Map<number, readonly Part[]>();
  private readonly keepPartsFor: number;
  /** Recent DTS steps of the track parts are cut on, to predict where the next unit lands. */
  private readonly steps: number[] = [];
  private lastCutTrackDts: number | undefined;
  private lastVideoDts: number | undefined;
  /** Segmenters fed the same input (e.g. an MPEG-TS copy of an fMP4 rendition for recording). */
  private readonly taps = new Set<HlsSegmenter>();
  /** Ad breaks this rendition signals (InsertAdBreak), settled against the window when a playlist is rendered. */
  private readonly adBreaks: AdBreakMark[] = [];
  private readonly segmentMetadata: boolean;
  /** PDT (epoch ms) of the first segment: `stream_offset` of the segment metadata counts from it. */
  private firstProgramDateTime: number | undefined;

  constructor(options: HlsSegmenterOptions = {}) {
    super();
    const target = options.targetDurationMs ?? 2000;
    this.targetMs = target;
    this.cutAtMs = target * 0.9;
    this.maxSegmentMs = options.maxSegmentMs ?? Math.max(10_000, target * 5);
    const windowSize = options.windowSize ?? 6;
    this.window = new SegmentWindow(windowSize, options.retainAfterWindow ?? 2);
    this.bitrate = new BitrateMeter(windowSize);
    this.timeline = new Timeline({
      initialOffsetMs: options.timelineOffsetMs,
      jumpThresholdMs: options.jumpThresholdMs,
      maxForwardGapMs: options.maxForwardGapMs,
    });
    this.nextSequence = options.firstSequence ?? 0;
    this.writer = options.writer ?? new TsSegmentWriter({ metadata: true });
    if (options.partTargetMs !== undefined) {
      const part = Math.round(options.partTargetMs);
      if (!(part >= 50 && part <= target)) throw new RangeError(`partTargetMs must be within 50..${target}: ${part}`);
      this.partTargetMs = part;
    }
    this.keepPartsFor = windowSize + (options.retainAfterWindow ?? 2);
    this.segmentMetadata = options.segmentMetadata ?? true;
  }

  /**
   * Feeds `tap` everything this segmenter gets from now on (units, track changes, metadata, the end), with its
   * own cuts and container; it starts at the next keyframe.
   */
  addTap(tap: HlsSegmenter): void {
    const tracks = this.currentTracks;
    tap.setTracks(tracks.video, tracks.audio);
    this.taps.add(tap);
  }

  removeTap(tap: HlsSegmenter): void {
    this.taps.delete(tap);
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /**
   * Grows with every change its playlists could show: a part or segment published, the end, new tracks (the init
   * section), an ad break. Playlist caches compare it instead of the state itself (deliver/media-playlist.ts).
   */
  get revision(): number {
    return this.changes;
  }

  /** EXT-X-TARGETDURATION (s): the longest segment so far, rounded, at least 1. */
  get targetDurationS(): number {
    return Math.max(1, Math.round(this.maxDurationMs / 1000));
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
    for (const tap of this.taps) tap.setTracks(video, audio);
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
    for (const tap of this.taps) tap.push(au);
    const tracks = this.currentTracks;
    if (!(au.track === 'video' ? tracks.video : tracks.audio)) return;
    const dts = this.timeline.map(au.track, au.dts);
    if (this.timeline.jumped && (this.open || this.window.last)) this.pendingDiscontinuity = true;
    const unit: TimedUnit = {
      track: au.track,
      dts,
      pts: au.pts + this.timeline.offsetMs,
      keyframe: au.keyframe,
      data: au.data,
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
    for (const tap of this.taps) tap.pushMetadata(id3);
    if (!this.open || this.lastPts === undefined) return false;
    this.writer.writeMetadata(this.lastPts, id3);
    return true;
  }

  /** Flushes the last (partial) segment and marks the playlist ended. */
  end(): void {
    if (this.endedFlag) return;
    for (const tap of this.taps) tap.end();
    if (this.open) {
      let end = this.open.startDts;
      for (const track of ['video', 'audio']) end = Math.max(end, this.timeline.trackEnd(track) ?? end);
      this.close(end);
    }
    this.endedFlag = true;
    this.changes++;
    this.emit('end');
  }

  /**
   * Signals an ad break (InsertAdBreak) in this rendition's playlists from the next segment boundary on
   * (ad-markers.ts); taps (the recorder) hear of it too.
   */
  insertAdBreak(mark: AdBreakMark): void {
    this.adBreaks.push({ ...mark });
    this.changes++;
    for (const tap of this.taps) tap.insertAdBreak(mark);
  }

  playlistState(): MediaPlaylistState {
    const segments = this.window.listed;
    if (this.adBreaks.length > 0) settleMarks(this.adBreaks, segments);
    return {
      ...(this.adBreaks.length > 0 ? { adBreaks: this.adBreaks } : {}),
      segments,
      mediaSequence: this.window.mediaSequence,
      discontinuitySequence: this.window.discontinuitySequence,
      targetDurationS: this.targetDurationS,
      ended: this.endedFlag,
    };
  }

  /** LL-HLS playlist state (parts, the segment in progress, the next part); undefined without partTargetMs. */
  lowLatencyState(): LowLatencyPlaylistState | undefined {
    if (this.partTargetMs === undefined) return undefined;
    const open = this.open;
    return {
      ...this.playlistState(),
      partTargetMs: this.partTargetMs,
      parts: this.partsBySegment,
      pending: open && {
        sequence: this.nextSequence,
        programDateTime: open.programDateTime,
        discontinuity: open.discontinuity,
        parts: this.openParts.slice(),
      },
      nextPart: this.endedFlag ? undefined : { msn: this.nextSequence, part: open ? this.openParts.length : 0 },
    };
  }

  /** Media sequence number of the segment being written; undefined before the first keyframe and after end(). */
  get openSequence(): number | undefined {
    return this.open ? this.nextSequence : undefined;
  }

  /** The latest completed part, or undefined (no parts yet, or no partTargetMs). */
  lastPartPosition(): PartPosition | undefined {
    return this.lastPart;
  }

  /** A completed part of the open segment or of a recent one; undefined if not (yet, or any longer) available. */
  findPart(sequence: number, index: number): Part | undefined {
    if (this.open && sequence === this.nextSequence) return this.openParts[index];
    return this.partsBySegment.get(sequence)?.[index];
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
      this.openSegment(unit, arrival, startsHere);
      this.noteStep(unit, tracks);
      return true;
    }
    const elapsed = unit.dts - this.open.startDts;
    const due = this.pendingDiscontinuity || elapsed >= (unit.track === 'video' ? this.cutAtMs : this.targetMs);
    if ((startsHere && due) || elapsed >= this.maxSegmentMs) {
      this.close(unit.dts);
      this.openSegment(unit, arrival, startsHere);
    } else if (this.partTargetMs !== undefined && this.partDue(unit, tracks)) {
      this.closePart(unit.dts);
      this.partStartDts = unit.dts;
      this.partIndependent = startsHere;
    }
    this.noteStep(unit, tracks);
    return true;
  }

  /**
   * Whether `unit` starts a new part. Parts end at frame boundaries and never exceed the target: cut before this
   * unit when keeping it would carry the part past the target (its end would be at least this DTS plus one usual
   * step). With video, only video units cut, except when video stalled for a whole part target.
   */
  private partDue(unit: TimedUnit, tracks: TrackSet): boolean {
    const target = this.partTargetMs!;
    const elapsed = unit.dts - this.partStartDts;
    if (elapsed <= 0) return false;
    if (unit.track === 'video' || !tracks.video) return elapsed + this.expectedStep(tracks) > target;
    return elapsed >= target && (this.lastVideoDts === undefined || unit.dts - this.lastVideoDts >= target);
  }

  /** The largest recent DTS step of the track parts are cut on (a frame at ms precision jitters by 1 ms). */
  private expectedStep(tracks: TrackSet): number {
    if (this.steps.length > 0) return Math.max(...this.steps);
    if (tracks.video) return Math.ceil(1000 / (tracks.video.frameRate || 30));
    return tracks.audio ? Math.ceil((1024 * 1000) / tracks.audio.sampleRate) : 0;
  }

  private noteStep(unit: TimedUnit, tracks: TrackSet): void {
    if (unit.track === 'video') this.lastVideoDts = unit.dts;
    if (this.partTargetMs === undefined || unit.track !== (tracks.video ? 'video' : 'audio')) return;
    const step = this.lastCutTrackDts === undefined ? 0 : unit.dts - this.lastCutTrackDts;
    this.lastCutTrackDts = unit.dts;
    if (step <= 0 || step > this.partTargetMs) return; // gaps and jumps say nothing about the frame interval
    this.steps.push(step);
    if (this.steps.length > 8) this.steps.shift();
  }

  /**
   * The stated duration of the open part if it ends at `endDts`. Cuts keep parts within the target, except where the
   * end comes unannounced: a segment's last part before a discontinuity or at end() (the segment ends with the
   * longest track, up to an audio frame past the last video frame) and parts cut on audio while video stalls. Those
   * are stated as the target (PART-TARGET is a hard maximum), so their parent's EXTINF can exceed the sum of its
   * parts by that overhang.
   */
  private partDuration(endDts: number): number {
    return Math.min(endDts - this.partStartDts, this.partTargetMs!);
  }

  /** Closes the open part (not the segment's last) at `endDts`, the first DTS of the next part. */
  private closePart(endDts: number): void {
    const part: Part = {
      sequence: this.nextSequence,
      index: this.openParts.length,
      startDts: this.partStartDts,
      durationMs: this.partDuration(endDts),
      independent: this.partIndependent,
      bytes: this.writer.part(),
    };
    this.openParts.push(part);
    this.lastPart = { msn: part.sequence, part: part.index };
    this.changes++;
    this.emit('part', part);
  }

  /**
   * The parts of a finished segment, their bytes re-sliced from the segment's own (so they do not pin the writer's
   * working buffer), as long as the writer kept its contract that parts concatenate to the segment.
   */
  private finishParts(segment: Segment, lastBytes: Buffer, endDts: number): Part[] {
    const parts = this.openParts;
    this.openParts = [];
    parts.push({
      sequence: segment.sequence,
      index: parts.length,
      startDts: this.partStartDts,
      durationMs: this.partDuration(endDts),
      independent: this.partIndependent,
      bytes: lastBytes,
    });
    let total = 0;
    for (const p of parts) total += p.bytes.length;
    if (total !== segment.bytes.length) {
      // the parts stay views of the writer's working buffer, which must then never be written again
      for (const p of parts) retire(p.bytes);
      return parts;
    }
    let offset = 0;
    return parts.map((p) => {
      const bytes = segment.bytes.subarray(offset, offset + p.bytes.length);
      offset += p.bytes.length;
      return { ...p, bytes };
    });
  }

  private applyTracks(tracks: TrackSet): void {
    this.tracks = tracks;
    this.pendingTracks = undefined;
    this.writer.setTracks(tracks);
    this.changes++;
  }

  /** Opens a segment starting with `first` (written by the caller right after). */
  private openSegment(first: TimedUnit, arrival: number, independent: boolean): void {
    const startDts = first.dts;
    if (this.pendingTracks) this.applyTracks(this.pendingTracks);
    this.writer.begin();
    const programDateTime = programDateTimeFor(arrival, this.window.last);
    this.open = {
      startDts,
      programDateTime,
      discontinuity: this.pendingDiscontinuity,
      independent,
      videoFrames: 0,
    };
    if (this.segmentMetadata) {
      const pdt = programDateTime.getTime();
      this.firstProgramDateTime ??= pdt;
      const tag = segmentMetadataTag({
        receivedAtMs: pdt,
        sentAtMs: Date.now(),
        streamOffsetS: (pdt - this.firstProgramDateTime) / 1000,
      });
      this.writer.writeMetadata(first.pts, tag, 'segment');
    }
    this.pendingDiscontinuity = false;
    this.waitingSince = undefined;
    this.openParts = [];
    this.changes++; // the open segment's date (and discontinuity) are listed before its first part
    this.partStartDts = startDts;
    this.partIndependent = independent;
  }

  private close(endDts: number): void {
    const open = this.open!;
    this.open = undefined;
    const lastPartBytes = this.partTargetMs !== undefined ? this.writer.part() : undefined;
    const bytes = this.writer.finish();
    const durationMs = endDts - open.startDts;
    if (durationMs <= 0) {
      // a lone unit at end(): nothing playable to list
      this.openParts = [];
      this.changes++;
      return;
    }
    const segment: Segment = { sequence: this.nextSequence++, durationMs, ...open, bytes };
    let lastPart: Part | undefined;
    if (lastPartBytes) {
      const parts = this.finishParts(segment, lastPartBytes, endDts);
      this.partsBySegment.set(segment.sequence, parts);
      this.partsBySegment.delete(segment.sequence - this.keepPartsFor);
      lastPart = parts[parts.length - 1]!;
      this.lastPart = { msn: lastPart.sequence, part: lastPart.index };
    }
    this.window.push(segment);
    this.bitrate.record(bytes.length, durationMs);
    this.maxDurationMs = Math.max(this.maxDurationMs, durationMs);
    this.changes++;
    if (lastPart) this.emit('part', lastPart);
    this.emit('segment', segment);
  }
}
