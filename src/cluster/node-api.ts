// The node-to-node endpoints under /_openivs/node/, answered only for requests signed with the cluster
// secret (auth.ts; anything else gets 403 with the API's JSON error shape, before the body is read):
//   GET  live?channel=ARN | live?account=A&region=R   streams this node owns (LIVE) and the viewers it
//                                                      counts per channel (owned or pulled from their owner)
//   POST stop      {"channelArn"}                      StopStream on the owner
//   POST metadata  {"channelArn","metadata"}           PutMetadata on the owner (its rate limits apply)
//   POST ad-break  {"channelArn","adBreakId","durationSeconds"}  InsertAdBreak on the owner (its rules apply)
//   GET  access?key=PLAYBACK_KEY                      the access snapshot of the stream this node owns under that
//                                                      key (stream-access.ts), for a node serving it to check viewers
//   POST transcode/reserve {"node"}                    a transcode slot here for that node's stream, or 409
//   POST transcode/release {"node","reservation"}      gives back a reservation never used
// (the relay itself, transcode/relay/<reservation>, is an upgraded connection: transcode-host.ts)
// Answers are JSON; a ServiceError (throttling) travels as {"code","message"} with its status so the
// forwarding node raises the same error to the API caller.

import type { Scope } from '../domain/context.js';
import { FALLBACK_STATUS, ServiceError } from '../domain/errors.js';
import type { AdBreakRequest, LiveStreamView } from '../domain/ports.js';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { CLUSTER_AUTH_HEADER, type ReplayGuard, verifyClusterRequest } from './auth.js';
import type { TranscodeHost } from './transcode-host.js';
import type { TranscodeReservations } from './transcode-reservations.js';

export const NODE_API_PREFIX = '/_openivs/node/';
const MAX_BODY_BYTES = 16 * 1024;
const BODY_TIMEOUT_MS = 5_000;

export type LiveFilter = { channelArn: string } | { scope: Scope };

/** What this node answers for, wired by app.ts to the live registry and the origin pull. */
export interface LocalNode {
  /** LIVE streams this node owns that match. */
  liveViews(filter: LiveFilter): LiveStreamView[];
  /** Viewers this node counts per channel (streams it owns or pulls) that match. */
  viewerCounts(filter: LiveFilter): Record<string, number>;
  stop(channelArn: string): Promise<boolean>;
  putMetadata(channelArn: string, text: string): Promise<boolean>;
  insertAdBreak(channelArn: string, adBreak: AdBreakRequest): Promise<boolean>;
  /** The access snapshot (wire form) of the stream this node owns and has live under the playback key, if any. */
  access(playbackKey: string): object | undefined;
}

export interface NodeApiDeps {
  secret: string;
  replay: ReplayGuard;
  local: LocalNode;
  /** Transcode slots this node lends to peers; undefined: none (no transcode routes). */
  transcode?: TranscodeReservations;
  /** The relay connections (the server's 'upgrade' event). */
  relay?: Pick<TranscodeHost, 'upgrade'>;
}

/** Wire shape of GET live. */
export interface LiveAnswer {
  streams: Array<Omit<LiveStreamView, 'startTime'> & { startTime: string }>;
  viewers: Record<string, number>;
}

