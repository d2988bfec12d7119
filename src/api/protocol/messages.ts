// AWS-style validation message text, shared by the deserializer (query/header coercion) and the
// validator so clients see one format: `Value '<v>' at '<path>' failed to satisfy constraint: <rule>`.
import { validation, type ServiceError } from '../../domain/errors.js';

/** Values are echoed back to the caller; cap them so a megabyte string never lands in a response. */
const MAX_ECHO = 100;

export function renderValue(value: unknown): string {
  return clip(stringify(value, 0));
}

/** Caps echoed text at MAX_ECHO UTF-16 units, marking the cut with `...`. */
export function clip(text: string): string {
  if (text.length <= MAX_ECHO) return text;
  // Never cut a surrogate pair in half: the message must stay well-formed text.
  const cut = isHighSurrogate(text.charCodeAt(MAX_ECHO - 1)) ? MAX_ECHO - 1 : MAX_ECHO;
  return `${text.slice(0, cut)}...`;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/**
 * Coral renders lists as `[a, b]`. Objects are shown as `{...}` and nested containers are not opened:
 * a value that failed validation may hold members the model does not define, and those are never
 * echoed (nor walked: the depth and size of what is shown are bounded).
 */
function stringify(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (!Array.isArray(value)) return '{...}';
  if (depth > 0) return '[...]';
  return `[${value
    .slice(0, 20)
    .map((v) => stringify(v, depth + 1))
    .join(', ')}${value.length > 20 ? ', ...' : ''}]`;
}

/** One constraint failure. Sensitive values (e.g. PutMetadata payloads) are not echoed at all. */
export function constraintError(value: unknown, path: string, rule: string, sensitive = false): string {
  const shown = sensitive ? 'Value' : value === null || value === undefined ? 'Value null' : `Value '${renderValue(value)}'`;
  return `${shown} at '${path}' failed to satisfy constraint: ${rule}`;
}

export function validationFailure(errors: readonly string[]): ServiceError {
  const n = errors.length;
  return validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`);
}
