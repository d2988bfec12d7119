// Identifiers as IVS makes them, from a CSPRNG: 12-character resource ids, stream key values
// (`sk_<region>_<keyId>_<30 chars>`), stream ids (`st-` + 23 chars) and request ids.

import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform random [A-Za-z0-9] string; rejection sampling keeps the distribution unbiased. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHANUMERIC[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const newResourceId = (): string => randomAlphanumeric(12);

export const newStreamKeyValue = (region: string, streamKeyId: string): string =>
  `sk_${region}_${streamKeyId}_${randomAlphanumeric(30)}`;

export const newStreamId = (): string => `st-${randomAlphanumeric(23)}`;

export const newRequestId = (): string => randomUUID();
