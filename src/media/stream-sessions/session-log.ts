// Persists what happens to a broadcast: the stream session row (GetStreamSession), its
// truncatedEvents, and the EventBridge-shaped events — each change and its events in one
// transaction through the outbox, so an event exists exactly when its state change committed.

import type { EventOutbox } from '../../events/outbox.js';
import { toStreamEvent, type EventOrigin, type IvsEventEnvelope } from '../../events/envelope.js';
import type { Store } from '../../storage/store.js';
import type { StreamSessionPatch } from '../../storage/store-events.js';

type Envelope = IvsEventEnvelope<object>;

export interface SessionStart {
  origin: EventOrigin;
  startTime: Date;
  channelDoc: Record<string, unknown>;
  recordingConfiguration?: Record<string, unknown>;
}

export class SessionLog {
  constructor(
    private readonly store: Store,
    private readonly outbox: EventOutbox,
  ) {}

  async open(start: SessionStart, events: Envelope[]): Promise<void> {
    await this.outbox.transaction(this.store, async (tx, emit) => {
      await tx.sessions.insert({
        streamId: start.origin.streamId,
        account: start.origin.account,
        region: start.origin.region,
        channelArn: start.origin.channelArn,
        startTime: start.startTime.toISOString(),
        doc: { channel: start.channelDoc, recordingConfiguration: start.recordingConfiguration },
      });
      await this.appendAll(tx, start.origin.streamId, events);
      await emit(...events);
    });
  }

  /** Records events (and an optional session patch) for a session in one transaction. */
  async record(streamId: string, events: Envelope[], patch?: StreamSessionPatch): Promise<void> {
    await this.outbox.transaction(this.store, async (tx, emit) => {
      if (patch) await tx.sessions.update(streamId, patch);
      await this.appendAll(tx, streamId, events);
      await emit(...events);
    });
  }

  /**
   * Like record(), only while the channel still exists (checked in the same transaction); false when it was deleted.
   * DeleteChannel refuses live channels, but a stream becomes live (Stream Start) a few seconds after its publish
   * was accepted, and the channel may be deleted in between.
   */
  async recordIfChannelExists(
    streamId: string,
    channelArn: string,
    events: Envelope[],
    patch?: StreamSessionPatch,
  ): Promise<boolean> {
    return this.outbox.transaction(this.store, async (tx, emit) => {
      if (!(await tx.resources.get(channelArn))) return false;
      if (patch) await tx.sessions.update(streamId, patch);
      await this.appendAll(tx, streamId, events);
      await emit(...events);
      return true;
    });
  }

  private async appendAll(tx: Store, streamId: string, events: Envelope[]): Promise<void> {
    for (const event of events) await tx.sessions.appendEvent(streamId, toStreamEvent(event));
  }
}
