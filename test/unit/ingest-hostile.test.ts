// Issue 10, defects 1 and 2, against a real openivs server with an honest ffmpeg publisher live on it:
// one unauthenticated RTMP message must not stall the event loop (the quadratic slash trimming of `app`)
// nor blow up memory (huge strict arrays / objects in a command, with the chunk size raised first).
// Each hostile connection must be refused (NetConnection.Connect.Rejected or closed), the server's own
// event-loop reading must show no stall over 100 ms (one that repeats when the input is replayed: see
// underAttackConfirmed), its RSS must grow by less than 64 MB, and the honest stream must keep playing.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MSG } from '../../src/media/ingest/messages.js';
import { assertStillPlaying, startHonestStream, underAttackConfirmed, type HonestStream } from '../helpers/rtmp-attack.js';
import { obsConnectObject, RawClient } from '../helpers/rtmp-client.js';
import { longString, objectOfKeys, rawCommand, strictArrayOfNulls } from '../helpers/rtmp-payloads.js';
import { useServer } from '../helpers/use-server.js';

const MAX_STALL_MS = 100;
const MAX_RSS_GROWTH = 64 * 1024 * 1024;
const CLOSE_WITHIN_MS = 5000;

describe('ingest: hostile messages before publish, honest stream live', { timeout: 240_000 }, () => {
  const { server, ivs } = useServer();
  let honest: HonestStream;

  before(async () => {
    honest = await startHonestStream(ivs, server.rtmpPort, 'hostile-honest');
  });

  /** Opens, handshakes, optionally raises the chunk size, sends one command body; returns the reply and close time. */
  async function sendCommand(body: Buffer, opts: { chunkSize?: number; connectFirst?: boolean } = {}) {
    const c = await RawClient.open(server.rtmpPort);
    await c.handshake();
    if (opts.chunkSize !== undefined) c.setChunkSize(opts.chunkSize);
    if (opts.connectFirst === true) assert.equal((await c.connect(obsConnectObject()))?.name, '_result');
    c.send(MSG.COMMAND_AMF0, 0, 0, body);
    const reply = await c.waitCommand(['_error', '_result', 'onStatus'], CLOSE_WITHIN_MS).catch(() => undefined);
    const closed = await c.waitClosed(CLOSE_WITHIN_MS).then(
      () => true,
      () => false,
    );
    c.destroy();
    return { reply, closed };
  }

  type Sent = Awaited<ReturnType<typeof sendCommand>>;

  /** No stall, bounded memory, and every hostile connection closed by the server. */
  function assertRefused(reading: { maxDelayMs: number; rssGrowthBytes: number; result: Sent | Sent[] }, what: string): void {
    const mb = (reading.rssGrowthBytes / 1024 / 1024).toFixed(1);
    const figures = `stall ${reading.maxDelayMs} ms, RSS +${mb} MB`;
    assert.ok(reading.maxDelayMs < MAX_STALL_MS, `${what}: event loop stalled (${figures})`);
    assert.ok(reading.rssGrowthBytes < MAX_RSS_GROWTH, `${what}: memory grew (${figures})`);
    for (const sent of [reading.result].flat()) {
      assert.ok(sent.closed, `${what}: the server kept the connection open (${figures})`);
      assert.notEqual(sent.reply?.name, '_result', `${what}: accepted`);
    }
  }

  it('defect 1: a connect whose app holds a long run of "/" is refused without stalling the server', async () => {
    const app = `app${'/'.repeat(200_000)}x`;
    const r = await underAttackConfirmed(
      server,
      () => sendCommand(rawCommand('connect', 1, { ...obsConnectObject(), app })),
      MAX_STALL_MS,
    );
    assertRefused(r, 'slash-run app');
    if (r.result.reply !== undefined) assert.equal(r.result.reply.info['code'], 'NetConnection.Connect.Rejected');
    await assertStillPlaying(honest);
  });

  it('defect 2: a connect holding a strict array of millions of nulls (chunk size raised) is refused, memory flat', async () => {
    const body = rawCommand('connect', 1, obsConnectObject(), strictArrayOfNulls(8_000_000));
    const r = await underAttackConfirmed(server, () => sendCommand(body, { chunkSize: 16 * 1024 * 1024 }), MAX_STALL_MS);
    assertRefused(r, 'strict array of nulls');
    assert.equal(r.result.reply?.name, '_error');
    assert.equal(r.result.reply?.info['code'], 'NetConnection.Connect.Rejected');
    await assertStillPlaying(honest);
  });

  it('defect 2: a connect whose command object has a million keys is refused, memory flat', async () => {
    const body = rawCommand('connect', 1, objectOfKeys(1_000_000));
    const r = await underAttackConfirmed(server, () => sendCommand(body, { chunkSize: 65_536 }), MAX_STALL_MS);
    assertRefused(r, 'object of a million keys');
    assert.equal(r.result.reply?.info['code'], 'NetConnection.Connect.Rejected');
    await assertStillPlaying(honest);
  });

  it('defect 2: after connect, createStream with a million-key ECMA array or a 10 MB string is refused', async () => {
    const r = await underAttackConfirmed(
      server,
      async () => [
        await sendCommand(rawCommand('createStream', 2, null, objectOfKeys(1_000_000, 0x08)), { connectFirst: true }),
        await sendCommand(rawCommand('publish', 3, null, longString(10_000_000, '/'), 'live'), {
          connectFirst: true,
          chunkSize: 1 << 20,
        }),
      ],
      MAX_STALL_MS,
    );
    assertRefused(r, 'large commands after connect');
    for (const { reply } of r.result) assert.notEqual(reply?.info['code'], 'NetStream.Publish.Start');
    await assertStillPlaying(honest);
  });

  it('ten such connections at once stay within the same bounds', async () => {
    const body = rawCommand('connect', 1, obsConnectObject(), strictArrayOfNulls(2_000_000));
    const r = await underAttackConfirmed(
      server,
      () => Promise.all(Array.from({ length: 10 }, () => sendCommand(body, { chunkSize: 4 * 1024 * 1024 }))),
      MAX_STALL_MS,
    );
    assertRefused(r, 'ten parallel connections');
    await assertStillPlaying(honest);
  });
});
