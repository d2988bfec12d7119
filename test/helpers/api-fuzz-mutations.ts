// Mutations of a valid API request, each chosen and applied deterministically from a few generated
// numbers (so a fast-check seed replays it exactly): wrong types, nulls, out-of-range numbers written
// as raw JSON text, strings too long, too short or off-pattern, odd Unicode, unknown members at any
// depth, deep nesting, huge arrays, duplicate keys, invalid JSON and UTF-8, other content types, and
// path, query and method changes for the routes with labels (the tags routes).

import fc from 'fast-check';
import type { Operation, ServiceModel } from '../../src/api/protocol/index.js';
import { UNKNOWN_MARK, type FuzzRequest } from './api-fuzz-invariants.js';
import { isObject, shapePaths, type WireRequest } from './model-arbitraries.js';

export const BODY_MUTATIONS = [
  'wrongType',
  'nullValue',
  'outOfRange',
  'badString',
  'oddUnicode',
  'unknownMember',
  'deepNesting',
  'hugeArray',
] as const;
export const WIRE_MUTATIONS = ['duplicateKey', 'invalidJson', 'invalidUtf8', 'contentType', 'route', 'method'] as const;
export type MutationKind = (typeof BODY_MUTATIONS)[number] | (typeof WIRE_MUTATIONS)[number] | 'none';

export interface Mutation {
  kind: MutationKind;
  /** Picks the place (a member path, a byte offset, a route part). */
  at: number;
  /** Picks the variant (which wrong value, which depth, which content type). */
  variant: number;
}

/**
 * `variant` picks from lists of 2 to 16 entries by remainder; 10,080 is a multiple of each length, so
 * every entry is as likely (fast-check's bias toward 0 and the maximum aside).
 */
const VARIANTS = 10_080;

