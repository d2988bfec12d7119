// Protocol control and User Control messages from the peer (types 3–6; Set Chunk Size and Abort are the
// chunk reader's). We acknowledge received bytes whenever the peer's announced window is crossed, and
// answer pings; everything else here is informational for a server that mostly receives.

import type { RtmpMessage } from './chunk-reader.js';
import { IngestProtocolError } from './errors.js';
import { CSID, MSG, USER_CONTROL, uint32Payload, userControlPayload } from './messages.js';

export interface ControlHost {
  send(csid: number, type: number, streamId: number, payload: Buffer): void;
}

/** Counts received bytes against the peer's Window Acknowledgement Size. */
export class AckTracker {
  /** 0 until the peer announces a window: no acknowledgements are owed before that. */
  window = 0;
  private total = 0;
  private lastAcked = 0;

  /** Adds `n` received bytes; returns the sequence number to acknowledge, or -1. */
  received(n: number): number {
    this.total += n;
    if (this.window <= 0 || this.total - this.lastAcked < this.window) return -1;
    this.lastAcked = this.total;
    return this.total % 0x1_0000_0000; // the sequence number is a wrapping 32-bit byte count
  }
}

export function handleControl(msg: RtmpMessage, acks: AckTracker, host: ControlHost): void {
  const p = msg.payload;
  switch (msg.type) {
    case MSG.WINDOW_ACK_SIZE:
      if (p.length < 4) throw new IngestProtocolError('truncated Window Acknowledgement Size');
      acks.window = p.readUInt32BE(0);
      return;
    case MSG.USER_CONTROL:
      if (p.length < 2) throw new IngestProtocolError('truncated User Control message');
      if (p.readUInt16BE(0) === USER_CONTROL.PING_REQUEST && p.length >= 6) {
        host.send(CSID.CONTROL, MSG.USER_CONTROL, 0, userControlPayload(USER_CONTROL.PING_RESPONSE, p.readUInt32BE(2)));
      }
      return;
    default:
      return; // Acknowledgement, Set Peer Bandwidth, unknown types: nothing to do for a receiver
  }
}

export function ackPayload(sequence: number): Buffer {
  return uint32Payload(sequence);
}
