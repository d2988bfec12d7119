#!/usr/bin/env node
// Runs the compiled test suite (dist/test/**/*.test.js) with Node's built-in test runner and the spec reporter,
// two files at a time (tests start servers and ffmpeg; CI machines have 2 cores), a timeout, and the runner's
// exit code passed through. On Node 20 --test-timeout bounds each test and also each whole file, hence the
// generous default; tests wanting a tighter bound pass { timeout }. --test-force-exit ends a file once its tests
// are done, so a leaked handle cannot stall CI. Extra arguments: node test flags (e.g. --test-name-pattern=x) are
// forwarded; other arguments narrow the run to files or directories, given as source (test/unit) or dist paths.
// It first builds the browser code (build-browser.mjs, the step of `npm run build` that tsc alone skips), so the
// server under test serves the current player script after a plain `npx tsc`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser } from './build-browser.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distTest = join(root, 'dist', 'test');
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 300_000);
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);

function collect(path, out) {
  if (!existsSync(path)) return out;
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.js')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    collect(join(path, entry.name), out);
  }
  return out;
}

/** Maps test/unit/x.test.ts or dist/test/unit/x.test.js to its compiled path. */
function toDist(arg) {
  const abs = resolve(arg);
  const rel = relative(root, abs);
  if (rel === 'dist' || rel.startsWith('dist/')) return abs;
  return join(root, 'dist', rel.replace(/\.ts$/, '.js'));
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const targets = args.filter((a) => !a.startsWith('-')).map(toDist);
const files = (targets.length > 0 ? targets : [distTest]).flatMap((t) => collect(t, [])).sort();

if (files.length === 0) {
  console.error(`run-tests: no *.test.js files under ${targets.length > 0 ? targets.join(', ') : distTest}`);
  console.error('run-tests: did the build run? (npm test builds first)');
  process.exit(1);
}

await buildBrowser();

const nodeArgs = [
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${timeoutMs}`,
  '--test-force-exit',
  ...flags,
  ...files.map((f) => relative(root, f)),
];
console.log(`run-tests: ${files.length} test files, concurrency ${concurrency}, timeout ${timeoutMs} ms`);
const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal !== null) {
    console.error(`run-tests: test runner killed by ${signal}`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
