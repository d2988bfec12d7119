// Pieces of the playback fuzzing harness (playback-http.test.ts): HTTP clients bound to one loopback source address
// each (to the server, 127.0.0.x are distinct viewers), an honest viewer that plays like a player (hls-parser and
// fetches: blocking reloads, every new segment), the request generator (fast-check arbitraries of symbolic requests,
// resolved against the live streams when sent, so `_HLS_msn` near the live edge stays near it) and the invariants
// every playback response must meet.

import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import HLS from 'hls-parser';
import type { types as hlsTypes } from 'hls-parser';

// ---------------------------------------------------------------------------------------------
// Clients

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

export interface Client {
  readonly address: string;
  send(method: string, path: string, headers?: Record<string, string>, timeoutMs?: number): Promise<Answer>;
  close(): void;
}

export function clientAt(base: string, address: string, maxSockets = 64): Client {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(base);
  return {
    address,
    send: (method, path, headers = {}, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const req = request(
          { host: hostname, port, method, path, headers, agent, localAddress: address, timeout: timeoutMs },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks),
                ms: performance.now() - started,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${method} ${path.slice(0, 200)}`)));
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------
// The honest viewer

/** Plays a channel like an HLS player: multivariant once, then blocking reloads for the next segment, which it fetches. */
export class HonestViewer {
  readonly errors: string[] = [];
  readonly segments = new Set<number>();
  mediaPath = '';
  private running = true;
  private done: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly multivariantPath: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  start(): this {
    this.done = this.loop().catch((err: Error) => {
      this.errors.push(`stopped: ${err.message}`);
    });
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async get(path: string): Promise<Answer> {
    const res = await this.client.send('GET', path, this.headers);
    if (res.status !== 200) this.errors.push(`${res.status} ${path.slice(0, 160)}: ${res.body.toString('utf8').slice(0, 200)}`);
    return res;
  }

  private async loop(): Promise<void> {
    const mv = await this.get(this.multivariantPath);
    const master = HLS.parse(mv.body.toString('utf8')) as hlsTypes.MasterPlaylist;
    const media = new URL(master.variants[0]!.uri, `http://x${this.multivariantPath}`);
    this.mediaPath = `${media.pathname}${media.search}`;
    let next: number | undefined;
    let initDone = false;
    while (this.running) {
      const res = await this.get(next === undefined ? this.mediaPath : `${this.mediaPath}&_HLS_msn=${next}`);
      if (res.status !== 200) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      const playlist = HLS.parse(res.body.toString('utf8')) as hlsTypes.MediaPlaylist;
      const base = playlist.mediaSequenceBase ?? 0;
      // The newest complete segment: in LL-HLS the list ends with the one in progress (parts, no URI yet).
      let lastIndex = playlist.segments.length - 1;
      while (lastIndex >= 0 && playlist.segments[lastIndex]!.uri === '') lastIndex--;
      const last = playlist.segments[lastIndex];
      if (!last) throw new Error('a media playlist without complete segments');
      if (!initDone && last.map) {
        await this.get(new URL(last.map.uri, media).pathname);
        initDone = true;
      }
      const seq = base + lastIndex;
      if (!this.segments.has(seq)) {
        const segment = await this.get(new URL(last.uri, media).pathname);
        if (segment.status === 200 && segment.body.length > 0) this.segments.add(seq);
      }
      next = seq + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Symbolic requests

export type ChannelName = 'pub' | 'priv' | 'restricted';

/** What a generated request is resolved against: one live stream and its genuine URL pieces. */
export interface LiveTarget {
  key: string;
  streamId: string;
  ext: string;
  /** The template viewer session (genuine, minted for the fuzzing client) and, for private channels, credential. */
  vs: string;
  credential?: string;
  /** Media sequence number of the newest complete segment, kept current by the caller. */
  edge: number;
}

export interface Context {
  live: Record<ChannelName, LiveTarget>;
  /** Tokens to put in `token=`: a valid one first, then every kind of bad one. */
  tokens: string[];
}

type Num = { edge: number } | { raw: string };

const num: fc.Arbitrary<Num> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -8, max: 3 }).map((edge) => ({ edge })) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        '0',
        '-1',
        '2147483648',
        '9007199254740993',
        '1e3',
        '0x1f',
        '',
        'NaN',
        '00000000001',
        '999999999',
        '9'.repeat(40),
        '１',
        '%31',
        '+1',
        '1.5',
        '-0',
        ' 1',
      )
      .map((raw) => ({ raw })),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((raw) => ({ raw })) },
);

const choice = <T>(genuine: T, others: fc.Arbitrary<T>, weight = 5) =>
  fc.oneof({ weight, arbitrary: fc.constant(genuine) }, { weight: 1, arbitrary: others });

