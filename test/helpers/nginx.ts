// nginx in front of test nodes: deploy/nginx-openivs.conf (the example the README's "Running a cluster"
// walks through) with its ports replaced by the test's, run as our own foreground process with a temp
// prefix (-p, daemon off), never the system's nginx. Needs Debian's nginx and libnginx-mod-stream.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPortProcess } from '../../devtools/port-process.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The example config in the repository (dist/test/helpers → repo root). */
export const DEPLOY_CONFIG = resolve(here, '..', '..', '..', 'deploy', 'nginx-openivs.conf');

export interface NginxPorts {
  rtmp: number;
  rtmps: number;
  http: number;
  /** Per node, in the order of the example's upstream servers. */
  nodes: Array<{ rtmp: number; rtmps: number; http: number }>;
}

export interface Nginx {
  readonly config: string;
  logs(): string;
  stop(): Promise<void>;
}

/** The example's ports → the test's. */
export function nginxConfig(ports: NginxPorts): string {
  const text = readFileSync(DEPLOY_CONFIG, 'utf8');
  const map = new Map<string, number>([
    ['1935', ports.rtmp],
    ['4443', ports.rtmps],
    ['8080', ports.http],
  ]);
  ports.nodes.forEach((n, i) => {
    map.set(`1935${i + 1}`, n.rtmp);
    map.set(`4443${i + 1}`, n.rtmps);
    map.set(`1808${i + 1}`, n.http);
  });
  let out = text.replace(
    /^(\s*listen )(\d+);/gm,
    (_m, p: string, port: string) => `${p}127.0.0.1:${map.get(port) ?? fail(port)};`,
  );
  out = out.replace(/server 127\.0\.0\.1:(\d+)/g, (_m, port: string) => `server 127.0.0.1:${map.get(port) ?? fail(port)}`);
  // Temp files under the prefix rather than Debian's /var/lib/nginx.
  out = out.replace(
    /^http \{$/m,
    'http {\n    client_body_temp_path temp/body;\n    proxy_temp_path temp/proxy;\n' +
      '    fastcgi_temp_path temp/fastcgi;\n    uwsgi_temp_path temp/uwsgi;\n    scgi_temp_path temp/scgi;',
  );
  return out;
}

function fail(port: string): never {
  throw new Error(`deploy/nginx-openivs.conf names port ${port}, which the test does not map`);
}

export async function startNginx(ports: NginxPorts): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'openivs-nginx-'));
  mkdirSync(join(prefix, 'temp'));
  mkdirSync(join(prefix, 'logs'));
  const config = join(prefix, 'nginx.conf');
  writeFileSync(config, nginxConfig(ports));
  const check = spawnSync('nginx', ['-t', '-p', prefix, '-c', config, '-g', 'daemon off;'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed: ${check.stderr}`);
  const nginx = await startPortProcess({
    command: 'nginx',
    args: ['-p', prefix, '-c', config, '-g', 'daemon off;'],
    port: ports.http,
    dir: prefix,
    stopSignal: 'SIGQUIT',
    timeoutMs: 10_000,
  });
  return { config, logs: () => nginx.logs(), stop: () => nginx.stop() };
}
