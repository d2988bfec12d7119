// Plain RTMP sockets read into one buffer shared by all connections (shared-read-buffer.ts). What could go wrong is
// silent: bytes a connection leaves unparsed at the end of a read being overwritten by the next read of another
// connection. So two publishers write at once, each message cut at random points across many small writes, and every
// access unit must arrive byte for byte; the same with 'data' events (sharedReads off), and with media pipelined
// behind a `publish` that waits on a slow authorizer (the whole read is then held unparsed). The first test pins the
// fast path itself: on this node the socket really reads into the shared buffer, pauses and resumes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { encodeAmf0 } from '../../src/media/ingest/amf0-encode.js';
import { ByteQueue } from '../../src/media/ingest/byte-queue.js';
import { ChunkWriter } from '../../src/media/ingest/chunk-writer.js';
import { createIngestServer, type IngestConfig, type IngestServer } from '../../src/media/ingest/index.js';
import { MSG } from '../../src/media/ingest/messages.js';
import { readIntoSharedBuffer, sharedReadSockets } from '../../src/media/ingest/shared-read-buffer.js';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, RawClient } from '../helpers/rtmp-client.js';
import { createRecorder, type RecordedSession, type Recorder } from './fixtures/ingest/recorder.js';

const servers: IngestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function startIngest(
  config: Partial<IngestConfig>,
  goodKeys: string[],
  authorizeDelayMs = 0,
): Promise<{ rec: Recorder; port: number }> {
  const rec = createRecorder({ goodKeys, authorizeDelayMs });
  const server = createIngestServer({ hooks: rec.hooks, config });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { rec, port };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Long enough for the server (same process) to read what a client just wrote. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** A deterministic generator, so a failure can be replayed. */
function lcg(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

interface Media {
  wire: Buffer;
  /** Where each message starts in `wire`: its chunk header is the place a read's unparsed tail is left. */
  starts: number[];
  /** What each access unit's data must be, in order: video's AVCC NAL units, audio's raw AAC frame. */
  units: Buffer[];
}

/** Configs, then `count` frames of random content and size (1 byte to 20 kB), audio and video, framed in chunks. */
function media(count: number, chunkSize: number, rand: (n: number) => number): Media {
  const writer = new ChunkWriter();
  writer.chunkSize = chunkSize;
  const parts = [writer.encode(6, MSG.VIDEO, 1, 0, AVC_SEQUENCE_HEADER), writer.encode(4, MSG.AUDIO, 1, 0, AAC_SEQUENCE_HEADER)];
  const units: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const ts = i * 20;
    if (i % 3 === 2) {
      const frame = randomBytes(1 + rand(400));
      parts.push(writer.encode(4, MSG.AUDIO, 1, ts, Buffer.concat([Buffer.of(0xaf, 0x01), frame])));
      units.push(frame);
    } else {
      const nal = Buffer.concat([Buffer.of(i === 0 ? 0x65 : 0x41), randomBytes(rand(20_000))]);
      const avcc = Buffer.concat([Buffer.alloc(4), nal]);
      avcc.writeUInt32BE(nal.length, 0);
      const header = Buffer.of(i === 0 ? 0x17 : 0x27, 0x01, 0, 0, 0);
      parts.push(writer.encode(6, MSG.VIDEO, 1, ts, Buffer.concat([header, avcc])));
      units.push(avcc);
    }
  }
  const starts: number[] = [];
  let at = 0;
  for (const part of parts) {
    starts.push(at);
    at += part.length;
  }
  return { wire: Buffer.concat(parts), starts, units };
}

/** handshake, connect, createStream; the caller sends `publish` itself (to pipeline media behind it, or not). */
async function readyToPublish(port: number, chunkSize: number): Promise<RawClient> {
  const client = await RawClient.open(port);
  await client.handshake();
  client.command(0, 'connect', 1, { app: 'app', type: 'nonprivate', tcUrl: 'rtmp://127.0.0.1/app' });
  assert.ok(await client.waitCommand('_result'));
  client.command(0, 'createStream', 2, null);
  assert.ok(await client.waitCommand('_result'));
  client.setChunkSize(chunkSize);
  return client;
}

async function unitsOf(session: RecordedSession, count: number): Promise<Buffer[]> {
  const deadline = Date.now() + 10_000;
  while (session.aus.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return session.aus.map((a) => a.data);
}

/**
 * `wire` cut into writes: inside every message's 12-byte chunk header (so a read ends in the middle of one, leaving
 * it unparsed), and at random points between.
 */
function pieces(stream: Media, rand: (n: number) => number): Buffer[] {
  const cuts = new Set<number>();
  for (const start of stream.starts) cuts.add(start + 1 + rand(10));
  for (let at = rand(3_000); at < stream.wire.length; at += 1 + rand(3_000)) cuts.add(at);
  const sorted = [...cuts].filter((c) => c > 0 && c < stream.wire.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...sorted, stream.wire.length]) {
    out.push(stream.wire.subarray(from, cut));
    from = cut;
  }
  return out;
}

function assertSameUnits(got: Buffer[], want: Buffer[], who: string): void {
  assert.equal(got.length, want.length, `${who}: access units`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(got[i]!.equals(want[i]!), `${who}: access unit ${i} (${want[i]!.length} bytes) differs`);
  }
}

describe('RTMP reads into a shared buffer', () => {
  it('an accepted socket reads into one buffer shared across sockets, with pause and resume, and no data events', async () => {
    const received = new Map<Socket, Buffer[]>();
    const arrayBuffers = new Set<ArrayBufferLike>();
    let dataEvents = 0;
    let switchedOk = true;
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      const got: Buffer[] = [];
      received.set(socket, got);
      socket.on('data', () => dataEvents++);
      switchedOk &&= readIntoSharedBuffer(socket, (bytes) => {
        arrayBuffers.add(bytes.buffer);
        got.push(Buffer.from(bytes)); // valid only during the call
        // pause after every read and resume a little later: nothing may be lost or repeated
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const payloads = [randomBytes(600_000), randomBytes(450_000)];
    await Promise.all(
      payloads.map(
        (payload) =>
          new Promise<void>((resolve) => {
            const client = connect(port, '127.0.0.1', () => {
              const rand = lcg(payload.length);
              const writeFrom = async (start: number): Promise<void> => {
                for (let at = start; at < payload.length;) {
                  const n = 1 + rand(20_000);
                  client.write(payload.subarray(at, at + n));
                  at += n;
                  if (rand(4) === 0) await tick();
                }
                client.end(resolve);
              };
              void writeFrom(0);
            });
          }),
      ),
    );
    const deadline = Date.now() + 10_000;
    const total = (): number => [...received.values()].reduce((s, got) => s + Buffer.concat(got).length, 0);
    while (total() < 1_050_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.close();
    for (const socket of received.keys()) socket.destroy();
    assert.ok(switchedOk, 'this node lets an accepted socket read into a user buffer');
    assert.equal(dataEvents, 0, 'no data events once reading into the shared buffer');
    assert.equal(arrayBuffers.size, 1, 'every read of both sockets landed in the same buffer');
    const hashes = [...received.values()].map((got) => createHash('sha256').update(Buffer.concat(got)).digest('hex'));
    const want = payloads.map((p) => createHash('sha256').update(p).digest('hex'));
    assert.deepEqual(hashes.sort(), want.sort(), 'each socket got its bytes, whole and in order');
  });

  it('a queue owns its unread bytes once told to: the reused buffer no longer reaches them', () => {
    const q = new ByteQueue();
    const reused = Buffer.from('abcdefghij');
    q.push(reused.subarray(0, 6));
    q.push(reused.subarray(6));
    q.skip(3);
    q.ownUnread();
    reused.fill(0x2a);
    const out = Buffer.alloc(7);
    q.readInto(out, 0, 7);
    assert.equal(out.toString(), 'defghij');
    assert.equal(q.length, 0);
  });

  for (const sharedReads of [true, false]) {
    it(`two publishers writing at once, messages cut at random points: every access unit intact (sharedReads ${sharedReads})`, async () => {
      const before = sharedReadSockets();
      const { rec, port } = await startIngest({ sharedReads }, ['sk_a', 'sk_b']);
      const chunkSizes = [128, 4096];
      const clients = await Promise.all(chunkSizes.map((size) => readyToPublish(port, size)));
      const keys = ['sk_a', 'sk_b'];
      for (let i = 0; i < clients.length; i++) {
        clients[i]!.command(1, 'publish', 3, null, keys[i], 'live');
        assert.equal((await clients[i]!.waitCommand('onStatus'))?.info['code'], 'NetStream.Publish.Start');
      }
      const rand = lcg(sharedReads ? 11 : 12);
      const streams = chunkSizes.map((size) => media(90, size, rand));
      // one piece of each in turn, each read by the server before the next: the other's read lands in between
      const queues = streams.map((stream) => pieces(stream, rand));
      while (queues.some((q) => q.length > 0)) {
        for (let i = 0; i < clients.length; i++) {
          const piece = queues[i]!.shift();
          if (piece === undefined) continue;
          clients[i]!.write(piece);
          await settle();
        }
      }
      for (let i = 0; i < clients.length; i++) {
        const session = rec.sessions.find((s) => s.request.streamKey === keys[i])!;
        assertSameUnits(await unitsOf(session, streams[i]!.units.length), streams[i]!.units, keys[i]!);
      }
      for (const c of clients) c.destroy();
      assert.equal(sharedReadSockets() - before, sharedReads ? 2 : 0, 'connections that read into the shared buffer');
    });
  }

  it('media pipelined behind a publish that waits on the authorizer arrives intact', async () => {
    const { rec, port } = await startIngest({}, ['sk_slow'], 300);
    const rand = lcg(5);
    const client = await readyToPublish(port, 4096);
    // another connection keeps reading into the shared buffer while this one's read is held
    const other = await readyToPublish(port, 4096);
    const stream = media(30, 4096, rand);
    const writer = new ChunkWriter();
    writer.chunkSize = 4096;
    client.write(
      Buffer.concat([writer.encode(8, MSG.COMMAND_AMF0, 1, 0, encodeAmf0('publish', 3, null, 'sk_slow', 'live')), stream.wire]),
    );
    for (let i = 0; i < 20; i++) {
      other.command(0, 'createStream', 10 + i, null);
      await new Promise((r) => setTimeout(r, 10));
    }
    const session = await rec.nextSession();
    assertSameUnits(await unitsOf(session, stream.units.length), stream.units, 'sk_slow');
    client.destroy();
    other.destroy();
  });
});