const param = fc.oneof(
  fc.record({
    name: fc.constant('vs'),
    value: fc.constantFrom('template', 'forged16', 'forged32', 'tampered', 'huge', 'empty', 'unicode'),
  }),
  fc.record({ name: fc.constantFrom('_HLS_msn', '_HLS_part'), value: num }),
  fc.record({ name: fc.constant('_HLS_skip'), value: fc.constantFrom('YES', 'v2', 'NO', 'yes', '', 'YES,v2') }),
  fc.record({
    name: fc.constant('token'),
    value: fc.record({ index: fc.nat(), mutate: fc.option(fc.tuple(fc.nat(), fc.string({ maxLength: 3 }))) }),
  }),
  fc.record({
    name: fc.constantFrom('x', '', '%', '%zz', '=', 'vs%00', '_HLS_msn%00'),
    value: fc.constantFrom('', '%', '%E0%A4%A', '=&=', 'a'.repeat(300)),
  }),
);

const edit = fc.tuple(
  fc.nat(),
  fc.nat(4),
  fc.string({
    unit: fc.constantFrom('/', '.', '..', '%', '%2e', '%2F', 'a.', 'st-', '~', '?', '#', ';', '0', 'x', '\\', '%00', 'é'),
    maxLength: 4,
  }),
);

const longRun = (unit: string) => fc.integer({ min: 50, max: 1500 }).map((n) => `https://${unit.repeat(n)}x`);
const origin = fc.oneof(
  fc.constantFrom('https://ok.example', 'https://a-b-c-d.example.com', 'null', '', 'https://OK.EXAMPLE', 'https://evil.example'),
  fc.string({ maxLength: 40 }),
  longRun('a-'),
  longRun('a.'),
  longRun('a'),
);
const country = fc.oneof(
  fc.constantFrom('US', 'us', ' US ', 'ZZ', '', 'U S', 'US,CA'),
  fc.string({ maxLength: 6 }),
  fc.constant('A'.repeat(2000)),
);
const range = fc.constantFrom('bytes=0-10', 'bytes=-5', 'bytes=99999999999-', 'bytes=abc', 'bytes=0-0,'.repeat(200), 'items=0-1');

export const requestSpec = fc.record({
  channel: fc.constantFrom<ChannelName>('pub', 'priv', 'restricted'),
  target: fc.constantFrom('multivariant', 'media', 'segment', 'part', 'init', 'report', 'raw'),
  key: choice('genuine', fc.constantFrom('other-account', 'other-region', 'unknown', 'other-channel', 'uppercase'), 8),
  streamId: choice(
    'genuine',
    fc.oneof(fc.constantFrom('st-AAAAAAAAAAAAAAAAAAAAAAA', 'st-', 'other-channel'), fc.string({ maxLength: 30 })),
  ),
  rendition: choice('source', fc.constantFrom('720p60', '160p30', 'SOURCE', 'source.m3u8', '', 'a'.repeat(100), 'init')),
  credential: fc.oneof(
    fc.constant('genuine'),
    fc.constant('none'),
    fc.constantFrom('mutated', 'random', 'huge', 'other-stream', 'no-mac', 'on-public'),
  ),
  ext: choice('genuine', fc.constantFrom('ts', 'm4s', 'mp4', 'm3u8', 'TS', '', 'ts.ts')),
  seq: num,
  part: num,
  edits: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }) },
  ),
  query: fc.array(param, { maxLength: 5 }),
  method: fc.oneof(
    { weight: 14, arbitrary: fc.constant('GET') },
    fc.constantFrom('HEAD', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'TRACE'),
  ),
  origin: fc.option(origin, { freq: 2 }),
  country: fc.option(country, { freq: 2 }),
  range: fc.option(range, { freq: 4 }),
  random: fc.nat(),
});
export type RequestSpec = typeof requestSpec extends fc.Arbitrary<infer T> ? T : never;

