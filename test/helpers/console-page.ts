// Driving the operator console in headless Chromium: a suite's server, browser and first console page
// (useConsole), opening it, signing in through its form, failures that carry the page's and the server's last lines
// (step, detail), and a screenshot of each page saved as a test artifact (under $TEST_ARTIFACTS, default
// .tmp/artifacts/console) checked to be a real render, not a blank page.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { pngStats } from './console-png.js';
import { killAllChildren } from './live.js';
import { standIn } from './use-server.js';
import { launchChromium } from '../../devtools/browser.js';
import { MAIN_JS, startServer, type OpenivsServer, type StartOptions } from '../../devtools/server.js';

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

export interface ConsoleSuiteOptions {
  /** How the suite's openivs starts (devtools/server.ts). */
  server?: StartOptions;
  /** Open a first console page in before() (default true). */
  page?: boolean;
  /** Sign that page in as test/test and wait for the channel list. */
  signedIn?: boolean;
}

export interface ConsoleSuite {
  readonly server: OpenivsServer;
  readonly browser: Browser;
  /** The first console page (with its browser log); `page` is its Playwright page. */
  readonly ui: ConsolePage;
  readonly page: Page;
  /** The page's and the server's last lines, for a failure message. */
  detail: () => string;
  /** Runs `fn`; a failure names the step and carries detail(). */
  step: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * A console suite's openivs, headless Chromium and first console page, started by a before() hook and torn down by
 * an after() hook (ffmpeg children, browser, server). Call it in a describe block; what it returns may be
 * destructured at once: its members reach the live objects once before() has run.
 */
export function useConsole(opts: ConsoleSuiteOptions = {}): ConsoleSuite {
  let server: OpenivsServer | undefined;
  let browser: Browser | undefined;
  let ui: ConsolePage | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useConsole(): ${what} is not ready (use it in a test or a later hook)`);
    return value;
  };
  const detail = () =>
    `--- page ---\n${ui?.log.slice(-30).join('\n') ?? ''}\n--- server ---\n${server?.logs().slice(-3000) ?? ''}`;

  before(async () => {
    assertConsoleBuilt();
    server = await startServer(opts.server);
    browser = await launchChromium();
    if (opts.page === false) return;
    ui = await openConsole(browser, server.url);
    if (opts.signedIn === true) {
      await signIn(ui.page, 'test', 'test');
      await ui.page.waitForSelector('[data-testid=channels-page]');
    }
  });
  after(async () => {
    killAllChildren();
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  return {
    server: standIn(() => ready(server, 'the server')),
    browser: standIn(() => ready(browser, 'the browser')),
    ui: standIn(() => ready(ui, 'the console page')),
    page: standIn(() => ready(ui, 'the console page').page),
    detail,
    step: async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        throw new Error(`${what}: ${(err as Error).message}\n${detail()}`, { cause: err });
      }
    },
  };
}
