// fast-check arbitraries generated from the service model: for any operation, valid inputs (required
// members always, optional ones sometimes, strings from the same full-match patterns the server
// compiles, numbers within the model's and the type's range) and the request that carries them (URI
// labels, query string, JSON body). ARN members draw from a pool of resources that exist on the server
// under test (kept current by the caller), so valid inputs reach handlers rather than stopping at 404.

import fc from 'fast-check';
import { loadServiceModel, type Operation, type ServiceModel, type Shape } from '../../src/api/protocol/index.js';
import { compilePattern } from '../../src/api/protocol/rules.js';
import { p384PublicKey } from './assert.js';

export const model: ServiceModel = loadServiceModel();

/** Resource ARNs by type (`channel`, `stream-key`, …), as they exist on the server now. */
export type ArnPool = Map<string, string[]>;

/** The ARN resource types of the model, read from the ARN shapes' patterns. */
const ARN_TYPE = /:([a-z-]+)\/\[/;
const RESOURCE_TYPES = ['channel', 'stream-key', 'playback-key', 'recording-configuration', 'playback-restriction-policy'];

const INT32 = { min: -2147483648, max: 2147483647 };
/** Few real keys: generating P-384 pairs is slow, and ImportPlaybackKeyPair refuses duplicates anyway. */
const PUBLIC_KEYS = Array.from({ length: 4 }, () => p384PublicKey());

export interface WireRequest {
  method: string;
  /** Percent-encoded path. */
  path: string;
  query: Record<string, string | string[]>;
  /** Undefined when the operation has no body (GET, DELETE). */
  body: Record<string, unknown> | undefined;
}

export class ModelArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<unknown>>();

  constructor(
    readonly model: ServiceModel,
    private readonly pool: ArnPool,
  ) {}

  /** Valid values of a shape. */
  value(shapeName: string): fc.Arbitrary<unknown> {
    let arb = this.cache.get(shapeName);
    if (!arb) {
      arb = this.build(shapeName, this.model.shape(shapeName));
      this.cache.set(shapeName, arb);
    }
    return arb;
  }

  /** Valid inputs of an operation (an empty object for operations without input). */
  input(op: Operation): fc.Arbitrary<Record<string, unknown>> {
    return (op.inputShape ? this.value(op.inputShape) : fc.constant({})) as fc.Arbitrary<Record<string, unknown>>;
  }

  /** An ARN of the pool (read when generating, so resources created or deleted meanwhile count). */
  arnOf(types: string[]): fc.Arbitrary<string> {
    return fc.nat().map((n) => {
      const all = types.flatMap((t) => this.pool.get(t) ?? []);
      return all.length === 0 ? `arn:aws:ivs:us-west-2:000000000000:${types[0]}/AbCdEfGh1234` : all[n % all.length]!;
    });
  }

  private build(name: string, shape: Shape): fc.Arbitrary<unknown> {
    switch (shape.type) {
      case 'structure': {
        const members: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [member, ref] of Object.entries(shape.members ?? {})) members[member] = this.value(ref.shape);
        return fc.record(members, { requiredKeys: shape.required ?? [] });
      }
      case 'list':
        return fc.array(this.value(shape.member!.shape), { minLength: shape.min ?? 0, maxLength: Math.min(shape.max ?? 4, 4) });
      case 'map':
        return fc.dictionary(this.value(shape.key!.shape) as fc.Arbitrary<string>, this.value(shape.value!.shape), {
          minKeys: shape.min ?? 0,
          maxKeys: Math.min(shape.max ?? 4, 4),
        });
      case 'boolean':
        return fc.boolean();
      case 'integer':
      case 'long': {
        const range = shape.type === 'integer' ? INT32 : { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
        return fc.integer({ min: Math.max(shape.min ?? range.min, range.min), max: Math.min(shape.max ?? range.max, range.max) });
      }
      case 'timestamp':
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      case 'string':
        return this.string(name, shape);
      default:
        return fc.constant(undefined);
    }
  }

  private string(name: string, shape: Shape): fc.Arbitrary<unknown> {
    if (shape.enum) return fc.constantFrom(...shape.enum);
    if (name === 'PlaybackPublicKeyMaterial') return fc.constantFrom(...PUBLIC_KEYS);
    const arnType = name === 'ResourceArn' ? 'any' : ARN_TYPE.exec(shape.pattern ?? '')?.[1];
    const patterned = shape.pattern
      ? withinLength(fc.stringMatching(compilePattern(shape.pattern)), shape, compilePattern(shape.pattern))
      : withinLength(fc.string({ unit: 'grapheme', minLength: shape.min ?? 0, maxLength: Math.min(shape.max ?? 64, 64) }), shape);
    if (arnType === undefined) return patterned;
    const types = arnType === 'any' ? RESOURCE_TYPES : [arnType];
    // Mostly real resources of the caller, sometimes well-formed ARNs of nothing (or of others).
    const allowsEmpty = shape.pattern?.startsWith('^$|') === true;
    return fc.oneof(
      { weight: 6, arbitrary: this.arnOf(types) },
      { weight: 2, arbitrary: patterned },
      { weight: allowsEmpty ? 1 : 0, arbitrary: fc.constant('') },
    );
  }
}

