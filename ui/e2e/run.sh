#!/usr/bin/env bash
# Browser tests of the web UI: seeds a SQLite store, serves the UI on a
# loopback port and drives headless Chromium with playwright-core.
# Needs Go, Node 18+ and Chromium (installed with apt-get when missing).
# Screenshots go to ui/e2e/out/. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

chrome="${CHROMIUM:-}"
if [ -z "$chrome" ]; then
  for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -x "$c" ]; then chrome="$c"; break; fi
  done
fi
if [ -z "$chrome" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    chrome=/usr/bin/chromium
  else
    echo "run.sh: Chromium not found; set CHROMIUM=/path/to/chromium" >&2
    exit 2
  fi
fi

if [ ! -d node_modules/playwright-core ]; then
  npm install --no-audit --no-fund --silent
fi

mkdir -p out
bin="$(mktemp -d)"
cleanup() {
  for p in ${pids:-}; do kill "$p" 2>/dev/null || true; done
  rm -rf "$bin"
}
trap cleanup EXIT
(cd "$root" && go build -o "$bin/serve" ./ui/e2e/serve)

start() { # start <logfile> [flags...] -> prints the URL
  local log="$1"; shift
  "$bin/serve" -addr 127.0.0.1:0 "$@" >"$log" 2>&1 &
  pids="${pids:-} $!"
  for _ in $(seq 1 300); do
    if grep -q '^READY ' "$log"; then sed -n 's/^READY //p' "$log" | head -1; return 0; fi
    sleep 0.1
  done
  echo "run.sh: server did not start:" >&2; cat "$log" >&2; return 1
}
seeded="$(start "$bin/seeded.log")"
empty="$(start "$bin/empty.log" -empty)"
CHROMIUM="$chrome" UI_URL="$seeded" UI_EMPTY_URL="$empty" OUT_DIR="$here/out" node test.mjs
