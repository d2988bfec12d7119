// Chunk stream layer: the reader against hand-built bytes (all four header formats, extended timestamps
// on fmt 0/1/3, 2- and 3-byte chunk stream ids, interleaving, Set Chunk Size, Abort, limits), the writer
// against the reader, the byte queue, acknowledgements, and the server handshake.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteQueue } from '../../src/media/ingest/byte-queue.js';
import { ChunkReader, DEFAULT_CHUNK_LIMITS, type RtmpMessage } from '../../src/media/ingest/chunk-reader.js';
import { ChunkWriter } from '../../src/media/ingest/chunk-writer.js';
import { AckTracker } from '../../src/media/ingest/control.js';
import { IngestProtocolError } from '../../src/media/ingest/errors.js';
import { ServerHandshake } from '../../src/media/ingest/handshake.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u24 = (n: number): string => n.toString(16).padStart(6, '0');
const u32 = (n: number): string => n.toString(16).padStart(8, '0');
const u32le = (n: number): string => Buffer.from(u32(n), 'hex').reverse().toString('hex');
const fill = (n: number, byte: number): string => Buffer.alloc(n, byte).toString('hex');
const pattern = (n: number, f: (i: number) => number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = f(i) & 0xff;
  return b;
};

/** fmt 0 message header: timestamp, length, type, stream id (little-endian). */
const fmt0 = (csidByte: string, ts: number, len: number, type: number, sid: number): string =>
  csidByte + u24(ts) + u24(len) + type.toString(16).padStart(2, '0') + u32le(sid);

function readAll(chunks: Buffer[], reader = new ChunkReader()): RtmpMessage[] {
  const q = new ByteQueue();
  const out: RtmpMessage[] = [];
  for (const c of chunks) {
    q.push(c);
    for (let m = reader.read(q); m !== null; m = reader.read(q)) out.push(m);
  }
  return out;
}

/** Feeds every byte separately: results must not depend on how TCP splits the stream. */
function readByteByByte(bytes: Buffer): RtmpMessage[] {
  return readAll([...bytes].map((b) => Buffer.of(b)));
}

const brief = (m: RtmpMessage): [number, number, number, number, number] => [
  m.csid,
  m.type,
  m.streamId,
  m.timestamp,
  m.payload.length,
];

