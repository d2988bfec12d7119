// LL-HLS packaging: HlsSegmenter parts (durations within the part target, independence, bytes that concatenate to
// the segment, events and lookup), on synthetic and ffmpeg-made input, and the low-latency media playlist checked
// with hls-parser in strict mode (parts, preload hint, server control, rendition reports, delta updates).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import {
  PREFETCH_SEGMENTS,
  renderLowLatencyPlaylist,
  renditionReportFor,
  type LowLatencyUris,
} from '../../src/media/package/ll-playlist.js';
import { DEFAULT_PART_TARGET_MS as TARGET, type Part } from '../../src/media/package/parts.js';
import { renderMediaPlaylist } from '../../src/media/package/playlists.js';
import { HlsSegmenter, type HlsSegmenterOptions } from '../../src/media/package/segmenter.js';
import { Fmp4SegmentWriter } from '../../src/media/package/fmp4/fmp4-segment-writer.js';
import type { Segment } from '../../src/media/package/types.js';
import { partUri } from '../../src/media/deliver/part-routes.js';
import type { AccessUnit } from '../../src/media/types.js';
import { readFlv } from './fixtures/package-flv.js';
import { audioTrack, synthetic, videoTrack, type SyntheticOptions } from './fixtures/package-synthetic.js';
import { parsePackets, pesOf } from './fixtures/package-ts.js';
import { parseMediaPlaylist as parse } from '../helpers/playlists.js';
import { testPattern } from '../../devtools/ffmpeg.js';

HLS.setOptions({ strictMode: true });

interface Run {
  seg: HlsSegmenter;
  segments: Segment[];
  parts: Part[];
  /** 'p<msn>.<i>' and 's<msn>' in emission order. */
  order: string[];
}

function run(units: AccessUnit[], options: HlsSegmenterOptions = {}, end = true, video = true): Run {
  const seg = new HlsSegmenter({ partTargetMs: TARGET, ...options });
  const out: Run = { seg, segments: [], parts: [], order: [] };
  seg.on('part', (p) => {
    out.parts.push({ ...p, bytes: Buffer.from(p.bytes) }); // a copy as emitted
    out.order.push(`p${p.sequence}.${p.index}`);
  });
  seg.on('segment', (s) => {
    out.segments.push(s);
    out.order.push(`s${s.sequence}`);
  });
  seg.setTracks(video ? videoTrack() : undefined, audioTrack());
  for (const u of units) seg.push(u);
  if (end) seg.end();
  return out;
}

const clip = (o: SyntheticOptions) => synthetic(o);
const partsOf = (r: Run, sequence: number) => r.parts.filter((p) => p.sequence === sequence);

function assertPartRules(r: Run, target: number) {
  for (const s of r.segments) {
    const parts = partsOf(r, s.sequence);
    assert.ok(parts.length > 0, `segment ${s.sequence} has parts`);
    assert.deepEqual(
      parts.map((p) => p.index),
      parts.map((_, i) => i),
    );
    parts.forEach((p, i) => {
      assert.ok(p.durationMs > 0 && p.durationMs <= target, `part ${s.sequence}.${i}: ${p.durationMs} ms > target`);
      if (i < parts.length - 1) assert.ok(p.durationMs >= 0.85 * target, `part ${s.sequence}.${i}: ${p.durationMs} ms < 85%`);
      if (i > 0) assert.equal(p.startDts, parts[i - 1]!.startDts + parts[i - 1]!.durationMs, 'contiguous');
    });
    assert.equal(parts[0]!.startDts, s.startDts);
    // Parts add up to the EXTINF, except when the segment ended unannounced (discontinuity, end()) with an audio
    // overhang past its last part's target: that part is stated as the target.
    const sum = parts.reduce((a, p) => a + p.durationMs, 0);
    const overhang = s.durationMs - sum;
    if (overhang !== 0) {
      const next = r.segments.find((x) => x.sequence === s.sequence + 1);
      assert.ok(!next || next.discontinuity, `segment ${s.sequence}: parts ${sum} ≠ EXTINF ${s.durationMs}`);
      assert.equal(parts.at(-1)!.durationMs, target);
      assert.ok(overhang > 0 && overhang <= 100, `overhang ${overhang} ms`);
    }
    assert.ok(Buffer.concat(parts.map((p) => p.bytes)).equals(s.bytes), `segment ${s.sequence} = its parts`);
    if (!r.seg.findPart(s.sequence, 0)) continue; // released with the window
    const kept = parts.map((p) => r.seg.findPart(p.sequence, p.index));
    assert.ok(Buffer.concat(kept.map((p) => p!.bytes)).equals(s.bytes), 'kept parts (re-sliced) = the segment');
  }
}

