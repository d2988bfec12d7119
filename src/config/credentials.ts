// Credentials: parsing OPENIVS_CREDENTIALS ("accessKeyId:secretAccessKey:accountId", comma-separated) and the
// config file's `credentials` array, then combining them with the built-in test/test credentials.
// Rule for every message here: an access key id or account id may be shown, a secret never is.
import type { CredentialConfig } from './types.js';
import { fail, shown } from './values.js';

export const DEFAULT_CREDENTIALS: readonly CredentialConfig[] = Object.freeze([
  Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }),
]);

const ACCESS_KEY_ID_RE = /^\w{1,128}$/;
const ACCOUNT_ID_RE = /^\d{12}$/;
const SECRET_RE = /^[^\s,]{1,256}$/;
const CREDENTIAL_KEYS = ['accessKeyId', 'secretAccessKey', 'accountId'];

function checkCredential(accessKeyId: unknown, secret: unknown, accountId: unknown, label: string): CredentialConfig {
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID_RE.test(accessKeyId)) {
    fail(label, `accessKeyId: expected 1-128 letters, digits or underscores, got ${shown(accessKeyId)}`);
  }
  if (typeof secret !== 'string' || !SECRET_RE.test(secret)) {
    // The value is deliberately not shown.
    fail(label, `secretAccessKey of "${accessKeyId}": expected 1-256 characters without spaces or commas`);
  }
  if (typeof accountId !== 'string' || !ACCOUNT_ID_RE.test(accountId)) {
    fail(label, `accountId of "${accessKeyId}": expected 12 digits, got ${shown(accountId)}`);
  }
  return { accessKeyId, secretAccessKey: secret, accountId };
}

/**
 * Parses "id:secret:account[,id:secret:account…]". The secret is everything between the first and the last
 * colon, so a secret may itself contain colons.
 */
export function parseCredentialString(value: string, label: string): CredentialConfig[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) fail(label, 'expected at least one accessKeyId:secretAccessKey:accountId entry');
  return entries.map((entry, i) => {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first <= 0 || last === first) {
      fail(label, `entry ${i + 1}: expected accessKeyId:secretAccessKey:accountId`);
    }
    return checkCredential(entry.slice(0, first), entry.slice(first + 1, last), entry.slice(last + 1), label);
  });
}

/** Parses the config file's `credentials`: an array of {accessKeyId, secretAccessKey, accountId}. */
export function parseCredentialArray(value: unknown, label: string): CredentialConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(label, 'expected a non-empty array of {accessKeyId, secretAccessKey, accountId}');
  }
  return value.map((item: unknown, i) => {
    const where = `${label}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      fail(where, 'expected an object {accessKeyId, secretAccessKey, accountId}');
    }
    const record = item as Record<string, unknown>;
    const unknownKey = Object.keys(record).find((k) => !CREDENTIAL_KEYS.includes(k));
    if (unknownKey !== undefined) fail(where, `unknown key ${shown(unknownKey)}`);
    return checkCredential(record.accessKeyId, record.secretAccessKey, record.accountId, where);
  });
}

/**
 * The final credential list. Explicit credentials replace the defaults unless addDefaults is true; with no
 * explicit credentials the defaults apply unless addDefaults is false (which leaves nothing, an error).
 */
export function combineCredentials(
  explicit: { list: CredentialConfig[]; label: string } | undefined,
  addDefaults: boolean | undefined,
  defaultsLabel: string,
): CredentialConfig[] {
  if (explicit === undefined) {
    if (addDefaults === false) {
      fail(defaultsLabel, 'default credentials are off and no credentials are configured (set OPENIVS_CREDENTIALS)');
    }
    return DEFAULT_CREDENTIALS.map((c) => ({ ...c }));
  }
  const list = explicit.list.map((c) => ({ ...c }));
  if (addDefaults === true) {
    for (const d of DEFAULT_CREDENTIALS) {
      const same = list.find((c) => c.accessKeyId === d.accessKeyId);
      if (same === undefined) list.push({ ...d });
      else if (same.secretAccessKey !== d.secretAccessKey || same.accountId !== d.accountId) {
        fail(explicit.label, `access key id "${d.accessKeyId}" is also a default credential; remove one`);
      }
    }
  }
  const seen = new Set<string>();
  for (const c of list) {
    if (seen.has(c.accessKeyId)) fail(explicit.label, `duplicate access key id "${c.accessKeyId}"`);
    seen.add(c.accessKeyId);
  }
  return list;
}

/** True when the built-in test/test credentials are in the list. */
export function hasDefaultCredentials(list: readonly CredentialConfig[]): boolean {
  return list.some((c) =>
    DEFAULT_CREDENTIALS.some((d) => c.accessKeyId === d.accessKeyId && c.secretAccessKey === d.secretAccessKey),
  );
}
