// nginx-rtmp as the ingest peer: installed from the distribution if its module is missing, run in the
// foreground as a single process (daemon off, master_process off) with a generated config in a temp dir,
// so /proc/<pid> of that one process is the whole server, measured like openivs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnGroup, waitForHttp, type GroupChild } from './processes.js';

export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const PACKAGES = ['libnginx-mod-rtmp', 'nginx-light'];

function findNginx(): string | undefined {
  return ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
}

function aptGet(args: string[]): boolean {
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/** Installs nginx with the RTMP module (apt) unless both are already there; returns the nginx binary. */
export function ensureNginxRtmp(): string {
  let nginx = findNginx();
  if (nginx && existsSync(RTMP_MODULE)) return nginx;
  console.log(`nginx-rtmp not found (${RTMP_MODULE}); installing: apt-get install -y ${PACKAGES.join(' ')}`);
  const install = ['install', '-y', '--no-install-recommends', ...PACKAGES];
  if (!aptGet(install)) {
    console.log('install failed; running apt-get update and retrying');
    if (!aptGet(['update']) || !aptGet(install)) throw new Error(`apt-get install ${PACKAGES.join(' ')} failed`);
  }
  nginx = findNginx();
  if (!nginx || !existsSync(RTMP_MODULE)) throw new Error(`nginx or ${RTMP_MODULE} still missing after install`);
  const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' });
  console.log(`installed ${(version.stderr || version.stdout).trim()} with ${RTMP_MODULE}`);
  return nginx;
}

export interface NginxRtmp {
  server: GroupChild;
  hlsDir: string;
  /** `rtmp://127.0.0.1:<port>/app` */
  rtmpBase: string;
  /** `http://127.0.0.1:<port>` serving the HLS directory (`/<stream>.m3u8`, `/<stream>-<n>.ts`). */
  httpBase: string;
}

export interface NginxRtmpOptions {
  /** hls_fragment (default `2s`). */
  fragment?: string;
  /**
   * hls_fragment_naming (default `sequential`). With `system` each fragment is named after nginx's wall clock (ms since
   * the epoch) when it opened the fragment, i.e. when the keyframe starting it arrived.
   */
  naming?: 'sequential' | 'timestamp' | 'system';
  /** `Access-Control-Allow-Origin: *` on the HTTP side, for a player page of another origin. */
  cors?: boolean;
}

export async function startNginxRtmp(
  nginx: string,
  dir: string,
  rtmpPort: number,
  httpPort: number,
  opts: NginxRtmpOptions = {},
): Promise<NginxRtmp> {
  const hlsDir = join(dir, 'hls');
  mkdirSync(hlsDir, { recursive: true });
  mkdirSync(join(dir, 'client_body'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
load_module ${RTMP_MODULE};
error_log ${join(dir, 'error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 4096; }
rtmp {
  server {
    listen 127.0.0.1:${rtmpPort};
    application app {
      live on;
      hls on;
      hls_path ${hlsDir};
      hls_fragment ${opts.fragment ?? '2s'};
      hls_playlist_length 12s;${opts.naming ? `\n      hls_fragment_naming ${opts.naming};` : ''}
    }
  }
}
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${httpPort};
    root ${hlsDir};
    add_header Cache-Control no-cache;${opts.cors ? '\n    add_header Access-Control-Allow-Origin *;' : ''}
  }
}
`,
  );
  const server = spawnGroup(nginx, ['-e', join(dir, 'error.log'), '-p', dir, '-c', conf]);
  try {
    await waitForHttp(`http://127.0.0.1:${httpPort}/`);
  } catch (err) {
    throw new Error(`nginx did not start: ${server.stderrTail().trim() || String(err)}`, { cause: err });
  }
  return { server, hlsDir, rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/app`, httpBase: `http://127.0.0.1:${httpPort}` };
}
