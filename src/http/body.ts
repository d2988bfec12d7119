// Reads a request body into one Buffer, refusing anything over the size limit before buffering it
// and anything not received within the time limit (HTTP/1.1's server has its own request timeout;
// HTTP/2 streams have none, so a trickled body would otherwise hold its buffer indefinitely).

import type { HttpRequest } from './types.js';
import { ServiceError } from '../domain/errors.js';

export function tooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', `Request body exceeds the limit of ${limit} bytes`);
}

function tooSlow(timeoutMs: number): ServiceError {
  return new ServiceError('RequestTimeoutException', `The request body was not received within ${timeoutMs / 1000} s`);
}

export function readBody(req: HttpRequest, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: ServiceError | Error) => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.resume(); // discard the rest; the response says why
      reject(err);
    };
    const timer = setTimeout(() => stop(tooSlow(timeoutMs)), timeoutMs);
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
      if (!req.complete) stop(new ServiceError('SerializationException', 'The connection closed before the request body was complete'));
    });
  });
}
