// Private channels in the console: a playback public key is imported through the Playback keys page, a private
// channel is created through the form, and while ffmpeg publishes, the preview plays once the matching private key
// (SEC1 PEM, as `openssl ecparam -genkey` writes it) is pasted: the token is signed in the browser with jose. A key
// that was never imported signs tokens the server refuses, and the preview says so.
/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate callbacks run in the browser; the tests' TypeScript has no DOM lib */

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { screenshot, text, useConsole } from '../helpers/console-page.js';
import { pollUntil, publish, rtmpUrl } from '../helpers/live.js';

declare const document: any;

const p384 = () => generateKeyPairSync('ec', { namedCurve: 'P-384' });

describe('operator console: private channel preview with a pasted key', { timeout: 120_000 }, () => {
  const { server, page, step } = useConsole({ signedIn: true });
  const imported = p384();
  const stranger = p384();

  it('imports a playback public key through the Playback keys page', async () => {
    await page.click('a[href="#/playback-keys"]');
    await page.fill('[data-testid=import-key-form] input[name=name]', 'console-key');
    await page.fill('[data-testid=import-key-form] textarea[name=publicKeyMaterial]', 'not a key');
    await page.click('[data-testid=import-key]');
    const error = await (await page.waitForSelector('[data-testid=error-publicKeyMaterial]')).textContent();
    assert.match(error ?? '', /publicKeyMaterial/);
    await page.fill(
      '[data-testid=import-key-form] textarea[name=publicKeyMaterial]',
      imported.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    await page.click('[data-testid=import-key]');
    await page.waitForSelector('[data-testid=playback-key-row]');
    assert.match(await text(page, '[data-testid=playback-key-row]'), /console-key/);
    await screenshot(page, '06-playback-keys');
  });

  it('previews a private channel only with a token signed by an imported key', async () => {
    await page.click('a[href="#/channels"]');
    await page.click('[data-testid=create-channel]');
    await page.fill('input[name=name]', 'console-private');
    await page.selectOption('select[name=type]', 'BASIC');
    await page.check('input[name=authorized]');
    await page.check('input[name=insecureIngest]');
    await page.click('[data-testid=save-channel]');
    await page.waitForSelector('[data-testid=channel-page]');
    await page.click('[data-testid=show-stream-key]');
    const key = (await text(page, '[data-testid=stream-key]')).trim();
    publish(rtmpUrl(server.rtmpPort, key), { seconds: 90 });
    await page.waitForSelector('[data-testid=token-box]', { timeout: 30_000 });
    const pem = (k: ReturnType<typeof p384>) => k.privateKey.export({ type: 'sec1', format: 'pem' }).toString();

    await page.fill('[data-testid=private-key]', pem(stranger));
    await page.click('[data-testid=mint-token]');
    const refused = await step('the refusal', () =>
      pollUntil(
        'the refusal',
        async () => {
          const el = await page.$('[data-testid=preview-video-state]');
          return (await el?.getAttribute('data-state')) === 'error' ? el!.textContent() : undefined;
        },
        { timeoutMs: 20_000 },
      ),
    );
    assert.match(refused ?? '', /private/);

    await page.click('[data-testid=change-key]');
    await page.fill('[data-testid=private-key]', pem(imported));
    await page.click('[data-testid=mint-token]');
    // currentTime jumps to the live edge before playback starts: wait for playing, then for time to advance.
    await step('preview playing', () =>
      page.waitForSelector('[data-testid=preview-video-state][data-state=playing]', { timeout: 30_000 }).catch(async (e) => {
        throw new Error(`${e}: ${await page.getAttribute('[data-testid=preview-video-state]', 'data-history')}`);
      }),
    );
    const t0 = await page.evaluate(() => document.querySelector('[data-testid=preview-video]').currentTime as number);
    await page.waitForFunction(
      (start: number) => document.querySelector('[data-testid=preview-video]').currentTime > start + 2,
      t0,
      { timeout: 20_000 },
    );
    const size = await page.evaluate(() => [
      document.querySelector('[data-testid=preview-video]').videoWidth,
      document.querySelector('[data-testid=preview-video]').videoHeight,
    ]);
    assert.deepEqual(size, [640, 360]);
    await screenshot(page, '07-private-channel-preview');
  });
});
