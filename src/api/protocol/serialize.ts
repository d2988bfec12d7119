// Turns a handler's output into an HTTP response: the operation's status code, header-bound members
// as headers, the rest as JSON with timestamps rendered as the model says. Most outputs contain no
// timestamp and no header member; those are JSON.stringify'd as they are (so handlers must return
// only model members), while the others are walked by shape and rebuilt from model members only.
import type { OperationRef, ServiceModel, Shape, ShapeRef } from './model.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface OutputPlan {
  /** True when JSON.stringify of the raw output is already the wire form. */
  direct: boolean;
  headerMembers: { name: string; header: string }[];
  bodyMembers: { name: string; wireName: string; ref: ShapeRef }[];
}

const plans = new WeakMap<ServiceModel, Map<string, OutputPlan>>();
const transforms = new WeakMap<ServiceModel, Map<string, boolean>>();

export function serializeOutput(model: ServiceModel, operation: OperationRef, output: unknown): HttpResponse {
  const op = model.operation(operation);
  const plan = op.outputShape ? planFor(model, op.outputShape) : undefined;
  const data = (output ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  for (const m of plan?.headerMembers ?? []) {
    const v = data[m.name];
    if (v !== undefined && v !== null) headers[m.header] = v instanceof Date ? v.toUTCString() : String(v);
  }
  // 204 means no body at all, so no content-type either (SDKs would try to parse it).
  if (op.responseCode === 204) return { status: 204, headers, body: '' };
  headers['content-type'] = 'application/json';
  // No output shape: nothing the handler returned belongs on the wire.
  if (!plan) return { status: op.responseCode, headers, body: '{}' };
  if (plan.direct) return { status: op.responseCode, headers, body: JSON.stringify(data) };
  const body: Record<string, unknown> = {};
  for (const m of plan.bodyMembers) {
    const v = data[m.name];
    if (v !== undefined) body[m.wireName] = toWire(model, m.ref.shape, v);
  }
  return { status: op.responseCode, headers, body: JSON.stringify(body) };
}

function planFor(model: ServiceModel, shapeName: string): OutputPlan {
  let byShape = plans.get(model);
  if (!byShape) plans.set(model, (byShape = new Map()));
  const hit = byShape.get(shapeName);
  if (hit) return hit;
  const plan: OutputPlan = { direct: true, headerMembers: [], bodyMembers: [] };
  for (const [name, ref] of Object.entries(model.shape(shapeName).members ?? {})) {
    if (ref.location === 'header') {
      plan.headerMembers.push({ name, header: ref.locationName ?? name });
      plan.direct = false;
    } else if (!ref.location) {
      plan.bodyMembers.push({ name, wireName: ref.locationName ?? name, ref });
      if (ref.locationName || needsTransform(model, ref.shape)) plan.direct = false;
    }
  }
  byShape.set(shapeName, plan);
  return plan;
}

/** Whether values of this shape differ from their JSON.stringify form: they contain a timestamp. */
function needsTransform(model: ServiceModel, shapeName: string): boolean {
  let cache = transforms.get(model);
  if (!cache) transforms.set(model, (cache = new Map()));
  const hit = cache.get(shapeName);
  if (hit !== undefined) return hit;
  cache.set(shapeName, false); // provisional, for recursive shapes; a cycle adds nothing new
  const shape = model.shape(shapeName);
  const result = childRefs(shape).some((ref) => needsTransform(model, ref.shape)) || shape.type === 'timestamp';
  cache.set(shapeName, result);
  return result;
}

function childRefs(shape: Shape): ShapeRef[] {
  if (shape.type === 'structure') return Object.values(shape.members ?? {});
  if (shape.type === 'list') return shape.member ? [shape.member] : [];
  if (shape.type === 'map') return shape.value ? [shape.value] : [];
  return [];
}

type Writer = (value: unknown) => unknown;

const writers = new WeakMap<ServiceModel, Map<string, Writer>>();
const identity: Writer = (v) => v;

/** The wire form of a value of this shape, compiled once per shape: a closure per container level. */
function toWire(model: ServiceModel, shapeName: string, value: unknown): unknown {
  return writerFor(model, shapeName)(value);
}

function writerFor(model: ServiceModel, shapeName: string): Writer {
  let cache = writers.get(model);
  if (!cache) writers.set(model, (cache = new Map()));
  const hit = cache.get(shapeName);
  if (hit) return hit;
  let real: Writer | undefined;
  cache.set(shapeName, (v) => real!(v)); // trampoline for recursive shapes
  real = needsTransform(model, shapeName) ? compileWriter(model, model.shape(shapeName)) : identity;
  cache.set(shapeName, real);
  return real;
}

function compileWriter(model: ServiceModel, shape: Shape): Writer {
  switch (shape.type) {
    case 'timestamp':
      return (v) => (v === null || v === undefined ? v : formatTimestamp(v, shape.timestampFormat));
    case 'list': {
      const item = writerFor(model, shape.member!.shape);
      return (v) => (Array.isArray(v) ? v.map(item) : v);
    }
    case 'map': {
      const item = writerFor(model, shape.value!.shape);
      return (v) => {
        if (typeof v !== 'object' || v === null) return v;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = item(x);
        return out;
      };
    }
    case 'structure': {
      const members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({
        name,
        wireName: ref.locationName ?? name,
        write: writerFor(model, ref.shape),
      }));
      return (v) => {
        if (typeof v !== 'object' || v === null) return v;
        const src = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const m of members) if (src[m.name] !== undefined) out[m.wireName] = m.write(src[m.name]);
        return out;
      };
    }
    default:
      return identity;
  }
}

/**
 * Accepts a Date, an ISO/RFC string, or epoch seconds (the AWS wire convention for numbers).
 * IVS marks its timestamps `iso8601`; the real service sends them without milliseconds.
 */
export function formatTimestamp(value: unknown, format = 'iso8601'): unknown {
  const date =
    value instanceof Date ? value
    : typeof value === 'number' ? new Date(value * 1000)
    : typeof value === 'string' ? new Date(value)
    : undefined;
  if (!date || Number.isNaN(date.getTime())) return value; // leave what we cannot read untouched
  if (format === 'unixTimestamp') return date.getTime() / 1000;
  if (format === 'rfc822') return date.toUTCString();
  return isoSeconds(date);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** Date.prototype.toISOString costs ~400 ns in V8; building the string from UTC fields is ~4x cheaper. */
function isoSeconds(d: Date): string {
  const y = d.getUTCFullYear();
  if (y < 1000 || y > 9999) return `${d.toISOString().slice(0, -5)}Z`; // rare: let V8 handle odd years
  return `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}Z`;
}
