// The three configuration sources, each turned into validated settings labelled with where they came from:
// command-line flags (node:util parseArgs tokens), OPENIVS_* environment variables and the JSON config file.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { FIXED_FILE_KEYS, OPTIONS, type OptionSpec } from './options.js';
import { ConfigError, fail, shown } from './values.js';

/** One setting's validated value and a label naming its source, for later error messages. */
export interface Setting {
  value: unknown;
  label: string;
}
export type Settings = Map<string, Setting>;

/** Thrown by loadConfig for --help / -h; the caller prints HELP_TEXT and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor() {
    super('help requested');
  }
}

const BY_FLAG = new Map(OPTIONS.filter((o) => o.flag !== undefined).map((o) => [o.flag as string, o]));

/** Parses argv (without node, script and subcommand). Throws HelpRequested if -h/--help appears anywhere. */
export function readArgv(argv: readonly string[], cwd: string): Settings {
  const options = Object.fromEntries(
    [...BY_FLAG.values()].map((o) => [o.flag as string, { type: o.arg === '' ? 'boolean' : 'string' } as const]),
  );
  const { tokens } = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) throw new HelpRequested();
  const settings: Settings = new Map();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw new ConfigError(`unexpected argument ${shown(token.value)} (see --help)`);
    }
    if (token.kind !== 'option') continue;
    const spec = BY_FLAG.get(token.name);
    if (spec === undefined) fail(token.rawName, 'unknown option (see --help)');
    const label = `--${spec.flag}`;
    let raw: unknown = token.value;
    if (spec.arg === '') raw = token.value ?? true;
    else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      fail(label, `missing value (expected ${label} ${spec.arg})`);
    }
    const value = spec.parse(raw, label, cwd);
    const previous = spec.repeatable ? settings.get(spec.name)?.value : undefined;
    settings.set(spec.name, {
      value: Array.isArray(previous) ? [...(previous as unknown[]), ...(value as unknown[])] : value,
      label,
    });
  }
  return settings;
}

/** Levenshtein distance, two rows at a time; every row holds b.length + 1 entries, so the indices below exist. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Reads OPENIVS_* variables; empty ones count as unset. A near-miss of a known name is an error. */
export function readEnv(env: NodeJS.ProcessEnv, cwd: string): Settings {
  const settings: Settings = new Map();
  const known = new Set(OPTIONS.map((o) => o.env));
  for (const name of Object.keys(env)) {
    if (!name.startsWith('OPENIVS_') || known.has(name)) continue;
    const near = [...known].find((k) => editDistance(name, k) <= 2);
    if (near !== undefined) fail(name, `unknown variable; did you mean ${near}?`);
  }
  for (const spec of OPTIONS) {
    const value = env[spec.env];
    if (value === undefined || value.trim() === '') continue;
    settings.set(spec.name, { value: spec.parse(value, spec.env, cwd), label: spec.env });
  }
  return settings;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes a JSON syntax error by line and column only: V8's own message can quote file content (secrets). */
function jsonErrorPlace(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (match === null) return text.trim() === '' ? ' (file is empty)' : '';
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

/** Reads and validates the JSON config file; relative paths in it resolve against its directory. */
export function readFile(path: string, label: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError(`${label}: cannot read config file ${shown(path)} (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: invalid JSON${jsonErrorPlace(text, error)}`);
  }
  if (!isObject(data)) fail(path, 'expected a JSON object at the top level');
  const byKey = new Map(OPTIONS.filter((o) => o.fileKey !== undefined).map((o) => [o.fileKey as string, o]));
  const entries: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === 'quotas') {
      if (!isObject(value)) fail(`${path}: quotas`, 'expected an object');
      for (const [sub, subValue] of Object.entries(value)) entries.push([`quotas.${sub}`, subValue]);
    } else entries.push([key, value]);
  }
  const settings: Settings = new Map();
  for (const [key, value] of entries) {
    const spec: OptionSpec | undefined = byKey.get(key);
    const keyLabel = `${path}: ${key}`;
    if (FIXED_FILE_KEYS[key] !== undefined) fail(keyLabel, FIXED_FILE_KEYS[key]);
    if (spec === undefined) fail(path, `unknown key ${shown(key)}`);
    settings.set(spec.name, { value: spec.parse(value, keyLabel, dirname(path)), label: keyLabel });
  }
  return settings;
}
