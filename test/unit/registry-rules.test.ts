// Unit tests for the live registry's pure rules: health (starvation), viewer counting, ingest
// limits, wrong-key throttling and PutMetadata rate windows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthMonitor } from '../../src/media/registry/health.js';
import { ViewerCounter } from '../../src/media/registry/viewers.js';
import { bitrateBreach, limitsFor, resolutionBreach } from '../../src/media/registry/limits.js';
import { KeyThrottle } from '../../src/media/publish-authorization/key-throttle.js';
import { RateWindow } from '../../src/media/registry/metadata-throttle.js';

describe('HealthMonitor', () => {
  it('stays HEALTHY while media keeps pace with the wall clock', () => {
    const h = new HealthMonitor(0);
    for (let t = 0; t <= 20_000; t += 100) {
      h.onMedia(t, t);
      assert.equal(h.evaluate(t), undefined);
    }
    assert.equal(h.state, 'HEALTHY');
  });

  it('goes STARVING when media stops, and HEALTHY when it resumes', () => {
    const h = new HealthMonitor(0);
    for (let t = 0; t <= 10_000; t += 100) h.onMedia(t, t);
    assert.equal(h.evaluate(12_000), undefined);
    assert.equal(h.evaluate(14_000), 'STARVING');
    for (let t = 14_100; t <= 24_000; t += 100) h.onMedia(t, t);
    assert.equal(h.evaluate(24_000), 'HEALTHY');
  });

  it('goes STARVING when media arrives slower than real time', () => {
    const h = new HealthMonitor(0);
    let media = 0;
    let change;
    for (let t = 0; t <= 20_000; t += 100) {
      media += 50; // half speed
      h.onMedia(t, media);
      change = h.evaluate(t) ?? change;
    }
    assert.equal(change, 'STARVING');
  });

  it('a timestamp jump reset does not read as starvation', () => {
    const h = new HealthMonitor(0);
    for (let t = 0; t <= 10_000; t += 100) h.onMedia(t, t);
    h.resetTimeline();
    for (let t = 10_100; t <= 20_000; t += 100) h.onMedia(t, t - 10_100);
    assert.equal(h.evaluate(20_000), undefined);
    assert.equal(h.state, 'HEALTHY');
  });
});

describe('ViewerCounter', () => {
  it('counts distinct player-like sessions seen within a minute (see registry-viewers.test.ts for the bounds)', () => {
    const v = new ViewerCounter();
    for (const t of [0, 2_000, 4_000]) v.seen('a', '10.0.0.1', t);
    for (const t of [1_000, 3_000, 5_000]) v.seen('b', '10.0.0.2', t);
    v.seen('a', '10.0.0.1', 6_000);
    assert.equal(v.count(6_000), 2);
    assert.equal(v.count(65_500), 1); // b left, a seen at 6 s is still within the minute
    assert.equal(v.count(67_001), 0);
  });
});

describe('ingest limits', () => {
  it('BASIC and STANDARD accept up to 1080p, either orientation', () => {
    for (const type of ['BASIC', 'STANDARD']) {
      assert.equal(resolutionBreach(limitsFor(type), 1920, 1080), undefined);
      assert.equal(resolutionBreach(limitsFor(type), 1080, 1920), undefined);
      assert.equal(resolutionBreach(limitsFor(type), 2560, 1440)?.limitName, 'Ingest Resolution');
    }
  });

  it('bitrate: BASIC 3.5 Mbps, STANDARD 8.5 Mbps, with a 20% burst tolerance', () => {
    assert.equal(bitrateBreach(limitsFor('BASIC'), 4_000_000), undefined);
    assert.equal(bitrateBreach(limitsFor('BASIC'), 4_300_000)?.limitValue, 3_500_000);
    assert.equal(bitrateBreach(limitsFor('STANDARD'), 8_500_000), undefined);
    assert.equal(bitrateBreach(limitsFor('STANDARD'), 11_000_000)?.exceededBy, 2_500_000);
  });
});

describe('KeyThrottle', () => {
  it('blocks an address after repeated failures, per address, for the window', () => {
    const t = new KeyThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) t.recordFailure('10.0.0.1', 0);
    assert.equal(t.isBlocked('10.0.0.1', 1_000), true);
    assert.equal(t.isBlocked('10.0.0.2', 1_000), false);
    assert.equal(t.isBlocked('10.0.0.1', 61_000), false);
  });
});

describe('RateWindow', () => {
  it('allows N calls per second per key and frees them as the window slides', () => {
    const r = new RateWindow(1_000);
    for (let i = 0; i < 5; i++) assert.equal(r.tryAcquire('ch', 5, i * 10), true);
    assert.equal(r.tryAcquire('ch', 5, 100), false);
    assert.equal(r.tryAcquire('other', 5, 100), true);
    assert.equal(r.tryAcquire('ch', 5, 1_001), true);
  });
});
