// After a crash (kill -9, power loss) sessions that were live are still open in the store. On start
// they are closed with the end events IVS would have sent, so consumers see every session end.

import type { Logger } from 'pino';
import { streamStateChange, toStreamEvent } from '../../events/envelope.js';
import type { EventOutbox } from '../../events/outbox.js';
import type { Store } from '../../storage/store.js';

export async function closeOrphanedSessions(store: Store, outbox: EventOutbox, log: Logger, now = new Date()): Promise<number> {
  const open = await store.sessions.listOpen();
  for (const session of open) {
    const channelName = typeof session.doc.channel?.name === 'string' ? session.doc.channel.name : '';
    const origin = {
      account: session.account,
      region: session.region,
      channelArn: session.channelArn,
      channelName,
      streamId: session.streamId,
      time: now,
    };
    const started = session.doc.truncatedEvents.some((e) => e.name === 'Stream Start');
    const events = [
      streamStateChange(origin, 'Stream Failure', 'openivs stopped unexpectedly during the stream'),
      ...(started ? [streamStateChange(origin, 'Stream End')] : []),
      streamStateChange(origin, 'Session Ended'),
    ];
    await outbox.transaction(store, async (tx, emit) => {
      await tx.sessions.update(session.streamId, { endTime: now.toISOString() });
      for (const e of events) await tx.sessions.appendEvent(session.streamId, toStreamEvent(e));
      await emit(...events);
    });
    log.warn({ channelArn: session.channelArn, streamId: session.streamId }, 'closed a stream session left open by a crash');
  }
  return open.length;
}
