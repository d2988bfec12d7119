// Amazon's IVS player (npm amazon-ivs-player, bundled with esbuild, its wasm worker served from the package) plays
// openivs in headless Chromium as it plays IVS: BASIC LOW TS, LOW FRAGMENTED_MP4, STANDARD LOW and BASIC NORMAL each
// play 20 s from the first PLAYING without a stall (at most one brief BUFFERING, the position never still for more
// than 1.5 s and advancing with the clock), LOW channels in the player's low-latency mode (isLiveLowLatency, fed by the prefetch segments), NORMAL not;
// PutMetadata arrives once as a TEXT_METADATA_CUE with the exact text from TS and from fMP4 (next to the per-segment
// `segmentmetadata` cues, whose PDTs the playlists list); STANDARD lists its qualities and switches. Latency (the
// playlists' PROGRAM-DATE-TIME at the player's position) is logged, not asserted. One server; channels one at a time.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateChannelCommand, PutMetadataCommand, type Channel } from '@aws-sdk/client-ivs';
import {
  describeRecord,
  firstPlaying,
  playWithIvsPlayer,
  type IvsPlayback,
  type IvsRecord,
} from '../../devtools/ivs-player-page.js';
import { useServer } from '../helpers/use-server.js';
import { pollUntil, publish, rtmpUrl, sleep, type Running } from '../helpers/live.js';
import { followProgramDateTimes, latencyReport, longestAppendGap, summarize } from '../helpers/ivs-player.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const PLAY_MS = 20_000;
const PUBLISH_SECONDS = 60;

interface Live {
  channel: Channel;
  publisher: Running;
}
interface Case {
  label: string;
  type: 'BASIC' | 'STANDARD';
  latencyMode: 'LOW' | 'NORMAL';
  containerFormat: 'TS' | 'FRAGMENTED_MP4';
  /** PutMetadata text to send 4 s into the play, expected back exactly once. */
  metadata?: string;
}

