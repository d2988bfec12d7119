// The operator console in headless Chromium against a real openivs, driven like an operator would: wrong
// credentials are refused with a clear message; sign-in; a channel is created through the form (the API's
// validation error shows next to the field first); ffmpeg publishes with the stream key the page reveals; the list
// and the page show LIVE; the hls.js preview plays; the charts fill with per-second points; PutMetadata sent from
// the page reaches the preview's hls.js (FRAG_PARSING_METADATA); the event pane shows the stream's events; Stop
// stream ends the broadcast; the session's timeline and ingest configuration show. Each page is screenshotted.
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the tests' TypeScript has no DOM lib */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { screenshot, signIn, text, useConsole } from '../helpers/console-page.js';
import { pngStats } from '../helpers/console-png.js';
import { pollUntil, publish, rtmpUrl, type Running } from '../helpers/live.js';

// Browser globals, used only inside page callbacks (the project's TypeScript has no DOM lib).
declare const document: any;

describe('operator console: sign in, create, watch, chart, metadata, stop', { timeout: 150_000 }, () => {
  const { server, browser, page, step } = useConsole();
  let publisher: Running | undefined;

  it('a blank page fails the screenshot check (so the check can fail)', async () => {
    const blank = await browser.newPage();
    await blank.setContent('<html><body style="background:#fff"></body></html>');
    const stats = pngStats(await blank.screenshot());
    assert.ok(stats.colours < 16 || stats.lumaStdDev < 8, JSON.stringify(stats));
    await blank.close();
  });

  it('refuses wrong credentials with a clear error', async () => {
    await signIn(page, 'test', 'not-the-secret');
    const error = await step('wrong secret', async () => (await page.waitForSelector('[data-testid=form-error]')).textContent());
    assert.match(error ?? '', /Wrong secret access key/);
    await signIn(page, 'nobody', 'test');
    await pollUntil('unknown key message', async () =>
      /Unknown access key ID/.test(await text(page, '[data-testid=form-error]')),
    );
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing is kept after a failed sign-in');
    await screenshot(page, '01-sign-in-error');
  });

  it('signs in and creates a channel through the form, showing the API validation error next to its field', async () => {
    await signIn(page, 'test', 'test');
    await step('channel list', () => page.waitForSelector('[data-testid=channels-page]'));
    await page.click('[data-testid=create-channel]');
    await page.fill('input[name=name]', 'console-live');
    await page.selectOption('select[name=type]', 'BASIC');
    await page.selectOption('select[name=preset]', 'HIGHER_BANDWIDTH_DELIVERY');
    await page.click('[data-testid=save-channel]');
    const presetError = await step('preset error', async () =>
      (await page.waitForSelector('[data-field=preset] [data-testid=error-preset]')).textContent(),
    );
    assert.match(presetError ?? '', /preset is only supported for ADVANCED/);
    await screenshot(page, '02-channel-form-validation');
    await page.selectOption('select[name=preset]', '');
    await page.check('input[name=insecureIngest]');
    await page.click('[data-testid=save-channel]');
    await step('channel page', () => page.waitForSelector('[data-testid=channel-page]'));
    assert.match(await text(page, '[data-testid=ingest-rtmp]'), new RegExp(`^rtmp://127\\.0\\.0\\.1:${server.rtmpPort}/app/$`));
    assert.ok(await page.$('[data-testid=stream-key-hidden]'), 'the stream key is hidden until asked for');
  });

  it('goes live from ffmpeg with the revealed key: LIVE badge, playing preview, charts with points', async () => {
    await page.click('[data-testid=show-stream-key]');
    const key = (await text(page, '[data-testid=stream-key]')).trim();
    assert.match(key, /^sk_us-west-2_/);
    // The copy button puts exactly the key on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.click('.stream-key button:has-text("Copy")');
    await step('copied', () => page.waitForSelector('.stream-key button:has-text("Copied")'));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    publisher = publish(rtmpUrl(server.rtmpPort, key), { seconds: 90 });
    await step('live badge', () =>
      page.waitForSelector('[data-testid=channel-page] [data-testid=live-badge]', { timeout: 30_000 }),
    );
    // currentTime jumps to the live edge before playback starts: wait for playing, then for time to advance.
    const t0 = await step('preview playing', async () => {
      await page.waitForSelector('[data-testid=preview-video-state][data-state=playing]', { timeout: 30_000 });
      return page.evaluate(() => document.querySelector('[data-testid=preview-video]').currentTime as number);
    });
    await step('preview advancing', () =>
      page.waitForFunction((start: number) => document.querySelector('[data-testid=preview-video]').currentTime > start + 2, t0, {
        timeout: 20_000,
      }),
    );
    for (const chart of ['bitrate', 'framerate', 'keyframe', 'viewers']) {
      await step(`chart ${chart}`, () =>
        page.waitForFunction(
          (id: string) => Number(document.querySelector(`[data-testid=chart-${id}]`)?.dataset.points) >= 3,
          chart,
          { timeout: 20_000 },
        ),
      );
    }
    const legend = await text(page, '[data-testid=chart-framerate] figcaption');
    const fps = Number(/([\d.]+) fps/.exec(legend)?.[1]);
    assert.ok(fps > 20 && fps < 40, `frame rate legend ${legend}`);
    const keyframe = Number(/([\d.]+) s/.exec(await text(page, '[data-testid=chart-keyframe] figcaption'))?.[1]);
    assert.ok(keyframe > 1.5 && keyframe < 2.5, `keyframe interval ${keyframe}`); // ffmpeg -g 60 at 30 fps
    await screenshot(page, '03-channel-live');
  });

  it('lists the channel as live with its health', async () => {
    await page.click('a[href="#/channels"]');
    const row = '[data-testid=channel-row][data-name=console-live]';
    await step('live row', () => page.waitForSelector(`${row} [data-testid=live-badge]`, { timeout: 10_000 }));
    assert.equal(await text(page, `${row} [data-testid=health-badge]`), 'HEALTHY');
    // The preview on the channel page was a viewer a moment ago (viewer sessions count for a while after their last
    // reload), so the list shows a count, not the offline dash.
    assert.match(await text(page, `${row} [data-testid=viewers]`), /^\d+$/);
    await page.fill('[data-testid=channel-filter]', 'no-such-name');
    await page.waitForSelector(`${row}`, { state: 'detached' });
    await page.fill('[data-testid=channel-filter]', 'console');
    await page.waitForSelector(row);
    await screenshot(page, '04-channel-list-live');
    await page.click(`${row} a`);
    await page.waitForSelector('[data-testid=channel-page] [data-testid=live-badge]');
  });

  it('sends PutMetadata from the page and the preview receives it', async () => {
    await step('preview back', () =>
      page.waitForSelector('[data-testid=preview-video-state][data-state=playing]', { timeout: 30_000 }),
    );
    const payload = `console-metadata-${Date.now()}`;
    await page.fill('textarea[name=metadata]', payload);
    await page.click('[data-testid=send-metadata]');
    await step('metadata sent', () => page.waitForSelector('[data-testid=metadata-result]'));
    assert.match(await text(page, '[data-testid=metadata-result]'), /^Sent/);
    await step('metadata received by hls.js', () =>
      page.waitForFunction(
        (p: string) => [...document.querySelectorAll('[data-testid=cue]')].some((e: any) => e.textContent.includes(p)),
        payload,
        { timeout: 20_000 },
      ),
    );
  });

  it('shows the stream events in the event pane', async () => {
    for (const name of ['Session Created', 'Stream Start']) {
      await step(`event ${name}`, () =>
        page.waitForFunction(
          (n: string) => [...document.querySelectorAll('[data-testid=event]')].some((e: any) => e.textContent.includes(n)),
          name,
          { timeout: 15_000 },
        ),
      );
    }
  });

  it('stops the stream from the page: the broadcast ends and the session shows its timeline', async () => {
    await page.click('[data-testid=stop-stream]');
    await page.click('[data-testid=stop-stream-confirm]');
    await step('offline', () =>
      page.waitForSelector('[data-testid=channel-page] [data-testid=offline-badge]', { timeout: 15_000 }),
    );
    const exited = await step('publisher disconnected', () =>
      pollUntil('ffmpeg to exit', () => publisher!.done(), { timeoutMs: 15_000 }),
    );
    assert.ok(exited);
    await step('Stream End in the timeline', () =>
      page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid=timeline-event]')].some((e: any) => e.textContent.includes('Stream End')),
        null,
        { timeout: 20_000 },
      ),
    );
    const ingest = await text(page, '[data-testid=ingest-configuration]');
    assert.match(ingest, /640×360 @ 30 fps/);
    assert.match(ingest, /mp4a\.40\.2, 48000 Hz/);
    await step('Stream End in the event pane', () =>
      page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid=event]')].some((e: any) => e.textContent.includes('Stream End')),
        null,
        { timeout: 15_000 },
      ),
    );
    await screenshot(page, '05-channel-stopped-sessions');
  });

  it('rotates the stream key', async () => {
    await page.click('[data-testid=show-stream-key]');
    await page.waitForSelector('[data-testid=stream-key]');
    const before = (await text(page, '[data-testid=stream-key]')).trim();
    await page.click('[data-testid=rotate-stream-key]');
    await page.click('[data-testid=rotate-stream-key-confirm]');
    const after = await pollUntil('a new key', async () => {
      const now = (await text(page, '[data-testid=stream-key]')).trim();
      return now !== before ? now : undefined;
    });
    assert.match(after, /^sk_us-west-2_/);
  });
});
