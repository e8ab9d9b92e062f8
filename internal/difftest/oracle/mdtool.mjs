#!/usr/bin/env node
// Same interface as ../mdtool (Go), backed by the upstream JavaScript stack:
//   node mdtool.mjs parse|stringify --modules <dir> < input.jsonl
// parse: remark-parse + remark-mdx + remark-frontmatter (what templatedx uses);
// stringify: mdast-util-to-markdown with the MDX extensions (message extraction).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const mode = process.argv[2];
const i = process.argv.indexOf('--modules');
const modules = path.resolve(i >= 0 ? process.argv[i + 1] : process.env.ORACLE_MODULES || '.');
const req = createRequire(path.join(modules, 'noop.js'));
const load = async (name) => import(pathToFileURL(req.resolve(name)).href);
const { TemplateDX } = await load('@agentmark-ai/templatedx');
const { toMarkdown } = await load('mdast-util-to-markdown');
const { mdxToMarkdown } = await load('mdast-util-mdx');
const tdx = new TemplateDX();
const toMd = (tree) => toMarkdown(tree, { extensions: [mdxToMarkdown()] });

const out = [];
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  let res;
  try {
    if (mode === 'parse') res = { id: c.id, ok: true, tree: tdx.parseAst(c.src) };
    else res = { id: c.id, ok: true, out: toMd(c.tree) };
  } catch (e) {
    res = { id: c.id, ok: false, error: String(e && e.message !== undefined ? e.message : e) };
  }
  out.push(JSON.stringify(res) + '\n');
}
fs.writeFileSync(1, out.join(''));
