// The stock AWS SDK IVS client, pointed at the openivs that serves this page (the same API every client uses:
// the console has no back door). One client per session; requests are SigV4-signed in the browser.

import { IvsClient } from '@aws-sdk/client-ivs';
import type { Session } from './session.js';

let cached: { session: Session; client: IvsClient } | undefined;

export function ivsClient(session: Session): IvsClient {
  if (cached?.session === session) return cached.client;
  cached?.client.destroy();
  const client = new IvsClient({
    region: session.region,
    endpoint: location.origin,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
    maxAttempts: 2,
  });
  cached = { session, client };
  return client;
}

/** A client for credentials not signed in yet (the sign-in check). */
export function trialClient(session: Session): IvsClient {
  return new IvsClient({
    region: session.region,
    endpoint: location.origin,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
    maxAttempts: 1,
  });
}
