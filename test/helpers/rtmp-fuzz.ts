// fast-check generators for the RTMP fuzzers, producing bytes as a hostile client would write them:
// AMF0 values with every type marker (reference, date, long string, XML, ECMA array, typed object, AMF3
// switch, unknown markers) and with lying counts and lengths; command bodies; chunk headers of every
// format with extended timestamps, 1-, 2- and 3-byte chunk stream ids; Set Chunk Size / Abort / Ack /
// Window / User Control messages; mutated handshakes; oversized and truncated messages; random bytes.
// Sessions are lists of such steps after a (possibly mutated) handshake; rtmp-fuzz-play.ts plays them.

import fc from 'fast-check';

// ------------------------------------------------------------------------------------------------
// Byte helpers

const u8 = (n: number): Buffer => Buffer.of(n & 0xff);
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff, 0);
  return b;
}
function u24(n: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n & 0xffffff, 0, 3);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}
function f64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n, 0);
  return b;
}
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const shortStr = (s: Buffer): Buffer => Buffer.concat([u16(s.length), s]);

/** A length or count: mostly the true one, sometimes a lie (0, off by one, huge). */
function lying(actual: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(actual) },
    { weight: 1, arbitrary: fc.constantFrom(0, actual + 1, Math.max(0, actual - 1), 0xffff, 0xffffffff) },
    { weight: 1, arbitrary: fc.nat() },
  );
}

const smallBytes = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a));
const keyText = fc.oneof(
  fc.constantFrom('app', 'tcUrl', 'flashVer', 'type', 'fpad', 'capabilities', '__proto__', 'constructor', '', 'k'),
  fc.string({ maxLength: 12 }),
);
const textValue = fc.oneof(
  fc.constantFrom(
    'app',
    'app/',
    '/app//',
    'app?x=1',
    'live',
    'sk_us-west-2_abcd_efgh',
    'sk_good',
    'sk_good?x=1',
    'nonprivate',
    '',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.nat({ max: 3000 }).map((n) => `a${'/'.repeat(n)}b`),
);

// ------------------------------------------------------------------------------------------------
// AMF0

const number = fc.double().map((d) => Buffer.concat([u8(0x00), f64(d)]));
const boolean = fc.nat({ max: 255 }).map((b) => Buffer.of(0x01, b));
const shortString = textValue.chain((s) => {
  const bytes = utf8(s).subarray(0, 0xffff);
  return lying(bytes.length).map((len) => Buffer.concat([u8(0x02), u16(len), bytes]));
});
const longString = fc
  .oneof(
    textValue.map(utf8),
    fc.nat({ max: 70_000 }).map((n) => Buffer.alloc(n, 0x61)),
  )
  .chain((bytes) => lying(bytes.length).map((len) => Buffer.concat([u8(0x0c), u32(len), bytes])));
const xml = textValue.map((s) => Buffer.concat([u8(0x0f), u32(utf8(s).length), utf8(s)]));
const date = fc
  .tuple(fc.double(), fc.integer({ min: -0x8000, max: 0x7fff }))
  .map(([ms, tz]) => Buffer.concat([u8(0x0b), f64(ms), u16(tz)]));
const scalarMarker = fc.constantFrom(0x04, 0x05, 0x06, 0x09, 0x0d, 0x0e).map((m) => Buffer.of(m));
const reference = fc.nat({ max: 0xffff }).map((n) => Buffer.concat([u8(0x07), u16(n)]));
const amf3Switch = smallBytes.map((b) => Buffer.concat([u8(0x11), b]));
const unknownMarker = fc.tuple(fc.integer({ min: 0x12, max: 0xff }), smallBytes).map(([m, b]) => Buffer.concat([u8(m), b]));
const END = Buffer.of(0, 0, 0x09);

/** Huge-but-cheap containers: what defect 2 was made of, at sizes a fuzz run can afford. */
export const oversizedAmf: fc.Arbitrary<Buffer> = fc.oneof(
  fc.integer({ min: 1000, max: 200_000 }).map((n) => {
    const b = Buffer.alloc(5 + n, 0x05);
    b[0] = 0x0a;
    b.writeUInt32BE(n, 1);
    return b;
  }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => {
    const parts: Buffer[] = [u8(0x03)];
    for (let i = 0; i < n; i++) parts.push(shortStr(utf8(`k${i}`)), u8(0x05));
    parts.push(END);
    return Buffer.concat(parts);
  }),
  fc.integer({ min: 40, max: 5000 }).map((depth) => Buffer.concat([Buffer.alloc(depth, 0x03), u8(0x05)])),
);

export const amf0Value: fc.Arbitrary<Buffer> = fc.letrec<{ value: Buffer; prop: Buffer }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    number,
    boolean,
    shortString,
    scalarMarker,
    date,
    reference,
    longString,
    xml,
    amf3Switch,
    unknownMarker,
    fc
      .tuple(fc.array(tie('prop'), { maxLength: 6 }), fc.boolean())
      .map(([props, end]) => Buffer.concat([u8(0x03), ...props, end ? END : Buffer.alloc(0)])),
    fc
      .tuple(fc.array(tie('prop'), { maxLength: 6 }), fc.boolean(), fc.nat())
      .chain(([props, end, hint]) =>
        lying(props.length).map((count) =>
          Buffer.concat([u8(0x08), u32(count === props.length ? hint : count), ...props, end ? END : Buffer.alloc(0)]),
        ),
      ),
    fc
      .array(tie('value'), { maxLength: 6 })
      .chain((items) => lying(items.length).map((count) => Buffer.concat([u8(0x0a), u32(count), ...items]))),
    fc
      .tuple(keyText, fc.array(tie('prop'), { maxLength: 4 }))
      .map(([cls, props]) => Buffer.concat([u8(0x10), shortStr(utf8(cls)), ...props, END])),
  ),
  prop: fc.tuple(keyText, tie('value')).map(([k, v]) => Buffer.concat([shortStr(utf8(k)), v])),
})).value;

