// Unit tests for viewer counting's bounds (registry/viewers.ts, client-address.ts): a session counts only once it
// refreshes like a player, within per-address and per-network bounds per stream; pending sessions are bounded and
// forgotten; counted ones leave after a minute; NAT'd viewers take freed places; IPv6 clients are their /64.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientBuckets } from '../../src/media/registry/client-address.js';
import { VIEWER_LIMITS, ViewerCounter } from '../../src/media/registry/viewers.js';

/** A player's refreshes: every `everyMs` from `fromMs` to `toMs` inclusive. */
function play(v: ViewerCounter, id: string, address: string, fromMs: number, toMs: number, everyMs = 2_000): void {
  for (let t = fromMs; t <= toMs; t += everyMs) v.seen(id, address, t);
}

describe('clientBuckets', () => {
  it('IPv4: the address within its /24; IPv4-mapped IPv6 is IPv4', () => {
    assert.deepEqual(clientBuckets('203.0.113.7'), { address: '4/203.0.113.7', network: '4/203.0.113' });
    assert.deepEqual(clientBuckets('::ffff:203.0.113.7'), clientBuckets('203.0.113.7'));
    assert.deepEqual(clientBuckets('::FFFF:203.0.113.7'), clientBuckets('203.0.113.7'));
  });

  it('IPv6: the /64 within its /48, whatever the spelling and zone', () => {
    const a = clientBuckets('2001:db8:1:2:aaaa::1');
    assert.deepEqual(a, { address: '6/2001:db8:1:2', network: '6/2001:db8:1' });
    assert.deepEqual(clientBuckets('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'), a);
    assert.deepEqual(clientBuckets('2001:db8:1:2::7%eth0'), a);
    assert.deepEqual(clientBuckets('2001:db8::'), { address: '6/2001:db8:0:0', network: '6/2001:db8:0' });
    assert.deepEqual(clientBuckets('::1'), { address: '6/0:0:0:0', network: '6/0:0:0' });
    assert.deepEqual(clientBuckets('64:ff9b::192.0.2.1'), { address: '6/64:ff9b:0:0', network: '6/64:ff9b:0' });
    assert.notDeepEqual(clientBuckets('2001:db8:1:3::1'), a);
  });

  it('anything else is a bucket of its own, bounded in length; none at all is one bucket', () => {
    const long = clientBuckets('x'.repeat(10_000));
    assert.ok(long.address.length <= 70 && long.network !== long.address);
    assert.deepEqual(clientBuckets(undefined), clientBuckets(''));
  });
});

describe('ViewerCounter bounds', () => {
  it('a session counts once it refreshed like a player: enough requests over enough time', () => {
    const v = new ViewerCounter();
    v.seen('s', '10.0.0.1', 0);
    v.seen('s', '10.0.0.1', 100);
    v.seen('s', '10.0.0.1', 200);
    assert.equal(v.count(200), 0, 'three requests within 200 ms: a script, not a player yet');
    v.seen('s', '10.0.0.1', VIEWER_LIMITS.countAfterMs - 1);
    assert.equal(v.count(VIEWER_LIMITS.countAfterMs - 1), 0);
    v.seen('s', '10.0.0.1', VIEWER_LIMITS.countAfterMs);
    assert.equal(v.count(VIEWER_LIMITS.countAfterMs), 1);
    const w = new ViewerCounter();
    w.seen('t', '10.0.0.1', 0);
    w.seen('t', '10.0.0.1', 10_000);
    assert.equal(w.count(10_000), 0, 'two requests are not enough, however far apart');
  });

  it('a new player counts within 15 s (NORMAL: one reload per 2 s target duration) and leaves within about a minute', () => {
    const v = new ViewerCounter();
    play(v, 's', '10.0.0.1', 0, 30_000);
    let countedAt: number | undefined;
    const w = new ViewerCounter();
    for (let t = 0; t <= 15_000 && countedAt === undefined; t += 2_000) {
      w.seen('s', '10.0.0.1', t);
      if (w.count(t) === 1) countedAt = t;
    }
    assert.ok(countedAt !== undefined && countedAt <= 15_000, `counted at ${countedAt}`);
    assert.equal(v.count(30_000 + VIEWER_LIMITS.activeWindowMs), 1);
    assert.equal(v.count(30_000 + VIEWER_LIMITS.activeWindowMs + 1_001), 0);
  });

  it('one client address counts at most perAddress sessions; the rest play uncounted and take freed places', () => {
    const v = new ViewerCounter();
    const n = VIEWER_LIMITS.perAddress;
    for (let i = 0; i < n + 5; i++) play(v, `s${i}`, '198.51.100.9', 0, 10_000);
    assert.equal(v.count(10_000), n);
    // Other clients are unaffected.
    play(v, 'other', '198.51.100.10', 0, 10_000);
    assert.equal(v.count(10_000), n + 1);
    // One counted session leaves (stops refreshing); an uncounted one behind the same NAT takes its place.
    for (let i = 1; i < n + 5; i++) play(v, `s${i}`, '198.51.100.9', 12_000, 80_000);
    play(v, 'other', '198.51.100.10', 12_000, 80_000);
    assert.equal(v.count(80_000), n + 1);
    assert.equal(v.tracked, n + 5, 's0 was forgotten');
  });

  it('one network counts at most perNetwork sessions, however many addresses it uses (IPv6 /64s of one /48)', () => {
    const v = new ViewerCounter();
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < VIEWER_LIMITS.perAddress; j++)
        play(v, `s${i}.${j}`, `2001:db8:7:${i.toString(16)}::${j + 1}`, 0, 10_000);
    }
    assert.equal(v.count(10_000), VIEWER_LIMITS.perNetwork);
    // Addresses within one /64 are one client.
    const w = new ViewerCounter();
    for (let j = 0; j < 100; j++) play(w, `s${j}`, `2001:db8:7:1::${(j + 1).toString(16)}`, 0, 10_000);
    assert.equal(w.count(10_000), VIEWER_LIMITS.perAddress);
  });

  it('sessions not counted yet are bounded per client and forgotten when they stop refreshing', () => {
    const v = new ViewerCounter();
    for (let i = 0; i < 1_000; i++) v.seen(`p${i}`, '192.0.2.1', i);
    assert.equal(v.tracked, VIEWER_LIMITS.pendingPerAddress);
    v.count(1_000 + VIEWER_LIMITS.pendingIdleMs + 1);
    assert.equal(v.tracked, 0);
    // With the pending places free again, a real player from that address counts.
    play(v, 'player', '192.0.2.1', 20_000, 30_000);
    assert.equal(v.count(30_000), 1);
  });

  it('tracks at most maxTracked sessions per stream, counted or not', () => {
    const v = new ViewerCounter({ maxTracked: 100 });
    for (let i = 0; i < 300; i++) v.seen(`s${i}`, `10.${i >> 8}.${i & 255}.1`, 0);
    assert.equal(v.tracked, 100);
  });
});
