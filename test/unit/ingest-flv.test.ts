// FLV tag bodies → tags, AVCDecoderConfigurationRecord → VideoTrackInfo, aggregate messages, and the
// media sink that turns them into session calls (including Enhanced RTMP and unsupported codecs).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachAggregateTag } from '../../src/media/ingest/aggregate.js';
import { parseAvcConfig, videoTrackInfo } from '../../src/media/ingest/avc-config.js';
import { BitstreamError } from '../../src/media/ingest/errors.js';
import { parseAudioTag, parseVideoTag } from '../../src/media/ingest/flv.js';
import { MediaSink } from '../../src/media/ingest/media-sink.js';
import type { RtmpMessage } from '../../src/media/ingest/chunk-reader.js';
import { encodeAmf0 } from '../../src/media/ingest/amf0-encode.js';
import { EcmaArray } from '../../src/media/ingest/amf0.js';
import { RecordedSession } from './fixtures/ingest/recorder.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** SPS/PPS of a libx264 640x360 high-profile encode. */
const SPS = '6764001eacd940a02ff970110000030001000003003c0f162d96';
const PPS = '68ef8fcb';
const spsLen = (SPS.length / 2).toString(16).padStart(4, '0');
const RECORD = hex(`01 64001e ff e1 ${spsLen} ${SPS} 01 0004 ${PPS}`);

describe('FLV video tags', () => {
  it('AVC sequence header, NALU with signed composition time, end of sequence', () => {
    assert.deepEqual(parseVideoTag(Buffer.concat([hex('1700000000'), RECORD])), { kind: 'config', record: RECORD });
    assert.deepEqual(parseVideoTag(hex('1701000021 00000002 6588')),
      { kind: 'frame', keyframe: true, cts: 0x21, data: hex('00000002 6588') });
    assert.deepEqual(parseVideoTag(hex('2701ffffdf 00000001 41')),
      { kind: 'frame', keyframe: false, cts: -33, data: hex('00000001 41') });
    assert.deepEqual(parseVideoTag(hex('1702000000')), { kind: 'ignore' });
    assert.deepEqual(parseVideoTag(hex('5700')), { kind: 'ignore' }, 'video info/command frame');
  });

  it('non-AVC legacy codecs are unsupported, with a recognisable name', () => {
    for (const [b0, name] of [[0x12, 'Sorenson'], [0x14, 'VP6'], [0x1c, 'HEVC']] as const) {
      const tag = parseVideoTag(Buffer.of(b0, 0, 0, 0, 0));
      assert.equal(tag.kind, 'unsupported');
      assert.match((tag as { description: string }).description, new RegExp(name));
    }
  });

  it('Enhanced RTMP hvc1 / av01 / vp09 are unsupported; avc1 is accepted', () => {
    for (const [fourcc, name] of [['hvc1', 'HEVC'], ['av01', 'AV1'], ['vp09', 'VP9']] as const) {
      const tag = parseVideoTag(Buffer.concat([Buffer.of(0x90), Buffer.from(fourcc), hex('0000')]));
      assert.equal(tag.kind, 'unsupported');
      assert.match((tag as { description: string }).description, new RegExp(`${name}.*Enhanced RTMP`));
    }
    const ex = (b0: number, rest: string): Buffer => Buffer.concat([Buffer.of(b0), Buffer.from('avc1'), hex(rest)]);
    assert.deepEqual(parseVideoTag(ex(0x90, RECORD.toString('hex'))), { kind: 'config', record: RECORD });
    assert.deepEqual(parseVideoTag(ex(0x91, '000042 0000000165')), { kind: 'frame', keyframe: true, cts: 0x42, data: hex('0000000165') });
    assert.deepEqual(parseVideoTag(ex(0xa3, '0000000141')), { kind: 'frame', keyframe: false, cts: 0, data: hex('0000000141') });
    assert.equal(parseVideoTag(ex(0x96, '00')).kind, 'unsupported', 'multitrack');
  });

  it('truncated AVC headers throw BitstreamError', () => {
    assert.throws(() => parseVideoTag(hex('1701')), BitstreamError);
    assert.throws(() => parseVideoTag(hex('9068')), BitstreamError);
  });
});

describe('FLV audio tags', () => {
  it('AAC config and raw frames', () => {
    assert.deepEqual(parseAudioTag(hex('af00 1190')), { kind: 'config', asc: hex('1190') });
    assert.deepEqual(parseAudioTag(hex('af01 2110')), { kind: 'frame', data: hex('2110') });
  });

  it('MP3, Speex, PCM and Enhanced RTMP Opus/AC-3/FLAC are unsupported', () => {
    for (const [bytes, name] of [
      [hex('2f00'), 'MP3'], [hex('b600'), 'Speex'], [hex('3f00'), 'PCM'],
      [Buffer.concat([hex('90'), Buffer.from('Opus')]), 'Opus'], [Buffer.concat([hex('90'), Buffer.from('ac-3')]), 'AC-3'],
      [Buffer.concat([hex('91'), Buffer.from('fLaC')]), 'FLAC'],
    ] as const) {
      const tag = parseAudioTag(bytes);
      assert.equal(tag.kind, 'unsupported', name);
      assert.match((tag as { description: string }).description, new RegExp(name));
    }
  });

  it('Enhanced RTMP mp4a is AAC', () => {
    assert.deepEqual(parseAudioTag(Buffer.concat([hex('90'), Buffer.from('mp4a'), hex('1190')])), { kind: 'config', asc: hex('1190') });
  });
});

