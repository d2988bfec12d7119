// Builds an operation's input object from the parts of an HTTP request, as the model's member
// locations say: URI labels, query string, headers, and the JSON body for everything else.
// It only places and coerces values; constraint checks belong to validate.ts.
import { ServiceError } from '../../domain/errors.js';
import { jsonLimitProblem } from './json-limits.js';
import { constraintError, validationFailure } from './messages.js';
import type { OperationRef, ServiceModel, ShapeRef } from './model.js';

export interface RequestParts {
  labels: Record<string, string>;
  query: URLSearchParams;
  /** Node-style headers: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface BoundMember {
  name: string;
  wireName: string;
  ref: ShapeRef;
}

/** Input members split by location, computed once per input shape. */
interface Plan {
  uri: BoundMember[];
  query: BoundMember[];
  header: BoundMember[];
  body: BoundMember[];
}

const plans = new WeakMap<ServiceModel, Map<string, Plan>>();

export function deserializeInput(model: ServiceModel, operation: OperationRef, parts: RequestParts): Record<string, unknown> {
  const op = model.operation(operation);
  const input: Record<string, unknown> = {};
  if (!op.inputShape) return input;
  const plan = planFor(model, op.inputShape);
  for (const m of plan.uri) {
    const raw = parts.labels[m.wireName];
    if (raw !== undefined) input[m.name] = coerce(model, m.ref, raw, m.name);
  }
  for (const m of plan.query) readQuery(model, m, parts.query, input);
  for (const m of plan.header) readHeader(model, m, parts.headers, input);
  // Only parse when a body member exists: a GET with a stray body is not the client's error here.
  if (plan.body.length > 0) {
    const body = parseJsonBody(parts.body);
    for (const m of plan.body) {
      // hasOwn: a member named like an Object.prototype property must not read the inherited one.
      const value = Object.hasOwn(body, m.wireName) ? body[m.wireName] : undefined;
      // JSON null means "not set", as on AWS; handlers only ever see undefined for absent members.
      if (value !== undefined && value !== null) input[m.name] = value;
    }
  }
  return input;
}

function planFor(model: ServiceModel, shapeName: string): Plan {
  let byShape = plans.get(model);
  if (!byShape) plans.set(model, (byShape = new Map<string, Plan>()));
  let plan = byShape.get(shapeName);
  if (plan) return plan;
  plan = { uri: [], query: [], header: [], body: [] };
  for (const [name, ref] of Object.entries(model.shape(shapeName).members ?? {})) {
    const bound = { name, wireName: ref.locationName ?? name, ref };
    if (ref.location === 'uri') plan.uri.push(bound);
    else if (ref.location === 'querystring') plan.query.push(bound);
    else if (ref.location === 'header') plan.header.push(bound);
    else if (!ref.location) plan.body.push(bound);
    // 'headers' (prefix maps) and 'statusCode' do not occur in request shapes of this model.
  }
  byShape.set(shapeName, plan);
  return plan;
}

function readQuery(model: ServiceModel, m: BoundMember, query: URLSearchParams, input: Record<string, unknown>): void {
  const shape = model.shape(m.ref.shape);
  if (shape.type === 'list') {
    // Repeated parameters (`tagKeys=a&tagKeys=b`) form the list.
    const values = query.getAll(m.wireName);
    if (values.length > 0) input[m.name] = values.map((v, i) => coerce(model, shape.member!, v, `${m.name}.${i + 1}.member`));
    return;
  }
  const value = query.get(m.wireName);
  if (value !== null) input[m.name] = coerce(model, m.ref, value, m.name);
}

function readHeader(model: ServiceModel, m: BoundMember, headers: RequestParts['headers'], input: Record<string, unknown>): void {
  const raw = headers[m.wireName.toLowerCase()] ?? headers[m.wireName];
  if (raw === undefined) return;
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  const shape = model.shape(m.ref.shape);
  if (shape.type === 'list') {
    input[m.name] = value.split(',').map((v) => coerce(model, shape.member!, v.trim(), m.name));
  } else {
    input[m.name] = coerce(model, m.ref, value, m.name);
  }
}

/** Query, header and label values arrive as text; numbers and booleans must parse exactly. */
function coerce(model: ServiceModel, ref: ShapeRef, raw: string, path: string): unknown {
  switch (model.shape(ref.shape).type) {
    case 'integer':
    case 'long': {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (Number.isSafeInteger(n)) return n;
      throw validationFailure([constraintError(raw, path, 'Member must be an integer')]);
    }
    case 'float':
    case 'double': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (Number.isFinite(n)) return n;
      throw validationFailure([constraintError(raw, path, 'Member must be a number')]);
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw validationFailure([constraintError(raw, path, 'Member must be a boolean')]);
    default:
      return raw;
  }
}

/**
 * Parses a request body that must be a JSON object; an empty body is `{}` (SDKs omit it). Its shape is
 * bounded before parsing (json-limits.ts). No reviver: a `__proto__` key is an ordinary own property
 * of what JSON.parse returns, and validation copies only the model's members out of it.
 */
export function parseJsonBody(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) return {};
  const overLimit = jsonLimitProblem(buf);
  if (overLimit) throw new ServiceError('SerializationException', `Unable to parse request body: ${overLimit}`);
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8 quotes a stretch of the input ("…" is not valid JSON); the body is not echoed back.
    const reason = err instanceof Error ? err.message.replace(/,\s*(?:\.\.\.)?".*$/s, ' in JSON').slice(0, 200) : 'invalid JSON';
    throw new ServiceError('SerializationException', `Unable to parse request body: ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ServiceError('SerializationException', 'Unable to parse request body: expected a JSON object');
  }
  return parsed as Record<string, unknown>;
}
