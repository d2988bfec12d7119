#!/usr/bin/env bash
# Installs what openivs needs on Debian 12 with Node.js 20, idempotently: ffmpeg (transcoding), libsrt's headers and
# a C++ toolchain (the SRT ingest addon), and with --test also chromium (browser playback tests), the AWS CLI (smoke
# tests), srt-tools (srt-live-transmit as a test publisher),
# postgresql (the cluster tests start their own), prometheus (the metrics scrape test), nginx with its stream module
# and varnish (the cluster and edge tests run their own) and wrk (bench:api); then npm dependencies when package-lock.json changed,
# a check that the native better-sqlite3 module loads, and a build of the SRT addon (native/srt) when its sources
# are newer than the build or it does not load.
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
# Each entry: "<command, or absolute path of a file, that proves it is present> <Debian package>".
wanted=("ffmpeg ffmpeg" "ffprobe ffmpeg" "g++ g++" "make make" "python3 python3"
  "/usr/include/srt/srt.h libsrt-openssl-dev" "/usr/include/openssl/evp.h libsrt-openssl-dev")
if [ "$with_test" = 1 ]; then
  wanted+=("chromium chromium" "aws awscli" "srt-live-transmit srt-tools" "prometheus prometheus")
  wanted+=("pg_ctlcluster postgresql")  # PostgreSQL tests start their own server with /usr/lib/postgresql/*/bin
  # nginx with its stream module (the cluster example in deploy/, and the plain cache of the edge tests) and Varnish
  # (the edge in deploy/): the tests run their own processes of both; wrk drives bench:api.
  wanted+=("nginx nginx" "/usr/lib/nginx/modules/ngx_stream_module.so libnginx-mod-stream" "varnishd varnish" "wrk wrk")
fi

present() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for entry in "${wanted[@]}"; do
  cmd="${entry%% *}"; pkg="${entry##* }"
  if present "$cmd"; then
    continue
  fi
  case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "system tools present: ffmpeg, g++, make, python3, libsrt-openssl-dev$([ "$with_test" = 1 ] && echo ', chromium, aws, srt-tools, postgresql, prometheus, nginx, varnish, wrk')"
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
    present "${entry%% *}" || die "${entry%% *} still missing after installing ${entry##* }"
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
log "better-sqlite3 loads"

# --- SRT ingest addon (native/srt) -----------------------------------------------------------------------------
# Built with the node-gyp that npm ships, against Node's own headers (no download): nodedir is npm's setting, else
# the prefix Node runs from. Rebuilt only when a source is newer than the build or the build does not load.
srt_addon=native/srt/build/Release/openivs_srt.node
srt_loads() { node -e "require('./$srt_addon').version()" >/dev/null 2>&1; }
srt_stale=0
if [ ! -f "$srt_addon" ] || [ -n "$(find native/srt/binding.gyp native/srt/src -newer "$srt_addon" -print -quit)" ] || ! srt_loads; then
  srt_stale=1
fi
if [ "$srt_stale" = 1 ]; then
  npm_bin="$(readlink -f "$(command -v npm)" 2>/dev/null || true)"
  gyp="$(dirname "$npm_bin")/../node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$gyp" ] || gyp="$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$gyp" ] || die "node-gyp (shipped with npm) not found; cannot build the SRT addon in native/srt"
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  case "$nodedir" in ''|undefined|null) nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" ;; esac
  [ -f "$nodedir/include/node/node_api.h" ] || die "Node's headers not found under $nodedir/include/node; cannot build the SRT addon offline"
  log "building the SRT addon (libsrt $(pkg-config --modversion srt 2>/dev/null || echo '?'), node-gyp, nodedir $nodedir)"
  build_log="$(mktemp)"
  if ! node "$gyp" rebuild --directory=native/srt --nodedir="$nodedir" >"$build_log" 2>&1; then
    grep -E 'error|Error' "$build_log" | head -n 10 >&2 || true
    rm -f "$build_log"
    die "the SRT addon (native/srt) failed to build; see the errors above"
  fi
  rm -f "$build_log"
  srt_loads || die "the SRT addon was built but does not load: node -e \"require('./$srt_addon')\""
fi
log "SRT addon loads (libsrt $(node -p "require('./$srt_addon').version()")); ready"
