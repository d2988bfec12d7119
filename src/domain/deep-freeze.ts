// Deep-freezing, for values handed to many callers without defensive copies: the SQLite store's cached rows
// (storage/sqlite/resources.ts) and the API outputs rendered once from them (api/protocol/serialize.ts). A frozen
// value can be shared because nothing can change it; what is already frozen is not walked again.

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
