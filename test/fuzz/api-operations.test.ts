// Property-based fuzzing of every operation of the newest model: valid inputs generated from the
// model's shapes and mutated ones (wrong types, nulls, out-of-range numbers, bad strings, odd Unicode,
// unknown members at every depth, deep nesting, huge arrays, and the wire-level mutations), each
// SigV4-signed and sent raw. Invariants: no 5xx but the documented 501s, every error in the JSON error
// shape with a type the model lists, no unknown member ever echoed, no event-loop stall over 100 ms,
// memory bounded, and state consistent: what a successful write answered is what a later read returns,
// and a resource the fuzzer never names is untouched. Budget: fuzzRuns (FUZZ_SCALE), seed: FUZZ_SEED.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  GetChannelCommand,
  ImportPlaybackKeyPairCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ivs';
import type { Operation } from '../../src/api/protocol/index.js';
import { OPERATIONS } from '../../src/api/handlers/index.js';
import { useServer } from '../helpers/use-server.js';
import { p384PublicKey } from '../helpers/assert.js';
import { readLoop } from '../helpers/loop-probe.js';
import { StallWatch } from '../helpers/api-fuzz-stalls.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { checkAnswer, closeFuzzConnections, NOT_IMPLEMENTED, signRaw, type FuzzRequest } from '../helpers/api-fuzz-invariants.js';
import type { RawResponse } from '../helpers/http.js';
import { applyMutation, BODY_MUTATIONS, mutationArb, WIRE_MUTATIONS, type Mutation } from '../helpers/api-fuzz-mutations.js';
import { model, ModelArbitraries, wireRequest, type ArnPool } from '../helpers/model-arbitraries.js';
import { ReadBack } from '../helpers/api-fuzz-readback.js';

const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;

