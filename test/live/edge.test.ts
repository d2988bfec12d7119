// The shipped edge (deploy/varnish-openivs.vcl in Debian's varnishd) in front of one openivs node, with real clients:
// ffmpeg publishes, simulated LL-HLS viewers (devtools/viewer-sim.ts, each from its own 127.x address) and fetch play
// through the edge. Checked: the cache policy of every kind of playback response; 200 viewers cost the origin about
// one request per part (not per viewer) and viewerCount stays within 5% of 200; a private channel plays through the
// edge with a token, is refused without one or with a forged credential (even for what the edge holds), and two
// viewers with different tokens share the edge's copies; a restriction policy with countries holds through the edge;
// and openivs behind a plain nginx proxy_cache keyed on the full URL still plays and counts.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  GetStreamCommand,
  ImportPlaybackKeyPairCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import { SignJWT } from 'jose';
import { freePort } from '../../devtools/server.js';
import { startNginxCache, startVarnish, type Edge } from '../../devtools/edge.js';
import { parseMedia, startViewers, viewerAddress } from '../../devtools/viewer-sim.js';
import { useServer } from '../helpers/use-server.js';
import { get, pollUntil, publish, rtmpUrl, sleep, type Running } from '../helpers/live.js';

const COUNTRY = 'cloudfront-viewer-country';
const VIEWERS = 200;
const edgePort = await freePort();
const edgeUrl = `http://127.0.0.1:${edgePort}`;

/** One loopback address per viewer, 32 per /24 network (the origin's per-address and per-network counting bounds). */
const addressOf = (i: number) => viewerAddress(i, 20);

