// Property-based fuzzing of SigV4 verification: correctly signed requests (Authorization header or
// presigned query string), then mutated after signing — the algorithm, every Credential component,
// SignedHeaders, the signature, the shape of the header itself, x-amz-date / Date, the payload hash,
// the body, the host, the presign parameters, wrong keys and clock skew. Invariants: never a 5xx, a
// refusal is a 403 JSON error of an auth type (or 431 for a header over the size limit), a mutation
// of anything signed is always refused, no refusal echoes the signature, a refused CreateChannel
// creates nothing, and no input stalls the event loop. Budget: fuzzRuns (FUZZ_SCALE); FUZZ_SEED replays.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpRequest } from '@smithy/protocol-http';
import { CreateChannelCommand, ListChannelsCommand } from '@aws-sdk/client-ivs';
import { ivsClient, useServer } from '../helpers/use-server.js';
import { signer, type RawResponse, type SignOptions } from '../helpers/http.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { checkAnswer, closeFuzzConnections, sendExact } from '../helpers/api-fuzz-invariants.js';
import { StallWatch } from '../helpers/api-fuzz-stalls.js';
import { model } from '../helpers/model-arbitraries.js';
import { SIGV4_MUTATIONS, mutateSigned, type SignedParts } from '../helpers/api-fuzz-sigv4.js';

const AUTH_ERRORS = new Set([
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'AccessDeniedException',
]);

interface Case {
  base: number;
  presigned: boolean;
  mutation: number;
  variant: number;
  name: string;
}

