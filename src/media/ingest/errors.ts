// Typed failures of the RTMP ingest. A connection that hits one of these is closed; the class tells the
// log (and tests) which layer rejected the input and decides what the peer hears first: a broken protocol
// is just dropped, a bound exceeded (IngestLimitError, AmfLimitError) gets a rejection it can show, bad
// media gets NetStream.Publish.Failed.

/** The peer broke the RTMP wire protocol (handshake, chunk stream, command sequence). */
export class IngestProtocolError extends Error {
  override readonly name: string = 'IngestProtocolError';
}

/**
 * The peer exceeded a bound of the ingest (message size for its type and phase, bytes before publish,
 * partial messages, chunk streams): well-formed perhaps, but more than any real encoder sends.
 */
export class IngestLimitError extends IngestProtocolError {
  override readonly name = 'IngestLimitError';
}

/** AMF0 bytes that cannot be decoded: truncated, unknown marker. */
export class AmfError extends Error {
  override readonly name: string = 'AmfError';
}

/** AMF0 that exceeds the decoder's limits (nesting depth, value count, string length). */
export class AmfLimitError extends AmfError {
  override readonly name = 'AmfLimitError';
}

/** A bitstream structure (SPS, AudioSpecificConfig, FLV tag, decoder record) is truncated or invalid. */
export class BitstreamError extends Error {
  override readonly name = 'BitstreamError';
}
