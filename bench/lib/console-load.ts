// The operator console's first load in headless Chromium: the bytes it transfers (per resource type, as the network
// carried them: compressed bodies plus headers) and its time to interactive, from a fresh browser context (empty
// cache, no session) each time.
//
// Time to interactive, concretely: from navigation start (performance.timeOrigin, 0 on the page's clock) to the first
// frame after the sign-in form's submit button is in the DOM, visible and enabled: Preact has rendered the form with
// its handlers, and the frame that shows it has been produced. A MutationObserver installed before any page script
// notices the button; requestAnimationFrame + setTimeout(0) waits for that frame to be done. Then the bench types into
// the access key field and reads the value back, to be sure the page answers input at that point.

import type { Browser } from 'playwright-core';

export const TTI_DEFINITION =
  'navigation start → first frame after the sign-in form’s submit button is in the DOM, visible and enabled ' +
  '(MutationObserver from before any page script, then requestAnimationFrame + setTimeout 0); typing into the form is checked after';

const SUBMIT = '[data-testid=sign-in-form] button[type=submit]';

export interface ConsoleLoad {
  ttiMs: number;
  domContentLoadedMs: number;
  loadMs: number;
  /** Response bodies of JavaScript as transferred (compressed), bytes. */
  jsBytes: number;
  /** JavaScript uncompressed (what the browser parses), bytes. */
  jsDecodedBytes: number;
  /** Everything transferred: compressed bodies and response headers of every request, bytes. */
  totalBytes: number;
  requests: number;
  /** content-encoding of the JavaScript responses (br, gzip, or identity). */
  jsEncodings: string[];
}

/** Installed before any page script: records window.__openivsTti once the sign-in form can be used. */
function ttiProbe(selector: string): void {
  const w = window as unknown as { __openivsTti?: number };
  const ready = () => {
    const button = document.querySelector<HTMLButtonElement>(selector);
    return button !== null && !button.disabled && button.getClientRects().length > 0;
  };
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => (w.__openivsTti = performance.now()), 0));
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
}

export async function measureConsoleLoad(browser: Browser, consoleUrl: string): Promise<ConsoleLoad> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(ttiProbe, SUBMIT);
    const sized: Promise<{ type: string; body: number; headers: number; decoded: number; encoding: string }>[] = [];
    page.on('requestfinished', (request) =>
      sized.push(
        (async () => {
          const [sizes, response] = await Promise.all([request.sizes(), request.response()]);
          const headers = response ? await response.allHeaders() : {};
          const decoded = response ? (await response.body().catch(() => Buffer.alloc(0))).length : 0;
          return {
            type: request.resourceType(),
            body: sizes.responseBodySize,
            headers: sizes.responseHeadersSize,
            decoded,
            encoding: headers['content-encoding'] ?? 'identity',
          };
        })(),
      ),
    );
    await page.goto(consoleUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as { __openivsTti?: number }).__openivsTti !== undefined, null, {
      timeout: 30_000,
    });
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        tti: (window as unknown as { __openivsTti: number }).__openivsTti,
        dcl: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
      };
    });
    await page.fill('input[name=accessKeyId]', 'typed');
    if ((await page.inputValue('input[name=accessKeyId]')) !== 'typed') throw new Error('the sign-in form does not take input');
    const resources = await Promise.all(sized);
    const js = resources.filter((r) => r.type === 'script');
    return {
      ttiMs: timing.tti,
      domContentLoadedMs: timing.dcl,
      loadMs: timing.load,
      jsBytes: js.reduce((n, r) => n + r.body, 0),
      jsDecodedBytes: js.reduce((n, r) => n + r.decoded, 0),
      totalBytes: resources.reduce((n, r) => n + r.body + r.headers, 0),
      requests: resources.length,
      jsEncodings: [...new Set(js.map((r) => r.encoding))],
    };
  } finally {
    await context.close();
  }
}
