// IVS's SRT ingest facts the control plane needs: the passphrase a channel's stream key carries (generated only for
// channels without insecureIngest, a new one with every new stream key) and where it is stored.

import { randomAlphanumeric } from './ids.js';

/** IVS's passphrases are 69–79 letters and digits; SRT accepts 10–79 bytes. 72 alphanumerics carry ~428 bits. */
const PASSPHRASE_LENGTH = 72;

export const newSrtPassphrase = (): string => randomAlphanumeric(PASSPHRASE_LENGTH);

/**
 * The members of a stored stream-key document that concern SRT. `srtPassphrase` is a secret: it is present exactly
 * when the key's channel has `insecureIngest: false`, and ingest (the SRT listener's key table) reads it from here.
 */
export interface SrtKeyFields {
  srtPassphrase?: string;
}
