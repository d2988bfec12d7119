// Builds the operator console (a Preact single-page app) into dist/console, served by openivs under /console/.
// JSX goes through Vite 8's oxc transform with Preact's automatic runtime (no preset plugin needed). The player
// (hls.js) and the token minting (jose) are dynamic imports, so they load as separate chunks only when a preview,
// a recording or a private channel needs them.

import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { conditions: ['browser'] },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The server sends gzip and brotli itself; the report of Vite's own gzip figures costs time only.
    reportCompressedSize: false,
    chunkSizeWarningLimit: 700,
  },
});
