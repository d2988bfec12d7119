// Unit tests for viewer session ids (deliver/auth/viewer-session.ts): only ids minted here, for this stream, with
// their MAC intact and not too old to start counting, are accepted; the shape is a 32-character base64url query value.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bindingOf } from '../../src/media/deliver/auth/credential.js';
import {
  START_WINDOW_S,
  VIEWER_SESSION_LENGTH,
  ViewerSessions,
  viewerSessionKey,
} from '../../src/media/deliver/auth/viewer-session.js';

const secret = randomBytes(32);
const sessions = new ViewerSessions(viewerSessionKey(secret));
const stream = bindingOf('us-west-2.000000000000.channel.AbCdEfGhIjKl', 'st-AAAAAAAAAAAAAAAAAAAAAAA');
const other = bindingOf('us-west-2.000000000000.channel.AbCdEfGhIjKl', 'st-BBBBBBBBBBBBBBBBBBBBBBB');
const T = 1_800_000_000_000;

describe('ViewerSessions', () => {
  it('mints distinct 32-character base64url ids that verify for their stream only', () => {
    const a = sessions.mint(stream, T);
    const b = sessions.mint(stream, T);
    assert.equal(a.length, VIEWER_SESSION_LENGTH);
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, b);
    assert.equal(sessions.verify(stream, a, T), true);
    assert.equal(sessions.verify(other, a, T), false, 'bound to the stream');
    assert.equal(new ViewerSessions(viewerSessionKey(randomBytes(32))).verify(stream, a, T), false, 'bound to the secret');
    assert.equal(new ViewerSessions(secret).verify(stream, a, T), false, 'the key is derived, not the secret itself');
  });

  it('refuses made-up, tampered, truncated, padded and oddly spelled ids', () => {
    const id = sessions.mint(stream, T);
    const flip = (i: number) => id.slice(0, i) + (id[i] === 'A' ? 'B' : 'A') + id.slice(i + 1);
    for (let i = 0; i < id.length; i++) assert.equal(sessions.verify(stream, flip(i), T), false, `character ${i} changed`);
    for (const bad of [
      '',
      'abcdefghij123456',
      id.slice(0, -1),
      `${id}A`,
      `${id}=`,
      id.replace(/./, '+'),
      'A'.repeat(32),
      ' '.repeat(32),
      'é'.repeat(32),
      id.repeat(1000),
    ]) {
      assert.equal(sessions.verify(stream, bad, T), false, JSON.stringify(bad.slice(0, 40)));
    }
  });

  it('an id may start counting within START_WINDOW_S of its issue, not before it (beyond a minute of skew) or after', () => {
    const id = sessions.mint(stream, T);
    assert.equal(sessions.verify(stream, id, T + START_WINDOW_S * 1000), true);
    assert.equal(sessions.verify(stream, id, T + (START_WINDOW_S + 1) * 1000), false);
    assert.equal(sessions.verify(stream, id, T - 59_000), true);
    assert.equal(sessions.verify(stream, id, T - 61_000), false);
  });
});
