// Typed failures of the RTMP ingest. A connection that hits one of these is closed; the class tells the
// log (and tests) which layer rejected the input, and `IngestProtocolError` vs `UnsupportedMediaError`
// decides whether the publisher gets a "failed" status first or is just dropped.

/** The peer broke the RTMP wire protocol (handshake, chunk stream, command sequence). */
export class IngestProtocolError extends Error {
  override readonly name = 'IngestProtocolError';
}

/** AMF0 bytes that cannot be decoded: truncated, unknown marker, too deep. */
export class AmfError extends Error {
  override readonly name = 'AmfError';
}

/** A bitstream structure (SPS, AudioSpecificConfig, FLV tag, decoder record) is truncated or invalid. */
export class BitstreamError extends Error {
  override readonly name = 'BitstreamError';
}

/** Media the pipeline cannot carry (HEVC, MP3, ...); the description is shown to the broadcaster. */
export class UnsupportedMediaError extends Error {
  override readonly name = 'UnsupportedMediaError';
}
