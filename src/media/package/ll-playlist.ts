// Low-Latency HLS media playlist (RFC 8216bis): the plain media playlist plus EXT-X-SERVER-CONTROL, EXT-X-PART-INF,
// EXT-X-PART for the parts of the last segments and of the segment in progress, EXT-X-PRELOAD-HINT for the part
// being written, EXT-X-RENDITION-REPORT for sibling renditions and, for delta updates (_HLS_skip), EXT-X-SKIP.
// With a `prefetch` URI builder it also lists, for players of the older "LHLS" scheme (Amazon's IVS player, which
// ignores parts), the segment being written and the next one as EXT-X-TWITCH-PREFETCH (see PREFETCH_TAG): their
// final URIs, served while they grow (deliver/prefetch.ts). LL-HLS clients ignore the unknown tag.
// Live full playlists also carry EXT-X-START at PART-HOLD-BACK from the end (see startOffsetLine): the one join point
// both kinds of player read, so that the IVS player joins near the live edge instead of two segments back.
// Pure like playlists.ts: callers pass URI builders and the sibling reports.

import { adMarkerLines } from './ad-markers.js';
import type { LowLatencyPlaylistState, Part } from './parts.js';
import { targetDurationFor } from './playlists.js';
import type { HlsSegmenter } from './segmenter.js';
import type { Segment } from './types.js';

export interface LowLatencyUris {
  segment: (segment: Segment) => string;
  part: (sequence: number, index: number) => string;
  /** The URI segment `sequence` will have once complete; set to list prefetch segments. */
  prefetch?: (sequence: number) => string;
}

export interface RenditionReport {
  /** Relative to the media playlist, e.g. `720p.m3u8`. */
  uri: string;
  lastMsn: number;
  lastPart?: number;
}

export interface LowLatencyRenderOptions {
  /** _HLS_skip of the request: render a Playlist Delta Update (ignored once the playlist has ENDLIST). */
  skip?: 'YES' | 'v2';
  /** Sibling renditions (not this one); omitted once ended. */
  renditionReports?: readonly RenditionReport[];
  /** Adds EXT-X-INDEPENDENT-SEGMENTS when every listed segment starts with a keyframe. */
  independentSegments?: boolean;
  /** fMP4: URI of the initialization section (EXT-X-MAP), written before the first listed segment. */
  mapUri?: string;
}

/** PART-HOLD-BACK = this × PART-TARGET (RFC 8216bis: at least 2, SHOULD be at least 3). */
export const PART_HOLD_BACK_PARTS = 3;
/** CAN-SKIP-UNTIL = this × EXT-X-TARGETDURATION (the minimum Skip Boundary). */
export const SKIP_BOUNDARY_TARGETS = 6;
/** EXT-X-PART tags are listed for segments within this many target durations of the playlist end. */
export const PART_LISTING_TARGETS = 3;
/**
 * Prefetch segments as Twitch writes them (IVS writes `#EXT-X-PREFETCH`; Amazon's player reads both). The Twitch name
 * keeps the playlist a plain LL-HLS playlist for tools that know EXT-X-PREFETCH from the community LHLS draft, where
 * a prefetch tag after the parts of the segment in progress would turn that segment into a prefetch segment.
 */
