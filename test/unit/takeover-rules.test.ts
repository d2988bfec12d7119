// Stream takeover's pure rules: the `priority` of an RTMP publish name and of an SRT stream id (plain and
// access-control forms), what is not a priority, and which media may take a stream over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priorityOfPublishName, priorityOfStreamId } from '../../src/media/ingest/takeover-request.js';
import { heldPriority, mediaMatches } from '../../src/media/registry/takeover.js';
import type { AudioTrackInfo, VideoTrackInfo } from '../../src/media/types.js';

const KEY = 'sk_us-west-2_abcdEFGH1234_secretsecretsecret';

describe('takeover request', () => {
  it('reads priority from an RTMP publish name', () => {
    assert.equal(priorityOfPublishName(KEY), undefined);
    assert.equal(priorityOfPublishName(`${KEY}?priority=2`), 2);
    assert.equal(priorityOfPublishName(`${KEY}?foo=bar&priority=2147483647`), 2147483647);
    assert.equal(priorityOfPublishName(`${KEY}?foo=bar`), undefined);
    for (const bad of ['', 'x', '-1', '1.5', '2e3', ' 2', '99999999999999999999']) {
      assert.ok(Number.isNaN(priorityOfPublishName(`${KEY}?priority=${bad}`)), `priority=${bad} is not a number`);
    }
  });

  it('reads priority from an SRT stream id, plain or #!::', () => {
    assert.equal(priorityOfStreamId(KEY), undefined);
    assert.equal(priorityOfStreamId(`${KEY}?priority=7`), 7);
    assert.equal(priorityOfStreamId(`#!::r=${KEY},m=publish,priority=3`), 3);
    assert.equal(priorityOfStreamId(`#!::r=${KEY},m=publish`), undefined);
  });

  it('a publisher holds its valid priority, else 0', () => {
    assert.equal(heldPriority(undefined), 0);
    assert.equal(heldPriority(Number.NaN), 0);
    assert.equal(heldPriority(0), 0);
    assert.equal(heldPriority(2_147_483_648), 0);
    assert.equal(heldPriority(5), 5);
  });
});

describe('takeover media match', () => {
  const video = (codec: string, width: number, height: number) => ({ codec, width, height }) as VideoTrackInfo;
  const audio = (codec: string) => ({ codec }) as AudioTrackInfo;
  it('same codec family and resolution match whatever the profile', () => {
    assert.ok(mediaMatches({ video: video('avc1.64001f', 640, 360) }, { video: video('avc1.42c01e', 640, 360) }));
    assert.ok(
      mediaMatches(
        { video: video('avc1.64001f', 640, 360), audio: audio('mp4a.40.2') },
        { video: video('avc1.64001f', 640, 360), audio: audio('mp4a.40.5') },
      ),
    );
  });
  it('another resolution or codec is a mismatch', () => {
    assert.ok(!mediaMatches({ video: video('avc1.64001f', 640, 360) }, { video: video('avc1.64001f', 320, 180) }));
    assert.ok(!mediaMatches({ video: video('avc1.64001f', 640, 360) }, { video: video('hvc1.1.6', 640, 360) }));
    assert.ok(
      !mediaMatches(
        { video: video('avc1.64001f', 640, 360), audio: audio('mp4a.40.2') },
        { video: video('avc1.64001f', 640, 360), audio: audio('opus') },
      ),
    );
  });
});