export interface Resolved {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** May be held (LL-HLS blocking reload or hinted part): a 503 after the block timeout is allowed. */
  mayHold: boolean;
  /** Secrets the answer must not echo: valid tokens and credentials. */
  secrets: string[];
  /** Under the playback prefix (else the API answers, in its own error shape). */
  playback: boolean;
  /** Larger than node's 16 KB header limit: the HTTP parser refuses it before any handler. */
  oversized: boolean;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (r: number, n: number) =>
  Array.from({ length: n }, (_, i) => ALNUM[(r * 31 + i * 17 + (r >> (i % 16))) % 62]).join('');
const numText = (n: Num, edge: number) => ('edge' in n ? String(edge + n.edge) : n.raw);
/** Header values as node can send them (no control characters, Latin-1). */
const headerSafe = (v: string) => v.replace(/[^\x20-\x7e]/g, '?');
/** Path characters node sends as they are (0x21–0x7e); the rest percent-encoded. */
const pathSafe = (p: string) => p.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

function credentialFor(spec: RequestSpec, ctx: Context, live: LiveTarget): string | undefined {
  const genuine = ctx.live.priv.credential!;
  const r = spec.random;
  switch (spec.credential) {
    case 'genuine':
      return spec.channel === 'priv' ? genuine : undefined;
    case 'none':
      return undefined;
    case 'mutated': {
      const at = 2 + (r % (genuine.length - 2));
      return genuine.slice(0, at) + ALNUM[r % 62] + genuine.slice(at + 1);
    }
    case 'random':
      return `a.${pick(r, 40)}.${pick(r + 1, 22)}`;
    case 'huge':
      return `a.${'A'.repeat(5000 + (r % 3000))}.${pick(r, 22)}`;
    case 'no-mac':
      return `a.${genuine.split('.')[1]}`;
    case 'on-public':
      return live === ctx.live.priv ? undefined : genuine;
    default:
      return `a.${pick(r, 10)}.x`;
  }
}

function vsValue(kind: string, live: LiveTarget, r: number): string {
  switch (kind) {
    case 'template':
      return live.vs;
    case 'forged16':
      return pick(r, 16);
    case 'forged32':
      return pick(r, 32);
    case 'tampered':
      return live.vs.slice(0, -1) + (live.vs.endsWith('A') ? 'B' : 'A');
    case 'huge':
      return 'A'.repeat(4000 + (r % 4000));
    case 'unicode':
      return encodeURIComponent('é'.repeat(16));
    default:
      return '';
  }
}

/** The concrete request of a spec, against the streams as they are now. */
export function resolve(spec: RequestSpec, ctx: Context): Resolved {
  const live = ctx.live[spec.channel];
  const r = spec.random;
  const keys: Record<string, string> = {
    genuine: live.key,
    'other-account': live.key.replace(/\.\d+\./, '.111111111111.'),
    'other-region': live.key.replace(/^[^.]+/, 'eu-west-1'),
    unknown: live.key.replace(/[^.]+$/, pick(r, 12)),
    'other-channel': ctx.live[spec.channel === 'pub' ? 'priv' : 'pub'].key,
    uppercase: live.key.toUpperCase(),
  };
  const streamId =
    spec.streamId === 'genuine'
      ? live.streamId
      : spec.streamId === 'other-channel'
        ? ctx.live[spec.channel === 'pub' ? 'priv' : 'pub'].streamId
        : spec.streamId;
  const ext = spec.ext === 'genuine' ? live.ext : spec.ext;
  const credential = credentialFor(spec, ctx, live);
  const prefix = `/api/video/v1/${keys[spec.key]}`;
  const stream = `${prefix}/${streamId}${credential ? `/${credential}` : ''}`;
  const seq = numText(spec.seq, live.edge);
  let path: string;
  switch (spec.target) {
    case 'multivariant':
      path = `${prefix}.m3u8`;
      break;
    case 'media':
      path = `${stream}/${spec.rendition}.m3u8`;
      break;
    case 'segment':
      path = `${stream}/${spec.rendition}/${seq}.${ext}`;
      break;
    case 'part':
      path = `${stream}/${spec.rendition}/${seq}.${numText(spec.part, 0).replace(/^-?\d+$/, (p) => String(Math.abs(Number(p))))}.${ext}`;
      break;
    case 'init':
      path = `${stream}/${spec.rendition}/init.mp4`;
      break;
    case 'report':
      path = `${stream}/${spec.rendition}.m3u8`;
      break;
    default:
      path = `${prefix}/${pick(r, 5)}`;
  }
  for (const [at, del, insert] of spec.edits) {
    const i = at % (path.length + 1);
    path = path.slice(0, i) + insert + path.slice(i + del);
  }
  const secrets: string[] = [];
  const query: string[] = [];
  let validToken = false;
  for (const p of spec.query) {
    if (p.name === 'vs') query.push(`vs=${vsValue(p.value, live, r)}`);
    else if (p.name === '_HLS_msn' || p.name === '_HLS_part') {
      query.push(`${p.name}=${encodeURIComponent(numText(p.value, p.name === '_HLS_msn' ? live.edge : 0))}`);
    } else if (p.name === 'token') {
      const t = p.value;
      let token = ctx.tokens[t.index % ctx.tokens.length]!;
      if (t.mutate)
        token =
          token.slice(0, t.mutate[0] % (token.length + 1)) + t.mutate[1] + token.slice((t.mutate[0] % (token.length + 1)) + 1);
      if (token.length >= 16 && token === ctx.tokens[0]) {
        secrets.push(token);
        validToken = true;
      }
      query.push(`token=${token}`);
    } else query.push(`${p.name}=${p.value as string}`);
  }
  // A valid token buys the session credential: a multivariant answer to it lists the credential (the same token
  // always yields the same one), so it is a secret only in answers to requests without that token.
  if (credential === ctx.live.priv.credential && !validToken) secrets.push(credential!);
  if (!path.startsWith('/')) path = `/${path}`;
  const headers: Record<string, string> = {};
  if (spec.origin !== null) headers.origin = headerSafe(spec.origin);
  if (spec.country !== null) headers['cloudfront-viewer-country'] = headerSafe(spec.country);
  if (spec.range !== null) headers.range = spec.range;
  const full = pathSafe(path) + (query.length > 0 ? `?${pathSafe(query.join('&'))}` : '');
  const mayHold = /_HLS_msn=/.test(full) || /\/\d+\.\d+\.(ts|m4s)(\?|$)/.test(full);
  const size = full.length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 200);
  return {
    method: spec.method,
    path: full,
    headers,
    mayHold,
    secrets,
    playback: full.startsWith('/api/video/v1/'),
    oversized: size > 15_000,
  };
}

