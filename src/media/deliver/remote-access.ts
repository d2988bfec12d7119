// What a node serving a stream for its owner (origin-pull.ts) needs to check private channels and restriction
// policies itself, instead of forwarding each viewer's credential to the owner: the stream's access snapshot, asked
// of the owner (node API `GET access?key=`) and kept a few seconds, and the video height of each rendition, read from
// the multivariant playlists this node forwards (a token's maximum resolution is checked against it). Checked here,
// media objects can be pulled once for every viewer of a private channel, where per-credential pulls cost the owner
// one request per viewer. When either is unknown the caller forwards the request as before and the owner decides.

import { KEY, RENDITION, STREAM_ID } from './routes.js';
import { accessFromWire, type StreamAccess } from './stream-access.js';
import { RefreshingCache } from './auth/refreshing-cache.js';

export const NODE_ACCESS_PATH = '/_openivs/node/access';

export interface RemoteAccessOptions {
  ownerUrl(playbackKey: string): string | undefined;
  /** A signed GET to another node (origin-pull.ts's fetch). */
  fetch(baseUrl: string, pathAndQuery: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }>;
  now?: () => number;
}

/** Renditions whose height is remembered, across streams; the oldest are forgotten first. */
const MAX_HEIGHTS = 10_000;
const STREAM_INF = /^#EXT-X-STREAM-INF:.*RESOLUTION=\d+x(\d+)/;
/** A media playlist's URI in it, public or private (`…/<streamId>/a.<credential>/<rendition>.m3u8`). */
const MEDIA_URI = new RegExp(`${KEY}/${STREAM_ID}/(?:a\\.[A-Za-z0-9_.-]+/)?${RENDITION}\\.m3u8`);

export class RemoteAccess {
  readonly #cache: RefreshingCache<StreamAccess | undefined>;
  readonly #heights = new Map<string, number>();

  constructor(private readonly opts: RemoteAccessOptions) {
    this.#cache = new RefreshingCache((key) => this.#load(key), {
      refreshAfterMs: 2_000,
      maxAgeMs: 10_000,
      maxEntries: 10_000,
      now: opts.now,
    });
  }

  /** The owner's access snapshot of the stream live under `playbackKey`; undefined when it cannot be had. */
  of(playbackKey: string): StreamAccess | undefined | Promise<StreamAccess | undefined> {
    return this.#cache.get(playbackKey);
  }

  /** Remembers each rendition's height from a multivariant playlist the owner answered. */
  learnHeights(body: string): void {
    let height: number | undefined;
    for (const line of body.split('\n')) {
      const inf = STREAM_INF.exec(line);
      if (inf) {
        height = Number(inf[1]);
        continue;
      }
      const uri = height === undefined ? null : MEDIA_URI.exec(line);
      if (uri && height !== undefined) {
        const key = `${uri[1]}/${uri[2]}/${uri[3]}`;
        this.#heights.delete(key);
        this.#heights.set(key, height);
        if (this.#heights.size > MAX_HEIGHTS) this.#heights.delete(this.#heights.keys().next().value!);
      }
      if (!line.startsWith('#')) height = undefined;
    }
  }

  heightOf(playbackKey: string, streamId: string, rendition: string): number | undefined {
    return this.#heights.get(`${playbackKey}/${streamId}/${rendition}`);
  }

  async #load(playbackKey: string): Promise<StreamAccess | undefined> {
    const owner = this.opts.ownerUrl(playbackKey);
    if (owner === undefined) return undefined;
    try {
      const answer = await this.opts.fetch(owner, `${NODE_ACCESS_PATH}?key=${encodeURIComponent(playbackKey)}`, {});
      if (answer.status !== 200) return undefined;
      const access = accessFromWire(JSON.parse(answer.body.toString('utf8')));
      return access?.playbackKey === playbackKey ? access : undefined;
    } catch {
      return undefined;
    }
  }
}
