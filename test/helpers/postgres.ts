// A throwaway PostgreSQL server for tests: initdb + pg_ctl from Debian's postgresql package in a temp
// dir, on a free 127.0.0.1 port, its unix socket in the temp dir too (never the system's 5432 cluster).
// Run as root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
//
// The cluster is made to catch dialect slips: its default collation is ICU "en" (linguistic order:
// 'a' < 'B'), password (SCRAM) authentication on TCP, and tests connect as a non-superuser that owns
// its database, as the README tells operators to set it up. fsync is off: durability is not under test.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../devtools/server.js';

export interface PgServer {
  readonly port: number;
  /** Superuser `postgres` over TCP with password. */
  readonly adminUrl: string;
  /** Creates a role (LOGIN, the given password) owning a new database; returns its URL. */
  createDatabase(opts?: { name?: string; user?: string; password?: string }): Promise<string>;
  /** Drops a database made by createDatabase (closing its connections). */
  dropDatabase(name: string): Promise<void>;
  /** Runs one statement as the superuser. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** pg_ctl stop -m fast (connections are terminated); the data stays for start(). */
  stop(): Promise<void>;
  /** Starts again on the same port and data. */
  start(): Promise<void>;
  /** Stops (immediate) and deletes everything. */
  destroy(): Promise<void>;
}

const ADMIN_PASSWORD = 'admin-pass';
let counter = 0;

/** The newest PostgreSQL server binaries: OPENIVS_TEST_PG_BINDIR, Debian's /usr/lib/postgresql/N/bin, or PATH. */
export function findPostgresBinaries(): string {
  const candidates: string[] = [];
  if (process.env.OPENIVS_TEST_PG_BINDIR) candidates.push(process.env.OPENIVS_TEST_PG_BINDIR);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '') candidates.push(dir);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (found === undefined) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found: run `bash scripts/install.sh --test` ' +
        "(installs Debian's postgresql) or set OPENIVS_TEST_PG_BINDIR to their directory",
    );
  }
  return found;
}

const asRoot = userInfo().uid === 0;

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function run(bin: string, args: string[], what: string): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
  }
}

export async function startPostgres(): Promise<PgServer> {
  const bin = findPostgresBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'openivs-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${ADMIN_PASSWORD}\n`);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  run(
    join(bin, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--pwfile',
      pwfile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--locale-provider=icu',
      '--icu-locale=en',
      '--no-sync',
      '--no-instructions',
    ],
    'initdb',
  );

  let port = 0;
  const pgCtl = join(bin, 'pg_ctl');
  const launch = async () => {
    for (let attempt = 1; ; attempt++) {
      if (port === 0 || attempt > 1) port = await freePort();
      try {
        pgStart(pgCtl, data, dir, port);
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  };
  const restart = () => Promise.resolve(pgStart(pgCtl, data, dir, port));
  await launch();
  const stopImmediately = () =>
    spawnSync(
      asRoot ? 'runuser' : pgCtl,
      asRoot
        ? ['-u', 'postgres', '--', pgCtl, '-D', data, '-m', 'immediate', '-w', 'stop']
        : ['-D', data, '-m', 'immediate', '-w', 'stop'],
      { timeout: 30_000 },
    );
  // A test process that ends early must not leave a server behind.
  const onExit = () => stopImmediately();
  process.once('exit', onExit);

  const adminUrl = () => `postgres://postgres:${ADMIN_PASSWORD}@127.0.0.1:${port}/postgres`;
  const query = async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
    const client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
    try {
      return await client.query<R>(text, values);
    } finally {
      await client.end();
    }
  };

  return {
    get port() {
      return port;
    },
    get adminUrl() {
      return adminUrl();
    },
    query,
    async createDatabase(opts = {}) {
      const suffix = `${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
      const name = opts.name ?? `openivs_${suffix}`;
      const user = opts.user ?? `openivs_${suffix}`;
      const password = opts.password ?? randomBytes(9).toString('base64url');
      const role = await query('select 1 from pg_roles where rolname = $1', [user]);
      if (role.rowCount === 0) await query(`create role "${user}" login password '${password}'`);
      await query(`create database "${name}" owner "${user}"`);
      return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
    },
    async dropDatabase(name) {
      await query(`drop database if exists "${name}" with (force)`);
    },
    async stop() {
      run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop'], 'pg_ctl stop');
    },
    start: restart,
    async destroy() {
      process.removeListener('exit', onExit);
      stopImmediately();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgStart(pgCtl: string, data: string, dir: string, port: number): void {
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=16MB',
    '-c log_min_messages=warning',
  ].join(' ');
  run(pgCtl, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'], 'pg_ctl start');
}

/** The database name of a URL made by createDatabase. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}
