// The viewers' edge in front of test and benchmark servers: Debian's varnishd running the repository's
// deploy/varnish-openivs.vcl with its backend ports replaced by the given origins (one node: all three backends point
// at it), or a plain nginx proxy_cache keyed on the full URL (what any CDN does without openivs-specific rules; and the
// same with proxy_cache_lock, the nginx edge bench:edge compares Varnish with). Each runs as our own foreground
// process with a temp working directory on 127.0.0.1, never the system's service, and is killed if this process exits.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPortProcess } from './port-process.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/devtools → the repository's deploy/. */
export const VARNISH_VCL = resolve(here, '..', '..', 'deploy', 'varnish-openivs.vcl');
/** The shipped varnishd parameters (worker thread pools sized for held LL-HLS requests), `name=value` per line. */
export const VARNISH_PARAMS = resolve(here, '..', '..', 'deploy', 'varnish-openivs.params');

/** deploy/varnish-openivs.params as varnishd arguments: `-p name=value` for each line that is not a comment. */
export function varnishParams(): string[] {
  return readFileSync(VARNISH_PARAMS, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .flatMap((line) => ['-p', line]);
}
const EXAMPLE_PORTS = ['18081', '18082', '18083'];

export interface Edge {
  readonly port: number;
  readonly pid: number;
  logs(): string;
  stop(): Promise<void>;
}

/** The shipped VCL with its three example backends pointed at `origins` (ports on 127.0.0.1, cycled). */
export function varnishVcl(origins: number[]): string {
  const text = readFileSync(VARNISH_VCL, 'utf8');
  return text.replace(/\.port = "(\d+)";/g, (_m, port: string) => {
    const i = EXAMPLE_PORTS.indexOf(port);
    if (i === -1) throw new Error(`deploy/varnish-openivs.vcl names port ${port}, which is not an example backend`);
    return `.port = "${origins[i % origins.length]}";`;
  });
}

export async function startVarnish(port: number, origins: number[], memoryMb = 256): Promise<Edge> {
  const dir = mkdtempSync(join(tmpdir(), 'openivs-varnish-'));
  const vcl = join(dir, 'edge.vcl');
  writeFileSync(vcl, varnishVcl(origins));
  const args = [
    '-F',
    '-n',
    join(dir, 'n'),
    '-a',
    `127.0.0.1:${port}`,
    '-f',
    vcl,
    '-s',
    `malloc,${memoryMb}m`,
    '-T',
    'none',
    '-j',
    'none',
  ];
  args.push(...varnishParams());
  return startProcess('varnishd', args, port, dir);
}

/**
 * nginx proxy_cache in front of `origins`. `lock`: proxy_cache_lock (one upstream request per object, the others
 * wait on the lock); without it, a plain cache keyed on the full URL that obeys Cache-Control and nothing else.
 */
export async function startNginxCache(port: number, origins: number[], lock: boolean): Promise<Edge> {
  const dir = mkdtempSync(join(tmpdir(), 'openivs-nginx-cache-'));
  // Started as root, nginx's workers run as nobody: they must be able to write the cache and temp files.
  chmodSync(dir, 0o755);
  for (const sub of ['temp', 'logs', 'cache']) mkdirSync(join(dir, sub), { mode: 0o777 });
  for (const sub of ['temp', 'cache']) chmodSync(join(dir, sub), 0o777);
  const config = join(dir, 'nginx.conf');
  const servers = origins.map((p) => `server 127.0.0.1:${p};`).join(' ');
  const lockLines = lock ? 'proxy_cache_lock on; proxy_cache_lock_timeout 10s; proxy_cache_lock_age 10s;' : '';
  writeFileSync(
    config,
    `worker_processes 1;
error_log stderr warn;
pid nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path temp/body; proxy_temp_path temp/proxy; fastcgi_temp_path temp/fastcgi;
  uwsgi_temp_path temp/uwsgi; scgi_temp_path temp/scgi;
  proxy_cache_path cache levels=1:2 keys_zone=edge:16m max_size=256m inactive=1m use_temp_path=off;
  upstream origin { ${servers} keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_read_timeout 30s;
      proxy_cache edge;
      proxy_cache_key $scheme$host$request_uri;
      ${lockLines}
    }
  }
}
`,
  );
  const check = spawnSync('nginx', ['-t', '-p', dir, '-c', config, '-g', 'daemon off;'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed: ${check.stderr}`);
  return startProcess('nginx', ['-p', dir, '-c', config, '-g', 'daemon off;'], port, dir);
}

async function startProcess(command: string, args: string[], port: number, dir: string): Promise<Edge> {
  return { port, ...(await startPortProcess({ command, args, port, dir })) };
}
