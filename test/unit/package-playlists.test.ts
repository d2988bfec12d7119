// Playlist renderer and bitrate meter tests: media playlist tags and ordering, target duration rounding,
// discontinuity sequence, ENDLIST, multivariant STREAM-INF attributes and SERVER-TIME, measured and estimated bandwidth.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import HLS from 'hls-parser';
import type { types as hlsTypes } from 'hls-parser';
import { BitrateMeter, estimateBandwidth } from '../../src/media/package/bitrate.js';
import { renderMediaPlaylist, renderMultivariantPlaylist, targetDurationFor } from '../../src/media/package/playlists.js';
import { renditionEntry } from '../../src/media/package/rendition-entry.js';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import type { Segment } from '../../src/media/package/types.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

function segment(sequence: number, durationMs: number, discontinuity = false): Segment {
  return {
    sequence,
    durationMs,
    startDts: sequence * 2000,
    discontinuity,
    independent: true,
    videoFrames: 60,
    programDateTime: new Date(Date.UTC(2024, 0, 1, 0, 0, 0) + sequence * 2000 + 5),
    bytes: Buffer.alloc(0),
  };
}

describe('renderMediaPlaylist', () => {
  it('renders the header, PDT on every segment, discontinuities and ENDLIST', () => {
    const text = renderMediaPlaylist(
      {
        segments: [segment(7, 2000), segment(8, 2002.4, true), segment(9, 1234.5678)],
        mediaSequence: 7,
        discontinuitySequence: 3,
        ended: true,
        independentSegments: true,
      },
      (s) => `seg-${s.sequence}.ts`,
    );
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-DISCONTINUITY-SEQUENCE:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:14.005Z',
        '#EXTINF:2.000,',
        'seg-7.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:16.005Z',
        '#EXTINF:2.002,',
        'seg-8.ts',
        '#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:18.005Z',
        '#EXTINF:1.235,',
        'seg-9.ts',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('omits the discontinuity sequence when 0 and ENDLIST while live', () => {
    const text = renderMediaPlaylist(
      { segments: [segment(0, 2000)], mediaSequence: 0, discontinuitySequence: 0, ended: false },
      () => 'a.ts',
    );
    assert.ok(!text.includes('DISCONTINUITY-SEQUENCE'));
    assert.ok(!text.includes('ENDLIST'));
  });

  it('sets the target duration so every EXTINF rounds to at most it, never below a given floor', () => {
    assert.equal(targetDurationFor([segment(0, 2002), segment(1, 1900)]), 2);
    assert.equal(targetDurationFor([segment(0, 2600)]), 3);
    assert.equal(targetDurationFor([segment(0, 2000)], 4), 4);
    assert.equal(targetDurationFor([]), 1);
  });
});

describe('renderMultivariantPlaylist', () => {
  it('renders one STREAM-INF per rendition with the given URIs', () => {
    const text = renderMultivariantPlaylist({
      independentSegments: true,
      renditions: [
        {
          uri: '720p.m3u8',
          bandwidth: 3_000_123.4,
          averageBandwidth: 2_500_000,
          codecs: ['avc1.64001f', 'mp4a.40.2'],
          width: 1280,
          height: 720,
          frameRate: 30,
        },
        { uri: 'audio.m3u8', bandwidth: 140_000, codecs: ['mp4a.40.2'] },
      ],
    });
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=3000123,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,' +
          'CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000',
        '720p.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS="mp4a.40.2"',
        'audio.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('names an audio-only rendition as IVS does: a VIDEO group `audio_only` without URI, referenced by its variant', () => {
    const text = renderMultivariantPlaylist({
      renditions: [
        { uri: '480p30.m3u8', bandwidth: 1_500_000, codecs: ['avc1.4d401f', 'mp4a.40.2'], width: 852, height: 480 },
        { uri: 'audio_only.m3u8', bandwidth: 70_000, codecs: ['mp4a.40.2'], videoGroup: 'audio_only' },
      ],
    });
    assert.match(text, /\n#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="audio_only",NAME="audio_only",AUTOSELECT=NO,DEFAULT=NO\n/);
    assert.match(text, /#EXT-X-STREAM-INF:BANDWIDTH=70000,CODECS="mp4a\.40\.2",VIDEO="audio_only"\naudio_only\.m3u8\n/);
    const parsed = HLS.parse(text) as hlsTypes.MasterPlaylist;
    assert.equal(parsed.variants.length, 2);
    assert.deepEqual(
      parsed.variants[1]!.video.map((m) => [m.type, m.name, m.uri]),
      [['VIDEO', 'audio_only', undefined]],
    );
  });

  it('writes the server clock as EXT-X-SESSION-DATA SERVER-TIME (seconds) when given, which hls-parser reads', () => {
    const text = renderMultivariantPlaylist({
      serverTimeMs: 1_700_000_000_123,
      renditions: [{ uri: 'a.m3u8', bandwidth: 1, codecs: [] }],
    });
    assert.match(
      text,
      /^#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-SESSION-DATA:DATA-ID="SERVER-TIME",VALUE="1700000000\.123"\n#EXT-X-STREAM-INF:/,
    );
    const parsed = HLS.parse(text) as hlsTypes.MasterPlaylist;
    assert.deepEqual(
      parsed.sessionDataList.map((d) => [d.id, d.value]),
      [['SERVER-TIME', '1700000000.123']],
    );
  });

  it('builds a rendition entry from a segmenter: estimate first, then measured peak', () => {
    const seg = new HlsSegmenter();
    seg.setTracks(videoTrack(), audioTrack());
    const before = renditionEntry(seg, 'x.m3u8');
    assert.equal(before.bandwidth, estimateBandwidth(videoTrack(), audioTrack()));
    assert.deepEqual(before.codecs, ['avc1.64001f', 'mp4a.40.2']);
    for (const u of synthetic({ durationMs: 6000, videoBytes: 10_000 })) seg.push(u);
    const after = renditionEntry(seg, 'x.m3u8');
    const expected = seg.window.listed.reduce((m, s) => Math.max(m, (s.bytes.length * 8000) / s.durationMs), 0);
    assert.equal(after.bandwidth, Math.round(expected));
    assert.ok(after.bandwidth > 10_000 * 8 * 30, 'includes container overhead');
    assert.equal(after.frameRate, 30);
    assert.equal(after.width, 1280);
  });
});

describe('BitrateMeter', () => {
  it('averages over the last N samples and reports the peak', () => {
    const m = new BitrateMeter(2);
    assert.equal(m.average, undefined);
    m.record(250_000, 2000); // 1 Mbit/s
    m.record(750_000, 2000); // 3 Mbit/s
    assert.equal(m.average, 2_000_000);
    assert.equal(m.peak, 3_000_000);
    m.record(250_000, 1000); // 2 Mbit/s; the first sample leaves
    assert.equal(m.average, Math.round((8_000_000 * 1000) / 3000));
    assert.equal(m.peak, 3_000_000);
  });
});