/** Byte-level damage: flip, drop, insert, truncate. */
export function mutated(base: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(base, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 3 })), { maxLength: 4 }))
    .map(([buf, edits]) => {
      let out = Buffer.from(buf);
      for (const [at, byte, op] of edits) {
        if (out.length === 0) break;
        const i = at % out.length;
        if (op === 0) out[i] = byte;
        else if (op === 1) out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
        else if (op === 2) out = Buffer.concat([out.subarray(0, i), u8(byte), out.subarray(i)]);
        else out = out.subarray(0, i);
      }
      return out;
    });
}

const commandName = fc.oneof(
  fc.constantFrom(
    'connect',
    'releaseStream',
    'FCPublish',
    'createStream',
    'publish',
    'play',
    'play2',
    'deleteStream',
    'FCUnpublish',
    'closeStream',
    'getStreamLength',
    '_checkbw',
    '_result',
    'onStatus',
    '@setDataFrame',
  ),
  fc.string({ maxLength: 20 }),
);

/** An AMF0 command body: a name, a transaction id, then arguments (well-formed or not). */
export const commandBody: fc.Arbitrary<Buffer> = fc
  .tuple(
    commandName,
    fc.double(),
    fc.array(fc.oneof({ weight: 8, arbitrary: amf0Value }, { weight: 1, arbitrary: oversizedAmf }), { maxLength: 4 }),
  )
  .map(([name, txn, args]) => Buffer.concat([u8(0x02), shortStr(utf8(name)), u8(0x00), f64(txn), ...args]));

// ------------------------------------------------------------------------------------------------
// Chunk stream

/** Mostly the chunk streams encoders use (so fmt 1–3 headers find a previous header), sometimes any. */
export const csidArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(3, 4, 5, 6, 8) },
  { weight: 2, arbitrary: fc.constantFrom(2, 63, 64, 65, 319, 320, 321, 65599) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 65599 }) },
);

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid < 64) return u8((fmt << 6) | csid);
  if (csid < 320) return Buffer.of(fmt << 6, csid - 64);
  const b = Buffer.of((fmt << 6) | 1, 0, 0);
  b.writeUInt16LE(csid - 64, 1);
  return b;
}

