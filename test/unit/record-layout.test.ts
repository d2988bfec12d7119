// Recording layout, selection, playlists, metadata files and journal replay (pure modules of media/record).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import HLS from 'hls-parser';
import type { types as hlsTypes } from 'hls-parser';
import { RecordingKeys, recordingPrefix, renditionName } from '../../src/media/record/layout.js';
import {
  recordedByteRangePlaylist,
  recordedMediaPlaylist,
  recordedMultivariant,
} from '../../src/media/record/recorded-playlists.js';
import { recordingEndedJson, recordingStartedJson } from '../../src/media/record/metadata-files.js';
import { replay, type JournalEntry, type RecordingMeta } from '../../src/media/record/journal.js';
import { candidatesFor, selectRenditions, type Candidate } from '../../src/media/record/selection.js';
import { thumbnailPlan, thumbnailSize } from '../../src/media/record/thumbnails.js';
import type { RecordedFile, RecordedRendition } from '../../src/media/record/model.js';

const piece = (offset: number, length: number, durationMs: number) => ({ offset, length, durationMs });
const files: RecordedFile[] = [
  {
    n: 0,
    discontinuity: false,
    pieces: [
      piece(0, 1000, 2000),
      piece(1000, 1200, 2000),
      piece(2200, 900, 2000),
      piece(3100, 1000, 2000),
      piece(4100, 1100, 2002),
    ],
  },
  { n: 1, discontinuity: false, pieces: [piece(0, 800, 2000), piece(800, 700, 1500)] },
  { n: 2, discontinuity: true, pieces: [piece(0, 1000, 2000)] },
];
const rendition: RecordedRendition = {
  name: '720p30',
  width: 1280,
  height: 720,
  frameRate: 30,
  codecs: 'avc1.64001f,mp4a.40.2',
  files,
};

describe('record: layout', () => {
  it('prefix is ivs/v1/<account>/<channel>/<y>/<m>/<d>/<h>/<min>/<id> in UTC without zero padding', () => {
    const at = new Date('2020-06-03T04:05:59.999Z');
    assert.equal(
      recordingPrefix('123456789012', 'AsXego4U6tnj', 'j8Z9O91ndcVs', at),
      'ivs/v1/123456789012/AsXego4U6tnj/2020/6/3/4/5/j8Z9O91ndcVs',
    );
    assert.equal(recordingPrefix('1', 'c', 'r', new Date('2021-12-31T23:00:00Z')), 'ivs/v1/1/c/2021/12/31/23/0/r');
  });
  it('renditions are named <short side>p<fps>, 30 when unknown', () => {
    assert.equal(renditionName(1280, 720, 30), '720p30');
    assert.equal(renditionName(1920, 1080, 59.94), '1080p60');
    assert.equal(renditionName(720, 1280, 29.97), '720p30');
    assert.equal(renditionName(640, 360, undefined), '360p30');
  });
  it('keys under the prefix', () => {
    const k = new RecordingKeys('ivs/v1/a/c/2020/1/1/0/0/r');
    assert.equal(k.event('recording-ended'), 'ivs/v1/a/c/2020/1/1/0/0/r/events/recording-ended.json');
    assert.equal(k.master(), 'ivs/v1/a/c/2020/1/1/0/0/r/media/hls/master.m3u8');
    assert.equal(k.byteRangeMultivariant(), 'ivs/v1/a/c/2020/1/1/0/0/r/media/hls/byte-range-multivariant.m3u8');
    assert.equal(k.playlist('480p30'), 'ivs/v1/a/c/2020/1/1/0/0/r/media/hls/480p30/playlist.m3u8');
    assert.equal(k.byteRangeVariant('480p30'), 'ivs/v1/a/c/2020/1/1/0/0/r/media/hls/480p30/byte-range-variant.m3u8');
    assert.equal(k.segment('480p30', 7), 'ivs/v1/a/c/2020/1/1/0/0/r/media/hls/480p30/7.ts');
    assert.equal(k.thumbnail('480p30', 3), 'ivs/v1/a/c/2020/1/1/0/0/r/media/thumbnails/480p30/thumb3.jpg');
    assert.equal(k.latestThumbnail(), 'ivs/v1/a/c/2020/1/1/0/0/r/media/latest_thumbnail/thumb.jpg');
  });
});