describe(
  'SigV4 fuzzing: mutated signatures are refused with a 403 JSON error, never a 5xx or a stall',
  { timeout: 300_000 },
  () => {
    const { server, ivs } = useServer({ teardown: closeFuzzConnections });
    let channelArn: string;
    const seed = fuzzSeed();
    /** CreateChannel names the server accepted; any other fuzzed name must not exist at the end. */
    const accepted = new Set<string>();
    const tried = new Set<string>();
    const counts = { sent: 0, refused: 0, accepted: 0 };

    before(async () => {
      channelArn = (await ivs.send(new CreateChannelCommand({ name: 'sigv4-target', tags: { a: '1', b: '2' } }))).channel!.arn!;
    });
    /** The requests mutated: a read, a write (to prove refusals change nothing), a label route, a query route. */
    function baseRequest(c: Case): {
      operation: string;
      method: string;
      path: string;
      query: Record<string, string | string[]>;
      body?: Buffer;
    } {
      const tags = `/tags/${encodeURIComponent(channelArn)}`;
      switch (c.base % 4) {
        case 0:
          return { operation: 'ListChannels', method: 'POST', path: '/ListChannels', query: {}, body: Buffer.from('{}') };
        case 1:
          return {
            operation: 'CreateChannel',
            method: 'POST',
            path: '/CreateChannel',
            query: {},
            body: Buffer.from(JSON.stringify({ name: c.name })),
          };
        case 2:
          return { operation: 'ListTagsForResource', method: 'GET', path: tags, query: {} };
        default:
          return { operation: 'UntagResource', method: 'DELETE', path: tags, query: { tagKeys: ['zz1', 'zz2'] } };
      }
    }

    /** Signs the base request as the SDK would (header or presigned URL) and applies the mutation. */
    async function prepare(c: Case): Promise<{
      send: () => Promise<RawResponse | undefined>;
      parts: SignedParts;
      what: string;
      mustRefuse: boolean;
      operation: string;
    }> {
      const base = baseRequest(c);
      const host = `127.0.0.1:${server.port}`;
      const headers: Record<string, string> = { host, ...(base.body ? { 'content-type': 'application/json' } : {}) };
      const request = new HttpRequest({
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: server.port,
        method: base.method,
        path: base.path,
        query: base.query,
        headers,
        body: base.body,
      });
      const sign = async (opts: SignOptions): Promise<SignedParts> => {
        const signed = c.presigned
          ? await signer(opts).presign(request, { expiresIn: 300, signingDate: opts.signingDate })
          : await signer(opts).sign(request, { signingDate: opts.signingDate });
        return {
          method: base.method,
          path: base.path,
          query: Object.fromEntries(Object.entries(signed.query ?? {}).map(([k, v]) => [k, v as string | string[]])),
          headers: { ...(signed.headers as Record<string, string>) },
          body: base.body,
          signature: c.presigned
            ? String(signed.query?.['X-Amz-Signature'])
            : (/Signature=([0-9a-f]+)/.exec(signed.headers.authorization ?? '')?.[1] ?? ''),
        };
      };
      const mutated = await mutateSigned(await sign({}), c.mutation, c.variant, { resign: sign });
      const qs = encodeQuery(mutated.parts.query);
      const path = qs === '' ? mutated.parts.path : `${mutated.parts.path}?${qs}`;
      return {
        send: async () => {
          try {
            return await sendExact(server, mutated.parts.method, path, mutated.parts.headers, mutated.parts.body);
          } catch (err) {
            // A header value node's own client will not put on the wire (a character over U+00FF) is not sent.
            if ((err as { code?: string }).code === 'ERR_INVALID_CHAR') return undefined;
            throw err;
          }
        },
        parts: mutated.parts,
        what: mutated.what,
        mustRefuse: mutated.mustRefuse,
        operation: base.operation,
      };
    }

    async function judge(c: Case, p: Awaited<ReturnType<typeof prepare>>, res: RawResponse | undefined): Promise<void> {
      if (res === undefined) return;
      counts.sent++;
      const label = `${p.operation} ${c.presigned ? 'presigned' : 'header'} ${p.what}`;
      checkAnswer(model, p.operation, res, label, p.parts.method);
      const type = String(res.headers['x-amzn-errortype'] ?? '');
      if (p.parts.signature.length >= 16)
        assert.ok(!res.text.includes(p.parts.signature), `the signature was echoed: ${label} → ${res.text}`);
      if (res.status < 300) {
        assert.ok(!p.mustRefuse, `a mutation of signed content was accepted: ${label} → ${res.status} ${res.text.slice(0, 200)}`);
        counts.accepted++;
        if (p.operation === 'CreateChannel') accepted.add(c.name);
        return;
      }
      counts.refused++;
      if (res.status === 431) {
        assert.equal(type, 'RequestHeaderFieldsTooLargeException', label);
        return;
      }
      if (res.status === 403) assert.ok(AUTH_ERRORS.has(type), `403 of type ${type}: ${label}`);
      else
        assert.ok(
          !p.mustRefuse || res.status === 400 || res.status === 404,
          `refused with ${res.status} ${type}: ${label} → ${res.text.slice(0, 200)}`,
        );
    }

    it('mutated Authorization headers, dates, signed-header lists, payload hashes and presigned URLs', async () => {
      const cases = fc.record({
        base: fc.nat({ max: 3 }),
        presigned: fc.boolean(),
        mutation: fc.nat({ max: SIGV4_MUTATIONS - 1 }),
        variant: fc.nat({ max: 10_079 }),
        name: fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/).map((s) => `sig-${s}`),
      });
      const stalls = new StallWatch<Case>(
        server,
        async (c) => {
          const p = await prepare(c);
          return async () => judge(c, p, await p.send());
        },
        (c) => JSON.stringify(c),
      );
      await stalls.start();
      try {
        await fc.assert(
          fc.asyncProperty(cases, async (c) => {
            tried.add(c.name);
            const p = await prepare(c);
            await judge(c, p, await p.send());
            await stalls.ran(c);
          }),
          { numRuns: fuzzRuns(500), seed, endOnFailure: true, includeErrorInReport: true },
        );
        await stalls.close();
      } catch (err) {
        throw new Error(`SigV4 fuzz: replay with FUZZ_SEED=${seed}\n${(err as Error).message}`, { cause: err });
      }
      assert.ok(counts.refused > counts.sent / 3 && counts.accepted > 0, JSON.stringify(counts));
    });

    it('a refused CreateChannel created nothing; the server still serves signed requests', async () => {
      const names = new Set<string>();
      // One mutation re-signs for eu-west-1, which is then where an accepted CreateChannel created its channel.
      for (const client of [ivs, ivsClient(server, { region: 'eu-west-1' })]) {
        let nextToken: string | undefined;
        do {
          const page = await client.send(new ListChannelsCommand({ nextToken, maxResults: 100 }));
          for (const ch of page.channels ?? []) names.add(ch.name ?? '');
          nextToken = page.nextToken;
        } while (nextToken);
      }
      for (const name of tried)
        assert.equal(
          names.has(name),
          accepted.has(name),
          `channel ${name}: exists ${names.has(name)}, accepted ${accepted.has(name)}`,
        );
      const created = await ivs.send(new CreateChannelCommand({ name: 'after-sigv4-fuzz' }));
      assert.equal(created.channel!.name, 'after-sigv4-fuzz');
    });
  },
);

/** Query string in the AWS encoding (RFC 3986, %20 for space), repeated names kept. */
function encodeQuery(query: Record<string, string | string[]>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${enc(k)}=${enc(x)}`))
    .join('&');
}
