// The concurrent-viewers quota holds for a cluster, not per node: two nodes on a throwaway PostgreSQL, a quota of two
// viewers per account. One viewer plays through the owner, one through the other node (which pulls from the owner
// and counts its viewer itself); GetStream on either node says 2, and a third viewer is refused with IVS's 429 on
// both nodes. Viewers here are HTTP clients that behave like players (a media-playlist reload every second), the
// way registry/viewers.ts counts them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, GetStreamCommand, type IvsClient } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { get, killAllChildren, pollUntil, publish, sleep, waitForMultivariant, type MasterPlaylist } from '../helpers/live.js';

const SECRET = 'viewer-quota-secret-0123456789abcdef';

/** Plays like a player: the multivariant playlist once, then its first media playlist every second until stopped. */
function player(multivariantUrl: string): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    const multivariant = await get(multivariantUrl);
    assert.equal(multivariant.status, 200, multivariant.text);
    const media = new URL((HLS.parse(multivariant.text) as MasterPlaylist).variants[0]!.uri, multivariantUrl).href;
    while (running) {
      assert.equal((await get(media)).status, 200);
      await sleep(1000);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe('cluster: the concurrent-viewers quota counts the viewers of every node', { timeout: 180_000 }, () => {
  let postgres: PgServer;
  const nodes: TestServer[] = [];
  const clients: IvsClient[] = [];

  before(async () => {
    postgres = await startPostgres();
    const env = { OPENIVS_DATABASE_URL: await postgres.createDatabase(), OPENIVS_CLUSTER_SECRET: SECRET };
    for (let i = 0; i < 2; i++) nodes.push(await startServer({ env, args: ['--quota-concurrent-viewers', '2'] }));
    for (const n of nodes) clients.push(ivsClient(n));
  });
  after(async () => {
    killAllChildren();
    await Promise.all(nodes.map((n) => n.stop()));
    await postgres?.destroy();
  });

  it('one viewer on each node fills a quota of two; a third is refused with 429 on both nodes', async () => {
    const created = await clients[0]!.send(new CreateChannelCommand({ name: 'quota', type: 'BASIC', insecureIngest: true }));
    const channel = created.channel!;
    const pub = publish(`rtmp://127.0.0.1:${nodes[0]!.rtmpPort}/app/${created.streamKey!.value!}`, { seconds: 90 });
    const onNode = (node: TestServer) => `${node.url}${new URL(channel.playbackUrl!).pathname}`;
    const players: { stop(): Promise<void> }[] = [];
    try {
      await waitForMultivariant(onNode(nodes[0]!), 30_000);
      await pollUntil('node B to serve the stream', async () => (await get(onNode(nodes[1]!))).status === 200 || undefined, {
        timeoutMs: 20_000,
      });
      players.push(player(onNode(nodes[0]!)), player(onNode(nodes[1]!)));
      for (const client of clients) {
        await pollUntil(
          'GetStream to count both viewers',
          async () =>
            (await client.send(new GetStreamCommand({ channelArn: channel.arn }))).stream?.viewerCount === 2 || undefined,
          { timeoutMs: 30_000, intervalMs: 500 },
        );
      }
      for (const [i, node] of nodes.entries()) {
        // The other node's count reaches the owner's check within its refresh (2 s).
        const refused = await pollUntil(
          `a third viewer refused on node ${i}`,
          async () => {
            const res = await get(onNode(node));
            return res.status === 429 ? res : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 500 },
        );
        assert.match(refused.text, /"error_code":"viewer_quota_exceeded"|quota/i, refused.text);
      }
    } finally {
      for (const p of players) await p.stop().catch(() => undefined);
      await pub.kill();
    }
  });
});
