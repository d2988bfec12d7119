// Loads the SRT native addon (native/srt, built by scripts/install.sh over Debian's libsrt) from its one known
// place, and types its raw interface. A missing or unloadable addon is a clear SrtUnavailableError naming the fix,
// never a silent fallback: SRT ingest without it cannot work.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where install.sh builds the addon: the repository root (five levels above this file in dist/) + native/srt. */
export const SRT_ADDON_PATH = fileURLToPath(new URL('../../../../../native/srt/build/Release/openivs_srt.node', import.meta.url));

export interface SrtStats {
  bytesReceived: number;
  packetsReceived: number;
  /** Packets detected missing (and asked for again). */
  packetsLost: number;
  packetsRetransmitted: number;
  /** Packets that never arrived within the latency window (a gap the demuxer will see). */
  packetsDropped: number;
  packetsUndecrypted: number;
  rttMs: number;
  receiveRateMbps: number;
  /** The negotiated receiver latency (TSBPD delay). */
  latencyMs: number;
  /** Bytes dropped because JavaScript did not drain the earlier ones in time. */
  bytesDroppedQueue: number;
}

export interface NativeListenerOptions {
  host: string;
  port: number;
  latencyMs?: number;
  peerIdleTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxConnections?: number;
  maxPending?: number;
  backlog?: number;
  rcvBufBytes?: number;
  batchBytes?: number;
  flushMs?: number;
  maxQueuedBytes?: number;
  handshakeTimeoutMs?: number;
}

export type NativeEvent =
  | {
      type: 'accepted';
      id: number;
      address: string;
      port: number;
      streamId: string;
      key: string;
      encrypted: boolean;
      latencyMs: number;
    }
  | { type: 'data'; id: number; data: Buffer }
  | { type: 'closed'; id: number; reason: string; stats: SrtStats }
  | { type: 'rejected'; address: string; port: number; reason: string; rejectCode: number; secure: boolean }
  | { type: 'end' };

export interface NativeListener {
  readonly port: number;
  setKey(key: string, passphrase: string | null): void;
  deleteKey(key: string): boolean;
  blockAddress(address: string, ms: number): void;
  clearKeys(): void;
  keyCount(): number;
  closeConnection(id: number, reason: string): void;
  stats(id: number): SrtStats | null;
  close(): void;
}

export interface SrtAddon {
  version(): string;
  createListener(options: NativeListenerOptions, onEvents: (events: NativeEvent[]) => void): NativeListener;
}

export class SrtUnavailableError extends Error {
  override readonly name = 'SrtUnavailableError';
}

let loaded: SrtAddon | undefined;

/** The addon, loaded once; OPENIVS_SRT_ADDON overrides the path (packaging, tests of the error). */
export function loadSrtAddon(path = process.env.OPENIVS_SRT_ADDON || SRT_ADDON_PATH): SrtAddon {
  if (loaded && path === SRT_ADDON_PATH) return loaded;
  let addon: SrtAddon;
  try {
    addon = createRequire(import.meta.url)(path) as SrtAddon;
  } catch (err) {
    const state = existsSync(path) ? 'does not load' : 'is not built';
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SrtUnavailableError(
      `SRT ingest needs the native addon ${path}, which ${state} (${detail}). ` +
        'Run `bash scripts/install.sh`: it installs libsrt-openssl-dev and a C++ toolchain and builds native/srt.',
      { cause: err },
    );
  }
  if (path === SRT_ADDON_PATH) loaded = addon;
  return addon;
}
