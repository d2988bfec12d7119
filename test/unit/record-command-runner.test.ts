// The command helper (CommandRunner) that spawns the thumbnail ffmpeg away from the server process: commands run in
// the helper (their parent is the helper, not this process), results carry stdout, stderr, exit code, timeouts and
// start failures; a helper killed mid-command fails that command and is replaced on the next; and the helper with its
// commands dies when the process that forked it is killed with SIGKILL.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommandRunner } from '../../src/media/record/command-runner.js';

const OPTS = { timeoutMs: 10_000, maxStdoutBytes: 1024 * 1024 };
const runners: CommandRunner[] = [];
after(() => runners.forEach((r) => r.close()));

function runner(): CommandRunner {
  const r = new CommandRunner();
  runners.push(r);
  return r;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('CommandRunner', () => {
  it('runs commands in the helper, not in this process, and returns their output and exit code', async () => {
    const r = runner();
    const res = await r.run('sh', ['-c', 'echo $PPID; echo oops >&2; exit 3'], OPTS);
    const parent = Number(res.stdout.toString().trim());
    assert.equal(res.code, 3);
    assert.equal(res.stderr.trim(), 'oops');
    assert.equal(res.error, undefined);
    assert.ok(r.helperPid !== undefined && r.helperPid !== process.pid);
    assert.equal(parent, r.helperPid, 'the command is a child of the helper');
    // The helper stays for the next command.
    const again = await r.run('sh', ['-c', 'echo $PPID'], OPTS);
    assert.equal(Number(again.stdout.toString().trim()), parent);
  });

  it('passes binary stdout intact, and marks output over the limit as truncated', async () => {
    const r = runner();
    const res = await r.run('head', ['-c', '300000', '/dev/urandom'], OPTS);
    assert.equal(res.code, 0);
    assert.equal(res.stdout.length, 300_000);
    const big = await r.run('head', ['-c', '300000', '/dev/zero'], { ...OPTS, maxStdoutBytes: 100_000 });
    assert.equal(big.truncated, true);
    assert.ok(big.stdout.length <= 100_000);
  });

  it('kills a command past its timeout, and reports a command that cannot start', async () => {
    const r = runner();
    const started = Date.now();
    const slow = await r.run('sleep', ['30'], { ...OPTS, timeoutMs: 300 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.signal, 'SIGKILL');
    assert.ok(Date.now() - started < 10_000);
    const missing = await r.run('/nonexistent/ffmpeg', [], OPTS);
    assert.match(missing.error ?? '', /ENOENT/);
  });

  it('fails the running command when the helper dies, and starts a new helper for the next', async () => {
    const r = runner();
    const first = r.run('sh', ['-c', 'sleep 30'], OPTS);
    assert.ok(await waitFor(() => r.helperPid !== undefined, 5_000));
    const pid = r.helperPid!;
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(pid, 'SIGKILL');
    const res = await first;
    assert.match(res.error ?? '', /helper/);
    const next = await r.run('sh', ['-c', 'echo $PPID'], OPTS);
    assert.equal(next.code, 0);
    assert.notEqual(Number(next.stdout.toString().trim()), pid);
  });

  it('exits with its commands when the process that forked it is killed with SIGKILL', async () => {
    // A parent that starts the helper, runs `sleep 60` through it (which writes its pid to a file: a command's stderr
    // goes to the helper), and prints the helper's pid.
    const dir = mkdtempSync(join(tmpdir(), 'openivs-runner-'));
    const pidFile = join(dir, 'sleep.pid');
    const script = `
      import { CommandRunner } from ${JSON.stringify(new URL('../../src/media/record/command-runner.js', import.meta.url).href)};
      const r = new CommandRunner();
      void r.run('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 60'], { timeoutMs: 120000, maxStdoutBytes: 1024 });
      const t = setInterval(() => { if (r.helperPid) { console.log(r.helperPid); clearInterval(t); } }, 20);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    parent.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const sleepPid = () => Number(readFileSync(pidFile, 'utf8').trim() || 0);
    const started = () =>
      /\d+\n/.test(out) &&
      (() => {
        try {
          return sleepPid() > 0;
        } catch {
          return false;
        }
      })();
    assert.ok(await waitFor(started, 10_000), `no pids: ${out}`);
    const helperPid = Number(out.trim());
    assert.ok(alive(helperPid) && alive(sleepPid()));
    parent.kill('SIGKILL');
    assert.ok(await waitFor(() => !alive(helperPid), 5_000), 'the helper outlived its parent');
    assert.ok(await waitFor(() => !alive(sleepPid()), 5_000), 'the command outlived the helper');
    rmSync(dir, { recursive: true, force: true });
  });
});
