#!/usr/bin/env bash
# Side-by-side render benchmark: upstream @agentmark-ai/templatedx (Node, from
# npm into a temp dir; dev-time only, never vendored) vs our Go engine, on the
# same templates and props. Prints per-template medians and the speed-up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iters=${ITERS:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/package.json" <<'JSON'
{ "name": "tdx-bench", "private": true, "type": "module",
  "dependencies": { "@agentmark-ai/templatedx": "0.4.2" },
  "overrides": { "mdast-util-to-markdown": "2.1.2", "micromark": "4.0.2", "jsep": "1.4.0" } }
JSON
(cd "$work" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
cp "$here/upstream.mjs" "$work/"

up=$(cd "$work" && node upstream.mjs "$here/templates" "$here/props.json" "$iters")
go_=$(cd "$root" && go run ./bench/render "$here/templates" "$here/props.json" $((iters * 10)))

# Cold start: one process that renders once.
cat > "$work/once.mjs" <<'JS'
import fs from 'node:fs';
import { parse, transform, stringify } from '@agentmark-ai/templatedx';
const [f, p] = process.argv.slice(2);
const src = fs.readFileSync(f, 'utf8');
console.log(stringify(await transform(await parse(src, '.', async (x) => fs.readFileSync(x, 'utf8')), JSON.parse(fs.readFileSync(p, 'utf8')))).length);
JS
(cd "$root" && go build -o "$work/agentmark" ./cmd/agentmark)
mkdir -p "$work/proj" && cp "$here/templates/typical.mdx" "$work/proj/p.prompt.mdx"
cold() { local s e; s=$(date +%s%N); for _ in 1 2 3 4 5; do "$@" >/dev/null; done; e=$(date +%s%N); echo $(( (e - s) / 5000000 )); }
node_cold=$(cd "$work" && cold node once.mjs "$here/templates/typical.mdx" "$here/props.json")
go_cold=$(cold "$work/agentmark" format "$work/proj/p.prompt.mdx" --props-file "$here/props.json")

UP="$up" GO="$go_" NODE_COLD="$node_cold" GO_COLD="$go_cold" python3 - <<'PY'
import json, os
up, go = json.loads(os.environ["UP"]), json.loads(os.environ["GO"])
print(f"{'template':<16}{'bytes':>7}{'upstream µs':>14}{'ours µs':>10}{'speed-up':>10}")
for name in sorted(up):
    u, g = up[name]["median_us"], go[name]["median_us"]
    print(f"{name:<16}{up[name]['bytes']:>7}{u:>14.1f}{g:>10.1f}{u / g:>9.1f}x")
nc, gc = int(os.environ["NODE_COLD"]), int(os.environ["GO_COLD"])
print(f"cold start + render once: upstream {nc} ms, ours {gc} ms ({nc / max(gc, 1):.1f}x)")
PY
