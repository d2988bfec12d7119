// A minimal ISO BMFF (MP4) box reader, independent of the server's fMP4 writer, for the tests that check its output
// and the readers that look into it (timed metadata, LL-HLS parts): a box sequence with every size checked to fit its
// parent exactly (64-bit and to-the-end sizes included), container boxes and sample entries parsed into children.

import assert from 'node:assert/strict';

export interface Box {
  type: string;
  /** Offset of the box in the outermost buffer parsed. */
  start: number;
  size: number;
  /** Payload (after the 8- or 16-byte header). */
  body: Buffer;
  children: Box[];
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'dinf', 'stbl', 'mvex', 'moof', 'traf']);
/** Sample entries / stsd / dref: bytes to skip in the body before child boxes. */
const CHILD_OFFSET: Record<string, number> = { stsd: 8, dref: 8, avc1: 78, mp4a: 28 };

/** Parses a box sequence, checking every size fits its parent exactly. */
export function parseBoxes(buf: Buffer, base = 0): Box[] {
  const out: Box[] = [];
  let off = 0;
  while (off < buf.length) {
    assert.ok(off + 8 <= buf.length, `truncated box header at ${base + off}`);
    let size = buf.readUInt32BE(off);
    let header = 8;
    const type = buf.toString('latin1', off + 4, off + 8);
    if (size === 1) {
      assert.ok(off + 16 <= buf.length, `truncated 64-bit size of box ${type} at ${base + off}`);
      size = Number(buf.readBigUInt64BE(off + 8));
      header = 16;
    } else if (size === 0) {
      size = buf.length - off; // to the end
    }
    assert.ok(
      size >= header && off + size <= buf.length,
      `box ${type} at ${base + off}: size ${size} overruns ${buf.length - off}`,
    );
    const body = buf.subarray(off + header, off + size);
    const skip = CONTAINERS.has(type) ? 0 : CHILD_OFFSET[type];
    const children = skip === undefined ? [] : parseBoxes(body.subarray(skip), base + off + header + skip);
    out.push({ type, start: base + off, size, body, children });
    off += size;
  }
  assert.equal(off, buf.length, 'boxes add up to the buffer length');
  return out;
}

/** The box at `path` (types separated by `/`, e.g. `moov/trak/mdia`), asserting it exists. */
export function findBox(boxes: Box[], path: string): Box {
  const [head, ...rest] = path.split('/');
  const b = boxes.find((x) => x.type === head);
  assert.ok(b, `no ${head} box (have ${boxes.map((x) => x.type).join(',')})`);
  return rest.length ? findBox(b.children, rest.join('/')) : b;
}

export const boxTypes = (boxes: Box[]) => boxes.map((b) => b.type);