export interface Framed {
  fmt: 0 | 1 | 2 | 3;
  csid: number;
  type: number;
  streamId: number;
  timestamp: number;
  /** The length written in the header; a lie when it differs from the payload's. */
  length: number;
  payload: Buffer;
  /** The chunk size to cut at; 0 in a session step means the one the client last announced. */
  chunkSize: number;
  /** In a session step with fmt 1–3: move to a chunk stream that already had a header, if this one had none. */
  reuse?: boolean;
}

/** One message as chunks: the first with header format `fmt`, continuations as fmt 3 at `chunkSize`. */
export function frame(m: Framed): Buffer {
  const extended = m.timestamp >= 0xffffff;
  const ts = extended ? u24(0xffffff) : u24(m.timestamp);
  const ext = extended ? u32(m.timestamp) : Buffer.alloc(0);
  const streamId = Buffer.alloc(4);
  streamId.writeUInt32LE(m.streamId >>> 0, 0);
  const header = [
    Buffer.concat([ts, u24(m.length), u8(m.type), streamId]),
    Buffer.concat([ts, u24(m.length), u8(m.type)]),
    ts,
    Buffer.alloc(0),
  ][m.fmt]!;
  const parts = [basicHeader(m.fmt, m.csid), header, ext];
  const size = Math.max(1, m.chunkSize);
  for (let off = 0; off < m.payload.length || off === 0; off += size) {
    if (off > 0) parts.push(basicHeader(3, m.csid), ext);
    parts.push(m.payload.subarray(off, off + size));
    if (m.payload.length === 0) break;
  }
  return Buffer.concat(parts);
}

const MSG_TYPES = [1, 2, 3, 4, 5, 6, 8, 9, 15, 16, 17, 18, 19, 20, 22];
/** Media types weigh most: they reach the deepest code once a session publishes. */
export const messageType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(8, 9, 9, 18, 20, 22) },
  { weight: 3, arbitrary: fc.constantFrom(...MSG_TYPES) },
  { weight: 1, arbitrary: fc.nat({ max: 255 }) },
);
export const timestampArb = timestampArbLazy();
function timestampArbLazy(): fc.Arbitrary<number> {
  return fc.oneof(fc.nat({ max: 100_000 }), fc.constantFrom(0xfffffe, 0xffffff, 0x1000000, 0xffffffff), fc.nat());
}

const controlPayload = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(1, 2, 3, 5),
      fc.oneof(fc.constantFrom(0, 1, 128, 4096, 65536, 0xffffff, 0x1000000, 0x7fffffff, 0xffffffff), fc.nat()),
    )
    .map(([type, v]) => ({ type, payload: u32(v) })),
  fc
    .tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 255 }))
    .map(([w, l]) => ({ type: 6, payload: Buffer.concat([u32(w), u8(l)]) })),
  fc
    .tuple(fc.nat({ max: 10 }), fc.nat(), fc.nat())
    .map(([ev, a, b]) => ({ type: 4, payload: Buffer.concat([u16(ev), u32(a), u32(b)]) })),
  fc.tuple(fc.constantFrom(1, 2, 3, 4, 5, 6), smallBytes).map(([type, payload]) => ({ type, payload })),
);

export type Step = { kind: 'chunkSize'; size: number } | { kind: 'message'; framed: Framed } | { kind: 'raw'; bytes: Buffer };

