// The output writer (src/api/protocol/serialize.ts writes each shape's JSON text directly) against the writer it
// replaced, kept here as the reference: a copy of the output rebuilt from the model's members, then JSON.stringify.
// For every operation of the IVS model, random outputs built from its output shape — members present, absent, null
// or of the wrong kind, members the model does not have, strings with quotes, control characters, non-ASCII and
// lone surrogates, non-finite numbers and -0, timestamps as Dates, strings, epoch numbers and junk, map keys like
// `__proto__`, `constructor` and integers (which JSON.stringify orders first) — must give the same body, byte for
// byte. Symbols are not generated: the reference wrote one inside a list as null, the writer leaves it out (no
// handler returns one). Budget: fuzzRuns (FUZZ_SCALE); FUZZ_SEED replays.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatTimestamp,
  loadServiceModel,
  serializeOutput,
  type ServiceModel,
  type Shape,
} from '../../src/api/protocol/index.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';

const model = loadServiceModel();

// ---- The reference: the copy-then-stringify writer, as it was before the direct writer. ----
type CopyWriter = (value: unknown) => unknown;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const copyScalar: CopyWriter = (v) => (typeof v === 'object' || typeof v === 'function' ? undefined : v);

function copyWriter(m: ServiceModel, shape: Shape): CopyWriter {
  switch (shape.type) {
    case 'structure':
      return copyStructure(m, shape);
    case 'list': {
      const item = copyWriter(m, m.shape(shape.member!.shape));
      return (v) => {
        if (!Array.isArray(v)) return undefined;
        const out: unknown[] = [];
        for (const x of v) {
          const w = x === null || x === undefined ? undefined : item(x);
          if (w !== undefined) out.push(w);
        }
        return out;
      };
    }
    case 'map': {
      const item = copyWriter(m, m.shape(shape.value!.shape));
      return (v) => {
        if (!isPlainObject(v)) return undefined;
        const out = Object.create(null) as Record<string, unknown>;
        for (const k of Object.keys(v)) {
          const w = v[k] === null || v[k] === undefined ? undefined : item(v[k]);
          if (w !== undefined) out[k] = w;
        }
        return out;
      };
    }
    case 'timestamp':
      return (v) => copyScalar(formatTimestamp(v, shape.timestampFormat));
    default:
      return copyScalar;
  }
}

function copyStructure(m: ServiceModel, shape: Shape): CopyWriter {
  const list = Object.entries(shape.members ?? {})
    .filter(([, ref]) => !ref.location)
    .map(([name, ref]) => ({ name, wireName: ref.locationName ?? name, write: copyWriter(m, m.shape(ref.shape)) }));
  return (v) => {
    if (!isPlainObject(v)) return undefined;
    const out: Record<string, unknown> = {};
    for (const f of list) {
      const x = v[f.name];
      if (x === undefined || x === null) continue;
      const w = f.write(x);
      if (w !== undefined) out[f.wireName] = w;
    }
    return out;
  };
}

// ---- Random outputs from the model's shapes, with junk mixed in at every depth. ----
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constant(() => 1),
  fc.date({ noInvalidDate: false }),
);
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('"quoted"', 'back\\slash', 'line\nbreak\ttab\u0000', '\ud800 lone', '\u2028\u2029', 'é✓😀'),
);
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2),
);
const timestamp = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.integer({ min: -1e10, max: 1e10 }),
  fc.constantFrom('2026-11-26T09:33:17.456Z', 'not a date', '', 'Thu, 26 Nov 2026 10:31:00 GMT'),
);
const mapKey = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', '0', '10', '2', '-1', '01'));

function valueOf(shapeName: string, depth: number): fc.Arbitrary<unknown> {
  const shape = model.shape(shapeName);
  const of = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: a }, { weight: 1, arbitrary: junk });
  if (depth > 5) return junk;
  switch (shape.type) {
    case 'structure': {
      const members: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) members[name] = valueOf(ref.shape, depth + 1);
      members.notAMember = junk;
      return of(fc.record(members, { requiredKeys: [] }));
    }
    case 'list':
      return of(fc.array(valueOf(shape.member!.shape, depth + 1), { maxLength: 4 }));
    case 'map':
      return of(fc.dictionary(mapKey, valueOf(shape.value!.shape, depth + 1), { maxKeys: 4 }));
    case 'timestamp':
      return of(timestamp);
    case 'boolean':
      return of(fc.boolean());
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return of(number);
    default:
      return of(text);
  }
}

describe('output writer', () => {
  for (const operation of model.operations()) {
    if (!operation.outputShape) continue;
    it(`${operation.name}: the same body as the copy-then-stringify writer`, () => {
      const reference = copyStructure(model, model.shape(operation.outputShape!));
      fc.assert(
        fc.property(valueOf(operation.outputShape!, 0), (output) => {
          const res = serializeOutput(model, operation, output);
          if (operation.responseCode === 204) return assert.equal(res.body, '');
          assert.equal(res.body, JSON.stringify(reference(output ?? {}) ?? {}));
        }),
        { numRuns: fuzzRuns(60), seed: fuzzSeed() },
      );
    });
  }
});
