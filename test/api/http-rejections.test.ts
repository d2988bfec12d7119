// Requests the HTTP layer refuses before any operation is known still get the API's JSON error shape
// (x-amzn-ErrorType, x-amzn-RequestId, {"message","exceptionMessage"}) on both listeners (issue 10,
// defect 7): header blocks over 16 KiB and more headers than the limit are 431, malformed chunked
// encoding, bad request lines and a missing Host 400, CONNECT 405, an unknown Expect 417, bodies over
// 1 MiB 413, and a client trickling its headers is cut with a 408 instead of holding the connection
// for minutes. Raw TCP and TLS sockets, since no
// HTTP client library sends such requests; HTTP/2 through node:http2's client.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { useServer } from '../helpers/use-server.js';
import { callOperation, h2Exchange } from '../helpers/http.js';

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseResponse(raw: Buffer): Parsed {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: raw.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/** Writes `parts` (with `gapMs` between them) on a fresh connection and reads until the server closes it. */
function exchange(open: () => Socket, parts: (string | Buffer)[], gapMs = 0, timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = open();
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a reset after the answer is fine; what was read is judged
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    let i = 0;
    const next = () => {
      if (i >= parts.length || socket.destroyed) return;
      socket.write(parts[i++]!);
      if (i < parts.length) setTimeout(next, gapMs);
    };
    socket.once((socket as { encrypted?: boolean }).encrypted ? 'secureConnect' : 'connect', next);
  });
}

function expectJsonError(res: Parsed, status: number, type: string): void {
  assert.equal(res.status, status, `status: ${JSON.stringify(res)}`);
  assert.equal(res.headers['x-amzn-errortype'], type, JSON.stringify(res.headers));
  assert.ok(res.headers['x-amzn-requestid'], 'x-amzn-RequestId');
  assert.match(res.headers['content-type'] ?? '', /application\/json/);
  const body = JSON.parse(res.body) as { message?: unknown; exceptionMessage?: unknown };
  assert.equal(typeof body.message, 'string', res.body);
  assert.equal(typeof body.exceptionMessage, 'string', res.body);
}

const HOST = 'host: 127.0.0.1\r\n';
const manyHeaders = (n: number, size = 1) => Array.from({ length: n }, (_, i) => `x-h${i}: ${'v'.repeat(size)}\r\n`).join('');

