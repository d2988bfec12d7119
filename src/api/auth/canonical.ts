// The SigV4 canonical request, built from a request as received: method, path, query, the signed
// headers, their names and the payload hash, each canonicalised the way @smithy/signature-v4 (what
// the AWS SDKs sign with) does it, rule for rule, so every signature it makes verifies here.
//
// Why not @smithy/signature-v4 itself: building an HttpRequest, getCanonicalHeaders (three regex
// replaces per header), getCanonicalQuery and the path normalisation allocate and re-scan on every
// API call; profiled under load they were about a third of verification. Here the common case (no
// query, header values already canonical) is string concatenation. test/fuzz/sigv4-canonical.test.ts
// compares the result with the library's for many random requests, the library staying the reference.

import type { Headers } from './parse.js';
import { headerValue } from './parse.js';
import type { Query } from './query.js';

/** RFC 3986 escaping as @smithy's escapeUri: encodeURIComponent plus `!'()*`. */
function escapeUri(s: string): string {
  const encoded = encodeURIComponent(s);
  return NEEDS_EXTRA_ESCAPE.test(encoded) ? encoded.replace(EXTRA_ESCAPE, hexEncode) : encoded;
}
const NEEDS_EXTRA_ESCAPE = /[!'()*]/;
const EXTRA_ESCAPE = /[!'()*]/g;
const hexEncode = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/**
 * A plain path is its own canonical form: no empty segment, none starting with `.` (so no `.` or `..`), no trailing
 * slash, and nothing escapeUri would change. API operations' paths (`/GetChannel`) are plain.
 */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;

/**
 * The canonical URI: dot segments resolved and empty segments dropped (a trailing slash kept), then
 * every character but `/` escaped once more, so the `%` of the path as sent becomes `%25` (SigV4's
 * double encoding for every service but S3). A path not starting with `/` is taken as if it did.
 */
export function canonicalPath(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath.charCodeAt(0) === 47 /* / */ ? rawPath : `/${rawPath}`;
  if (PLAIN_PATH.test(path)) return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/**
 * The canonical query string from the decoded query: names and values escaped, pairs sorted by
 * name then (for a repeated name) by pair, X-Amz-Signature (any case) left out.
 */
export function canonicalQuery(query: Query): string {
  const names: string[] = [];
  const pairs = new Map<string, string>();
  for (const name in query) {
    if (name.toLowerCase() === 'x-amz-signature') continue;
    const key = escapeUri(name);
    const value = query[name]!;
    names.push(key);
    pairs.set(
      key,
      typeof value === 'string'
        ? `${key}=${escapeUri(value)}`
        : value
            .map((one) => `${key}=${escapeUri(one)}`)
            .sort()
            .join('&'),
    );
  }
  if (names.length === 0) return '';
  names.sort();
  let out = '';
  for (let i = 0; i < names.length; i++) out += (i === 0 ? '' : '&') + pairs.get(names[i]!)!;
  return out;
}

/** A value with a CR, LF, tab, a run of spaces or a space at either end needs canonicalising. */
const NOT_CANONICAL = /[\r\n\t]| {2}|^ | $/;

/** Line breaks become spaces, runs of spaces and tabs one space, one space trimmed at each end. */
function canonicalValue(value: string): string {
  if (!NOT_CANONICAL.test(value)) return value;
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/**
 * The canonical headers block and the SignedHeaders line for the (lower-case) names the client
 * listed, sorted and without repeats; undefined when a listed header is absent (the claim must not
 * be silently narrowed to the headers present).
 */
export function canonicalHeaders(headers: Headers, signedNames: readonly string[]): { block: string; names: string } | undefined {
  const names = isSortedUnique(signedNames) ? signedNames : [...new Set(signedNames)].sort();
  let block = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = headerValue(headers, name);
    if (value === undefined) return undefined;
    block += `${i === 0 ? '' : '\n'}${name}:${canonicalValue(value)}`;
  }
  return { block, names: names.join(';') };
}

function isSortedUnique(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (!(names[i - 1]! < names[i]!)) return false;
  return true;
}

export interface CanonicalParts {
  method: string;
  rawPath: string;
  query: Query;
  headers: Headers;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request (six lines and the blank one after the headers), or undefined as canonicalHeaders. */
export function canonicalRequest(parts: CanonicalParts): string | undefined {
  const headers = canonicalHeaders(parts.headers, parts.signedHeaders);
  if (headers === undefined) return undefined;
  return (
    `${parts.method || 'GET'}\n${canonicalPath(parts.rawPath)}\n${canonicalQuery(parts.query)}\n` +
    `${headers.block}\n\n${headers.names}\n${parts.payloadHash}`
  );
}
