// Value validators shared by every configuration source (flags, OPENIVS_* variables, the JSON config file).
// Each takes the raw value (a string from argv/env, any JSON value from the file) plus a label naming where it
// came from, and returns the typed value or throws ConfigError with a one-line message naming that label.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { Config } from './types.js';

/** Invalid configuration: the message is one line, names the offending option, and never contains a secret. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type LogLevel = Config['logLevel'];
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME_RE = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Quotes a rejected value for an error message, kept short. Never call this with a secret. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function fail(label: string, message: string): never {
  throw new ConfigError(`${label}: ${message}`);
}

function parseInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

export function parsePort(value: unknown, label: string): number {
  const n = parseInteger(value);
  if (n === undefined || n > 65535) fail(label, `expected an integer 0-65535, got ${shown(value)}`);
  return n;
}

/** Like parsePort, but "off" (or null in the config file) turns the listener off. */
export function parseOptionalPort(value: unknown, label: string): number | null {
  if (value === null || (typeof value === 'string' && value.trim().toLowerCase() === 'off')) return null;
  const n = parseInteger(value);
  if (n === undefined || n > 65535) fail(label, `expected an integer 0-65535 or "off", got ${shown(value)}`);
  return n;
}

export function parsePositiveInt(value: unknown, label: string): number {
  const n = parseInteger(value);
  if (n === undefined || n < 1) fail(label, `expected a positive integer, got ${shown(value)}`);
  return n;
}

export function parseNonNegativeInt(value: unknown, label: string): number {
  const n = parseInteger(value);
  if (n === undefined || n < 0) fail(label, `expected an integer 0 or more, got ${shown(value)}`);
  return n;
}

export function parseBoolean(value: unknown, label: string): boolean {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  fail(label, `expected true or false, got ${shown(value)}`);
}

function requireString(value: unknown, label: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(label, `expected ${what}, got ${shown(value)}`);
  return value.trim();
}

/** A bare host name or IP address (no scheme, port or path). IPv6 is returned in brackets, ready for URLs. */
export function parseHost(value: unknown, label: string): string {
  const what = 'a bare host name or IP address (no scheme, port or path)';
  const text = requireString(value, label, what);
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(inner) === 6) return `[${inner.toLowerCase()}]`;
  if (inner === text && text.length <= 253 && HOSTNAME_RE.test(text)) return text.toLowerCase();
  fail(label, `expected ${what}, got ${shown(value)}`);
}

/** The address listeners bind to: an IP address or a host name. IPv6 is returned without brackets. */
export function parseBindAddress(value: unknown, label: string): string {
  const what = 'an IP address or host name to bind to';
  const text = requireString(value, label, what);
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(inner) !== 0) return inner.toLowerCase();
  if (inner === text && text.length <= 253 && HOSTNAME_RE.test(text)) return text.toLowerCase();
  fail(label, `expected ${what}, got ${shown(value)}`);
}

/** An absolute http(s) URL without query, fragment or user info; trailing slashes removed. */
export function parseBaseUrl(value: unknown, label: string): string {
  const what = 'an http(s) URL without query or fragment';
  const text = requireString(value, label, what);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(label, `expected ${what}, got ${shown(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(label, `expected ${what}, got ${shown(value)}`);
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    fail(label, `must not have a query or fragment, got ${shown(value)}`);
  }
  if (url.username !== '' || url.password !== '') fail(label, 'must not contain user info');
  return url.href.replace(/\/+$/, '');
}

export function parseRegion(value: unknown, label: string): string {
  if (typeof value !== 'string' || !REGION_RE.test(value.trim())) {
    fail(label, `expected a region name such as us-west-2, got ${shown(value)}`);
  }
  return value.trim();
}

export function parseLogLevel(value: unknown, label: string): LogLevel {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const level = LOG_LEVELS.find((l) => l === text);
  if (level === undefined) fail(label, `expected one of ${LOG_LEVELS.join(', ')}, got ${shown(value)}`);
  return level;
}

/** A directory path, resolved to absolute against baseDir (the working directory, or the config file's directory). */
export function parseDir(value: unknown, label: string, baseDir: string): string {
  const text = requireString(value, label, 'a directory path');
  return resolve(baseDir, text);
}

/** Whether addr is a loopback address or name (127.0.0.0/8, ::1, localhost); 0.0.0.0 and :: are not. */
export function isLoopbackAddress(addr: string): boolean {
  let a = addr.trim().toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (a === 'localhost' || a.endsWith('.localhost')) return true;
  if (a.startsWith('::ffff:')) a = a.slice(7);
  if (isIP(a) === 4) return a.startsWith('127.');
  // ::1 in any spelling: the only non-zero digit is a final 1.
  if (isIP(a) === 6) return a.endsWith('1') && a.replace(/[0:]/g, '') === '1';
  return false;
}

/** A file path, resolved to absolute against baseDir. */
export function parseFile(value: unknown, label: string, baseDir: string): string {
  return resolve(baseDir, requireString(value, label, 'a file path'));
}

/** One or more http(s) URLs: a comma-separated string or (config file) an array of strings. */
export function parseUrlList(value: unknown, label: string): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => {
    const text = typeof item === 'string' ? item.trim() : '';
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      fail(label, `expected http(s) URLs, got ${shown(item)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(label, `expected http(s) URLs, got ${shown(item)}`);
    return url.href;
  });
}

/** A non-empty string without surrounding whitespace (names, secrets: a secret is never echoed). */
export function parseText(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(label, 'expected a non-empty string');
  return value.trim();
}

/** An HTTP header name (an RFC 9110 token), lower-cased as node presents request headers. */
export function parseHeaderName(value: unknown, label: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/.test(text)) fail(label, `expected an HTTP header name, got ${shown(value)}`);
  return text.toLowerCase();
}

/** The cluster secret: long enough that guessing it offline is hopeless. */
export function parseClusterSecret(value: unknown, label: string): string {
  const text = parseText(value, label);
  if (text.length < 32) throw new ConfigError(`${label}: must be at least 32 characters (e.g. openssl rand -hex 32)`);
  return text;
}
