// RTMP message type ids and the small fixed-layout protocol control payloads (RTMP 1.0 spec §5.4, §6.2).
// Builders return payloads only; ChunkWriter frames them.

export const MSG = {
  SET_CHUNK_SIZE: 1,
  ABORT: 2,
  ACK: 3,
  USER_CONTROL: 4,
  WINDOW_ACK_SIZE: 5,
  SET_PEER_BANDWIDTH: 6,
  AUDIO: 8,
  VIDEO: 9,
  DATA_AMF3: 15,
  SHARED_OBJECT_AMF3: 16,
  COMMAND_AMF3: 17,
  DATA_AMF0: 18,
  SHARED_OBJECT_AMF0: 19,
  COMMAND_AMF0: 20,
  AGGREGATE: 22,
} as const;

export const USER_CONTROL = {
  STREAM_BEGIN: 0,
  STREAM_EOF: 1,
  SET_BUFFER_LENGTH: 3,
  PING_REQUEST: 6,
  PING_RESPONSE: 7,
} as const;

/** Chunk stream ids we send on: control must use 2; commands and status conventionally 3 and 5. */
export const CSID = { CONTROL: 2, COMMAND: 3, STATUS: 5 } as const;

/** Largest chunk size either side may announce; beyond this a peer is broken or hostile. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

export function uint32Payload(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

/** Set Peer Bandwidth: window size + limit type (2 = dynamic). */
export function peerBandwidthPayload(window: number, limitType: number): Buffer {
  const b = Buffer.allocUnsafe(5);
  b.writeUInt32BE(window >>> 0, 0);
  b[4] = limitType;
  return b;
}

/** User Control message with a 4-byte event datum (stream id or ping timestamp). */
export function userControlPayload(event: number, value: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeUInt16BE(event, 0);
  b.writeUInt32BE(value >>> 0, 2);
  return b;
}
