// Constraint checks for scalar shapes (string, numbers, boolean, timestamp), compiled once per shape.
// Each compiled rule set returns the violated rules as AWS words them ("Member must ..."), or
// undefined when the value is fine, so the caller decides how to frame them (member vs map key).
// Numbers are held to their type as well as to the model's min/max: `integer` is an int32, `long`
// is what a JavaScript number holds exactly (JSON.parse silently rounds 2^53+1 to 2^53, so anything
// beyond ±(2^53-1) may not be the number the client sent), floats and doubles are finite.
import type { Shape } from './model.js';

export type ScalarRules = (value: unknown) => string[] | undefined;

/**
 * The model's ResourceArn pattern allows one character for the resource type, so no real ARN
 * matches it; the real service evidently does not apply it as written. Full-match replacements here.
 */
const PATTERN_OVERRIDES: Record<string, string> = {
  ResourceArn:
    'arn:aws:ivs:[a-z0-9-]+:[0-9]+:(channel|stream-key|playback-key|recording-configuration|playback-restriction-policy|ad-configuration)/[a-zA-Z0-9-]+',
};

export function isScalarType(type: string): boolean {
  return type !== 'structure' && type !== 'list' && type !== 'map';
}

export function compileScalarRules(shapeName: string, shape: Shape): ScalarRules {
  switch (shape.type) {
    case 'string':
    case 'blob':
      return compileString(shapeName, shape);
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      return compileNumber(shape, INTEGER_RANGES[shape.type]);
    case 'float':
    case 'double':
      return compileNumber(shape, undefined);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? undefined : ['Member must be a boolean']);
    case 'timestamp':
      return (v) =>
        typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || v instanceof Date
          ? undefined
          : ['Member must be a timestamp'];
    default:
      // Unknown types (e.g. document): a scalar passes, but no container of unvalidated data may.
      return (v) => (typeof v === 'object' && v !== null ? [`Member must be a ${shape.type} scalar`] : undefined);
  }
}

/** The values each integer type holds; `long` stops where doubles stop counting every integer. */
type IntegerType = 'byte' | 'short' | 'integer' | 'long';
const INTEGER_RANGES: Record<IntegerType, { min: number; max: number }> = {
  byte: { min: -128, max: 127 },
  short: { min: -32768, max: 32767 },
  integer: { min: -2147483648, max: 2147483647 },
  long: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
};

function compileString(shapeName: string, shape: Shape): ScalarRules {
  const { min, max } = shape;
  const enumSet = shape.enum ? new Set(shape.enum) : undefined;
  const enumRule = shape.enum ? `Member must satisfy enum value set: [${shape.enum.join(', ')}]` : '';
  const patternText = PATTERN_OVERRIDES[shapeName] ?? shape.pattern;
  const regex = patternText === undefined ? undefined : compilePattern(patternText);
  return (v) => {
    if (typeof v !== 'string') return ['Member must be a string'];
    let problems: string[] | undefined;
    if (min !== undefined || max !== undefined) {
      const len = codePointLength(v, min, max);
      if (min !== undefined && len < min) (problems ??= []).push(`Member must have length greater than or equal to ${min}`);
      if (max !== undefined && len > max) (problems ??= []).push(`Member must have length less than or equal to ${max}`);
    }
    if (enumSet && !enumSet.has(v)) (problems ??= []).push(enumRule);
    if (regex && !regex.test(v)) (problems ??= []).push(`Member must satisfy regular expression pattern: ${patternText}`);
    return problems;
  };
}

function compileNumber(shape: Shape, range: { min: number; max: number } | undefined): ScalarRules {
  const integer = range !== undefined;
  // The model's bounds where it gives them, narrowed to what the type can hold.
  const min = Math.max(shape.min ?? -Infinity, range?.min ?? -Infinity);
  const max = Math.min(shape.max ?? Infinity, range?.max ?? Infinity);
  const typeRule = integer ? 'Member must be an integer' : 'Member must be a number';
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) return [typeRule];
    if (v < min) return [`Member must have value greater than or equal to ${min}`];
    if (v > max) return [`Member must have value less than or equal to ${max}`];
    return undefined;
  };
}

/**
 * Lengths count Unicode code points, as the service does. UTF-16 length bounds the count from above
 * and half of it from below, so the per-character walk only runs near the limits.
 */
function codePointLength(s: string, min: number | undefined, max: number | undefined): number {
  const units = s.length;
  const maybeTooShort = min !== undefined && units < 2 * min;
  const maybeTooLong = max !== undefined && units > max;
  if (!maybeTooShort && !maybeTooLong) return units;
  let count = 0;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) count++; // low surrogates belong to the preceding code point
  }
  return count;
}

const compiledPatterns = new Map<string, RegExp>();

/**
 * Model patterns are unanchored ECMAScript regexes meant as a full match. The `u` flag is needed for
 * `\p{L}`; a pattern that is only valid without it (odd escapes) still compiles in legacy mode.
 */
export function compilePattern(pattern: string): RegExp {
  let regex = compiledPatterns.get(pattern);
  if (regex) return regex;
  const source = `^(?:${pattern})$`;
  try {
    regex = new RegExp(source, 'u');
  } catch {
    regex = new RegExp(source); // throws for a truly broken pattern: surfaces at startup via precompile
  }
  compiledPatterns.set(pattern, regex);
  return regex;
}
