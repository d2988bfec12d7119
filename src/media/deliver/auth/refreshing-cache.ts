// A small read-through cache for what private-channel playback needs from the database (an account's playback keys,
// a viewer's revoked session version) without reading it on every request: a value younger than refreshAfterMs is
// answered synchronously; up to maxAgeMs it is still answered at once while a reload runs in the background; older
// or missing values are loaded (one load per key at a time). So a change in the database takes effect within about
// refreshAfterMs on a busy key and within maxAgeMs always.

interface Entry<V> {
  has: boolean;
  value?: V;
  at: number;
  inflight?: Promise<V>;
}

export interface RefreshingCacheOptions {
  refreshAfterMs: number;
  maxAgeMs: number;
  maxEntries: number;
  now?: () => number;
}

export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly opts: RefreshingCacheOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The value, synchronously when fresh enough; a promise when it has to be loaded first. */
  get(key: string): V | Promise<V> {
    const entry = this.entries.get(key);
    if (entry?.has) {
      const age = this.now() - entry.at;
      if (age <= this.opts.refreshAfterMs) return entry.value as V;
      if (age <= this.opts.maxAgeMs) {
        // Background refresh: its failure keeps the old value until maxAgeMs, then the next get() loads and fails.
        this.refresh(key, entry).catch(() => undefined);
        return entry.value as V;
      }
    }
    return this.refresh(key, entry);
  }

  private refresh(key: string, existing: Entry<V> | undefined): Promise<V> {
    if (existing?.inflight) return existing.inflight;
    const entry: Entry<V> = existing ?? { has: false, at: 0 };
    if (!existing) this.insert(key, entry);
    const startedAt = this.now();
    const inflight = this.load(key)
      .then((value) => {
        entry.value = value;
        entry.has = true;
        entry.at = startedAt;
        return value;
      })
      .finally(() => {
        entry.inflight = undefined;
      });
    entry.inflight = inflight;
    return inflight;
  }

  private insert(key: string, entry: Entry<V>): void {
    if (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }
}
