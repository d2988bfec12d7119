// Unit tests for the per-client shares of held requests (deliver/held-requests.ts): a client address and its network
// each hold a bounded number of requests per stream, streams are counted apart, and a share frees as responses close.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { HttpResponse } from '../../src/http-types.js';
import { HELD_LIMITS, HeldRequests } from '../../src/media/deliver/held-requests.js';

/** Only 'close' matters to HeldRequests: an emitter stands in for the response. */
const response = () => new EventEmitter() as unknown as HttpResponse & EventEmitter;

describe('HeldRequests', () => {
  it('one address holds at most perAddress requests per stream; others and other streams are unaffected', () => {
    const held = new HeldRequests();
    const stream = {};
    const open: Array<HttpResponse & EventEmitter> = [];
    for (let i = 0; i < HELD_LIMITS.perAddress; i++) {
      const res = response();
      assert.equal(held.admit(stream, '198.51.100.7', res), true);
      open.push(res);
    }
    assert.equal(held.admit(stream, '198.51.100.7', response()), false);
    assert.equal(held.admit(stream, '::ffff:198.51.100.7', response()), false, 'the same client, IPv4-mapped');
    assert.equal(held.admit(stream, '198.51.100.8', response()), true, 'another address of the network');
    assert.equal(held.admit({}, '198.51.100.7', response()), true, 'another stream');
    open[0]!.emit('close');
    assert.equal(held.inFlight(stream, '198.51.100.7'), HELD_LIMITS.perAddress - 1);
    assert.equal(held.admit(stream, '198.51.100.7', response()), true, 'a closed response frees its place');
  });

  it('one network holds at most perNetwork, however many addresses (IPv6 /64s of one /48)', () => {
    const held = new HeldRequests();
    const stream = {};
    let admitted = 0;
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < HELD_LIMITS.perAddress; j++) if (held.admit(stream, `2001:db8:5:${i.toString(16)}::${j + 1}`, response())) admitted++;
    }
    assert.equal(admitted, HELD_LIMITS.perNetwork);
    assert.equal(held.admit(stream, '2001:db8:6::1', response()), true, 'another /48');
  });
});
