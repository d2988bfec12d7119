// The V8 heap flag (src/heap-flags.ts) reaches the server process on every way it is started: the `openivs` bin's
// shebang (run the way the kernel runs it: /usr/bin/env -S with the shebang's argument), `npm start`'s script and
// devtools' launcher; and a server started without it says so in its log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HEAP_FLAGS } from '../../src/heap-flags.js';
import { HEAP_FLAGS as DEVTOOLS_HEAP_FLAGS, MAIN_JS, freePort, startServer } from '../../devtools/server.js';

const ROOT = resolve(MAIN_JS, '..', '..', '..');
const WARNING = 'node was started without';

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

test('devtools, npm start and the bin carry the same heap flags as src/heap-flags.ts', () => {
  assert.ok(HEAP_FLAGS.length > 0);
  assert.deepEqual([...DEVTOOLS_HEAP_FLAGS], [...HEAP_FLAGS]);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `node ${HEAP_FLAGS.join(' ')} scripts/start.mjs`);
  const shebang = readFileSync(MAIN_JS, 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${HEAP_FLAGS.join(' ')}`);
});

test('a server started by devtools runs with the flags and logs no warning', async () => {
  const server = await startServer();
  try {
    const args = cmdline(server.proc.pid!);
    for (const flag of HEAP_FLAGS)
      assert.ok(args.indexOf(flag) >= 1 && args.indexOf(flag) < args.indexOf(MAIN_JS), args.join(' '));
    assert.ok(!server.logs().includes(WARNING), server.logs());
  } finally {
    await server.stop();
  }
});

test('a server started without the flags warns, naming them', async () => {
  const server = await startServer({ heapFlags: false });
  try {
    const line = server
      .logs()
      .split('\n')
      .find((l) => l.includes(WARNING));
    assert.ok(line, `no warning in:\n${server.logs()}`);
    const entry = JSON.parse(line) as { level: number; missing: string[] };
    assert.deepEqual(entry.missing, [...HEAP_FLAGS]);
    assert.equal(entry.level, 40); // pino's warn
  } finally {
    await server.stop();
  }
});

test('the bin, started through its shebang, gets the flags and becomes ready without the warning', async () => {
  const shebang = readFileSync(MAIN_JS, 'utf8').split('\n')[0]!;
  const [interpreter, argument] = [shebang.slice(2, shebang.indexOf(' ')), shebang.slice(shebang.indexOf(' ') + 1)];
  const dataDir = mkdtempSync(join(tmpdir(), 'openivs-heap-flags-'));
  const [httpPort, rtmpPort] = [await freePort(), await freePort()];
  // As the kernel runs `#!<interpreter> <argument>`: the argument whole, then the script's path and its arguments.
  const child = spawn(
    interpreter,
    [argument, MAIN_JS, 'start', '--http-port', String(httpPort), '--rtmp-port', String(rtmpPort), '--srt-port', 'off'].concat([
      '--data-dir',
      dataDir,
      '--bind',
      '127.0.0.1',
      '--host',
      '127.0.0.1',
      '--log-level',
      'info',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready in 15 s:\n${out}`)), 15_000);
      child.stdout.on('data', () => {
        if (out.includes('openivs ready')) {
          clearTimeout(timer);
          ready();
        }
      });
      child.once('exit', (code) => fail(new Error(`exited ${code}:\n${out}`)));
    });
    const args = cmdline(child.pid!);
    assert.equal(args[0], 'node');
    for (const flag of HEAP_FLAGS) assert.ok(args.includes(flag), args.join(' '));
    assert.ok(!out.includes(WARNING), out);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
