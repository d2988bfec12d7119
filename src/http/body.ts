// Reads a request body into one Buffer, refusing anything over the size limit before buffering it
// and anything not received within the time limit (HTTP/1.1's server has its own request timeout;
// HTTP/2 streams have none, so a trickled body would otherwise hold its buffer indefinitely). A body
// refused unread is drained, up to a bound, so its sender gets to read the refusal.

import { constants as h2, Http2ServerRequest } from 'node:http2';
import type { HttpRequest } from '../http-types.js';
import { ServiceError } from '../domain/errors.js';

/**
 * How much of a refused body is read and dropped before the connection is cut. Closing a socket with
 * unread data makes the kernel reset it, and a client still uploading then often never sees the 413
 * (it fails with EPIPE or ECONNRESET); draining lets it finish and read the answer, as nginx's
 * lingering close does. Beyond this, it is cheaper to cut.
 */
export const DISCARD_LIMIT_BYTES = 8 * 1024 * 1024;

export function tooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', `Request body exceeds the limit of ${limit} bytes`);
}

function tooSlow(timeoutMs: number): ServiceError {
  return new ServiceError('RequestTimeoutException', `The request body was not received within ${timeoutMs / 1000} s`);
}

/** The body, refused past `limit` bytes and, when `timeoutMs` is given, if not complete within it. */
export function readBody(req: HttpRequest, limit: number, timeoutMs?: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: ServiceError | Error) => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      reject(err);
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop(tooSlow(timeoutMs)), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop(tooLarge(limit));
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => stop(err));
    // A connection closed mid-body ends neither with 'end' nor always with 'error'.
    req.on('close', () => {
      if (!req.complete)
        stop(new ServiceError('SerializationException', 'The connection closed before the request body was complete'));
    });
  });
}

/** Reads and drops what is left of a request body, cutting the connection (HTTP/2: the stream) past the bound. */
export function discardBody(req: HttpRequest): void {
  if (req.complete) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded <= DISCARD_LIMIT_BYTES) return;
    if (req instanceof Http2ServerRequest) req.stream.close(h2.NGHTTP2_CANCEL);
    else req.socket.destroy();
  });
  req.resume();
}