// ---------------------------------------------------------------------------------------------
// Invariants

/** The longest a held request may wait: three target durations (2 s segments) and slack for a loaded machine. */
export const HOLD_LIMIT_MS = 3 * 2_000 + 3_000;
const ERROR_KEYS = ['error', 'error_code', 'type', 'url'];

/** What is wrong with one answer (empty: nothing). */
export function problemsOf(req: Resolved, res: Answer): string[] {
  const problems: string[] = [];
  const type = String(res.headers['content-type'] ?? '');
  const text = res.body.toString('utf8');
  if (req.oversized) return res.status >= 500 ? [`status ${res.status} for an oversized request`] : [];
  if (!req.playback) {
    // The API's answer (its error shape is the API's to check): no 5xx, and JSON.
    if (res.status >= 500) problems.push(`API status ${res.status}`);
    else if (res.status >= 400 && !type.startsWith('application/'))
      problems.push(`API error ${res.status} with content-type ${type}`);
    return problems;
  }
  let errorCode: string | undefined;
  if (res.status >= 400) {
    if (type !== 'application/json') problems.push(`error ${res.status} with content-type ${type || 'none'}`);
    if (req.method !== 'HEAD') {
      try {
        const body = JSON.parse(text) as unknown;
        const ok =
          Array.isArray(body) &&
          body.length === 1 &&
          typeof body[0] === 'object' &&
          body[0] !== null &&
          JSON.stringify(Object.keys(body[0]).sort()) === JSON.stringify(ERROR_KEYS) &&
          ERROR_KEYS.every((k) => typeof (body[0] as Record<string, unknown>)[k] === 'string') &&
          (body[0] as Record<string, unknown>).type === 'error';
        if (!ok) problems.push(`error body not IVS's shape: ${text.slice(0, 200)}`);
        else errorCode = (body as Array<Record<string, string>>)[0]!.error_code;
      } catch {
        problems.push(`error body not JSON: ${text.slice(0, 200)}`);
      }
    }
  }
  const heldOut = res.status === 503 && req.mayHold && (req.method === 'HEAD' || errorCode === 'service_unavailable');
  const quota = res.status === 429 && (req.method === 'HEAD' || errorCode === 'concurrent_viewers_quota_exceeded');
  // Single byte ranges of complete segments (Amazon's IVS player probes bandwidth with them).
  const ranged =
    req.headers.range !== undefined &&
    (res.status === 206 || (res.status === 416 && (req.method === 'HEAD' || errorCode === 'range_not_satisfiable')));
  if (![200, 204, 400, 403, 404, 405].includes(res.status) && !heldOut && !quota && !ranged)
    problems.push(`status ${res.status}`);
  if (res.status === 204 && req.method !== 'OPTIONS') problems.push(`204 for ${req.method}`);
  if (res.status === 200 && req.method !== 'GET' && req.method !== 'HEAD') problems.push(`200 for ${req.method}`);
  if (res.status === 200 && req.method === 'GET' && type === 'application/vnd.apple.mpegurl') {
    try {
      HLS.parse(text);
    } catch (err) {
      problems.push(`unparsable playlist: ${(err as Error).message}`);
    }
  }
  if (req.method === 'HEAD' && res.body.length > 0) problems.push('HEAD with a body');
  for (const secret of req.secrets) {
    const at = text.indexOf(secret);
    if (at >= 0) problems.push(`a token or credential echoed in the answer: …${text.slice(Math.max(0, at - 80), at)}<secret>…`);
  }
  const limit = req.mayHold ? HOLD_LIMIT_MS : 5_000;
  if (res.ms > limit) problems.push(`answered after ${Math.round(res.ms)} ms (limit ${limit})`);
  return problems;
}

/** Runs `tasks` with at most `concurrency` at once. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export const assertNoProblems = (failures: string[], seed: number) =>
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failing requests (replay with FUZZ_SEED=${seed})`);