export function mutationArb(kinds: readonly MutationKind[]): fc.Arbitrary<Mutation> {
  return fc.record({ kind: fc.constantFrom(...kinds), at: fc.nat(), variant: fc.nat({ max: VARIANTS - 1 }) });
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  '',
  'x',
  [],
  {},
  [1, 'a'],
  { a: 1 },
  [[[]]],
  '0',
  'true',
  2147483648,
  [null],
];
/** Number literals that must never be taken as an integer (written raw: JSON.stringify would not keep them). */
const NUMBER_TOKENS = [
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '18446744073709551616',
  '1e308',
  '-1e308',
  '1.5',
  '-0.5',
  '1.0000000000000002',
  '123456789012345678901234567890',
  '1E400',
  '-1',
  '0',
  '4294967296',
];
const ODD_STRINGS = [
  '\u0000',
  '\u202e\u202d',
  'a\u200db',
  '\u{1f600}\u{1f3f3}\u{fe0f}\u{200d}\u{1f308}',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '\uffff',
  'A'.repeat(129),
  ' ',
  '../../etc/passwd',
  '%00',
  '<script>',
  'arn:aws:ivs:us-west-2:000000000000:channel/',
];
/** Raw JSON string literals JSON.stringify would never write (lone surrogates, overlong escapes). */
const RAW_STRINGS = ['"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', '"\\\\u0041"', `"${'\\u00e9'.repeat(300)}"`];
const CONTENT_TYPES = [
  undefined,
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-amz-json-1.1',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  '*/*',
  'application/json;;;',
  'x'.repeat(2000),
];
const DEPTHS = [50, 999, 1000, 1001, 20_000, 300_000];
const ARRAY_LENGTHS = [51, 2_000, 9_999, 10_001, 100_000];

type Path = (string | number)[];

/** Builds the final request: the valid one, mutated. `what` says what was done (for failure messages). */
export function applyMutation(
  m: ServiceModel,
  op: Operation,
  wire: WireRequest,
  mutation: Mutation,
): { request: FuzzRequest; what: string } {
  const raw: string[] = []; // raw JSON texts placed by token
  const token = (text: string) => `\u0000RAW${raw.push(text) - 1}\u0000`;
  const body = wire.body === undefined ? undefined : structuredClone(wire.body);
  const headers: Record<string, string> = wire.body === undefined ? {} : { 'content-type': 'application/json' };
  let { method, path } = wire;
  let rawQuery = new URLSearchParams(
    Object.entries(wire.query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x])),
  )
    .toString()
    .replace(/\+/g, '%20');
  const paths = body && op.inputShape ? shapePaths(m, op.inputShape, body).filter((p) => p.path.length > 0) : [];
  const choose = (filter: (shape: string) => boolean) => {
    const fit = paths.filter((p) => filter(p.shape));
    return fit.length > 0 ? pick(fit, mutation.at) : paths.length > 0 ? pick(paths, mutation.at) : undefined;
  };
  const typeOf = (shape: string) => m.shape(shape).type;
  let what: string = mutation.kind;
  const put = (target: { path: Path } | undefined, value: unknown) => {
    if (!target || !body) return;
    setAt(body, target.path, value);
    what += ` at ${target.path.join('.')}`;
  };
  let bytes: Buffer | undefined;

  switch (mutation.kind) {
    case 'none':
      break;
    case 'wrongType':
      put(
        choose(() => true),
        pick(WRONG_VALUES, mutation.variant),
      );
      break;
    case 'nullValue':
      put(
        choose(() => true),
        null,
      );
      break;
    case 'outOfRange':
      put(
        choose((s) => typeOf(s) === 'integer' || typeOf(s) === 'long'),
        token(pick(NUMBER_TOKENS, mutation.variant)),
      );
      break;
    case 'badString': {
      const target = choose((s) => typeOf(s) === 'string');
      const shape = target ? m.shape(target.shape) : undefined;
      const options = [
        'x'.repeat((shape?.max ?? 1024) + 1),
        '',
        'y'.repeat(200_000),
        'a b',
        'arn:aws:ivs:us-west-2:1:channel/x/y',
      ];
      put(target, pick(options, mutation.variant));
      break;
    }
    case 'oddUnicode': {
      const target = choose((s) => typeOf(s) === 'string');
      const n = mutation.variant % (ODD_STRINGS.length + RAW_STRINGS.length);
      put(target, n < ODD_STRINGS.length ? ODD_STRINGS[n] : token(RAW_STRINGS[n - ODD_STRINGS.length]!));
      break;
    }
    case 'unknownMember': {
      // Into the body itself or any structure inside it.
      const structures = body ? [{ path: [] as Path }, ...paths.filter((p) => typeOf(p.shape) === 'structure')] : [];
      const target = structures.length > 0 ? pick(structures, mutation.at) : undefined;
      const holder = target && body ? getAt(body, target.path) : undefined;
      if (isObject(holder)) {
        const values = [
          `${UNKNOWN_MARK}-zzz`,
          { [UNKNOWN_MARK]: 'zzz' },
          [UNKNOWN_MARK, 1],
          token(deepUnknown(990)),
          token(deepUnknown(10)),
        ];
        holder[`${UNKNOWN_MARK}${mutation.variant % 7}`] = pick(values, mutation.variant);
        what += ` in ${target!.path.join('.') || '(body)'}`;
      }
      break;
    }
    case 'deepNesting': {
      // Objects take six bytes a level: half the depth keeps the deepest within the 1 MiB body limit.
      const arrays = Math.floor(mutation.variant / DEPTHS.length) % 2 === 0;
      const depth = arrays ? pick(DEPTHS, mutation.variant) : Math.ceil(pick(DEPTHS, mutation.variant) / 2);
      const text = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      put(
        choose(() => true),
        token(text),
      );
      what += ` (${depth} levels)`;
      break;
    }
    case 'hugeArray': {
      const length = pick(ARRAY_LENGTHS, mutation.variant);
      const item = pick(
        ['1', '"arn:aws:ivs:us-west-2:000000000000:channel/AbCdEfGh1234"', '{}'],
        Math.floor(mutation.variant / ARRAY_LENGTHS.length),
      );
      put(
        choose((s) => typeOf(s) === 'list'),
        token(`[${Array(length).fill(item).join(',')}]`),
      );
      what += ` (${length} items)`;
      break;
    }
    case 'duplicateKey':
    case 'invalidJson':
    case 'invalidUtf8':
      break; // applied to the text below
    case 'contentType': {
      const type = pick(CONTENT_TYPES, mutation.variant);
      if (type === undefined) delete headers['content-type'];
      else headers['content-type'] = type;
      what += ` ${String(type).slice(0, 40)}`;
      break;
    }
    case 'route': {
      ({ path, rawQuery } = mutateRoute(path, rawQuery, mutation));
      what += ` ${path.slice(0, 80)}?${rawQuery.slice(0, 80)}`;
      break;
    }
    case 'method':
      method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'], mutation.variant);
      what += ` ${method}`;
      break;
  }

  if (body !== undefined) {
    let text = JSON.stringify(body).replace(/"\\u0000RAW(\d+)\\u0000"/g, (_, i: string) => raw[Number(i)]!);
    if (mutation.kind === 'duplicateKey') text = duplicateKey(text, body, mutation);
    if (mutation.kind === 'invalidJson') text = invalidJson(text, mutation);
    bytes = Buffer.from(text, 'utf8');
    if (mutation.kind === 'invalidUtf8') bytes = invalidUtf8(bytes, mutation);
  } else if (mutation.kind === 'invalidJson' || mutation.kind === 'invalidUtf8') {
    bytes = Buffer.from([0x7b, 0xff, 0x7d]); // a body where none belongs
  }
  return { request: { method, path, rawQuery, headers, body: bytes }, what };
}

