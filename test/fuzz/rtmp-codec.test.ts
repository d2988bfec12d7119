// Fuzzing the RTMP parsing layers directly (issue 10): the AMF0 decoder, the chunk stream reader and the
// server handshake get generated, mutated, oversized and truncated input. Each must return or throw its
// typed error — never hang, never throw anything else, never hand out more than its limits allow, and
// never allocate a buffer larger than the bound for the phase. Budget: fuzzRuns (FUZZ_SCALE); a failure
// prints its seed (replay with FUZZ_SEED).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAmf0, DEFAULT_AMF_LIMITS, type AmfLimits, type AmfValue } from '../../src/media/ingest/amf0.js';
import { ByteQueue } from '../../src/media/ingest/byte-queue.js';
import { ChunkReader, type ChunkReaderLimits, type RtmpMessage } from '../../src/media/ingest/chunk-reader.js';
import { AmfError, IngestProtocolError } from '../../src/media/ingest/errors.js';
import { HANDSHAKE_SIZE, ServerHandshake } from '../../src/media/ingest/handshake.js';
import {
  COMMAND_AMF_LIMITS,
  DATA_AMF_LIMITS,
  DEFAULT_MESSAGE_SIZES,
  liveLimits,
  setupLimits,
} from '../../src/media/ingest/limits.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { amf0Value, commandBody, encodeSteps, mutated, oversizedAmf, stepArb } from '../helpers/rtmp-fuzz.js';

/** Runs a property with the fuzz budget; on failure the error names the seed to replay. */
function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void, base: number): void {
  const seed = fuzzSeed();
  const details = fc.check(fc.property(arb, predicate), { numRuns: fuzzRuns(base), seed });
  if (details.failed) {
    throw new Error(`${name} failed (replay with FUZZ_SEED=${seed}): ${fc.defaultReportMessage(details)}`);
  }
}

/** `n` pseudo-random bytes from `seed` (cheaper to generate and shrink than an array of n arbitraries). */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Depth, value count and longest string of a decoded AMF0 result, to check it against the limits. */
function measure(values: AmfValue[]): { depth: number; count: number; longest: number } {
  let count = 0;
  let longest = 0;
  const walk = (v: AmfValue, depth: number): number => {
    count++;
    if (typeof v === 'string') longest = Math.max(longest, Buffer.byteLength(v));
    if (v === null || typeof v !== 'object' || v instanceof Date) return depth;
    let deepest = depth;
    for (const [k, child] of Object.entries(v as Record<string, AmfValue>)) {
      longest = Math.max(longest, Buffer.byteLength(k));
      deepest = Math.max(deepest, walk(child, depth + 1));
    }
    return deepest;
  };
  const depth = Math.max(0, ...values.map((v) => walk(v, 0)));
  return { depth, count, longest };
}

describe('fuzz: AMF0 decoder', () => {
  const inputs = fc.oneof(
    { weight: 3, arbitrary: fc.array(amf0Value, { minLength: 1, maxLength: 4 }).map((vs) => Buffer.concat(vs)) },
    { weight: 3, arbitrary: mutated(commandBody) },
    { weight: 1, arbitrary: oversizedAmf },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
  );
  for (const [name, limits] of [
    ['command', COMMAND_AMF_LIMITS],
    ['data', DATA_AMF_LIMITS],
    ['default', DEFAULT_AMF_LIMITS],
  ] as [string, AmfLimits][]) {
    it(`returns within the ${name} limits or throws AmfError`, () => {
      check(
        `AMF0 ${name}`,
        inputs,
        (buf) => {
          let values: AmfValue[];
          try {
            values = decodeAmf0(buf, 0, limits);
          } catch (err) {
            assert.ok(err instanceof AmfError, `threw ${String(err)} for ${buf.subarray(0, 64).toString('hex')}`);
            return;
          }
          const m = measure(values);
          assert.ok(m.count <= limits.maxValues, `${m.count} values`);
          assert.ok(m.depth <= limits.maxDepth + 1, `depth ${m.depth}`);
          assert.ok(m.longest <= limits.maxStringBytes * 3, `string of ${m.longest} bytes`); // UTF-8 replacement may grow it
        },
        400,
      );
    });
  }
});

interface ReadOutcome {
  messages: [number, number, number, number, string][];
  error: string | undefined;
  maxPending: number;
  maxAlloc: number;
}

