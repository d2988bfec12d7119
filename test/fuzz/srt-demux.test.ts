// Fuzzing the MPEG-TS demuxer (the bytes an SRT caller controls after the handshake): real ffmpeg TS mutated —
// bytes flipped, packets dropped, duplicated, swapped, headers rewritten (PID, unit start, continuity counter,
// adaptation length), PES lengths and timestamps scrambled, garbage inserted, cut short — in random chunking; and
// packets that are valid TS framing around random payloads. The demuxer must never throw, never invent more units
// than packets, never hand out a unit beyond its bounds or with a non-finite time, and every unit it hands out must
// be well-formed AVCC / non-empty AAC under a configuration that parses. With packets lost, no video unit is handed
// out without the one before it (after a loss, video resumes at a keyframe). Budget: fuzzRuns (FUZZ_SCALE); a failure
// prints its seed (replay with FUZZ_SEED).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAvcConfig } from '../../src/media/ingest/avc-config.js';
import { TsDemuxer, type TsDemuxerLimits } from '../../src/media/ingest/mpegts/demuxer.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { Collected, makeTs, pidOf, prng, readTs, tempDir, tsPackets } from '../helpers/srt-media.js';

const LIMITS: TsDemuxerLimits = { maxVideoPesBytes: 512 * 1024, maxAudioPesBytes: 64 * 1024 };

function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void, base: number): void {
  const seed = fuzzSeed();
  const details = fc.check(fc.property(arb, predicate), { numRuns: fuzzRuns(base), seed });
  if (details.failed) throw new Error(`${name} failed (replay with FUZZ_SEED=${seed}): ${fc.defaultReportMessage(details)}`);
}

/** Feeds `input` in pseudo-random chunks and checks every invariant of what comes out. */
function demuxChecked(input: Buffer, chunkSeed: number, maxUnits: number): Collected {
  const out = new Collected();
  const d = new TsDemuxer(out, LIMITS);
  const rnd = prng(chunkSeed);
  for (let off = 0; off < input.length;) {
    const n = 1 + Math.floor(rnd() * 4000);
    d.push(input.subarray(off, off + n));
    off += n;
  }
  d.end();
  assert.ok(out.video.length + out.audio.length <= maxUnits, 'no more units than the input could carry');
  for (const info of out.videoConfigs) parseAvcConfig(info.decoderConfig);
  for (const u of out.video) {
    assert.ok(Number.isFinite(u.dts) && Number.isFinite(u.pts) && u.data.length > 0 && u.data.length <= LIMITS.maxVideoPesBytes);
    for (let off = 0; off < u.data.length;) {
      const len = u.data.readUInt32BE(off);
      assert.ok(len > 0 && off + 4 + len <= u.data.length, 'AVCC lengths cover the unit exactly');
      off += 4 + len;
    }
  }
  for (const u of out.audio) assert.ok(Number.isFinite(u.dts) && u.data.length > 0 && u.data.length <= 8191);
  assert.ok(out.unsupported.length <= 1);
  return out;
}

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'drop' | 'dup'; packet: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'header'; packet: number; b1: number; b2: number; b3: number; b4: number }
  | { kind: 'pes'; packet: number; at: number; bytes: number[] }
  | { kind: 'garbage'; at: number; bytes: number[] }
  | { kind: 'cut'; at: number };

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const byte = fc.integer({ min: 0, max: 255 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fraction, value: byte }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('drop' as const, 'dup' as const), packet: fraction }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fraction, b: fraction }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('header' as const), packet: fraction, b1: byte, b2: byte, b3: byte, b4: byte }),
  },
  // Bytes 4..18 of a packet carrying a unit start: PES start code, length, flags, header length, PTS/DTS.
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pes' as const),
      packet: fraction,
      at: fc.integer({ min: 4, max: 22 }),
      bytes: fc.array(byte, { minLength: 1, maxLength: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      at: fraction,
      bytes: fc.array(byte, { minLength: 1, maxLength: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fraction }) },
);

function applyMutations(clean: Buffer, mutations: Mutation[]): Buffer {
  let packets: Buffer[] = tsPackets(clean).map((p) => Buffer.from(p));
  const pick = (f: number) => Math.floor(f * packets.length);
  for (const m of mutations) {
    if (packets.length === 0) break;
    switch (m.kind) {
      case 'flip': {
        const p = packets[pick(m.at)]!;
        p[Math.floor(m.at * 7919) % 188] = m.value;
        break;
      }
      case 'drop':
        packets.splice(pick(m.packet), 1);
        break;
      case 'dup':
        packets.splice(pick(m.packet), 0, Buffer.from(packets[pick(m.packet)]!));
        break;
      case 'swap': {
        const [a, b] = [pick(m.a), pick(m.b)];
        [packets[a], packets[b]] = [packets[b]!, packets[a]!];
        break;
      }
      case 'header': {
        const p = packets[pick(m.packet)]!;
        p[1] = m.b1;
        p[2] = m.b2;
        p[3] = m.b3;
        p[4] = m.b4;
        break;
      }
      case 'pes': {
        const starts = packets.filter((p) => (p[1]! & 0x40) !== 0 && pidOf(p) !== 0);
        const p = starts[Math.floor(m.packet * starts.length)];
        if (p)
          m.bytes.forEach((b, i) => {
            if (m.at + i < 188) p[m.at + i] = b;
          });
        break;
      }
      case 'garbage': {
        const at = pick(m.at);
        packets = [...packets.slice(0, at), Buffer.from(m.bytes), ...packets.slice(at)];
        break;
      }
      case 'cut':
        packets = packets.slice(0, pick(m.at));
        break;
    }
  }
  return Buffer.concat(packets);
}