export async function handleNodeApi(
  deps: NodeApiDeps,
  req: HttpRequest,
  res: HttpResponse,
  rawPath: string,
  rawQuery: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const route = rawPath.slice(NODE_API_PREFIX.length);
  const header = req.headers[CLUSTER_AUTH_HEADER];
  // The header's shape and age are checked before any body is read; the MAC needs the body.
  if (typeof header !== 'string')
    return refuse(req, res, new ServiceError('AccessDeniedException', 'Cluster authentication required'));
  let body: Buffer;
  try {
    body = method === 'POST' ? await readBounded(req) : Buffer.alloc(0);
  } catch {
    return refuse(req, res, new ServiceError('BadRequestException', 'Could not read the request body'));
  }
  const path = rawQuery === '' ? rawPath : `${rawPath}?${rawQuery}`;
  const verified = verifyClusterRequest(deps.secret, { method, path, body }, header, deps.replay);
  if (!verified.ok)
    return refuse(req, res, new ServiceError('AccessDeniedException', `Cluster authentication failed (${verified.reason})`));
  try {
    if (method === 'GET' && route === 'live') return sendJson(res, 200, live(deps.local, new URLSearchParams(rawQuery)));
    if (method === 'GET' && route === 'access') {
      const access = deps.local.access(new URLSearchParams(rawQuery).get('key') ?? '');
      if (!access) return refuse(req, res, new ServiceError('ResourceNotFoundException', 'No live stream under this key here'));
      return sendJson(res, 200, access);
    }
    if (method === 'POST' && route.startsWith('transcode/') && deps.transcode) return transcode(deps.transcode, route, body, res);
    if (method === 'POST' && route === 'ad-break') return sendJson(res, 200, { done: await adBreak(deps.local, body) });
    if (method === 'POST' && (route === 'stop' || route === 'metadata')) {
      const input = JSON.parse(body.toString('utf8')) as { channelArn?: unknown; metadata?: unknown };
      if (typeof input.channelArn !== 'string') throw new ServiceError('ValidationException', 'channelArn is required');
      if (route === 'stop') return sendJson(res, 200, { done: await deps.local.stop(input.channelArn) });
      if (typeof input.metadata !== 'string') throw new ServiceError('ValidationException', 'metadata is required');
      return sendJson(res, 200, { done: await deps.local.putMetadata(input.channelArn, input.metadata) });
    }
    return refuse(req, res, new ServiceError('UnknownOperationException', 'No such node endpoint'));
  } catch (err) {
    return refuse(req, res, err instanceof ServiceError ? err : new ServiceError('ValidationException', 'Malformed request'));
  }
}

/** POST ad-break: the API node validated the request; this checks its shape again, as for any signed peer input. */
async function adBreak(local: LocalNode, body: Buffer): Promise<boolean> {
  const input = JSON.parse(body.toString('utf8')) as { channelArn?: unknown; adBreakId?: unknown; durationSeconds?: unknown };
  const { channelArn, adBreakId, durationSeconds } = input;
  if (typeof channelArn !== 'string' || typeof adBreakId !== 'string' || !/^[A-Za-z0-9]{12}$/.test(adBreakId)) {
    throw new ServiceError('ValidationException', 'channelArn and adBreakId are required');
  }
  if (typeof durationSeconds !== 'number' || !Number.isInteger(durationSeconds) || durationSeconds < 1 || durationSeconds > 300) {
    throw new ServiceError('ValidationException', 'durationSeconds must be an integer from 1 to 300');
  }
  return local.insertAdBreak(channelArn, { adBreakId, durationSeconds });
}

/** POST transcode/reserve and transcode/release. */
function transcode(slots: TranscodeReservations, route: string, body: Buffer, res: HttpResponse): void {
  const input = JSON.parse(body.toString('utf8')) as { node?: unknown; reservation?: unknown };
  if (typeof input.node !== 'string' || input.node === '') throw new ServiceError('ValidationException', 'node is required');
  if (route === 'transcode/reserve') {
    const reservation = slots.reserve(input.node);
    if (reservation === undefined) throw new ServiceError('ConflictException', 'No free transcode slot on this node');
    return sendJson(res, 200, { reservation });
  }
  if (route === 'transcode/release' && typeof input.reservation === 'string')
    return sendJson(res, 200, { done: slots.release(input.reservation, input.node) });
  throw new ServiceError('UnknownOperationException', 'No such node endpoint');
}

function live(local: LocalNode, query: URLSearchParams): LiveAnswer {
  const channelArn = query.get('channel');
  const account = query.get('account');
  const region = query.get('region');
  let filter: LiveFilter;
  if (channelArn !== null) filter = { channelArn };
  else if (account !== null && region !== null) filter = { scope: { account, region } };
  else throw new ServiceError('ValidationException', 'live needs channel, or account and region');
  return {
    streams: local.liveViews(filter).map((v) => ({ ...v, startTime: v.startTime.toISOString() })),
    viewers: local.viewerCounts(filter),
  };
}

function readBounded(req: HttpRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(new Error('timeout')), BODY_TIMEOUT_MS);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        clearTimeout(timer);
        reject(new Error('too large'));
        req.socket?.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function sendJson(res: HttpResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function refuse(req: HttpRequest, res: HttpResponse, err: ServiceError): void {
  if (!req.complete) req.resume();
  sendJson(res, FALLBACK_STATUS[err.code] ?? 500, { code: err.code, message: err.message }, { 'x-amzn-ErrorType': err.code });
}
