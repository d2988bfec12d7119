// Private channels end to end: a LOW-latency fMP4 BASIC channel with `authorized: true`, a P-384 key pair made here
// and imported with ImportPlaybackKeyPair, ffmpeg publishing, tokens minted with jose. A valid token opens the
// multivariant playlist and everything behind it (media playlist, blocking reload, init, segments, parts; ffprobe
// reads it); bad tokens (none, expired, other channel, unknown key, HS256 keyed with the public key, alg none,
// tampered, no exp, exp too far with a viewer id), origin rules, single use, stripped or guessed credential URLs are
// refused with IVS's 403 JSON body; StartViewerSessionRevocation and DeletePlaybackKeyPair cut existing sessions off
// within seconds. The its share one broadcast and run in order.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import {
  CreateChannelCommand,
  DeletePlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  StartViewerSessionRevocationCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { SignJWT } from 'jose';
import { useServer } from '../helpers/use-server.js';
import {
  get,
  pollUntil,
  publish,
  rtmpUrl,
  run,
  type Fetched,
  type MasterPlaylist,
  type MediaPlaylist,
  type Running,
} from '../helpers/live.js';

const PUBLISH_SECONDS = 45;
const nowS = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

interface Opened {
  res: Fetched;
  master: MasterPlaylist;
  mediaUrl: string;
}

