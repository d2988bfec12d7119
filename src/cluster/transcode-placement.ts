// Choosing where a stream is transcoded when this node has no free slot (cluster): the alive peers that
// advertise free slots in their heartbeats, the most free first, each asked in turn to reserve one (signed POST
// transcode/reserve). Heartbeats are up to a beat old, so a peer may refuse (another node took its last slot):
// the next one is asked. The result is a RemoteSlot: the first launch uses its reservation; a launch after a
// failure reserves again, anywhere, so a transcode survives the loss of the node running it.

import type { Logger } from '../logging.js';
import type { NodeView } from './node-registry.js';
import type { PeerClient } from './peer-client.js';
import { RemoteFfmpeg, type RelayTarget } from './remote-ffmpeg.js';

export const RESERVE_PATH = '/_openivs/node/transcode/reserve';
export const RELEASE_PATH = '/_openivs/node/transcode/release';

export interface PlacementOptions {
  secret: string;
  nodeId: string;
  peers: PeerClient;
  aliveNodes: () => Promise<NodeView[]>;
  log: Logger;
}

/** A job as the Transcoder hands it over: the ladder and options are what travels. */
export interface RelayJob {
  ladder: unknown;
  options: unknown;
}

export class TranscodePlacement {
  constructor(private readonly opts: PlacementOptions) {}

  /** A slot on the peer with the most free ones that accepts; undefined when none does. */
  async reserve(): Promise<RelayTarget | undefined> {
    const { nodeId, peers, log } = this.opts;
    const candidates = (await this.opts.aliveNodes())
      // The relay is an HTTP/1.1 upgrade: peers reached over https:// cannot take it (remote-ffmpeg.ts).
      .filter((n) => n.nodeId !== nodeId && n.alive && n.freeTranscodeSlots > 0 && n.url.startsWith('http:'))
      .sort((a, b) => b.freeTranscodeSlots - a.freeTranscodeSlots);
    for (const node of candidates) {
      try {
        const res = await peers.request(node.url, RESERVE_PATH, {
          method: 'POST',
          body: JSON.stringify({ node: nodeId }),
          headers: { 'content-type': 'application/json' },
          timeoutMs: 3_000,
        });
        const answer = JSON.parse(res.body.toString('utf8')) as { reservation?: unknown };
        if (res.status === 200 && typeof answer.reservation === 'string')
          return { nodeId: node.nodeId, nodeUrl: node.url, reservation: answer.reservation };
        log.debug({ node: node.nodeId, status: res.status }, 'transcode slot refused by a peer; trying the next');
      } catch (err) {
        log.warn({ node: node.nodeId, err: String(err) }, 'could not reserve a transcode slot on a peer');
      }
    }
    return undefined;
  }

  /** Gives back a reservation that will not be used (best effort: it expires by itself anyway). */
  release(target: RelayTarget): void {
    const body = JSON.stringify({ node: this.opts.nodeId, reservation: target.reservation });
    this.opts.peers
      .request(target.nodeUrl, RELEASE_PATH, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      .catch((err: unknown) => this.opts.log.debug({ err: String(err) }, 'could not release a transcode reservation'));
  }

  /** A slot for one stream, or undefined when no peer has one. */
  async slot(): Promise<RemoteSlot | undefined> {
    const first = await this.reserve();
    return first && new RemoteSlot(this, this.opts, first);
  }
}

/** One stream's transcode on other nodes (media/transcode's RemoteTranscodeSlot). */
export class RemoteSlot {
  #unused: RelayTarget | undefined;

  constructor(
    private readonly placement: TranscodePlacement,
    private readonly opts: PlacementOptions,
    first: RelayTarget,
  ) {
    this.#unused = first;
    this.node = first.nodeId;
  }

  readonly node: string;

  launch(job: RelayJob & { ladder: readonly unknown[] }): RemoteFfmpeg {
    return new RemoteFfmpeg({
      secret: this.opts.secret,
      selfNodeId: this.opts.nodeId,
      target: async () => {
        const reserved = this.#unused;
        this.#unused = undefined;
        return reserved ?? (await this.placement.reserve());
      },
      spec: { ladder: job.ladder, options: job.options },
      outputs: job.ladder.length,
      log: this.opts.log,
    });
  }

  release(): void {
    const unused = this.#unused;
    this.#unused = undefined;
    if (unused) this.placement.release(unused);
  }
}
