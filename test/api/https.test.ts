// The HTTPS listener (--https-port): HTTP/2 negotiated by ALPN for health, the signed IVS API and LL-HLS
// playback of a live LOW channel (multivariant, media playlist, a part), HTTP/1.1 over TLS for clients
// without h2 (the AWS SDK's default handler, https.get), and a prompt drain with HTTP/2 sessions open.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { get as httpsGet } from 'node:https';
import { CreateChannelCommand, ListChannelsCommand, type Channel } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { signHeaders } from '../helpers/http.js';
import { pollUntil, publish, rtmpUrl, type MediaPlaylist, type Running } from '../helpers/live.js';
import { useServer } from '../helpers/use-server.js';

interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function h2Request(
  session: ClientHttp2Session,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': init.method ?? 'GET', ':path': path, ...init.headers });
    const timer = setTimeout(() => stream.close(), 10_000);
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      headers = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks) });
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.end(init.body);
  });
}

function connectH2(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.once('connect', () => {
      session.off('error', reject);
      resolve(session);
    });
    session.once('error', reject);
  });
}

function httpsGetText(url: string): Promise<{ status: number; httpVersion: string; text: string }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          httpVersion: res.httpVersion,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('HTTPS listener: HTTP/2 and HTTP/1.1 over TLS', { timeout: 90_000 }, () => {
  const { server, client } = useServer({
    https: true,
    args: ({ httpsPort }) => ['--playback-base-url', `https://127.0.0.1:${httpsPort}`],
  });
  const ivs = client({ https: true });
  let session: ClientHttp2Session;
  let channel: Channel;
  let publisher: Running | undefined;

  before(async () => {
    session = await connectH2(server.httpsPort!);
  });
  after(() => session?.destroy());

  it('negotiates h2 and serves the health check over HTTP/2', async () => {
    assert.equal(session.alpnProtocol, 'h2');
    const res = await h2Request(session, '/_openivs/health');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), { status: 'ok' });
    assert.equal(res.headers.connection, undefined, 'no connection-specific headers over HTTP/2');
  });

  it('serves the player page over HTTP/2', async () => {
    const res = await h2Request(
      session,
      `/_openivs/player?url=${encodeURIComponent(`https://127.0.0.1:${server.httpsPort!}/x.m3u8`)}`,
    );
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
  });

  it('answers a SigV4-signed API call over HTTP/2 (host taken from :authority)', async () => {
    const body = JSON.stringify({});
    const signed = await signHeaders({ port: server.httpsPort! }, { path: '/ListChannels', body });
    // HTTP/2 clients send :authority instead of host; the signature covers host, so the server must map it.
    const { host, ...headers } = signed;
    assert.equal(host, `127.0.0.1:${server.httpsPort!}`);
    const res = await h2Request(session, '/ListChannels', { method: 'POST', headers, body });
    assert.equal(res.status, 200, res.body.toString('utf8'));
    assert.ok(Array.isArray(JSON.parse(res.body.toString('utf8')).channels));
    assert.ok(res.headers['x-amzn-requestid'], 'request id header');

    const unsigned = await h2Request(session, '/ListChannels', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(unsigned.status, 403, 'unsigned requests are refused over HTTP/2 as well');
  });

  it('the AWS SDK works against the HTTPS port (HTTP/1.1 over TLS)', async () => {
    const out = await ivs.send(
      new CreateChannelCommand({ name: 'https-low', type: 'BASIC', latencyMode: 'LOW', insecureIngest: true }),
    );
    channel = out.channel!;
    assert.ok(channel.playbackUrl!.startsWith(`https://127.0.0.1:${server.httpsPort!}/api/video/v1/`), channel.playbackUrl);
    const list = await ivs.send(new ListChannelsCommand({}));
    assert.ok(list.channels!.some((c) => c.arn === channel.arn));
    publisher = publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: 30 });
  });

  it('plays a live LOW channel over HTTP/2: multivariant, LL-HLS media playlist and a part', { timeout: 45_000 }, async () => {
    assert.ok(channel, 'channel created by the previous test');
    const path = new URL(channel.playbackUrl!).pathname;
    const multivariant = await pollUntil(
      'multivariant playlist 200 over h2',
      async () => {
        const r = await h2Request(session, path);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 25_000 },
    );
    assert.equal(multivariant.headers['content-type'], 'application/vnd.apple.mpegurl');
    assert.equal(multivariant.headers['access-control-allow-origin'], '*');
    const master = HLS.parse(multivariant.body.toString('utf8'));
    assert.ok(master.isMasterPlaylist);
    const variant = (master as { variants: Array<{ uri: string }> }).variants[0]!;
    const mediaUrl = new URL(variant.uri, channel.playbackUrl);

    const media = await pollUntil(
      'a media playlist with a complete part',
      async () => {
        const r = await h2Request(session, mediaUrl.pathname + mediaUrl.search);
        if (r.status !== 200) return undefined;
        const p = HLS.parse(r.body.toString('utf8')) as MediaPlaylist;
        const parts = p.segments.flatMap((s) => (s.parts ?? []).filter((x) => !x.hint));
        return parts.length > 0 ? { text: r.body.toString('utf8'), parts } : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.match(media.text, /^#EXT-X-PART-INF:PART-TARGET=/m, 'LL-HLS playlist');
    assert.match(media.text, /CAN-BLOCK-RELOAD=YES/);

    const partUrl = new URL(media.parts[media.parts.length - 1]!.uri, mediaUrl);
    const part = await h2Request(session, partUrl.pathname);
    assert.equal(part.status, 200);
    assert.equal(part.headers['content-type'], 'video/mp2t');
    assert.equal(Number(part.headers['content-length']), part.body.length);
    assert.ok(part.body.length > 0 && part.body.length % 188 === 0, `whole TS packets, got ${part.body.length}`);
    assert.equal(part.body[0], 0x47, 'TS sync byte');

    const head = await h2Request(session, partUrl.pathname, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0, 'HEAD has no body');
  });

  it('still serves HTTP/1.1 over TLS (health and playback)', async () => {
    const health = await httpsGetText(`https://127.0.0.1:${server.httpsPort!}/_openivs/health`);
    assert.equal(health.status, 200);
    assert.equal(health.httpVersion, '1.1');
    const mv = await httpsGetText(channel.playbackUrl!);
    assert.equal(mv.status, 200, mv.text);
    assert.match(mv.text, /^#EXTM3U/);
  });

  it('stops promptly with an HTTP/2 session open (GOAWAY, exit 0)', async () => {
    await publisher?.kill();
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const started = Date.now();
    const exit = await server.stop();
    assert.equal(exit.code, 0, server.logs());
    assert.ok(Date.now() - started < 4_000, `stopped in ${Date.now() - started} ms`);
    await goaway;
  });
});
