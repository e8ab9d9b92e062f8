#!/usr/bin/env bash
# Runs the TemplateDX render conformance suite against an agentmark binary.
# usage: scripts/conformance.sh path/to/agentmark [check.mjs args...]
# Needs Node.js and the shared conformance material at ../shared/conformance
# (override with AGENTMARK_CONFORMANCE_DIR).
set -euo pipefail
bin=$(realpath "$1"); shift
here=$(cd "$(dirname "$0")/.." && pwd)
src=${AGENTMARK_CONFORMANCE_DIR:-$here/../shared/conformance}/templatedx
if [ ! -f "$src/check.mjs" ]; then
  echo "conformance suite not found at $src" >&2
  exit 2
fi
# npm ci once into a cache directory keyed by the lockfile.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/agentmark-conformance/$(sha256sum "$src/package-lock.json" | cut -c1-16)
if [ ! -d "$cache/node_modules" ]; then
  rm -rf "$cache" && mkdir -p "$cache"
  cp "$src/package.json" "$src/package-lock.json" "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
node "$work/check.mjs" --bin "$bin" --md-modules "$cache" "$@"
