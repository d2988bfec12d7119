// SegmentWriter for fragmented MP4 (CMAF) segments, `.m4s` with an EXT-X-MAP init section. Units are buffered per
// track until part()/finish() cuts them (exact sample durations, see track-run.ts). An LL-HLS part is cut into CMAF
// chunks, one moof+mdat per video frame (chunks.ts: what lets Amazon's IVS player append a prefetch segment as it
// streams in); a segment is its parts' bytes concatenated. A segment without parts (NORMAL latency) is one fragment,
// cut by finish(). Timed metadata becomes emsg boxes placed before the next moof (emsg.ts: one for hls.js and Safari,
// one for Amazon's IVS player; the per-segment tag only in the latter). A cut is one allocation: its emsg boxes and
// fragments are written into it in place.

import type { AudioTrackInfo, VideoTrackInfo } from '../../types.js';
import type { MetadataKind, SegmentWriter, TimedUnit, TrackSet } from '../types.js';
import { id3Emsg, twitchId3Emsg } from './emsg.js';
import { splitIntoChunks } from './chunks.js';
import { fragmentSize, writeFragment } from './fragment.js';
import { audioTimescale, initSegment, TRACK_ID_AUDIO, TRACK_ID_VIDEO, VIDEO_TIMESCALE } from './init.js';
import { TrackFragmenter, type TrackRun } from './track-run.js';

const AAC_FRAME_SAMPLES = 1024;
const DEFAULT_FRAME_RATE = 30;
const EMPTY = Buffer.alloc(0);

interface PendingMetadata {
  ptsMs: number;
  id3: Buffer;
  kind: MetadataKind;
}

export class Fmp4SegmentWriter implements SegmentWriter {
  readonly extension = 'm4s';
  private tracks: TrackSet = {};
  private init: Buffer | undefined;
  private video: TrackFragmenter | undefined;
  private audio: TrackFragmenter | undefined;
  /** Fragments of the open segment (its parts so far). */
  private fragments: Buffer[] = [];
  /** Metadata waiting for the next moof (its emsg boxes are made then, when the segment's start is known). */
  private metadata: PendingMetadata[] = [];
  /** Earliest PTS (ms) of the open segment's units (video when there is video): emsg v0 times are relative to it. */
  private segmentStartMs: number | undefined;
  /** mfhd sequence_number of the next fragment: starts at 1, increases across segments. */
  private sequence = 1;
  private nextEventId = 0;

  /** New tracks: units still buffered are cut into a fragment with the old configuration first. */
  setTracks(tracks: TrackSet): void {
    if (this.pendingUnits() > 0) this.fragments.push(this.cut(false));
    if (tracks.video !== this.tracks.video) this.video = tracks.video && videoFragmenter(tracks.video);
    if (tracks.audio !== this.tracks.audio) this.audio = tracks.audio && audioFragmenter(tracks.audio);
    this.tracks = { video: tracks.video, audio: tracks.audio };
    this.init = undefined;
  }

  begin(): void {
    this.fragments = [];
    this.segmentStartMs = undefined;
  }

  write(unit: TimedUnit): void {
    const track = unit.track === 'video' ? this.video : this.audio;
    if (!track) return;
    track.add(unit);
    if (unit.track === 'video' || !this.video) this.segmentStartMs = Math.min(this.segmentStartMs ?? unit.pts, unit.pts);
  }

  writeMetadata(ptsMs: number, id3: Buffer, kind: MetadataKind = 'timed'): void {
    this.metadata.push({ ptsMs, id3, kind });
  }

  /** emsg* + (moof + mdat)+ for the units since the previous part, one chunk per video frame; empty when there were
   * none (metadata keeps waiting). */
  part(): Buffer {
    if (this.pendingUnits() === 0) return EMPTY;
    const bytes = this.cut(true);
    this.fragments.push(bytes);
    return bytes;
  }

  /** All fragments of the segment, the remaining units cut into a last one. */
  finish(): Buffer {
    if (this.pendingUnits() > 0) this.fragments.push(this.cut(false));
    const fragments = this.fragments;
    this.fragments = [];
    return fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments);
  }

  /** ftyp + moov for the current tracks (a new one after setTracks); undefined before any track is set. */
  initSection(): Buffer | undefined {
    if (!this.tracks.video && !this.tracks.audio) return undefined;
    this.init ??= initSegment(this.tracks);
    return this.init;
  }

  private pendingUnits(): number {
    return (this.video?.pending ?? 0) + (this.audio?.pending ?? 0);
  }

  /** The buffered units as emsg* + fragments: one fragment, or (`chunked`) one per chunk. */
  private cut(chunked: boolean): Buffer {
    const video = this.video?.take();
    const audio = this.audio?.take();
    const chunks: TrackRun[][] = chunked
      ? splitIntoChunks(
          video && { run: video, timescale: this.video!.timescale },
          audio && { run: audio, timescale: this.audio!.timescale },
        )
      : [[video, audio].filter((r): r is TrackRun => r !== undefined)];
    const emsgs = this.metadata.length > 0 ? this.emsgBoxes() : [];
    this.metadata = [];
    let size = 0;
    for (const e of emsgs) size += e.length;
    for (const runs of chunks) size += fragmentSize(runs);
    const out = Buffer.allocUnsafe(size);
    let off = 0;
    for (const e of emsgs) off += e.copy(out, off);
    for (const runs of chunks) {
      off = writeFragment(out, off, this.sequence, runs);
      this.sequence = (this.sequence + 1) >>> 0 || 1;
    }
    return out;
  }

  /** The pending metadata as emsg boxes: timed metadata in both carriages, the per-segment tag for the IVS player only. */
  private emsgBoxes(): Buffer[] {
    const boxes: Buffer[] = [];
    const start = this.segmentStartMs ?? 0;
    for (const m of this.metadata) {
      const id = this.nextEventId;
      this.nextEventId = (this.nextEventId + 1) >>> 0;
      if (m.kind === 'timed') boxes.push(id3Emsg(m.ptsMs, m.id3, id));
      boxes.push(twitchId3Emsg(m.ptsMs, start, m.id3, id));
    }
    return boxes;
  }
}

function videoFragmenter(video: VideoTrackInfo): TrackFragmenter {
  const fps = video.frameRate && video.frameRate > 0 ? video.frameRate : DEFAULT_FRAME_RATE;
  return new TrackFragmenter({
    trackId: TRACK_ID_VIDEO,
    timescale: VIDEO_TIMESCALE,
    kind: 'video',
    nominalDuration: VIDEO_TIMESCALE / fps,
  });
}

function audioFragmenter(audio: AudioTrackInfo): TrackFragmenter {
  return new TrackFragmenter({
    trackId: TRACK_ID_AUDIO,
    timescale: audioTimescale(audio),
    kind: 'audio',
    nominalDuration: AAC_FRAME_SAMPLES,
  });
}
