// The judgements the browser tests make on what Amazon's IVS player recorded while it played (played with
// devtools/ivs-player-page.ts): stalls, position, and latency from the playlists' PROGRAM-DATE-TIME.

import {
  firstPlaying,
  latencySamples,
  mediaPlaylistUrls,
  PlaylistDates,
  type IvsRecord,
  type LatencySample,
} from '../../devtools/ivs-player-page.js';

export interface PlaySummary {
  /** BUFFERING episodes after the first PLAYING: how many, and their total length (ms; an open one counts to `to`). */
  bufferings: number;
  bufferingMs: number;
  /** Position advance between the first sample at or after `from` and the last one before `to` (s), and the wall time. */
  advancedS: number;
  elapsedS: number;
  /** The longest time (ms) between samples of the window over which the position did not advance. */
  stillMs: number;
  finalState: string;
}

/** How playback went between `from` and `to` (epoch ms). */
export function summarize(r: IvsRecord, from: number, to: number): PlaySummary {
  const start = firstPlaying(r)?.t ?? Infinity;
  let bufferings = 0;
  let bufferingMs = 0;
  let since: number | undefined;
  for (const s of r.states) {
    if (s.t <= start) continue;
    if (s.state === 'Buffering' && since === undefined) {
      bufferings++;
      since = s.t;
    } else if (s.state !== 'Buffering' && since !== undefined) {
      bufferingMs += s.t - since;
      since = undefined;
    }
  }
  if (since !== undefined) bufferingMs += to - since;
  const window = r.samples.filter((s) => s.t >= from && s.t <= to && Number.isFinite(s.position));
  const first = window[0];
  const last = window.at(-1);
  let stillMs = 0;
  let movedAt = first;
  for (const s of window) {
    if (movedAt && s.position > movedAt.position) movedAt = s;
    else if (movedAt) stillMs = Math.max(stillMs, s.t - movedAt.t);
  }
  return {
    bufferings,
    bufferingMs,
    advancedS: first && last ? last.position - first.position : 0,
    elapsedS: first && last ? (last.t - first.t) / 1000 : 0,
    stillMs,
    finalState: r.states.at(-1)?.state ?? 'none',
  };
}

/** Follows the PDTs of a channel's media playlists while it plays (see devtools/ivs-player-page.ts). */
export async function followProgramDateTimes(playbackUrl: string): Promise<PlaylistDates> {
  return new PlaylistDates(await mediaPlaylistUrls(playbackUrl));
}

export interface LatencyReport {
  samples: LatencySample[];
  unlisted: number;
  /** p50 / max of the PDT latency and p50 of getLiveLatency(), seconds, for the log. */
  text: string;
}

export function latencyReport(r: IvsRecord, dates: ReadonlySet<number>, from: number): LatencyReport {
  const { samples, unlisted } = latencySamples(r, dates);
  const inWindow = samples.filter((s) => s.t >= from);
  const p50 = (v: number[]) => {
    const sorted = [...v].sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lat = inWindow.map((x) => x.latencyMs);
  return {
    samples: inWindow,
    unlisted,
    text:
      `latency (PDT at the player's position) p50 ${s(p50(lat))}, max ${s(Math.max(...lat))} over ${lat.length} samples; ` +
      `player's getLiveLatency() p50 ${s(p50(inWindow.map((x) => x.playerMs)))}`,
  };
}

/** The longest time (ms) between two MSE appends within [from, to] (epoch ms), and how many appends there were. */
export function longestAppendGap(appends: readonly { t: number }[], from: number, to: number): { gapMs: number; count: number } {
  const times = appends.map((a) => a.t).filter((t) => t >= from && t <= to);
  let gapMs = times.length > 0 ? Math.max(times[0]! - from, to - times.at(-1)!) : to - from;
  for (let i = 1; i < times.length; i++) gapMs = Math.max(gapMs, times[i]! - times[i - 1]!);
  return { gapMs, count: times.length };
}
