// Real-browser playback of low-latency channels: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) opens the built-in player page (/_openivs/player, hls.js in lowLatencyMode) for (a) a BASIC LOW
// TS channel (LL-HLS: hls.js loads parts and makes blocking playlist reloads), (b) a BASIC LOW FRAGMENTED_MP4 channel
// (EXT-X-MAP + .m4s parts; PutMetadata arrives as emsg ID3 and reaches window.__openivsCues) and (c) a BASIC NORMAL
// channel (plain HLS, no parts). Each plays 640x360 video that advances; the page's latency is logged for (a), (b).
// One server, three channels, one publisher at a time (this machine has 2 cores; 640x360 at ~800 kbps).

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CreateChannelCommand, PutMetadataCommand, type Channel } from '@aws-sdk/client-ivs';
import type { Page } from 'playwright-core';
import { useServer } from '../helpers/use-server.js';
import { publish, rtmpUrl, sleep, until, type Running } from '../helpers/live.js';
import type { PlayerCue, PlayerLatency } from '../helpers/player-page.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const PUBLISH_SECONDS = 30;

interface Created {
  channel: Channel;
  key: string;
}

/** Test pattern + tone, 640x360 H.264 at 800 kbit/s + AAC 96 kbit/s, to rtmp://…/app/<key>. */
const publishLow = (port: number, key: string, seconds: number): Running =>
  publish(rtmpUrl(port, key), { seconds, videoKbps: 800, audioKbps: 96 });

