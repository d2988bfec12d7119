// Real-browser playback: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) opens the built-in
// player page at /_openivs/player while ffmpeg publishes over RTMP, and hls.js plays openivs's HLS: the page waits
// while the channel is offline, then the <video> advances at 640x360; PutMetadata text reaches the page as ID3
// timed metadata; and hls.js loaded on its own in a blank (cross-origin) page parses the multivariant playlist.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { CreateChannelCommand, PutMetadataCommand } from '@aws-sdk/client-ivs';
import type { Page } from 'playwright-core';
import { sleep, until } from '../helpers/live.js';
import { useServer } from '../helpers/use-server.js';
import type { ErrorData, ManifestParsedData } from 'hls.js';
import { testPattern } from '../../devtools/ffmpeg.js';
import type { PlayerCue, PlayerLatency } from '../helpers/player-page.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const PUBLISH_SECONDS = 25;

describe('browser playback of a live channel', { timeout: 60_000 }, () => {
  let ffmpeg: ChildProcess | undefined;
  const { server, ivs, browser, blankPage } = useServer({
    browser: true,
    blankPage: true,
    teardown: () => {
      if (ffmpeg && ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGKILL');
    },
  });
  let player: Page;
  let ffmpegErr = '';
  let channelArn: string;
  let playbackUrl: string;
  let ingestUrl: string;
  const consoleLines: string[] = [];

  const pageState = () =>
    player.evaluate(() => ({
      state: document.getElementById('state').dataset.state as string,
      text: document.getElementById('state').textContent as string,
      states: window.__openivsStates as string[],
    }));
  const detail = () =>
    `--- page console ---\n${consoleLines.slice(-40).join('\n')}\n--- ffmpeg ---\n${ffmpegErr}\n` +
    `--- server ---\n${server.logs().slice(-4000)}`;

  before(async () => {
    const created = await ivs.send(
      new CreateChannelCommand({ name: 'browser', type: 'BASIC', latencyMode: 'LOW', insecureIngest: true }),
    );
    channelArn = created.channel!.arn!;
    playbackUrl = created.channel!.playbackUrl!;
    ingestUrl = `rtmp://127.0.0.1:${server.rtmpPort}/app/${created.streamKey!.value!}`;
  });

  it('serves the page, its script and hls.js with a self-only CSP and the right cache headers', async () => {
    const page = await fetch(`${server.url}/_openivs/player?url=${encodeURIComponent(playbackUrl)}`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!127\.0\.0\.1)/);
    assert.match(html, /src="\/_openivs\/player\/hls\.min\.js"/);
    assert.doesNotMatch(html, /<script>|<style>|(src|href)="https?:/, 'no inline script/style, nothing off the machine');

    const lib = await fetch(`${server.url}/_openivs/player/hls.min.js`);
    const body = await lib.text();
    assert.equal(lib.status, 200);
    assert.equal(lib.headers.get('cache-control'), 'public, max-age=86400');
    assert.match(lib.headers.get('content-type')!, /^text\/javascript/);
    assert.ok(body.length > 100_000, `hls.min.js is ${body.length} bytes`);
    const again = await fetch(`${server.url}/_openivs/player/hls.min.js`, {
      headers: { 'if-none-match': lib.headers.get('etag')! },
    });
    assert.equal(again.status, 304);
    for (const path of ['player.js', 'player.css', 'hls.worker.js']) {
      const res = await fetch(`${server.url}/_openivs/player/${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
    }
    const missing = await fetch(`${server.url}/_openivs/player/nope.js`);
    await missing.arrayBuffer();
    assert.equal(missing.status, 404);
  });

  it('waits while the channel is offline, then plays 640x360 video that advances', async () => {
    player = await browser.newPage();
    player.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()} [${m.location().url}]`));
    player.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await player.goto(`${server.url}/_openivs/player?url=${encodeURIComponent(playbackUrl)}`);
    await until('the page to report the offline channel', async () => (await pageState()).state === 'waiting', 10_000, detail);

    ffmpeg = spawn(
      'ffmpeg',
      [
        '-nostdin',
        '-loglevel',
        'error',
        '-re',
        ...testPattern('640x360'),
        '-t',
        String(PUBLISH_SECONDS),
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-tune',
        'zerolatency',
        '-g',
        '60',
        '-c:a',
        'aac',
        '-f',
        'flv',
        ingestUrl,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    ffmpeg.stderr!.on('data', (c: Buffer) => {
      if (ffmpegErr.length < 8192) ffmpegErr += c.toString('utf8');
    });
    const publishedAt = Date.now();

    await until('the page to play', async () => (await pageState()).state === 'playing', 20_000, detail);
    const startupMs = Date.now() - publishedAt;
    const t0 = await player.evaluate(() => document.getElementById('video').currentTime as number);
    await sleep(3000);
    const video = await player.evaluate(() => {
      const v = document.getElementById('video');
      return { currentTime: v.currentTime as number, width: v.videoWidth as number, height: v.videoHeight as number };
    });
    assert.ok(video.currentTime - t0 >= 2, `currentTime went ${t0} → ${video.currentTime} in 3 s\n${detail()}`);
    assert.equal(video.width, 640);
    assert.equal(video.height, 360);
    const { states } = await pageState();
    assert.deepEqual(states.slice(0, 2), ['loading', 'waiting'], `state history ${states.join(' → ')}`);
    const latency = await player.evaluate(() => window.__openivsLatency as PlayerLatency | null);
    const shown = await player.evaluate(() => document.getElementById('latency').textContent as string);
    assert.ok(latency && latency.endToEnd !== null, `latency shown: ${shown}`);
    console.log(`# player: first frame ${startupMs} ms after ffmpeg started; latency ${shown}`);
    assert.ok(latency.endToEnd > 0 && latency.endToEnd < 15, `end-to-end latency ${latency.endToEnd} s`);
    const refused = consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l));
    assert.deepEqual(refused, [], 'no CSP violations');
  });

  it('hls.js served from /_openivs/player/hls.min.js, in a blank page of another origin, parses one 640x360 level', async () => {
    // The blank page comes from another port on loopback: a cross-origin page (so openivs's CORS is exercised), but
    // not about:blank, whose opaque non-secure origin Chromium forbids to reach loopback (Private Network Access).
    const page = await browser.newPage();
    try {
      await page.goto(blankPage.url);
      await page.addScriptTag({ url: `${server.url}/_openivs/player/hls.min.js` });
      const levels = await page.evaluate(
        (url: string) =>
          new Promise<{ width: number; height: number; codecs: string }[]>((resolve, reject) => {
            if (!Hls.isSupported()) reject(new Error('Hls.isSupported() is false'));
            const video = document.createElement('video');
            video.muted = true;
            document.body.appendChild(video);
            const hls = new Hls();
            const timer = setTimeout(() => reject(new Error('no MANIFEST_PARSED within 10 s')), 10_000);
            hls.on(Hls.Events.MANIFEST_PARSED, (_e: unknown, data: ManifestParsedData) => {
              clearTimeout(timer);
              resolve(data.levels.map((l) => ({ width: l.width, height: l.height, codecs: l.codecSet })));
              hls.destroy();
            });
            hls.on(Hls.Events.ERROR, (_e: unknown, data: ErrorData) => {
              if (data.fatal) reject(new Error(`hls.js fatal error ${data.details} (${data.response?.code ?? 'no status'})`));
            });
            hls.loadSource(url);
            hls.attachMedia(video);
          }),
        playbackUrl,
      );
      assert.equal(levels.length, 1, JSON.stringify(levels));
      assert.equal(levels[0]!.width, 640);
      assert.equal(levels[0]!.height, 360);
    } finally {
      await page.close();
    }
  });

  it('PutMetadata text reaches the page as ID3 timed metadata and is shown when playback reaches it', async () => {
    assert.ok(player, 'needs the playing page of the test before');
    const tag = Math.random().toString(36).slice(2, 8);
    const texts = [`openivs-cue-1-${tag}`, `{"score":"2-1","by":"ünïcödé ✓"} ${tag}`, `openivs-cue-3-${tag}`];
    for (const metadata of texts) {
      await ivs.send(new PutMetadataCommand({ channelArn, metadata }));
      await sleep(700);
    }
    let last: PlayerCue[] = [];
    const cues = async () => (last = await player.evaluate(() => window.__openivsCues as PlayerCue[]));
    const cueDetail = () => `${detail()}\n--- cues in the page ---\n${JSON.stringify(last, null, 1)}`;
    await until(
      'all PutMetadata texts in window.__openivsCues',
      async () => {
        const got = (await cues()).map((c) => c.text);
        return texts.every((t) => got.includes(t));
      },
      12_000,
      cueDetail,
    );
    await until(
      'the cues to be shown at their presentation time',
      async () => {
        const got = (await cues()).filter((c) => texts.includes(c.text));
        return got.every((c) => c.shownAt !== null);
      },
      12_000,
      cueDetail,
    );
    const got = (await cues()).filter((c) => texts.includes(c.text));
    assert.deepEqual(
      got.map((c) => c.text),
      texts,
      'in order, once each',
    );
    assert.ok(got.every((c) => c.frame === 'TXXX'));
    const listed = await player.evaluate(() => document.getElementById('cues').textContent as string);
    for (const t of texts) assert.ok(listed.includes(t), `page lists ${t}`);
    const delays = got.map((c) => c.shownAt! - c.receivedAt);
    console.log(`# cues: shown ${delays.join(', ')} ms after hls.js parsed them`);
  });

  it('goes back to waiting when the broadcast ends, with no console error but the offline 404s', async () => {
    assert.ok(player && ffmpeg, 'needs the playing page and the publisher of the tests before');
    const publisher = ffmpeg;
    if (publisher.exitCode === null && publisher.signalCode === null) await new Promise((r) => publisher.once('exit', r));
    assert.equal(publisher.exitCode, 0, `ffmpeg failed\n${detail()}`);
    await until('the page to go back to waiting', async () => (await pageState()).states.at(-1) === 'waiting', 15_000, detail);
    const { states, text } = await pageState();
    assert.deepEqual(states.slice(-2), ['playing', 'waiting'], `state history ${states.join(' → ')} (${text})`);
    const errors = consoleLines.filter((l) => /^(error|pageerror|warning):/.test(l) && !/status of 404/.test(l));
    assert.deepEqual(errors, []);
  });
});