/** Feeds `bytes` in the given pieces, reading after each; records what came out and the largest buffer allocated. */
function readAllOf(bytes: Buffer, cuts: number[], limits: ChunkReaderLimits): ReadOutcome {
  const reader = new ChunkReader(limits);
  const q = new ByteQueue();
  const out: ReadOutcome = { messages: [], error: undefined, maxPending: 0, maxAlloc: 0 };
  // Saved as is, to be put back as is; called only as a plain function (Buffer.allocUnsafe uses no `this`).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const allocUnsafe = Buffer.allocUnsafe;
  Buffer.allocUnsafe = (n: number) => {
    out.maxAlloc = Math.max(out.maxAlloc, n);
    return allocUnsafe(n);
  };
  try {
    let from = 0;
    for (const to of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      if (to > from) q.push(bytes.subarray(from, to));
      from = Math.max(from, to);
      for (let m: RtmpMessage | null = reader.read(q); m !== null; m = reader.read(q)) {
        const max = Math.min(limits.maxMessageSize, limits.maxSizeOf?.(m.type) ?? Infinity);
        assert.ok(m.payload.length <= max, `type ${m.type}: a message of ${m.payload.length} bytes got through (limit ${max})`);
        out.messages.push([m.csid, m.type, m.streamId, m.timestamp, m.payload.toString('hex')]);
        out.maxPending = Math.max(out.maxPending, reader.pending);
      }
      out.maxPending = Math.max(out.maxPending, reader.pending);
    }
  } catch (err) {
    if (!(err instanceof IngestProtocolError)) throw err;
    out.error = err.message;
  } finally {
    Buffer.allocUnsafe = allocUnsafe;
  }
  return out;
}

describe('fuzz: chunk stream reader', () => {
  const streams = fc.tuple(
    fc.array(stepArb, { minLength: 1, maxLength: 10 }).map(encodeSteps),
    fc.array(fc.nat(), { maxLength: 12 }),
  );
  for (const [phase, limits] of [
    ['setup', setupLimits(DEFAULT_MESSAGE_SIZES)],
    ['live', liveLimits(DEFAULT_MESSAGE_SIZES)],
  ] as const) {
    it(`${phase} limits: typed errors only, bounded buffers, and the same result however TCP splits the bytes`, () => {
      check(
        `chunk reader (${phase})`,
        streams,
        ([bytes, cuts]) => {
          const whole = readAllOf(bytes, [], limits);
          assert.ok(whole.maxPending <= limits.maxPendingBytes, `pending ${whole.maxPending}`);
          assert.ok(whole.maxAlloc <= limits.maxMessageSize + 18, `allocated ${whole.maxAlloc} bytes`);
          const split = readAllOf(bytes, cuts, limits);
          assert.deepEqual(split.messages, whole.messages);
          assert.equal(split.error, whole.error);
        },
        300,
      );
    });
  }
});

describe('fuzz: server handshake', () => {
  it('mutated C0/C1/C2 either progress or throw IngestProtocolError, and never consume bytes beyond C2', () => {
    const length = fc.oneof(
      fc.constantFrom(0, 1, 1535, 1536, 1537, 3071, 3072, 3073, 3100),
      fc.nat({ max: 2 * HANDSHAKE_SIZE + 40 }),
    );
    const c0c1c2 = fc
      .tuple(fc.oneof(fc.constant(3), fc.nat({ max: 255 })), length, fc.nat())
      .map(([version, n, seed]) => Buffer.concat([Buffer.of(version), randomBytes(n, seed)]));
    check(
      'handshake',
      fc.tuple(c0c1c2, fc.array(fc.nat(), { maxLength: 6 })),
      ([bytes, cuts]) => {
        const hs = new ServerHandshake();
        const q = new ByteQueue();
        let from = 0;
        let replied = 0;
        try {
          for (const to of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
            if (to > from) q.push(bytes.subarray(from, to));
            from = Math.max(from, to);
            for (let r = hs.advance(q); r !== null; r = hs.advance(q)) {
              replied++;
              assert.equal(r.length, 1 + 2 * HANDSHAKE_SIZE);
            }
          }
        } catch (err) {
          assert.ok(err instanceof IngestProtocolError, String(err));
          assert.notEqual(bytes[0], 3);
          return;
        }
        assert.ok(replied <= 1);
        const complete = bytes.length >= 1 + 2 * HANDSHAKE_SIZE;
        assert.equal(hs.complete, complete);
        if (complete) assert.equal(q.length, bytes.length - (1 + 2 * HANDSHAKE_SIZE));
      },
      200,
    );
  });
});
