// The ingest's bounds before and after publish (issue 10, defects 1 and 2): linear app-name trimming,
// message sizes per type and phase refused at the chunk header (nothing buffered), the byte budget and
// partial-message cap before publish, AMF0 value/string/depth limits, stream key length, the cap on
// connections still setting up — and that what OBS and ffmpeg really send stays well inside all of it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeAmf0, EcmaArray } from '../../src/media/ingest/amf0.js';
import { encodeAmf0 } from '../../src/media/ingest/amf0-encode.js';
import { ByteQueue } from '../../src/media/ingest/byte-queue.js';
import { ChunkReader, type ChunkReaderLimits } from '../../src/media/ingest/chunk-reader.js';
import { ChunkWriter } from '../../src/media/ingest/chunk-writer.js';
import { AmfLimitError, IngestLimitError } from '../../src/media/ingest/errors.js';
import { createIngestServer, type IngestConfig, type IngestServer } from '../../src/media/ingest/index.js';
import { COMMAND_AMF_LIMITS, DEFAULT_MESSAGE_SIZES, liveLimits, setupLimits } from '../../src/media/ingest/limits.js';
import { normalizeApp } from '../../src/media/ingest/log-safe.js';
import { MSG } from '../../src/media/ingest/messages.js';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, avcFrame, obsConnectObject, RawClient } from '../helpers/rtmp-client.js';
import { nestedArrays, objectOfKeys, rawCommand, strictArrayOfNulls } from '../helpers/rtmp-payloads.js';
import { createRecorder, type RecorderOptions } from './fixtures/ingest/recorder.js';

const MAX_STALL_MS = 100;

describe('normalizeApp', () => {
  it('drops the query and surrounding slashes', () => {
    const cases: [string, string][] = [
      ['app', 'app'],
      ['/app/', 'app'],
      ['//app//?x=/y/', 'app'],
      ['app?token=abc', 'app'],
      ['a/b', 'a/b'],
      ['', ''],
      ['////', ''],
      ['?', ''],
      ['/a/b/', 'a/b'],
    ];
    for (const [input, expected] of cases) assert.equal(normalizeApp(input), expected, JSON.stringify(input));
  });

  it('is linear: a long run of slashes in the middle takes no time (defect 1; the old regex took seconds)', () => {
    const app = `a${'/'.repeat(100_000)}b`;
    const started = performance.now();
    assert.equal(normalizeApp(app), app);
    assert.equal(normalizeApp(`/${app}/`), app);
    const ms = performance.now() - started;
    assert.ok(ms < MAX_STALL_MS, `normalizeApp took ${ms.toFixed(1)} ms`);
  });
});

const writer = new ChunkWriter();
const frameMsg = (type: number, payload: Buffer, csid = 3): Buffer => writer.encode(csid, type, 0, 0, payload);
/** Just the fmt 0 header of a message announcing `length` bytes. */
function header(type: number, length: number, csid = 3): Buffer {
  const b = Buffer.alloc(12);
  b[0] = csid;
  b.writeUIntBE(length, 4, 3);
  b[7] = type;
  return b;
}

function feed(reader: ChunkReader, ...parts: Buffer[]): number {
  const q = new ByteQueue();
  let n = 0;
  for (const p of parts) {
    q.push(p);
    while (reader.read(q) !== null) n++;
  }
  return n;
}

