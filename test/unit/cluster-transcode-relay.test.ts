// The transcode relay between nodes, over a real HTTP server and real sockets, with `sh -c 'cat >&3'` standing in
// for ffmpeg (it copies its stdin to its first output pipe): bytes written to the relay's stdin come back framed on
// output 0 and its exit closes the relay with the child's code; the slot is held while the relay runs and given
// back at its end, and when the accepting side kills it. Refused before any body: a wrong secret, a reservation
// used twice, one made for another node, an unacceptable spec. Reservations expire unused. Pure parts: frames
// (split anywhere, oversized refused) and the spec check (a real ladder passes; anything that could reach
// ffmpeg's command line otherwise is refused). Placement over the real node API: most free slots first, the next
// peer when one refuses, never the asking node.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ReplayGuard, signClusterRequest, verifyClusterRequest } from '../../src/cluster/auth.js';
import { handleNodeApi, type LocalNode } from '../../src/cluster/node-api.js';
import type { NodeView } from '../../src/cluster/node-registry.js';
import { PeerClient } from '../../src/cluster/peer-client.js';
import { TranscodePlacement } from '../../src/cluster/transcode-placement.js';
import { encodeFrame, encodeFrames, FrameReader, MAX_FRAME } from '../../src/cluster/relay-frames.js';
import { RemoteFfmpeg } from '../../src/cluster/remote-ffmpeg.js';
import { RELAY_PATH, TranscodeHost, type HostedFfmpeg } from '../../src/cluster/transcode-host.js';
import { TranscodeReservations } from '../../src/cluster/transcode-reservations.js';
import { ladderFor } from '../../src/media/transcode/ladder.js';
import { parseRelaySpec, relayArgs } from '../../src/media/transcode/relay-spec.js';

const SECRET = 'relay-unit-secret-0123456789abcdef0123';
const log = pino({ level: 'silent' });
const ladder = ladderFor({ width: 854, height: 480, frameRate: 30 });
const options = { x264Preset: 'veryfast' as const, sourceFrameRate: 30 };
const spec = { ladder, options };

