// hls.js in headless Chromium plays through the shipped edge (deploy/varnish-openivs.vcl in Debian's varnishd): the
// channels' playbackUrl names the edge (--playback-base-url), the built-in player page (served by openivs, so the
// edge is another origin: CORS) opens it, and every playlist, part and segment request goes to the edge. (a) BASIC LOW
// TS and (b) BASIC LOW FRAGMENTED_MP4 (LL-HLS: parts and blocking reloads through the edge; latency reported), (c)
// NORMAL. One publisher at a time (2-core machine).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, type Channel } from '@aws-sdk/client-ivs';
import { freePort } from '../../devtools/server.js';
import { startVarnish, type Edge } from '../../devtools/edge.js';
import { useServer } from '../helpers/use-server.js';
import { publish, rtmpUrl, sleep, until } from '../helpers/live.js';
import type { PlayerLatency } from '../helpers/player-page.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const edgePort = await freePort();
const edgeHost = `127.0.0.1:${edgePort}`;
const PART_REQUEST = /\/\d+\.\d+\.(ts|m4s)$/;

describe('browser: hls.js plays through the Varnish edge', { timeout: 150_000 }, () => {
  const { server, ivs, browser } = useServer({
    browser: true,
    args: ['--playback-base-url', `http://${edgeHost}`, '--viewer-address-header', 'x-viewer-address'],
  });
  let edge: Edge;

  before(async () => {
    edge = await startVarnish(edgePort, [server.port], 64);
  });
  after(async () => {
    await edge?.stop();
  });

  async function play(label: string, latencyMode: 'LOW' | 'NORMAL', containerFormat: 'TS' | 'FRAGMENTED_MP4') {
    const created = await ivs.send(
      new CreateChannelCommand({
        name: label.replace(/\W/g, '-'),
        type: 'BASIC',
        latencyMode,
        containerFormat,
        insecureIngest: true,
      }),
    );
    const channel: Channel = created.channel!;
    assert.equal(new URL(channel.playbackUrl!).host, edgeHost, 'the playback URL names the edge');
    const publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), {
      seconds: 30,
      videoKbps: 800,
      audioKbps: 96,
    });
    const page = await browser.newPage();
    const lines: string[] = [];
    const requests: string[] = [];
    const detail = () =>
      `--- ${label}: console ---\n${lines.slice(-30).join('\n')}\n--- requests ---\n${requests.slice(-20).join('\n')}\n` +
      `--- edge ---\n${edge.logs().slice(-2000)}`;
    try {
      page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${server.url}/_openivs/player?url=${encodeURIComponent(channel.playbackUrl!)}`);
      await until(
        `${label}: playing`,
        async () => (await page.evaluate(() => document.getElementById('state').dataset.state as string)) === 'playing',
        30_000,
        detail,
      );
      const t0 = await page.evaluate(() => document.getElementById('video').currentTime as number);
      await sleep(3000);
      const t1 = await page.evaluate(() => document.getElementById('video').currentTime as number);
      assert.ok(t1 - t0 >= 2, `${label}: currentTime ${t0} → ${t1} in 3 s\n${detail()}`);
      const playback = requests.filter((u) => new URL(u).pathname.startsWith('/api/video/v1/'));
      assert.ok(playback.length > 5, detail());
      assert.deepEqual(
        playback.filter((u) => new URL(u).host !== edgeHost),
        [],
        `${label}: every playback request goes to the edge`,
      );
      if (latencyMode === 'LOW') {
        assert.ok(
          playback.some((u) => PART_REQUEST.test(new URL(u).pathname)),
          `${label}: parts through the edge\n${detail()}`,
        );
        assert.ok(
          playback.some((u) => /_HLS_msn=\d+/.test(u)),
          `${label}: blocking reloads through the edge\n${detail()}`,
        );
        const latency = await until(
          `${label}: latency`,
          async () => {
            const l = await page.evaluate(() => window.__openivsLatency as PlayerLatency | null);
            return l && l.endToEnd !== null ? l : undefined;
          },
          5000,
          detail,
        );
        assert.ok(Number.isFinite(latency.endToEnd), `${label}: latency ${latency.endToEnd}`);
        console.log(`# latency through the edge, ${label}: end-to-end ${latency.endToEnd!.toFixed(2)} s`);
      }
      const errors = lines.filter((l) => /^(error|pageerror):/.test(l) && !/status of 404/.test(l));
      assert.deepEqual(errors, [], `${label}: no console errors\n${detail()}`);
    } finally {
      await page.close().catch(() => undefined);
      await publisher.kill();
    }
  }

  it('(a) LOW TS: LL-HLS through the edge, latency reported', () => play('LOW TS', 'LOW', 'TS'));
  it('(b) LOW fMP4: LL-HLS through the edge, latency reported', () => play('LOW fMP4', 'LOW', 'FRAGMENTED_MP4'));
  it('(c) NORMAL: plain HLS through the edge', () => play('NORMAL', 'NORMAL', 'TS'));
});
