// LL-HLS delivery directives and blocking: parsing _HLS_msn/_HLS_part/_HLS_skip, the respond/block/400 decision
// (Advance Part Limit, part roll-over to the next segment, ENDLIST), hinted-part requests, and the waiter registry
// driven by a real HlsSegmenter (wake on the awaited part, timeout, stream end, bound, abort, cleanup).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advancePartLimit,
  blockTimeoutMs,
  isSatisfied,
  parseDeliveryDirectives,
  planPartRequest,
  planPlaylistReload,
  reloadViewOf,
  RenditionWaiters,
  StreamWaiters,
  streamWaiters,
  WaiterBudget,
  type ReloadView,
} from '../../src/media/deliver/blocking.js';
import { parsePartPath, partUri, renditionReportUri } from '../../src/media/deliver/part-routes.js';
import { parsePlaybackPath } from '../../src/media/deliver/routes.js';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import type { AccessUnit } from '../../src/media/types.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

describe('parseDeliveryDirectives', () => {
  it('reads _HLS_msn, _HLS_part and _HLS_skip among other parameters', () => {
    assert.deepEqual(parseDeliveryDirectives(''), { ok: true, directives: {} });
    assert.deepEqual(parseDeliveryDirectives('vs=abcdefghij123456'), { ok: true, directives: {} });
    assert.deepEqual(parseDeliveryDirectives('vs=x&_HLS_msn=12&_HLS_part=3'), { ok: true, directives: { msn: 12, part: 3 } });
    assert.deepEqual(parseDeliveryDirectives('?_HLS_part=0&_HLS_msn=0&_HLS_skip=YES'), {
      ok: true,
      directives: { msn: 0, part: 0, skip: 'YES' },
    });
    assert.deepEqual(parseDeliveryDirectives('_HLS_skip=v2'), { ok: true, directives: { skip: 'v2' } });
    assert.deepEqual(parseDeliveryDirectives('_HLS_future=1&_HLS_msn=7'), { ok: true, directives: { msn: 7 } });
  });

  it('refuses malformed, repeated or inconsistent directives', () => {
    for (const q of [
      '_HLS_part=1',
      '_HLS_msn=-1',
      '_HLS_msn=1.5',
      '_HLS_msn=abc',
      '_HLS_msn=',
      '_HLS_msn=1&_HLS_part=x',
      '_HLS_msn=1&_HLS_msn=2',
      '_HLS_skip=NO',
      '_HLS_skip=yes',
      '_HLS_skip=YES&_HLS_skip=v2',
      '_HLS_msn=1234567890123456',
    ]) {
      const r = parseDeliveryDirectives(q);
      assert.equal(r.ok, false, q);
    }
  });
});

const view = (v: Partial<ReloadView>): ReloadView => ({ ended: false, targetDurationS: 2, partTargetMs: 334, ...v });

describe('planPlaylistReload', () => {
  const live = view({ lastSegment: 4, lastPart: { msn: 5, part: 2 } });

  it('answers at once without _HLS_msn, when already satisfied, and once the playlist has ENDLIST', () => {
    assert.deepEqual(planPlaylistReload({}, live), { action: 'respond' });
    assert.deepEqual(planPlaylistReload({ skip: 'YES' }, live), { action: 'respond' });
    assert.deepEqual(planPlaylistReload({ msn: 4 }, live), { action: 'respond' });
    assert.deepEqual(planPlaylistReload({ msn: 5, part: 2 }, live), { action: 'respond' });
    assert.deepEqual(planPlaylistReload({ msn: 3, part: 9 }, live), { action: 'respond' }, 'older segment complete');
    assert.deepEqual(planPlaylistReload({ msn: 7, part: 0 }, view({ ...live, ended: true })), { action: 'respond' });
  });

  it('blocks for what is coming, for three target durations', () => {
    assert.deepEqual(planPlaylistReload({ msn: 5, part: 3 }, live), {
      action: 'block',
      target: { msn: 5, part: 3 },
      timeoutMs: 6000,
    });
    assert.deepEqual(planPlaylistReload({ msn: 5 }, live), { action: 'block', target: { msn: 5 }, timeoutMs: 6000 });
    assert.deepEqual(planPlaylistReload({ msn: 6, part: 0 }, live), {
      action: 'block',
      target: { msn: 6, part: 0 },
      timeoutMs: 6000,
    });
    assert.equal(blockTimeoutMs({ targetDurationS: 4 }), 12_000);
  });

  it('refuses (400) _HLS_msn more than two beyond the last segment, the one in progress included', () => {
    assert.equal(planPlaylistReload({ msn: 7 }, live).action, 'block');
    const far = planPlaylistReload({ msn: 8 }, live);
    assert.equal(far.action, 'reject');
    assert.equal(far.action === 'reject' && far.status, 400);
    const noParts = view({ lastSegment: 4, partTargetMs: undefined });
    assert.equal(planPlaylistReload({ msn: 6 }, noParts).action, 'block');
    assert.equal(planPlaylistReload({ msn: 7 }, noParts).action, 'reject');
    assert.equal(planPlaylistReload({ msn: 2 }, view({})).action, 'reject', 'nothing yet: 0 and 1 may be awaited');
    assert.equal(planPlaylistReload({ msn: 1 }, view({})).action, 'block');
  });

  it('refuses (400) _HLS_part beyond the Advance Part Limit (3 s worth of parts)', () => {
    assert.equal(advancePartLimit(334), 8);
    assert.equal(advancePartLimit(200), 15);
    assert.equal(advancePartLimit(1000), 3);
    assert.equal(planPlaylistReload({ msn: 5, part: 10 }, live).action, 'block', '8 ahead');
    assert.equal(planPlaylistReload({ msn: 5, part: 11 }, live).action, 'reject', '9 ahead');
    assert.equal(planPlaylistReload({ msn: 6, part: 7 }, live).action, 'block');
    assert.equal(planPlaylistReload({ msn: 6, part: 8 }, live).action, 'reject');
  });

  it('ignores _HLS_part on renditions without parts', () => {
    const plain = view({ lastSegment: 4, partTargetMs: undefined });
    assert.deepEqual(planPlaylistReload({ msn: 5, part: 99 }, plain), { action: 'block', target: { msn: 5 }, timeoutMs: 6000 });
  });
});