describe('HlsSegmenter LL-HLS parts', () => {
  it('cuts ~1/3 s parts at frame boundaries, within the target, that concatenate to each segment', () => {
    const r = run(clip({ durationMs: 10_000 }));
    assert.equal(r.segments.length, 5);
    assertPartRules(r, TARGET);
    for (const s of r.segments.slice(0, 4)) {
      const parts = partsOf(r, s.sequence);
      assert.equal(parts.length, 6, '10-frame parts: six in a 2 s segment');
      for (const p of parts) assert.ok(p.durationMs === 333 || p.durationMs === 334, `${p.durationMs}`);
    }
    for (const p of r.parts) assert.equal(p.bytes.length % 188, 0, 'whole TS packets');
  });

  it('marks parts independent exactly when they start with a keyframe; the first of each segment always', () => {
    const r = run(clip({ durationMs: 8000, gopFrames: 10 }));
    assertPartRules(r, TARGET);
    let mid = 0;
    for (const p of r.parts) {
      const firstVideo = pesOf(parsePackets(p.bytes), 0x100)[0]!;
      assert.equal(p.independent, firstVideo.randomAccess, `part ${p.sequence}.${p.index}`);
      if (p.index === 0) assert.ok(p.independent);
      else if (p.independent) mid++;
    }
    assert.ok(mid > 0, 'a 1/3 s GOP gives independent parts inside segments');
    const sparse = run(clip({ durationMs: 6000 }));
    assert.ok(
      sparse.parts.every((p) => p.independent === (p.index === 0)),
      '2 s GOP: only first parts',
    );
  });

  it("emits parts in order, a segment's last part right before the segment", () => {
    const r = run(clip({ durationMs: 4100 }), {}, false);
    const firstSegment = r.order.indexOf('s0');
    const lastPartOf0 = partsOf(r, 0).at(-1)!;
    assert.equal(r.order[firstSegment - 1], `p0.${lastPartOf0.index}`);
    assert.deepEqual(
      r.order.filter((x) => x.startsWith('p0.')),
      partsOf(r, 0).map((p) => `p0.${p.index}`),
    );
    assert.deepEqual(r.seg.lastPartPosition(), { msn: r.parts.at(-1)!.sequence, part: r.parts.at(-1)!.index });
  });

  it('exposes the segment in progress with its completed parts and the next part', () => {
    const r = run(clip({ durationMs: 3000 }), {}, false);
    const state = r.seg.lowLatencyState()!;
    assert.equal(state.partTargetMs, TARGET);
    assert.deepEqual(
      state.segments.map((s) => s.sequence),
      [0],
    );
    assert.equal(state.parts.get(0)!.length, partsOf(r, 0).length);
    const pending = state.pending!;
    assert.equal(pending.sequence, 1);
    assert.deepEqual(
      pending.parts.map((p) => p.index),
      partsOf(r, 1).map((p) => p.index),
    );
    assert.ok(pending.parts.length >= 2);
    assert.deepEqual(state.nextPart, { msn: 1, part: pending.parts.length });
    assert.equal(r.seg.findPart(1, pending.parts.length), undefined, 'the part being written is not available');
    assert.ok(r.seg.findPart(1, 0)!.bytes.equals(partsOf(r, 1)[0]!.bytes));
    r.seg.end();
    const ended = r.seg.lowLatencyState()!;
    assert.equal(ended.pending, undefined);
    assert.equal(ended.nextPart, undefined);
    assert.ok(ended.ended);
  });

  it('cuts audio-only streams on AAC frames, every part independent', () => {
    const r = run(clip({ durationMs: 6000, video: false }), {}, true, false);
    assertPartRules(r, TARGET);
    assert.ok(r.parts.every((p) => p.independent));
  });

  it("keeps parts across a discontinuity and releases old segments' parts with the window", () => {
    const units = [...clip({ durationMs: 4000 }), ...clip({ durationMs: 4000, arrivalBase: 1_700_000_004_000 })];
    const r = run(units, { windowSize: 2, retainAfterWindow: 1 });
    assertPartRules(r, TARGET);
    assert.deepEqual(
      r.segments.map((s) => s.discontinuity),
      [false, false, true, false],
    );
    assert.equal(r.seg.findPart(0, 0), undefined, 'released with segment 0');
    assert.ok(r.seg.findPart(1, 0));
  });

  it('adds nothing without partTargetMs: no part events, no low-latency state, same bytes as before', () => {
    const units = clip({ durationMs: 6000 });
    const plain = new HlsSegmenter();
    let parts = 0;
    plain.on('part', () => parts++);
    plain.setTracks(videoTrack(), audioTrack());
    for (const u of units) plain.push(u);
    plain.end();
    assert.equal(parts, 0);
    assert.equal(plain.lowLatencyState(), undefined);
    assert.equal(plain.lastPartPosition(), undefined);
    assert.equal(plain.playlistState().segments.length, 3);
  });

  it('rejects a part target outside 50 ms .. the segment target', () => {
    assert.throws(() => new HlsSegmenter({ partTargetMs: 10 }), RangeError);
    assert.throws(() => new HlsSegmenter({ partTargetMs: 2500, targetDurationMs: 2000 }), RangeError);
  });

  it('parts an ffmpeg-made stream with B-frames; parts of a segment decode as the segment does', async () => {
    const exec = promisify(execFile);
    const dir = mkdtempSync(join(tmpdir(), 'openivs-llhls-'));
    try {
      const flv = join(dir, 'clip.flv');
      await exec('ffmpeg', [
        '-v',
        'error',
        ...testPattern('320x180'),
        '-t',
        '5',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-g',
        '60',
        '-bf',
        '2',
        '-c:a',
        'aac',
        '-f',
        'flv',
        flv,
      ]);
      const c = readFlv(readFileSync(flv), { width: 320, height: 180 }, 1_700_000_000_000);
      const seg = new HlsSegmenter({ partTargetMs: TARGET });
      const r: Run = { seg, segments: [], parts: [], order: [] };
      seg.on('part', (p) => r.parts.push({ ...p, bytes: Buffer.from(p.bytes) })); // a view is valid until its segment closes
      seg.on('segment', (s) => r.segments.push(s));
      seg.setTracks(c.video, c.audio);
      for (const u of c.units) seg.push(u);
      seg.end();
      assert.equal(r.segments.length, 3);
      assertPartRules(r, TARGET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const uris: LowLatencyUris = {
  segment: (s) => `source/${s.sequence}.ts`,
  part: (msn, i) => partUri('source', msn, i, 'ts'),
};

describe('HlsSegmenter revision', () => {
  // Playlist caches (deliver/media-playlist.ts) answer from a rendering while the revision stays: a change of the
  // rendered playlist with the same revision would be served stale. fMP4, so that the init section (EXT-X-MAP) counts.
  const revisionWatch = (seg: HlsSegmenter) => {
    const map = () => (seg.writer.initSection() === undefined ? undefined : 'init.mp4');
    const render = () =>
      renderLowLatencyPlaylist(seg.lowLatencyState()!, uris, { mapUri: map() }) +
      renderMediaPlaylist({ ...seg.playlistState(), mapUri: map() }, (x) => `${x.sequence}.m4s`);
    let text = render();
    let revision = seg.revision;
    let changes = 0;
    return {
      check(what: string): void {
        const nextText = render();
        if (nextText !== text) {
          assert.ok(seg.revision > revision, `${what}: the playlist changed, the revision stayed ${revision}`);
          changes++;
        }
        assert.ok(seg.revision >= revision, `${what}: the revision went back`);
        text = nextText;
        revision = seg.revision;
      },
      get changes() {
        return changes;
      },
    };
  };
  const fmp4Segmenter = () =>
    new HlsSegmenter({ partTargetMs: TARGET, windowSize: 3, retainAfterWindow: 1, writer: new Fmp4SegmentWriter() });

  it('grows whenever its playlists could change: parts, segments, new tracks, ad breaks, the end', () => {
    const seg = fmp4Segmenter();
    const watch = revisionWatch(seg);
    const check = (what: string) => watch.check(what);
    seg.setTracks(videoTrack(), audioTrack());
    check('tracks');
    const units = clip({ durationMs: 9_000 });
    units.forEach((unit, i) => {
      seg.push(unit);
      check(`unit ${i}`);
      if (i === Math.floor(units.length / 2)) {
        seg.insertAdBreak({ id: 'ad-1', eventId: 1, requestedAt: new Date(unit.arrival), durationMs: 4000 });
        check('ad break');
      }
    });
    seg.end();
    check('end');
    assert.ok(watch.changes > 20, `only ${watch.changes} changes seen`);
  });

  it('grows at an end with no segment open', () => {
    const seg = fmp4Segmenter();
    const watch = revisionWatch(seg);
    seg.setTracks(videoTrack(), audioTrack());
    watch.check('tracks');
    seg.end();
    watch.check('end');
    assert.equal(watch.changes, 2, 'EXT-X-MAP, then EXT-X-ENDLIST');
  });
});

describe('renderLowLatencyPlaylist', () => {
  it('renders a live LL-HLS playlist that hls-parser accepts in strict mode', () => {
    const r = run(clip({ durationMs: 10_500 }), { windowSize: 6 }, false);
    const sibling = run(clip({ durationMs: 10_500 }), { windowSize: 6 }, false);
    const report = renditionReportFor('360p.m3u8', sibling.seg)!;
    const text = renderLowLatencyPlaylist(r.seg.lowLatencyState()!, uris, {
      independentSegments: true,
      renditionReports: [report],
    });
    const pl = parse(text);
    assert.equal(pl.version, 9);
    assert.equal(pl.targetDuration, 2);
    assert.equal(pl.partTargetDuration, 0.334);
    assert.deepEqual(pl.lowLatencyCompatibility, {
      canBlockReload: true,
      canSkipUntil: 12,
      holdBack: undefined,
      partHoldBack: 1.002,
    });
    assert.ok(pl.independentSegments);
    assert.equal(pl.endlist, false);
    // Five complete segments, then the one in progress (no URI yet): its parts and the preload hint.
    const complete = pl.segments.filter((s) => s.uri);
    assert.deepEqual(
      complete.map((s) => s.mediaSequenceNumber),
      [0, 1, 2, 3, 4],
    );
    assert.ok(
      pl.segments.every((s) => s.programDateTime instanceof Date),
      'PDT on every segment',
    );
    const pending = pl.segments.at(-1)!;
    assert.equal(pending.uri, '');
    assert.equal(pending.mediaSequenceNumber, 5);
    const state = r.seg.lowLatencyState()!;
    const hint = pending.parts.at(-1)!;
    assert.ok(hint.hint);
    assert.equal(hint.uri, `source/5.${state.pending!.parts.length}.ts`);
    assert.deepEqual(
      pending.parts.slice(0, -1).map((p) => p.uri),
      state.pending!.parts.map((p) => `source/5.${p.index}.ts`),
    );
    assert.equal(pending.parts[0]!.independent, true);
    // Parts only near the end: the last two complete segments at most.
    assert.deepEqual(
      complete.map((s) => (s.parts?.length ?? 0) > 0),
      [false, false, false, true, true],
    );
    const last = complete.at(-1)!;
    assert.equal(last.parts.length, state.parts.get(4)!.length);
    assert.ok(Math.abs(last.parts.reduce((a, p) => a + p.duration!, 0) - last.duration) < 0.01);
    assert.deepEqual(
      pl.renditionReports.map((x) => [x.uri, x.lastMSN, x.lastPart]),
      [['360p.m3u8', 5, sibling.seg.lastPartPosition()!.part]],
    );
    assert.match(text, /#EXT-X-PART:DURATION=0\.\d{3},URI="source\/4\.0\.ts",INDEPENDENT=YES\n/);
    assert.match(text, /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="source\/5\.\d+\.ts"\n#EXT-X-RENDITION-REPORT:/);
  });

  it('starts players PART-HOLD-BACK before the last part, as a positive EXT-X-START offset; not in deltas nor once ended', () => {
    const r = run(clip({ durationMs: 10_500 }), { windowSize: 6 }, false);
    const state = r.seg.lowLatencyState()!;
    const pl = parse(renderLowLatencyPlaylist(state, uris));
    // The listed media: the complete segments, then the parts of the one in progress.
    const listedS =
      state.segments.reduce((a, s) => a + s.durationMs, 0) / 1000 +
      state.pending!.parts.reduce((a, p) => a + p.durationMs, 0) / 1000;
    assert.ok(pl.start, 'EXT-X-START present');
    assert.ok(pl.start.offset > 0, 'positive: the IVS player starts at the first segment for a negative one');
    assert.ok(Math.abs(pl.start.offset - (listedS - pl.lowLatencyCompatibility!.partHoldBack)) < 0.002, `${pl.start.offset}`);
    assert.ok(!renderLowLatencyPlaylist(state, uris, { skip: 'YES' }).includes('EXT-X-START'));
    const ended = run(clip({ durationMs: 10_000 }), { windowSize: 20 });
    assert.ok(!renderLowLatencyPlaylist(ended.seg.lowLatencyState()!, uris).includes('EXT-X-START'));
  });

  it('renders a delta update that skips segments beyond the skip boundary (6 target durations)', () => {
    const r = run(clip({ durationMs: 30_500 }), { windowSize: 20 }, false);
    const state = r.seg.lowLatencyState()!;
    assert.equal(state.segments.length, 15);
    const full = parse(renderLowLatencyPlaylist(state, uris));
    const delta = parse(renderLowLatencyPlaylist(state, uris, { skip: 'YES' }));
    assert.equal(full.skip ?? 0, 0);
    // 15 segments of 2 s plus 0.5 s in progress: those ending 12 s or more before the end are skipped.
    assert.equal(delta.skip, 9);
    const kept = delta.segments.filter((s) => s.uri);
    assert.deepEqual(
      kept.map((s) => s.mediaSequenceNumber),
      [9, 10, 11, 12, 13, 14],
    );
    assert.equal(delta.mediaSequenceBase, 0);
    assert.ok(kept.reduce((a, s) => a + s.duration, 0) >= 12);
    assert.deepEqual(
      kept.map((s) => s.uri),
      full.segments
        .filter((s) => s.uri)
        .slice(9)
        .map((s) => s.uri),
    );
    const v2 = renderLowLatencyPlaylist(state, uris, { skip: 'v2' });
    assert.match(v2, /#EXT-X-SKIP:SKIPPED-SEGMENTS=9,RECENTLY-REMOVED-DATERANGES=""\n/);
    // A short window has nothing beyond the boundary: no EXT-X-SKIP at all.
    const short = run(clip({ durationMs: 12_500 }), { windowSize: 6 }, false);
    assert.ok(!renderLowLatencyPlaylist(short.seg.lowLatencyState()!, uris, { skip: 'YES' }).includes('EXT-X-SKIP'));
  });

  it('renders the ended playlist with ENDLIST, no hint, no reports and no skip', () => {
    const r = run(clip({ durationMs: 10_000 }), { windowSize: 20 });
    const text = renderLowLatencyPlaylist(r.seg.lowLatencyState()!, uris, {
      skip: 'YES',
      renditionReports: [{ uri: 'x.m3u8', lastMsn: 1 }],
    });
    const pl = parse(text);
    assert.ok(pl.endlist);
    assert.equal(pl.segments.length, 5);
    assert.ok(!text.includes('PRELOAD-HINT'));
    assert.ok(!text.includes('RENDITION-REPORT'));
    assert.ok(!text.includes('EXT-X-SKIP'));
    // Parts within 3 target durations of the end (at most three segments' worth).
    assert.deepEqual(
      pl.segments.map((s) => (s.parts?.length ?? 0) > 0),
      [false, false, false, true, true],
    );
  });

  it('puts a pending discontinuity before the in-progress parts', () => {
    const units = [...clip({ durationMs: 4000 }), ...clip({ durationMs: 1000, arrivalBase: 1_700_000_004_000 })];
    const r = run(units, {}, false);
    const text = renderLowLatencyPlaylist(r.seg.lowLatencyState()!, uris);
    const pl = parse(text);
    const pending = pl.segments.at(-1)!;
    assert.equal(pending.uri, '');
    assert.ok(pending.discontinuity);
    assert.ok(pending.parts.length > 1);
  });

  it('writes EXT-X-MAP for fMP4 before the first listed segment', () => {
    const r = run(clip({ durationMs: 4500 }), {}, false);
    const text = renderLowLatencyPlaylist(r.seg.lowLatencyState()!, uris, { mapUri: 'source/init.mp4' });
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-MAP:URI="source\/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:/);
    assert.equal(parse(text).segments[0]!.map?.uri, 'source/init.mp4');
  });

  it('lists the segment in progress and the next as EXT-X-TWITCH-PREFETCH at their final URIs (hls-parser ignores them)', () => {
    const r = run(clip({ durationMs: 6500 }), {}, false);
    const withPrefetch: LowLatencyUris = { ...uris, prefetch: (msn) => `source/${msn}.ts` };
    const text = renderLowLatencyPlaylist(r.seg.lowLatencyState()!, withPrefetch, {
      renditionReports: [{ uri: 'x.m3u8', lastMsn: 3 }],
    });
    assert.equal(r.seg.openSequence, 3);
    // After the segment in progress and its hint, before the rendition reports; the final segment URIs.
    assert.match(
      text,
      /#EXT-X-PRELOAD-HINT:[^\n]+\n#EXT-X-TWITCH-PREFETCH:source\/3\.ts\n#EXT-X-TWITCH-PREFETCH:source\/4\.ts\n#EXT-X-RENDITION-REPORT:/,
    );
    assert.equal(text.match(/PREFETCH/g)!.length, PREFETCH_SEGMENTS);
    // The LL-HLS reading of the same playlist is unchanged: hls-parser (strict) sees no prefetch and the same segments.
    const pl = parse(text);
    assert.deepEqual(pl.prefetchSegments, []);
    const without = parse(
      renderLowLatencyPlaylist(r.seg.lowLatencyState()!, uris, { renditionReports: [{ uri: 'x.m3u8', lastMsn: 3 }] }),
    );
    assert.deepEqual({ ...pl, source: '' }, { ...without, source: '' });
    // None once ended, and none before the first keyframe.
    r.seg.end();
    assert.ok(!renderLowLatencyPlaylist(r.seg.lowLatencyState()!, withPrefetch).includes('PREFETCH'));
    const empty = new HlsSegmenter({ partTargetMs: TARGET });
    assert.ok(!renderLowLatencyPlaylist(empty.lowLatencyState()!, withPrefetch).includes('PREFETCH'));
  });

  it('leaves the plain renderer untouched for NORMAL channels', () => {
    const r = run(clip({ durationMs: 6000 }), {}, false);
    const text = renderMediaPlaylist(r.seg.playlistState(), (s) => `source/${s.sequence}.ts`);
    assert.ok(text.includes('#EXT-X-VERSION:3'));
    assert.ok(!/PART|SERVER-CONTROL|PRELOAD/.test(text));
  });
});
