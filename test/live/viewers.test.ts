// Viewer counting against forgery and floods (issue 10, defect 5), black-box with real HTTP clients from distinct
// loopback addresses (127.0.0.x: each a client address of its own to the server). Only viewer sessions the server
// handed out count, only once they refresh their media playlist like a player, and one client address counts at
// most VIEWER_LIMITS.perAddress sessions per channel: so made-up `vs=` values count nothing, a script opening the
// multivariant playlist in a loop counts a bounded few, honest players count one each, and the account's
// concurrent-viewers quota (set low here) is not exhausted for the next real viewer.

import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { before, describe, it } from 'node:test';
import { CreateChannelCommand, GetStreamCommand, ListStreamsCommand, type Channel } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { VIEWER_LIMITS } from '../../src/media/registry/viewers.js';
import { useServer } from '../helpers/use-server.js';
import {
  pollUntil,
  publish,
  rtmpUrl,
  sleep,
  waitForMultivariant,
  type MasterPlaylist,
  type MediaPlaylist,
  type Running,
} from '../helpers/live.js';

const QUOTA = VIEWER_LIMITS.perAddress + 12;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomVs = () => Array.from({ length: 16 }, () => ALNUM[Math.floor(Math.random() * ALNUM.length)]).join('');

/** An HTTP client bound to one loopback source address. */
function clientAt(localAddress: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const fetchText = (url: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(url, { agent, localAddress, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
      req.on('error', reject);
      req.end();
    });
  return { fetchText, close: () => agent.destroy() };
}
type Client = ReturnType<typeof clientAt>;

async function openSession(client: Client, playbackUrl: string): Promise<string> {
  const res = await client.fetchText(playbackUrl);
  assert.equal(res.status, 200, `multivariant playlist: ${res.status} ${res.text}`);
  const master = HLS.parse(res.text) as MasterPlaylist;
  return new URL(master.variants[0]!.uri, playbackUrl).href;
}

/** Fetches every URL `rounds` times, `gapMs` apart, like players refreshing their media playlists. */
async function refreshLikePlayers(client: Client, urls: string[], rounds: number, gapMs: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    if (round > 0) await sleep(gapMs);
    for (let i = 0; i < urls.length; i += 50) {
      const results = await Promise.all(urls.slice(i, i + 50).map((u) => client.fetchText(u)));
      for (const r of results) assert.equal(r.status, 200, `media playlist: ${r.status} ${r.text}`);
    }
  }
}

/** An honest player: opens a session, then reloads its media playlist every second until stopped. */
function honestPlayer(client: Client, playbackUrl: string): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    const url = await openSession(client, playbackUrl);
    while (running) {
      const res = await client.fetchText(url);
      assert.equal(res.status, 200, res.text);
      assert.ok((HLS.parse(res.text) as MediaPlaylist).segments.length > 0);
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

describe('live: viewer counting resists forged sessions and floods', { timeout: 120_000 }, () => {
  const { server, ivs } = useServer({
    args: ['--quota-concurrent-viewers', String(QUOTA)],
    teardown: () => {
      for (const c of clients) c.close();
    },
  });
  let channel: Channel;
  let publisher: Running;
  const clients: Client[] = [];
  const client = (host: number) => {
    const c = clientAt(`127.0.0.${host}`);
    clients.push(c);
    return c;
  };
  const viewerCount = async () => (await ivs.send(new GetStreamCommand({ channelArn: channel.arn! }))).stream!.viewerCount!;

  before(async () => {
    const out = await ivs.send(
      new CreateChannelCommand({
        name: 'viewers',
        type: 'BASIC',
        latencyMode: 'NORMAL',
        insecureIngest: true,
      }),
    );
    channel = out.channel!;
    publisher = publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: 90 });
    await waitForMultivariant(channel.playbackUrl!);
  });

  it('counts honest players, not one-shot fetches, made-up or tampered session ids, or a flood past the per-address bound', async () => {
    const playbackUrl = channel.playbackUrl!;
    const honest = [honestPlayer(client(4), playbackUrl), honestPlayer(client(5), playbackUrl)];
    try {
      // A one-shot fetch (multivariant + one media playlist) is not a viewer yet.
      const oneShot = client(6);
      await oneShot.fetchText(await openSession(oneShot, playbackUrl));

      // Made-up session ids (the old 16-alphanumeric shape), and a genuine one with its last character changed.
      const forger = client(1);
      const genuine = new URL(await openSession(forger, playbackUrl));
      const forged = Array.from({ length: 600 }, () => {
        const u = new URL(genuine.href);
        u.searchParams.set('vs', randomVs());
        return u.href;
      });
      const vs = genuine.searchParams.get('vs')!;
      const tampered = new URL(genuine.href);
      tampered.searchParams.set('vs', vs.slice(0, -1) + (vs.endsWith('A') ? 'B' : 'A'));
      forged.push(tampered.href);

      // A script opening the multivariant playlist in a loop and refreshing each session like a player.
      const flooder = client(2);
      const flood: string[] = [];
      for (let i = 0; i < 200; i++) flood.push(await openSession(flooder, playbackUrl));

      await Promise.all([refreshLikePlayers(forger, forged, 3, 2500), refreshLikePlayers(flooder, flood, 3, 2500)]);

      const expected = honest.length + VIEWER_LIMITS.perAddress;
      let last = -1;
      await pollUntil(`viewerCount = ${expected}`, async () => (last = await viewerCount()) === expected, {
        timeoutMs: 15_000,
      }).catch((err: Error) => assert.fail(`${err.message}; viewerCount is ${last}`));
      // And it stays there: nothing else is pending that could still count.
      await sleep(3000);
      assert.equal(await viewerCount(), expected);
      const { streams } = await ivs.send(new ListStreamsCommand({}));
      assert.equal(streams?.find((s) => s.channelArn === channel.arn)?.viewerCount, expected, 'ListStreams agrees');

      // The quota is not exhausted: the next real viewer gets the multivariant playlist.
      const next = await client(7).fetchText(playbackUrl);
      assert.equal(next.status, 200, `a new viewer under the quota (${QUOTA}): ${next.status} ${next.text}`);
    } finally {
      for (const h of honest) await h.stop();
    }
    assert.equal(publisher.done(), false, 'the publisher is still live');
  });
});
