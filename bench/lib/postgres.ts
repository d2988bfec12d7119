// A throwaway PostgreSQL for benchmarks (initdb + pg_ctl from Debian's postgresql in a temp dir, on a free
// port, as the postgres user when run as root), or the server named by BENCH_DATABASE_URL. Benchmarks do not
// import test helpers, so this is its own small copy; durability settings are the defaults (fsync on), since
// the database's cost is part of what bench:cluster measures.

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../devtools/server.js';

export interface BenchPostgres {
  url: string;
  stop(): void;
}

function bindir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!dir) throw new Error("PostgreSQL binaries not found: bash scripts/install.sh --test installs Debian's postgresql");
  return dir;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: () => undefined };
  const bin = bindir();
  const dir = mkdtempSync(join(tmpdir(), 'openivs-bench-pg-'));
  const root = userInfo().uid === 0;
  const as = (cmd: string, args: string[]) => {
    const r = root
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
      : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  writeFileSync(join(dir, 'pw'), 'bench\n');
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pw'), uid, gid);
  }
  const data = join(dir, 'data');
  as(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    join(dir, 'pw'),
    '--auth-host=scram-sha-256',
    '--no-instructions',
  ]);
  const port = await freePort();
  as(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`,
    'start',
  ]);
  return {
    url: `postgres://postgres:bench@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
