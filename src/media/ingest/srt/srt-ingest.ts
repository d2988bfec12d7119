// SRT ingest as app.ts runs it: one SrtListener on the configured UDP port whose accepted callers go through the
// same IngestHooks.authorize as RTMP publishers and, once accepted, feed their session through publish-bridge.ts.
// A caller refused in the handshake for its key or passphrase is reported to `hooks.refusedKey` (the wrong-key
// throttle); when that blocks the address, the listener refuses it in later handshakes before any lookup.
// Stream keys are secrets: only streamKeyLabel() of one reaches the log.

import { streamKeyLabel } from '../log-safe.js';
import type { IngestHooks, PublishRequest } from '../ports.js';
import { priorityOfStreamId } from '../takeover-request.js';
import type { SrtConnection } from './connection.js';
import { SrtListener, type SrtListenerOptions, type SrtRefusal } from './listener.js';
import { feedPublishSession, srtPublisherHandle } from './publish-bridge.js';

export type SrtIngestOptions = Omit<SrtListenerOptions, 'host' | 'port'> & { host: string; port: number };

/** Refusals that say the caller does not hold a valid key and passphrase (not load or malformed input). */
const KEY_REFUSALS: ReadonlySet<SrtRefusal['reason']> = new Set(['unknown-key', 'wrong-passphrase', 'unexpected-passphrase']);

export class SrtIngest {
  readonly listener: SrtListener;

  /** Binds and listens; throws SrtUnavailableError without the addon, or libsrt's error (port in use …). */
  constructor(
    options: SrtIngestOptions,
    private readonly hooks: IngestHooks,
  ) {
    this.listener = SrtListener.listen(options, {
      connection: (conn) => this.accepted(conn),
      refused: (refusal) => this.refused(refusal),
      error: (err, conn) => hooks.log.error({ err, remoteAddress: conn.remoteAddress }, 'SRT connection failed'),
    });
  }

  get port(): number {
    return this.listener.port;
  }

  /** Stops listening; every live SRT publisher's session ends ('kicked'). */
  close(): Promise<void> {
    return this.listener.close();
  }

  private accepted(conn: SrtConnection): void {
    const { log } = this.hooks;
    const request: PublishRequest = {
      app: 'srt',
      streamKey: conn.streamKey,
      remoteAddress: conn.remoteAddress,
      secure: conn.encrypted,
    };
    const priority = priorityOfStreamId(conn.streamId);
    if (priority !== undefined) request.priority = priority;
    this.hooks.authorize(request, srtPublisherHandle(conn)).then(
      (decision) => {
        if (!decision.ok) {
          log.info(
            { remoteAddress: conn.remoteAddress, key: streamKeyLabel(conn.streamKey), reason: decision.description },
            'SRT publish refused',
          );
          conn.close('refused');
          return;
        }
        // Data that arrived while authorizing is replayed first; a caller already gone ends the session at once.
        feedPublishSession(conn, decision.session, log);
      },
      (err: unknown) => {
        log.error({ err, remoteAddress: conn.remoteAddress }, 'SRT publish authorization failed');
        conn.close('error');
      },
    );
  }

  private refused(refusal: SrtRefusal): void {
    const { log } = this.hooks;
    log.info({ remoteAddress: refusal.address, reason: refusal.reason }, 'SRT caller refused in the handshake');
    if (!KEY_REFUSALS.has(refusal.reason)) return;
    const blockedMs = this.hooks.refusedKey?.(refusal.address) ?? 0;
    if (blockedMs > 0) this.listener.blockAddress(refusal.address, blockedMs);
  }
}