// FLV tag bodies: real-looking H.264/AAC configurations and frames, Enhanced RTMP headers, other codecs.
const SPS = Buffer.from('6764001eacd940a02ff970110000030001000003003c0f162d96', 'hex');
const AVC_CONFIG = Buffer.concat([
  Buffer.from('1700000000' + '0164001effe1', 'hex'),
  u16(SPS.length),
  SPS,
  Buffer.from('01000468ef8fcb', 'hex'),
]);
const videoBody = fc.oneof(
  { weight: 3, arbitrary: mutated(fc.constant(AVC_CONFIG)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(0x17, 0x27), fc.integer({ min: -0x800000, max: 0x7fffff }), smallBytes)
      .map(([b0, cts, nal]) => {
        const h = Buffer.from([b0, 1, 0, 0, 0]);
        h.writeIntBE(cts, 2, 3);
        return Buffer.concat([h, u32(nal.length), nal]);
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom('avc1', 'hvc1', 'av01', 'vp09', 'zzzz'), smallBytes)
      .map(([b0, fourcc, rest]) => Buffer.concat([u8(b0), Buffer.from(fourcc), rest])),
  },
  { weight: 1, arbitrary: fc.tuple(fc.nat({ max: 255 }), smallBytes).map(([b0, rest]) => Buffer.concat([u8(b0), rest])) },
);
const audioBody = fc.oneof(
  { weight: 3, arbitrary: mutated(fc.constant(Buffer.from('af001190', 'hex'))) },
  { weight: 3, arbitrary: smallBytes.map((d) => Buffer.concat([Buffer.of(0xaf, 1), d])) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('mp4a', 'Opus', '.mp3', 'fLaC'), fc.nat({ max: 15 }), smallBytes)
      .map(([fourcc, pt, rest]) => Buffer.concat([u8(0x90 | pt), Buffer.from(fourcc), rest])),
  },
  { weight: 1, arbitrary: fc.tuple(fc.nat({ max: 255 }), smallBytes).map(([b0, rest]) => Buffer.concat([u8(b0), rest])) },
);
const metadataBody = fc
  .array(fc.tuple(keyText, amf0Value), { maxLength: 8 })
  .map((props) =>
    Buffer.concat([
      u8(0x02),
      shortStr(utf8('@setDataFrame')),
      u8(0x02),
      shortStr(utf8('onMetaData')),
      u8(0x08),
      u32(props.length),
      ...props.map(([k, v]) => Buffer.concat([shortStr(utf8(k)), v])),
      END,
    ]),
  );
/** An aggregate message: FLV tags (11-byte header, body, back pointer) with possibly lying sizes. */
const aggregateBody = fc
  .array(fc.tuple(fc.constantFrom(8, 9, 18, 22, 0), fc.oneof(videoBody, audioBody), timestampArbLazy()), { maxLength: 5 })
  .chain((tags) =>
    mutated(
      fc.constant(
        Buffer.concat(
          tags.map(([type, body, ts]) =>
            Buffer.concat([u8(type), u24(body.length), u24(ts), u8(ts >>> 24), u24(0), body, u32(11 + body.length)]),
          ),
        ),
      ),
    ),
  );
const bigBody = fc.nat({ max: 20_000 }).map((n) => Buffer.alloc(n, 0x17));

const payloadForType = (type: number): fc.Arbitrary<Buffer> => {
  switch (type) {
    case 20:
    case 17:
      return fc.oneof(
        { weight: 4, arbitrary: commandBody },
        { weight: 2, arbitrary: mutated(commandBody) },
        { weight: 1, arbitrary: smallBytes },
      );
    case 18:
    case 15:
      return fc.oneof(
        { weight: 3, arbitrary: metadataBody },
        { weight: 2, arbitrary: mutated(metadataBody) },
        { weight: 1, arbitrary: commandBody },
      );
    case 9:
      return fc.oneof({ weight: 6, arbitrary: videoBody }, { weight: 1, arbitrary: bigBody });
    case 8:
      return fc.oneof({ weight: 6, arbitrary: audioBody }, { weight: 1, arbitrary: bigBody });
    case 22:
      return aggregateBody;
    default:
      return fc.oneof({ weight: 4, arbitrary: smallBytes }, { weight: 1, arbitrary: bigBody });
  }
};

const messageStep: fc.Arbitrary<Step> = fc
  .tuple(
    messageType,
    fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2, 3),
    csidArb,
    fc.constantFrom(0, 1, 1, 2, 0xffffffff),
    timestampArb,
    fc.constantFrom(0, 0, 0, 0, 1, 60, 65536),
    fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  )
  .chain(([type, fmt, csid, streamId, timestamp, chunkSize, reuse]) =>
    payloadForType(type).chain((payload) =>
      lying(payload.length).map((length): Step => ({
        kind: 'message',
        framed: {
          fmt: fmt,
          csid,
          type,
          streamId,
          timestamp,
          length: length & 0xffffff,
          payload,
          chunkSize,
          reuse,
        },
      })),
    ),
  );