describe('ChunkReader header formats', () => {
  it('fmt 0, then fmt 1 (delta + new length), fmt 2 (delta), fmt 3 (delta repeated)', () => {
    const bytes = hex(
      fmt0('03', 1000, 4, 9, 1) +
        'aabbccdd' +
        '43' +
        u24(33) +
        u24(2) +
        '08' +
        '1122' + // fmt 1: ts 1033, len 2, audio
        '83' +
        u24(20) +
        '3344' + // fmt 2: ts 1053, same len/type
        'c3' +
        '5566', // fmt 3 new message: ts 1073
    );
    const expected = [
      [3, 9, 1, 1000, 4],
      [3, 8, 1, 1033, 2],
      [3, 8, 1, 1053, 2],
      [3, 8, 1, 1073, 2],
    ];
    assert.deepEqual(readAll([bytes]).map(brief), expected);
    assert.deepEqual(readByteByByte(bytes).map(brief), expected);
    assert.deepEqual(readAll([bytes])[3]!.payload, hex('5566'));
  });

  it('splits a message across fmt 3 continuation chunks at the chunk size', () => {
    const payload = pattern(300, (i) => i);
    const p = payload.toString('hex');
    const bytes = hex(fmt0('04', 5, 300, 9, 1) + p.slice(0, 256) + 'c4' + p.slice(256, 512) + 'c4' + p.slice(512));
    const [m] = readByteByByte(bytes);
    assert.deepEqual(m!.payload, payload);
    assert.equal(m!.timestamp, 5);
  });

  it('extended timestamp on fmt 0 and on its fmt 3 continuation chunks', () => {
    const ts = 0x01234567;
    const bytes = hex(fmt0('05', 0xffffff, 200, 9, 1) + u32(ts) + fill(128, 1) + 'c5' + u32(ts) + fill(72, 2));
    const msgs = readByteByByte(bytes);
    assert.deepEqual(msgs.map(brief), [[5, 9, 1, ts, 200]]);
    assert.equal(msgs[0]!.payload[127], 1);
    assert.equal(msgs[0]!.payload[128], 2, 'the 4 extended bytes were not taken as payload');
  });

  it('tolerates encoders that omit the extended timestamp on fmt 3 continuation chunks', () => {
    const ts = 0x01234567;
    const bytes = hex(
      fmt0('05', 0xffffff, 200, 9, 1) + u32(ts) + fill(128, 1) + 'c5' + fill(72, 2) + fmt0('03', 0, 1, 8, 1) + '00',
    );
    const msgs = readByteByByte(bytes);
    assert.deepEqual(msgs.map(brief), [
      [5, 9, 1, ts, 200],
      [3, 8, 1, 0, 1],
    ]);
    assert.equal(msgs[0]!.payload[128], 2);
  });

  it('extended timestamp delta on fmt 1, repeated by a following fmt 3 message', () => {
    const bytes = hex(
      fmt0('06', 100, 1, 8, 1) + '00' + '46' + 'ffffff' + u24(1) + '08' + u32(0x01000000) + '01' + 'c6' + u32(0x01000000) + '02',
    );
    assert.deepEqual(
      readAll([bytes]).map((m) => m.timestamp),
      [100, 100 + 0x01000000, 100 + 2 * 0x01000000],
    );
  });

  it('timestamps wrap at 2^32', () => {
    const bytes = hex(fmt0('03', 0xffffff, 1, 8, 1) + u32(0xfffffff0) + '00' + '83' + u24(0x20) + '00');
    assert.deepEqual(
      readAll([bytes]).map((m) => m.timestamp),
      [0xfffffff0, 0x10],
    );
  });

  it('2-byte and 3-byte chunk stream ids', () => {
    const bytes = hex(fmt0('00' + 'c8', 1, 1, 8, 1) + 'aa' + fmt0('01' + '3412', 2, 1, 9, 1) + 'bb');
    assert.deepEqual(
      readAll([bytes]).map((m) => m.csid),
      [64 + 0xc8, 64 + 0x34 + 0x12 * 256],
    );
  });

  it('interleaved chunk streams are reassembled independently', () => {
    const a = fill(128, 0xa1) + fill(10, 0xa2);
    const v = fill(128, 0xb1) + fill(20, 0xb2);
    const bytes = hex(
      fmt0('04', 10, 138, 8, 1) +
        a.slice(0, 256) +
        fmt0('06', 11, 148, 9, 1) +
        v.slice(0, 256) +
        'c4' +
        a.slice(256) +
        'c6' +
        v.slice(256),
    );
    const msgs = readByteByByte(bytes);
    assert.deepEqual(msgs.map(brief), [
      [4, 8, 1, 10, 138],
      [6, 9, 1, 11, 148],
    ]);
    assert.equal(msgs[1]!.payload.toString('hex'), v);
  });

  it('zero-length messages complete at once', () => {
    assert.deepEqual(readAll([hex(fmt0('03', 0, 0, 20, 0))]).map(brief), [[3, 20, 0, 0, 0]]);
  });
});

describe('ChunkReader control and limits', () => {
  it('applies Set Chunk Size (top bit ignored) and does not surface it', () => {
    const bytes = hex(fmt0('02', 0, 4, 1, 0) + u32(0x80001000) + fmt0('03', 0, 4096, 9, 1) + fill(4096, 7));
    const reader = new ChunkReader();
    assert.deepEqual(readAll([bytes], reader).map(brief), [[3, 9, 1, 0, 4096]]);
    assert.equal(reader.chunkSize, 4096);
  });

  it('Abort discards the partial message of a chunk stream', () => {
    const bytes = hex(
      fmt0('04', 0, 200, 9, 1) + fill(128, 1) + fmt0('02', 0, 4, 2, 0) + u32(4) + fmt0('04', 50, 2, 8, 1) + 'abcd',
    );
    const reader = new ChunkReader();
    assert.deepEqual(readAll([bytes], reader).map(brief), [[4, 8, 1, 50, 2]]);
    assert.equal(reader.pending, 0);
  });

  for (const size of [0, 16 * 1024 * 1024 + 1, 0x7fffffff]) {
    it(`rejects Set Chunk Size ${size}`, () => {
      assert.throws(() => readAll([hex(fmt0('02', 0, 4, 1, 0) + u32(size))]), IngestProtocolError);
    });
  }

  it('rejects a message larger than maxMessageSize without allocating it', () => {
    const reader = new ChunkReader({ ...DEFAULT_CHUNK_LIMITS, maxMessageSize: 1000 });
    assert.throws(() => readAll([hex(fmt0('03', 0, 1001, 9, 1))], reader), /exceeds/);
  });

  it('bounds bytes held by partial messages across chunk streams', () => {
    const reader = new ChunkReader({ ...DEFAULT_CHUNK_LIMITS, maxMessageSize: 1000, maxPendingBytes: 1500 });
    const bytes = hex(fmt0('03', 0, 1000, 9, 1) + fill(128, 0) + fmt0('04', 0, 1000, 9, 1));
    assert.throws(() => readAll([bytes], reader), /partially received/);
  });

  it('rejects a chunk stream that starts without a fmt 0 header', () => {
    assert.throws(() => readAll([hex('43' + u24(0) + u24(1) + '08' + '00')]), /starts with a fmt 1/);
  });

  it('caps the number of chunk streams', () => {
    const reader = new ChunkReader({ ...DEFAULT_CHUNK_LIMITS, maxChunkStreams: 3 });
    const bytes = hex([3, 4, 5, 6].map((c) => fmt0(c.toString(16).padStart(2, '0'), 0, 1, 8, 1) + '00').join(''));
    assert.throws(() => readAll([bytes], reader), /too many chunk streams/);
  });
});

