// A node's identity: a random id created on first start and kept in its data directory, so a
// restarted node is the same node (it finds and releases what its previous run held) and its leases
// and heartbeats keep one name. Each node needs its own data directory.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_ID_FILE = 'node-id';
const NODE_ID = /^node-[0-9a-f]{12}$/;

export function isNodeId(text: string): boolean {
  return NODE_ID.test(text);
}

/** Reads <dataDir>/node-id, creating it on first use; throws when the file holds something else. */
export function loadNodeId(dataDir: string): string {
  const file = join(dataDir, NODE_ID_FILE);
  const existing = readIfPresent(file);
  if (existing !== undefined) {
    const id = existing.trim();
    if (!isNodeId(id)) throw new Error(`${file} does not hold a node id (node-<12 hex digits>); delete it to get a new one`);
    return id;
  }
  mkdirSync(dataDir, { recursive: true });
  const id = `node-${randomBytes(6).toString('hex')}`;
  try {
    // wx: if two processes race on one data dir, the second reads the first one's id.
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadNodeId(dataDir);
    throw err;
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