describe('isSatisfied', () => {
  it("orders (msn, part); a part past a segment's final part is part 0 of the next segment", () => {
    const done5 = view({ lastSegment: 5, lastPart: { msn: 5, part: 5 } });
    assert.ok(isSatisfied({ msn: 5, part: 5 }, done5));
    assert.ok(isSatisfied({ msn: 5 }, done5));
    assert.ok(!isSatisfied({ msn: 5, part: 6 }, done5), 'segment 5 has six parts: 5.6 means 6.0');
    assert.ok(!isSatisfied({ msn: 6 }, done5));
    const next = view({ lastSegment: 5, lastPart: { msn: 6, part: 0 } });
    assert.ok(isSatisfied({ msn: 5, part: 6 }, next));
    assert.ok(isSatisfied({ msn: 6, part: 0 }, next));
    assert.ok(!isSatisfied({ msn: 6 }, next), 'the segment itself is not complete');
  });
});

describe('planPartRequest', () => {
  it('serves available parts, holds the hinted one, 404s the rest', () => {
    const hint = { msn: 5, part: 3 };
    assert.deepEqual(planPartRequest(true, { msn: 5, part: 1 }, hint, { targetDurationS: 2 }), { action: 'serve' });
    assert.deepEqual(planPartRequest(false, { msn: 5, part: 3 }, hint, { targetDurationS: 2 }), {
      action: 'block',
      target: { msn: 5, part: 3 },
      timeoutMs: 6000,
    });
    assert.deepEqual(planPartRequest(false, { msn: 5, part: 4 }, hint, { targetDurationS: 2 }), { action: 'not-found' });
    assert.deepEqual(planPartRequest(false, { msn: 1, part: 0 }, hint, { targetDurationS: 2 }), { action: 'not-found' });
    assert.deepEqual(planPartRequest(false, hint, undefined, { targetDurationS: 2 }), { action: 'not-found' }, 'ended');
  });
});

describe('part URIs and routes', () => {
  it('builds part URIs that parse back and do not collide with segment routes', () => {
    assert.equal(partUri('source', 12, 3, 'ts'), 'source/12.3.ts');
    assert.equal(renditionReportUri('360p'), '360p.m3u8');
    const path = `/api/video/v1/us-west-2.123456789012.channel.AbCd1234/st-Xyz9/${partUri('source', 12, 3, 'ts')}`;
    assert.deepEqual(parsePartPath(path), {
      kind: 'part',
      playbackKey: 'us-west-2.123456789012.channel.AbCd1234',
      streamId: 'st-Xyz9',
      rendition: 'source',
      sequence: 12,
      index: 3,
      extension: 'ts',
    });
    assert.equal(parsePlaybackPath(path), undefined, 'not a segment');
    assert.equal(parsePartPath(path.replace('12.3.ts', '12.ts')), undefined, 'a segment is not a part');
    assert.equal(parsePartPath(path.replace('12.3.ts', '12.3.mp4')), undefined);
  });
});

/** A live segmenter fed on demand from a synthetic clip. */
function feeder(durationMs = 20_000) {
  const seg = new HlsSegmenter({ partTargetMs: 334 });
  seg.setTracks(videoTrack(), audioTrack());
  const units: AccessUnit[] = synthetic({ durationMs });
  let i = 0;
  return {
    seg,
    /** Pushes units until `stop` is true (checked after each unit). */
    until(stop: () => boolean) {
      while (i < units.length && !stop()) seg.push(units[i++]!);
    },
    /** Pushes units up to input DTS `ms`. */
    to(ms: number) {
      while (i < units.length && units[i]!.dts < ms) seg.push(units[i++]!);
    },
  };
}

