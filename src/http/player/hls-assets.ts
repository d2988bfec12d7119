// hls.js for the player page, read from the installed `hls.js` package (a runtime dependency, so it is there wherever
// openivs is installed) on first request and kept in memory with a gzip copy. Resolved through the package's own
// exports map ("./dist/*"), so it is found from dist/src/... as well as from a global or nested install.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const require = createRequire(import.meta.url);
const gzipAsync = promisify(gzip);

export type HlsFile = 'hls.min.js' | 'hls.worker.js';

export interface Asset {
  bytes: Buffer;
  gzip: Buffer;
  /** Weak (the same for both encodings), from the hls.js version. */
  etag: string;
}

const cache = new Map<HlsFile, Promise<Asset>>();

export function hlsAsset(file: HlsFile): Promise<Asset> {
  let asset = cache.get(file);
  if (!asset) {
    asset = load(file);
    asset.catch(() => cache.delete(file)); // a failed read (package missing) is retried on the next request
    cache.set(file, asset);
  }
  return asset;
}

async function load(file: HlsFile): Promise<Asset> {
  const bytes = await readFile(require.resolve(`hls.js/dist/${file}`));
  const { version } = require('hls.js/package.json') as { version: string };
  return { bytes, gzip: await gzipAsync(bytes), etag: `W/"hls.js-${version}-${file}"` };
}
