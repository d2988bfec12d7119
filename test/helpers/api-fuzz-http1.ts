// Raw HTTP/1.1 for the wire fuzzer: an arbitrary of request byte strings (request lines, headers and
// body framings, well-formed or not, up to three pipelined) aimed at API paths, and a strict parser
// of what came back (status lines, headers, content-length or chunked bodies, 1xx interim answers).

import assert from 'node:assert/strict';
import fc from 'fast-check';

export interface RawCase {
  bytes: Buffer;
  /** Methods of the requests in order (a HEAD answer carries no body). */
  methods: string[];
  /**
   * A request asks for a protocol upgrade and carries a body: node's parser stops at its headers (in
   * upgrade mode), so if that body is incomplete when the client half-closes, the connection ends with
   * no answer (left open, it gets the 408 of the request timeout). Only then may nothing come back.
   */
  mayGoUnanswered: boolean;
}

export interface ParsedResponse {
  status: number;
  head: string;
  headers: Record<string, string>;
  body: string;
  /** A HEAD answer: headers only. */
  headOnly: boolean;
}

const TAGS = '/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A000000000000%3Achannel%2FAbCdEfGh1234';
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'PATCH', 'TRACE', 'G@T', 'get', 'POST\t', 'M'.repeat(200), 'HEAD'];
const TARGETS = [
  '/ListChannels',
  '/CreateChannel',
  TAGS,
  `${TAGS}?tagKeys=a&tagKeys=b`,
  '/',
  '*',
  'http://example.com/ListChannels',
  '/%',
  '/a b',
  '/\u0000x',
  `/${'a'.repeat(9000)}`,
  '/ListChannels?x=%ZZ',
  '//ListChannels',
  '/ListChannels#frag',
  '/\u00e9',
  'ListChannels',
  '/ListChannels/../CreateChannel',
];
const VERSIONS = [
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/0.9',
  'HTTP/1.2',
  'http/1.1',
  'HTTP/1.1 ',
  'HTTP/11',
  '',
];
const HEADERS = [
  'host: 127.0.0.1',
  'content-type: application/json',
  'content-type: text/plain',
  'x-amz-date: 20261126T103100Z',
  'authorization: AWS4-HMAC-SHA256 Credential=test/20261126/us-west-2/ivs/aws4_request, SignedHeaders=host, Signature=00',
  'authorization: Basic dGVzdDp0ZXN0',
  'user-agent: fuzz',
  'accept: */*',
  'expect: 100-continue',
  'expect: nonsense',
  'connection: close',
  'connection: keep-alive',
  'connection: upgrade',
  'upgrade: websocket',
  'upgrade: h2c',
  'te: trailers',
  'x bad: 1',
  ': empty-name',
  'x-nul: a\u0000b',
  'x-del: a\u007fb',
  'x-cr: a\rb',
  ' folded: continuation',
  'x-fold: a\r\n  b',
  'x-latin1: \u00e9\u00ff',
  'content-length: -1',
  'content-length: 1e3',
  'content-length: 00002',
  'content-length: 2, 2',
  'transfer-encoding: chunked',
  'transfer-encoding: gzip',
  'transfer-encoding: chunked, chunked',
  'x-amz-content-sha256: x',
  `x-big: ${'a'.repeat(17_000)}`,
  'host: other.example',
  'x-empty:',
  'X-UPPER-CASE: 1',
  'origin: https://example.com',
];
const BODIES: { name: string; head: string[]; body: string }[] = [
  { name: 'none', head: [], body: '' },
  { name: 'exact', head: ['content-length: 2'], body: '{}' },
  { name: 'json', head: ['content-length: 15'], body: '{"name":"wire"}' },
  { name: 'short', head: ['content-length: 10'], body: '{}' },
  { name: 'chunked', head: ['transfer-encoding: chunked'], body: '2\r\n{}\r\n0\r\n\r\n' },
  { name: 'chunked bad size', head: ['transfer-encoding: chunked'], body: 'zz\r\n{}\r\n0\r\n\r\n' },
  { name: 'chunked extension', head: ['transfer-encoding: chunked'], body: '2;a=b;c\r\n{}\r\n0\r\n\r\n' },
  { name: 'chunked huge extension', head: ['transfer-encoding: chunked'], body: `2;${'e'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n` },
  { name: 'chunked overflow', head: ['transfer-encoding: chunked'], body: 'ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n' },
  { name: 'chunked trailer', head: ['transfer-encoding: chunked'], body: '2\r\n{}\r\n0\r\nx-trailer: 1\r\n\r\n' },
  { name: 'chunked unterminated', head: ['transfer-encoding: chunked'], body: '2\r\n{}' },
  { name: 'both framings', head: ['content-length: 2', 'transfer-encoding: chunked'], body: '2\r\n{}\r\n0\r\n\r\n' },
  { name: 'two lengths', head: ['content-length: 2', 'content-length: 3'], body: '{}' },
];

