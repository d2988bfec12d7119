// SegmentWriter for fragmented MP4 (CMAF) segments, `.m4s` with an EXT-X-MAP init section. Units are buffered per
// track until part()/finish() cuts a fragment (exact sample durations, see track-run.ts); each part() is its own
// moof+mdat, so an LL-HLS part is a fragment and a segment is its parts' fragments concatenated. Timed metadata
// becomes emsg boxes placed before the next moof.

import type { AudioTrackInfo, VideoTrackInfo } from '../../types.js';
import type { SegmentWriter, TimedUnit, TrackSet } from '../types.js';
import { id3Emsg } from './emsg.js';
import { buildFragment } from './fragment.js';
import { audioTimescale, initSegment, TRACK_ID_AUDIO, TRACK_ID_VIDEO, VIDEO_TIMESCALE } from './init.js';
import { TrackFragmenter, type TrackRun } from './track-run.js';

const AAC_FRAME_SAMPLES = 1024;
const DEFAULT_FRAME_RATE = 30;
const EMPTY = Buffer.alloc(0);

export class Fmp4SegmentWriter implements SegmentWriter {
  readonly extension = 'm4s';
  private tracks: TrackSet = {};
  private init: Buffer | undefined;
  private video: TrackFragmenter | undefined;
  private audio: TrackFragmenter | undefined;
  /** Fragments of the open segment (its parts so far). */
  private fragments: Buffer[] = [];
  /** emsg boxes waiting for the next moof. */
  private emsgs: Buffer[] = [];
  /** mfhd sequence_number of the next fragment: starts at 1, increases across segments. */
  private sequence = 1;
  private nextEventId = 0;

  /** New tracks: units still buffered are cut into a fragment with the old configuration first. */
  setTracks(tracks: TrackSet): void {
    if (this.pendingUnits() > 0) this.fragments.push(this.cutFragment());
    if (tracks.video !== this.tracks.video) this.video = tracks.video && videoFragmenter(tracks.video);
    if (tracks.audio !== this.tracks.audio) this.audio = tracks.audio && audioFragmenter(tracks.audio);
    this.tracks = { video: tracks.video, audio: tracks.audio };
    this.init = undefined;
  }

  begin(): void {
    this.fragments = [];
  }

  write(unit: TimedUnit): void {
    (unit.track === 'video' ? this.video : this.audio)?.add(unit);
  }

  writeMetadata(ptsMs: number, id3: Buffer): void {
    this.emsgs.push(id3Emsg(ptsMs, id3, this.nextEventId));
    this.nextEventId = (this.nextEventId + 1) >>> 0;
  }

  /** emsg* + moof + mdat for the units since the previous part; empty when there were none (emsgs keep waiting). */
  part(): Buffer {
    if (this.pendingUnits() === 0) return EMPTY;
    const fragment = this.cutFragment();
    this.fragments.push(fragment);
    return fragment;
  }

  /** All fragments of the segment, the remaining units cut into a last one. */
  finish(): Buffer {
    this.part();
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

  private cutFragment(): Buffer {
    const runs: TrackRun[] = [];
    for (const track of [this.video, this.audio]) {
      const run = track?.take();
      if (run) runs.push(run);
    }
    const moofAndMdat = buildFragment(this.sequence, runs);
    this.sequence = (this.sequence + 1) >>> 0 || 1;
    if (this.emsgs.length === 0) return moofAndMdat;
    const out = Buffer.concat([...this.emsgs, moofAndMdat]);
    this.emsgs = [];
    return out;
  }
}

function videoFragmenter(video: VideoTrackInfo): TrackFragmenter {
  const fps = video.frameRate && video.frameRate > 0 ? video.frameRate : DEFAULT_FRAME_RATE;
  return new TrackFragmenter({
    trackId: TRACK_ID_VIDEO, timescale: VIDEO_TIMESCALE, kind: 'video', nominalDuration: VIDEO_TIMESCALE / fps,
  });
}

function audioFragmenter(audio: AudioTrackInfo): TrackFragmenter {
  return new TrackFragmenter({
    trackId: TRACK_ID_AUDIO, timescale: audioTimescale(audio), kind: 'audio', nominalDuration: AAC_FRAME_SAMPLES,
  });
}
