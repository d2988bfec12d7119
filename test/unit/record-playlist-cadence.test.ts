// A recording stores its growing playlists with its first ~10 s file and then with every third, not after every
// file (two playlist PUTs per file were two thirds of its requests): a real segmenter fed 70 s of synthetic media, a
// Recording spooling it, and the local destination storing it; the order of stores is checked (each playlist after
// the files it lists, media never held back), the stored EVENT playlist lists exactly the files stored before it,
// and the final VOD playlists list every file.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import type { RecordingMeta } from '../../src/media/record/journal.js';
import { LocalRecordingDestination } from '../../src/media/record/local-destination.js';
import type { RecordingEvents } from '../../src/media/record/recording-events.js';
import { Recording } from '../../src/media/record/recording.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-cadence-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The local destination, logging the key of every object as it is stored. */
class LoggedDestination extends LocalRecordingDestination {
  readonly stored: string[] = [];
  override async putObject(bucket: string, key: string, body: Buffer | string, contentType: string): Promise<void> {
    await super.putObject(bucket, key, body, contentType);
    this.stored.push(key);
  }
  override async putFile(bucket: string, key: string, path: string, contentType: string): Promise<void> {
    await super.putFile(bucket, key, path, contentType);
    this.stored.push(key);
  }
}

const meta: RecordingMeta = {
  recordingId: 'rec1',
  bucket: 'bucket',
  prefix: 'ivs/v1/a/c/2026/12/5/0/0/rec1',
  account: 'a',
  region: 'us-west-2',
  channelArn: 'arn:aws:ivs:us-west-2:a:channel/c',
  channelId: 'c',
  channelName: '',
  configArn: 'x',
  startedAt: '2026-12-05T00:00:00.000Z',
};

describe('recording: growing playlists', () => {
  it('are stored after the first file and then every third, each after the files it lists', async () => {
    const destination = new LoggedDestination(join(dir, 'recordings'));
    const events = { emit: async () => {} } as unknown as RecordingEvents;
    const recording = await Recording.create(
      { destination, spoolRoot: join(dir, 'spool'), events, log: pino({ level: 'silent' }) },
      meta,
    );
    const segmenter = new HlsSegmenter();
    segmenter.setTracks(videoTrack(), audioTrack());
    await recording.attach(
      'st-1',
      [{ key: 'source', name: '720p30', width: 1280, height: 720, frameRate: 30, segmenter }],
      undefined,
    );
    for (const unit of synthetic({ durationMs: 70_000 })) segmenter.push(unit);
    await recording.detach();
    await recording.queue.idle();

    const rel = (k: string) => k.slice(meta.prefix.length + 1);
    const order = destination.stored.map(rel);
    const files = order.filter((k) => /^media\/hls\/720p30\/\d+\.ts$/.test(k));
    assert.ok(files.length >= 7, `files: ${files.length}`);
    // Files stored before each playlist PUT: 1, then 3, then 6 (the end of the broadcast adds nothing until finish()).
    // The media arrives at once here, so under load the queue may hold two versions of a playlist at the same time
    // and drop the older one (upload-queue.ts): a version may be missing, never one at another count, and never the
    // newest (with a playlist after every file, the 7th file's would be stored).
    const cadence = [1, 3, 6].filter((n) => n <= files.length);
    for (const name of ['playlist.m3u8', 'byte-range-variant.m3u8']) {
      const at = order.flatMap((k, i) => (k === `media/hls/720p30/${name}` ? [i] : []));
      const filesBefore = at.map((i) => order.slice(0, i).filter((k) => k.endsWith('.ts')).length);
      assert.ok(
        filesBefore.every((n, i) => cadence.includes(n) && (i === 0 || n > filesBefore[i - 1]!)),
        `${name} stored after ${filesBefore.join(', ')} files; the cadence is ${cadence.join(', ')}`,
      );
      assert.equal(filesBefore[filesBefore.length - 1], cadence[cadence.length - 1], `${name}: the newest version is stored`);
    }
    assert.equal(order.filter((k) => k === 'media/hls/master.m3u8').length, 1);

    // The stored EVENT playlist lists what was stored before it, and nothing else.
    const stored = (key: string) => readFileSync(destination.pathFor(meta.bucket, `${meta.prefix}/${key}`), 'utf8');
    const live = stored('media/hls/720p30/playlist.m3u8');
    assert.match(live, /#EXT-X-PLAYLIST-TYPE:EVENT/);
    assert.equal(live.match(/^\d+\.ts$/gm)?.length, cadence[cadence.length - 1]);

    await recording.finish();
    const vod = stored('media/hls/720p30/playlist.m3u8');
    assert.match(vod, /#EXT-X-PLAYLIST-TYPE:VOD/);
    assert.match(vod, /#EXT-X-ENDLIST/);
    assert.equal(vod.match(/^\d+\.ts$/gm)?.length, files.length);
  });
});
