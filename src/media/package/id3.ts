// ID3v2.4 tags for timed metadata: one TXXX frame carrying PutMetadata's UTF-8 text. Version 2.4
// matters: its frame sizes are syncsafe, which is what hls.js and Safari parse; a 2.3-style size
// breaks payloads of 128 bytes or more.

const HEADER_SIZE = 10;

/** 28-bit syncsafe integer: 7 bits per byte, high bit clear. */
export function writeSyncsafe(target: Buffer, offset: number, value: number): void {
  if (value < 0 || value >= 1 << 28) throw new RangeError('syncsafe value out of range');
  target[offset] = (value >>> 21) & 0x7f;
  target[offset + 1] = (value >>> 14) & 0x7f;
  target[offset + 2] = (value >>> 7) & 0x7f;
  target[offset + 3] = value & 0x7f;
}

/** An ID3v2.4 tag with a single TXXX frame: encoding UTF-8, the description, then the value. */
export function id3TxxxTag(value: string, description = ''): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x03]),
    Buffer.from(description, 'utf8'),
    Buffer.from([0x00]),
    Buffer.from(value, 'utf8'),
  ]);
  const tag = Buffer.alloc(HEADER_SIZE + HEADER_SIZE + body.length);
  tag.write('ID3', 0, 'latin1');
  tag[3] = 0x04; // v2.4.0
  tag[4] = 0x00;
  tag[5] = 0x00; // no flags
  writeSyncsafe(tag, 6, HEADER_SIZE + body.length);
  tag.write('TXXX', HEADER_SIZE, 'latin1');
  writeSyncsafe(tag, HEADER_SIZE + 4, body.length);
  // frame flags (2 bytes) stay zero
  body.copy(tag, HEADER_SIZE * 2);
  return tag;
}