/**
 * Strings of a pattern cut or padded (repeating the last character) to the shape's length bounds in code
 * points; those that then no longer match are dropped. A plain filter on the length could spin forever
 * on a pattern that rarely generates the one allowed length (StreamId: 26 characters).
 */
function withinLength(arb: fc.Arbitrary<string>, shape: Shape, pattern?: RegExp): fc.Arbitrary<string> {
  const min = shape.min ?? 0;
  const max = shape.max ?? Infinity;
  return arb
    .map((s) => {
      const chars = [...s].slice(0, max);
      while (chars.length < min) chars.push(chars[chars.length - 1] ?? 'a');
      const out = chars.join('');
      return pattern === undefined || pattern.test(out) ? out : undefined;
    })
    .filter((s): s is string => s !== undefined);
}

/** Where each member of an input travels, as the model says; the rest of the path uses `defaultArn`. */
export function wireRequest(m: ServiceModel, op: Operation, input: Record<string, unknown>, defaultArn: string): WireRequest {
  const members = op.inputShape ? (m.shape(op.inputShape).members ?? {}) : {};
  let path = op.requestUri;
  const query: Record<string, string | string[]> = {};
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    const ref = members[name];
    if (ref?.location === 'uri') path = path.replace(`{${ref.locationName}}`, encodeURIComponent(String(value)));
    else if (ref?.location === 'querystring')
      query[ref.locationName ?? name] = Array.isArray(value) ? value.map(String) : String(value);
    else if (ref?.location === 'header')
      continue; // no request header members in this model
    else body[name] = value;
  }
  path = path.replace(/\{[^}]+\}/g, encodeURIComponent(defaultArn));
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
  return { method: op.method, path, query, body: hasBody ? body : undefined };
}

/** Every path (as member-name lists) of a value, together with the shape expected there. */
export function shapePaths(
  m: ServiceModel,
  shapeName: string,
  value: unknown,
  prefix: (string | number)[] = [],
): { path: (string | number)[]; shape: string }[] {
  const out = [{ path: prefix, shape: shapeName }];
  const shape = m.shape(shapeName);
  if (shape.type === 'structure' && isObject(value)) {
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (ref.location) continue;
      if (Object.hasOwn(value, name)) out.push(...shapePaths(m, ref.shape, value[name], [...prefix, name]));
      else out.push({ path: [...prefix, name], shape: ref.shape });
    }
  } else if (shape.type === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => out.push(...shapePaths(m, shape.member!.shape, item, [...prefix, i])));
  } else if (shape.type === 'map' && isObject(value)) {
    for (const key of Object.keys(value)) out.push(...shapePaths(m, shape.value!.shape, value[key], [...prefix, key]));
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