/** Requests the parser or the header limits refuse, with the answer each must get. */
const REFUSED: { name: string; request: string; status: number; type: string }[] = [
  {
    name: 'a 20 KB header',
    request: `POST /ListChannels HTTP/1.1\r\n${HOST}x-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    status: 431,
    type: 'RequestHeaderFieldsTooLargeException',
  },
  {
    name: '1,000 headers (over 16 KiB)',
    request: `POST /ListChannels HTTP/1.1\r\n${HOST}${manyHeaders(1000, 20)}\r\n`,
    status: 431,
    type: 'RequestHeaderFieldsTooLargeException',
  },
  {
    name: '300 small headers',
    request: `POST /ListChannels HTTP/1.1\r\n${HOST}${manyHeaders(300)}content-length: 0\r\nconnection: close\r\n\r\n`,
    status: 431,
    type: 'RequestHeaderFieldsTooLargeException',
  },
  {
    name: 'a malformed chunk size',
    request: `POST /ListChannels HTTP/1.1\r\n${HOST}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    status: 400,
    type: 'BadRequestException',
  },
  { name: 'a bad method', request: `G@T /ListChannels HTTP/1.1\r\n${HOST}\r\n`, status: 400, type: 'BadRequestException' },
  {
    name: 'a control character in the URL',
    request: `GET /List\u0001Channels HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    type: 'BadRequestException',
  },
  {
    name: 'CONNECT (node would drop the socket without a word)',
    request: `CONNECT 127.0.0.1:443 HTTP/1.1\r\n${HOST}\r\n`,
    status: 405,
    type: 'MethodNotAllowedException',
  },
  {
    name: 'HTTP/1.1 without Host',
    request: 'POST /ListChannels HTTP/1.1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n',
    status: 400,
    type: 'BadRequestException',
  },
  {
    name: 'an Expect other than 100-continue',
    request: `POST /ListChannels HTTP/1.1\r\n${HOST}expect: nonsense\r\n` + 'content-length: 2\r\nconnection: close\r\n\r\n{}',
    status: 417,
    type: 'ExpectationFailedException',
  },
  {
    name: 'a repeated Host header',
    request: `POST /ListChannels HTTP/1.1\r\n${HOST}${HOST}content-length: 0\r\nconnection: close\r\n\r\n`,
    status: 400,
    type: 'BadRequestException',
  },
  {
    name: 'a repeated Authorization header',
    request:
      `POST /ListChannels HTTP/1.1\r\n${HOST}authorization: a\r\nauthorization: b\r\n` +
      'content-length: 0\r\nconnection: close\r\n\r\n',
    status: 400,
    type: 'BadRequestException',
  },
  {
    name: 'content-length and chunked together',
    request:
      `POST /ListChannels HTTP/1.1\r\n${HOST}content-length: 2\r\n` + 'transfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    status: 400,
    type: 'BadRequestException',
  },
];

describe('HTTP-level refusals carry the API error shape', { timeout: 120_000 }, () => {
  const { server } = useServer({ https: true });

  const plain = () => netConnect(server.port, '127.0.0.1');
  const tls = () =>
    tlsConnect({ port: server.httpsPort!, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });

  for (const [listener, open] of [
    ['HTTP', plain],
    ['HTTPS (HTTP/1.1)', tls],
  ] as const) {
    for (const c of REFUSED) {
      it(`${listener}: ${c.name} is a JSON ${c.status}`, async () => {
        expectJsonError(parseResponse(await exchange(open, [c.request])), c.status, c.type);
      });
    }

    // Over TLS the head arrives in 16 KB records and node names only the last one: not yet recognised as a HEAD.
    it(
      `${listener}: a HEAD request over the header limit gets its 431 without a body`,
      { skip: listener !== 'HTTP' },
      async () => {
        // Found by the playback fuzzer: a body after a HEAD response is read by the client as the next response.
        const raw = (await exchange(open, [`HEAD /?t=${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`])).toString('latin1');
        assert.match(raw, /^HTTP\/1\.1 431 /);
        assert.ok(raw.endsWith('\r\n\r\n'), `bytes after the head: ${JSON.stringify(raw.slice(-80))}`);
      },
    );

    it(`${listener}: a request answered before its body turns out malformed gets that one answer, not two`, async () => {
      // Found by the wire fuzzer: a repeated Host is refused (400) as soon as the head is read; the chunked body's
      // overlong extension then failed the parser, and a 413 followed for the same request, which a client takes
      // for the answer to its next one.
      const request =
        `HEAD /ListChannels HTTP/1.1\r\n${HOST}${HOST}transfer-encoding: chunked\r\n\r\n` +
        `2;${'e'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`;
      const text = (await exchange(open, [request])).toString('latin1');
      const heads = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      assert.deepEqual(heads, [400], text.slice(0, 600));
      assert.ok(text.endsWith('\r\n\r\n'), `a HEAD answer carries no body: ${JSON.stringify(text.slice(-80))}`);
    });

    it(`${listener}: a body over 1 MiB is a JSON 413`, async () => {
      const head =
        `POST /CreateChannel HTTP/1.1\r\n${HOST}content-type: application/json\r\ncontent-length: ${2 * 1024 * 1024}\r\n` +
        'connection: close\r\n\r\n';
      expectJsonError(
        parseResponse(await exchange(open, [head, Buffer.alloc(64 * 1024, 0x20)])),
        413,
        'RequestEntityTooLargeException',
      );
    });

    it(`${listener}: a malformed request after a pipelined one: both get their answers, in order`, async () => {
      // Node's default refusal destroys the socket at once, losing the first answer on TLS (still buffered).
      const first = `POST /ListChannels HTTP/1.1\r\n${HOST}expect: 100-continue\r\ncontent-length: 2\r\n\r\n{}`;
      const raw = await exchange(open, [`${first}G@T / HTTP/1.1\r\n${HOST}\r\n${'e'.repeat(20_000)}`]);
      const text = raw.toString('latin1');
      const heads = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      assert.deepEqual(heads, [100, 403, 400], text.slice(0, 600));
      const last = parseResponse(Buffer.from(text.slice(text.lastIndexOf('HTTP/1.1 400')), 'latin1'));
      expectJsonError(last, 400, 'BadRequestException');
    });

    it(`${listener}: clients closing or resetting mid-body leave the server serving`, async () => {
      // A body cut off by its client is never answered; nothing of such a request may throw or stall what comes after.
      const head = `POST /CreateChannel HTTP/1.1\r\n${HOST}content-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
      await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            new Promise<void>((resolve) => {
              const socket = open();
              socket.on('error', () => undefined);
              socket.on('close', () => resolve());
              socket.once((socket as { encrypted?: boolean }).encrypted ? 'secureConnect' : 'connect', () => {
                socket.write(`${head}{"name":`);
                // A reset (RST) needs a TCP handle: TLS sockets close.
                setTimeout(() => (i % 2 === 0 || listener !== 'HTTP' ? socket.destroy() : socket.resetAndDestroy()), 30);
              });
            }),
        ),
      );
      const ok = await callOperation(server, 'ListChannels', {});
      assert.equal(ok.status, 200, ok.text);
    });

    it(`${listener}: a keep-alive client uploading 2 MiB reads its 413 whole, and the connection serves on`, async () => {
      const size = 2 * 1024 * 1024;
      const head = `POST /CreateChannel HTTP/1.1\r\n${HOST}content-type: application/json\r\ncontent-length: ${size}\r\n\r\n`;
      const next = `GET /_openivs/health HTTP/1.1\r\n${HOST}connection: close\r\n\r\n`;
      const raw = await exchange(open, [head, Buffer.alloc(size, 0x20), next]);
      const first = parseResponse(raw);
      expectJsonError(first, 413, 'RequestEntityTooLargeException');
      const rest = raw.subarray(raw.indexOf('\r\n\r\n') + 4 + Number(first.headers['content-length']));
      assert.equal(parseResponse(rest).status, 200, 'the next request on the same connection is served');
    });
  }

  it('HTTP/2: too many headers, a 20 KB header, CONNECT and a bad Expect get JSON errors; the session keeps serving', async () => {
    const session = await new Promise<ClientHttp2Session>((resolve, reject) => {
      const s = h2Connect(`https://127.0.0.1:${server.httpsPort!}`, { rejectUnauthorized: false });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    try {
      const many: Record<string, string> = {};
      for (let i = 0; i < 300; i++) many[`x-h${i}`] = 'v';
      for (const headers of [many, { 'x-big': 'a'.repeat(20_000) }]) {
        const res = await h2Exchange(session, { ':method': 'POST', ':path': '/ListChannels', ...headers });
        expectJsonError(res, 431, 'RequestHeaderFieldsTooLargeException');
      }
      const connect = await h2Exchange(session, { ':method': 'CONNECT', ':authority': '127.0.0.1:443' });
      expectJsonError(connect, 405, 'MethodNotAllowedException');
      const expect = await h2Exchange(session, { ':method': 'POST', ':path': '/ListChannels', expect: 'nonsense' });
      expectJsonError(expect, 417, 'ExpectationFailedException');
      const health = await h2Exchange(session, { ':path': '/_openivs/health' });
      assert.equal(health.status, 200);
    } finally {
      session.destroy();
    }
  });

  it('a client trickling its headers is cut with a JSON 408 while others are served', async () => {
    const started = Date.now();
    const slow = exchange(
      plain,
      ['POST /ListChannels HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `x-slow${i}: 1\r\n`)],
      1000,
      40_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const other = await callOperation(server, 'ListChannels', {});
    assert.equal(other.status, 200, 'the server serves others meanwhile');
    const res = parseResponse(await slow);
    expectJsonError(res, 408, 'RequestTimeoutException');
    const took = Date.now() - started;
    assert.ok(took < 25_000, `slow headers were cut after ${took} ms`);
  });

  it('the server still answers ordinary requests on both listeners', async () => {
    const ok = await callOperation(server, 'ListChannels', {});
    assert.equal(ok.status, 200, ok.text);
    const health = parseResponse(await exchange(tls, [`GET /_openivs/health HTTP/1.1\r\n${HOST}connection: close\r\n\r\n`]));
    assert.equal(health.status, 200);
  });
});
