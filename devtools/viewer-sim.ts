// Simulated HLS viewers, many per process, for the edge test and bench:edge. Each viewer opens the multivariant
// playlist once (getting its own viewer session), then plays its first rendition as a low-latency player does:
//   LL-HLS: a blocking reload for the EXT-X-PRELOAD-HINT position (_HLS_msn/_HLS_part) together with a GET of the
//   hinted part (held by the origin until it is cut, as Safari and other preloading players do), and a GET of every
//   newly listed part it has not got yet;
//   NORMAL: a reload every target duration and a GET of every new segment.
// Each viewer may use its own local address (127.x.y.z) so that the origin sees distinct viewer addresses (the
// per-address bounds of viewer counting). Every part or segment received is reported with its arrival time.

import { Agent, request } from 'node:http';

export interface ViewerEvents {
  /** A part (`<msn>.<part>`) or segment (`<msn>`) arrived at `at` (performance.now()). */
  received?(viewer: number, name: string, at: number): void;
  /** A response other than 200 or a transport error. */
  failed?(viewer: number, url: string, status: number | string): void;
}

export interface ViewerOptions extends ViewerEvents {
  playbackUrl: string;
  count: number;
  /** The local address of viewer `i`; default: the system's choice. */
  localAddress?: (i: number) => string | undefined;
  /** Preload hinted parts (default true). */
  preloadHints?: boolean;
  /** Spread the viewers' starts over this long (default 0). */
  rampMs?: number;
}

export interface Viewers {
  /** Viewers that opened a session (each counted once). */
  readonly started: number;
  stop(): Promise<void>;
}

interface MediaRef {
  /** Absolute URL, resolved on first use: a viewer only fetches what it has not had, a few entries per reload. */
  readonly uri: string;
  name: string;
}

interface Parsed {
  partTarget?: number;
  targetDuration: number;
  parts: MediaRef[];
  segments: MediaRef[];
  hint?: { uri: string; msn: number; part: number };
  ended: boolean;
}

const PART_NAME = /(\d+)\.(\d+)\.(?:ts|m4s)(?:\?|$)/;
const SEGMENT_NAME = /(?:^|\/)(\d+)\.(?:ts|m4s|mp4)(?:\?|$)/;

function ref(relative: string, base: string, name: string): MediaRef {
  let resolved: string | undefined;
  return {
    name,
    get uri() {
      return (resolved ??= new URL(relative, base).href);
    },
  };
}

export function parseMedia(text: string, base: string): Parsed {
  const out: Parsed = { targetDuration: 2, parts: [], segments: [], ended: false };
  const lines = text.split('\n');
  let mediaSequence = 0;
  let index = 0;
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#EXT-X-TARGETDURATION:')) out.targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-PART-INF:')) out.partTarget = Number(/PART-TARGET=([\d.]+)/.exec(line)?.[1]);
    else if (line.startsWith('#EXT-X-ENDLIST')) out.ended = true;
    else if (line.startsWith('#EXT-X-PART:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      const m = uri ? PART_NAME.exec(uri) : null;
      if (uri && m) out.parts.push(ref(uri, base, `${m[1]}.${m[2]}`));
    } else if (line.startsWith('#EXT-X-PRELOAD-HINT:') && line.includes('TYPE=PART')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      const m = uri ? PART_NAME.exec(uri) : null;
      if (uri && m) out.hint = { uri: new URL(uri, base).href, msn: Number(m[1]), part: Number(m[2]) };
    } else if (line.length > 0 && !line.startsWith('#')) {
      const m = SEGMENT_NAME.exec(line);
      out.segments.push(ref(line, base, m ? m[1]! : String(mediaSequence + index)));
      index++;
    }
  }
  return out;
}

/**
 * A loopback address of its own for viewer `i` (32 per /24, so the origin's per-address and per-network viewer
 * bounds see distinct viewers): 127.<base + i / 8192>.<i / 32 % 256>.<i % 32 + 1>. Different `base`s keep groups of
 * viewers (a test's, a bench's) apart.
 */
