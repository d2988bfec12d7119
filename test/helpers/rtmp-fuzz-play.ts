// Plays fuzz input against an RTMP port with the raw client: generated sessions (rtmp-fuzz.ts) and
// oversized messages — one message per case announcing more than the bound for its type and phase,
// filled with the shapes of issue 10's defects (millions of nulls, a million keys, a run of slashes in
// `app`) or plain bytes, sent after the chunk size was raised so it can travel in one chunk.

import fc from 'fast-check';
import { obsConnectObject, RawClient } from './rtmp-client.js';
import { encodeSteps, type Session } from './rtmp-fuzz.js';
import { longString, objectOfKeys, rawCommand, strictArrayOfNulls } from './rtmp-payloads.js';

/**
 * Plays a session: the handshake variant, the prelude (waiting for its answers), then every step's bytes
 * at once. Returns the client, still open unless the server closed it.
 */
export async function playSession(port: number, s: Session, publishKey = 'sk_good'): Promise<RawClient> {
  const c = await RawClient.open(port);
  try {
    if (s.handshake === 'valid') await c.handshake();
    else if (s.handshake === 'version') c.write(Buffer.concat([Buffer.of(6), Buffer.alloc(1536, 1)]));
    else if (s.handshake === 'truncated') c.write(Buffer.concat([Buffer.of(3), Buffer.alloc(700, 2)]));
    if (s.handshake === 'valid' && s.prelude !== 'none') {
      c.command(0, 'connect', 1, obsConnectObject('app', port));
      await c.waitCommand(['_result', '_error'], 3000);
      if (s.prelude !== 'connect') {
        c.command(0, 'createStream', 2, null);
        await c.waitCommand(['_result', '_error'], 3000);
      }
      if (s.prelude === 'publish' || s.prelude === 'publishWrongKey') {
        c.command(1, 'publish', 3, null, s.prelude === 'publish' ? publishKey : 'sk_wrong', 'live');
        await c.waitCommand('onStatus', 3000);
      }
    }
  } catch {
    // the server may close a session at any point of its prelude: that is an answer too
  }
  c.write(encodeSteps(s.steps, s.handshake === 'valid' && s.prelude !== 'none' ? [3] : []));
  return c;
}

export interface OversizedCase {
  /** Where the connection is when the message comes: right after the handshake, after connect, or publishing. */
  prelude: 'handshake' | 'connect' | 'publish';
  type: number;
  fill: 'nulls' | 'keys' | 'slashes' | 'bytes';
  size: number;
  /** Set Chunk Size sent first (the attack raises it so one chunk carries everything). */
  chunkSize: number;
  csid: number;
}

/** One byte over the bounds once publishing (commands 16 KiB, data 64 KiB); before publish everything is 8 KiB. */
const LIVE_BOUND: Record<number, number> = { 20: 16_385, 17: 16_385, 18: 65_537, 15: 65_537 };
const MAX_LENGTH = 0xffffff; // a chunk header's 24-bit message length

export const oversizedCaseArb: fc.Arbitrary<OversizedCase> = fc
  .record({
    prelude: fc.constantFrom<OversizedCase['prelude']>('handshake', 'connect', 'publish'),
    type: fc.constantFrom(20, 20, 17, 18, 15, 4, 8, 9, 22, 42),
    fill: fc.constantFrom<OversizedCase['fill']>('nulls', 'keys', 'slashes', 'bytes'),
    size: fc.oneof(fc.constantFrom(8193, 16_385, 65_537, MAX_LENGTH), fc.integer({ min: 8193, max: 4_000_000 })),
    chunkSize: fc.constantFrom(128, 4096, 65_536, 1 << 24),
    csid: fc.constantFrom(3, 4, 6, 64, 320, 65599),
  })
  .filter((c) => !(c.prelude === 'publish' && [8, 9, 22].includes(c.type))) // large media is what publishing is for
  .map((c) => ({ ...c, size: Math.min(MAX_LENGTH, Math.max(c.size, c.prelude === 'publish' ? (LIVE_BOUND[c.type] ?? 0) : 0)) }));

const isAmf = (type: number): boolean => type === 20 || type === 17 || type === 18 || type === 15;

/** The body of an oversized case, at least `size` bytes and at most what a chunk header can announce. */
export function oversizedBody(c: OversizedCase): Buffer {
  const name = c.type === 18 || c.type === 15 ? '@setDataFrame' : c.prelude === 'handshake' ? 'connect' : 'createStream';
  const room = Math.max(16, c.size - 64);
  let value: Buffer;
  if (c.fill === 'nulls') value = strictArrayOfNulls(room - 5);
  else if (c.fill === 'keys') value = objectOfKeys(Math.min(1_000_000, Math.floor(room / 11)));
  else if (c.fill === 'slashes') {
    const app = longString(room - 16, '/');
    app[5] = 0x61; // 'a' … '/' × n … 'b': the shape the quadratic trimming choked on
    app[app.length - 1] = 0x62;
    value = Buffer.concat([Buffer.of(0x03, 0x00, 0x03), Buffer.from('app'), app, Buffer.of(0, 0, 9)]); // { app: … }
  } else value = Buffer.alloc(room, 0x41);
  let body = isAmf(c.type) ? rawCommand(name, 1, value) : value;
  if (c.type === 17 || c.type === 15) body = Buffer.concat([Buffer.of(0), body]); // AMF3 types: format byte first
  // Trailing nulls (more arguments) bring it to the announced size.
  if (body.length < c.size) body = Buffer.concat([body, Buffer.alloc(c.size - body.length, 0x05)]);
  return body.length > MAX_LENGTH ? body.subarray(0, MAX_LENGTH) : body;
}

/** Plays an oversized case; returns the client (closed by the server, if it refused in time). */
export async function playOversized(port: number, c: OversizedCase, publishKey: string): Promise<RawClient> {
  const client = await RawClient.open(port);
  try {
    await client.handshake();
    if (c.prelude !== 'handshake') {
      await client.connect(obsConnectObject('app', port));
      if (c.prelude === 'publish') {
        client.command(0, 'createStream', 2, null);
        await client.waitCommand('_result', 3000);
        client.command(1, 'publish', 3, null, publishKey, 'live');
        await client.waitCommand('onStatus', 3000);
      }
    }
  } catch {
    // refused during the prelude: the oversized message then meets a closed socket, which is fine
  }
  client.setChunkSize(c.chunkSize);
  client.send(c.type, c.prelude === 'publish' ? 1 : 0, 0, oversizedBody(c), c.csid);
  return client;
}

export function describeOversized(c: OversizedCase): string {
  return `${c.fill} in type ${c.type} of ${c.size} bytes after ${c.prelude}, chunk size ${c.chunkSize}, csid ${c.csid}`;
}
