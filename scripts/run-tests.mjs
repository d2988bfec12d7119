#!/usr/bin/env node
// Runs the compiled test suite (dist/test/**/*.test.js): each file in its own `node --test` (the spec reporter, a
// timeout, --test-force-exit), three lanes at a time, a file's output printed whole when it ends, the counts summed
// and the exit code non-zero when any file failed.
// At most one HEAVY file (below: players in Chromium, hundreds of viewers, three-node clusters, live ladders) runs at a
// time, beside light ones: two of them side by side starve each other's timing (a browser's stall check, 200 viewers
// through Varnish), and with node's own --test-concurrency the browser files, which sort first, all ran in pairs.
// Heavy files are queued first, so the longest do not form the tail. On a 2-core machine three lanes ran the suite in
// 803–830 s against 1,009–1,020 s for two; three became the default once the publishers stopped encoding live
// (test/helpers/publish-clip.ts): before that, three lanes failed timing-sensitive files (a publisher falling behind
// real time on a busy machine) in 2 runs of 2.
// On Node 20 --test-timeout bounds each test and also each whole file, hence the generous default; tests wanting a
// tighter bound pass { timeout }. --test-force-exit ends a file once its tests are done, so a leaked handle cannot
// stall CI. Extra arguments: node test flags (e.g. --test-name-pattern=x) are forwarded; other arguments narrow the
// run to files or directories, given as source (test/unit) or dist paths. TEST_CONCURRENCY sets the lanes (3).
// It first builds the browser code (build-browser.mjs, the step of `npm run build` that tsc alone skips), so the
// server under test serves the current player script after a plain `npx tsc`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBrowser } from './build-browser.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distTest = join(root, 'dist', 'test');
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 300_000);
const lanes = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 3));

/** Files (dist paths relative to the root) that are CPU-heavy and timing-sensitive: one at a time. */
const HEAVY = [
  /^dist\/test\/browser\/(?!console)/, // players in Chromium (the console's pages play little)
  /^dist\/test\/live\/(edge|advanced-ladder)/, // hundreds of viewers through Varnish; every ADVANCED ladder live
  /^dist\/test\/cluster\/(cluster|transcode-relay)\.test\.js$/, // three nodes; a ladder across nodes
  /^dist\/test\/live\/standard-crash/, // a 720p ladder live, killed and restarted: timing checks on its recovery
  /^dist\/test\/live\/srt(-loss)?\.test\.js$/, // hls.js in Chromium, and SRT's own timers (latency, retransmission)
];

// These run alone, first, with no other file beside them: they bound the server's event-loop stalls under load they
// generate themselves, and a machine busy with two other files stalled every process for 200–320 ms (4 runs of 4 saw
// it, twice in a row in CI), which the test cannot tell from a stall a request causes.
const ALONE = [/^dist\/test\/fuzz\/playback-http/];

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
const files = (targets.length > 0 ? targets : [distTest])
  .flatMap((t) => collect(t, []))
  .sort()
  .map((f) => relative(root, f));

if (files.length === 0) {
  console.error(`run-tests: no *.test.js files under ${targets.length > 0 ? targets.join(', ') : distTest}`);
  console.error('run-tests: did the build run? (npm test builds first)');
  process.exit(1);
}

await buildBrowser();
// The publishers' pre-encoded clips (test/helpers/publish-clip.ts), made once here rather than by the first file
// that needs each, mid-test; cached between runs.
const { prepareClips } = await import(pathToFileURL(join(root, 'dist/test/helpers/publish-clip.js')).href);
prepareClips();

const isAlone = (file) => ALONE.some((re) => re.test(file));
const isHeavy = (file) => !isAlone(file) && HEAVY.some((re) => re.test(file));
const queue = [...files.filter(isAlone), ...files.filter(isHeavy), ...files.filter((f) => !isAlone(f) && !isHeavy(f))];
console.log(
  `run-tests: ${files.length} test files (${files.filter(isAlone).length} alone, ${files.filter(isHeavy).length} heavy` +
    ` one at a time), ${lanes} lanes, timeout ${timeoutMs} ms`,
);

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const totals = Object.fromEntries(COUNTS.map((k) => [k, 0]));
const failed = [];
const running = new Set();
const started = Date.now();
let free = lanes;
let heavyRunning = false;
let aloneRunning = false;
let stopping = false;

/** Runs one file in its own `node --test`; resolves with its whole output and exit status. */
function runFile(file) {
  return new Promise((resolveRun) => {
    const child = spawn(
      process.execPath,
      [
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-timeout=${timeoutMs}`,
        '--test-force-exit',
        ...flags,
        file,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    // node's own timeout ends a file first; this only catches a runner that cannot end.
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      running.delete(child);
      resolveRun({ text: Buffer.concat(output).toString('utf8'), code, signal });
    });
  });
}

function report(file, ms, { text, code, signal }) {
  const counts = {};
  for (const key of COUNTS) {
    const m = text.match(new RegExp(`^ℹ ${key} (\\d+)$`, 'm'));
    counts[key] = m ? Number(m[1]) : 0;
    totals[key] += counts[key];
  }
  const ok = code === 0 && signal === null && counts.fail === 0;
  if (!ok) failed.push(file);
  process.stdout.write(`\n━━ ${file} (${(ms / 1000).toFixed(1)} s, ${ok ? 'ok' : 'FAILED'})\n${text}`);
  if (signal !== null) process.stdout.write(`run-tests: ${file} killed by ${signal}\n`);
}

/**
 * Starts queued files while lanes are free: the files to run alone first, each once every lane is free and with
 * nothing beside it; then the first that may run now (a heavy file only when no other heavy one runs), so one heavy
 * file runs all along, beside light ones, until none is left.
 */
function fill(done) {
  while (!stopping && free > 0 && !aloneRunning) {
    const i = isAlone(queue[0] ?? '') ? (free === lanes ? 0 : -1) : queue.findIndex((f) => !(heavyRunning && isHeavy(f)));
    if (i < 0) break;
    const [file] = queue.splice(i, 1);
    const heavy = isHeavy(file);
    const alone = isAlone(file);
    free--;
    if (heavy) heavyRunning = true;
    if (alone) aloneRunning = true;
    const t0 = Date.now();
    runFile(file).then((result) => {
      free++;
      if (heavy) heavyRunning = false;
      if (alone) aloneRunning = false;
      report(file, Date.now() - t0, result);
      fill(done);
    });
  }
  if (free === lanes && (queue.length === 0 || stopping)) done();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of running) child.kill(signal);
    console.error(`run-tests: stopped by ${signal}`);
    process.exit(1);
  });
}

await new Promise((resolveAll) => fill(resolveAll));
console.log('\n━━ all files');
for (const key of COUNTS) console.log(`ℹ ${key} ${totals[key]}`);
console.log(`ℹ duration_ms ${Date.now() - started}`);
if (failed.length > 0) {
  console.log(`run-tests: ${failed.length} file(s) failed:\n${failed.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
