// STANDARD channels without a usable ffmpeg (--ffmpeg-path /nonexistent): a warning at start, and source-only playback.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, waitForMultivariant } from '../helpers/live.js';
import {
  createChannel,
  ffmpegChildrenOf,
  multivariant,
  publishAt,
  renditionName,
  variantByName,
  waitForSegments,
} from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';

describe('live: STANDARD without a usable ffmpeg (--ffmpeg-path /nonexistent)', { timeout: 45_000 }, () => {
  const { server, ivs } = useServer({ args: ['--ffmpeg-path', '/nonexistent'] });

  it('logs a warning at start; a STANDARD stream plays its source rendition only', async () => {
    assert.match(server.logs(), /ffmpeg is not usable/, `startup warning:\n${server.logs()}`);
    const { channel, key } = await createChannel(ivs, 'std-noffmpeg', 'STANDARD');
    const pub = publishAt(server.rtmpPort, key, '1280x720', 12);
    try {
      const pb = channel.playbackUrl!;
      const { playlist } = await waitForMultivariant(pb);
      await waitForSegments(variantByName(pb, playlist, 'source'), 3);
      const { playlist: master, text } = await multivariant(pb);
      assert.equal(master.variants.length, 1, `source only:\n${text}`);
      assert.equal(renditionName(master.variants[0]!), 'source');
      assert.deepEqual([master.variants[0]!.resolution?.width, master.variants[0]!.resolution?.height], [1280, 720]);
      assert.ok(!pub.done(), 'the publish was accepted and is still live');
      assert.deepEqual(ffmpegChildrenOf(server.proc.pid!), [], 'no ffmpeg child');
      // Nothing transcoded is reachable either.
      const sd = await get(variantByName(pb, master, 'source').replace('/source.m3u8', '/480p30.m3u8'));
      assert.equal(sd.status, 404, '480p30 does not exist');
    } finally {
      await pub.kill();
    }
  });
});
