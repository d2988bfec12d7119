// Three openivs nodes on one machine share a throwaway PostgreSQL, behind a real nginx running the repo's example
// (deploy/nginx-openivs.conf: `stream` for RTMP and RTMPS, `http` for the API and playback). With real clients: the
// AWS SDK creates a channel on node A and reads it on node C; ffmpeg publishes through nginx and lands on some node;
// GetStream/ListStreams answer the same on every node; ffprobe plays the stream from every node and hls.js in
// Chromium from a node that does not own it; a second publisher on another node is refused; PutMetadata and
// StopStream sent to a node that does not own the stream act on the owner (the ID3 text read back from a segment
// pulled through that node); the concurrent-broadcasts quota holds across nodes; a private channel plays from a
// node that does not own it with a token; the webhook gets every lifecycle event once; kill -9 of the owner ends its
// session once within 10 s and a republish through nginx plays again at the same playback URL.
// The its run in order and share the cluster.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  GetChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  ImportPlaybackKeyPairCommand,
  InsertAdBreakCommand,
  ListStreamsCommand,
  ListStreamSessionsCommand,
  PutMetadataCommand,
  StopStreamCommand,
  type Channel,
  type IvsClient,
} from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { SignJWT } from 'jose';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { freePort, startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { launchChromium } from '../../devtools/browser.js';
import { txxxFromTs } from '../../devtools/id3-carriage.js';
import {
  get,
  killAllChildren,
  pollUntil,
  publish,
  run,
  sleep,
  startWebhookReceiver,
  waitForMultivariant,
  type MasterPlaylist,
  type MediaPlaylist,
  type Running,
  type WebhookReceiver,
} from '../helpers/live.js';

// Browser globals, used only inside page.evaluate callbacks.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET = 'cluster-test-secret-0123456789abcdef';
const NAMES = ['A', 'B', 'C'] as const;

describe('cluster: three nodes on PostgreSQL behind nginx', { timeout: 420_000 }, () => {
  let postgres: PgServer;
  let databaseUrl: string;
  let nginx: Nginx;
  let webhook: WebhookReceiver;
  const nodes: TestServer[] = [];
  const clients: IvsClient[] = [];
  /** Node ids (kept in each node's data directory, so the same after a restart). */
  let nodeIds: string[] = [];
  let lb: { rtmp: number; rtmps: number; http: number };
  let lbClient: IvsClient;
  let channel: Channel;
  let streamKey: string;
  let publisher: Running | undefined;
  let browser: Browser | undefined;

  const lbRtmp = (key: string) => `rtmp://127.0.0.1:${lb.rtmp}/app/${key}`;
  /** The playback URL's path on a given node (the channel's playbackUrl names nginx). */
  const onNode = (url: string, node: TestServer) => {
    const u = new URL(url);
    return `${node.url}${u.pathname}${u.search}`;
  };
  const nodeOf = async (channelArn: string): Promise<number> => {
    // A client per question: the PostgreSQL outage below ends every connection.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db
      .query<{ node_id: string }>(`select node_id from channel_leases where channel_arn = $1 and node_id is not null`, [
        channelArn,
      ])
      .finally(() => db.end());
    assert.equal(rows.length, 1, `one live lease for ${channelArn}`);
    const index = nodeIds.indexOf(rows[0]!.node_id);
    assert.ok(index >= 0, 'the lease holder is one of the nodes');
    return index;
  };
  const detail = () =>
    nodes.map((n, i) => `--- node ${NAMES[i]} ---\n${n.logs().slice(-3000)}`).join('\n') + `\n--- nginx ---\n${nginx?.logs()}`;

  before(async () => {
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase();
    webhook = await startWebhookReceiver(undefined);
    lb = { rtmp: await freePort(), rtmps: await freePort(), http: await freePort() };
    const env = { OPENIVS_DATABASE_URL: databaseUrl, OPENIVS_CLUSTER_SECRET: SECRET, OPENIVS_EVENT_WEBHOOKS: webhook.url };
    const args = ['--playback-base-url', `http://127.0.0.1:${lb.http}`, '--quota-concurrent-broadcasts', '2'];
    // One after the other: the first runs the migrations (the others would wait on the advisory lock anyway).
    for (let i = 0; i < 3; i++) nodes.push(await startServer({ env, args, rtmps: true }));
    for (const n of nodes) clients.push(ivsClient(n));
    nodeIds = await Promise.all(
      nodes.map(async (n) => ((await (await fetch(`${n.url}/_openivs/cluster`)).json()) as { nodeId: string }).nodeId),
    );
    nginx = await startNginx({
      ...lb,
      nodes: nodes.map((n) => ({ rtmp: n.rtmpPort, rtmps: n.rtmpsPort!, http: n.port })),
    });
    lbClient = ivsClient({ url: `http://127.0.0.1:${lb.http}` });
  });

  after(async () => {
    killAllChildren();
    await browser?.close().catch(() => undefined);
    await nginx?.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    await webhook?.close();
    await postgres?.destroy();
  });

  it('a channel created with the AWS SDK on node A is read on node C and through nginx; every node lists the others', async () => {
    const created = await clients[0]!.send(
      new CreateChannelCommand({ name: 'cluster', latencyMode: 'LOW', type: 'BASIC', insecureIngest: true }),
    );
    channel = created.channel!;
    streamKey = created.streamKey!.value!;
    const onC = await clients[2]!.send(new GetChannelCommand({ arn: channel.arn }));
    assert.deepEqual(onC.channel, channel);
    const viaLb = await lbClient.send(new GetChannelCommand({ arn: channel.arn }));
    assert.equal(viaLb.channel!.playbackUrl, channel.playbackUrl);
    assert.ok(channel.playbackUrl!.startsWith(`http://127.0.0.1:${lb.http}/api/video/v1/`), channel.playbackUrl);
    for (const n of nodes) {
      const listed = (await (await fetch(`${n.url}/_openivs/cluster`)).json()) as { nodes: Array<{ alive: boolean }> };
      assert.equal(listed.nodes.filter((x) => x.alive).length, 3);
    }
  });

  it('ffmpeg publishes through nginx; GetStream and ListStreams answer the same on every node', async () => {
    publisher = publish(lbRtmp(streamKey), { seconds: 180 });
    await waitForMultivariant(channel.playbackUrl!, 30_000);
    const owner = await nodeOf(channel.arn!);
    const streams = await Promise.all(clients.map((c) => c.send(new GetStreamCommand({ channelArn: channel.arn }))));
    for (const s of streams) {
      assert.equal(s.stream!.state, 'LIVE');
      assert.equal(s.stream!.streamId, streams[owner]!.stream!.streamId);
      assert.equal(s.stream!.startTime!.getTime(), streams[owner]!.stream!.startTime!.getTime());
      assert.equal(s.stream!.playbackUrl, channel.playbackUrl);
    }
    const lists = await Promise.all(clients.map((c) => c.send(new ListStreamsCommand({}))));
    for (const l of lists)
      assert.deepEqual(
        l.streams!.map((s) => s.streamId),
        [streams[owner]!.stream!.streamId],
      );
    const sessions = await Promise.all(clients.map((c) => c.send(new ListStreamSessionsCommand({ channelArn: channel.arn }))));
    for (const s of sessions) assert.equal(s.streamSessions![0]!.streamId, streams[owner]!.stream!.streamId);
    const session = await clients[(owner + 1) % 3]!.send(new GetStreamSessionCommand({ channelArn: channel.arn }));
    assert.equal(session.streamSession!.streamId, streams[owner]!.stream!.streamId);
  });

  it('every node plays the stream (ffprobe), the node that does not own it by pulling from the owner', async () => {
    for (const n of [...nodes, { url: `http://127.0.0.1:${lb.http}` } as TestServer]) {
      const url = onNode(channel.playbackUrl!, n);
      const probe = await run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_streams', '-of', 'json', url]).exited;
      assert.equal(probe.code, 0, `ffprobe ${url}: ${probe.stderr}\n${detail()}`);
      const codecs = (JSON.parse(probe.stdout) as { streams: Array<{ codec_name: string }> }).streams.map((s) => s.codec_name);
      assert.ok(codecs.includes('h264') && codecs.includes('aac'), `${url}: ${codecs.join(', ')}`);
    }
  });

  it('hls.js in Chromium plays the stream from a node that does not own it', async () => {
    const owner = await nodeOf(channel.arn!);
    const other = nodes[(owner + 1) % 3]!;
    browser = await launchChromium();
    const page = await browser.newPage();
    const url = onNode(channel.playbackUrl!, other);
    await page.goto(`${other.url}/_openivs/player?url=${encodeURIComponent(url)}`);
    const state = () => page.evaluate(() => document.getElementById('state').dataset.state as string);
    await pollUntil('the page to play', async () => (await state()) === 'playing', { timeoutMs: 30_000 });
    const t0 = await page.evaluate(() => document.getElementById('video').currentTime as number);
    await sleep(3_000);
    const t1 = await page.evaluate(() => document.getElementById('video').currentTime as number);
    assert.ok(t1 - t0 >= 2, `currentTime ${t0} → ${t1} in 3 s`);
    // The viewer plays through a non-owner: GetStream on any node counts it.
    await pollUntil(
      'viewerCount 1 on every node',
      async () => {
        const counts = await Promise.all(
          clients.map(async (c) => (await c.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!.viewerCount),
        );
        return counts.every((v) => v === 1) ? counts : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 1_000 },
    );
    await page.close();
  });

  it('a second publisher of the channel on another node is refused; the first keeps broadcasting', async () => {
    const owner = await nodeOf(channel.arn!);
    const before = (await clients[owner]!.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!.streamId;
    for (const i of [0, 1, 2].filter((x) => x !== owner)) {
      const second = publish(`rtmp://127.0.0.1:${nodes[i]!.rtmpPort}/app/${streamKey}`, { seconds: 10 });
      const result = await second.exited;
      assert.notEqual(result.code, 0, 'the second publisher fails');
      assert.ok(result.ms < 8_000, `refused at once (${result.ms} ms)`);
    }
    const after = (await clients[owner]!.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!.streamId;
    assert.equal(after, before);
    assert.ok(!publisher!.done(), 'the first publisher still runs');
  });

  it('PutMetadata sent to a node that does not own the stream reaches the video (ID3 read back through that node)', async () => {
    const owner = await nodeOf(channel.arn!);
    const other = (owner + 2) % 3;
    const text = `cluster metadata ${Date.now()}`;
    await clients[other]!.send(new PutMetadataCommand({ channelArn: channel.arn, metadata: text }));
    const master = HLS.parse((await get(onNode(channel.playbackUrl!, nodes[other]!))).text) as MasterPlaylist;
    const mediaUrl = new URL(master.variants[0]!.uri, onNode(channel.playbackUrl!, nodes[other]!)).href;
    const seen = new Set<string>();
    const found = await pollUntil(
      'the ID3 text in a segment',
      async () => {
        const media = HLS.parse((await get(mediaUrl)).text) as MediaPlaylist;
        for (const seg of media.segments) {
          const segUrl = new URL(seg.uri, mediaUrl).href;
          if (seen.has(segUrl)) continue;
          seen.add(segUrl);
          const body = Buffer.from(await (await fetch(segUrl)).arrayBuffer());
          const tags = txxxFromTs(body).filter((t) => t.text === text);
          if (tags.length > 0) return tags;
        }
        return undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    assert.equal(found[0]!.text, text);
  });

  it('InsertAdBreak sent to a node that does not own the stream puts the break into the playlist every node serves', async () => {
    const ad = await clients[0]!.send(
      new CreateAdConfigurationCommand({
        mediaTailorPlaybackConfigurations: [
          { playbackConfigurationArn: 'arn:aws:mediatailor:us-west-2:000000000000:playbackConfiguration/cluster' },
        ],
      }),
    );
    const created = await clients[0]!.send(
      new CreateChannelCommand({
        name: 'ads',
        type: 'BASIC',
        latencyMode: 'NORMAL',
        insecureIngest: true,
        adConfigurationArn: ad.adConfiguration!.arn,
      }),
    );
    const ads = created.channel!;
    const pub = publish(`rtmp://127.0.0.1:${nodes[0]!.rtmpPort}/app/${created.streamKey!.value!}`, { seconds: 60 });
    try {
      await pollUntil(
        'the ad channel LIVE',
        async () => (await clients[1]!.send(new GetStreamCommand({ channelArn: ads.arn })).catch(() => undefined))?.stream,
        { timeoutMs: 30_000 },
      );
      // Owned by A (published there); asked of B; read back through C, which pulls from A.
      const { adBreakId } = await clients[1]!.send(new InsertAdBreakCommand({ channelArn: ads.arn, durationSeconds: 4 }));
      assert.match(adBreakId!, /^[A-Za-z0-9]{12}$/);
      const viaC = onNode(ads.playbackUrl!, nodes[2]!);
      const master = HLS.parse((await get(viaC)).text) as MasterPlaylist;
      const mediaUrl = new URL(master.variants[0]!.uri, viaC).href;
      const playlist = await pollUntil(
        "the break's CUE-IN through node C",
        async () => {
          const text = (await get(mediaUrl)).text;
          return text.includes('#EXT-X-CUE-IN') ? text : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      assert.match(playlist, new RegExp(`#EXT-X-DATERANGE:ID="${adBreakId}",[^\n]*SCTE35-OUT=0x[0-9A-F]+`));
      assert.match(playlist, /#EXT-X-CUE-OUT:(DURATION=)?4/);
    } finally {
      await pub.kill();
    }
    // Off the air again before the quota test counts broadcasts.
    await pollUntil(
      'the ad channel offline',
      async () => {
        try {
          await clients[0]!.send(new GetStreamCommand({ channelArn: ads.arn }));
          return undefined;
        } catch (err) {
          return (err as Error).name === 'ChannelNotBroadcasting' || undefined;
        }
      },
      { timeoutMs: 20_000 },
    );
  });

  it('the concurrent-broadcasts quota (2) holds across nodes', async () => {
    const second = await clients[1]!.send(new CreateChannelCommand({ name: 'second', insecureIngest: true }));
    const third = await clients[2]!.send(new CreateChannelCommand({ name: 'third', insecureIngest: true }));
    const owner = await nodeOf(channel.arn!);
    // The second broadcast on another node than the first, the third on the remaining one.
    const [i2, i3] = [0, 1, 2].filter((x) => x !== owner) as [number, number];
    const pub2 = publish(`rtmp://127.0.0.1:${nodes[i2]!.rtmpPort}/app/${second.streamKey!.value!}`, { seconds: 60 });
    await waitForMultivariant(second.channel!.playbackUrl!, 30_000);
    const pub3 = publish(`rtmp://127.0.0.1:${nodes[i3]!.rtmpPort}/app/${third.streamKey!.value!}`, { seconds: 10 });
    const refused = await pub3.exited;
    assert.notEqual(refused.code, 0, 'the third broadcast is refused');
    const lists = await Promise.all(clients.map((c) => c.send(new ListStreamsCommand({}))));
    for (const l of lists) assert.equal(l.streams!.length, 2);
    await pub2.kill();
    await pollUntil(
      'the second broadcast to end',
      async () => {
        const l = await clients[0]!.send(new ListStreamsCommand({}));
        return l.streams!.length === 1;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
  });

  it('a private channel published over RTMPS through nginx plays from a node that does not own it with a token', async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await clients[0]!.send(
      new ImportPlaybackKeyPairCommand({
        publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    );
    // insecureIngest false: only RTMPS is accepted, through nginx's TLS passthrough to the node.
    const created = await clients[0]!.send(
      new CreateChannelCommand({ name: 'private', authorized: true, insecureIngest: false }),
    );
    const priv = created.channel!;
    const pub = publish(`rtmps://127.0.0.1:${lb.rtmps}/app/${created.streamKey!.value!}`, { seconds: 60 });
    const owner =
      (await pollUntil(
        'the private channel live',
        async () => {
          try {
            return (await nodeOf(priv.arn!)) + 1;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 20_000 },
      )) - 1;
    const other = nodes[(owner + 1) % 3]!;
    const url = onNode(priv.playbackUrl!, other);
    await pollUntil(
      'the private stream to start',
      async () => {
        const s = await clients[0]!.send(new GetStreamCommand({ channelArn: priv.arn })).catch(() => undefined);
        return s?.stream?.state === 'LIVE';
      },
      { timeoutMs: 30_000 },
    );
    const refused = await get(url);
    assert.equal(refused.status, 403, 'no token: refused by the serving node');
    const token = await new SignJWT({ 'aws:channel-arn': priv.arn })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
      .sign(keys.privateKey);
    const probe = await run('ffprobe', [
      '-v',
      'error',
      '-rw_timeout',
      '10000000',
      '-show_streams',
      '-of',
      'json',
      `${url}?token=${token}`,
    ]).exited;
    assert.equal(probe.code, 0, `ffprobe with a token through a non-owner: ${probe.stderr}`);

    // The serving node checks each viewer's credential itself and pulls without it: two viewers' sessions cost the
    // owner one pull of a segment (before, each credential was its own pull), and a forged credential is refused.
    const token2 = await new SignJWT({ 'aws:channel-arn': priv.arn, 'aws:viewer-id': 'viewer-2' })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
      .sign(keys.privateKey);
    const mediaUrlWith = async (t: string): Promise<string> => {
      const multivariant = await get(`${url}?token=${t}`);
      assert.equal(multivariant.status, 200, multivariant.text);
      return new URL(
        multivariant.text.split('\n').find((l) => l.includes('.m3u8'))!,
        url,
      ).href;
    };
    const [media1, media2] = [await mediaUrlWith(token), await mediaUrlWith(token2)];
    assert.notEqual(media1, media2, 'two sessions, two credentials');
    const mediaPlaylist = await get(media1);
    assert.equal(mediaPlaylist.status, 200);
    const segment = mediaPlaylist.text
      .split('\n')
      .filter((l) => l.endsWith('.ts') && !l.startsWith('#'))
      .at(-1)!;
    const ownerSegmentPulls = async (): Promise<number> => {
      const text = (await get(`${nodes[owner]!.url}/metrics`)).text;
      const line = text.split('\n').find((l) => l.startsWith('openivs_playback_requests_total{kind="segment",status="200"}'));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const before = await ownerSegmentPulls();
    for (const media of [media1, media2]) {
      const got = await get(new URL(segment, media).href);
      assert.equal(got.status, 200, `segment through the non-owner: ${got.text.slice(0, 200)}`);
    }
    assert.equal((await ownerSegmentPulls()) - before, 1, 'one pull from the owner for both viewers');
    const forged = new URL(segment, media1).href.replace(/\/a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\//, '/a.Zm9yZ2Vk.Zm9yZ2Vk/');
    assert.equal((await get(forged)).status, 403, 'a forged credential is refused');
    // The owner believes the "checked" mark only under the cluster signature: a viewer cannot claim it.
    const publicPath = new URL(new URL(segment, media1).href.replace(/\/a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\//, '/')).pathname;
    for (const headers of <Record<string, string>[]>[
      { 'x-openivs-peer-authorized': '1' },
      {
        'x-openivs-peer-authorized': '1',
        'x-openivs-cluster-auth': `v1 t=${Date.now()},n=${'0'.repeat(32)},s=${'0'.repeat(64)}`,
      },
    ]) {
      const claimed = await get(`${nodes[owner]!.url}${publicPath}`, { headers });
      assert.equal(claimed.status, 403, `the owner refuses a self-declared check (${Object.keys(headers).join(', ')})`);
    }
    await pub.kill();
  });

  it('PostgreSQL stopped for 10 s: playback through every node goes on, the API answers a clean error, the broadcast survives', async () => {
    const owner = await nodeOf(channel.arn!);
    const streamId = (await clients[owner]!.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!.streamId!;
    const mediaUrls = await Promise.all(
      nodes.map(async (n) => {
        const url = onNode(channel.playbackUrl!, n);
        const master = HLS.parse((await get(url)).text) as MasterPlaylist;
        return new URL(master.variants[0]!.uri, url).href;
      }),
    );
    const newest = async (url: string) => {
      const res = await get(url);
      assert.equal(res.status, 200, `${url} during the outage: ${res.text}`);
      const media = HLS.parse(res.text) as MediaPlaylist;
      return (media.mediaSequenceBase ?? 0) + media.segments.length;
    };
    const before = await Promise.all(mediaUrls.map(newest));
    await postgres.stop();
    const stoppedAt = Date.now();
    try {
      await assert.rejects(
        clients[(owner + 1) % 3]!.send(new GetChannelCommand({ arn: channel.arn })),
        (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(err.name, 'InternalServerException');
          assert.equal(err.$metadata?.httpStatusCode, 500);
          return true;
        },
      );
      while (Date.now() - stoppedAt < 10_000) await sleep(1_000);
      const during = await Promise.all(mediaUrls.map(newest));
      for (let i = 0; i < 3; i++)
        assert.ok(during[i]! > before[i]!, `node ${NAMES[i]} kept playing: ${before[i]} → ${during[i]}`);
    } finally {
      await postgres.start();
    }
    await pollUntil(
      'the API back on every node',
      async () => {
        const got = await Promise.all(
          clients.map((c) => c.send(new GetStreamCommand({ channelArn: channel.arn })).catch(() => undefined)),
        );
        return got.every((g) => g?.stream?.streamId === streamId);
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    await sleep(10_000); // longer than a lease: nobody takes the live channel over after the outage
    assert.equal(await nodeOf(channel.arn!), owner);
    assert.ok(!webhook.stateNames(streamId).includes('Session Ended'), 'the broadcast was not ended');
    assert.ok(!publisher!.done(), 'the publisher is still connected');
  });

  it('StopStream sent to a node that does not own the stream ends it; every node then says it is offline', async () => {
    const owner = await nodeOf(channel.arn!);
    const streamId = (await clients[owner]!.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!.streamId!;
    await clients[(owner + 1) % 3]!.send(new StopStreamCommand({ channelArn: channel.arn }));
    await publisher!.exited;
    for (const c of clients) {
      await assert.rejects(c.send(new GetStreamCommand({ channelArn: channel.arn })), { name: 'ChannelNotBroadcasting' });
    }
    await pollUntil('Session Ended at the webhook', () => webhook.stateNames(streamId).includes('Session Ended'), {
      timeoutMs: 20_000,
    });
    await sleep(2_000); // room for a duplicate to show up
    assertOnce(webhook, streamId, ['Session Created', 'Stream Start', 'Stream End', 'Session Ended']);
  });

  it('kill -9 of the owner: a survivor ends its session once within 10 s; a republish through nginx plays at the same URL', async (t) => {
    publisher = publish(lbRtmp(streamKey), { seconds: 120 });
    await waitForMultivariant(channel.playbackUrl!, 30_000);
    const owner = await nodeOf(channel.arn!);
    const streamId = (await clients[owner]!.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!.streamId!;
    await nodes[owner]!.kill9();
    const killedAt = Date.now();
    const survivor = clients[(owner + 1) % 3]!;
    await pollUntil(
      'the session to end',
      async () => {
        const s = await survivor.send(new GetStreamSessionCommand({ channelArn: channel.arn, streamId }));
        return s.streamSession!.endTime !== undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    const endedAfterMs = Date.now() - killedAt;
    assert.ok(endedAfterMs <= 10_000, `ended ${endedAfterMs} ms after kill -9\n${detail()}`);
    t.diagnostic(`session ended ${endedAfterMs} ms after kill -9 of the owner`);
    await pollUntil('Session Ended at the webhook', () => webhook.stateNames(streamId).includes('Session Ended'), {
      timeoutMs: 20_000,
    });
    await publisher.exited; // nginx closed the publisher's connection with the node
    publisher = publish(lbRtmp(streamKey), { seconds: 60 });
    const replayed = await waitForMultivariant(channel.playbackUrl!, 30_000);
    assert.equal(replayed.res.status, 200);
    t.diagnostic(`the same playback URL played again ${Date.now() - killedAt} ms after kill -9 (republish included)`);
    const next = (await survivor.send(new GetStreamCommand({ channelArn: channel.arn }))).stream!;
    assert.notEqual(next.streamId, streamId);
    assert.notEqual(await nodeOf(channel.arn!), owner);
    await sleep(2_000);
    assertOnce(webhook, streamId, ['Session Created', 'Stream Start', 'Stream End', 'Session Ended']);
    // The killed node rejoins by itself.
    await nodes[owner]!.restart();
    await pollUntil(
      'three nodes alive again',
      async () => {
        const listed = (await (await fetch(`${nodes[owner]!.url}/_openivs/cluster`)).json()) as {
          nodes: Array<{ alive: boolean }>;
        };
        return listed.nodes.filter((x) => x.alive).length === 3;
      },
      { timeoutMs: 15_000 },
    );
    await publisher.kill();
  });
});

/** Each lifecycle event of the stream arrived, and under one event id only. */
function assertOnce(webhook: WebhookReceiver, streamId: string, names: string[]): void {
  const events = webhook.all.filter((e) => e.envelope?.detail?.stream_id === streamId);
  for (const name of names) {
    const ids = new Set(events.filter((e) => e.envelope?.detail?.event_name === name).map((e) => e.id));
    assert.equal(ids.size, 1, `${name} once for ${streamId} (ids: ${[...ids].join(', ')})`);
  }
}
