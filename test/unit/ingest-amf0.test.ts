// AMF0 decode/encode: round trips of every supported type, the exact bytes of common RTMP commands, and
// malformed input, which must throw AmfError promptly (no hang, no RangeError, no prototype pollution).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAmf0, EcmaArray, MAX_AMF_DEPTH, type AmfValue } from '../../src/media/ingest/amf0.js';
import { encodeAmf0 } from '../../src/media/ingest/amf0-encode.js';
import { AmfError } from '../../src/media/ingest/errors.js';

describe('AMF0 round trips', () => {
  const cases: [string, AmfValue][] = [
    ['number', 42.5],
    ['negative zero', -0],
    ['NaN', NaN],
    ['boolean true', true],
    ['boolean false', false],
    ['string', 'héllo wörld'],
    ['empty string', ''],
    ['null', null],
    ['undefined', undefined],
    ['object', { app: 'app', nested: { a: 1, b: [1, 'x', null] }, '': 'empty key' }],
    ['strict array', [1, 'two', { three: 3 }, [4]]],
    ['date', new Date(1_700_000_000_123)],
  ];
  for (const [name, value] of cases) {
    it(name, () => assert.deepEqual(decodeAmf0(encodeAmf0(value)), [value]));
  }

  it('long string (> 65535 bytes) uses marker 0x0c', () => {
    const s = 'x'.repeat(70_000);
    const bytes = encodeAmf0(s);
    assert.equal(bytes[0], 0x0c);
    assert.deepEqual(decodeAmf0(bytes), [s]);
  });

  it('ECMA array decodes to a plain object', () => {
    const bytes = encodeAmf0(new EcmaArray({ width: 640, height: 360, stereo: true }));
    assert.equal(bytes[0], 0x08);
    assert.deepEqual(decodeAmf0(bytes), [{ width: 640, height: 360, stereo: true }]);
  });

  it('several values in sequence (a command)', () => {
    const values: AmfValue[] = ['publish', 5, null, 'sk_good', 'live'];
    assert.deepEqual(decodeAmf0(encodeAmf0(...values)), values);
  });

  it('encodes connect exactly as the spec lays it out', () => {
    const bytes = encodeAmf0('connect', 1, { app: 'a' });
    assert.equal(
      bytes.toString('hex'),
      '020007636f6e6e656374' + '003ff0000000000000' + '03' + '0003617070' + '02000161' + '000009',
    );
  });

  it('accepts an ECMA array missing its end marker at the end of input (lenient encoders)', () => {
    const full = encodeAmf0(new EcmaArray({ a: 1 }));
    assert.deepEqual(decodeAmf0(full.subarray(0, full.length - 3)), [{ a: 1 }]);
  });

  it('decodes a typed object as a plain object', () => {
    const bytes = Buffer.concat([Buffer.from('10000143', 'hex'), encodeAmf0({ x: 1 }).subarray(1)]);
    assert.deepEqual(decodeAmf0(bytes), [{ x: 1 }]);
  });

  it('defines __proto__ as an own property instead of changing the prototype', () => {
    const bytes = Buffer.concat([
      Buffer.of(0x03),
      Buffer.from('0009', 'hex'),
      Buffer.from('__proto__'),
      encodeAmf0({ polluted: true }),
      Buffer.from('000009', 'hex'),
    ]);
    const [obj] = decodeAmf0(bytes) as [Record<string, unknown>];
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value, { polluted: true });
  });
});

describe('AMF0 malformed input', () => {
  const bad: [string, Buffer][] = [
    ['truncated number', Buffer.from('00400000', 'hex')],
    ['truncated string length', Buffer.from('0200', 'hex')],
    ['string longer than input', Buffer.from('02ffff6162', 'hex')],
    ['long string longer than input', Buffer.from('0cffffffff61', 'hex')],
    ['object without end', Buffer.from('0300016101', 'hex')],
    ['object key truncated', Buffer.from('030005ab', 'hex')],
    ['boolean without value', Buffer.from('01', 'hex')],
    ['unknown marker', Buffer.from('42', 'hex')],
    ['reference marker', Buffer.from('070001', 'hex')],
    ['AMF3 switch marker', Buffer.from('1101', 'hex')],
    ['strict array count beyond input', Buffer.from('0affffffff05', 'hex')],
    ['truncated date', Buffer.from('0b0000', 'hex')],
    ['lone object end', Buffer.from('09', 'hex')],
  ];
  for (const [name, bytes] of bad) {
    it(name, () => assert.throws(() => decodeAmf0(bytes), AmfError));
  }

  it('limits nesting depth', () => {
    const deep = Buffer.concat([Buffer.from('0a00000001'.repeat(MAX_AMF_DEPTH + 5), 'hex'), Buffer.of(0x05)]);
    assert.throws(() => decodeAmf0(deep), /too deep/);
    const ok = Buffer.concat([Buffer.from('0a00000001'.repeat(MAX_AMF_DEPTH), 'hex'), Buffer.of(0x05)]);
    assert.doesNotThrow(() => decodeAmf0(ok));
  });

  it('never throws anything but AmfError on random input', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 5000; i++) {
      const buf = Buffer.alloc(1 + (i % 40));
      for (let k = 0; k < buf.length; k++) buf[k] = rand();
      try {
        decodeAmf0(buf);
      } catch (err) {
        assert.ok(err instanceof AmfError, `input ${buf.toString('hex')} threw ${String(err)}`);
      }
    }
  });
});
