// Node-to-node HTTP: requests from this node to another node's internal URL (--node-url), each signed
// with the cluster secret (auth.ts), never with a user's credentials. Bounded: a deadline per request
// and a cap on the answer's size, so a stuck or hostile peer costs a timer and some memory at most.
// Keep-alive sockets are reused (origin pulls and fan-outs send many small requests).

import http from 'node:http';
import https from 'node:https';
import { CLUSTER_AUTH_HEADER, signClusterRequest } from './auth.js';

export interface PeerResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface PeerRequestOptions {
  method?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A node could not be reached, timed out, or answered too much. */
export class PeerUnavailableError extends Error {}

const DEFAULT_TIMEOUT_MS = 5_000;
/** Segments of the highest rendition stay well below this. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export class PeerClient {
  readonly #httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly #httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly secret: string) {}

  /** Sends a signed request to `path` (with its query) on the node at baseUrl. */
  request(baseUrl: string, path: string, opts: PeerRequestOptions = {}): Promise<PeerResponse> {
    const method = opts.method ?? 'GET';
    const url = new URL(path, baseUrl);
    const pathWithQuery = `${url.pathname}${url.search}`;
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string> = {
      ...opts.headers,
      [CLUSTER_AUTH_HEADER]: signClusterRequest(this.secret, { method, path: pathWithQuery, body }),
    };
    if (body !== undefined) headers['content-length'] = String(body.length);
    const secure = url.protocol === 'https:';
    const send = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: secure ? this.#httpsAgent : this.#httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new PeerUnavailableError(`answer from ${url.host} too large`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(new PeerUnavailableError(`node ${url.host}: ${err.message}`)));
      });
      req.setTimeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, () =>
        req.destroy(new PeerUnavailableError(`node ${url.host} did not answer in time`)),
      );
      req.on('error', (err) =>
        reject(err instanceof PeerUnavailableError ? err : new PeerUnavailableError(`node ${url.host}: ${err.message}`)),
      );
      req.end(body);
    });
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}
