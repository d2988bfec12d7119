// The origin pull of a node that does not own a stream (src/media/deliver/origin-pull.ts), served by a real HTTP
// server and fetched with fetch(), its upstream another real HTTP server that plays the owner and counts what it is
// asked: identical concurrent requests become one upstream request (the viewer's `vs` left out), an immutable object
// is pulled once for the window, refusals pass through uncached, multivariant playlists are forwarded one by one with
// the viewer's token, a dead owner is a 503; the viewers counted here are those with an authentic `vs`.
// And the node API (src/cluster/node-api.ts) refuses requests without a valid cluster signature.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OriginPull } from '../../src/media/deliver/origin-pull.js';
import { accessFromWire, accessToWire, type StreamAccess } from '../../src/media/deliver/stream-access.js';
import { ViewerSessions } from '../../src/media/deliver/auth/viewer-session.js';
import { PeerClient } from '../../src/cluster/peer-client.js';
import { handleNodeApi } from '../../src/cluster/node-api.js';
import { ReplayGuard } from '../../src/cluster/auth.js';

const KEY = 'us-west-2.000000000000.channel.abcdefghijkl';
const STREAM = 'st-1ABCDEFGHIJKLMNOPQRSTUV';
const SECRET = 'unit-cluster-secret-0123456789abcdef';
const ACCESS: StreamAccess = {
  playbackKey: KEY,
  streamId: STREAM,
  channel: {
    arn: 'arn:aws:ivs:us-west-2:000000000000:channel/abcdefghijkl',
    account: '000000000000',
    region: 'us-west-2',
    authorized: true,
    restriction: {
      arn: 'arn:aws:ivs:us-west-2:000000000000:playback-restriction-policy/abcdefghijkl',
      origins: ['https://*.example.com'],
      strictOrigin: true,
      countries: new Set(['NL', 'US']),
    },
  },
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('origin pull from the owner node', () => {
  const asked: string[] = [];
  let owner: { server: Server; url: string };
  let edge: { server: Server; url: string };
  let ownerUrl: string | undefined;
  const sessions = new ViewerSessions(randomBytes(32));
  let pull: OriginPull;
  let clock = Date.now();
  const peers = new PeerClient(SECRET);

  before(async () => {
    owner = await listen((req, res) => {
      asked.push(req.url!);
      assert.ok(typeof req.headers['x-openivs-cluster-auth'] === 'string', 'pulls are signed');
      const url = req.url!;
      const reply = (status: number, body: string, type = 'application/vnd.apple.mpegurl') =>
        setTimeout(() => res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*' }).end(body), 150);
      if (url.includes('/missing/')) return reply(404, '[{"error_code":"not_found"}]', 'application/json');
      if (url.endsWith('.ts')) return reply(200, `segment ${url}`, 'video/mp2t');
      if (url.includes('.m3u8?') || url.endsWith('.m3u8')) return reply(200, `#EXTM3U\n# ${url}\n`);
      return reply(200, `#EXTM3U\n# multivariant ${url}\n`);
    });
    ownerUrl = owner.url;
    pull = new OriginPull({
      ownerUrl: (key) => (key === KEY ? ownerUrl : undefined),
      fetch: (base, path, headers) => peers.request(base, path, { headers, timeoutMs: 2_000 }),
      viewerSessions: sessions,
      clientAddress: (req) => req.socket?.remoteAddress,
      now: () => clock,
    });
    edge = await listen((req, res) => {
      const [path, query = ''] = req.url!.split('?') as [string, string?];
      const kind = path.endsWith('.ts')
        ? 'immutable'
        : path.endsWith('.m3u8') && path.split('/').length > 6
          ? 'media'
          : 'multivariant';
      const route =
        kind === 'multivariant'
          ? ({ kind, playbackKey: KEY } as const)
          : ({ kind, playbackKey: KEY, streamId: STREAM, rendition: 'source' } as const);
      pull.handle(req, res, req.method === 'HEAD', path, query, route);
    });
  });

  after(() => {
    peers.close();
    owner.server.close();
    edge.server.close();
  });

  const base = `/api/video/v1/${KEY}/${STREAM}`;

  it('coalesces identical concurrent media-playlist requests of different viewers into one upstream request', async () => {
    asked.length = 0;
    const ids = [0, 1, 2, 3, 4].map(() => sessions.mint(`${KEY}/${STREAM}`, Date.now()));
    const bodies = await Promise.all(
      ids.map(async (vs) => (await fetch(`${edge.url}${base}/source.m3u8?vs=${vs}&_HLS_msn=5`)).text()),
    );
    assert.equal(asked.length, 1, `one upstream request, got ${asked.join(' ')}`);
    assert.ok(!asked[0]!.includes('vs='), 'the viewer id stays on this node');
    assert.ok(asked[0]!.includes('_HLS_msn=5'), 'the blocking-reload query is forwarded');
    for (const body of bodies) assert.equal(body, bodies[0]);
  });

  it('pulls an immutable segment once for the window; refusals pass through and are not kept', async () => {
    asked.length = 0;
    const first = await fetch(`${edge.url}${base}/source/7.ts`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'video/mp2t');
    assert.equal(first.headers.get('access-control-allow-origin'), '*');
    await first.arrayBuffer();
    const again = await Promise.all([1, 2, 3].map(async () => (await fetch(`${edge.url}${base}/source/7.ts`)).text()));
    assert.deepEqual(
      again,
      [1, 2, 3].map(() => `segment ${base}/source/7.ts`),
    );
    assert.equal(asked.length, 1);
    for (let i = 0; i < 2; i++) {
      const missing = await fetch(`${edge.url}/api/video/v1/${KEY}/missing/x/1.ts`);
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /not_found/);
    }
    assert.equal(asked.length, 3, 'a 404 is pulled again, never cached');
  });

  it('forwards each multivariant request with its token; a dead owner answers 503', async () => {
    asked.length = 0;
    await Promise.all([1, 2].map(async () => (await fetch(`${edge.url}/api/video/v1/${KEY}.m3u8?token=abc`)).text()));
    assert.equal(asked.length, 2, 'per-viewer playlists are not shared');
    assert.ok(asked.every((u) => u.endsWith('?token=abc')));
    ownerUrl = 'http://127.0.0.1:1';
    const dead = await fetch(`${edge.url}${base}/source/8.ts`);
    assert.equal(dead.status, 503);
    await dead.arrayBuffer();
    ownerUrl = owner.url;
  });

  it('counts viewers with an authentic vs only', async () => {
    const arn = 'arn:aws:ivs:us-west-2:000000000000:channel/abcdefghijkl';
    const good = sessions.mint(`${KEY}/${STREAM}`, clock);
    const forged = new ViewerSessions(randomBytes(32)).mint(`${KEY}/${STREAM}`, clock);
    // A session counts after 3 media-playlist requests spanning 4 s (registry/viewers.ts): a player's reloads.
    for (let i = 0; i < 3; i++) {
      for (const vs of [good, forged]) await (await fetch(`${edge.url}${base}/source.m3u8?vs=${vs}`)).text();
      clock += 2_500;
    }
    assert.deepEqual(
      pull.viewerCounts((a) => a === arn),
      { [arn]: 1 },
    );
    assert.deepEqual(
      pull.viewerCounts(() => false),
      {},
    );
  });
});

describe('node API', () => {
  it('refuses requests without a valid cluster signature, answers signed ones', async () => {
    const local = {
      liveViews: () => [],
      viewerCounts: () => ({ x: 1 }),
      stop: () => Promise.resolve(true),
      putMetadata: () => Promise.resolve(true),
      insertAdBreak: () => Promise.resolve(true),
      access: (key: string) => (key === KEY ? accessToWire(ACCESS) : undefined),
    };
    const deps = { secret: SECRET, replay: new ReplayGuard(), local };
    const { server, url } = await listen((req, res) => {
      const [path, query = ''] = req.url!.split('?') as [string, string?];
      void handleNodeApi(deps, req, res, path, query);
    });
    try {
      const unsigned = await fetch(`${url}/_openivs/node/live?channel=x`);
      assert.equal(unsigned.status, 403);
      assert.equal(unsigned.headers.get('x-amzn-errortype'), 'AccessDeniedException');
      await unsigned.arrayBuffer();
      const wrong = new PeerClient('another-secret-0123456789abcdef-xyz');
      const bad = await wrong.request(url, '/_openivs/node/stop', { method: 'POST', body: '{"channelArn":"x"}' });
      assert.equal(bad.status, 403);
      assert.match(bad.body.toString(), /bad-signature/);
      wrong.close();
      const peers = new PeerClient(SECRET);
      const ok = await peers.request(url, '/_openivs/node/live?channel=x');
      assert.equal(ok.status, 200);
      assert.deepEqual(JSON.parse(ok.body.toString()), { streams: [], viewers: { x: 1 } });
      const stop = await peers.request(url, '/_openivs/node/stop', { method: 'POST', body: '{"channelArn":"x"}' });
      assert.deepEqual(JSON.parse(stop.body.toString()), { done: true });
      // The access snapshot a serving node checks viewers with: the same restriction after the trip, 404 when not live.
      const access = await peers.request(url, `/_openivs/node/access?key=${KEY}`);
      assert.equal(access.status, 200);
      assert.deepEqual(accessFromWire(JSON.parse(access.body.toString())), ACCESS);
      const none = await peers.request(url, '/_openivs/node/access?key=us-west-2.000000000000.channel.other');
      assert.equal(none.status, 404);
      const unsignedAccess = await fetch(`${url}/_openivs/node/access?key=${KEY}`);
      assert.equal(unsignedAccess.status, 403);
      await unsignedAccess.arrayBuffer();
      peers.close();
    } finally {
      server.close();
    }
  });
});
