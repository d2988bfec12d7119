// Ad breaks in a rendition's media playlist (pure). InsertAdBreak gives each rendition an `AdBreakMark`: when it
// was asked for and for how long. The break starts at the first segment that begins at or after that instant (a
// segment boundary, keyframe-aligned across renditions, so every rendition splices at the same picture) and ends
// at the first segment beginning at or after start + duration. Around those segments the playlist carries both
// signalling styles stitchers read:
//   #EXT-X-DATERANGE:ID=…,START-DATE=…,PLANNED-DURATION=…,SCTE35-OUT=0x…   (RFC 8216 4.3.2.7.1, the SCTE-35 cue)
//   #EXT-X-CUE-OUT:<seconds>   then #EXT-X-CUE-OUT-CONT:ElapsedTime=…,Duration=… on each segment inside the break
//   #EXT-X-DATERANGE:ID=…,START-DATE=…,END-DATE=…,DURATION=…,SCTE35-IN=0x…  and #EXT-X-CUE-IN where it ends.
// A mark whose start has left the window still renders its DATERANGE (with the remembered start) and CUE-OUT-CONT
// while the break lasts, so a player joining mid-break sees it.

import { hexSequence, spliceInsertSection } from './scte35.js';
import type { AdBreakMark, Segment } from './types.js';

export type { AdBreakMark };

const pdtMs = (s: Segment) => s.programDateTime.getTime();

/** Resolves marks whose starting segment is now listed; drops marks that ended before the window. */
export function settleMarks(marks: AdBreakMark[], segments: readonly Segment[]): void {
  for (const mark of marks) {
    if (mark.start !== undefined) continue;
    const first = segments.find((s) => pdtMs(s) >= mark.requestedAt.getTime());
    if (first) mark.start = first.programDateTime;
  }
  const oldest = segments[0];
  if (!oldest) return;
  for (let i = marks.length - 1; i >= 0; i--) {
    const m = marks[i]!;
    // Keep a mark until a segment after its end has itself left the window (its CUE-IN was listed and is gone).
    if (m.start !== undefined && pdtMs(oldest) > m.start.getTime() + m.durationMs + 60_000) marks.splice(i, 1);
  }
}

/**
 * The tags that go before a segment (before its EXT-X-PROGRAM-DATE-TIME); `index` is its place in `segments` and
 * `firstListed` the first segment the playlist lists (after an EXT-X-SKIP), where a running break is restated.
 */
export function adMarkerLines(
  marks: readonly AdBreakMark[],
  segments: readonly Segment[],
  index: number,
  firstListed = 0,
): string[] {
  const lines: string[] = [];
  const segment = segments[index]!;
  const at = pdtMs(segment);
  for (const mark of marks) {
    if (mark.start === undefined) continue;
    const start = mark.start.getTime();
    const plannedEnd = start + mark.durationMs;
    const end = breakEnd(mark, segments);
    if (at === start || (index === firstListed && at > start && (end === undefined || at < end))) {
      lines.push(outDateRange(mark));
    }
    if (at === start) {
      lines.push(`#EXT-X-CUE-OUT:${seconds(mark.durationMs)}`);
    } else if (at > start && (end === undefined ? at < plannedEnd : at < end)) {
      lines.push(`#EXT-X-CUE-OUT-CONT:ElapsedTime=${seconds(at - start)},Duration=${seconds(mark.durationMs)}`);
    } else if (end !== undefined && at === end) {
      lines.push(inDateRange(mark, end));
      lines.push('#EXT-X-CUE-IN');
    }
  }
  return lines;
}

/** The PDT of the first listed segment starting at or after the planned end (where the break returns). */
function breakEnd(mark: AdBreakMark, segments: readonly Segment[]): number | undefined {
  const plannedEnd = mark.start!.getTime() + mark.durationMs;
  const s = segments.find((x) => pdtMs(x) >= plannedEnd);
  return s === undefined ? undefined : pdtMs(s);
}

function outDateRange(mark: AdBreakMark): string {
  const cue = spliceInsertSection({ eventId: mark.eventId, outOfNetwork: true, durationMs: mark.durationMs });
  return (
    `#EXT-X-DATERANGE:ID="${mark.id}",START-DATE="${mark.start!.toISOString()}",` +
    `PLANNED-DURATION=${seconds(mark.durationMs)},SCTE35-OUT=${hexSequence(cue)}`
  );
}

function inDateRange(mark: AdBreakMark, endMs: number): string {
  const cue = spliceInsertSection({ eventId: mark.eventId, outOfNetwork: false });
  const start = mark.start!.getTime();
  return (
    `#EXT-X-DATERANGE:ID="${mark.id}",START-DATE="${mark.start!.toISOString()}",` +
    `END-DATE="${new Date(endMs).toISOString()}",DURATION=${seconds(endMs - start)},SCTE35-IN=${hexSequence(cue)}`
  );
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
