#!/usr/bin/env node
// Builds the code that runs in the browser: the player page's script, src/http/player/browser/player.ts, into one
// classic script (an IIFE, no module loader) at dist/src/http/player/browser/player.js, where the compiled server
// (dist/src/http/player/player-script.js) reads it. `npm run build` runs it after tsc; run-tests.mjs runs it too,
// so `npx tsc && node scripts/run-tests.mjs` serves the current script. esbuild is a dev dependency: the published
// package ships the built file (dist/src), not the builder. Type checking is tsc's job (npm run typecheck).
// It also builds the operator console (console/, a Preact app) with Vite into dist/console, served at /console/.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const BROWSER_BUILDS = [{ entry: 'src/http/player/browser/player.ts', outfile: 'dist/src/http/player/browser/player.js' }];

export async function buildBrowser() {
  for (const { entry, outfile } of BROWSER_BUILDS) {
    await build({
      entryPoints: [join(root, entry)],
      outfile: join(root, outfile),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      // The browsers openivs's player page supports: Media Source Extensions with hls.js 1.x.
      target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
  await buildConsole();
}

/** The console's Vite build (about two seconds); its config is console/vite.config.ts. */
export async function buildConsole() {
  const vite = await import('vite');
  await vite.build({ configFile: join(root, 'console', 'vite.config.ts'), logLevel: 'warn' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--console')) await buildConsole();
  else await buildBrowser();
}
