// Input validation against the model: required members, types, lengths, ranges, enums, patterns,
// list/map sizes, recursively. Each shape compiles once into a checker closure (cached per model),
// because this runs on every request. A missing required member wins over other problems and is
// reported the way the real service words it: `<Operation>.<member> is a required attribute`.
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
}

type Check = (value: unknown, path: string, found: Findings) => void;

const caches = new WeakMap<ServiceModel, Map<string, Check>>();

/**
 * Throws a ValidationException for an invalid input. JSON nulls inside structures are treated as
 * absent (as AWS does) and removed from the input so handlers only ever see undefined.
 */
export function validateInput(model: ServiceModel, operation: OperationRef, input: Record<string, unknown>): void {
  const op = model.operation(operation);
  if (!op.inputShape) return;
  const found = new Findings();
  checkerFor(model, op.inputShape)(input, '', found);
  if (found.missing !== undefined) throw validation(`${op.name}.${found.missing} is a required attribute`);
  if (found.errors.length > 0) throw validationFailure(found.errors);
}

/** Compiles the checkers of every operation's input up front, so a bad model pattern fails at startup. */
export function precompileValidators(model: ServiceModel): void {
  for (const op of model.operations()) if (op.inputShape) checkerFor(model, op.inputShape);
}

function checkerFor(model: ServiceModel, shapeName: string): Check {
  let cache = caches.get(model);
  if (!cache) caches.set(model, (cache = new Map()));
  const hit = cache.get(shapeName);
  if (hit) return hit;
  // A trampoline first, so a recursive shape compiles without looping forever.
  let real: Check | undefined;
  cache.set(shapeName, (v, p, f) => real!(v, p, f));
  real = compile(model, shapeName, model.shape(shapeName));
  cache.set(shapeName, real);
  return real;
}

function compile(model: ServiceModel, name: string, shape: Shape): Check {
  if (shape.type === 'structure') return compileStructure(model, shape);
  if (shape.type === 'list') return compileList(model, shape);
  if (shape.type === 'map') return compileMap(model, shape);
  const rules = compileScalarRules(name, shape);
  const sensitive = shape.sensitive === true;
  return (value, path, found) => {
    const problems = rules(value);
    if (problems) for (const rule of problems) found.add(constraintError(value, path, rule, sensitive));
  };
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileStructure(model: ServiceModel, shape: Shape): Check {
  const required = new Set(shape.required ?? []);
  const members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({
    name,
    required: required.has(name),
    check: checkerFor(model, ref.shape),
  }));
  return (value, path, found) => {
    if (!isPlainObject(value)) return found.add(constraintError(value, path, 'Member must be a structure'));
    for (const m of members) {
      const v = Object.hasOwn(value, m.name) ? value[m.name] : undefined;
      if (v === undefined || v === null) {
        if (v === null) delete value[m.name];
        if (m.required && found.missing === undefined) found.missing = join(path, m.name);
        continue;
      }
      m.check(v, join(path, m.name), found);
    }
  };
}

function sizeRules(shape: Shape, size: number): string[] {
  const rules: string[] = [];
  if (shape.min !== undefined && size < shape.min) rules.push(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && size > shape.max) rules.push(`Member must have length less than or equal to ${shape.max}`);
  return rules;
}

function compileList(model: ServiceModel, shape: Shape): Check {
  const check = checkerFor(model, shape.member!.shape);
  return (value, path, found) => {
    if (!Array.isArray(value)) return found.add(constraintError(value, path, 'Member must be a list'));
    for (const rule of sizeRules(shape, value.length)) found.add(constraintError(value, path, rule));
    for (let i = 0; i < value.length; i++) {
      const itemPath = `${path}.${i + 1}.member`; // AWS numbers list members from 1
      if (value[i] === null || value[i] === undefined) found.add(constraintError(null, itemPath, 'Member must not be null'));
      else check(value[i], itemPath, found);
    }
  };
}

function compileMap(model: ServiceModel, shape: Shape): Check {
  const keyShape = model.shape(shape.key!.shape);
  // Map keys are strings on the wire; AWS reports their problems framed as "Map keys must ...".
  const keyRules = isScalarType(keyShape.type) ? compileScalarRules(shape.key!.shape, keyShape) : () => undefined;
  const checkValue = checkerFor(model, shape.value!.shape);
  return (value, path, found) => {
    if (!isPlainObject(value)) return found.add(constraintError(value, path, 'Member must be a map'));
    const keys = Object.keys(value);
    for (const rule of sizeRules(shape, keys.length)) found.add(constraintError(value, path, rule));
    for (const key of keys) {
      const problems = keyRules(key);
      if (problems) found.add(constraintError(key, path, `Map keys must satisfy constraint: [${problems.join(', ')}]`));
      const v = value[key];
      const valuePath = join(path, clip(key));
      if (v === null || v === undefined) found.add(constraintError(null, valuePath, 'Member must not be null'));
      else checkValue(v, valuePath, found);
    }
  };
}