const oneRequest = fc.record({
  method: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...METHODS.slice(0, 5)) },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
  ),
  target: fc.constantFrom(...TARGETS),
  version: fc.constantFrom(...VERSIONS),
  host: fc.constantFrom('normal', 'normal', 'normal', 'absent', 'twice'),
  headers: fc.array(fc.constantFrom(...HEADERS), { maxLength: 6 }),
  framing: fc.constantFrom(...BODIES),
  lineEnd: fc.constantFrom('\r\n', '\r\n', '\r\n', '\n'),
});

export function rawRequestArb(): fc.Arbitrary<RawCase> {
  return fc.array(oneRequest, { minLength: 1, maxLength: 3 }).map((requests) => {
    // A HEAD answer has no body to frame the next answer by: keep HEAD last.
    const ordered = [...requests.filter((r) => r.method !== 'HEAD'), ...requests.filter((r) => r.method === 'HEAD')];
    let text = '';
    for (const r of ordered) {
      const eol = r.lineEnd;
      const hosts = r.host === 'absent' ? [] : r.host === 'twice' ? ['host: 127.0.0.1', 'host: 127.0.0.1'] : ['host: 127.0.0.1'];
      const lines = [`${r.method} ${r.target} ${r.version}`.trimEnd(), ...hosts, ...r.headers, ...r.framing.head];
      text += `${lines.join(eol)}${eol}${eol}${r.framing.body}`;
    }
    const upgrades = (r: (typeof ordered)[number]) =>
      r.headers.some((h) => h.startsWith('upgrade:')) && r.headers.includes('connection: upgrade') && r.framing.name !== 'none';
    return { bytes: Buffer.from(text, 'latin1'), methods: ordered.map((r) => r.method), mayGoUnanswered: ordered.some(upgrades) };
  });
}

/** Every response in `raw`, in order; anything that is not a well-formed HTTP/1.1 response fails. */
export function parseResponses(raw: Buffer, label: string, methods: string[] = []): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let at = 0;
  let index = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    assert.ok(end >= 0, `incomplete response head: ${label} → ${JSON.stringify(raw.subarray(at, at + 300).toString('latin1'))}`);
    const head = raw.subarray(at, end).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(statusLine!);
    assert.ok(m, `bad status line ${JSON.stringify(statusLine)}: ${label}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      assert.ok(colon > 0, `bad header line ${JSON.stringify(line)}: ${label}`);
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = end + 4;
    if (status >= 100 && status < 200) continue; // interim (100 Continue): the real answer follows
    let body = '';
    let headOnly = false;
    if (headers['transfer-encoding']?.includes('chunked')) {
      [body, at] = readChunked(raw, at, label);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      // A HEAD answer declares the length of the body it does not carry (a raw refusal after it does carry one).
      headOnly = methods[index] === 'HEAD' && (at === raw.length || raw.subarray(at, at + 9).toString('latin1') === 'HTTP/1.1 ');
      if (!headOnly) {
        assert.ok(at + length <= raw.length, `body shorter than its content-length: ${label}`);
        body = raw.subarray(at, at + length).toString('utf8');
        at += length;
      }
    }
    out.push({ status, head, headers, body, headOnly });
    index++;
  }
  return out;
}

function readChunked(raw: Buffer, start: number, label: string): [string, number] {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    assert.ok(eol >= 0, `unterminated chunk size: ${label}`);
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    assert.ok(Number.isFinite(size), `bad chunk size: ${label}`);
    at = eol + 2;
    if (size === 0) {
      const end = raw.indexOf('\r\n', at);
      return [Buffer.concat(parts).toString('utf8'), end < 0 ? raw.length : end + 2];
    }
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
}