describe('browser: Amazon IVS player plays openivs', { timeout: 420_000 }, () => {
  const {
    server,
    ivs,
    browser,
    ivsPlayerPage: pages,
  } = useServer({ args: ['--max-transcodes', '1'], browser: true, ivsPlayerPage: true });

  /** Creates the channel, publishes a 640x360 test pattern and waits until its first media playlist lists 2 segments. */
  async function goLive(c: Case): Promise<Live> {
    const { label, type, latencyMode, containerFormat } = c;
    const out = await ivs.send(
      new CreateChannelCommand({ name: label.replace(/\W+/g, '-'), type, latencyMode, containerFormat, insecureIngest: true }),
    );
    const channel = out.channel!;
    const publisher = publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: PUBLISH_SECONDS });
    // STANDARD: until the ladder rendition is listed too (the PDT follower reads the renditions listed now).
    const renditions = type === 'STANDARD' ? 2 : 1;
    await pollUntil(
      `${label} live with two segments`,
      async () => {
        const master = await fetch(channel.playbackUrl!);
        if (master.status !== 200) return false;
        const uris = (await master.text()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
        if (uris.length < renditions) return false;
        const media = await (await fetch(new URL(uris[0]!, channel.playbackUrl))).text();
        return (media.match(/^#EXTINF:/gm) ?? []).length >= 2;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    return { channel, publisher };
  }

  /** Plays `c` for PLAY_MS from the first PLAYING; asserts playback, low-latency mode, metadata; logs latency. */
  async function playsWithoutStall(c: Case, then?: (p: IvsPlayback, r: IvsRecord) => Promise<void>): Promise<void> {
    const live = await goLive(c);
    const dates = await followProgramDateTimes(live.channel.playbackUrl!);
    // The player's debug log says where it joined (LOW playlists carry EXT-X-START for it).
    const low = c.latencyMode === 'LOW';
    const player = await playWithIvsPlayer(browser, pages, live.channel.playbackUrl!, { logLevel: 'debug', traceAppends: low });
    const detail = (r: IvsRecord) =>
      `${describeRecord(r)}\n--- page console ---\n${player.console()}\n--- server ---\n${server.logs().slice(-2000)}`;
    try {
      const started = await player.until(
        `${c.label}: PLAYING`,
        (r) => firstPlaying(r) !== undefined || r.errors.length > 0,
        30_000,
      );
      assert.deepEqual(started.errors, [], `${c.label}: no player error\n${detail(started)}`);
      const from = firstPlaying(started)!.t;
      if (c.metadata) {
        await sleep(4_000);
        await ivs.send(new PutMetadataCommand({ channelArn: live.channel.arn!, metadata: c.metadata }));
      }
      await sleep(from + PLAY_MS - Date.now());
      let r = await player.read();
      const s = summarize(r, from, from + PLAY_MS);
      const latency = latencyReport(r, await dates.stop(), from);
      assert.deepEqual(r.errors, [], `${c.label}: no player error\n${detail(r)}`);
      // LOW: media reaches MSE as the prefetch segment streams in, part by part, not when the segment is complete (the
      // fMP4 defect of note s24 held each 2 s segment back: gaps of a whole segment, whatever the machine's load).
      const appended = longestAppendGap(player.appends(), from, from + PLAY_MS);
      if (low) {
        assert.ok(
          appended.count > 0 && appended.gapMs < 1_200,
          `${c.label}: MSE appends at most 1.2 s apart (longest gap ${appended.gapMs} ms, ${appended.count} appends)`,
        );
      }
      assert.equal(s.finalState, 'Playing', `${c.label}: still playing\n${detail(r)}`);
      assert.ok(
        s.bufferings <= 1 && s.bufferingMs <= 1_500,
        `${c.label}: at most one brief BUFFERING after start (${s.bufferings}, ${s.bufferingMs} ms)\n${detail(r)}`,
      );
      // Advancing all along: never still for longer than a brief buffering, and on the whole with the clock (a page
      // starved of CPU by a loaded machine plays a little slow, without stalling).
      assert.ok(s.stillMs <= 1_500, `${c.label}: the position stood still for ${s.stillMs} ms\n${detail(r)}`);
      assert.ok(
        s.elapsedS >= (0.9 * PLAY_MS) / 1000 && s.advancedS >= 0.75 * s.elapsedS,
        `${c.label}: the position advanced ${s.advancedS.toFixed(2)} s in ${s.elapsedS.toFixed(2)} s\n${detail(r)}`,
      );
      const lowLatency = r.samples.filter((x) => x.t >= from).map((x) => x.lowLatency);
      assert.ok(
        lowLatency.length > 0 && lowLatency.every((x) => x === low),
        `${c.label}: isLiveLowLatency() ${low} throughout (${[...new Set(lowLatency)].join(',')})\n${detail(r)}`,
      );
      if (low) assertJoinedNearLive(c.label, player.consoleLines());
      // Every segment's `segmentmetadata` cue carries its playlist PDT: the latency below rests on that.
      assert.ok(latency.samples.length >= 10, `${c.label}: latency samples (${latency.samples.length})\n${detail(r)}`);
      assert.equal(latency.unlisted, 0, `${c.label}: every segmentmetadata PDT is a PDT of the playlists`);
      if (c.metadata) {
        const text = c.metadata;
        r = await player.until(`${c.label}: the PutMetadata cue`, (x) => x.cues.some((cue) => cue.text === text), 15_000);
        await sleep(2_000); // a duplicate would follow within a segment
        r = await player.read();
        const cues = r.cues.filter((cue) => cue.text === text);
        assert.equal(cues.length, 1, `${c.label}: exactly one TEXT_METADATA_CUE with the text: ${JSON.stringify(cues)}`);
        assert.equal(cues[0]!.description, '', `${c.label}: the cue is PutMetadata's TXXX (empty description)`);
        const others = r.cues.filter((cue) => cue.text !== text).map((cue) => cue.description);
        assert.ok(
          others.every((d) => d === 'segmentmetadata'),
          `${c.label}: other cues are segmentmetadata: ${[...new Set(others)].join(',')}`,
        );
      }
      console.log(
        `# IVS player, ${c.label}: ${s.advancedS.toFixed(1)} s played in ${s.elapsedS.toFixed(1)} s, ` +
          `${s.bufferings} buffering (${s.bufferingMs} ms), quality ${r.samples.at(-1)?.quality}; ${latency.text}` +
          (low ? `; ${appended.count} MSE appends, longest gap ${appended.gapMs} ms` : ''),
      );
      await then?.(player, r);
    } finally {
      await player.close();
      await live.publisher.kill();
    }
  }

  /**
   * The player took its start from the playlist's EXT-X-START (PART-HOLD-BACK before the live edge) and so joined at
   * the last complete segment or the prefetch segment after it; on its own it starts two segments before the first
   * prefetch segment ("sequence number 4/6"), several seconds further from live.
   */
  function assertJoinedNearLive(label: string, log: readonly string[]): void {
    const start = log.find((l) => l.includes('Using playlist EXT-X-START tag to select segment'));
    assert.ok(start, `${label}: the player used EXT-X-START\n${log.slice(0, 60).join('\n')}`);
    const seq = log.map((l) => /Set Video sequence number to (\d+)\/(\d+)/.exec(l)).find((m) => m !== null);
    assert.ok(seq, `${label}: the player logged its first sequence number`);
    const [chosen, last] = [Number(seq[1]), Number(seq[2])];
    assert.ok(chosen >= last - 1, `${label}: joined at ${chosen} of ${last}: the last complete segment or later`);
  }

  it('BASIC LOW TS: 20 s without stall in low-latency mode; PutMetadata as one TEXT_METADATA_CUE', async () => {
    const text = `ts-cue {"score":"2-1","by":"ünïcödé ✓"} ${Math.random().toString(36).slice(2, 8)}`;
    await playsWithoutStall({ label: 'BASIC LOW TS', type: 'BASIC', latencyMode: 'LOW', containerFormat: 'TS', metadata: text });
  });

  // Under CPU load this case used to stall at every other segment boundary: the player's Mp4ChunkReader hands MSE five
  // movie fragments at a time, and with one fragment per part it held each prefetch segment until it was complete
  // (note s24). Parts are now cut into one CMAF chunk per frame (src/media/package/fmp4/chunks.ts).
  it('BASIC LOW FRAGMENTED_MP4: 20 s without stall in low-latency mode; PutMetadata as one TEXT_METADATA_CUE', async () => {
    const text = `fmp4-cue {"fmp4":"ünïcödé ✓"} ${Math.random().toString(36).slice(2, 8)}`;
    await playsWithoutStall({
      label: 'BASIC LOW fMP4',
      type: 'BASIC',
      latencyMode: 'LOW',
      containerFormat: 'FRAGMENTED_MP4',
      metadata: text,
    });
  });

  it('STANDARD LOW TS: 20 s without stall, then lists its qualities and switches to another', async () => {
    await playsWithoutStall(
      { label: 'STANDARD LOW TS', type: 'STANDARD', latencyMode: 'LOW', containerFormat: 'TS' },
      async (player, r) => {
        assert.ok(r.qualities.length >= 2, `qualities: ${r.qualities.map((q) => q.name).join(',')}`);
        assert.deepEqual(new Set(r.qualities.map((q) => q.height)).size, r.qualities.length, 'one quality per height');
        const current = r.samples.at(-1)!.height;
        const target = r.qualities.find((q) => q.height !== current)!;
        await player.page.evaluate((name: string) => {
          const p = window.__ivsPlayer;
          p.setQuality(p.getQualities().find((q: { name: string }) => q.name === name));
        }, target.name);
        const switched = await player.until(
          `the switch to ${target.name}`,
          (x) =>
            x.qualityChanges.some((q) => q.name === target.name) &&
            x.samples.at(-1)?.height === target.height &&
            x.states.at(-1)?.state === 'Playing',
          20_000,
        );
        assert.deepEqual(switched.errors, []);
        console.log(
          `# IVS player, STANDARD: qualities ${r.qualities.map((q) => q.name).join(', ')}; switched from ${current}p to ${target.name}`,
        );
      },
    );
  });

  it('BASIC NORMAL TS: 20 s without stall, not in low-latency mode', async () => {
    await playsWithoutStall({ label: 'BASIC NORMAL TS', type: 'BASIC', latencyMode: 'NORMAL', containerFormat: 'TS' });
  });
});
