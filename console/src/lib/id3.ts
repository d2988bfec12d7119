// Reads the text of ID3v2 TXXX frames, as PutMetadata carries it to players (hls.js hands the raw ID3 bytes to
// FRAG_PARSING_METADATA). Only what the console shows: description and value of each TXXX frame.

export interface TxxxFrame {
  description: string;
  value: string;
}

const synchsafe = (b: Uint8Array, at: number) => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);

function decodeText(encoding: number, bytes: Uint8Array): string {
  const label = encoding === 1 ? 'utf-16' : encoding === 2 ? 'utf-16be' : encoding === 3 ? 'utf-8' : 'latin1';
  return new TextDecoder(label).decode(bytes).replace(/\0+$/, '');
}

/** Splits at the first terminator of the encoding (one NUL byte, or two for UTF-16). */
function splitTerminated(encoding: number, bytes: Uint8Array): [Uint8Array, Uint8Array] {
  const wide = encoding === 1 || encoding === 2;
  for (let i = 0; i + (wide ? 1 : 0) < bytes.length; i += wide ? 2 : 1) {
    if (bytes[i] === 0 && (!wide || bytes[i + 1] === 0)) return [bytes.subarray(0, i), bytes.subarray(i + (wide ? 2 : 1))];
  }
  return [bytes, new Uint8Array(0)];
}

export function txxxFrames(tag: Uint8Array): TxxxFrame[] {
  const out: TxxxFrame[] = [];
  let at = 0;
  while (at + 10 <= tag.length && tag[at] === 0x49 && tag[at + 1] === 0x44 && tag[at + 2] === 0x33) {
    const version = tag[at + 3]!;
    const end = Math.min(tag.length, at + 10 + synchsafe(tag, at + 6));
    let p = at + 10;
    while (p + 10 <= end) {
      const id = String.fromCharCode(tag[p]!, tag[p + 1]!, tag[p + 2]!, tag[p + 3]!);
      const size = version >= 4 ? synchsafe(tag, p + 4) : (tag[p + 4]! << 24) | (tag[p + 5]! << 16) | (tag[p + 6]! << 8) | tag[p + 7]!;
      if (size <= 0 || !/^[A-Z0-9]{4}$/.test(id)) break;
      const body = tag.subarray(p + 10, Math.min(end, p + 10 + size));
      if (id === 'TXXX' && body.length > 1) {
        const [description, value] = splitTerminated(body[0]!, body.subarray(1));
        out.push({ description: decodeText(body[0]!, description), value: decodeText(body[0]!, value) });
      }
      p += 10 + size;
    }
    at = end;
  }
  return out;
}
