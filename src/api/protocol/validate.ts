// Input validation against the model, which also decides what a handler gets: a fresh value built
// from the model's members only. Required members, types, lengths, ranges, enums, patterns and
// list/map sizes are checked recursively; members the model does not define are dropped at every
// depth without being looked into (rest-json services ignore unknown members, so a newer client
// still works, and a 10,000-deep unknown member costs nothing), so nothing unvalidated can reach a
// handler, storage or a response. Each shape compiles once into a decoder closure (cached per
// model), because this runs on every request. A missing required member wins over other problems
// and is reported the way the real service words it: `<Operation>.<member> is a required attribute`.
import { validation } from '../../domain/errors.js';
import { clip, constraintError, validationFailure } from './messages.js';
import type { OperationRef, ServiceModel, Shape } from './model.js';
import { compileScalarRules, isScalarType } from './rules.js';

/** More than this many problems are not worth reporting; the client has to fix the first ones anyway. */
const MAX_ERRORS = 10;

class Findings {
  readonly errors: string[] = [];
  missing: string | undefined;
  add(message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(message);
  }
  /** Once the report is full, the rest of the input is not worth walking (it bounds a huge list's cost). */
  get full(): boolean {
    return this.errors.length >= MAX_ERRORS;
  }
}

/** Checks `value` and returns its model-only copy (meaningless once `found` holds an error). */
type Decode = (value: unknown, path: string, found: Findings) => unknown;

/** Nested members are read by their wire name; the top-level input arrives keyed by member name. */
type KeyedBy = 'wire' | 'member';

/**
 * Decoders by shape name, one map per keying: a shape's name is the model's own string, whose hash V8 keeps, so a
 * lookup costs no string building (a combined `${shape}\0input` key, built per call, was a tenth of decoding).
 */
const caches = new WeakMap<ServiceModel, Record<KeyedBy, Map<string, Decode>>>();

/**
 * Returns the operation's input as the model defines it, or throws a ValidationException. JSON
 * nulls inside structures mean "absent" (as on AWS), so handlers only ever see undefined for them;
 * unknown members are left out; the caller's object is not modified.
 */
export function validateInput(
  model: ServiceModel,
  operation: OperationRef,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const op = model.operation(operation);
  if (!op.inputShape) return {};
  const found = new Findings();
  const clean = decoderFor(model, op.inputShape, 'member')(input, '', found) as Record<string, unknown> | undefined;
  if (found.missing !== undefined) throw validation(`${op.name}.${found.missing} is a required attribute`);
  if (found.errors.length > 0) throw validationFailure(found.errors);
  return clean ?? {};
}

/** Compiles the decoders of every operation's input up front, so a bad model pattern fails at startup. */
export function precompileValidators(model: ServiceModel): void {
  for (const op of model.operations()) if (op.inputShape) decoderFor(model, op.inputShape, 'member');
}

function decoderFor(model: ServiceModel, shapeName: string, keyedBy: KeyedBy = 'wire'): Decode {
  let byKeying = caches.get(model);
  if (!byKeying) caches.set(model, (byKeying = { wire: new Map<string, Decode>(), member: new Map<string, Decode>() }));
  const cache = byKeying[keyedBy];
  const hit = cache.get(shapeName);
  if (hit) return hit;
  // A trampoline first, so a recursive shape compiles without looping forever; `real` exists before anything calls it.
  cache.set(shapeName, (v, p, f) => real(v, p, f));
  const real = compile(model, shapeName, model.shape(shapeName), keyedBy);
  cache.set(shapeName, real);
  return real;
}

function compile(model: ServiceModel, name: string, shape: Shape, keyedBy: KeyedBy): Decode {
  if (shape.type === 'structure') return compileStructure(model, shape, keyedBy);
  if (shape.type === 'list') return compileList(model, shape);
  if (shape.type === 'map') return compileMap(model, shape);
  const rules = compileScalarRules(name, shape);
  const sensitive = shape.sensitive === true;
  return (value, path, found) => {
    const problems = rules(value);
    if (problems) for (const rule of problems) found.add(constraintError(value, path, rule, sensitive));
    return value === 0 ? 0 : value; // -0 is 0 on the wire; never hand a handler a negative zero
  };
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileStructure(model: ServiceModel, shape: Shape, keyedBy: KeyedBy): Decode {
  const required = new Set(shape.required ?? []);
  const members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({
    name,
    key: keyedBy === 'member' ? name : (ref.locationName ?? name),
    required: required.has(name),
    decode: decoderFor(model, ref.shape),
  }));
  return (value, path, found) => {
    if (!isPlainObject(value)) return found.add(constraintError(value, path, 'Member must be a structure'));
    // Only the model's members are read: whatever else the object holds is never visited.
    const out: Record<string, unknown> = {};
    for (const m of members) {
      const v = Object.hasOwn(value, m.key) ? value[m.key] : undefined;
      if (v === undefined || v === null) {
        if (m.required && found.missing === undefined) found.missing = join(path, m.name);
        continue;
      }
      if (found.full) continue; // still look for a missing required member, which wins
      out[m.name] = m.decode(v, join(path, m.name), found);
    }
    return out;
  };
}

function sizeRules(shape: Shape, size: number): string[] {
  const rules: string[] = [];
  if (shape.min !== undefined && size < shape.min) rules.push(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && size > shape.max) rules.push(`Member must have length less than or equal to ${shape.max}`);
  return rules;
}

function compileList(model: ServiceModel, shape: Shape): Decode {
  const decode = decoderFor(model, shape.member!.shape);
  return (value, path, found) => {
    if (!Array.isArray(value)) return found.add(constraintError(value, path, 'Member must be a list'));
    for (const rule of sizeRules(shape, value.length)) found.add(constraintError(value, path, rule));
    const out: unknown[] = [];
    for (let i = 0; i < value.length && !found.full; i++) {
      const itemPath = `${path}.${i + 1}.member`; // AWS numbers list members from 1
      const item: unknown = value[i];
      if (item === null || item === undefined) found.add(constraintError(null, itemPath, 'Member must not be null'));
      else out.push(decode(item, itemPath, found));
    }
    return out;
  };
}

function compileMap(model: ServiceModel, shape: Shape): Decode {
  const keyShape = model.shape(shape.key!.shape);
  // Map keys are strings on the wire; AWS reports their problems framed as "Map keys must ...".
  const keyRules = isScalarType(keyShape.type) ? compileScalarRules(shape.key!.shape, keyShape) : () => undefined;
  const decodeValue = decoderFor(model, shape.value!.shape);
  return (value, path, found) => {
    if (!isPlainObject(value)) return found.add(constraintError(value, path, 'Member must be a map'));
    const keys = Object.keys(value);
    for (const rule of sizeRules(shape, keys.length)) found.add(constraintError(value, path, rule));
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length && !found.full; i++) {
      const key = keys[i]!;
      const problems = keyRules(key);
      if (problems) found.add(constraintError(key, path, `Map keys must satisfy constraint: [${problems.join(', ')}]`));
      const v = value[key];
      const valuePath = join(path, clip(key));
      if (v === null || v === undefined) {
        found.add(constraintError(null, valuePath, 'Member must not be null'));
        continue;
      }
      const clean = decodeValue(v, valuePath, found);
      // `__proto__` as a key would become a prototype the moment any later code copies the map with
      // `obj[key] = v`; such a key is dropped, as JSON.parse's own property would otherwise carry it.
      if (key !== '__proto__') out[key] = clean;
    }
    return out;
  };
}