describe('record: rendition selection and thumbnails', () => {
  const c = (name: string, width: number, height: number): Candidate => ({ key: name, name, width, height, frameRate: 30 });
  const ladder = [
    c('1080p30', 1920, 1080),
    c('720p30', 1280, 720),
    c('480p30', 852, 480),
    c('360p30', 640, 360),
    c('160p30', 284, 160),
  ];
  const cfg = (renditionSelection: string, renditions?: string[]) => ({
    renditionConfiguration: { renditionSelection, renditions },
  });
  it('ALL records every rendition, NONE none, CUSTOM the listed heights or the best below', () => {
    assert.equal(selectRenditions(cfg('ALL'), ladder).length, 5);
    assert.deepEqual(selectRenditions({}, ladder).length, 5, 'ALL is the default');
    assert.deepEqual(selectRenditions(cfg('NONE'), ladder), []);
    assert.deepEqual(
      selectRenditions(cfg('CUSTOM', ['SD', 'LOWEST_RESOLUTION']), ladder).map((x) => x.name),
      ['480p30', '160p30'],
    );
    assert.deepEqual(
      selectRenditions(cfg('CUSTOM', ['FULL_HD']), ladder.slice(1)).map((x) => x.name),
      ['720p30'],
      'best available below',
    );
    assert.deepEqual(
      selectRenditions(cfg('CUSTOM', ['HD', 'SD']), [c('360p30', 640, 360)]).map((x) => x.name),
      ['360p30'],
      'BASIC: the source',
    );
  });
  it('candidates: STANDARD records its source and live rungs; ADVANCED its own ladder, without source or audio-only', () => {
    const video = { codecString: 'avc1.64001f', width: 1280, height: 720, frameRate: 30 } as Parameters<typeof candidatesFor>[0];
    const names = (keys: string[], channel?: { type: string; preset?: string }) =>
      candidatesFor(video, keys, 'source', channel).map((x) => `${x.key}:${x.name}`);
    assert.deepEqual(names(['source', '480p30', '360p30', '160p30']), [
      'source:720p30',
      '480p30:480p30',
      '360p30:360p30',
      '160p30:160p30',
    ]);
    const advanced = ['source', '480p30', '360p30', '160p30', 'audio_only'];
    assert.deepEqual(names(advanced, { type: 'ADVANCED_SD', preset: 'CONSTRAINED_BANDWIDTH_DELIVERY' }), [
      '480p30:480p30',
      '360p30:360p30',
      '160p30:160p30',
    ]);
    assert.deepEqual(names(['source', '720p30', '480p30', 'audio_only'], { type: 'ADVANCED_HD' }), [
      '720p30:720p30',
      '480p30:480p30',
    ]);
    assert.deepEqual(names(['source'], { type: 'ADVANCED_HD' }), ['source:720p30'], 'no ladder (no ffmpeg): the source');
  });
  it('thumbnail plan and size (downscale only, even width)', () => {
    assert.deepEqual(thumbnailPlan({}), { intervalMs: 60_000, sequential: true, latest: false, maxHeight: undefined });
    assert.equal(thumbnailPlan({ thumbnailConfiguration: { recordingMode: 'DISABLED' } }), undefined);
    assert.deepEqual(
      thumbnailPlan({
        thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 5, storage: ['LATEST'], resolution: 'SD' },
      }),
      { intervalMs: 5_000, sequential: false, latest: true, maxHeight: 480 },
    );
    assert.deepEqual(thumbnailSize(1280, 720, 480), { width: 854, height: 480 });
    assert.deepEqual(thumbnailSize(640, 360, 480), { width: 640, height: 360 });
  });
});

describe('record: playlists', () => {
  it('media playlist: VOD with ENDLIST, ~10 s files, discontinuity; EVENT while live', () => {
    const text = recordedMediaPlaylist(files, true);
    const p = HLS.parse(text) as hlsTypes.MediaPlaylist;
    assert.equal(p.playlistType, 'VOD');
    assert.equal(p.endlist, true);
    assert.equal(p.targetDuration, 11);
    assert.deepEqual(
      p.segments.map((s) => [s.uri, s.duration, s.discontinuity === true]),
      [
        ['0.ts', 10.002, false],
        ['1.ts', 3.5, false],
        ['2.ts', 2, true],
      ],
    );
    const live = HLS.parse(recordedMediaPlaylist(files.slice(0, 1), false)) as hlsTypes.MediaPlaylist;
    assert.equal(live.playlistType, 'EVENT');
    assert.equal(live.endlist, false);
  });
  it('byte-range playlist: one entry per piece, ranges contiguous per file', () => {
    const p = HLS.parse(recordedByteRangePlaylist(files, true)) as hlsTypes.MediaPlaylist;
    assert.equal(p.segments.length, 8);
    assert.deepEqual(p.segments[1]!.byterange, { length: 1200, offset: 1000 });
    assert.equal(p.segments[5]!.uri, '1.ts');
    assert.deepEqual(p.segments[5]!.byterange, { length: 800, offset: 0 });
    assert.equal(p.segments[7]!.discontinuity, true);
    assert.equal(p.version, 4);
    assert.ok(recordedByteRangePlaylist(files, true).includes('#EXT-X-BYTERANGE:1200@1000'));
  });
  it('multivariant: BANDWIDTH, RESOLUTION, FRAME-RATE, CODECS; highest first', () => {
    const low: RecordedRendition = { ...rendition, name: '360p30', width: 640, height: 360, files: files.slice(0, 1) };
    const m = HLS.parse(recordedMultivariant([low, rendition], false)) as hlsTypes.MasterPlaylist;
    assert.deepEqual(
      m.variants.map((v) => v.uri),
      ['720p30/playlist.m3u8', '360p30/playlist.m3u8'],
    );
    const v = m.variants[0]!;
    assert.deepEqual(v.resolution, { width: 1280, height: 720 });
    assert.equal(v.frameRate, 30);
    assert.equal(v.codecs, 'avc1.64001f,mp4a.40.2');
    assert.equal(v.bandwidth, Math.round((5200 * 8 * 1000) / 10002), 'peak over files');
    assert.equal(v.averageBandwidth, Math.round((7700 * 8 * 1000) / 15502));
    const br = HLS.parse(recordedMultivariant([rendition], true)) as hlsTypes.MasterPlaylist;
    assert.equal(br.variants[0]!.uri, '720p30/byte-range-variant.m3u8');
  });
});

