// Times upstream @agentmark-ai/templatedx on each template: parse (bundle) +
// transform + stringify, the same work bench/render/main.go times for ours.
// usage: node upstream.mjs <templates dir> <props.json> <iterations>
import fs from 'node:fs';
import path from 'node:path';
import { parse, transform, stringify } from '@agentmark-ai/templatedx';

const [dir, propsFile, itersArg] = process.argv.slice(2);
const props = JSON.parse(fs.readFileSync(propsFile, 'utf8'));
const iters = Number(itersArg || 200);
const loader = async (p) => fs.readFileSync(p, 'utf8');
const out = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.mdx')).sort()) {
  const src = fs.readFileSync(path.join(dir, f), 'utf8');
  const once = async () => stringify(await transform(await parse(src, dir, loader), props));
  for (let i = 0; i < Math.min(50, iters); i++) await once(); // warm up the JIT
  const times = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  out[f] = { median_us: times[Math.floor(times.length / 2)], bytes: src.length };
}
console.log(JSON.stringify(out));