describe('chunk reader limits per phase', () => {
  const setup = (): ChunkReader => new ChunkReader(setupLimits(DEFAULT_MESSAGE_SIZES));

  it('refuses an oversized command on its header alone, before buffering any of it', () => {
    const reader = setup();
    assert.throws(() => feed(reader, header(MSG.COMMAND_AMF0, 8193)), IngestLimitError);
    assert.equal(reader.pending, 0);
    assert.equal(feed(setup(), frameMsg(MSG.COMMAND_AMF0, Buffer.alloc(8192, 5))), 1, '8 KiB is fine');
  });

  it('holds protocol control and unknown types to a few bytes', () => {
    assert.throws(() => feed(setup(), header(MSG.USER_CONTROL, 65, 2)), /exceeds the 64-byte limit before publish/);
    assert.throws(() => feed(setup(), header(42, 257)), /exceeds the 256-byte limit/);
    assert.throws(() => feed(setup(), header(MSG.VIDEO, 9000, 6)), IngestLimitError);
  });

  it('bounds all bytes before publish together, empty messages included', () => {
    const cmd = frameMsg(MSG.COMMAND_AMF0, Buffer.alloc(8000, 5));
    assert.throws(() => feed(setup(), ...Array.from({ length: 9 }, () => cmd)), /together before publish/);
    assert.equal(feed(setup(), ...Array.from({ length: 8 }, () => cmd)), 8);
    const empty = frameMsg(MSG.COMMAND_AMF0, Buffer.alloc(0));
    assert.throws(() => feed(setup(), ...Array.from({ length: 6000 }, () => empty)), /together before publish/);
  });

  it('caps partially received messages', () => {
    const starts = [3, 4, 5, 6, 7, 8, 9, 10, 11].map((csid) =>
      Buffer.concat([header(MSG.COMMAND_AMF0, 200, csid), Buffer.alloc(128)]),
    );
    assert.throws(() => feed(setup(), ...starts), /more than 8 partially received messages/);
  });

  it('once publishing: large media, data up to 64 KiB, commands up to 16 KiB', () => {
    const reader = setup();
    reader.setLimits(liveLimits(DEFAULT_MESSAGE_SIZES));
    reader.chunkSize = 1 << 24; // one chunk per message
    assert.equal(feed(reader, header(MSG.VIDEO, 1 << 20, 6), Buffer.alloc(1 << 20)), 1);
    const live = (): ChunkReader => new ChunkReader(liveLimits(DEFAULT_MESSAGE_SIZES));
    assert.throws(() => feed(live(), header(MSG.DATA_AMF0, 64 * 1024 + 1, 4)), /exceeds the 65536-byte limit while publishing/);
    assert.throws(() => feed(live(), header(MSG.COMMAND_AMF0, 16 * 1024 + 1)), IngestLimitError);
    const smallMedia = new ChunkReader(liveLimits({ ...DEFAULT_MESSAGE_SIZES, maxMessageSize: 1 << 20 }));
    assert.throws(() => feed(smallMedia, header(MSG.VIDEO, (1 << 20) + 1, 6)), IngestLimitError);
  });

  it('limits given by the caller apply as given', () => {
    const limits: ChunkReaderLimits = { ...setupLimits(DEFAULT_MESSAGE_SIZES), maxPartialMessages: 1 };
    const two = [3, 4].map((csid) => Buffer.concat([header(MSG.COMMAND_AMF0, 200, csid), Buffer.alloc(128)]));
    assert.throws(() => feed(new ChunkReader(limits), ...two), /more than 1 partially/);
  });
});

describe('AMF0 limits', () => {
  it('refuses too many values, too long strings, too deep nesting — before building them', () => {
    assert.throws(() => decodeAmf0(strictArrayOfNulls(300), 0, COMMAND_AMF_LIMITS), AmfLimitError);
    assert.throws(() => decodeAmf0(objectOfKeys(300), 0, COMMAND_AMF_LIMITS), AmfLimitError);
    assert.throws(() => decodeAmf0(encodeAmf0('x'.repeat(4097)), 0, COMMAND_AMF_LIMITS), /4097 bytes exceeds/);
    assert.throws(() => decodeAmf0(nestedArrays(9), 0, COMMAND_AMF_LIMITS), /too deep/);
    assert.doesNotThrow(() => decodeAmf0(nestedArrays(8), 0, COMMAND_AMF_LIMITS));
    // A strict array announcing more elements than allowed is refused on its count, not after decoding.
    const lying = Buffer.concat([Buffer.from('0a00010000', 'hex'), Buffer.alloc(0x10000, 5)]);
    assert.throws(() => decodeAmf0(lying, 0, COMMAND_AMF_LIMITS), /more than 256 values/);
  });

  it('OBS and ffmpeg commands fit with room to spare', () => {
    const obs = encodeAmf0('connect', 1, obsConnectObject());
    assert.ok(obs.length < 1024);
    assert.doesNotThrow(() => decodeAmf0(obs, 0, COMMAND_AMF_LIMITS));
    assert.doesNotThrow(() =>
      decodeAmf0(
        encodeAmf0('publish', 5, null, `sk_us-west-2_abcdEFGH1234_${'s'.repeat(30)}?t=${'x'.repeat(2000)}`, 'live'),
        0,
        COMMAND_AMF_LIMITS,
      ),
    );
  });
});

