// What the HTTP layer refuses before any route or operation is known, and how: the limits both
// listeners apply (header bytes and count, time to receive a request), and the API's JSON error shape
// (x-amzn-ErrorType, x-amzn-RequestId, {"message","exceptionMessage"}) for every refusal, including
// those of node's HTTP/1.1 parser, which would otherwise answer a bare `400` with no body.

import { STATUS_CODES, ServerResponse, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ProtocolEngine } from '../api/protocol/index.js';
import { ServiceError } from '../domain/errors.js';
import { newRequestId } from '../domain/ids.js';
import { API_CORS_HEADERS, sendApiResponse } from './cors.js';
import type { HttpRequest, HttpResponse } from '../http-types.js';

export const HTTP_LIMITS = {
  /** Request line and headers together, as node's HTTP/1.1 parser counts them (its default). */
  maxHeaderBytes: 16 * 1024,
  /** No client sends more than a few dozen headers; proxies add a handful. */
  maxHeaderCount: 100,
  /** From a request's first byte to the end of its headers: bounds slow-loris clients. */
  headersTimeoutMs: 10_000,
  /** From a request's first byte to the end of its body (1 MiB in 30 s is ~35 KB/s). */
  requestTimeoutMs: 30_000,
  /** How often node checks the two timeouts above; a timeout fires up to this much late. */
  timeoutCheckIntervalMs: 1_000,
  /**
   * HTTP/2 refuses a stream at the protocol level (RST_STREAM) beyond these; they sit above the
   * limits above so that an ordinary excess gets the same JSON 431 as on HTTP/1.1.
   */
  http2MaxHeaderPairs: 1_000,
  http2MaxHeaderListBytes: 64 * 1024,
} as const;

const tooLargeHeaders = (what: string) =>
  new ServiceError('RequestHeaderFieldsTooLargeException', `Request header fields too large: ${what}`);

/**
 * Headers that must appear at most once. Node keeps the first of a repeated Authorization or Host and
 * drops the rest silently; a proxy in front may keep the last, so the request would mean different
 * things to the two. Such a request is refused instead (RFC 9112 §3.2 asks it for Host).
 */
const SINGLE_HEADERS = ['host', 'authorization', 'x-amz-date', 'x-amz-content-sha256'];
/**
 * Those names by length (their lengths differ, all under 32): most headers are passed over on their length alone, and
 * the others compared with one name.
 */
const SINGLE_HEADER_BY_LENGTH: (number | undefined)[] = Array.from({ length: 32 }, () => undefined);
SINGLE_HEADERS.forEach((name, index) => (SINGLE_HEADER_BY_LENGTH[name.length] = index));
if (SINGLE_HEADER_BY_LENGTH.filter((i) => i !== undefined).length !== SINGLE_HEADERS.length)
  throw new Error('SINGLE_HEADERS must have names of different lengths');
const HOST = 1 << SINGLE_HEADERS.indexOf('host');

/**
 * Header count, size and repetition checks for one request, whichever listener and protocol it came in on, and
 * HTTP/1.1's required Host (RFC 9112 §3.2; node's own check would answer a bare 400). Read from rawHeaders only: the
 * `headers` object node builds on first use is left unbuilt for requests that never need it (a public playlist).
 */
export function headerProblem(req: HttpRequest): ServiceError | undefined {
  const raw = req.rawHeaders;
  let count = 0;
  let bytes = 0;
  let seen = 0; // a bit per SINGLE_HEADERS name
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 58 /* : */) continue; // HTTP/2 pseudo-headers are the request line
    count++;
    bytes += name.length + raw[i + 1]!.length;
    const index = name.length < 32 ? SINGLE_HEADER_BY_LENGTH[name.length] : undefined;
    if (index === undefined) continue; // most headers: no lower-casing, no lookup
    const lower = name.toLowerCase();
    if (lower !== SINGLE_HEADERS[index]) continue;
    const bit = 1 << index;
    if ((seen & bit) !== 0) return new ServiceError('BadRequestException', `The ${lower} header must not be repeated`);
    seen |= bit;
  }
  if (count > HTTP_LIMITS.maxHeaderCount) return tooLargeHeaders(`more than ${HTTP_LIMITS.maxHeaderCount} headers`);
  // HTTP/1.1's parser has refused this already; HTTP/2 arrives here with up to its own, larger limit.
  if (bytes > HTTP_LIMITS.maxHeaderBytes) return tooLargeHeaders(`more than ${HTTP_LIMITS.maxHeaderBytes} bytes of headers`);
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && (seen & HOST) === 0)
    return new ServiceError('BadRequestException', 'An HTTP/1.1 request needs a Host header');
  return undefined;
}

/**
 * Sends a refusal as a response (either protocol). A request that took too long closes its HTTP/1.1
 * connection after it; otherwise the connection may serve on once the request is drained (body.ts).
 */
export function sendRefusal(protocol: ProtocolEngine, res: HttpResponse, err: ServiceError): void {
  const encoded = protocol.encodeError(err, newRequestId());
  if (res instanceof ServerResponse && err.code === 'RequestTimeoutException') res.shouldKeepAlive = false;
  sendApiResponse(res, encoded);
}

/**
 * Everything node would otherwise answer on its own, bare, or not at all: parser errors, CONNECT (a
 * proxy method: HTTP/1.1 would drop the socket without a word, HTTP/2 answer a bare 405) and an
 * `Expect` other than 100-continue (a bare 417).
 */
