// Property-based fuzzing of the HTTP/1.1 wire on both listeners (plain TCP and TLS), and of HTTP/2
// streams (generated methods, paths, up to 150 headers, bodies) on one session: generated request
// lines, headers and body framings, well-formed or not (bad methods and targets, odd versions, invalid
// header names and values, obsolete line folding, repeated or conflicting framing headers, chunked
// bodies with bad sizes, extensions and trailers, pipelined requests), sent raw and half-closed.
// Invariants: every answer is a well-formed HTTP/1.1 response, no 5xx, every API error in the JSON error
// shape (x-amzn-ErrorType, x-amzn-RequestId, {"message","exceptionMessage"}), the connection always
// ends (no hang), no stall of the event loop, and the server keeps serving signed API calls.
// Budget: fuzzRuns (FUZZ_SCALE); FUZZ_SEED replays.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import fc from 'fast-check';
import { ListChannelsCommand } from '@aws-sdk/client-ivs';
import { h2Exchange } from '../helpers/http.js';
import { useServer } from '../helpers/use-server.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { StallWatch } from '../helpers/api-fuzz-stalls.js';
import { parseResponses, rawRequestArb, type RawCase } from '../helpers/api-fuzz-http1.js';

const EXCHANGE_TIMEOUT_MS = 15_000;

/** Writes the bytes, half-closes, and reads until the server closes: nothing may leave it hanging. */
function exchange(open: () => Socket, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = open();
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `connection still open after ${EXCHANGE_TIMEOUT_MS} ms; read ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`,
        ),
      );
    }, EXCHANGE_TIMEOUT_MS);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a reset after the answers is judged by what was read
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.once((socket as { encrypted?: boolean }).encrypted ? 'secureConnect' : 'connect', () => socket.end(bytes));
  });
}