const servers: IngestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function start(config: Partial<IngestConfig> = {}, recOpts?: RecorderOptions) {
  const rec = createRecorder(recOpts);
  const server = createIngestServer({ hooks: rec.hooks, config: { closeGraceMs: 300, ...config } });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, rec, port };
}

/** The onMetaData OBS sends after publish (its field names and types). */
const OBS_METADATA = new EcmaArray({
  duration: 0,
  fileSize: 0,
  width: 640,
  height: 360,
  videocodecid: 7,
  videodatarate: 2500,
  framerate: 30,
  audiocodecid: 10,
  audiodatarate: 160,
  audiosamplerate: 48000,
  audiosamplesize: 16,
  audiochannels: 2,
  stereo: true,
  '2.1': false,
  '3.1': false,
  '4.0': false,
  '4.1': false,
  '5.1': false,
  '7.1': false,
  encoder: 'obs-output module (libobs version 30.1.2)',
});

describe('RTMP ingest bounds (raw client against the ingest server)', () => {
  it('accepts the OBS sequence: chunk size, connect with every OBS field, releaseStream, FCPublish, createStream, publish, metadata', async () => {
    const { rec, port } = await start();
    const c = await RawClient.open(port);
    await c.handshake();
    c.setChunkSize(4096);
    assert.equal((await c.connect(obsConnectObject('app', port)))?.name, '_result');
    c.command(0, 'releaseStream', 2, null, 'sk_good');
    c.command(0, 'FCPublish', 3, null, 'sk_good');
    c.command(0, 'createStream', 4, null);
    assert.equal((await c.waitCommand('_result'))?.values[1], 2);
    assert.equal((await c.waitCommand('_result'))?.values[1], 3);
    assert.equal((await c.waitCommand('_result'))?.values[3], 1);
    c.command(1, 'publish', 5, null, 'sk_good', 'live');
    assert.equal((await c.waitCommand('onStatus'))?.info['code'], 'NetStream.Publish.Start');
    c.send(MSG.DATA_AMF0, 1, 0, encodeAmf0('@setDataFrame', 'onMetaData', OBS_METADATA), 4);
    c.send(MSG.VIDEO, 1, 0, AVC_SEQUENCE_HEADER, 6);
    c.send(MSG.AUDIO, 1, 0, AAC_SEQUENCE_HEADER, 4);
    c.send(MSG.VIDEO, 1, 0, avcFrame(true), 6);
    await new Promise((r) => setTimeout(r, 100));
    const session = rec.sessions[0]!;
    assert.equal(session.meta[0]?.['encoder'], 'obs-output module (libobs version 30.1.2)');
    assert.equal(session.videoUnits().length, 1);
    c.destroy();
    await session.ended;
  });

  it('refuses an oversized connect with NetConnection.Connect.Rejected, then closes; the key is never seen', async () => {
    const { rec, port } = await start();
    const c = await RawClient.open(port);
    await c.handshake();
    c.command(0, 'connect', 1, { ...obsConnectObject(), app: `app${'/'.repeat(9000)}x` });
    const reply = await c.waitCommand('_error');
    assert.equal(reply?.info['code'], 'NetConnection.Connect.Rejected');
    assert.match(String(reply?.info['description']), /exceeds the 8192-byte limit before publish/);
    await c.waitClosed(2000);
    assert.equal(rec.requests.length, 0);
    assert.ok(
      rec.logLines.some((l) => l.includes('refused: message of')),
      'the refusal is logged',
    );
  });

  it('stops reading the rest of a refused oversized message instead of draining it for the whole grace period', async () => {
    const { port } = await start({ closeGraceMs: 1500 });
    const c = await RawClient.open(port, '127.0.0.1', { allowHalfOpen: true }); // keeps sending after our FIN
    await c.handshake();
    c.setChunkSize(1 << 24);
    c.send(MSG.COMMAND_AMF0, 0, 0, rawCommand('connect', 1, obsConnectObject(), strictArrayOfNulls(8_000_000)));
    assert.equal((await c.waitCommand('_error'))?.info['code'], 'NetConnection.Connect.Rejected');
    // Push 48 MB more: read and dropped, it would all leave the client; unread, the kernels take a few MB
    // and the rest waits in the client.
    const junk = Buffer.alloc(1 << 20, 5);
    for (let i = 0; i < 48 && !c.socket.destroyed; i++) {
      c.write(junk);
      await new Promise((r) => setTimeout(r, 10));
    }
    const waiting = c.socket.writableLength;
    assert.ok(
      waiting > 16 << 20,
      `only ${(waiting / 2 ** 20).toFixed(1)} MB still waiting in the client: the server kept reading`,
    );
    await c.waitClosed(5000); // and the grace timer still ends it
  });

  it('refuses AMF0 past its limits in connect, and an oversized command after connect', async () => {
    const { port } = await start();
    const a = await RawClient.open(port);
    await a.handshake();
    a.send(MSG.COMMAND_AMF0, 0, 0, rawCommand('connect', 1, obsConnectObject(), strictArrayOfNulls(1000)));
    assert.match(String((await a.waitCommand('_error'))?.info['description']), /more than 256 values/);
    await a.waitClosed(2000);

    const b = await RawClient.open(port);
    await b.handshake();
    assert.equal((await b.connect())?.name, '_result');
    b.send(MSG.COMMAND_AMF0, 0, 0, rawCommand('createStream', 2, null, Buffer.alloc(9000, 5)));
    const status = await b.waitCommand('onStatus');
    assert.deepEqual([status?.info['level'], status?.info['code']], ['error', 'NetConnection.Connect.Rejected']);
    await b.waitClosed(2000);
  });

  it('refuses a run of small commands once the bytes before publish add up', async () => {
    const { port } = await start();
    const c = await RawClient.open(port);
    await c.handshake();
    assert.equal((await c.connect())?.name, '_result');
    for (let i = 0; i < 2000; i++) c.command(0, '_checkbw', i + 2, null, 'x'.repeat(20));
    assert.match(String((await c.waitCommand('onStatus'))?.info['description']), /together before publish/);
    await c.waitClosed(3000);
  });

  it('fails a live publish that sends a data message over 64 KiB', async () => {
    const { rec, port } = await start();
    const c = await RawClient.open(port);
    assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Start');
    c.setChunkSize(65536);
    c.send(MSG.DATA_AMF0, 1, 0, Buffer.concat([encodeAmf0('@setDataFrame', 'onMetaData'), Buffer.alloc(70_000, 5)]), 4);
    const status = await c.waitCommand('onStatus');
    assert.equal(status?.info['code'], 'NetStream.Publish.Failed');
    assert.equal(await rec.sessions[0]!.ended, 'error');
    await c.waitClosed(2000);
  });

  it('refuses a publish name that cannot be a stream key without asking the authorizer', async () => {
    const { rec, port } = await start();
    for (const name of ['k'.repeat(300), '', '?only=query']) {
      const c = await RawClient.open(port);
      assert.equal(await c.publish(name), 'NetStream.Publish.BadName', JSON.stringify(name.slice(0, 20)));
      await c.waitClosed(2000);
    }
    assert.equal(rec.requests.length, 0);
  });

  it('closes connections beyond maxSetupConnections as they open; a publishing one frees its slot', async () => {
    const { port, server } = await start({ maxSetupConnections: 2 });
    const first = await RawClient.open(port);
    assert.equal(await first.publish('sk_good'), 'NetStream.Publish.Start');
    const idle = await Promise.all([RawClient.open(port), RawClient.open(port)]);
    await new Promise((r) => setTimeout(r, 50));
    const third = await RawClient.open(port);
    await third.waitClosed(1000);
    assert.equal(server.connections(), 3);
    for (const c of [first, ...idle]) c.destroy();
  });
});
