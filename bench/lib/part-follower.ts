// Follows the live edge of an LL-HLS media playlist the way a low-latency player does: blocking playlist reloads
// (_HLS_msn/_HLS_part taken from the EXT-X-PRELOAD-HINT), then a GET of every newly listed part. Each part is handed
// over with the moment the playlist listing it arrived: with a blocking reload, that is when the part was published.

import { sleep } from './processes.js';

export interface PublishedPart {
  uri: string;
  /** performance.now() when the playlist response that first listed the part arrived. */
  listedAt: number;
  durationS: number;
  bytes: Buffer;
}

export interface PartFollower {
  /** EXT-X-PART-INF PART-TARGET, seconds (NaN until the first playlist). */
  readonly partTarget: number;
  /** Durations of the parts seen, seconds. */
  readonly partDurations: number[];
  stop(): Promise<void>;
}

interface ParsedParts {
  partTarget: number;
  parts: { uri: string; durationS: number }[];
  hint?: string;
}

function parseParts(text: string): ParsedParts {
  let partTarget = NaN;
  const parts: ParsedParts['parts'] = [];
  let hint: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#EXT-X-PART-INF:')) partTarget = Number(/PART-TARGET=([\d.]+)/.exec(line)?.[1]);
    else if (line.startsWith('#EXT-X-PART:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (uri) parts.push({ uri, durationS: Number(/DURATION=([\d.]+)/.exec(line)?.[1]) });
    } else if (line.startsWith('#EXT-X-PRELOAD-HINT:') && line.includes('TYPE=PART')) {
      hint = /URI="([^"]+)"/.exec(line)?.[1];
    }
  }
  return { partTarget, parts, hint };
}

/** The (msn, part) of a part URI `…/<msn>.<part>.<ext>`. */
function position(uri: string): { msn: number; part: number } | undefined {
  const m = /(\d+)\.(\d+)\.(ts|m4s)(\?|$)/.exec(uri);
  return m ? { msn: Number(m[1]), part: Number(m[2]) } : undefined;
}

/** Starts following `mediaUrl`; parts already listed at the start are skipped, every later one is passed to onPart. */
export function followParts(mediaUrl: string, onPart: (part: PublishedPart) => void): PartFollower {
  let stopped = false;
  const state = { partTarget: NaN, partDurations: [] as number[] };
  const seen = new Set<string>();
  const loop = (async () => {
    let next: { msn: number; part: number } | undefined;
    let first = true;
    while (!stopped) {
      const url = new URL(mediaUrl);
      if (next) {
        url.searchParams.set('_HLS_msn', String(next.msn));
        url.searchParams.set('_HLS_part', String(next.part));
      }
      const res = await fetch(url, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
      const text = res ? await res.text() : '';
      const listedAt = performance.now();
      if (!res || res.status !== 200) {
        next = undefined; // e.g. a directive too far ahead after a stall: start again from the current playlist
        await sleep(100);
        continue;
      }
      const parsed = parseParts(text);
      state.partTarget = parsed.partTarget;
      for (const p of parsed.parts) {
        const abs = new URL(p.uri, mediaUrl).href;
        if (seen.has(abs)) continue;
        seen.add(abs);
        if (first) continue;
        const got = await fetch(abs, { signal: AbortSignal.timeout(15_000) });
        const bytes = Buffer.from(await got.arrayBuffer());
        if (got.status !== 200) throw new Error(`part ${abs}: HTTP ${got.status}`);
        state.partDurations.push(p.durationS);
        onPart({ uri: abs, listedAt, durationS: p.durationS, bytes });
      }
      first = false;
      const last = parsed.parts.at(-1);
      const hinted = parsed.hint === undefined ? undefined : position(parsed.hint);
      const lastAt = last === undefined ? undefined : position(last.uri);
      next = hinted ?? (lastAt ? { msn: lastAt.msn, part: lastAt.part + 1 } : undefined);
    }
  })();
  return {
    get partTarget() {
      return state.partTarget;
    },
    partDurations: state.partDurations,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
