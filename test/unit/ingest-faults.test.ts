// Publisher behaviours ffmpeg cannot produce, driven by a raw RTMP client: Enhanced RTMP HEVC, stalls,
// TCP resets, kicks, hostile chunk sizes and AMF, playback attempts, media pipelined behind `publish`
// while authorization is pending, and authorizers that are slow, throw, or answer after the client left.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { encodeAmf0 } from '../../src/media/ingest/amf0-encode.js';
import { createIngestServer, type IngestConfig, type IngestServer } from '../../src/media/ingest/index.js';
import { MSG } from '../../src/media/ingest/messages.js';
import type { PublishDecision } from '../../src/media/ingest/ports.js';
import { AAC_SEQUENCE_HEADER, AVC_SEQUENCE_HEADER, avcFrame, RawClient } from '../helpers/rtmp-client.js';
import { createRecorder, RecordedSession, type Recorder, type RecorderOptions } from './fixtures/ingest/recorder.js';

const servers: IngestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const FAST: Partial<IngestConfig> = { idleTimeoutMs: 600, handshakeTimeoutMs: 600, setupTimeoutMs: 800, closeGraceMs: 300 };

async function start(config: Partial<IngestConfig> = FAST, recOpts?: RecorderOptions) {
  const rec = createRecorder(recOpts);
  const server = createIngestServer({ hooks: rec.hooks, config });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, rec, port };
}

