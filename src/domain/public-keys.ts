// Imported playback public keys: only ECDSA P-384 in PEM, as IVS accepts. The fingerprint is 16
// colon-separated lowercase hex bytes; IVS does not document what it hashes, so (as inferred in the
// reference) openivs takes the MD5 of the DER SubjectPublicKeyInfo, which is 16 bytes by nature.

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { validation } from './errors.js';

export interface ImportedKey {
  key: KeyObject;
  /** Normalized PEM (SPKI), what openivs stores. */
  pem: string;
  fingerprint: string;
}

export function importP384PublicKey(material: string): ImportedKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: material, format: 'pem' });
  } catch {
    throw validation('publicKeyMaterial is not a valid PEM-encoded public key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw validation('publicKeyMaterial must be an ECDSA public key on curve P-384 (secp384r1)');
  }
  const der = key.export({ type: 'spki', format: 'der' });
  const digest = createHash('md5').update(der).digest('hex');
  return {
    key,
    pem: key.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: digest.match(/../g)!.join(':'),
  };
}
