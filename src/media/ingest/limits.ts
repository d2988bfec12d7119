// What a peer may make the ingest hold, per message type and per phase. Until its publish is accepted a
// peer is unauthenticated, and every real encoder (OBS, ffmpeg, Larix, vMix) sends only a handful of
// commands of a few hundred bytes there: so messages, their total and their AMF0 contents are bounded
// tightly, and a message whose header announces more is refused before a byte of it is buffered. Once the
// publish is accepted, media may be large (a keyframe is megabytes); commands and data stay small.

import type { AmfLimits } from './amf0.js';
import type { ChunkReaderLimits } from './chunk-reader.js';
import { MSG } from './messages.js';

export interface MessageSizeConfig {
  /** Largest message of any type (in practice: an audio/video frame once publishing). */
  maxMessageSize: number;
  /** Bytes that partially received messages may hold together once publishing. */
  maxPendingBytes: number;
  /** Messages being reassembled at once (one per chunk stream). */
  maxPartialMessages: number;
  /** Chunk stream ids a connection may use. */
  maxChunkStreams: number;
  /** Largest message before the publish is accepted, whatever its type (protocol control is smaller still). */
  maxSetupMessageSize: number;
  /** Payload bytes of every message before the publish is accepted, together. */
  maxSetupBytes: number;
  /** Largest command message once publishing (FCUnpublish, deleteStream … are tiny). */
  maxCommandSize: number;
  /** Largest data message once publishing (@setDataFrame / onMetaData, cue points). */
  maxDataMessageSize: number;
}

export const DEFAULT_MESSAGE_SIZES: MessageSizeConfig = {
  maxMessageSize: 16 * 1024 * 1024,
  maxPendingBytes: 32 * 1024 * 1024,
  maxPartialMessages: 8,
  maxChunkStreams: 64,
  maxSetupMessageSize: 8 * 1024,
  maxSetupBytes: 64 * 1024,
  maxCommandSize: 16 * 1024,
  maxDataMessageSize: 64 * 1024,
};

/** Protocol control (Set Chunk Size … Set Peer Bandwidth) payloads are 4–10 bytes; unknown types are ignored. */
const CONTROL_MAX = 64;
const UNKNOWN_TYPE_MAX = 256;

/** AMF0 in command messages: OBS's connect object (ten properties, depth 1) is the largest real one. */
export const COMMAND_AMF_LIMITS: AmfLimits = { maxDepth: 8, maxValues: 256, maxStringBytes: 4096 };
/** AMF0 in data messages: onMetaData is a few dozen properties; some encoders nest track lists. */
export const DATA_AMF_LIMITS: AmfLimits = { maxDepth: 16, maxValues: 4096, maxStringBytes: 64 * 1024 };

type Kind = 'control' | 'command' | 'data' | 'media' | 'unknown';

function kindOf(type: number): Kind {
  switch (type) {
    case MSG.SET_CHUNK_SIZE:
    case MSG.ABORT:
    case MSG.ACK:
    case MSG.USER_CONTROL:
    case MSG.WINDOW_ACK_SIZE:
    case MSG.SET_PEER_BANDWIDTH:
      return 'control';
    case MSG.COMMAND_AMF0:
    case MSG.COMMAND_AMF3:
      return 'command';
    case MSG.DATA_AMF0:
    case MSG.DATA_AMF3:
    case MSG.SHARED_OBJECT_AMF0:
    case MSG.SHARED_OBJECT_AMF3:
      return 'data';
    case MSG.AUDIO:
    case MSG.VIDEO:
    case MSG.AGGREGATE:
      return 'media';
    default:
      return 'unknown';
  }
}

/** Chunk reader limits from TCP connect until the publish is accepted. */
export function setupLimits(c: MessageSizeConfig): ChunkReaderLimits {
  const setupMax = Math.min(c.maxSetupMessageSize, c.maxMessageSize);
  return {
    phase: 'before publish',
    maxMessageSize: setupMax,
    maxSizeOf: (type) => {
      const kind = kindOf(type);
      return kind === 'control' ? CONTROL_MAX : kind === 'unknown' ? Math.min(UNKNOWN_TYPE_MAX, setupMax) : setupMax;
    },
    maxPendingBytes: Math.min(c.maxSetupBytes, c.maxPendingBytes),
    maxPartialMessages: c.maxPartialMessages,
    maxChunkStreams: c.maxChunkStreams,
    budgetBytes: c.maxSetupBytes,
  };
}

/** Chunk reader limits once the publish is accepted. */
export function liveLimits(c: MessageSizeConfig): ChunkReaderLimits {
  const bySize: Record<Kind, number> = {
    control: CONTROL_MAX,
    command: Math.min(c.maxCommandSize, c.maxMessageSize),
    data: Math.min(c.maxDataMessageSize, c.maxMessageSize),
    media: c.maxMessageSize,
    unknown: UNKNOWN_TYPE_MAX,
  };
  return {
    phase: 'while publishing',
    carvePayloads: true,
    maxMessageSize: c.maxMessageSize,
    maxSizeOf: (type) => bySize[kindOf(type)],
    maxPendingBytes: c.maxPendingBytes,
    maxPartialMessages: c.maxPartialMessages,
    maxChunkStreams: c.maxChunkStreams,
  };
}
