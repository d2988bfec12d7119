#!/usr/bin/env bash
# Installs what openivs needs on Debian 12 with Node.js 20, idempotently: ffmpeg (transcoding), and with --test
# also chromium (browser playback tests), the AWS CLI (smoke tests) and prometheus (the metrics scrape test); then npm dependencies when
# package-lock.json changed, and a check that the native better-sqlite3 module loads.
# Usage: bash scripts/install.sh [--test]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    -h|--help) echo "usage: bash scripts/install.sh [--test]"; exit 0 ;;
    *) echo "install: unknown argument: $arg (usage: bash scripts/install.sh [--test])" >&2; exit 2 ;;
  esac
done

log() { echo "install: $*"; }
die() { echo "install: error: $*" >&2; exit 1; }

# --- system packages -------------------------------------------------------------------------------------------
# Each entry: "<command that proves it is present> <Debian package>".
wanted=("ffmpeg ffmpeg" "ffprobe ffmpeg")
if [ "$with_test" = 1 ]; then
  wanted+=("chromium chromium" "aws awscli" "prometheus prometheus")
fi

missing=()
for entry in "${wanted[@]}"; do
  cmd="${entry%% *}"; pkg="${entry##* }"
  if command -v "$cmd" >/dev/null 2>&1; then
    continue
  fi
  case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "system tools present: ffmpeg$([ "$with_test" = 1 ] && echo ', chromium, aws, prometheus')"
else
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and apt-get is not available; install them yourself"
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}; run as root or install sudo"
    sudo=(sudo)
  fi
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
  for entry in "${wanted[@]}"; do
    command -v "${entry%% *}" >/dev/null 2>&1 || die "${entry%% *} still missing after installing ${entry##* }"
  done
fi

# --- Node.js and npm dependencies ------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node is not on PATH; install Node.js 20"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js >= 20 required, found $(node --version)"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci (node $(node --version), npm $(npm --version))"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
else
  log "node_modules up to date"
fi

# better-sqlite3 is native: a skipped install script (npm 11 without the allowScripts approval) or a Node ABI
# change leaves it unloadable, which would otherwise only show up as a confusing failure much later.
if ! err="$(node -e "
  const { createRequire } = require('node:module');
  const Database = createRequire(process.cwd() + '/package.json')('better-sqlite3');
  new Database(':memory:').prepare('select 1').get();
" 2>&1)"; then
  echo "$err" | tail -n 5 >&2
  die "better-sqlite3 does not load; try: rm -rf node_modules && npm ci (npm 11 needs \"allowScripts\" for better-sqlite3 in package.json)"
fi
log "better-sqlite3 loads; ready"