describe('API fuzzing: every operation, valid and mutated inputs', { timeout: 600_000 }, () => {
  const { server, ivs } = useServer({ teardown: closeFuzzConnections });
  const pool: ArnPool = new Map();
  let readBack: ReadBack;
  let arbitraries: ModelArbitraries;
  let sentinel: { arn: string; snapshot: unknown; tags: Record<string, string> };
  let rssBefore = 0;
  const seed = fuzzSeed();
  let sent = 0;

  before(async () => {
    const add = (type: string, arn: string | undefined) => {
      if (arn) pool.set(type, [...(pool.get(type) ?? []), arn]);
    };
    for (let i = 0; i < 3; i++) {
      const ch = await ivs.send(new CreateChannelCommand({ name: `pool-${i}`, tags: { pool: String(i) } }));
      add('channel', ch.channel!.arn);
      add('stream-key', ch.streamKey!.arn);
    }
    add(
      'recording-configuration',
      (
        await ivs.send(
          new CreateRecordingConfigurationCommand({
            destinationConfiguration: { s3: { bucketName: 'fuzz-bucket' } },
          }),
        )
      ).recordingConfiguration!.arn,
    );
    add(
      'playback-restriction-policy',
      (await ivs.send(new CreatePlaybackRestrictionPolicyCommand({ name: 'fuzz' }))).playbackRestrictionPolicy!.arn,
    );
    add('playback-key', (await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }))).keyPair!.arn);
    // Never in the pool, so no fuzzed request names it: it must read back unchanged at the end.
    const kept = await ivs.send(new CreateChannelCommand({ name: 'sentinel', latencyMode: 'NORMAL', tags: { keep: 'me' } }));
    sentinel = {
      arn: kept.channel!.arn!,
      snapshot: (await ivs.send(new GetChannelCommand({ arn: kept.channel!.arn! }))).channel,
      tags: { keep: 'me' },
    };
    arbitraries = new ModelArbitraries(model, pool);
    readBack = new ReadBack(server, pool);
    rssBefore = (await readLoop(server)).rssBytes;
  });

  it('the documented 501s are exactly the operations the handler table leaves unimplemented', () => {
    const table = Object.entries(OPERATIONS)
      .filter(([, h]) => typeof h !== 'function')
      .map(([name]) => name)
      .sort();
    assert.deepEqual(table, [...NOT_IMPLEMENTED].sort());
    assert.equal(model.operations().length, 40, 'the newest model');
  });

  const cases = (op: Operation) =>
    fc.tuple(
      arbitraries.input(op),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'none', at: 0, variant: 0 }) },
        { weight: 6, arbitrary: mutationArb(BODY_MUTATIONS) },
        { weight: 2, arbitrary: mutationArb(WIRE_MUTATIONS) },
      ),
    );

  /** Builds and signs a case; the returned function sends it and checks the answer. */
  async function prepareCase(op: Operation, input: Record<string, unknown>, mutation: Mutation): Promise<() => Promise<void>> {
    const defaultArn = pool.get('channel')?.[0] ?? sentinel.arn;
    const { request, what } = applyMutation(model, op, wireRequest(model, op, input, defaultArn), mutation);
    const send = await signed(request);
    return async () => {
      const res = send && (await send());
      if (res) await judge(op, input, mutation, request, what, res);
    };
  }

  async function runCase(op: Operation, input: Record<string, unknown>, mutation: Mutation): Promise<void> {
    await (
      await prepareCase(op, input, mutation)
    )();
  }

  async function judge(
    op: Operation,
    input: Record<string, unknown>,
    mutation: Mutation,
    request: FuzzRequest,
    what: string,
    res: RawResponse,
  ): Promise<void> {
    sent++;
    const label = `${op.name} ${what} ${JSON.stringify(input).slice(0, 200)}`;
    checkAnswer(model, op.name, res, label, request.method);
    // Only a request that means what the valid input meant is read back (wire mutations change the route).
    const sameMeaning = mutation.kind === 'none' || mutation.kind === 'unknownMember' || mutation.kind === 'contentType';
    if (res.status < 300 && sameMeaning) await readBack.verify(op.name, input, res, label);
  }

  function describeCase(op: Operation, input: Record<string, unknown>, mutation: Mutation): string {
    return `${op.name} ${JSON.stringify(mutation)} ${JSON.stringify(input).slice(0, 300)}`;
  }

  /** Signs; the sender answers undefined for a request node's own client refuses to put on the wire (a bad header byte). */
  async function signed(request: FuzzRequest): Promise<(() => Promise<RawResponse | undefined>) | undefined> {
    const send = await signRaw(server, request);
    return async () => {
      try {
        return await send();
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (['ERR_UNESCAPED_CHARACTERS', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN'].includes(code)) return undefined;
        throw err;
      }
    };
  }

  for (const op of model.operations()) {
    it(`${op.name}: no 5xx (but documented 501s), JSON errors, no echo, no stall, consistent reads`, async () => {
      const stalls = new StallWatch<[Record<string, unknown>, Mutation]>(
        server,
        ([input, mutation]) => prepareCase(op, input, mutation),
        ([input, mutation]) => describeCase(op, input, mutation),
      );
      await stalls.start();
      try {
        await fc.assert(
          fc.asyncProperty(cases(op), async ([input, mutation]) => {
            await runCase(op, input, mutation);
            await stalls.ran([input, mutation]);
          }),
          { numRuns: fuzzRuns(16), seed, endOnFailure: true, includeErrorInReport: true },
        );
        await stalls.close();
      } catch (err) {
        throw new Error(`${op.name}: replay with FUZZ_SEED=${seed}\n${(err as Error).message}`, { cause: err });
      }
      if (stalls.starved.length > 0)
        console.log(`${op.name}: ${stalls.starved.length} slow window(s), not the server's doing on replay (starved of CPU)`);
    });
  }

  it('the heaviest mutations, every variant once, on a few operations: no stall, the same invariants', async () => {
    // The random run meets the deepest nesting and the longest arrays only now and then; this pass
    // sends each of them on purpose, so a regression in the body limits shows on every run.
    const heavy: Mutation[] = [];
    for (let variant = 0; variant < 12; variant++) heavy.push({ kind: 'deepNesting', at: variant, variant });
    for (let variant = 0; variant < 15; variant++) heavy.push({ kind: 'hugeArray', at: variant, variant });
    heavy.push(
      { kind: 'invalidJson', at: 0, variant: 8 },
      { kind: 'badString', at: 0, variant: 2 },
      { kind: 'unknownMember', at: 0, variant: 3 },
    );
    const ops = ['CreateChannel', 'TagResource', 'BatchStartViewerSessionRevocation'].map((name) => model.operation(name));
    const stalls = new StallWatch<[Operation, Record<string, unknown>, Mutation]>(
      server,
      ([op, input, mutation]) => prepareCase(op, input, mutation),
      ([op, input, mutation]) => describeCase(op, input, mutation),
    );
    await stalls.start();
    for (const op of ops) {
      const [input] = fc.sample(arbitraries.input(op), { numRuns: 1, seed });
      for (const mutation of heavy) {
        await runCase(op, input!, mutation);
        await stalls.ran([op, input!, mutation]);
      }
    }
    await stalls.close();
  });

  it('memory stays bounded and nothing leaked into what others see', async () => {
    const now = await readLoop(server);
    assert.ok(now.rssBytes - rssBefore < RSS_GROWTH_LIMIT, `rss grew ${Math.round((now.rssBytes - rssBefore) / 1e6)} MB`);
    assert.ok(sent > model.operations().length * 5, `requests sent: ${sent}`);
    const { channel } = await ivs.send(new GetChannelCommand({ arn: sentinel.arn }));
    assert.deepEqual(channel, sentinel.snapshot, 'a resource no fuzzed request named is unchanged');
    assert.deepEqual((await ivs.send(new ListTagsForResourceCommand({ resourceArn: sentinel.arn }))).tags, sentinel.tags);
    // And the server still does its job: a new channel reads back as created.
    const created = await ivs.send(new CreateChannelCommand({ name: 'after-fuzz', type: 'BASIC', tags: { a: 'b' } }));
    const read = await ivs.send(new GetChannelCommand({ arn: created.channel!.arn! }));
    assert.deepEqual(read.channel, created.channel);
  });
});
