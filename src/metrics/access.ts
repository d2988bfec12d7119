// Who may read /metrics. Without a token: clients on loopback only (a Prometheus on the same machine). With a token:
// every request must carry `Authorization: Bearer <token>`, from loopback too, since a reverse proxy on the same host
// would otherwise make the whole internet look local. The token is compared in constant time (both sides hashed to
// the same length first), and the bytes read before the check are the request head node already bounds.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../http-types.js';

export type Access = { ok: true } | { ok: false; status: 401 | 403; message: string };

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function metricsAccess(token: string | undefined): (req: HttpRequest) => Access {
  const expected = token === undefined ? undefined : digest(token);
  return (req) => {
    if (expected === undefined) {
      return isLoopback(req.socket?.remoteAddress)
        ? { ok: true }
        : { ok: false, status: 403, message: 'Metrics are served to loopback only; set metricsToken to scrape from elsewhere.' };
    }
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header) : null;
    if (m === null || !timingSafeEqual(digest(m[1]!), expected)) {
      return { ok: false, status: 401, message: 'Metrics need the bearer token configured as metricsToken.' };
    }
    return { ok: true };
  };
}
