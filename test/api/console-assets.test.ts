// The console's page and assets as openivs serves them: /console redirects to /console/, the page carries a strict
// Content-Security-Policy and no inline script, the server's facts (ingest ports) ride in a <meta> tag, hashed
// assets are immutable and compressed (brotli, gzip), and the JavaScript of a first load stays under 300 KB
// compressed (issue 15's target). The sizes measured are printed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertConsoleBuilt } from '../helpers/console-page.js';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';

const FIRST_LOAD_LIMIT = 300 * 1024;

describe('console page and assets', { timeout: 60_000 }, () => {
  let server: TestServer;
  let html: string;
  let csp: string;

  before(async () => {
    assertConsoleBuilt();
    server = await startServer({ args: ['--allow-insecure-ingest'] });
    const res = await fetch(`${server.url}/console/`);
    assert.equal(res.status, 200);
    html = await res.text();
    csp = res.headers.get('content-security-policy') ?? '';
  });
  after(async () => {
    await server?.stop();
  });

  it('redirects /console to /console/ and serves the page with a strict policy', async () => {
    const redirect = await fetch(`${server.url}/console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/console/');
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('style-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.ok(directives.get('connect-src')?.includes("'self'"));
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1]!, /\bsrc="\/console\/assets\//, `inline or foreign script: ${m[0].slice(0, 100)}`);
      assert.equal(m[2]!.trim(), '');
    }
    assert.doesNotMatch(html, /<style\b|\sstyle=|https?:\/\/(?!127\.0\.0\.1)/, 'inline styles or external URLs in the page');
  });

  it('tells the app the ingest ports in a meta tag', () => {
    const content = /<meta name="openivs-server" content="([^"]*)">/.exec(html)?.[1];
    assert.ok(content, html);
    const facts = JSON.parse(content.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    assert.equal(facts.rtmpPort, server.rtmpPort);
    assert.equal(facts.allowInsecureIngest, true);
    assert.equal(facts.defaultRegion, 'us-west-2');
  });

  it('serves immutable, compressed assets, and a first load under 300 KB of compressed JavaScript', async () => {
    const scripts = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map(
      (m) => m[1]!,
    );
    const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(scripts.length >= 1, html);
    const sizes = { raw: 0, gzip: 0, br: 0 };
    for (const path of scripts) {
      for (const encoding of ['identity', 'gzip', 'br'] as const) {
        // undici's fetch decodes bodies; count the bytes on the wire from content-length instead.
        const res = await fetch(`${server.url}${path}`, { headers: { 'accept-encoding': encoding } });
        await res.arrayBuffer();
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(res.headers.get('content-encoding') ?? 'identity', encoding);
        sizes[encoding === 'identity' ? 'raw' : encoding] += Number(res.headers.get('content-length'));
      }
    }
    console.log(
      `console first-load JavaScript (${scripts.length} file(s)): raw ${sizes.raw} B, gzip ${sizes.gzip} B, brotli ${sizes.br} B`,
    );
    assert.ok(sizes.gzip < FIRST_LOAD_LIMIT && sizes.br < FIRST_LOAD_LIMIT, JSON.stringify(sizes));
    assert.ok(sizes.br < sizes.raw / 2, 'compression works');
    for (const path of styles) assert.equal((await fetch(`${server.url}${path}`)).status, 200);

    const first = await fetch(`${server.url}${scripts[0]}`);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await fetch(`${server.url}${scripts[0]}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${server.url}/console/assets/nope.js`)).status, 404);
    const head = await fetch(`${server.url}/console/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });
});
