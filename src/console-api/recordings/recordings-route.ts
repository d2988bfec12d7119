// GET /_openivs/recordings?channelArn=<arn>[&maxResults=N] (SigV4): the recordings of one of the caller's channels
// in the bucket of the channel's recording configuration, newest first, each with a media base URL that serves its
// playlists, segments and thumbnails (a capability token in the path, media-token.ts), and
// GET /_openivs/recordings/media/<token>/<key under the recording's prefix>: those objects, from local disk or
// proxied from S3, with single byte ranges.

import type { Scope } from '../../domain/context.js';
import { ServiceError, validation } from '../../domain/errors.js';
import { parseArn } from '../../domain/arn.js';
import type { HttpRequest, HttpResponse } from '../../http-types.js';
import { CORS_HEADERS } from '../http.js';
import { channelArnParam, loadOwned, type ResourceReader } from '../owned.js';
import { listRecordings, type RecordingSummary } from './catalog.js';
import type { MediaTokens } from './media-token.js';
import { RangeNotSatisfiable, type RecordingObjects } from './objects.js';

export const MEDIA_PREFIX = '/_openivs/recordings/media/';
const DEFAULT_RESULTS = 20;
const MAX_RESULTS = 100;

export interface RecordingsDeps {
  resources: ResourceReader;
  objects: RecordingObjects;
  tokens: MediaTokens;
}

export async function channelRecordings(
  deps: RecordingsDeps,
  scope: Scope,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const channelArn = channelArnParam(query);
  const limit = maxResultsParam(query.get('maxResults'));
  const channel = await loadOwned(deps.resources, scope, 'channel', channelArn);
  const configArn = typeof channel.recordingConfigurationArn === 'string' ? channel.recordingConfigurationArn : '';
  const base = { channelArn, storage: deps.objects.kind };
  if (configArn === '') return { ...base, recordingConfigurationArn: null, bucketName: null, recordings: [] };
  const config = await loadOwned(deps.resources, scope, 'recording-configuration', configArn);
  const s3 = (config.destinationConfiguration as { s3?: { bucketName?: unknown } } | undefined)?.s3;
  const bucket = typeof s3?.bucketName === 'string' ? s3.bucketName : '';
  const channelId = parseArn(channelArn)!.id;
  let found: RecordingSummary[];
  try {
    found = bucket === '' ? [] : await listRecordings(deps.objects, bucket, scope.account, channelId, limit);
  } catch (err) {
    // The storage is down or refuses us: say so (503, documented) rather than answer an opaque 500.
    throw new ServiceError(
      'ServiceUnavailable',
      `The recordings in bucket ${bucket} cannot be read right now: ${(err as Error).name}`,
    );
  }
  return {
    ...base,
    recordingConfigurationArn: configArn,
    bucketName: bucket,
    recordings: found.map((r) => withUrls(deps.tokens, bucket, r)),
  };
}

function withUrls(tokens: MediaTokens, bucket: string, r: RecordingSummary): Record<string, unknown> {
  const { token, expiresAt } = tokens.mint(bucket, r.prefix);
  const mediaBaseUrl = `${MEDIA_PREFIX}${token}/`;
  return {
    ...r,
    mediaBaseUrl,
    masterPlaylistUrl: r.masterPlaylist === undefined ? undefined : `${mediaBaseUrl}${r.masterPlaylist}`,
    thumbnailUrl: r.thumbnail === undefined ? undefined : `${mediaBaseUrl}${r.thumbnail}`,
    urlsExpireAt: new Date(expiresAt).toISOString(),
  };
}

function maxResultsParam(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_RESULTS;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_RESULTS)) {
    throw validation(
      `Value '${raw.slice(0, 20)}' at 'maxResults' failed to satisfy constraint: Member must be between 1 and ${MAX_RESULTS}`,
    );
  }
  return n;
}

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  jpg: 'image/jpeg',
  json: 'application/json',
};

const denied = () => new ServiceError('AccessDeniedException', 'The media URL is invalid or has expired');
const missing = () => new ServiceError('ResourceNotFoundException', 'No such recording object');

/** Serves one object of a recording; errors are thrown for the caller to answer in the API's shape. */
export async function recordingMedia(deps: RecordingsDeps, req: HttpRequest, res: HttpResponse, rawPath: string): Promise<void> {
  const rest = rawPath.slice(MEDIA_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw denied();
  const grant = deps.tokens.verify(rest.slice(0, slash));
  if (grant === undefined) throw denied();
  let relative: string;
  try {
    relative = decodeURIComponent(rest.slice(slash + 1));
  } catch {
    throw missing();
  }
  const ext = relative.slice(relative.lastIndexOf('.') + 1);
  const type = CONTENT_TYPES[ext];
  if (type === undefined || relative.split('/').some((s) => s === '' || s === '.' || s === '..')) throw missing();
  const rangeHeader = typeof req.headers.range === 'string' ? req.headers.range : undefined;
  let object;
  try {
    object = await deps.objects.open(grant.bucket, `${grant.prefix}/${relative}`, rangeHeader);
  } catch (err) {
    if (err instanceof RangeNotSatisfiable) {
      res.writeHead(416, { ...CORS_HEADERS, 'content-range': `bytes */${err.size}`, 'content-length': 0 });
      res.end();
      return;
    }
    throw err;
  }
  if (object === undefined) throw missing();
  const partial = rangeHeader !== undefined && (object.start !== 0 || object.end !== object.size - 1);
  const length = object.size === 0 ? 0 : object.end - object.start + 1;
  res.writeHead(partial ? 206 : 200, {
    ...CORS_HEADERS,
    'content-type': type,
    'content-length': length,
    'accept-ranges': 'bytes',
    // Playlists of a running recording grow; media objects never change once written.
    'cache-control': ext === 'm3u8' || ext === 'json' ? 'no-cache' : 'private, max-age=3600',
    'x-content-type-options': 'nosniff',
    ...(partial ? { 'content-range': `bytes ${object.start}-${object.end}/${object.size}` } : {}),
  });
  if (req.method === 'HEAD') {
    object.body.destroy();
    res.end();
    return;
  }
  object.body.on('error', () => res.destroy());
  res.on('close', () => object.body.destroy());
  object.body.pipe(res);
}
