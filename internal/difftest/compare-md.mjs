#!/usr/bin/env node
// Compares mdtool outputs (oracle/mdtool.mjs vs ../mdtool):
//   node compare-md.mjs parse|stringify --input in.jsonl --expected up.jsonl --actual ours.jsonl [--out diffs.jsonl]
// parse: trees compared without position/data; stringify: strings compared byte for byte.
import fs from 'node:fs';

const mode = process.argv[2];
const argv = process.argv.slice(3);
const opt = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
const readJsonl = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const input = new Map(readJsonl(opt('--input')).map((c) => [c.id, c]));
const exp = new Map(readJsonl(opt('--expected')).map((r) => [r.id, r]));
const act = new Map(readJsonl(opt('--actual')).map((r) => [r.id, r]));
const strip = (n) => {
  if (Array.isArray(n)) return n.map(strip);
  if (!n || typeof n !== 'object') return n;
  const o = {};
  for (const k of Object.keys(n).sort()) if (k !== 'position' && k !== 'data') o[k] = strip(n[k]);
  return o;
};
let same = 0, okerr = 0, diff = 0;
const diffs = [];
for (const [id, c] of input) {
  const e = exp.get(id), a = act.get(id);
  if (!e || !a) continue;
  if (e.ok !== a.ok) { okerr++; diffs.push({ id, why: 'ok-vs-error', src: c.src, tree: c.tree, expected: e.ok ? '(ok)' : e.error, actual: a.ok ? '(ok)' : a.error }); continue; }
  if (!e.ok) { same++; continue; }
  const x = mode === 'parse' ? JSON.stringify(strip(e.tree)) : e.out;
  const y = mode === 'parse' ? JSON.stringify(strip(a.tree)) : a.out;
  if (x === y) same++;
  else { diff++; diffs.push({ id, why: 'differs', src: c.src, tree: c.tree, expected: x, actual: y }); }
}
const n = same + okerr + diff;
console.log(`${mode}: ${n} inputs, ${same} agree (${(100 * same / Math.max(1, n)).toFixed(2)}%), ${okerr} ok-vs-error, ${diff} differ`);
if (opt('--out')) fs.writeFileSync(opt('--out'), diffs.map((d) => JSON.stringify(d)).join('\n') + (diffs.length ? '\n' : ''));