describe('live: private channel playback', { timeout: 120_000 }, () => {
  const { server, ivs } = useServer();
  let channel: Channel;
  let other: Channel;
  let keyPairArn: string;
  let publisher: Running;
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const sign = (claims: Record<string, unknown> = {}, opts: { key?: KeyObject; exp?: number | null } = {}) => {
    const jwt = new SignJWT({ 'aws:channel-arn': channel.arn, ...claims }).setProtectedHeader({ alg: 'ES384', typ: 'JWT' });
    if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? nowS() + 300);
    return jwt.sign(opts.key ?? keys.privateKey);
  };
  const withToken = (token: string) => `${channel.playbackUrl}?token=${token}`;
  const fetchWith = (url: string, origin?: string) => get(url, origin ? { headers: { origin } } : {});

  async function open(token: string, origin?: string): Promise<Opened> {
    const res = await fetchWith(withToken(token), origin);
    assert.equal(res.status, 200, `multivariant: ${res.text}`);
    const master = HLS.parse(res.text) as MasterPlaylist;
    return { res, master, mediaUrl: new URL(master.variants[0]!.uri, channel.playbackUrl).href };
  }

  async function media(url: string, origin?: string): Promise<MediaPlaylist> {
    const res = await fetchWith(url, origin);
    assert.equal(res.status, 200, `media playlist ${url}: ${res.text}`);
    return HLS.parse(res.text) as MediaPlaylist;
  }

  /** A 403 with IVS's JSON array body, the error matching `message`, and the token nowhere in it. */
  function assertRefused(res: Fetched, message: RegExp, token?: string): void {
    assert.equal(res.status, 403, res.text);
    const body = JSON.parse(res.text) as Array<Record<string, string>>;
    assert.equal(body.length, 1);
    assert.equal(body[0]!.error_code, 'invalid_playback_auth_token');
    assert.equal(body[0]!.type, 'error');
    assert.match(body[0]!.error!, message);
    // Neither the token nor any of its parts (a part may be empty, as alg none's signature).
    for (const part of token ? [token, ...token.split('.')].filter((p) => p.length > 8) : []) {
      assert.ok(!res.text.includes(part), 'the token is not echoed');
    }
  }

  before(async () => {
    const created = await ivs.send(
      new CreateChannelCommand({
        name: 'private',
        type: 'BASIC',
        latencyMode: 'LOW',
        containerFormat: 'FRAGMENTED_MP4',
        insecureIngest: true,
        authorized: true,
      }),
    );
    channel = created.channel!;
    other = (await ivs.send(new CreateChannelCommand({ name: 'other', authorized: true }))).channel!;
    keyPairArn = (await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: publicPem, name: 'viewers' }))).keyPair!
      .arn!;
    publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds: PUBLISH_SECONDS });
  });

  it('a valid token opens the multivariant playlist and everything behind it; ffprobe plays it', async () => {
    const token = await sign();
    const opened = await pollUntil(
      'private multivariant 200',
      async () => {
        const res = await get(withToken(token));
        if (res.status === 404) return undefined;
        return res;
      },
      { timeoutMs: 20_000 },
    );
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.headers.get('access-control-allow-origin'), '*', 'no origin claim: any origin');
    const { master, mediaUrl } = await open(token);
    assert.match(master.variants[0]!.uri, /\/a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\/[a-z0-9]+\.m3u8\?vs=/);
    const playlist = await pollUntil('two segments', async () => {
      const p = await media(mediaUrl);
      return p.segments.length >= 2 ? p : undefined;
    });
    const segment = playlist.segments[0]!;
    for (const uri of [segment.uri, segment.map.uri, segment.parts?.[0]?.uri ?? playlist.segments[1]!.parts[0]!.uri]) {
      const res = await fetch(new URL(uri, mediaUrl), { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200, `${uri} behind the credential`);
      await res.arrayBuffer();
    }
    // A blocking reload for the next part is held and answered under the same credential.
    const last = playlist.segments[playlist.segments.length - 1]!;
    const msn = (playlist.mediaSequenceBase ?? 0) + playlist.segments.length - 1;
    const blocking = await get(`${mediaUrl}&_HLS_msn=${msn}&_HLS_part=${last.parts?.length ?? 0}`);
    assert.equal(blocking.status, 200, blocking.text);
    const probe = await run('ffprobe', [
      '-v',
      'error',
      '-rw_timeout',
      '10000000',
      '-show_streams',
      '-of',
      'json',
      withToken(token),
    ]).exited;
    assert.equal(probe.code, 0, probe.stderr);
    assert.ok(
      JSON.parse(probe.stdout).streams.some((s: { codec_type: string }) => s.codec_type === 'video'),
      probe.stdout,
    );
  });

  it('refuses a missing, expired, foreign, unknown-key, HS256, alg-none, tampered or exp-less token', async () => {
    assertRefused(await get(channel.playbackUrl!), /token is required/);
    const good = await sign();
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const cases: Array<[string, string, RegExp]> = [
      ['expired', await sign({}, { exp: nowS() - 5 }), /expired/],
      ['other channel', await sign({ 'aws:channel-arn': other.arn }), /channel-arn/],
      ['unknown key', await sign({}, { key: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey }), /signature/],
      [
        'HS256 keyed with the public key',
        await new SignJWT({ 'aws:channel-arn': channel.arn })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(publicPem)),
        /algorithm/,
      ],
      [
        'alg none',
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ 'aws:channel-arn': channel.arn, exp: nowS() + 300 })}.`,
        /algorithm|malformed/,
      ],
      [
        'tampered payload',
        `${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), exp: nowS() + 9999 })}.${signature}`,
        /signature/,
      ],
      ['no exp', await sign({}, { exp: null }), /exp/],
      ['viewer id with exp beyond 10 minutes', await sign({ 'aws:viewer-id': 'v' }, { exp: nowS() + 3600 }), /10 minutes/],
      ['two segments', `${header}.${payload}`, /invalid number of segments/],
    ];
    for (const [what, token, message] of cases) {
      const res = await get(withToken(token));
      assert.equal(res.status, 403, `${what}: ${res.text}`);
      assertRefused(res, message, token);
    }
  });

  it('enforces and reflects allowed origins, strictly behind the multivariant when asked', async () => {
    const token = await sign({ 'aws:access-control-allow-origin': 'https://app.example.com,https://*.example.org' });
    const exact = await open(token, 'https://app.example.com');
    assert.equal(exact.res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(exact.res.headers.get('vary') ?? '', /origin/i);
    const wild = await open(token, 'https://www.example.org');
    assert.equal(wild.res.headers.get('access-control-allow-origin'), 'https://www.example.org');
    assertRefused(await fetchWith(withToken(token), 'https://evil.test'), /Origin is not allowed/);
    assertRefused(await get(withToken(token)), /no Origin header/);
    // Not strict: media requests without Origin still play (and get no CORS grant).
    assert.equal((await fetchWith(exact.mediaUrl)).status, 200);

    const strict = await sign({
      'aws:access-control-allow-origin': 'https://*.example.org',
      'aws:strict-origin-enforcement': true,
    });
    const session = await open(strict, 'https://www.example.org');
    const playlist = await media(session.mediaUrl, 'https://www.example.org');
    const segmentUrl = new URL(playlist.segments[0]!.uri, session.mediaUrl).href;
    const allowed = await fetchWith(segmentUrl, 'https://cdn.example.org');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://cdn.example.org');
    assertRefused(await fetchWith(segmentUrl), /strict-origin-enforcement/);
    const preflight = await fetch(segmentUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://www.example.org', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 204, 'CORS preflight still answered');
    assert.ok(preflight.headers.get('access-control-allow-origin'));
    assertRefused(await fetchWith(session.mediaUrl, 'https://evil.test'), /strict-origin-enforcement/);
  });

  it('a single-use token opens one multivariant playlist', async () => {
    const token = await sign({ 'aws:single-use-uuid': randomUUID() });
    await open(token);
    assertRefused(await get(withToken(token)), /already been used/);
  });

  it('stripped, guessed or transplanted credential URLs are refused', async () => {
    const { mediaUrl } = await open(await sign());
    const url = new URL(mediaUrl);
    const m = /^(.*\/st-[A-Za-z0-9]+\/)(a\.[^/]+)\/(.*)$/.exec(url.pathname)!;
    const [, prefix, credential, rest] = m as unknown as [string, string, string, string];
    const playlist = await media(mediaUrl);
    const segmentPath = new URL(playlist.segments[0]!.uri, mediaUrl).pathname;
    const at = (path: string) => get(`${url.origin}${path}`);
    assertRefused(await at(`${prefix}${rest}`), /private/);
    assertRefused(await at(segmentPath.replace(`${credential}/`, '')), /private/);
    const flipped = credential.slice(0, -1) + (credential.endsWith('A') ? 'B' : 'A');
    assertRefused(await at(`${prefix}${flipped}/${rest}`), /invalid/);
    assertRefused(await at(`${prefix}a.e30.AAAA/${rest}`), /invalid/);
    // The same credential on another stream id of the channel (a guessed URL) is refused too.
    // Another stream id with the same credential: no such stream (404) before any credential question.
    const guessed = await at(`${prefix.replace(/st-[A-Za-z0-9]+/, 'st-Guessed0000')}${credential}/${rest}`);
    assert.ok(guessed.status === 404 || guessed.status === 403, `guessed stream: ${guessed.status}`);
  });

  it('revoking a viewer session cuts off versions at or below it within seconds, not later versions', async () => {
    const v1 = await open(await sign({ 'aws:viewer-id': 'alice', 'aws:viewer-session-version': 1 }));
    const v5 = await open(await sign({ 'aws:viewer-id': 'alice', 'aws:viewer-session-version': 5 }));
    await media(v1.mediaUrl);
    const t0 = Date.now();
    await ivs.send(
      new StartViewerSessionRevocationCommand({
        channelArn: channel.arn,
        viewerId: 'alice',
        viewerSessionVersionsLessThanOrEqualTo: 3,
      }),
    );
    const refused = await pollUntil(
      'the revoked session refused',
      async () => {
        const res = await get(v1.mediaUrl);
        return res.status === 403 ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assertRefused(refused, /revoked/);
    console.log(`# revocation took effect on media requests after ${Date.now() - t0} ms`);
    assert.equal((await get(v5.mediaUrl)).status, 200, 'version 5 keeps playing');
    assertRefused(await get(withToken(await sign({ 'aws:viewer-id': 'alice', 'aws:viewer-session-version': 3 }))), /revoked/);
  });

  it('deleting the key pair refuses new tokens and ends existing sessions within seconds', async () => {
    const token = await sign();
    const session = await open(token);
    await media(session.mediaUrl);
    const t0 = Date.now();
    await ivs.send(new DeletePlaybackKeyPairCommand({ arn: keyPairArn }));
    const refused = await pollUntil(
      'the session refused',
      async () => {
        const res = await get(session.mediaUrl);
        return res.status === 403 ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assertRefused(refused, /deleted/);
    console.log(`# key pair deletion took effect on media requests after ${Date.now() - t0} ms`);
    assertRefused(await get(withToken(token)), /no longer exists|no playback key pair/);
    assert.ok(!publisher.done(), 'the broadcast outlived the checks');
    assert.ok(!server.logs().includes(token.split('.')[2]!), 'no token in the server logs');
  });
});