describe('AVCDecoderConfigurationRecord', () => {
  it('yields SPS/PPS views, NAL length size and the SPS-derived track info', () => {
    assert.deepEqual(parseAvcConfig(RECORD), { nalLengthSize: 4, sps: [hex(SPS)], pps: [hex(PPS)] });
    const info = videoTrackInfo(RECORD, 30);
    assert.equal(info.width, 640);
    assert.equal(info.height, 360);
    assert.equal(info.codecString, 'avc1.64001e');
    assert.equal(info.frameRate, 30);
    assert.equal(info.decoderConfig, RECORD, 'kept as received');
  });

  it('rejects truncated or empty records', () => {
    assert.throws(() => parseAvcConfig(RECORD.subarray(0, 20)), BitstreamError);
    assert.throws(() => parseAvcConfig(hex('0164001effe000')), /without an SPS/);
    assert.throws(() => parseAvcConfig(hex('0264001effe100')), /version/);
  });
});

describe('aggregate messages', () => {
  it('splits sub-tags and rebases their timestamps', () => {
    const tag = (type: number, ts: number, body: string): string =>
      type.toString(16).padStart(2, '0') + (body.length / 2).toString(16).padStart(6, '0') +
      (ts & 0xffffff).toString(16).padStart(6, '0') + (ts >>> 24).toString(16).padStart(2, '0') + '000000' + body +
      (11 + body.length / 2).toString(16).padStart(8, '0');
    const split = (bytes: Buffer, ts: number): [number, number, string][] => {
      const out: [number, number, string][] = [];
      forEachAggregateTag(bytes, ts, (type, timestamp, body) => out.push([type, timestamp, body.toString('hex')]));
      return out;
    };
    assert.deepEqual(split(hex(tag(9, 1000, 'aa') + tag(8, 1020, 'bbcc')), 5000), [[9, 5000, 'aa'], [8, 5020, 'bbcc']]);
    assert.throws(() => split(hex('09000010'), 0), BitstreamError);
    // A truncated tail delivers nothing, not the tags before it.
    assert.throws(() => split(hex(tag(9, 1000, 'aa') + '0900'), 0), BitstreamError);
    const seen: number[] = [];
    assert.throws(() => forEachAggregateTag(hex(tag(9, 1000, 'aa') + '0900'), 0, (type) => seen.push(type)));
    assert.deepEqual(seen, []);
    // A run of empty tags is refused as a whole rather than visited a million times.
    const empty = hex(tag(9, 0, ''));
    assert.throws(() => split(Buffer.concat(Array.from({ length: 1025 }, () => empty)), 0), /more than 1024 tags/);
    assert.equal(split(Buffer.concat(Array.from({ length: 1024 }, () => empty)), 0).length, 1024);
  });
});

describe('MediaSink', () => {
  const msg = (type: number, timestamp: number, payload: Buffer): RtmpMessage => ({ type, streamId: 1, timestamp, csid: 4, payload });

  it('skips data messages that do not decode or exceed the AMF0 limits, and keeps going', () => {
    const s = new RecordedSession({ app: 'app', streamKey: 'k', remoteAddress: '', secure: false }, null as never);
    const sink = new MediaSink(s, () => assert.fail('no unsupported'));
    const manyNulls = Buffer.concat([encodeAmf0('@setDataFrame', 'onMetaData'), hex('0a00002000'), Buffer.alloc(0x2000, 5)]);
    sink.handle(msg(18, 0, hex('021100')), 1); // truncated string
    sink.handle(msg(18, 0, hex('11 0a0b01')), 1); // AMF3 marker inside AMF0
    sink.handle(msg(18, 0, manyNulls), 1); // 8192 values: over the data limit
    sink.handle(msg(18, 0, encodeAmf0('@setDataFrame', 'onMetaData', new EcmaArray({ width: 640 }))), 1);
    assert.equal(sink.skippedData, 3);
    assert.deepEqual(s.meta, [{ width: 640 }]);
  });

  it('delivers metadata, configs and access units; drops frames before their config', () => {
    const s = new RecordedSession({ app: 'app', streamKey: 'k', remoteAddress: '', secure: false }, null as never);
    const sink = new MediaSink(s, () => assert.fail('no unsupported'));
    sink.handle(msg(18, 0, encodeAmf0('@setDataFrame', 'onMetaData', new EcmaArray({ framerate: 25, width: 640 }))), 1);
    sink.handle(msg(9, 0, hex('1701000000 0000000165')), 2); // before config: dropped
    sink.handle(msg(9, 0, Buffer.concat([hex('1700000000'), RECORD])), 3);
    sink.handle(msg(8, 0, hex('af00 1190')), 4);
    sink.handle(msg(9, 40, hex('1701000050 0000000165')), 5);
    sink.handle(msg(8, 42, hex('af01 2110')), 6);
    assert.deepEqual(s.meta, [{ framerate: 25, width: 640 }]);
    assert.equal(s.video[0]!.frameRate, 25);
    assert.equal(s.audio[0]!.sampleRate, 48000);
    assert.deepEqual(s.aus.map((a) => [a.track, a.dts, a.pts, a.keyframe, a.arrival]),
      [['video', 40, 120, true, 5], ['audio', 42, 42, true, 6]]);
  });

  it('reports an unsupported codec once and delivers nothing after it', () => {
    const s = new RecordedSession({ app: 'app', streamKey: 'k', remoteAddress: '', secure: false }, null as never);
    const reports: string[] = [];
    const sink = new MediaSink(s, (d) => reports.push(d));
    sink.handle(msg(8, 0, hex('2f00ff')), 1);
    sink.handle(msg(8, 0, hex('af00 1190')), 1);
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /MP3/);
    assert.equal(s.audio.length, 0);
  });
});