describe('fuzz: MPEG-TS demuxer', () => {
  let dir: string;
  let clean: Buffer;
  let cleanUnits = 0;

  before(async () => {
    dir = tempDir();
    clean = readTs(await makeTs(dir, 'fuzz', { seconds: 1, size: '320x240' }));
    const c = demuxChecked(clean, 1, Infinity);
    cleanUnits = c.video.length + c.audio.length;
    assert.ok(c.video.length >= 29 && c.audio.length >= 40, 'the clean input demuxes fully');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('mutated real TS: never throws, never out of bounds, never more units than it carried', () => {
    const arb = fc.record({
      mutations: fc.array(mutation, { minLength: 1, maxLength: 40 }),
      chunkSeed: fc.integer({ min: 1, max: 2 ** 30 }),
    });
    check(
      'mutated TS',
      arb,
      ({ mutations, chunkSeed }) => {
        const input = applyMutations(clean, mutations);
        const duplicated = mutations.filter((m) => m.kind === 'dup' || m.kind === 'garbage').length;
        demuxChecked(input, chunkSeed, cleanUnits + 2 * duplicated + 2);
      },
      150,
    );
  });

  // Grown after a defect: frames that predicted from lost video reached Chromium's decoder, which failed for good.
  it('packets lost anywhere: no delivered video unit lacks the one before it (decoders never see a broken chain)', () => {
    const original = demuxChecked(clean, 1, Infinity).video;
    const index = new Map(original.map((u, i) => [u.dts, i]));
    const packets = tsPackets(clean);
    const arb = fc.record({
      lost: fc.uniqueArray(fc.integer({ min: 0, max: packets.length - 1 }), { minLength: 1, maxLength: 30 }),
      chunkSeed: fc.integer({ min: 1, max: 2 ** 30 }),
    });
    check(
      'lost packets',
      arb,
      ({ lost, chunkSeed }) => {
        const gone = new Set(lost);
        const out = demuxChecked(Buffer.concat(packets.filter((_p, i) => !gone.has(i))), chunkSeed, cleanUnits);
        const delivered = new Set(out.video.map((u) => u.dts));
        for (const u of out.video) {
          const i = index.get(u.dts);
          assert.ok(i !== undefined, `a video unit at ${u.dts} the clean stream does not have`);
          if (!u.keyframe && i > 0) assert.ok(delivered.has(original[i - 1]!.dts), `unit ${i} delivered without unit ${i - 1}`);
        }
      },
      150,
    );
  });

  it('valid TS framing around random payloads on the program PIDs', () => {
    const pids = [...new Set(tsPackets(clean).map(pidOf))];
    const packetArb = fc.record({
      pid: fc.constantFrom(...pids, 0x1fff),
      start: fc.boolean(),
      cc: fc.integer({ min: 0, max: 15 }),
      adaptation: fc.integer({ min: 0, max: 3 }),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
    });
    check(
      'framed random payloads',
      fc.array(packetArb, { minLength: 1, maxLength: 300, size: 'max' }),
      (specs) => {
        // A clean start (PAT/PMT from the real stream) so the random packets reach the PES and section parsers.
        const head = tsPackets(clean).slice(0, 8);
        const packets = specs.map((s) => {
          const rnd = prng(s.seed);
          const p = Buffer.from(Array.from({ length: 188 }, () => Math.floor(rnd() * 256)));
          p[0] = 0x47;
          p[1] = (s.start ? 0x40 : 0) | (s.pid >> 8);
          p[2] = s.pid & 0xff;
          p[3] = (s.adaptation << 4) | s.cc;
          if (s.start && rnd() < 0.5) p.set([0, 0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10], 3 + (s.adaptation & 2 ? 2 : 1));
          return p;
        });
        demuxChecked(Buffer.concat([...head, ...packets]), 3, cleanUnits + specs.length);
      },
      150,
    );
  });

  it('arbitrary bytes: never throws', () => {
    check(
      'arbitrary bytes',
      fc.uint8Array({ minLength: 0, maxLength: 20_000, size: 'max' }),
      (bytes) => {
        demuxChecked(Buffer.from(bytes), 5, Math.ceil(bytes.length / 188));
      },
      100,
    );
  });
});
