// SQLite-specific Store behaviour beyond the shared contract: file placement, pragmas, in-memory
// databases, backend selection, durability of committed rows when the process is killed -9, and the
// point-read caches following every write.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../src/storage/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'openivs-sqlite-'));
  dirs.push(dir);
  return dir;
}
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const scope = { account: '000000000000', region: 'us-west-2' };

describe('SQLite store', () => {
  it('creates <dataDir>/openivs.sqlite in WAL mode, creating the directory', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const store = await openSqliteStore({ dataDir });
    await store.settings.putIfAbsent('k', 'v');
    const file = join(dataDir, 'openivs.sqlite');
    assert.ok(existsSync(file));
    // journal_mode=WAL is persistent, so a second connection sees it.
    const peek = new BetterSqlite3(file, { readonly: true });
    try {
      assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal');
      const tables = peek.prepare("select name from sqlite_master where type = 'table'").pluck().all();
      for (const t of ['resources', 'sequences', 'settings', 'stream_sessions', 'outbox']) assert.ok(tables.includes(t), t);
    } finally {
      peek.close();
    }
    await store.close();
    await store.close(); // idempotent
  });

  it('supports :memory: databases', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    const r = await store.resources.insert({
      arn: 'arn:aws:ivs:us-west-2:000000000000:channel/m',
      type: 'channel',
      ...scope,
      id: 'm',
      name: '',
      ref1: '',
      ref2: '',
      lookup: null,
      doc: { ok: 1 },
    });
    assert.deepEqual(await store.resources.get(r.arn), r);
    await store.close();
  });

  it('openStore picks SQLite by default and refuses unknown schemes in one line', async () => {
    const dataDir = await tempDir();
    const store = await openStore({ dataDir });
    assert.equal(await store.settings.putIfAbsent('a', 'b'), 'b');
    await store.close();
    assert.ok(existsSync(join(dataDir, 'openivs.sqlite')));
    await assert.rejects(openStore({ dataDir, databaseUrl: 'mysql://root:hunter2@x/db' }), (err: Error) => {
      assert.equal(err.name, 'StoreOpenError');
      assert.match(err.message, /^database URL: unsupported scheme "mysql"/);
      assert.ok(!err.message.includes('hunter2') && !err.message.includes('\n'));
      return true;
    });
  });

  it('committed rows survive kill -9 of the writing process', async () => {
    const dataDir = await tempDir();
    const count = 25;
    const script = new URL('./fixtures/store-kill-writer.js', import.meta.url);
    const child = spawn(process.execPath, [script.pathname, dataDir, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('written')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    // The WAL still holds the commits: the writer never closed (checkpointed) the database.
    assert.ok(existsSync(join(dataDir, 'openivs.sqlite-wal')));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const store = await openSqliteStore({ dataDir });
    try {
      const rows = await store.resources.list({ scope, type: 'channel', limit: 1000 });
      assert.equal(rows.length, 2 * count);
      assert.deepEqual(
        rows.slice(0, 2).map((r) => r.id),
        ['single0', 'single1'],
      );
      assert.deepEqual(await store.resources.get(rows[rows.length - 1]!.arn).then((r) => r?.doc), {
        id: `tx${count - 1}`,
        written: true,
      });
      assert.equal(await store.settings.get('killed'), 'after-write');
      // seq keeps climbing after the crash.
      const next = await store.resources.insert({ ...rows[0]!, arn: `${rows[0]!.arn}-after`, id: 'after' });
      assert.ok(next.seq > rows[rows.length - 1]!.seq);
    } finally {
      await store.close();
    }
  });

  it("findReferencing's cached answers follow inserts, updates, deletes and rolled-back transactions", async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    const channel = 'arn:aws:ivs:us-west-2:000000000000:channel/c';
    const other = 'arn:aws:ivs:us-west-2:000000000000:channel/d';
    const key = (id: string, ref1: string) => ({
      arn: `arn:aws:ivs:us-west-2:000000000000:stream-key/${id}`,
      type: 'stream-key' as const,
      ...scope,
      id,
      name: '',
      ref1,
      ref2: '',
      lookup: `sk_${id}`,
      doc: { id },
    });
    const keysOf = async (arn: string) => (await store.resources.findReferencing('stream-key', arn, 10)).map((r) => r.id);
    try {
      assert.deepEqual(await keysOf(channel), []);
      await store.resources.insert(key('a', channel));
      assert.deepEqual(await keysOf(channel), ['a']);
      assert.deepEqual(await keysOf(channel), ['a']); // from the cache
      const { seq: _seq, ...a } = (await store.resources.findReferencing('stream-key', channel, 1))[0]!;
      assert.equal(await store.resources.update({ ...a, ref1: other }), true);
      assert.deepEqual(await keysOf(channel), []);
      assert.deepEqual(await keysOf(other), ['a']);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.resources.insert(key('b', other));
          assert.deepEqual(
            (await tx.resources.findReferencing('stream-key', other, 10)).map((r) => r.id),
            ['a', 'b'],
          );
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(await keysOf(other), ['a']);
      assert.equal(await store.resources.delete(a.arn), true);
      assert.deepEqual(await keysOf(other), []);
      // A caller changing the array it got changes no later answer.
      await store.resources.insert(key('c', channel));
      (await store.resources.findReferencing('stream-key', channel, 10)).pop();
      assert.deepEqual(await keysOf(channel), ['c']);
    } finally {
      await store.close();
    }
  });

  it('cached() and cachedReferencing() answer only what get() and findReferencing() would, and never inside a transaction', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    const channel = {
      arn: 'arn:aws:ivs:us-west-2:000000000000:channel/e',
      type: 'channel' as const,
      ...scope,
      id: 'e',
      name: 'first',
      ref1: '',
      ref2: '',
      lookup: null,
      doc: { name: 'first' },
    };
    const key = {
      arn: 'arn:aws:ivs:us-west-2:000000000000:stream-key/k',
      type: 'stream-key' as const,
      ...scope,
      id: 'k',
      name: '',
      ref1: channel.arn,
      ref2: '',
      lookup: 'sk_k',
      doc: { id: 'k' },
    };
    const r = store.resources;
    try {
      await r.insert(channel);
      await r.insert(key);
      // Nothing read yet: nothing in memory, so only "ask get()".
      assert.equal(r.cached(channel.arn), undefined);
      assert.equal(r.cachedReferencing('stream-key', channel.arn, 1), undefined);
      const got = await r.get(channel.arn);
      const referencing = await r.findReferencing('stream-key', channel.arn, 1);
      assert.equal(r.cached(channel.arn), got);
      assert.deepEqual(r.cachedReferencing('stream-key', channel.arn, 1), referencing);
      assert.equal(r.cachedReferencing('stream-key', channel.arn, 2), undefined, 'another limit is another answer');
      // Held rows are frozen: no caller can change what the next one reads.
      assert.ok(Object.isFrozen(r.cached(channel.arn)) && Object.isFrozen(r.cachedReferencing('stream-key', channel.arn, 1)![0]));
      // While a transaction is open, neither the root repository nor the transaction's answers from memory.
      await store.transaction(async (tx) => {
        await tx.resources.update({ ...channel, name: 'second', doc: { name: 'second' } });
        assert.equal(r.cached(channel.arn), undefined);
        assert.equal(tx.resources.cached(channel.arn), undefined);
        assert.equal(tx.resources.cachedReferencing('stream-key', channel.arn, 1), undefined);
      });
      // A write drops what was held, until the next read fills it again.
      assert.equal(r.cached(channel.arn), undefined);
      assert.equal(r.cachedReferencing('stream-key', channel.arn, 1), undefined);
      assert.equal((await r.get<{ name: string }>(channel.arn))!.doc.name, 'second');
      assert.equal(r.cached<{ name: string }>(channel.arn)!.doc.name, 'second');
      await r.delete(key.arn);
      assert.deepEqual(await r.findReferencing('stream-key', channel.arn, 1), []);
      assert.deepEqual(r.cachedReferencing('stream-key', channel.arn, 1), [], 'an empty answer is an answer');
    } finally {
      await store.close();
    }
  });
});