describe('record: metadata files', () => {
  const facts = {
    channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AsXego4U6tnj',
    startedAt: new Date('2020-06-12T12:53:26.123Z'),
    renditions: [{ name: '480p30', width: 852, height: 480, frameRate: 30, codecs: '' }],
    thumbnails: { width: 852, height: 480 },
    latestThumbnail: { width: 852, height: 480 },
  };
  it('recording-ended.json has exactly the IVS shape', () => {
    const json = recordingEndedJson(facts, { endedAt: new Date('2020-06-14T12:53:20Z'), durationMs: 172794489 });
    assert.deepEqual(json, {
      version: 'v1',
      channel_arn: facts.channelArn,
      recording_started_at: '2020-06-12T12:53:26Z',
      recording_ended_at: '2020-06-14T12:53:20Z',
      recording_status: 'RECORDING_ENDED',
      media: {
        hls: {
          duration_ms: 172794489,
          path: 'media/hls',
          playlist: 'master.m3u8',
          byte_range_playlist: 'byte-range-multivariant.m3u8',
          renditions: [
            {
              path: '480p30',
              playlist: 'playlist.m3u8',
              byte_range_playlist: 'byte-range-variant.m3u8',
              resolution_height: 480,
              resolution_width: 852,
            },
          ],
        },
        thumbnails: { path: 'media/thumbnails', resolution_height: 480, resolution_width: 852 },
        latest_thumbnail: { path: 'media/latest_thumbnail/thumb.jpg', resolution_height: 480, resolution_width: 852 },
      },
    });
  });
  it('started has no end or duration; failed carries the status message; NONE has no hls', () => {
    const started = recordingStartedJson(facts);
    assert.equal(started.recording_status, 'RECORDING_STARTED');
    assert.equal('recording_ended_at' in started, false);
    assert.equal('duration_ms' in (started.media as { hls: object }).hls, false);
    const failed = recordingEndedJson(
      { ...facts, renditions: [] },
      { endedAt: new Date(0), durationMs: 5, failure: 'disk full' },
    );
    assert.equal(failed.recording_status, 'RECORDING_ENDED_WITH_FAILURE');
    assert.equal(failed.recording_status_message, 'disk full');
    assert.equal('hls' in (failed.media as object), false);
  });
});

describe('record: journal replay', () => {
  const meta: RecordingMeta = {
    recordingId: 'r',
    bucket: 'b',
    prefix: 'p',
    account: 'a',
    region: 'us-west-2',
    channelArn: 'c',
    channelId: 'c',
    channelName: '',
    configArn: 'x',
    startedAt: '2020-01-01T00:00:00.000Z',
  };
  it('rebuilds renditions, files, uploads and the end', () => {
    const entries: JournalEntry[] = [
      { t: 'start', meta },
      { t: 'stream', id: 'st-1' },
      { t: 'rendition', info: { name: '360p30', width: 640, height: 360, frameRate: 30, codecs: 'avc1.64001e' } },
      { t: 'piece', r: '360p30', n: 0, off: 0, len: 10, ms: 2000, disc: false, at: 1000 },
      { t: 'piece', r: '360p30', n: 0, off: 10, len: 20, ms: 2000, disc: false, at: 3000 },
      { t: 'up', r: '360p30', n: 0 },
      { t: 'stream', id: 'st-2' },
      { t: 'piece', r: '360p30', n: 1, off: 0, len: 5, ms: 1000, disc: true, at: Date.parse(meta.startedAt) + 9000 },
      { t: 'started' },
      { t: 'end', at: 12345 },
    ];
    const s = replay(entries)!;
    assert.deepEqual(s.streamIds, ['st-1', 'st-2']);
    const r = s.renditions.get('360p30')!;
    assert.deepEqual(
      r.files.map((f) => [f.n, f.discontinuity, f.pieces.length]),
      [
        [0, false, 2],
        [1, true, 1],
      ],
    );
    assert.deepEqual([...s.uploaded], ['360p30/0']);
    assert.equal(s.announced, true);
    assert.deepEqual(s.end, { at: 12345, failure: undefined });
    assert.equal(s.lastActivity, Date.parse(meta.startedAt) + 10000);
    assert.equal(replay([{ t: 'stream', id: 'x' }]), undefined, 'no start entry: not a recording');
  });
});