export function viewerAddress(i: number, base = 10): string {
  return `127.${base + Math.floor(i / 8192)}.${Math.floor(i / 32) % 256}.${(i % 32) + 1}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function startViewers(opts: ViewerOptions): Viewers {
  let stopped = false;
  const started = new Set<number>();
  const agents = new Map<string, Agent>();
  const agentFor = (address: string | undefined) => {
    const key = address ?? '';
    let agent = agents.get(key);
    if (!agent) agents.set(key, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
    return agent;
  };

  const runs = Array.from({ length: opts.count }, async (_, i) => {
    if (opts.rampMs) await sleep((opts.rampMs * i) / opts.count);
    const localAddress = opts.localAddress?.(i);
    const agent = agentFor(localAddress);
    const get = (url: string, keepBody = true) => fetchBytes(agent, localAddress, url, keepBody);
    const fail = (url: string, status: number | string) => opts.failed?.(i, url, status);
    while (!stopped) {
      try {
        const master = await get(opts.playbackUrl);
        if (master.status !== 200) {
          fail(opts.playbackUrl, master.status);
          await sleep(1000);
          continue;
        }
        const variant = master.body
          .toString('utf8')
          .split(/\r?\n/)
          .find((l) => l.length > 0 && !l.startsWith('#'));
        if (!variant) throw new Error('no variant');
        started.add(i);
        await play(i, new URL(variant, opts.playbackUrl).href, get, fail);
        return;
      } catch (err) {
        if (stopped) return;
        fail(opts.playbackUrl, (err as Error).message);
        await sleep(1000);
      }
    }
  });

  async function play(i: number, mediaUrl: string, get: Getter, fail: (url: string, s: number | string) => void) {
    const have = new Set<string>();
    let playlist = await reload(mediaUrl, get, fail);
    if (!playlist) return;
    // Start at the live edge: what is listed now counts as had, as a player joining picks its start there.
    for (const p of playlist.parts) have.add(p.name);
    for (const s of playlist.segments) have.add(s.name);
    const fetchInto = async (media: MediaRef) => {
      const { name } = media;
      if (have.has(name)) return;
      have.add(name);
      const uri = media.uri;
      // A failed request is a failure to report, not an exception: the reload and the preload run beside it.
      // Media bodies are counted, not kept: thousands of viewers in one process would spend their CPU copying them.
      const r = await get(uri, false).catch((err: Error) => ({ status: err.message, body: Buffer.alloc(0) }));
      if (r.status === 200) opts.received?.(i, name, performance.now());
      else fail(uri, r.status);
    };
    while (!stopped && playlist && !playlist.ended) {
      const current: Parsed = playlist;
      if (current.partTarget !== undefined && current.hint) {
        const { hint } = current;
        const separator = mediaUrl.includes('?') ? '&' : '?';
        const next = reload(`${mediaUrl}${separator}_HLS_msn=${hint.msn}&_HLS_part=${hint.part}`, get, fail);
        const preload =
          opts.preloadHints === false ? Promise.resolve() : fetchInto({ uri: hint.uri, name: `${hint.msn}.${hint.part}` });
        for (const p of current.parts) await fetchInto(p);
        const [reloaded] = await Promise.all([next, preload]);
        playlist = reloaded ?? (await reload(mediaUrl, get, fail));
      } else {
        for (const s of current.segments) await fetchInto(s);
        await sleep(current.targetDuration * 1000);
        playlist = (await reload(mediaUrl, get, fail)) ?? current;
      }
    }
  }

  return {
    get started() {
      return started.size;
    },
    async stop() {
      stopped = true;
      for (const agent of agents.values()) agent.destroy();
      await Promise.allSettled(runs);
    },
  };
}

type Getter = (url: string, keepBody?: boolean) => Promise<{ status: number; body: Buffer }>;

async function reload(url: string, get: Getter, fail: (url: string, s: number | string) => void): Promise<Parsed | undefined> {
  const r = await get(url).catch((err: Error) => ({ status: err.message, body: Buffer.alloc(0) }));
  if (r.status !== 200) {
    fail(url, r.status);
    await sleep(500);
    return undefined;
  }
  return parseMedia(r.body.toString('utf8'), url);
}

/**
 * GET as a browser does it, including its one retry when a reused keep-alive connection turns out closed by the
 * server (ECONNRESET on `reusedSocket`: the server's idle timeout raced the request, as node's docs describe; Chromium
 * retries such idempotent requests on a new connection).
 */
function fetchBytes(
  agent: Agent,
  localAddress: string | undefined,
  url: string,
  keepBody: boolean,
  retried = false,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, localAddress, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (keepBody) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
        fetchBytes(agent, localAddress, url, keepBody, true).then(resolve, reject);
      } else {
        reject(err);
      }
    });
    req.end();
  });
}
