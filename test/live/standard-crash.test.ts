// STANDARD channels survive an ffmpeg crash: after kill -9 of the transcoder the source keeps playing, ffmpeg is
// restarted with backoff, its rungs resume, and they stay aligned with the source (same segment = same keyframe, PTS,
// PDT, discontinuities).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getMediaPlaylist, playlistEnd, sleep, type MediaPlaylist, type Running } from '../helpers/live.js';
import {
  assertAligned,
  createChannel,
  ffmpegChildrenOf,
  multivariant,
  publishAt,
  variantByName,
  waitForSegments,
  waitForVariants,
} from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';

describe('live: STANDARD transcoder crash survival', { timeout: 70_000 }, () => {
  const { server, ivs } = useServer();
  let pub: Running | undefined;
  let srcUrl = '';
  let sdUrl = '';
  let playbackUrl = '';
  let killedAt = 0;

  it('kill -9 of the ffmpeg child: the source keeps playing, 480p30 resumes within ~15 s, the log says restarting', async () => {
    const { channel, key } = await createChannel(ivs, 'std-crash', 'STANDARD');
    pub = publishAt(server.rtmpPort, key, '1280x720', 34);
    playbackUrl = channel.playbackUrl!;
    const { playlist: master } = await waitForVariants(playbackUrl, 4);
    srcUrl = variantByName(playbackUrl, master, 'source');
    sdUrl = variantByName(playbackUrl, master, '480p30');
    await waitForSegments(sdUrl, 2);

    const before = ffmpegChildrenOf(server.proc.pid!);
    assert.equal(before.length, 1, `one ffmpeg child of the server during a STANDARD stream (got ${before.join(', ')})`);
    const srcEnd0 = playlistEnd((await getMediaPlaylist(srcUrl)).playlist);
    const sdEnd0 = playlistEnd((await getMediaPlaylist(sdUrl)).playlist);
    process.kill(before[0]!, 'SIGKILL');
    killedAt = Date.now();

    // Source keeps advancing during the outage; 480p30 gets new segments again (+2: past any segment open at the kill).
    let srcEnd = srcEnd0;
    let lastSrcAdvance = killedAt;
    let longestSrcStall = 0;
    let sdEnd = sdEnd0;
    while (sdEnd < sdEnd0 + 2 && Date.now() - killedAt < 15_000) {
      await sleep(400);
      const s = playlistEnd((await getMediaPlaylist(srcUrl)).playlist);
      const now = Date.now();
      if (s > srcEnd) {
        srcEnd = s;
        lastSrcAdvance = now;
      }
      longestSrcStall = Math.max(longestSrcStall, now - lastSrcAdvance);
      sdEnd = playlistEnd((await getMediaPlaylist(sdUrl)).playlist);
    }
    assert.ok(
      sdEnd >= sdEnd0 + 2,
      `480p30 advanced again within 15 s of the kill (end ${sdEnd0} → ${sdEnd}; source ${srcEnd0} → ${srcEnd})\n${server.logs()}`,
    );
    assert.ok(srcEnd > srcEnd0, `the source playlist advanced during the outage (${srcEnd0} → ${srcEnd})`);
    assert.ok(longestSrcStall < 4000, `the source never stalled more than ~2 segments (longest: ${longestSrcStall} ms)`);
    assert.ok(!pub.done(), 'the publisher is unaffected by the transcoder crash');

    const after = ffmpegChildrenOf(server.proc.pid!);
    assert.equal(after.length, 1, `one (new) ffmpeg child after the restart (got ${after.join(', ')})`);
    assert.notEqual(after[0], before[0], 'a new ffmpeg process');
    assert.match(server.logs(), /restarting/i, 'the server log mentions the restart');
    const mv = await multivariant(playbackUrl);
    assert.equal(mv.playlist.variants.length, 4, `all 4 variants still listed:\n${mv.text}`);
  });

  it('after the restart 480p30 is still aligned with the source (same segment = same keyframe, PTS, discontinuities)', async () => {
    assert.ok(pub && !pub.done() && killedAt > 0, 'the crashed stream is still live');
    try {
      // Every segment that began after the kill: first frames at the same PTS, same PDT, same EXTINF.
      const src = (await getMediaPlaylist(srcUrl)).playlist;
      const sd = (await getMediaPlaylist(sdUrl)).playlist;
      const after = sd.segments.filter((x) => (x.programDateTime?.getTime() ?? 0) > killedAt - 2500).length;
      await assertAligned(srcUrl, sdUrl, Math.max(2, Math.min(after, 4)));
      // A discontinuity in one variant only would also desynchronize players switching between them.
      const flags = (p: MediaPlaylist) =>
        p.segments.map((x, i) => `${(p.mediaSequenceBase ?? 0) + i}:${x.discontinuity ? 'D' : '-'}`);
      const common = new Set(flags(src).map((f) => f.split(':')[0]));
      assert.deepEqual(
        flags(sd).filter((f) => common.has(f.split(':')[0])),
        flags(src).filter((f) => new Set(flags(sd).map((g) => g.split(':')[0])).has(f.split(':')[0])),
        'EXT-X-DISCONTINUITY at the same media sequence numbers in both renditions',
      );
    } finally {
      await pub.kill();
    }
  });
});
