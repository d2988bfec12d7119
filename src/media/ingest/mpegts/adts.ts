// AAC in ADTS (MPEG-TS stream_type 0x0F) to the media plane's form: each ADTS frame becomes one raw AAC frame, and
// the ADTS header's profile / sampling frequency / channel configuration become a 2-byte AudioSpecificConfig (what
// the FLV path receives as its sequence header). Frames may straddle PES boundaries, so an incomplete tail is carried
// into the next PES (at most one frame). Garbage between frames is skipped up to the next syncword.

export const ADTS_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** An ADTS frame_length is 13 bits. */
export const MAX_ADTS_FRAME = 8191;

export interface AdtsFrame {
  /** The raw AAC frame (no ADTS header, no CRC). */
  data: Buffer;
  /** profile, sampling frequency index and channel configuration packed together; `ascFromKey` makes the ASC. */
  configKey: number;
  sampleRate: number;
  /** Offset of the frame's first byte in the buffer it was parsed from. */
  offset: number;
}

export interface AdtsScan {
  frames: AdtsFrame[];
  /** Bytes of an incomplete frame at the end (to prepend to the next PES). */
  rest: Buffer;
  /** Bytes skipped while looking for a syncword. */
  skipped: number;
  /** Frames skipped because they carry several raw data blocks (no common encoder writes those). */
  unsupported: number;
}

export function scanAdts(buf: Buffer): AdtsScan {
  const out: AdtsScan = { frames: [], rest: Buffer.alloc(0), skipped: 0, unsupported: 0 };
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 7) {
      out.rest = buf.subarray(off);
      break;
    }
    const header = readHeader(buf, off);
    if (!header) {
      off++;
      out.skipped++;
      continue;
    }
    if (off + header.frameLength > buf.length) {
      out.rest = buf.subarray(off);
      break;
    }
    if (header.rawBlocks > 0) {
      out.unsupported++;
    } else {
      out.frames.push({
        data: buf.subarray(off + header.headerLength, off + header.frameLength),
        configKey: header.configKey,
        sampleRate: header.sampleRate,
        offset: off,
      });
    }
    off += header.frameLength;
  }
  return out;
}

interface AdtsHeader {
  headerLength: number;
  frameLength: number;
  rawBlocks: number;
  sampleRate: number;
  configKey: number;
}

function readHeader(b: Buffer, off: number): AdtsHeader | null {
  if (b[off] !== 0xff || (b[off + 1]! & 0xf6) !== 0xf0) return null; // syncword, layer 0
  const protectionAbsent = b[off + 1]! & 0x01;
  const profile = b[off + 2]! >> 6;
  const rateIndex = (b[off + 2]! >> 2) & 0x0f;
  const channels = ((b[off + 2]! & 0x01) << 2) | (b[off + 3]! >> 6);
  const frameLength = ((b[off + 3]! & 0x03) << 11) | (b[off + 4]! << 3) | (b[off + 5]! >> 5);
  const rawBlocks = b[off + 6]! & 0x03;
  const headerLength = protectionAbsent ? 7 : 9;
  const sampleRate = ADTS_SAMPLE_RATES[rateIndex];
  if (sampleRate === undefined || frameLength <= headerLength) return null;
  return { headerLength, frameLength, rawBlocks, sampleRate, configKey: (profile << 8) | (rateIndex << 4) | channels };
}

/** The 2-byte AudioSpecificConfig: object type = ADTS profile + 1 (Main, LC, SSR, LTP), rate index, channels. */
export function ascFromKey(key: number): Buffer {
  const objectType = (key >> 8) + 1;
  const rateIndex = (key >> 4) & 0x0f;
  const channels = key & 0x07;
  return Buffer.from([(objectType << 3) | (rateIndex >> 1), ((rateIndex & 1) << 7) | (channels << 3)]);
}
