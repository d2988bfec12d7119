// Driving the operator console in headless Chromium: open it from a test server, sign in through its form, wait
// for what the page shows, and save a screenshot of each page as a test artifact (under $TEST_ARTIFACTS, default
// .tmp/artifacts/console) checked to be a real render, not a blank page.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pngStats } from './console-png.js';
import { MAIN_JS } from '../../devtools/server.js';

/** dist/src/main.js → dist/console/index.html: the console must be built (npm run build). */
export function assertConsoleBuilt(): void {
  const index = resolve(MAIN_JS, '..', '..', 'console', 'index.html');
  assert.ok(existsSync(index), `the console is not built (${index} is missing): run npm run build`);
}

export const ARTIFACTS = resolve(process.env.TEST_ARTIFACTS ?? join('.tmp', 'artifacts'), 'console');

export interface ConsolePage {
  page: Page;
  /** Browser console lines and page errors, for failure messages. */
  log: string[];
}

export async function openConsole(browser: Browser, url: string): Promise<ConsolePage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(`${url}/console/`);
  return { page, log };
}

export async function signIn(page: Page, accessKeyId: string, secretAccessKey: string, region?: string): Promise<void> {
  await page.waitForSelector('[data-testid=sign-in-form]');
  await page.fill('input[name=accessKeyId]', accessKeyId);
  await page.fill('input[name=secretAccessKey]', secretAccessKey);
  if (region !== undefined) await page.selectOption('[data-testid=sign-in-form] select[name=region]', region);
  await page.click('[data-testid=sign-in-form] button[type=submit]');
}

/**
 * Saves a full-page screenshot as <ARTIFACTS>/<name>.png and checks it is not blank: a rendered console page has
 * many colours (text, badges, inputs) and contrast; a blank or failed render is one or two flat colours.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(path, png);
  const stats = pngStats(png);
  assert.ok(
    stats.colours >= 16 && stats.lumaStdDev >= 8,
    `screenshot ${path} looks blank: ${stats.colours} colours, luminance deviation ${stats.lumaStdDev.toFixed(1)}`,
  );
  return path;
}

export const text = (page: Page, selector: string) => page.textContent(selector).then((t) => t ?? '');
