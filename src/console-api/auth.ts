// SigV4 authentication of the console routes with the API's own verifier (same credentials, same clock-skew and
// presigned-URL rules, service `ivs`): the caller's account and region scope everything these routes return. A
// presigned URL also bounds how long a long-lived answer (the event stream) may last.

import type { Caller } from '../api/auth/index.js';
import type { HttpRequest } from '../http-types.js';
import { signedHeaders } from './http.js';
import type { RequestVerifier } from './ports.js';

export interface Authenticated extends Caller {
  /** Presigned URLs only: when X-Amz-Date + X-Amz-Expires passes (ms since the epoch). */
  expiresAt?: number;
}

const EMPTY = Buffer.alloc(0);

/** Verifies the request (GET: an empty body) or throws the API's authentication error. */
export async function authenticate(
  verifier: RequestVerifier,
  req: HttpRequest,
  rawPath: string,
  rawQuery: string,
): Promise<Authenticated> {
  const caller = await verifier.verify({
    method: req.method ?? 'GET',
    rawPath,
    rawQuery,
    headers: signedHeaders(req),
    body: EMPTY,
  });
  return { ...caller, expiresAt: presignExpiry(rawQuery) };
}

/** The end of a presigned URL's validity; the verifier has checked both values by the time this runs. */
function presignExpiry(rawQuery: string): number | undefined {
  const query = new URLSearchParams(rawQuery);
  const date = query.get('X-Amz-Date');
  const expiresText = query.get('X-Amz-Expires');
  const expires = Number(expiresText);
  if (date === null || expiresText === null || !Number.isFinite(expires)) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (m === null) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + expires * 1000;
}
