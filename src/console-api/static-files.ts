// The console's built files (dist/console, made by `npm run build:console` with Vite), served under /console/:
// index.html for /console/ (no-cache, with the Content-Security-Policy and the server's facts in a <meta> tag, since
// no inline script is allowed), hashed assets under /console/assets/ (immutable), each with gzip and brotli copies
// made once, off the event loop, on first use.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { HttpRequest, HttpResponse } from '../http-types.js';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** dist/src/console-api/static-files.js → dist/console */
export const CONSOLE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console');
export const CONSOLE_PATH = '/console';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const MAX_FILES = 500;

export interface StaticFile {
  type: string;
  bytes: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
}

export class ConsoleFiles {
  private loading: Promise<Map<string, StaticFile>> | undefined;

  constructor(private readonly root = CONSOLE_DIST) {}

  /** Files by path relative to the root ('index.html', 'assets/index-abc.js'); empty when the console is not built. */
  files(): Promise<Map<string, StaticFile>> {
    this.loading ??= this.load().catch((err: NodeJS.ErrnoException) => {
      this.loading = undefined; // built later (npm run build:console): try again on the next request
      if (err.code === 'ENOENT') return new Map<string, StaticFile>();
      throw err;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, StaticFile>> {
    const out = new Map<string, StaticFile>();
    for (const path of await walk(this.root, [])) {
      const bytes = await readFile(path);
      const rel = relative(this.root, path).split(sep).join('/');
      const [gz, br] = await Promise.all([
        gzipAsync(bytes, { level: 9 }),
        brotliAsync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
      ]);
      const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
      out.set(rel, { type: TYPES[extname(path)] ?? 'application/octet-stream', bytes, gzip: gz, br, etag });
    }
    if (!out.has('index.html')) {
      this.loading = undefined;
      return new Map();
    }
    return out;
  }
}

async function walk(dir: string, out: string[]): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (out.length >= MAX_FILES) break;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Sends a file with the best encoding the client accepts, honouring If-None-Match. */
export function sendFile(req: HttpRequest, res: HttpResponse, file: StaticFile, headers: Record<string, string>): void {
  const common = {
    ...headers,
    'content-type': file.type,
    etag: file.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const accepted = String(req.headers['accept-encoding'] ?? '');
  const [body, encoding] = /\bbr\b/.test(accepted)
    ? [file.br, 'br']
    : /\bgzip\b/.test(accepted)
      ? [file.gzip, 'gzip']
      : [file.bytes, undefined];
  res.writeHead(200, { ...common, ...(encoding ? { 'content-encoding': encoding } : {}), 'content-length': body.length });
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