class Slots {
  used = 0;
  constructor(private readonly max: number) {}
  reserve(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
  release(): void {
    this.used--;
  }
}

function cat(): HostedFfmpeg {
  const child = spawn('sh', ['-c', 'cat >&3'], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  return { child, stdin: child.stdin!, stderr: child.stderr!, outputs: [child.stdio[3] as Readable] };
}

async function closed(relay: RemoteFfmpeg): Promise<number | null> {
  const [code] = (await once(relay, 'close')) as [number | null];
  return code;
}

describe('cluster transcode relay', () => {
  const slots = new Slots(2);
  const reservations = new TranscodeReservations(slots);
  let server: Server;
  let nodeUrl: string;

  before(async () => {
    const host = new TranscodeHost({
      secret: SECRET,
      replay: new ReplayGuard(),
      reservations,
      slots,
      log,
      spawn: (value) => (parseRelaySpec(value) ? cat() : undefined),
    });
    server = createServer((_req, res) => res.end());
    server.on('upgrade', (req, socket, head) => host.upgrade(req, socket, head));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    nodeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const relayTo = (reservation: string, opts: { secret?: string; node?: string; spec?: unknown } = {}) =>
    new RemoteFfmpeg({
      secret: opts.secret ?? SECRET,
      selfNodeId: opts.node ?? 'node-a',
      target: () => Promise.resolve({ nodeId: 'node-b', nodeUrl, reservation }),
      spec: opts.spec ?? spec,
      outputs: 1,
      log,
    });

  it('carries the input to the child and its output back; the child’s exit ends the relay and frees the slot', async () => {
    const id = reservations.reserve('node-a')!;
    assert.equal(slots.used, 1);
    const relay = relayTo(id);
    const received: Buffer[] = [];
    relay.outputs[0]!.on('data', (c: Buffer) => received.push(c));
    const input = Buffer.alloc(3 * MAX_FRAME + 17, 7); // several frames
    relay.stdin.write(input.subarray(0, 1000));
    relay.stdin.end(input.subarray(1000));
    assert.equal(await closed(relay), 0, 'cat exits 0 at the end of its input');
    assert.deepEqual(Buffer.concat(received), input);
    assert.equal(slots.used, 0, 'the slot is back');
  });

  it('a relay killed by the accepting node frees the slot on the transcoding node', async () => {
    const id = reservations.reserve('node-a')!;
    const relay = relayTo(id);
    relay.stdin.write(Buffer.from('x'));
    await once(relay.outputs[0]!, 'data');
    assert.equal(slots.used, 1);
    relay.kill();
    assert.equal(await closed(relay), null);
    for (let i = 0; i < 100 && slots.used > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(slots.used, 0, 'the host saw the connection close, killed its child and released the slot');
  });

  it('refuses a wrong secret, a reservation used twice or made for another node, and an unacceptable spec', async () => {
    const id = reservations.reserve('node-a')!;
    assert.equal(await closed(relayTo(id, { secret: 'another-secret-0123456789abcdef0123' })), 1);
    assert.equal(await closed(relayTo(id, { node: 'node-c' })), 1, 'bound to the node that reserved it');
    assert.equal(slots.used, 1, 'refused attempts leave the reservation alone');
    const bad = relayTo(id, { spec: { ladder: [{ ...ladder[0], name: '360p30 -y /tmp/x' }], options } });
    assert.equal(await closed(bad), 1);
    assert.equal(slots.used, 0, 'a refused spec gives the consumed slot back');
    assert.equal(await closed(relayTo(id)), 1, 'single use');
  });

  it('reservations are bound to their node, single-use, and expire unused', async () => {
    const local = new Slots(1);
    const short = new TranscodeReservations(local, 30);
    const id = short.reserve('n1')!;
    assert.equal(short.reserve('n2'), undefined, 'no slot left');
    assert.equal(short.release(id, 'n2'), false);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(local.used, 0, 'expired');
    assert.equal(short.consume(id, 'n1'), false);
  });

  it('a streaming signature is good for the unsigned-body form only', () => {
    const req = { method: 'POST', path: `${RELAY_PATH}abc?node=n` };
    const header = signClusterRequest(SECRET, { ...req, unsignedBody: true });
    assert.deepEqual(verifyClusterRequest(SECRET, req, header, new ReplayGuard()), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(verifyClusterRequest(SECRET, { ...req, unsignedBody: true }, header, new ReplayGuard()), { ok: true });
  });

  it('placement asks the peer with the most free slots first, the next when it refuses, never itself', async () => {
    // Two peers behind the real node API, one slot each: "many" advertises 3 free slots (its heartbeat is old),
    // "one" advertises 1. The asking node itself advertises 5.
    const peers = await Promise.all(
      [1, 1].map(async (max) => {
        const own = new Slots(max);
        const peerReservations = new TranscodeReservations(own);
        const srv = createServer((req, res) => {
          const [path = '', query = ''] = (req.url ?? '').split('?');
          void handleNodeApi(
            { secret: SECRET, replay: new ReplayGuard(), local: {} as LocalNode, transcode: peerReservations },
            req,
            res,
            path,
            query,
          );
        });
        srv.listen(0, '127.0.0.1');
        await once(srv, 'listening');
        return { own, srv, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
      }),
    );
    const view = (nodeId: string, url: string, free: number): NodeView =>
      ({ nodeId, url, alive: true, freeTranscodeSlots: free }) as NodeView;
    const client = new PeerClient(SECRET);
    const placement = new TranscodePlacement({
      secret: SECRET,
      nodeId: 'self',
      peers: client,
      log,
      aliveNodes: () =>
        Promise.resolve([view('self', 'http://127.0.0.1:9', 5), view('one', peers[1]!.url, 1), view('many', peers[0]!.url, 3)]),
    });
    try {
      const first = await placement.reserve();
      assert.equal(first?.nodeId, 'many', 'the most free slots first');
      const second = await placement.reserve();
      assert.equal(second?.nodeId, 'one', '"many" refused (its last slot is taken): the next peer');
      assert.equal(await placement.reserve(), undefined, 'no peer has a slot left');
      placement.release(second);
      for (let i = 0; i < 100 && peers[1]!.own.used > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(peers[1]!.own.used, 0, 'an unused reservation given back');
      assert.equal(peers[0]!.own.used, 1);
    } finally {
      client.close();
      for (const p of peers) p.srv.close();
    }
  });

  it('frames survive any split; an oversized frame is refused', () => {
    const frames = [encodeFrame(0, Buffer.from('hello')), ...encodeFrames(1, Buffer.alloc(MAX_FRAME + 5, 1))];
    const all = Buffer.concat(frames);
    const got: Array<[number, number]> = [];
    const reader = new FrameReader((channel, payload) => got.push([channel, payload.length]));
    for (let at = 0; at < all.length; at += 7777) reader.push(all.subarray(at, at + 7777));
    assert.deepEqual(got, [
      [0, 5],
      [1, MAX_FRAME],
      [1, 5],
    ]);
    const huge = Buffer.alloc(5);
    huge.writeUInt32BE(MAX_FRAME + 1, 1);
    assert.throws(() => new FrameReader(() => undefined).push(huge));
  });

  it('the spec check passes a real ladder and refuses what could reach the command line', () => {
    const parsed = parseRelaySpec(JSON.parse(JSON.stringify(spec)));
    assert.ok(parsed);
    assert.deepEqual(parsed.ladder, ladder);
    assert.ok(relayArgs(parsed).includes('pipe:4'), 'two outputs');
    const refused = [
      { ladder: [], options },
      { ladder, options: { ...options, x264Preset: 'placebo' } },
      { ladder, options: { ...options, logLevel: 'debug -y' } },
      { ladder: [{ ...ladder[0], width: '640; rm' }], options },
      { ladder: [{ ...ladder[0], profile: 'baseline' }], options },
      'not an object',
    ];
    for (const value of refused) assert.equal(parseRelaySpec(value), undefined, JSON.stringify(value));
    const audioOnly = { name: 'audio_only', audioOnly: true, audioBitrate: 64_000 };
    const withAudio = parseRelaySpec({ ladder: [...ladder, audioOnly], options });
    assert.equal(withAudio?.ladder.at(-1)?.audioOnly, true, 'the audio-only rendition passes');
    assert.ok(withAudio && relayArgs(withAudio).includes('-vn'));
    for (const bad of [
      { ...audioOnly, name: '160p30' },
      { ...audioOnly, audioBitrate: '64k -y' },
    ]) {
      assert.equal(parseRelaySpec({ ladder: [bad], options }), undefined, JSON.stringify(bad));
    }
    const extra = parseRelaySpec({ ladder, options: { ...options, ffmpegPath: '/bin/sh' } });
    assert.ok(extra && !('ffmpegPath' in extra.options), 'unknown fields are dropped');
  });
});
