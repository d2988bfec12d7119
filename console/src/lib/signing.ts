// SigV4 for openivs's own routes (/_openivs/…), with the same signer the SDK uses (@smithy/signature-v4, service
// `ivs`, the session's region): signed fetches for JSON, and presigned URLs for what cannot carry headers (the
// EventSource of the event pane).

import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Session } from './session.js';

function signer(session: Session): SignatureV4 {
  return new SignatureV4({
    service: 'ivs',
    region: session.region,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
    sha256: Sha256,
  });
}

function request(path: string, query: Record<string, string>): HttpRequest {
  return new HttpRequest({
    method: 'GET',
    protocol: location.protocol,
    hostname: location.hostname,
    port: location.port ? Number(location.port) : undefined,
    path,
    query,
    headers: { host: location.host },
  });
}

function toUrl(path: string, query: Record<string, string | string[] | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  const qs = params.toString().replace(/\+/g, '%20');
  return `${location.origin}${path}${qs ? `?${qs}` : ''}`;
}

export class RouteError extends Error {
  constructor(override readonly name: string, message: string, readonly status: number) {
    super(message);
  }
}

/** GET a SigV4-signed JSON route; the API's JSON errors become RouteErrors. */
export async function signedJson<T>(session: Session, path: string, query: Record<string, string>): Promise<T> {
  const signed = await signer(session).sign(request(path, query));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k] = v;
  const res = await fetch(toUrl(path, signed.query as Record<string, string>), { headers, cache: 'no-store' });
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new RouteError(res.headers.get('x-amzn-ErrorType') ?? `HTTP${res.status}`, body.message ?? res.statusText, res.status);
  return body as T;
}

/** A presigned URL for a GET route, valid `expiresIn` seconds. */
export async function presignedUrl(session: Session, path: string, query: Record<string, string>, expiresIn: number): Promise<string> {
  const signed = await signer(session).presign(request(path, query), { expiresIn });
  return toUrl(path, signed.query as Record<string, string | string[] | null>);
}