const controlStep: fc.Arbitrary<Step> = fc.tuple(controlPayload, fc.constantFrom(2, 2, 2, 3, 64)).map(([c, csid]): Step => ({
  kind: 'message',
  framed: { fmt: 0, csid, type: c.type, streamId: 0, timestamp: 0, length: c.payload.length, payload: c.payload, chunkSize: 0 },
}));

/** A raw header announcing a (possibly huge) message, followed by only part of it. */
const announceStep: fc.Arbitrary<Step> = fc
  .tuple(
    fc.constantFrom(0, 1),
    csidArb,
    messageType,
    fc.oneof(fc.constantFrom(0xffffff, 0x800000, 65_537, 8193), fc.nat({ max: 0xffffff })),
    smallBytes,
  )
  .map(([fmt, csid, type, length, tail]): Step => ({
    kind: 'raw',
    bytes: Buffer.concat([
      frame({ fmt: fmt, csid, type, streamId: 0, timestamp: 0, length, payload: Buffer.alloc(0), chunkSize: 128 }),
      tail,
    ]),
  }));

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: messageStep },
  { weight: 2, arbitrary: controlStep },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.constantFrom(1, 128, 4096, 65536, 1 << 20, 0xffffff, 0x1000000), fc.nat())
      .map((size): Step => ({ kind: 'chunkSize', size })),
  },
  { weight: 1, arbitrary: announceStep },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 300, size: 'max' }).map((a): Step => ({ kind: 'raw', bytes: Buffer.from(a) })),
  },
);

// ------------------------------------------------------------------------------------------------
// Sessions

export type HandshakeKind = 'valid' | 'version' | 'truncated' | 'none';

export interface Session {
  handshake: HandshakeKind;
  /** Start with a well-formed OBS-style connect (and sometimes createStream), to reach deeper states. */
  prelude: 'none' | 'connect' | 'createStream' | 'publish' | 'publishWrongKey';
  steps: Step[];
}

export const sessionArb: fc.Arbitrary<Session> = fc.record({
  handshake: fc.oneof(
    { weight: 8, arbitrary: fc.constant<HandshakeKind>('valid') },
    fc.constantFrom<HandshakeKind>('version', 'truncated', 'none'),
  ),
  prelude: fc.constantFrom<Session['prelude']>(
    'none',
    'connect',
    'connect',
    'createStream',
    'publish',
    'publish',
    'publish',
    'publishWrongKey',
  ),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
});

/**
 * The bytes of a session's steps, tracking the chunk size the client announces and the chunk streams it
 * has started (`started`: those the prelude already used).
 */
export function encodeSteps(steps: Step[], started: number[] = []): Buffer {
  const parts: Buffer[] = [];
  const used = new Set(started);
  let chunkSize = 128;
  for (const step of steps) {
    if (step.kind === 'raw') parts.push(step.bytes);
    else if (step.kind === 'chunkSize') {
      parts.push(
        frame({ fmt: 0, csid: 2, type: 1, streamId: 0, timestamp: 0, length: 4, payload: u32(step.size), chunkSize: 128 }),
      );
      chunkSize = step.size & 0x7fffffff || 128;
    } else {
      const f = step.framed;
      const csid = f.fmt !== 0 && f.reuse === true && !used.has(f.csid) && used.size > 0 ? [...used].pop()! : f.csid;
      if (f.fmt === 0) used.add(csid);
      parts.push(frame({ ...f, csid, chunkSize: f.chunkSize || chunkSize }));
    }
  }
  return Buffer.concat(parts);
}

/** A short printable description of a session for failure messages. */
export function describeSession(s: Session): string {
  const steps = s.steps.map((st) =>
    st.kind === 'message'
      ? `msg(fmt ${st.framed.fmt}, csid ${st.framed.csid}, type ${st.framed.type}, len ${st.framed.length}/${st.framed.payload.length}, ts ${st.framed.timestamp})`
      : st.kind === 'chunkSize'
        ? `chunkSize(${st.size})`
        : `raw(${st.bytes.length} bytes)`,
  );
  return `handshake ${s.handshake}, prelude ${s.prelude}: ${steps.join(', ')}`;
}
