// Access keys openivs accepts, and the account each one belongs to. SigV4 verification looks a key
// up here on every API call, so lookup is a Map get; the list is fixed at startup (from config).

import type { CredentialConfig } from '../../config/types.js';

export class CredentialStore {
  private readonly byAccessKeyId = new Map<string, CredentialConfig>();

  constructor(credentials: readonly CredentialConfig[]) {
    for (const c of credentials) {
      if (!c.accessKeyId || !c.secretAccessKey || !c.accountId) {
        // Name the key id, never the secret: this message can reach logs.
        throw new Error(`credential ${JSON.stringify(c.accessKeyId ?? '')} needs accessKeyId, secretAccessKey and accountId`);
      }
      // Two secrets for one key id would make verification depend on list order: refuse it.
      if (this.byAccessKeyId.has(c.accessKeyId)) {
        throw new Error(`duplicate access key id in credentials: ${c.accessKeyId}`);
      }
      // Copy so later mutation of the config object cannot change who is authenticated.
      this.byAccessKeyId.set(c.accessKeyId, { ...c });
    }
  }

  find(accessKeyId: string): CredentialConfig | undefined {
    return this.byAccessKeyId.get(accessKeyId);
  }

  get size(): number {
    return this.byAccessKeyId.size;
  }
}
