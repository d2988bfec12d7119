// Playback tokens for private channels, minted in the browser with jose (loaded on demand): ES384 over the
// channel ARN with the pasted private key, which never leaves the page. The token goes on the playback URL.

import { importPKCS8, SignJWT } from 'jose';
import { pkcs8Pem } from '../lib/pem.js';

export async function mintPlaybackToken(privateKeyPem: string, channelArn: string, ttlSeconds = 3600): Promise<string> {
  const key = await importPKCS8(pkcs8Pem(privateKeyPem), 'ES384');
  // No aws:access-control-allow-origin: the preview's requests are same-origin and carry no Origin header, which a
  // token restricting origins would refuse.
  return new SignJWT({ 'aws:channel-arn': channelArn })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}
