// LiveControl for a node of a cluster: GetStream, ListStreams, StopStream and PutMetadata answer the
// same on every node. A channel is live on the node holding its lease (PostgreSQL); the views come
// from the owners over the node API (node-api.ts), viewerCount is the sum of what every node counts
// (viewers of a stream may play it through any node), and StopStream/PutMetadata run on the owner.
// A peer that does not answer contributes nothing to a list; an owner that does not answer makes the
// call fail with a retryable InternalServerException rather than claim the channel is offline.

import type { Scope } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { AdBreakRequest, LiveControl, LiveStreamView } from '../domain/ports.js';
import type { Store } from '../storage/store.js';
import type { LiveAnswer, LiveFilter, LocalNode } from './node-api.js';
import type { NodeView } from './node-registry.js';
import type { PeerClient } from './peer-client.js';

export interface ClusterLiveOptions {
  nodeId: string;
  store: Store;
  /** This node's own streams and viewers. */
  local: LocalNode;
  peers: PeerClient;
  aliveNodes: () => Promise<NodeView[]>;
}

const FAN_OUT_TIMEOUT_MS = 3_000;

const ownerUnreachable = () =>
  new ServiceError('InternalServerException', 'The node broadcasting this stream did not answer. Please retry your request.');

export class ClusterLiveControl implements LiveControl {
  constructor(private readonly opts: ClusterLiveOptions) {}

  async getLive(channelArn: string): Promise<LiveStreamView | undefined> {
    const [view] = await this.gather({ channelArn });
    return view;
  }

  listLive(scope: Scope): Promise<LiveStreamView[]> {
    return this.gather({ scope });
  }

  async stop(channelArn: string): Promise<boolean> {
    if (this.opts.local.liveViews({ channelArn }).length > 0) return this.opts.local.stop(channelArn);
    const owner = await this.owner(channelArn);
    if (owner === undefined) return this.opts.local.stop(channelArn); // starting here, or offline
    return this.forward(owner, 'stop', { channelArn });
  }

  async putMetadata(channelArn: string, text: string): Promise<boolean> {
    if (this.opts.local.liveViews({ channelArn }).length > 0) return this.opts.local.putMetadata(channelArn, text);
    const owner = await this.owner(channelArn);
    if (owner === undefined) return false;
    return this.forward(owner, 'metadata', { channelArn, metadata: text });
  }

  async insertAdBreak(channelArn: string, adBreak: AdBreakRequest): Promise<boolean> {
    if (this.opts.local.liveViews({ channelArn }).length > 0) return this.opts.local.insertAdBreak(channelArn, adBreak);
    const owner = await this.owner(channelArn);
    if (owner === undefined) return false;
    return this.forward(owner, 'ad-break', { channelArn, ...adBreak });
  }

  /** The owners' views with viewerCount summed over every node, by start then stream id. */
  /** Viewers the other alive nodes count in the scope (streams they own or pull); a silent peer counts none. */
  async viewersElsewhere(scope: Scope): Promise<number> {
    const peers = (await this.opts.aliveNodes()).filter((n) => n.nodeId !== this.opts.nodeId);
    const answers = await Promise.all(peers.map((n) => this.askLive(n, { scope })));
    let total = 0;
    for (const answer of answers) for (const n of Object.values(answer?.viewers ?? {})) total += n;
    return total;
  }

  private async gather(filter: LiveFilter): Promise<LiveStreamView[]> {
    const { local, nodeId } = this.opts;
    const peers = (await this.opts.aliveNodes()).filter((n) => n.nodeId !== nodeId);
    const answers = await Promise.all(peers.map((n) => this.askLive(n, filter)));
    const views = new Map<string, LiveStreamView>();
    for (const v of local.liveViews(filter)) views.set(v.channelArn, { ...v });
    for (const answer of answers) {
      for (const s of answer?.streams ?? []) views.set(s.channelArn, { ...s, startTime: new Date(s.startTime) });
    }
    const counts = [local.viewerCounts(filter), ...answers.map((a) => a?.viewers ?? {})];
    for (const view of views.values()) {
      view.viewerCount = counts.reduce((sum, c) => sum + (c[view.channelArn] ?? 0), 0);
    }
    if ('channelArn' in filter && views.size === 0) {
      // Its owner, if any, must have answered: a silent owner is not an offline channel.
      const owner = await this.owner(filter.channelArn);
      if (owner !== undefined && answers[peers.findIndex((p) => p.nodeId === owner.nodeId)] === undefined)
        throw ownerUnreachable();
    }
    return [...views.values()].sort(
      (a, b) => a.startTime.getTime() - b.startTime.getTime() || a.streamId.localeCompare(b.streamId),
    );
  }

  private async askLive(node: NodeView, filter: LiveFilter): Promise<LiveAnswer | undefined> {
    const query =
      'channelArn' in filter
        ? `channel=${encodeURIComponent(filter.channelArn)}`
        : `account=${encodeURIComponent(filter.scope.account)}&region=${encodeURIComponent(filter.scope.region)}`;
    try {
      const res = await this.opts.peers.request(node.url, `/_openivs/node/live?${query}`, { timeoutMs: FAN_OUT_TIMEOUT_MS });
      return res.status === 200 ? (JSON.parse(res.body.toString('utf8')) as LiveAnswer) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The live node holding the channel's lease, when it is another node. */
  private async owner(channelArn: string): Promise<NodeView | undefined> {
    const lease = await this.opts.store.channelLeases.get(channelArn);
    if (lease === undefined || lease.nodeId === this.opts.nodeId) return undefined;
    return (await this.opts.aliveNodes()).find((n) => n.nodeId === lease.nodeId);
  }

  private async forward(owner: NodeView, route: 'stop' | 'metadata' | 'ad-break', input: object): Promise<boolean> {
    let res;
    try {
      res = await this.opts.peers.request(owner.url, `/_openivs/node/${route}`, {
        method: 'POST',
        body: JSON.stringify(input),
        headers: { 'content-type': 'application/json' },
        // StopStream waits up to 5 s for the owner to record the end.
        timeoutMs: 10_000,
      });
    } catch {
      throw ownerUnreachable();
    }
    const answer = JSON.parse(res.body.toString('utf8')) as { done?: boolean; code?: string; message?: string };
    if (res.status === 200) return answer.done === true;
    if (answer.code === 'ThrottlingException' || answer.code === 'ValidationException' || answer.code === 'ConflictException') {
      throw new ServiceError(answer.code, answer.message ?? answer.code);
    }
    throw ownerUnreachable();
  }
}
