// The shipped edge (deploy/varnish-openivs.vcl) in front of a three-node cluster on a throwaway PostgreSQL: its three
// backends are the three nodes. ffmpeg publishes a LOW channel to one node; 40 simulated LL-HLS viewers (each from its
// own address) play the channel's playbackUrl, which names the edge. Every viewer gets the parts, the nodes together
// see a few requests per part (the edge sends a channel's misses to one node, which pulls from the owner when it is
// not the owner), and viewerCount, read through the API of a node that does not own the stream, is within 5% of 40.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, GetStreamCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { freePort, startServer, type OpenivsServer } from '../../devtools/server.js';
import { startVarnish, type Edge } from '../../devtools/edge.js';
import { startViewers } from '../../devtools/viewer-sim.js';
import { ivsClient } from '../helpers/use-server.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { get, killAllChildren, pollUntil, publish, rtmpUrl, sleep } from '../helpers/live.js';

const SECRET = 'edge-cluster-test-secret-0123456789abcdef';
const VIEWERS = 40;

describe('live: the Varnish edge in front of a three-node cluster', { timeout: 240_000 }, () => {
  let postgres: PgServer;
  let edge: Edge;
  const nodes: OpenivsServer[] = [];
  let clients: IvsClient[] = [];

  const partRequests = async (): Promise<number> => {
    let total = 0;
    for (const n of nodes) {
      const text = (await get(`${n.url}/metrics`)).text;
      for (const m of text.matchAll(/^openivs_playback_requests_total\{kind="part",status="\d+"\} (\d+)/gm))
        total += Number(m[1]);
    }
    return total;
  };

  before(async () => {
    postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase();
    const edgePort = await freePort();
    const env = { OPENIVS_DATABASE_URL: databaseUrl, OPENIVS_CLUSTER_SECRET: SECRET };
    const args = ['--playback-base-url', `http://127.0.0.1:${edgePort}`, '--viewer-address-header', 'x-viewer-address'];
    for (let i = 0; i < 3; i++) nodes.push(await startServer({ env, args }));
    clients = nodes.map((n) => ivsClient(n));
    edge = await startVarnish(
      edgePort,
      nodes.map((n) => n.port),
      128,
    );
  });

  after(async () => {
    killAllChildren();
    await edge?.stop();
    for (const c of clients) c.destroy();
    await Promise.all(nodes.map((n) => n.stop()));
    await postgres?.destroy();
  });

  it(`${VIEWERS} LL-HLS viewers through the edge play a stream one node owns; viewerCount within 5%`, async () => {
    const created = await clients[0]!.send(
      new CreateChannelCommand({
        name: 'edge-cluster',
        type: 'BASIC',
        latencyMode: 'LOW',
        containerFormat: 'TS',
        insecureIngest: true,
      }),
    );
    const channel = created.channel!;
    publish(rtmpUrl(nodes[1]!.rtmpPort, created.streamKey!.value!), { seconds: 90, videoKbps: 500, audioKbps: 64 });
    await pollUntil(
      'multivariant 200 through the edge',
      async () => ((await get(channel.playbackUrl!)).status === 200 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    let failures = 0;
    const failed: string[] = [];
    const parts = new Set<string>();
    const perViewer = new Map<number, number>();
    const viewers = startViewers({
      playbackUrl: channel.playbackUrl!,
      count: VIEWERS,
      rampMs: 3_000,
      localAddress: (i) => `127.30.${Math.floor(i / 32)}.${(i % 32) + 1}`,
      received: (v, name) => {
        if (!name.includes('.')) return;
        parts.add(name);
        perViewer.set(v, (perViewer.get(v) ?? 0) + 1);
      },
      failed: (_v, url, status) => {
        failures++;
        if (failed.length < 5) failed.push(`${status} ${url}`);
      },
    });
    try {
      await sleep(10_000);
      const before = await partRequests();
      const partsBefore = parts.size;
      perViewer.clear();
      await sleep(15_000);
      const published = parts.size - partsBefore;
      const upstream = (await partRequests()) - before;
      assert.equal(failures, 0, failed.join('; '));
      assert.ok(published >= 15, `parts in 15 s: ${published}`);
      assert.equal(perViewer.size, VIEWERS, 'every viewer receives parts');
      // The edge's node asks once per part, and the owner answers that node's pull once: about two per part.
      assert.ok(upstream <= published * 4, `part requests over the nodes ${upstream} for ${published} parts`);
      const count = await pollUntil(
        'viewerCount within 5% on node C',
        async () => {
          const s = await clients[2]!.send(new GetStreamCommand({ channelArn: channel.arn }));
          const n = s.stream?.viewerCount ?? 0;
          return Math.abs(n - VIEWERS) <= VIEWERS * 0.05 ? n : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
      assert.ok(Math.abs(count - VIEWERS) <= VIEWERS * 0.05);
    } finally {
      await viewers.stop();
    }
  });
});
