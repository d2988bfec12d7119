// Amazon's IVS player through the shipped Varnish edge (deploy/varnish-openivs.vcl): two players in headless Chromium
// play a BASIC LOW channel whose playback URL names the edge, in the player's low-latency mode (the prefetch segments
// are streamed through Varnish while the origin cuts their parts: each player's MSE appends follow the parts, at most
// 1.2 s apart, which a cache buffering the responses would break), without a stall and with the position advancing.
// The origin answers about one request per segment for both players together: the edge, not the origin, serves the
// second player.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand } from '@aws-sdk/client-ivs';
import { startVarnish, type Edge } from '../../devtools/edge.js';
import { describeRecord, firstPlaying, playWithIvsPlayer, type IvsPlayback } from '../../devtools/ivs-player-page.js';
import { freePort } from '../../devtools/server.js';
import { useServer } from '../helpers/use-server.js';
import { get, pollUntil, publish, rtmpUrl, sleep, type Running } from '../helpers/live.js';
import { longestAppendGap, summarize } from '../helpers/ivs-player.js';

const PLAY_MS = 15_000;
const edgePort = await freePort();
const edgeUrl = `http://127.0.0.1:${edgePort}`;

describe('browser: Amazon IVS player through the Varnish edge', { timeout: 240_000 }, () => {
  const {
    server,
    ivs,
    browser,
    ivsPlayerPage: pages,
  } = useServer({
    args: ['--viewer-address-header', 'x-viewer-address', '--playback-base-url', edgeUrl],
    browser: true,
    ivsPlayerPage: true,
  });
  let edge: Edge;
  let publisher: Running | undefined;

  /** Segment and prefetch requests the origin answered 200 (they share the segment URLs). */
  const originSegments = async (): Promise<number> => {
    const text = (await get(`${server.url}/metrics`)).text;
    const m = /^openivs_playback_requests_total\{kind="segment",status="200"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  };

  before(async () => {
    edge = await startVarnish(edgePort, [server.port], 128);
  });
  after(async () => {
    await publisher?.kill();
    await edge?.stop();
  });

  it('two players play a LOW channel through the edge in low-latency mode; the origin serves each segment about once', async () => {
    const created = await ivs.send(
      new CreateChannelCommand({ name: 'edge-ivs', type: 'BASIC', latencyMode: 'LOW', insecureIngest: true }),
    );
    const channel = created.channel!;
    assert.ok(channel.playbackUrl!.startsWith(edgeUrl), channel.playbackUrl);
    publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds: 60, videoKbps: 500 });
    await pollUntil(
      'two segments through the edge',
      async () => {
        const master = await get(channel.playbackUrl!);
        if (master.status !== 200) return false;
        const uri = master.text.split('\n').find((l) => l !== '' && !l.startsWith('#'))!;
        const media = await get(new URL(uri, channel.playbackUrl).href);
        return (media.text.match(/^#EXTINF:/gm) ?? []).length >= 2;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const players: IvsPlayback[] = [];
    try {
      const before = await originSegments();
      const startedAt = Date.now();
      for (let i = 0; i < 2; i++)
        players.push(await playWithIvsPlayer(browser, pages, channel.playbackUrl!, { traceAppends: true }));
      const starts = await Promise.all(
        players.map((p, i) =>
          p.until(`player ${i}: PLAYING`, (r) => firstPlaying(r) !== undefined || r.errors.length > 0, 30_000),
        ),
      );
      for (const [i, r] of starts.entries()) assert.deepEqual(r.errors, [], `player ${i}: no error\n${describeRecord(r)}`);
      const from = Math.max(...starts.map((r) => firstPlaying(r)!.t));
      await sleep(from + PLAY_MS - Date.now());
      for (const [i, p] of players.entries()) {
        const r = await p.read();
        const s = summarize(r, from, from + PLAY_MS);
        const detail = `player ${i}\n${describeRecord(r)}\n--- page console ---\n${p.console()}`;
        assert.deepEqual(r.errors, [], detail);
        assert.equal(s.finalState, 'Playing', detail);
        assert.ok(s.bufferings <= 1 && s.bufferingMs <= 1_500, `at most one brief BUFFERING: ${detail}`);
        assert.ok(s.stillMs <= 1_500, `the position stood still for ${s.stillMs} ms: ${detail}`);
        assert.ok(s.advancedS >= 0.75 * s.elapsedS && s.elapsedS >= 0.9 * (PLAY_MS / 1000), `advancing: ${detail}`);
        const low = r.samples.filter((x) => x.t >= from).map((x) => x.lowLatency);
        assert.ok(low.length > 0 && low.every(Boolean), `isLiveLowLatency() throughout: ${detail}`);
        const appended = longestAppendGap(p.appends(), from, from + PLAY_MS);
        assert.ok(
          appended.count > 0 && appended.gapMs < 1_200,
          `player ${i}: MSE appends at most 1.2 s apart through the edge (longest gap ${appended.gapMs} ms, ${appended.count} appends)`,
        );
        console.log(`# player ${i} through the edge: ${appended.count} MSE appends, longest gap ${appended.gapMs} ms`);
      }
      // 2 s segments: the window saw about (elapsed / 2) + the ones the players started with; per player it would
      // be twice that.
      const segments = Math.ceil((Date.now() - startedAt) / 2_000) + 3;
      const fetched = (await originSegments()) - before;
      console.log(`# origin segment requests for two players through the edge: ${fetched} (about ${segments} segments)`);
      assert.ok(fetched <= segments, `the origin answered ${fetched} segment requests for about ${segments} segments`);
    } finally {
      for (const p of players) await p.close();
    }
  });
});
