// Which node owns which live channel, kept in memory for the playback path (which never waits on the
// database): the live channel leases and the node list, re-read once a second. A playback key
// (`<region>.<account>.channel.<id>`) maps to the internal URL of the node holding its channel's lease,
// when that is another node that is alive. A database outage keeps the last answer.

import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';
import type { NodeView } from './node-registry.js';

export interface OwnerDirectoryOptions {
  store: Store;
  nodeId: string;
  aliveNodes: () => Promise<NodeView[]>;
  log: Logger;
  refreshMs?: number;
}

/** `arn:aws:ivs:<region>:<account>:channel/<id>` → `<region>.<account>.channel.<id>`. */
export function playbackKeyOf(channelArn: string): string | undefined {
  const m = /^arn:aws:ivs:([^:]+):([^:]+):channel\/(.+)$/.exec(channelArn);
  return m ? `${m[1]}.${m[2]}.channel.${m[3]}` : undefined;
}

export class OwnerDirectory {
  #owners = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #failing = false;

  constructor(private readonly opts: OwnerDirectoryOptions) {}

  /** The internal URL of the other node owning the playback key's channel. */
  ownerUrl(playbackKey: string): string | undefined {
    return this.#owners.get(playbackKey);
  }

  async refresh(): Promise<void> {
    const [leases, nodes] = await Promise.all([this.opts.store.channelLeases.listLive(), this.opts.aliveNodes()]);
    const urls = new Map(nodes.filter((n) => n.nodeId !== this.opts.nodeId).map((n) => [n.nodeId, n.url]));
    const owners = new Map<string, string>();
    for (const lease of leases) {
      const url = urls.get(lease.nodeId);
      const key = playbackKeyOf(lease.channelArn);
      if (url !== undefined && key !== undefined) owners.set(key, url);
    }
    this.#owners = owners;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.refresh()
        .then(() => (this.#failing = false))
        .catch((err: unknown) => {
          if (!this.#failing)
            this.opts.log.warn({ err: String(err) }, 'cluster: could not refresh the channel owners; keeping the last list');
          this.#failing = true;
        })
        .finally(() => this.#schedule());
    }, this.opts.refreshMs ?? 1_000);
    this.#timer.unref();
  }
}
