// The console's resource pages and recordings in headless Chromium: recording configurations and playback restriction
// policies are created (the API's validation errors shown next to their field first) and deleted through their
// pages; a channel recorded to local disk gets a recording once ffmpeg has published, listed with its duration and
// thumbnail, and its master.m3u8 plays in the page; tags are added and removed on the Tags page.
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the tests' TypeScript has no DOM lib */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { screenshot, text, useConsole } from '../helpers/console-page.js';
import { publish, rtmpUrl } from '../helpers/live.js';

declare const document: any;

describe('operator console: recording configurations, policies, recordings, tags', { timeout: 180_000 }, () => {
  const { server, page, step } = useConsole({ signedIn: true });

  it('creates and deletes recording configurations', async () => {
    await page.click('a[href="#/recording-configurations"]');
    const form = '[data-testid=recording-configuration-form]';
    await page.fill(`${form} input[name=name]`, 'no-bucket');
    await page.click('[data-testid=create-recording-configuration]');
    const error = await step('bucket error', async () =>
      (await page.waitForSelector(`${form} [data-testid=error-bucketName]`)).textContent(),
    );
    assert.match(error ?? '', /bucketName/);
    await page.fill(`${form} input[name=name]`, 'console-rec');
    await page.fill(`${form} input[name=bucketName]`, 'console-recordings');
    await page.fill(`${form} input[name=targetIntervalSeconds]`, '1');
    await page.check(`${form} input[name=latest]`);
    await page.click('[data-testid=create-recording-configuration]');
    await step('ACTIVE', () =>
      page.waitForSelector('[data-testid=recording-configuration-row][data-state=ACTIVE]', { timeout: 20_000 }),
    );
    await page.fill(`${form} input[name=name]`, 'to-delete');
    await page.fill(`${form} input[name=bucketName]`, 'console-other');
    await page.click('[data-testid=create-recording-configuration]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=recording-configuration-row]').length === 2);
    await screenshot(page, '08-recording-configurations');
    const row = page.locator('[data-testid=recording-configuration-row]', { hasText: 'to-delete' });
    await row.locator('button', { hasText: 'Delete' }).click();
    await row.locator('button', { hasText: 'Yes' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=recording-configuration-row]').length === 1);
    assert.match(await text(page, '[data-testid=recording-configuration-row]'), /console-rec/);
  });

  it('creates and deletes playback restriction policies', async () => {
    await page.click('a[href="#/restriction-policies"]');
    const form = '[data-testid=restriction-policy-form]';
    await page.fill(`${form} input[name=name]`, 'console-policy');
    await page.fill(`${form} textarea[name=allowedCountries]`, 'USA');
    await page.click('[data-testid=create-restriction-policy]');
    const error = await step('country error', async () =>
      (await page.waitForSelector(`${form} [data-testid=error-allowedCountries]`)).textContent(),
    );
    assert.match(error ?? '', /allowedCountries/);
    await page.fill(`${form} textarea[name=allowedCountries]`, 'US, CA');
    await page.fill(`${form} textarea[name=allowedOrigins]`, 'https://example.com');
    await page.click('[data-testid=create-restriction-policy]');
    await step('policy row', () => page.waitForSelector('[data-testid=restriction-policy-row]'));
    assert.match(await text(page, '[data-testid=restriction-policy-row]'), /US, CA/);
    await screenshot(page, '09-restriction-policies');
    await page.click('[data-testid=restriction-policy-row] button:has-text("Delete")');
    await page.click('[data-testid=restriction-policy-row] button:has-text("Yes")');
    await page.waitForSelector('[data-testid=restriction-policy-row]', { state: 'detached' });
  });

  it('lists a recording of a recorded channel with its thumbnail, and plays it', async () => {
    await page.click('a[href="#/channels"]');
    await page.click('[data-testid=create-channel]');
    await page.fill('input[name=name]', 'console-recorded');
    await page.selectOption('select[name=type]', 'BASIC');
    await page.check('input[name=insecureIngest]');
    await page.waitForFunction(() => document.querySelector('select[name=recordingConfigurationArn]').options.length > 1);
    const rec = await page.$eval('select[name=recordingConfigurationArn]', (s: any) => s.options[1].value as string);
    await page.selectOption('select[name=recordingConfigurationArn]', rec);
    await page.click('[data-testid=save-channel]');
    await step('channel page', () => page.waitForSelector('[data-testid=recordings]'));
    await page.click('[data-testid=show-stream-key]');
    const key = (await text(page, '[data-testid=stream-key]')).trim();
    const publisher = publish(rtmpUrl(server.rtmpPort, key), { seconds: 8 });
    const exit = await publisher.exited;
    assert.equal(exit.code, 0, exit.stderr);
    await step('recording ended', () =>
      page.waitForSelector('[data-testid=recording][data-status=RECORDING_ENDED]', { timeout: 60_000 }),
    );
    assert.match(await text(page, '[data-testid=recording]'), /0:0[6-9]|0:1\d/); // about 8 s
    await step('thumbnail', () =>
      page.waitForFunction(() => document.querySelector('[data-testid=recording-thumbnail]')?.naturalWidth > 0, null, {
        timeout: 15_000,
      }),
    );
    await page.click('[data-testid=play-recording]');
    await step('vod playing', () =>
      page.waitForSelector('[data-testid=vod-video-state][data-state=playing]', { timeout: 30_000 }),
    );
    const t0 = await page.evaluate(() => document.querySelector('[data-testid=vod-video]').currentTime as number);
    await step('vod advancing', () =>
      page.waitForFunction((s: number) => document.querySelector('[data-testid=vod-video]').currentTime > s + 1.5, t0, {
        timeout: 20_000,
      }),
    );
    const duration = await page.evaluate(() => document.querySelector('[data-testid=vod-video]').duration as number);
    assert.ok(duration > 6 && duration < 12, `VOD duration ${duration}`);
    await screenshot(page, '10-channel-recordings');
  });

  it('adds and removes tags on the Tags page', async () => {
    await page.click('a[href="#/tags"]');
    await step('tags page', () => page.waitForSelector('[data-testid=resource-tags]'));
    const channelOption = await page.$eval(
      'select[name=resource]',
      (s: any) => [...s.options].find((o: any) => o.textContent.includes('console-recorded')).value as string,
    );
    await page.selectOption('select[name=resource]', channelOption);
    await page.fill('[data-testid=add-tag] input[name=key]', 'team');
    await page.fill('[data-testid=add-tag] input[name=value]', 'video');
    await page.click('[data-testid=add-tag] button[type=submit]');
    await step('tag row', () => page.waitForSelector('[data-testid=tag-row]'));
    assert.match(await text(page, '[data-testid=tag-row]'), /team\s*video/);
    await page.fill('[data-testid=add-tag] input[name=key]', 'aws:reserved');
    await page.click('[data-testid=add-tag] button[type=submit]');
    const error = await step('reserved key error', async () =>
      (await page.waitForSelector('[data-testid=add-tag] [data-testid=error-key]')).textContent(),
    );
    assert.match(error ?? '', /aws:/);
    await screenshot(page, '11-tags');
    await page.click('[data-testid=tag-row] button:has-text("Remove")');
    await page.waitForSelector('[data-testid=tag-row]', { state: 'detached' });
  });

  it('edits a channel (settings and tags) and deletes it', async () => {
    await page.click('a[href="#/channels"]');
    await page.click('[data-testid=channel-row][data-name=console-recorded] a');
    await page.click('[data-testid=edit-channel]');
    await page.waitForFunction(() => document.querySelector('input[name=name]')?.value === 'console-recorded');
    await page.fill('input[name=name]', 'console-edited');
    await page.selectOption('select[name=latencyMode]', 'NORMAL');
    await page.selectOption('select[name=recordingConfigurationArn]', '');
    await page.click('[data-field=tags] button:has-text("Add tag")');
    await page.fill('[data-field=tags] input[aria-label="tag key"]', 'stage');
    await page.fill('[data-field=tags] input[aria-label="tag value"]', 'prod');
    await page.click('[data-testid=save-channel]');
    await step('channel page', () => page.waitForSelector('[data-testid=channel-page] h1:has-text("console-edited")'));
    const overview = await text(page, '[data-testid=channel-page] .card');
    assert.match(overview, /Latency modeNORMAL/);
    assert.match(overview, /Recording configurationnone/);
    assert.match(overview, /stage=prod/);
    assert.equal(await page.$('[data-testid=recordings]'), null, 'no recordings card without a recording configuration');
    await page.click('[data-testid=delete-channel]');
    await page.click('[data-testid=delete-channel-confirm]');
    await step('back to the list', () => page.waitForSelector('[data-testid=channels-page]'));
    await page.waitForSelector('[data-testid=channel-row][data-name=console-edited]', { state: 'detached' });
  });
});
