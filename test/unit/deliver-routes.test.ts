// Unit tests for playback URL parsing and the ID3 TXXX writer used by PutMetadata.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaPlaylistUri, parsePlaybackPath, segmentUri } from '../../src/media/deliver/routes.js';
import { id3TxxxTag } from '../../src/media/package/id3.js';

const KEY = 'us-west-2.000000000000.channel.AbCdEf123456';

describe('playback routes', () => {
  it('parses the multivariant, media playlist and segment paths', () => {
    assert.deepEqual(parsePlaybackPath(`/api/video/v1/${KEY}.m3u8`), { kind: 'multivariant', playbackKey: KEY });
    const stream = 'st-abcdefghijklmnopqrstuvw';
    assert.deepEqual(parsePlaybackPath(`/api/video/v1/${KEY}/${stream}/source.m3u8`), {
      kind: 'media',
      playbackKey: KEY,
      streamId: stream,
      rendition: 'source',
    });
    assert.deepEqual(parsePlaybackPath(`/api/video/v1/${KEY}/${stream}/source/42.ts`), {
      kind: 'segment',
      playbackKey: KEY,
      streamId: stream,
      rendition: 'source',
      sequence: 42,
      extension: 'ts',
    });
  });

  it('rejects anything else, including traversal attempts', () => {
    for (const path of [
      '/api/video/v1/',
      `/api/video/v1/${KEY}`,
      `/api/video/v1/../${KEY}.m3u8`,
      `/api/video/v1/${KEY}/st-x/../../a.m3u8`,
      `/api/video/v1/${KEY}/st-abc/source/1.exe`,
      '/other',
    ]) {
      assert.equal(parsePlaybackPath(path), undefined, path);
    }
  });

  it('builds relative URIs that resolve back to the routes', () => {
    const base = `http://h/api/video/v1/${KEY}.m3u8`;
    const media = new URL(mediaPlaylistUri(KEY, 'st-abc', 'source', 'ABCDEFGHIJKLMNOP'), base);
    assert.equal(parsePlaybackPath(media.pathname)?.kind, 'media');
    assert.equal(media.searchParams.get('vs'), 'ABCDEFGHIJKLMNOP');
    const segment = new URL(segmentUri('source', 7, 'ts'), media);
    assert.deepEqual(parsePlaybackPath(segment.pathname)?.kind, 'segment');
  });
});

describe('ID3 TXXX tag', () => {
  it('writes an ID3v2.4 header and a TXXX frame with syncsafe sizes', () => {
    const text = 'é'.repeat(300); // 600 bytes of UTF-8: sizes above 127 must be syncsafe
    const tag = id3TxxxTag(text);
    assert.equal(tag.subarray(0, 3).toString('latin1'), 'ID3');
    assert.equal(tag[3], 4);
    const syncsafe = (o: number) => (tag[o]! << 21) | (tag[o + 1]! << 14) | (tag[o + 2]! << 7) | tag[o + 3]!;
    assert.equal(syncsafe(6), tag.length - 10);
    assert.equal(tag.subarray(10, 14).toString('latin1'), 'TXXX');
    const frameSize = syncsafe(14);
    assert.equal(frameSize, tag.length - 20);
    assert.equal(tag[20], 0x03); // UTF-8
    assert.equal(tag[21], 0x00); // empty description, terminated
    assert.equal(tag.subarray(22).toString('utf8'), text);
    for (const o of [6, 7, 8, 9, 14, 15, 16, 17]) assert.ok(tag[o]! < 0x80);
  });
});