export function installRefusals(server: HttpServer | Http2SecureServer, protocol: ProtocolEngine, log: Logger): void {
  const notAllowed = () => new ServiceError('MethodNotAllowedException', 'CONNECT is not supported');
  server.on('clientError', clientErrorListener(protocol, log));
  server.on('connect', (_req: unknown, second: Duplex | HttpResponse) => {
    if ('writeHead' in second) return sendRefusal(protocol, second, notAllowed()); // HTTP/2: a stream
    if (second.writable) second.end(refusalResponse(protocol, notAllowed()));
    setTimeout(() => second.destroy(), 1_000).unref();
  });
  server.on('checkExpectation', (req: IncomingMessage, res: HttpResponse) => {
    req.resume();
    sendRefusal(protocol, res, new ServiceError('ExpectationFailedException', 'Only "Expect: 100-continue" is supported'));
  });
}

/** The refusal for an error node's HTTP/1.1 server reports on a connection (`clientError`). */
function refusalFor(code: string | undefined): ServiceError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return tooLargeHeaders(`more than ${HTTP_LIMITS.maxHeaderBytes} bytes of request line and headers`);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ServiceError('RequestEntityTooLargeException', 'Chunk extensions too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ServiceError(
        'RequestTimeoutException',
        `The request was not received within ${HTTP_LIMITS.requestTimeoutMs / 1000} s (headers within ${HTTP_LIMITS.headersTimeoutMs / 1000} s)`,
      );
    default:
      return new ServiceError('BadRequestException', `Malformed HTTP request${code?.startsWith('HPE_') ? ` (${code})` : ''}`);
  }
}

/**
 * The whole HTTP/1.1 response for a refusal, to write on a raw socket (the connection then closes). The answer to a
 * HEAD request has no body (a client reading one would take the body for the next response).
 */
export function refusalResponse(protocol: ProtocolEngine, err: ServiceError, head = false): string {
  const encoded = protocol.encodeError(err, newRequestId());
  const headers = {
    ...API_CORS_HEADERS,
    ...encoded.headers,
    'content-length': String(Buffer.byteLength(encoded.body)),
    connection: 'close',
  };
  let statusAndHeaders = `HTTP/1.1 ${encoded.status} ${STATUS_CODES[encoded.status] ?? 'Error'}\r\n`;
  for (const [name, value] of Object.entries(headers)) statusAndHeaders += `${name}: ${value}\r\n`;
  return `${statusAndHeaders}\r\n${head ? '' : encoded.body}`;
}

/**
 * Whether the refused request is a HEAD: node hands the parser's current chunk as `rawPacket`, which starts with the
 * request line whenever the request began in that chunk (a request whose head spans chunks is answered with a body).
 */
const isHead = (err: Error & { rawPacket?: unknown }): boolean =>
  Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';

interface ClientSocket extends Duplex {
  _httpMessage?:
    | (NodeJS.EventEmitter & {
        writableEnded?: boolean;
        writableFinished?: boolean;
        headersSent?: boolean;
        req?: { complete?: boolean };
      })
    | null;
  /** Node's HTTP parser on the connection; `incoming` is the request whose bytes it was reading, once its head was. */
  parser?: { incoming?: { complete?: boolean } | null } | null;
}

/** A refused connection whose peer never reads must not stay open: it is cut this long after the refusal. */
const CUT_AFTER_MS = 10_000;

/**
 * The `clientError` listener for both listeners' HTTP/1.1 side. It always answers and closes the
 * connection: after a parse error the byte stream cannot be trusted. A response under way (to a
 * pipelined request before the bad one) is let finish first: node's default (write now, destroy at
 * once) loses or garbles it, and on TLS, where writes are still buffered, loses both answers.
 */
export function clientErrorListener(
  protocol: ProtocolEngine,
  log: Logger,
): (err: Error & { code?: string }, socket: Duplex) => void {
  const refusing = new WeakSet<Duplex>();
  return (err, socket) => {
    const code = err.code;
    const conn = socket as ClientSocket;
    // Bytes still arriving after the refusal fail the parser again: the answer is already on its way,
    // and destroying the socket now would drop it (on TLS it is still buffered).
    if (refusing.has(conn)) return;
    refusing.add(conn);
    log.debug({ code }, 'HTTP request refused by the parser');
    if (code === 'ECONNRESET' || code === 'EPIPE' || !conn.writable) {
      conn.destroy();
      return;
    }
    setTimeout(() => conn.destroy(), CUT_AFTER_MS).unref();
    const refuse = () => {
      if (conn.writable) conn.end(refusalResponse(protocol, refusalFor(code), isHead(err)));
    };
    const inFlight = conn._httpMessage;
    const reading = conn.parser?.incoming;
    // The bad bytes may be in the body of a request that has been answered already (the handler did not wait for
    // its body; its answer is sent, or being sent, or done and detached): that answer stands, and a second one would
    // be read by the client as the answer to its next request. The connection just closes after it.
    if (reading?.complete === false && (!inFlight || (inFlight.req === reading && inFlight.headersSent))) {
      if (!inFlight || inFlight.writableFinished) conn.end();
      else inFlight.once('finish', () => conn.end()).once('close', () => conn.end());
      return;
    }
    // The bad bytes may be in the body of the request being answered: that answer will never come
    // (its body never completes), so ours goes now. An answer to an earlier, complete request goes
    // first: once it has ended its bytes are queued and ours follow in order; before, ours would come
    // first or interleave. (`writableFinished` would not do: on TLS it waits for the socket's own
    // buffer, after 'finish' has been emitted.)
    if (!inFlight || inFlight.writableEnded || inFlight.req?.complete === false) refuse();
    else inFlight.once('finish', refuse).once('close', () => conn.end());
  };
}