describe('RenditionWaiters', () => {
  it('resolves when the awaited part arrives, not before', async () => {
    const f = feeder();
    const waiters = new RenditionWaiters(f.seg);
    f.to(2500); // segment 0 done, segment 1 has a part
    assert.deepEqual(f.seg.lastPartPosition(), { msn: 1, part: 0 });
    let result: string | undefined;
    const pending = waiters.waitFor(1, 2, 5000).then((r) => {
      result = r;
    });
    assert.equal(waiters.size, 1);
    f.until(() => f.seg.lastPartPosition()!.part === 1);
    await Promise.resolve();
    assert.equal(result, undefined, 'part 1 is not part 2');
    f.until(() => f.seg.lastPartPosition()!.part === 2);
    await pending;
    assert.equal(result, 'ready');
    assert.ok(f.seg.findPart(1, 2), 'the part is there when the waiter wakes');
    assert.equal(waiters.size, 0);
    waiters.close();
  });

  it('answers at once when already satisfied; a segment wait wakes when the segment completes', async () => {
    const f = feeder();
    const waiters = new RenditionWaiters(f.seg);
    f.to(2500);
    assert.equal(await waiters.waitFor(0, undefined, 1000), 'ready');
    assert.equal(await waiters.waitFor(1, 0, 1000), 'ready');
    const segment1 = waiters.waitFor(1, undefined, 5000);
    f.to(4500);
    assert.equal(await segment1, 'ready');
    waiters.close();
  });

  it("wakes a part request past a segment's final part on part 0 of the next segment", async () => {
    const f = feeder();
    const waiters = new RenditionWaiters(f.seg);
    f.to(1900); // segment 0 in progress with five parts, the sixth being written
    const parts = f.seg.lowLatencyState()!.pending!.parts.length;
    const beyond = waiters.waitFor(0, parts + 1, 5000);
    let done = false;
    void beyond.then(() => {
      done = true;
    });
    f.until(() => f.seg.window.last !== undefined); // segment 0 completes with its last part
    await Promise.resolve();
    assert.equal(done, false, 'segment 0 ended without that part: it is part 0 of segment 1');
    f.until(() => f.seg.lastPartPosition()!.msn === 1);
    assert.equal(await beyond, 'ready');
    waiters.close();
  });

  it('times out (→ 503) and releases the slot', async () => {
    const f = feeder();
    const budget = new WaiterBudget(4);
    const waiters = new RenditionWaiters(f.seg, budget);
    f.to(2500);
    const started = Date.now();
    assert.equal(await waiters.waitFor(2, 0, 30), 'timeout');
    assert.ok(Date.now() - started >= 25);
    assert.equal(waiters.size, 0);
    assert.equal(budget.used, 0);
    waiters.close();
  });

  it('releases everything with "ended" when the stream ends, and stops listening', async () => {
    const f = feeder();
    const waiters = new RenditionWaiters(f.seg);
    f.to(2500);
    const held = [waiters.waitFor(3, 0, 60_000), waiters.waitFor(3, undefined, 60_000)];
    assert.equal(f.seg.listenerCount('part'), 1);
    f.seg.end();
    assert.deepEqual(await Promise.all(held), ['ended', 'ended']);
    assert.equal(waiters.size, 0);
    assert.ok(waiters.isClosed);
    assert.equal(f.seg.listenerCount('part') + f.seg.listenerCount('segment') + f.seg.listenerCount('end'), 0);
    assert.equal(await waiters.waitFor(9, 0, 60_000), 'ended', 'later waits answer at once');
    assert.equal(await waiters.waitFor(1, undefined, 60_000), 'ready', 'what exists is still ready');
  });

  it('bounds held requests per stream across renditions ("busy"), and honours abort', async () => {
    const stream = new StreamWaiters({ maxWaiters: 2 });
    const a = feeder();
    const b = feeder();
    a.to(2500);
    b.to(2500);
    const wa = stream.rendition('source', a.seg);
    assert.equal(stream.rendition('source', a.seg), wa, 'one registry per rendition');
    const wb = stream.rendition('360p', b.seg);
    const controller = new AbortController();
    const first = wa.waitFor(3, 0, 60_000, controller.signal);
    const second = wb.waitFor(3, 0, 60_000);
    assert.equal(await wb.waitFor(3, 0, 60_000), 'busy');
    assert.equal(stream.size, 2);
    controller.abort();
    assert.equal(await first, 'aborted');
    assert.equal(stream.budget.used, 1);
    const third = wa.waitFor(3, 0, 60_000);
    stream.close();
    assert.deepEqual(await Promise.all([second, third]), ['ended', 'ended']);
    assert.equal(stream.size, 0);
    assert.equal(stream.budget.used, 0);
  });

  it('keeps one StreamWaiters per stream object', () => {
    const s1 = {};
    const s2 = {};
    assert.equal(streamWaiters(s1), streamWaiters(s1));
    assert.notEqual(streamWaiters(s1), streamWaiters(s2));
  });

  it('derives the reload view from a segmenter', () => {
    const f = feeder();
    f.to(2500);
    assert.deepEqual(reloadViewOf(f.seg), {
      ended: false,
      lastSegment: 0,
      lastPart: { msn: 1, part: 0 },
      partTargetMs: 334,
      targetDurationS: 2,
    });
  });
});
