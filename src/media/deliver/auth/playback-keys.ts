// The imported playback public keys of an account and region, as private-channel playback verifies tokens against
// them: read from the store through a short-lived cache (the playback path is served from memory), each PEM
// imported once as a node:crypto KeyObject. A key pair deleted through the API drops out within the cache's bounds,
// which is how deleting a key pair invalidates its tokens and the sessions they opened.

import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Store } from '../../../storage/store.js';
import { RefreshingCache } from './refreshing-cache.js';

export interface PlaybackPublicKey {
  /** Resource id (the ARN's last part; account and region are the caller's). */
  id: string;
  key: KeyObject;
}

export interface AccountKeys {
  keys: readonly PlaybackPublicKey[];
  has(id: string): boolean;
}

/** Where keys come from: `(account, region) → keys`, sync when cached. */
export interface PlaybackKeySource {
  keysFor(account: string, region: string): AccountKeys | Promise<AccountKeys>;
}

const MAX_KEYS_LISTED = 1_000; // far above the quota of 3; a list, not a scan
const imported = new Map<string, KeyObject>(); // by PEM: importing is the costly part

function importPem(pem: string): KeyObject | undefined {
  let key = imported.get(pem);
  if (!key) {
    try {
      key = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      return undefined;
    }
    // P-384 only: what ImportPlaybackKeyPair accepts; anything else in the store is skipped.
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return undefined;
    if (imported.size >= MAX_KEYS_LISTED) imported.clear();
    imported.set(pem, key);
  }
  return key;
}

export function storePlaybackKeys(store: Store, cache = { refreshAfterMs: 1_000, maxAgeMs: 2_000 }): PlaybackKeySource {
  const load = async (scopeKey: string): Promise<AccountKeys> => {
    const [account, region] = scopeKey.split('|') as [string, string];
    const rows = await store.resources.list<{ publicKeyPem?: string }>({
      scope: { account, region },
      type: 'playback-key',
      limit: MAX_KEYS_LISTED,
    });
    const keys: PlaybackPublicKey[] = [];
    for (const row of rows) {
      const key = typeof row.doc.publicKeyPem === 'string' ? importPem(row.doc.publicKeyPem) : undefined;
      if (key) keys.push({ id: row.id, key });
    }
    const ids = new Set(keys.map((k) => k.id));
    return { keys, has: (id) => ids.has(id) };
  };
  const keys = new RefreshingCache(load, { ...cache, maxEntries: 10_000 });
  return { keysFor: (account, region) => keys.get(`${account}|${region}`) };
}
