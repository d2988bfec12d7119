#!/usr/bin/env node
// `npm start`: builds only when a build input changed since the last build, then runs the server from dist/.
// Running tsc on every start cost ~13 s of a 14 s start; a build is skipped when no input file is newer than the
// stamp it left (make's rule: modification times, so an edit, a checkout or a pull that touches a file rebuilds).
// The server runs in this process (no second node start-up); its arguments are `start` plus this script's own.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const entry = join(root, 'dist', 'src', 'main.js');

/** Folders and files whose contents the build reads. */
const INPUTS = ['src', 'model', 'console', 'scripts', 'tsconfig.json', 'package.json', 'package-lock.json'];
const SKIP = new Set(['node_modules', 'dist', '.git']);

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder's time
  for (const name of readdirSync(path)) {
    if (!SKIP.has(name)) newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

function upToDate() {
  if (!existsSync(stamp) || !existsSync(entry)) return false;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.every((input) => newestMtime(join(root, input)) <= built);
}

if (!upToDate()) {
  console.error('openivs: building (sources changed since the last build)');
  const begun = Date.now();
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  // The stamp takes the time the build began: a file saved during the build is newer and rebuilds next time.
  writeFileSync(stamp, `${new Date(begun).toISOString()}\n`);
  utimesSync(stamp, new Date(begun), new Date(begun));
}

process.argv = [process.argv[0], entry, 'start', ...process.argv.slice(2)];
await import(pathToFileURL(entry).href);