export const PREFETCH_TAG = '#EXT-X-TWITCH-PREFETCH';
/** Prefetch segments listed: the one being written and the next (as IVS and Twitch do; the LHLS draft allows two). */
export const PREFETCH_SEGMENTS = 2;

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderLowLatencyPlaylist(
  state: LowLatencyPlaylistState,
  uris: LowLatencyUris,
  options: LowLatencyRenderOptions = {},
): string {
  const targetS = targetDurationFor(state.segments, state.targetDurationS ?? 1);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    `#EXT-X-TARGETDURATION:${targetS}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=${(SKIP_BOUNDARY_TARGETS * targetS).toFixed(1)},` +
      `PART-HOLD-BACK=${seconds(PART_HOLD_BACK_PARTS * state.partTargetMs)}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(state.partTargetMs)}`,
  ];
  if (!state.ended && !options.skip) lines.push(startOffsetLine(state));
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${state.mediaSequence}`);
  if (state.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${state.discontinuitySequence}`);
  if (options.independentSegments && state.segments.every((s) => s.independent)) {
    lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  }

  const segments = state.segments;
  const pendingParts = state.pending?.parts ?? [];
  const live = !state.ended;
  // Distance of each segment's start from the playlist end, to pick whose parts are listed and which are skipped.
  let fromEnd = pendingParts.reduce((a, p) => a + p.durationMs, 0);
  const startFromEnd: number[] = new Array<number>(segments.length);
  const endFromEnd: number[] = new Array<number>(segments.length);
  for (let i = segments.length - 1; i >= 0; i--) {
    endFromEnd[i] = fromEnd;
    fromEnd += segments[i]!.durationMs;
    startFromEnd[i] = fromEnd;
  }
  // At most three entries carry parts, counting the one in progress (what validators such as hls-parser enforce).
  const maxWithParts = live ? 2 : 3;
  const firstWithParts = Math.max(0, segments.length - maxWithParts);
  const partWindowMs = PART_LISTING_TARGETS * targetS * 1000;

  let skipped = 0;
  if (options.skip && live) {
    const boundaryMs = SKIP_BOUNDARY_TARGETS * targetS * 1000;
    while (skipped < segments.length && endFromEnd[skipped]! >= boundaryMs) skipped++;
  }
  if (skipped > 0) {
    const removed = options.skip === 'v2' ? ',RECENTLY-REMOVED-DATERANGES=""' : '';
    lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}${removed}`);
  }

  if (options.mapUri !== undefined) lines.push(`#EXT-X-MAP:URI="${options.mapUri}"`);
  for (let i = skipped; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (state.adBreaks) lines.push(...adMarkerLines(state.adBreaks, segments, i, skipped));
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.programDateTime.toISOString()}`);
    if (i >= firstWithParts && startFromEnd[i]! <= partWindowMs) {
      for (const p of state.parts.get(s.sequence) ?? []) lines.push(partLine(p, uris));
    }
    lines.push(`#EXTINF:${seconds(s.durationMs)},`);
    lines.push(uris.segment(s));
  }

  const pending = state.pending;
  if (pending && live) {
    if (pending.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${pending.programDateTime.toISOString()}`);
    for (const p of pending.parts) lines.push(partLine(p, uris));
  }
  if (state.nextPart && live) {
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uris.part(state.nextPart.msn, state.nextPart.part)}"`);
  }
  if (pending && live && uris.prefetch) {
    for (let i = 0; i < PREFETCH_SEGMENTS; i++) lines.push(`${PREFETCH_TAG}:${uris.prefetch(pending.sequence + i)}`);
  }
  if (live) {
    for (const r of options.renditionReports ?? []) {
      const lastPart = r.lastPart === undefined ? '' : `,LAST-PART=${r.lastPart}`;
      lines.push(`#EXT-X-RENDITION-REPORT:URI="${r.uri}",LAST-MSN=${r.lastMsn}${lastPart}`);
    }
  }
  if (state.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/**
 * `#EXT-X-START` at PART-HOLD-BACK before the last listed part, written as a positive offset from the first listed
 * segment. Why: Amazon's IVS player ignores parts and, left alone, starts two segments behind its first prefetch
 * segment (3.5–5.7 s behind live with 2 s segments); it honours EXT-X-START by starting at the beginning of the segment
 * holding the offset, prefetch segments included, but reads only positive offsets (a negative one makes it start at
 * the first segment). hls.js reads the same tag (startPosition = playlist start + offset, clamped to the edge it
 * computes with the parts), so it starts exactly where RFC 8216bis's PART-HOLD-BACK puts an LL-HLS client anyway.
 * Not written in delta updates (the offset would count skipped segments) nor once ended.
 */
function startOffsetLine(state: LowLatencyPlaylistState): string {
  const listedMs =
    state.segments.reduce((a, s) => a + s.durationMs, 0) + (state.pending?.parts ?? []).reduce((a, p) => a + p.durationMs, 0);
  const offsetMs = Math.max(0, listedMs - PART_HOLD_BACK_PARTS * state.partTargetMs);
  return `#EXT-X-START:TIME-OFFSET=${seconds(offsetMs)}`;
}

function partLine(p: Part, uris: LowLatencyUris): string {
  const independent = p.independent ? ',INDEPENDENT=YES' : '';
  return `#EXT-X-PART:DURATION=${seconds(p.durationMs)},URI="${uris.part(p.sequence, p.index)}"${independent}`;
}

/**
 * EXT-X-RENDITION-REPORT values for a sibling rendition: its last part (LAST-MSN is then that part's parent, which
 * may be the segment in progress), else its last segment; undefined before it has any.
 */
export function renditionReportFor(uri: string, segmenter: HlsSegmenter): RenditionReport | undefined {
  const last = segmenter.lastPartPosition();
  if (last) return { uri, lastMsn: last.msn, lastPart: last.part };
  const segment = segmenter.window.last;
  return segment && { uri, lastMsn: segment.sequence };
}