describe('live: the Varnish edge in front of openivs', { timeout: 300_000 }, () => {
  const { server, ivs } = useServer({
    args: ['--viewer-address-header', 'x-viewer-address', '--viewer-country-header', COUNTRY, '--playback-base-url', edgeUrl],
  });
  let edge: Edge;
  const publishers: Running[] = [];

  const playbackCounts = async (): Promise<Map<string, number>> => {
    const text = (await get(`${server.url}/metrics`)).text;
    const counts = new Map<string, number>();
    for (const m of text.matchAll(/^openivs_playback_requests_total\{kind="([a-z_]+)",status="(\d+)"\} (\d+)/gm)) {
      counts.set(`${m[1]} ${m[2]}`, Number(m[3]));
      counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[3]));
    }
    return counts;
  };
  const originUrl = (url: string) => `${server.url}${new URL(url).pathname}${new URL(url).search}`;

  async function live(input: ConstructorParameters<typeof CreateChannelCommand>[0], seconds: number): Promise<Channel> {
    const created = await ivs.send(new CreateChannelCommand({ type: 'BASIC', insecureIngest: true, ...input }));
    publishers.push(publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds, videoKbps: 500, audioKbps: 64 }));
    return created.channel!;
  }

  /** The first media playlist's URL once the multivariant playlist answers 200 (through the edge). */
  async function mediaUrlOf(playbackUrl: string, headers: Record<string, string> = {}): Promise<string> {
    const res = await pollUntil(
      'multivariant 200',
      async () => {
        const r = await get(playbackUrl, { headers });
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const line = res.text.split('\n').find((l) => l.length > 0 && !l.startsWith('#'))!;
    return new URL(line, playbackUrl).href;
  }

  before(async () => {
    edge = await startVarnish(edgePort, [server.port], 128);
  });
  after(async () => {
    for (const p of publishers) await p.kill();
    await edge?.stop();
  });

  it('says how long a shared cache may keep each kind of response', async () => {
    const channel = await live({ name: 'headers', latencyMode: 'LOW', containerFormat: 'FRAGMENTED_MP4' }, 40);
    const mediaUrl = await mediaUrlOf(channel.playbackUrl!);
    assert.match(mediaUrl, /\?vs=/, 'the viewer session rides on the media playlist URL');
    const direct = await get(originUrl(channel.playbackUrl!));
    assert.equal(direct.headers.get('cache-control'), 'private, no-store', 'multivariant: per viewer, never stored');
    const playlist = await get(originUrl(mediaUrl));
    assert.equal(playlist.headers.get('cache-control'), 'public, max-age=1', 'media playlist');
    const parsed = parseMedia(playlist.text, originUrl(mediaUrl));
    const hint = parsed.hint!;
    const blocking = await get(`${originUrl(mediaUrl)}&_HLS_msn=${hint.msn}&_HLS_part=${hint.part}`);
    assert.equal(blocking.status, 200);
    assert.equal(blocking.headers.get('cache-control'), 'public, max-age=1', 'blocking reload');
    const part = await get(parsed.parts[parsed.parts.length - 1]!.uri);
    assert.equal(part.headers.get('cache-control'), 'public, max-age=604800, immutable', 'part');
    const segment = await get(parsed.segments[0]!.uri);
    assert.equal(segment.headers.get('cache-control'), 'public, max-age=604800, immutable', 'segment');
    const init = await get(new URL('init.mp4', parsed.segments[0]!.uri).href);
    assert.equal(init.status, 200);
    assert.equal(init.headers.get('cache-control'), 'public, max-age=60', 'init section: changes with the tracks');
    const missing = await get(parsed.segments[0]!.uri.replace(/\/\d+\.m4s$/, '/999999.m4s'));
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), 'no-store', 'errors are never stored');
  });

  it(`${VIEWERS} LL-HLS viewers through the edge: about one origin request per part, viewerCount within 5%`, async () => {
    const channel = await live({ name: 'crowd', latencyMode: 'LOW', containerFormat: 'TS' }, 110);
    await mediaUrlOf(channel.playbackUrl!);
    let failures = 0;
    const failed: string[] = [];
    const partsSeen = new Set<string>();
    const perViewer = new Map<number, number>();
    const viewers = startViewers({
      playbackUrl: channel.playbackUrl!,
      count: VIEWERS,
      rampMs: 5_000,
      localAddress: addressOf,
      received: (v, name) => {
        if (!name.includes('.')) return;
        partsSeen.add(name);
        perViewer.set(v, (perViewer.get(v) ?? 0) + 1);
      },
      failed: (_v, url, status) => {
        failures++;
        if (failed.length < 5) failed.push(`${status} ${url}`);
      },
    });
    try {
      await sleep(15_000);
      const before = await playbackCounts();
      const partsBefore = partsSeen.size;
      perViewer.clear();
      await sleep(20_000);
      const after = await playbackCounts();
      const parts = partsSeen.size - partsBefore;
      const originParts = (after.get('part') ?? 0) - (before.get('part') ?? 0);
      const originReloads = (after.get('blocking_reload') ?? 0) - (before.get('blocking_reload') ?? 0);
      const viewerParts = [...perViewer.values()].reduce((a, b) => a + b, 0);
      assert.equal(failures, 0, `failed requests: ${failed.join('; ')}`);
      assert.ok(parts >= 20, `parts published in 20 s: ${parts}`);
      assert.equal(viewers.started, VIEWERS);
      assert.ok(perViewer.size >= VIEWERS * 0.98, `viewers receiving parts: ${perViewer.size}`);
      assert.ok(viewerParts >= parts * VIEWERS * 0.9, `the viewers got ${viewerParts} parts of ${parts * VIEWERS}`);
      // One upstream request per part (a few more when a part is asked for both as a hint and as listed at once).
      assert.ok(originParts <= parts * 2, `origin part requests ${originParts} for ${parts} parts (${VIEWERS} viewers)`);
      // Shared reloads (one per part) plus each viewer's heartbeat (one in 5 segments of 2 s).
      const heartbeats = (VIEWERS * 20) / 10;
      assert.ok(
        originReloads <= parts * 2 + heartbeats * 1.5,
        `origin blocking reloads ${originReloads} for ${parts} parts and ~${heartbeats} heartbeats`,
      );
      // Counted within 20-30 s of joining through the edge; measured 35 s after the ramp.
      const seen: number[] = [];
      const count = await pollUntil(
        'viewerCount within 5%',
        async () => {
          const s = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
          const n = s.stream?.viewerCount ?? 0;
          seen.push(n);
          return Math.abs(n - VIEWERS) <= VIEWERS * 0.05 ? n : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 1_000 },
      ).catch((err: Error) => {
        // The counts read, so a failure says how far off they were (a CI run once failed here with no figure).
        throw new Error(`${err.message}; viewerCount read: ${seen.join(', ')}`);
      });
      assert.ok(Math.abs(count - VIEWERS) <= VIEWERS * 0.05, `viewerCount ${count}`);
      assert.equal(failures, 0, `failed requests: ${failed.join('; ')}`);
    } finally {
      await viewers.stop();
    }
  });

  it('a private channel through the edge: plays with a token, refused without or forged, shared between viewers', async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await ivs.send(
      new ImportPlaybackKeyPairCommand({
        name: 'edge-viewers',
        publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    );
    const channel = await live({ name: 'private', latencyMode: 'LOW', containerFormat: 'TS', authorized: true }, 40);
    const token = () =>
      new SignJWT({ 'aws:channel-arn': channel.arn, 'aws:viewer-id': randomUUID() })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
        .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
        .sign(keys.privateKey);
    const a = await mediaUrlOf(`${channel.playbackUrl}?token=${await token()}`);
    const b = await mediaUrlOf(`${channel.playbackUrl}?token=${await token()}`);
    const credential = (url: string) => /\/(a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\//.exec(url)![1]!;
    assert.notEqual(credential(a), credential(b), 'each token its own session credential');

    const refusedPlain = await get(channel.playbackUrl!);
    assert.equal(refusedPlain.status, 403, 'no token: refused');
    assert.equal((JSON.parse(refusedPlain.text) as Array<{ error_code: string }>)[0]!.error_code, 'invalid_playback_auth_token');

    const playlistA = await get(a);
    assert.equal(playlistA.status, 200, playlistA.text);
    const segmentA = parseMedia(playlistA.text, a).segments[0]!.uri;
    const segmentB = segmentA.replace(credential(a), credential(b));
    const before = await playbackCounts();
    const gotA = await get(segmentA);
    const gotB = await get(segmentB);
    assert.equal(gotA.status, 200);
    assert.equal(gotB.status, 200);
    assert.equal(gotB.text, gotA.text);
    const after = await playbackCounts();
    assert.equal((after.get('segment') ?? 0) - (before.get('segment') ?? 0), 1, 'one origin request serves both viewers');

    // A forged credential (another MAC) for what the edge holds: the origin says no, and so does the edge.
    const mac = credential(a).split('.')[2]!;
    const forged = credential(a).replace(mac, (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1));
    const refused = await get(segmentA.replace(credential(a), forged));
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.text, /credential is invalid/);
    const stripped = await get(segmentA.replace(`${credential(a)}/`, ''));
    assert.equal(stripped.status, 403, 'no credential: refused');
  });

  it('a restriction policy with countries holds through the edge', async () => {
    const policy = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'nl-only', allowedCountries: ['NL'] }));
    const channel = await live(
      {
        name: 'restricted',
        latencyMode: 'NORMAL',
        containerFormat: 'TS',
        playbackRestrictionPolicyArn: policy.playbackRestrictionPolicy!.arn,
      },
      40,
    );
    const nl = { [COUNTRY]: 'NL' };
    const mediaUrl = await mediaUrlOf(channel.playbackUrl!, nl);
    const playlist = await get(mediaUrl, { headers: nl });
    assert.equal(playlist.status, 200, playlist.text);
    assert.match(playlist.headers.get('vary') ?? '', new RegExp(COUNTRY, 'i'), 'the answer varies on the country');
    const segment = parseMedia(playlist.text, mediaUrl).segments[0]!.uri;
    assert.equal((await get(segment, { headers: nl })).status, 200);
    // Now in the edge's cache for NL: other countries and none are still refused.
    const others: Array<Record<string, string>> = [{ [COUNTRY]: 'US' }, {}];
    for (const headers of others) {
      for (const url of [mediaUrl, segment]) {
        const res = await get(url, { headers });
        assert.equal(res.status, 403, `${url} with ${JSON.stringify(headers)}: ${res.text}`);
      }
    }
  });

  it('behind a plain nginx proxy_cache keyed on the full URL, LL-HLS still plays and viewers count', async () => {
    const plainPort = await freePort();
    const plain = await startNginxCache(plainPort, [server.port], false);
    const channel = await live({ name: 'plain-cache', latencyMode: 'LOW', containerFormat: 'TS' }, 60);
    const playbackUrl = `http://127.0.0.1:${plainPort}${new URL(channel.playbackUrl!).pathname}`;
    await mediaUrlOf(playbackUrl);
    let failures = 0;
    const received = new Map<number, number>();
    const viewers = startViewers({
      playbackUrl,
      count: 5,
      localAddress: (i) => addressOf(i + 1000),
      received: (v, name) => {
        if (name.includes('.')) received.set(v, (received.get(v) ?? 0) + 1);
      },
      failed: () => failures++,
    });
    try {
      await sleep(15_000);
      assert.equal(received.size, 5, 'every viewer receives parts');
      for (const [v, n] of received) assert.ok(n >= 15, `viewer ${v}: ${n} parts in 15 s`);
      assert.equal(failures, 0);
      // The cache keys on the viewer session too: every viewer's playlist requests reach the origin and count.
      // (Behind this cache the origin sees the cache's address: one address, well under the per-address bound.)
      const count = await pollUntil(
        'viewerCount 5',
        async () => {
          const s = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
          return s.stream?.viewerCount === 5 ? 5 : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 500 },
      );
      assert.equal(count, 5);
    } finally {
      await viewers.stop();
      await plain.stop();
    }
  });
});
