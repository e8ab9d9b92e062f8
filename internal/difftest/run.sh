#!/usr/bin/env bash
# Differential test: random cases rendered by upstream (oracle) and by us.
# usage: internal/difftest/run.sh [seed] [count]     (env: ORACLE_MODULES, OUT)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seed=${1:-1}; count=${2:-2000}
mods=${ORACLE_MODULES:-${XDG_CACHE_HOME:-$HOME/.cache}/agentmark-difftest}
if [ ! -d "$mods/node_modules/@agentmark-ai/templatedx" ]; then
  mkdir -p "$mods" && cp "$here/oracle/package.json" "$mods/"
  (cd "$mods" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
pub=$here/../../../shared/conformance/templatedx/public-cases.jsonl
[ -f "$pub" ] && pubarg=(--public "$pub") || pubarg=()
node "$here/gen.mjs" --seed "$seed" --count "$count" "${pubarg[@]}" > "$out/cases.jsonl"
node "$here/oracle/format.mjs" --modules "$mods" < "$out/cases.jsonl" > "$out/oracle.jsonl"
(cd "$here/../.." && go run ./internal/difftest/gorun -compat-if) < "$out/cases.jsonl" > "$out/ours.jsonl"
node "$here/compare.mjs" --modules "$mods" --cases "$out/cases.jsonl" --expected "$out/oracle.jsonl" \
  --actual "$out/ours.jsonl" --out "$out/diffs.jsonl"
echo "results in $out (diffs.jsonl lists every disagreement)"
