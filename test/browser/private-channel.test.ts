// Private channels in a real browser: headless Chromium plays a private LOW-latency channel with hls.js. The
// built-in player page passes `&token=` on to the playback URL and plays; without a token it reports the refusal.
// hls.js in a page of another origin plays with a token that allows only that origin with strict enforcement (every
// playlist, part and segment request carries Origin and gets it reflected); a token for another origin is refused.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { CreateChannelCommand, ImportPlaybackKeyPairCommand } from '@aws-sdk/client-ivs';
import { SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { useServer } from '../helpers/use-server.js';
import { pollUntil, publish, rtmpUrl, type Running } from '../helpers/live.js';
import type { ErrorData } from 'hls.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const PUBLISH_SECONDS = 45;

describe('browser playback of a private channel', { timeout: 90_000 }, () => {
  const { server, ivs, browser, blankPage } = useServer({ browser: true, blankPage: true });
  let publisher: Running;
  let channelArn: string;
  let playbackUrl: string;
  const consoleLines: string[] = [];
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });

  const token = (claims: Record<string, unknown> = {}) =>
    new SignJWT({ 'aws:channel-arn': channelArn, ...claims })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setExpirationTime('5m')
      .sign(keys.privateKey);
  const detail = () =>
    `--- page console ---\n${consoleLines.slice(-30).join('\n')}\n--- server ---\n${server.logs().slice(-3000)}`;

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    return page;
  }

  before(async () => {
    const created = await ivs.send(
      new CreateChannelCommand({
        name: 'private-browser',
        type: 'BASIC',
        latencyMode: 'LOW',
        insecureIngest: true,
        authorized: true,
      }),
    );
    channelArn = created.channel!.arn!;
    playbackUrl = created.channel!.playbackUrl!;
    await ivs.send(
      new ImportPlaybackKeyPairCommand({ publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    );
    publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), { seconds: PUBLISH_SECONDS });
    const live = await token();
    await pollUntil('the private channel live', async () => (await fetch(`${playbackUrl}?token=${live}`)).status === 200, {
      timeoutMs: 20_000,
    });
  });

  it('the player page plays with &token= and reports the refusal without one', async () => {
    const page = await newPage();
    const state = () => page.evaluate(() => document.getElementById('state').dataset.state as string);
    await page.goto(`${server.url}/_openivs/player?url=${encodeURIComponent(playbackUrl)}&token=${await token()}`);
    await pollUntil('the page to play', async () => (await state()) === 'playing', { timeoutMs: 20_000 }).catch((e) => {
      throw new Error(`${e}\n${detail()}`);
    });
    const t0 = await page.evaluate(() => document.getElementById('video').currentTime as number);
    await pollUntil(
      'the video to advance 2 s',
      async () => (await page.evaluate(() => document.getElementById('video').currentTime as number)) - t0 >= 2,
      { timeoutMs: 15_000 },
    );
    const size = await page.evaluate(() => [
      document.getElementById('video').videoWidth,
      document.getElementById('video').videoHeight,
    ]);
    assert.deepEqual(size, [640, 360]);
    await page.close();

    const refused = await newPage();
    await refused.goto(`${server.url}/_openivs/player?url=${encodeURIComponent(playbackUrl)}`);
    const text = await pollUntil(
      'the refusal shown',
      async () => {
        const el = await refused.evaluate(() => ({
          state: document.getElementById('state').dataset.state as string,
          text: document.getElementById('state').textContent as string,
        }));
        return el.state === 'error' ? el.text : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.match(text, /private/);
    await refused.close();
  });

  /** hls.js in the other-origin page: resolves with the fragments loaded, or rejects on a fatal error. */
  async function playCrossOrigin(page: Page, url: string): Promise<number> {
    await page.goto(`${blankPage.origin}/`);
    await page.addScriptTag({ url: `${server.url}/_openivs/player/hls.min.js` });
    return page.evaluate(
      (src: string) =>
        new Promise<number>((resolve, reject) => {
          const video = document.createElement('video');
          video.muted = true;
          document.body.appendChild(video);
          const hls = new Hls({ lowLatencyMode: true });
          let fragments = 0;
          const timer = setTimeout(() => reject(new Error(`only ${fragments} fragments within 20 s`)), 20_000);
          hls.on(Hls.Events.FRAG_LOADED, () => {
            if (++fragments < 3) return;
            clearTimeout(timer);
            resolve(fragments);
            hls.destroy();
          });
          hls.on(Hls.Events.ERROR, (_e: unknown, data: ErrorData) => {
            if (!data.fatal) return;
            clearTimeout(timer);
            reject(new Error(`fatal ${data.details} (HTTP ${data.response?.code ?? 'none'})`));
            hls.destroy();
          });
          hls.loadSource(src);
          hls.attachMedia(video);
          video.play().catch(() => undefined);
        }),
      url,
    );
  }

  it('hls.js on another origin plays with a strict token for that origin, not with one for another origin', async () => {
    const page = await newPage();
    const strict = await token({ 'aws:access-control-allow-origin': blankPage.origin, 'aws:strict-origin-enforcement': true });
    const fragments = await playCrossOrigin(page, `${playbackUrl}?token=${strict}`).catch((e) => {
      throw new Error(`${e}\n${detail()}`);
    });
    assert.ok(fragments >= 3);
    const elsewhere = await token({ 'aws:access-control-allow-origin': 'https://elsewhere.example.com' });
    await assert.rejects(playCrossOrigin(page, `${playbackUrl}?token=${elsewhere}`), /manifestLoadError/);
    assert.ok(!publisher.done(), 'the broadcast outlived the checks');
    await page.close();
  });
});