function deepUnknown(depth: number): string {
  return `${`{"${UNKNOWN_MARK}":`.repeat(depth)}"zzz"${'}'.repeat(depth)}`;
}

function duplicateKey(text: string, body: Record<string, unknown>, mutation: Mutation): string {
  const keys = Object.keys(body);
  const key = keys.length > 0 ? pick(keys, mutation.at) : 'name';
  const other = pick(['null', '1', '"dup"', '{}', '[]', JSON.stringify(body[key] ?? null)], mutation.variant);
  return text === '{}' ? `{"${key}":1,"${key}":${other}}` : `${text.slice(0, -1)},"${key}":${other}}`;
}

function invalidJson(text: string, mutation: Mutation): string {
  const cut = text.length === 0 ? 0 : mutation.at % text.length;
  const variants = [
    () => text.slice(0, cut),
    () => `${text}}`,
    () => `${text} garbage`,
    () => text.replace('"', "'"),
    () => `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"n":NaN}`,
    () => `/* comment */${text}`,
    () => `\ufeff${text}`,
    () => ['[]', 'null', '"s"', '1', 'true', '', ' \n\t ', '{', '}', '[{}]'][mutation.at % 10]!,
    () => `{"maxResults":${'1'.repeat(100_000)}}`,
    () => `${text.slice(0, cut)}\u0000${text.slice(cut)}`,
    () => `{"a":"${'\\'.repeat(1 + (mutation.at % 5))}"}`,
  ];
  return pick(variants, mutation.variant)();
}

function invalidUtf8(bytes: Buffer, mutation: Mutation): Buffer {
  const bad = pick(
    [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]],
    mutation.variant,
  );
  // Inside a string value when there is one (after the first `:"`), else anywhere.
  const at = bytes.indexOf(':"');
  const offset = at >= 0 ? at + 2 : mutation.at % (bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, offset), Buffer.from(bad), bytes.subarray(offset)]);
}

function mutateRoute(path: string, rawQuery: string, mutation: Mutation): { path: string; rawQuery: string } {
  const slash = path.indexOf('/', 1);
  const head = slash > 0 ? path.slice(0, slash + 1) : `${path}/`;
  const label = slash > 0 ? path.slice(slash + 1) : '';
  const decoded = safeDecode(label);
  const paths = [
    `${head}${decoded}`, // unencoded: the ARN's slash splits the path
    `${head}${encodeURIComponent(label)}`, // encoded twice
    `${head}%ZZ${label}`,
    head,
    `${head}${'a'.repeat(10_000)}`,
    `${head}${label}/extra`,
    `${head}..%2F..%2F${label}`,
    `${head}${label.replace(/%3A/gi, ':')}`,
    `${head}${encodeURIComponent(`${decoded}\u0000`)}`,
    path,
  ];
  const queries = [
    rawQuery,
    Array.from({ length: 200 }, (_, i) => `tagKeys=k${i}`).join('&'),
    'tagKeys=',
    'tagKeys',
    `${rawQuery}&${UNKNOWN_MARK}=1`,
    'tagKeys=%ZZ',
    `tagKeys=${'k'.repeat(5000)}`,
    'tagKeys=a&tagKeys=a&tagKeys=%E2%82%AC',
    '&&&=&',
  ];
  return { path: pick(paths, mutation.at), rawQuery: pick(queries, mutation.variant) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1));
  if (typeof parent === 'object' && parent !== null) {
    Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  }
}