describe('ChunkWriter', () => {
  it('round-trips through the reader for several chunk sizes and timestamps', () => {
    for (const chunkSize of [1, 128, 4096]) {
      const writer = new ChunkWriter();
      writer.chunkSize = chunkSize;
      const reader = new ChunkReader();
      reader.chunkSize = chunkSize;
      const payload = pattern(5000, (i) => i * 7);
      for (const [csid, ts] of [
        [3, 0],
        [4, 0xfffffe],
        [70, 0xffffff],
        [400, 0x12345678],
      ] as const) {
        const [m] = readAll([writer.encode(csid, 9, 1, ts, payload)], reader);
        assert.deepEqual(brief(m!), [csid, 9, 1, ts, 5000], `chunk size ${chunkSize}, csid ${csid}`);
        assert.deepEqual(m!.payload, payload);
      }
    }
  });

  it('refuses invalid chunk sizes', () => {
    assert.throws(() => {
      new ChunkWriter().chunkSize = 0;
    }, RangeError);
  });
});

describe('ByteQueue', () => {
  it('reads across buffer boundaries and releases consumed buffers', () => {
    const q = new ByteQueue();
    q.push(hex('0102'));
    q.push(hex(''));
    q.push(hex('030405'));
    assert.equal(q.length, 5);
    assert.equal(q.byteAt(3), 4);
    assert.deepEqual(q.take(3), hex('010203'));
    assert.deepEqual(q.take(2), hex('0405'));
    assert.equal(q.length, 0);
  });
});

describe('AckTracker', () => {
  it('acknowledges each time the peer window is crossed, not before a window is set', () => {
    const acks = new AckTracker();
    assert.equal(acks.received(10_000), -1);
    acks.window = 5000;
    assert.equal(acks.received(100), 10_100);
    assert.equal(acks.received(4000), -1);
    assert.equal(acks.received(1000), 15_100);
  });
});

describe('ServerHandshake', () => {
  it('answers C0+C1 with S0+S1+S2 (S2 echoes C1) and leaves bytes after C2 queued', () => {
    const hs = new ServerHandshake();
    const q = new ByteQueue();
    const c1 = pattern(1536, (i) => i);
    q.push(Buffer.concat([Buffer.of(3), c1.subarray(0, 1000)]));
    assert.equal(hs.advance(q), null);
    q.push(c1.subarray(1000));
    const reply = hs.advance(q)!;
    assert.equal(reply.length, 1 + 2 * 1536);
    assert.equal(reply[0], 3);
    assert.equal(reply.readUInt32BE(5), 0, 'S1 zero field: simple handshake');
    assert.deepEqual(reply.subarray(1 + 1536), c1);
    q.push(Buffer.concat([Buffer.alloc(1536), hex('c3')]));
    assert.equal(hs.advance(q), null);
    assert.equal(hs.complete, true);
    assert.equal(q.length, 1);
  });

  for (const version of [0, 6, 0x47]) {
    it(`rejects version byte ${version} without waiting for C1`, () => {
      const q = new ByteQueue();
      q.push(Buffer.of(version));
      assert.throws(() => new ServerHandshake().advance(q), IngestProtocolError);
    });
  }
});