function sendMedia(c: RawClient, frames: number): void {
  c.send(MSG.VIDEO, 1, 0, AVC_SEQUENCE_HEADER, 6);
  c.send(MSG.AUDIO, 1, 0, AAC_SEQUENCE_HEADER, 4);
  for (let i = 0; i < frames; i++) c.send(MSG.VIDEO, 1, i * 33, avcFrame(i === 0), 6);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function assertKeyNotLogged(rec: Recorder, key: string): void {
  for (const line of rec.logLines) assert.ok(!line.includes(key), line);
}

describe('RTMP ingest faults (raw client)', { concurrency: true }, () => {
  it('Enhanced RTMP HEVC → onUnsupported, Publish.Failed status, close, onEnd(error) once', async () => {
    const { rec, port } = await start();
    const c = await RawClient.open(port);
    assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Start');
    const hevc = Buffer.concat([Buffer.of(0x90), Buffer.from('hvc1'), Buffer.from('0101600000', 'hex')]);
    c.send(MSG.VIDEO, 1, 0, hevc, 6);
    const status = await c.waitCommand('onStatus');
    assert.equal(status?.info['code'], 'NetStream.Publish.Failed');
    assert.match(String(status?.info['description']), /HEVC/);
    await c.closed;
    const s = rec.sessions[0]!;
    assert.equal(await s.ended, 'error');
    assert.deepEqual(s.unsupported.length, 1);
    assert.match(s.unsupported[0]!, /HEVC \(H\.265\) \(Enhanced RTMP\) is not supported/);
    assert.equal(s.ends.length, 1);
  });

  it('a stalled publisher is closed with reason timeout', async () => {
    const { rec, port, server } = await start();
    const c = await RawClient.open(port);
    assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Start');
    sendMedia(c, 3);
    const started = performance.now();
    const s = rec.sessions[0]!;
    assert.equal(await s.ended, 'timeout');
    const waited = performance.now() - started;
    assert.ok(waited >= 500 && waited < 1500, `closed after ${waited} ms`);
    await c.closed;
    assert.equal(s.videoUnits().length, 3);
    assert.equal(server.connections(), 0);
  });

  it('a TCP reset ends the session as disconnected, exactly once', async () => {
    const { rec, port } = await start();
    const c = await RawClient.open(port);
    assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Start');
    sendMedia(c, 5);
    await sleep(50);
    c.socket.resetAndDestroy();
    const s = rec.sessions[0]!;
    assert.equal(await s.ended, 'disconnected');
    await sleep(50);
    assert.deepEqual(s.ends, ['disconnected']);
    assert.equal(s.videoUnits().length, 5);
  });

  it('PublisherHandle.disconnect kicks the publisher', async () => {
    const { rec, port, server } = await start();
    const c = await RawClient.open(port);
    assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Start');
    const s = rec.sessions[0]!;
    assert.ok(s.handle.bytesReceived > 3073);
    assert.equal(s.handle.remoteAddress, '127.0.0.1');
    s.handle.disconnect('StopStream');
    assert.equal(await s.ended, 'kicked');
    await c.closed;
    assert.equal(server.connections(), 0);
  });

  it('server.close ends live sessions (kicked) and closes every connection', async () => {
    const { rec, port, server } = await start();
    const c = await RawClient.open(port);
    assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Start');
    const idle = await RawClient.open(port);
    await server.close();
    assert.equal(await rec.sessions[0]!.ended, 'kicked');
    await Promise.all([c.closed, idle.closed]);
    assert.equal(server.connections(), 0);
  });

  it('absurd chunk sizes and malformed AMF close only the offending connection', async () => {
    const { rec, port } = await start();
    const good = await RawClient.open(port);
    assert.equal(await good.publish('sk_good'), 'NetStream.Publish.Start');
    const hostile = async (payloadType: number, payload: Buffer): Promise<number> => {
      const c = await RawClient.open(port);
      await c.handshake();
      c.send(payloadType, 0, 0, payload, 2);
      return c.closed;
    };
    const times = await Promise.all([
      hostile(MSG.SET_CHUNK_SIZE, Buffer.from('7fffffff', 'hex')),
      hostile(MSG.SET_CHUNK_SIZE, Buffer.from('00000000', 'hex')),
      hostile(MSG.COMMAND_AMF0, Buffer.from('0200077075626c697368420102', 'hex')),
      hostile(MSG.COMMAND_AMF0, encodeAmf0('publish', 1, null, 'sk_good')), // publish before connect
    ]);
    for (const ms of times) assert.ok(ms < 500, `closed after ${ms} ms`);
    sendMedia(good, 4);
    await sleep(100);
    assert.equal(rec.sessions[0]!.videoUnits().length, 4, 'the good publisher is unaffected');
    good.socket.end();
    assert.equal(await rec.sessions[0]!.ended, 'disconnected');
  });

  it('closes a connection that keeps talking but never publishes, setupTimeoutMs after it opened', async () => {
    const { port, rec } = await start();
    const c = await RawClient.open(port);
    await c.handshake();
    c.command(0, 'connect', 1, { app: 'app' });
    const keepAlive = setInterval(() => c.command(0, 'createStream', 2, null), 100); // busy, but no publish
    const ms = await c.closed;
    clearInterval(keepAlive);
    // The deadline runs from the server's accept, a little before the client sees its connect: the log
    // says which timer closed it, the upper bound that activity did not extend it.
    assert.ok(
      rec.logLines.some((l) => l.includes('no publish command within 800 ms')),
      'closed by the setup deadline',
    );
    assert.ok(ms < 1500, `closed after ${ms} ms`);
    assert.equal(rec.requests.length, 0);
  });

  it('refuses playback and unknown applications', async () => {
    const { port, rec } = await start();
    const player = await RawClient.open(port);
    await player.handshake();
    player.command(0, 'connect', 1, { app: 'app' });
    await player.waitCommand('_result');
    player.command(1, 'play', 2, null, 'sk_good');
    assert.equal((await player.waitCommand('onStatus'))?.info['code'], 'NetStream.Play.Failed');
    await player.closed;
    const other = await RawClient.open(port);
    assert.equal(await other.publish('sk_good', 'live'), '');
    assert.equal(rec.requests.length, 0);
  });

  it('strips a ?query from the publish name and never logs the key', async () => {
    const key = 'sk_us-west-2_abcdEFGH1234_SECRETsecretSECRETsecret12';
    const { rec, port } = await start(FAST, { goodKeys: [key] });
    const c = await RawClient.open(port);
    assert.equal(await c.publish(`${key}?token=abc&x=1`), 'NetStream.Publish.Start');
    assert.equal(rec.requests[0]!.streamKey, key);
    c.command(1, 'FCUnpublish', 4, null, key);
    c.command(1, 'deleteStream', 5, null, 1);
    assert.equal(await rec.sessions[0]!.ended, 'unpublished');
    c.socket.end();
    await c.closed;
    assert.deepEqual(rec.sessions[0]!.ends, ['unpublished']);
    assertKeyNotLogged(rec, 'SECRETsecret');
    assert.ok(
      rec.logLines.some((l) => l.includes('sk_us-west-2_abcdEFGH1234_…')),
      'the key id prefix is logged',
    );
  });

  it('holds media pipelined behind publish until authorization, then delivers it', async () => {
    const { rec, port } = await start(FAST, { authorizeDelayMs: 200 });
    const c = await RawClient.open(port);
    await c.handshake();
    c.command(0, 'connect', 1, { app: 'app' });
    c.command(0, 'createStream', 2, null);
    c.command(1, 'publish', 3, null, 'sk_good', 'live');
    sendMedia(c, 10);
    await sleep(100);
    assert.equal(rec.sessions.length, 0, 'still authorizing');
    const s = await rec.nextSession();
    await sleep(100);
    assert.equal(s.videoUnits().length, 10);
    assert.equal(s.video.length, 1);
    c.socket.end();
    await s.ended;
  });

  it('refusal with pipelined media delivers nothing and closes', async () => {
    const { rec, port } = await start(FAST, { authorizeDelayMs: 50 });
    const c = await RawClient.open(port);
    await c.handshake();
    c.command(0, 'connect', 1, { app: 'app' });
    c.command(1, 'publish', 3, null, 'sk_bad', 'live');
    sendMedia(c, 10);
    const status = await c.waitCommand('onStatus');
    assert.deepEqual([status?.info['level'], status?.info['code']], ['error', 'NetStream.Publish.BadName']);
    await c.closed;
    assert.equal(rec.sessions.length, 0);
  });

  it('ends a session accepted after the client already left', async () => {
    const { rec, port } = await start(FAST, { authorizeDelayMs: 200 });
    const c = await RawClient.open(port);
    await c.handshake();
    c.command(0, 'connect', 1, { app: 'app' });
    c.command(1, 'publish', 3, null, 'sk_good', 'live');
    await sleep(50);
    c.socket.destroy();
    const s = await rec.nextSession();
    assert.equal(await s.ended, 'disconnected');
    await sleep(20);
    assert.equal(s.ends.length, 1);
  });

  it('treats a throwing or slow authorizer as Denied (a late acceptance is ended)', async () => {
    let late: RecordedSession | undefined;
    for (const mode of ['throw', 'slow'] as const) {
      const rec = createRecorder();
      rec.hooks.authorize = async (req, handle): Promise<PublishDecision> => {
        if (mode === 'throw') throw new Error('database down');
        await sleep(400);
        late = new RecordedSession(req, handle);
        return { ok: true, session: late };
      };
      const server = createIngestServer({ hooks: rec.hooks, config: { ...FAST, authorizeTimeoutMs: 150 } });
      servers.push(server);
      const { port } = await server.listen(0, '127.0.0.1');
      const c = await RawClient.open(port);
      assert.equal(await c.publish('sk_good'), 'NetStream.Publish.Denied', mode);
      await c.closed;
    }
    await sleep(400);
    assert.deepEqual(late?.ends, ['timeout']);
  });
});