describe('HTTP/1.1 and HTTP/2 wire fuzzing on both listeners', { timeout: 300_000 }, () => {
  const { server, ivs } = useServer({ https: true });
  const seed = fuzzSeed();
  const statuses = new Map<number, number>();

  const listeners = {
    http: () => netConnect(server.port, '127.0.0.1'),
    https: () =>
      tlsConnect({ port: server.httpsPort!, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }),
  };

  async function judge(c: RawCase, listener: keyof typeof listeners): Promise<void> {
    const raw = await exchange(listeners[listener], c.bytes);
    const label = `${listener}: ${JSON.stringify(
      c.bytes
        .toString('latin1')
        .replace(/a{100,}/g, (a) => `a×${a.length}`)
        .slice(0, 1500),
    )}`;
    const responses = parseResponses(raw, label, c.methods);
    assert.ok(responses.length > 0 || c.mayGoUnanswered, `no answer at all: ${label}`);
    for (const res of responses) {
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `5xx: ${label} → ${res.status} ${res.body.slice(0, 200)}`);
      if (res.status < 400) continue;
      assert.ok(res.headers['x-amzn-errortype'], `x-amzn-ErrorType: ${label} → ${res.head}`);
      assert.ok(res.headers['x-amzn-requestid'], `x-amzn-RequestId: ${label} → ${res.head}`);
      if (res.headOnly) continue;
      const body = JSON.parse(res.body) as { message?: unknown; exceptionMessage?: unknown };
      assert.equal(typeof body.message, 'string', `${label} → ${res.body}`);
      assert.equal(typeof body.exceptionMessage, 'string', `${label} → ${res.body}`);
    }
  }

  for (const listener of ['http', 'https'] as const) {
    it(`${listener}: every request gets well-formed answers, JSON errors, no 5xx, no hang, no stall`, async () => {
      const stalls = new StallWatch<RawCase>(
        server,
        async (c) => () => judge(c, listener),
        (c) => JSON.stringify(c.bytes.toString('latin1').slice(0, 300)),
      );
      await stalls.start();
      try {
        await fc.assert(
          fc.asyncProperty(rawRequestArb(), async (c) => {
            await judge(c, listener);
            await stalls.ran(c);
          }),
          { numRuns: fuzzRuns(200), seed, endOnFailure: true, includeErrorInReport: true },
        );
        await stalls.close();
      } catch (err) {
        throw new Error(`wire fuzz (${listener}): replay with FUZZ_SEED=${seed}\n${(err as Error).message}`, { cause: err });
      }
    });
  }

  it('HTTP/2: generated headers and bodies on one session get JSON answers, no 5xx, and the session survives', async () => {
    const session = await new Promise<ClientHttp2Session>((resolve, reject) => {
      const s = h2Connect(`https://127.0.0.1:${server.httpsPort!}`, { rejectUnauthorized: false });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const streams = fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'CONNECT', 'G@T'),
      path: fc.constantFrom(
        '/ListChannels',
        '/CreateChannel',
        '/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A0%3Achannel%2Fx',
        '/',
        '/%',
        '/a?b=%ZZ',
      ),
      headers: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.string({ maxLength: 40, unit: 'binary-ascii' }), {
        maxKeys: 150,
      }),
      body: fc.oneof(fc.constant(''), fc.json(), fc.string({ maxLength: 2000 })),
    });
    try {
      await fc.assert(
        fc.asyncProperty(streams, async (r) => {
          const headers: Record<string, string> = { ':method': r.method, ...r.headers };
          if (r.method === 'CONNECT') headers[':authority'] = '127.0.0.1:443';
          else headers[':path'] = r.path;
          let res: { status: number; headers: Record<string, string>; body: string };
          try {
            res = await h2Exchange(session, headers, r.body);
          } catch (err) {
            // node's own client refuses some header names or values before sending; nothing reached the server.
            if (
              /ERR_HTTP2_INVALID|ERR_INVALID_HTTP_TOKEN|ERR_INVALID_CHAR|ERR_HTTP2_HEADER/.test(
                String((err as { code?: string }).code),
              )
            )
              return;
            // A field value with a control character or edge whitespace, or a method that is no token, makes
            // the request malformed (RFC 9113 §8.2.1, §8.3.1): nghttp2 resets the stream before any application sees it.
            const malformed =
              // eslint-disable-next-line no-control-regex -- control characters are what it looks for
              Object.values(r.headers).some((v) => /[\x00-\x08\x0a-\x1f\x7f]|^[ \t]|[ \t]$/.test(v)) ||
              !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(r.method); // a method must be a token
            if (malformed && /PROTOCOL_ERROR/.test((err as Error).message)) return;
            throw err;
          }
          const label = `h2 ${JSON.stringify(r).slice(0, 500)} → ${res.status} ${res.body.slice(0, 200)}`;
          assert.ok(res.status > 0 && res.status < 500, label);
          if (res.status >= 400) {
            assert.ok(res.headers['x-amzn-errortype'] && res.headers['x-amzn-requestid'], label);
            const body = JSON.parse(res.body) as { message?: unknown; exceptionMessage?: unknown };
            assert.ok(typeof body.message === 'string' && typeof body.exceptionMessage === 'string', label);
          }
        }),
        { numRuns: fuzzRuns(100), seed, endOnFailure: true, includeErrorInReport: true },
      );
    } catch (err) {
      throw new Error(`h2 fuzz: replay with FUZZ_SEED=${seed}\n${(err as Error).message}`, { cause: err });
    }
    assert.equal(session.destroyed, false, 'the session was not torn down');
    session.destroy();
  });

  it('saw requests reach the API and several kinds of refusal, and still serves signed API calls', async () => {
    // Unsigned, a request that parses reaches the API's 403; the rest are refusals of the HTTP layer.
    const refusals = [...statuses.keys()].filter((s) => s >= 400 && s !== 403);
    assert.ok(statuses.has(403) && refusals.length >= 2, JSON.stringify(Object.fromEntries(statuses)));
    const list = await ivs.send(new ListChannelsCommand({}));
    assert.equal(list.$metadata.httpStatusCode, 200);
  });
});