describe('browser: hls.js plays LOW (TS, fMP4) and NORMAL channels', { timeout: 90_000 }, () => {
  const { server, ivs, browser } = useServer({ browser: true });
  const channels: Record<'lowTs' | 'lowFmp4' | 'normal', Created> = {} as never;

  before(async () => {
    const create = async (name: string, latencyMode: 'LOW' | 'NORMAL', containerFormat: 'TS' | 'FRAGMENTED_MP4') => {
      const out = await ivs.send(
        new CreateChannelCommand({ name, type: 'BASIC', latencyMode, containerFormat, insecureIngest: true }),
      );
      assert.equal(out.channel!.latencyMode, latencyMode);
      assert.equal(out.channel!.containerFormat, containerFormat);
      return { channel: out.channel!, key: out.streamKey!.value! };
    };
    channels.lowTs = await create('low-ts', 'LOW', 'TS');
    channels.lowFmp4 = await create('low-fmp4', 'LOW', 'FRAGMENTED_MP4');
    channels.normal = await create('normal-ts', 'NORMAL', 'TS');
  });

  /**
   * Publishes to the channel, opens the player page, waits for 'playing', checks that the video advances ≥ 2 s in
   * 3 s at 640x360, then runs `extra` with the page; closes the page and stops the publisher in any case.
   */
  async function play(c: Created, label: string, extra: (page: Page, requests: string[], detail: () => string) => Promise<void>) {
    const consoleLines: string[] = [];
    const requests: string[] = [];
    const publisher = publishLow(server.rtmpPort, c.key, PUBLISH_SECONDS);
    const page = await browser.newPage();
    const detail = () =>
      `--- ${label}: page console ---\n${consoleLines.slice(-40).join('\n')}\n` +
      `--- requests (last 20) ---\n${requests.slice(-20).join('\n')}\n--- server ---\n${server.logs().slice(-3000)}`;
    try {
      page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      const publishedAt = Date.now();
      await page.goto(`${server.url}/_openivs/player?url=${encodeURIComponent(c.channel.playbackUrl!)}`);
      await until(
        `${label}: the page to play`,
        async () => (await page.evaluate(() => document.getElementById('state').dataset.state as string)) === 'playing',
        30_000,
        detail,
      );
      const startupMs = Date.now() - publishedAt;
      const t0 = await page.evaluate(() => document.getElementById('video').currentTime as number);
      await sleep(3000);
      const video = await page.evaluate(() => {
        const v = document.getElementById('video');
        return { currentTime: v.currentTime as number, width: v.videoWidth as number, height: v.videoHeight as number };
      });
      assert.ok(video.currentTime - t0 >= 2, `${label}: currentTime went ${t0} → ${video.currentTime} in 3 s\n${detail()}`);
      assert.equal(video.width, 640, `${label}: videoWidth`);
      assert.equal(video.height, 360, `${label}: videoHeight`);
      console.log(`# ${label}: playing ${startupMs} ms after ffmpeg started`);
      await extra(page, requests, detail);
      const errors = consoleLines.filter((l) => /^(error|pageerror):/.test(l) && !/status of 404/.test(l));
      assert.deepEqual(errors, [], `${label}: no console errors but the offline 404s\n${detail()}`);
      assert.ok(!publisher.done(), `${label}: the publisher was live throughout (exit ${publisher.proc.exitCode})`);
    } finally {
      await page.close().catch(() => undefined);
      await publisher.kill();
    }
  }

  const PART_REQUEST = /\/\d+\.\d+\.(ts|m4s)$/;
  const BLOCKING_RELOAD = /\.m3u8\?.*_HLS_msn=\d+/;

  async function logLatency(page: Page, label: string, detail: () => string): Promise<void> {
    const latency = await until(
      `${label}: window.__openivsLatency`,
      async () => {
        const l = await page.evaluate(() => window.__openivsLatency as PlayerLatency | null);
        return l && l.endToEnd !== null ? l : undefined;
      },
      5000,
      detail,
    );
    const shown = await page.evaluate(() => document.getElementById('latency').textContent as string);
    assert.ok(Number.isFinite(latency.endToEnd), `${label}: end-to-end latency ${latency.endToEnd} is a finite number`);
    console.log(
      `# latency ${label}: end-to-end ${latency.endToEnd!.toFixed(2)} s, edge ${latency.edge?.toFixed(2) ?? '–'} s, ` +
        `target ${latency.target?.toFixed(2) ?? '–'} s (page: ${shown})`,
    );
  }

  it('(a) BASIC LOW TS: LL-HLS parts and blocking reloads, 640x360 advancing, latency reported', async () => {
    await play(channels.lowTs, 'LOW TS', async (page, requests, detail) => {
      await logLatency(page, 'LOW TS', detail);
      assert.ok(
        requests.some((u) => PART_REQUEST.test(new URL(u).pathname) && u.endsWith('.ts')),
        `hls.js loaded .ts parts\n${detail()}`,
      );
      assert.ok(
        requests.some((u) => BLOCKING_RELOAD.test(u)),
        `hls.js made blocking playlist reloads (_HLS_msn)\n${detail()}`,
      );
    });
  });

  it('(b) BASIC LOW FRAGMENTED_MP4: init.mp4 + .m4s parts, 640x360 advancing, latency reported, PutMetadata cues via emsg', async () => {
    await play(channels.lowFmp4, 'LOW fMP4', async (page, requests, detail) => {
      await logLatency(page, 'LOW fMP4', detail);
      assert.ok(
        requests.some((u) => new URL(u).pathname.endsWith('/init.mp4')),
        `hls.js loaded init.mp4\n${detail()}`,
      );
      assert.ok(
        requests.some((u) => PART_REQUEST.test(new URL(u).pathname) && u.endsWith('.m4s')),
        `hls.js loaded .m4s parts\n${detail()}`,
      );

      const tag = Math.random().toString(36).slice(2, 8);
      const texts = [`fmp4-cue-1-${tag}`, `{"fmp4":"ünïcödé ✓"} ${tag}`, `fmp4-cue-3-${tag}`];
      for (const metadata of texts) {
        await ivs.send(new PutMetadataCommand({ channelArn: channels.lowFmp4.channel.arn!, metadata }));
        await sleep(700);
      }
      let last: PlayerCue[] = [];
      const cueDetail = () => `${detail()}\n--- cues in the page ---\n${JSON.stringify(last, null, 1)}`;
      await until(
        'all PutMetadata texts in window.__openivsCues',
        async () => {
          last = await page.evaluate(() => window.__openivsCues as PlayerCue[]);
          const got = last.map((c) => c.text);
          return texts.every((t) => got.includes(t));
        },
        12_000,
        cueDetail,
      );
      const got = last.filter((c) => texts.includes(c.text));
      assert.deepEqual(
        got.map((c) => c.text),
        texts,
        'in order, once each',
      );
      assert.ok(
        got.every((c) => c.frame === 'TXXX'),
        JSON.stringify(got),
      );
      console.log(`# LOW fMP4: ${got.length} cues arrived through emsg`);
    });
  });

  it('(c) BASIC NORMAL: plain HLS (no parts), 640x360 advancing', async () => {
    await play(channels.normal, 'NORMAL', async (_page, requests, detail) => {
      assert.ok(
        requests.some((u) => /\/\d+\.ts$/.test(new URL(u).pathname)),
        `hls.js loaded whole segments\n${detail()}`,
      );
      assert.ok(
        !requests.some((u) => PART_REQUEST.test(new URL(u).pathname)),
        `no part requests on a NORMAL channel\n${detail()}`,
      );
    });
  });
});
