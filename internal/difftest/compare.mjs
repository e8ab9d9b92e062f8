#!/usr/bin/env node
// Compares two result files ({id, ok, output|error} per line) the way the
// conformance checker does: ok-vs-error must agree; outputs are equal as JSON
// (key order ignored) except message texts, which may differ when they are
// Markdown-equivalent under remark-parse + remark-mdx.
//
//   node compare.mjs --modules <dir> --cases cases.jsonl --expected oracle.jsonl --actual ours.jsonl [--out diffs.jsonl]
//
// Prints agreement per area (the `area` field of a case) and writes every
// disagreement, with the case, to --out.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const modules = path.resolve(opt('--modules', process.env.ORACLE_MODULES || '.'));
const req = createRequire(path.join(modules, 'noop.js'));
const load = async (name) => import(pathToFileURL(req.resolve(name)).href);
const { unified } = await load('unified');
const remarkParse = (await load('remark-parse')).default;
const remarkMdx = (await load('remark-mdx')).default;
const processor = unified().use(remarkParse).use(remarkMdx);

const readJsonl = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const cases = new Map(readJsonl(opt('--cases')).map((c) => [c.id, c]));
const exp = new Map(readJsonl(opt('--expected')).map((r) => [r.id, r]));
const act = new Map(readJsonl(opt('--actual')).map((r) => [r.id, r]));

function norm(node) {
  if (Array.isArray(node)) return node.map(norm);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const k of Object.keys(node)) if (k !== 'position' && k !== 'data') out[k] = norm(node[k]);
  if (Array.isArray(out.children)) {
    const merged = [];
    for (const c of out.children) {
      const prev = merged[merged.length - 1];
      if (prev && prev.type === 'text' && c.type === 'text') prev.value += c.value;
      else merged.push(c);
    }
    out.children = merged;
  }
  return out;
}
const md = (s) => { try { return JSON.stringify(norm(processor.parse(s))); } catch { return null; } };
const isText = (p) => /^messages\.\d+\.content$/.test(p) || /^messages\.\d+\.content\.\d+\.text$/.test(p)
  || ['image_config.prompt', 'speech_config.text', 'speech_config.instructions'].includes(p);

function compare(e, a) {
  let exact = true, diff = null;
  const walk = (x, y, p) => {
    if (diff) return;
    const ps = p.join('.');
    if (typeof x === 'string' && typeof y === 'string' && isText(ps)) {
      if (x === y) return;
      exact = false;
      const tx = md(x), ty = md(y);
      if (tx !== null && tx === ty) return;
      diff = { path: ps, expected: x, actual: y };
      return;
    }
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
      if (x !== y) diff = { path: ps, expected: x, actual: y };
      return;
    }
    if (Array.isArray(x) !== Array.isArray(y) || (Array.isArray(x) && x.length !== y.length)) { diff = { path: ps, expected: x, actual: y }; return; }
    if (Array.isArray(x)) { x.forEach((v, i) => walk(v, y[i], [...p, i])); return; }
    const kx = Object.keys(x).sort(), ky = Object.keys(y).sort();
    if (kx.join('\0') !== ky.join('\0')) { diff = { path: ps, expected: x, actual: y }; return; }
    for (const k of kx) walk(x[k], y[k], [...p, k]);
  };
  walk(e, a, []);
  return { exact, diff };
}

// Deliberate differences (docs/compatibility.md) we can recognise from the outputs.
function deliberate(c, e, a) {
  if (!e.ok || !a.ok || !e.output.messages || !a.output.messages) return null;
  const key = (m) => JSON.stringify(m);
  const se = e.output.messages.map(key).sort().join('\n'), sa = a.output.messages.map(key).sort().join('\n');
  if (se === sa) return 'message-order';
  const src = Object.values(c.files).join('\n');
  const users = (src.match(/<User[\s>/]/g) || []).length;
  if (/Attachment/.test(src) && users > 1) return 'attachment-scope';
  return null;
}

const stats = new Map();
const bump = (area, k) => { if (!stats.has(area)) stats.set(area, { n: 0, exact: 0, equiv: 0, fail: 0, deliberate: 0 }); stats.get(area)[k]++; };
const outFile = opt('--out');
const diffs = [];
for (const [id, c] of cases) {
  const e = exp.get(id), a = act.get(id);
  if (!e || !a) continue;
  const area = c.area || 'all';
  bump(area, 'n');
  let verdict, detail = null;
  if (e.ok !== a.ok) { verdict = 'fail'; detail = { why: e.ok ? 'expected output, got error' : 'expected error, got output', expected: e.ok ? e.output : e.error, actual: a.ok ? a.output : a.error }; }
  else if (!e.ok) verdict = 'exact';
  else {
    const r = compare(e.output, a.output);
    if (!r.diff) verdict = r.exact ? 'exact' : 'equiv';
    else {
      const d = deliberate(c, e, a);
      verdict = d ? 'deliberate' : 'fail';
      detail = { why: d || 'output differs', ...r.diff };
    }
  }
  bump(area, verdict);
  if (verdict === 'fail' || verdict === 'deliberate') diffs.push({ id, area, verdict, ...detail, case: c });
}
const total = { n: 0, exact: 0, equiv: 0, fail: 0, deliberate: 0 };
console.log('area            cases   agree%   exact  md-equiv  deliberate  fail');
for (const [area, s] of [...stats].sort()) {
  for (const k of Object.keys(total)) total[k] += s[k];
  console.log(`${area.padEnd(14)} ${String(s.n).padStart(6)}  ${(100 * (s.exact + s.equiv) / Math.max(1, s.n - s.deliberate)).toFixed(2).padStart(6)}  ${String(s.exact).padStart(6)}  ${String(s.equiv).padStart(8)}  ${String(s.deliberate).padStart(10)}  ${String(s.fail).padStart(4)}`);
}
const s = total;
console.log(`${'TOTAL'.padEnd(14)} ${String(s.n).padStart(6)}  ${(100 * (s.exact + s.equiv) / Math.max(1, s.n - s.deliberate)).toFixed(2).padStart(6)}  ${String(s.exact).padStart(6)}  ${String(s.equiv).padStart(8)}  ${String(s.deliberate).padStart(10)}  ${String(s.fail).padStart(4)}`);
if (outFile) fs.writeFileSync(outFile, diffs.map((d) => JSON.stringify(d)).join('\n') + (diffs.length ? '\n' : ''));
