#!/usr/bin/env node
// Generates random conformance-style cases for differential testing.
//
//   node gen.mjs [--seed N] [--count N] [--public path/to/public-cases.jsonl] > cases.jsonl
//
// Cases are grammar-based templates (Markdown, JSX, expressions, tags, props with
// awkward characters), mutations of the public cases (when --public is given),
// and broken inputs (both sides must fail). Inputs that hit the deliberate
// differences listed in docs/compatibility.md are not generated (If chains are
// compared with the engine's compat flag; message order and attachment scoping
// are recognised by compare.mjs).
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
let seed = Number(opt('--seed', 1)) >>> 0;
const count = Number(opt('--count', 2000));
const publicPath = opt('--public', null);
const mode = opt('--mode', 'format'); // format | parse (bare MDX sources for mdtool)

// ---------------------------------------------------------------- PRNG helpers
function rnd() { seed = (seed + 0x6d2b79f5) >>> 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const chance = (p) => rnd() < p;
const times = (n, f) => Array.from({ length: n }, (_, i) => f(i));

// ---------------------------------------------------------------- props
const SPECIAL = ['*', '_', '<', '>', '{', '}', '[', ']', '#', '&', '`', '~', '|', '!', '-', '+', '.', '=', '\\', '(', ')', '"', "'", ':', '/', '?', '$', '%', '^', '@'];
function specialString() {
  const parts = [];
  const n = int(1, 6);
  for (let i = 0; i < n; i++) {
    parts.push(pick([
      () => pick(['a', 'word', 'Hello', 'x', 'foo_bar', 'snake_case_name', 'CamelCase', 'é', '😀', 'ß', 'Δ', '2', '10', '3.5']),
      () => pick(SPECIAL),
      () => pick(SPECIAL) + pick(['a', 'b', '1', ' ']) + pick(SPECIAL),
      () => pick([' ', '  ', '\n', '\n\n', '\t', ' \n']),
      () => pick(['# head', '- item', '* item', '+ item', '1. one', '2) two', '> quote', '```', '~~~', '---', '***', '___', '===', '<b>x</b>', '<br/>', '{"a":1}', '[link](url)', '![img](u)', '&amp;', '&copy;', '&#35;', 'a*b*c', '_em_', '**bold**', '`code`', 'a\\b', '\\*', '<!-- c -->', 'http://x.y', '<https://x.y>', '|a|b|', 'a  ', '  a']),
    ])());
  }
  return parts.join(pick(['', ' ', '']));
}
function genValue(depth = 0) {
  return pick([
    () => specialString(),
    () => specialString(),
    () => pick(['', ' ', 'plain', 'Zed', 'two words']),
    () => pick([0, 1, -1, 2.5, 1e21, 1e-7, 0.1, 42, -0.5, 123456789, 3]),
    () => pick([true, false, null]),
    () => depth < 2 ? times(int(0, 3), () => genValue(depth + 1)) : 'leaf',
    () => depth < 2 ? Object.fromEntries(times(int(0, 3), (i) => [pick(['a', 'b', 'name', 'k' + i, '1', 'x y']), genValue(depth + 1)])) : 7,
  ])();
}
function genProps() {
  const p = {};
  const n = int(0, 6);
  for (let i = 0; i < n; i++) p[pick(['s', 't', 'name', 'msg', 'q', 'v', 'x'])] = genValue();
  if (chance(0.6)) p.items = times(int(0, 4), () => pick([specialString(), int(0, 9), { name: specialString(), n: int(0, 5) }, [1, 2]]));
  if (chance(0.3)) p.list = times(int(0, 3), () => ({ name: pick(['a', 'b*', '_c_', '<d>']), tags: times(int(0, 2), () => pick(['t1', 't*2', '#t'])) }));
  if (chance(0.4)) p.flag = pick([true, false, 'true', 1, 0, null]);
  if (chance(0.4)) p.n = pick([0, 1, 2, 5, 10, -3, 2.5, '7', 'x']);
  if (chance(0.3)) p.obj = { a: genValue(1), b: { c: genValue(2) } };
  return p;
}

// ---------------------------------------------------------------- expressions
function propRef(ctx) {
  return pick([
    () => 'props.' + pick(['s', 't', 'name', 'msg', 'q', 'v', 'x', 'missing', 'n', 'flag', 'items', 'obj']),
    () => 'props.obj.' + pick(['a', 'b', 'b.c', 'zz']),
    () => 'props.items[' + int(0, 3) + ']',
    () => 'props.items.length',
    () => 'props.list[0].name',
    () => 'props.' + pick(['s', 'name']) + '.length',
    () => ctx.vars.length ? pick(ctx.vars) : 'props.s',
    () => ctx.vars.length ? pick(ctx.vars) + pick(['.name', '.n', '', '', '.tags']) : 'props.t',
  ])();
}
function lit() {
  return pick(["'str'", '"dq"', "'a*b'", "'<x>'", "'{y}'", '42', '3.14', '0', '-1', 'true', 'false', 'null', "''", "'  spaced  '", "'line\\nbreak'", '1e21', '0.000001', "'#h'", "'- li'", '[1, 2]', "['a', 'b']", '{a: 1}', "{'k': 'v', n: [1, {x: null}]}"]);
}
function genExpr(ctx, depth = 0) {
  if (depth > 2) return pick([propRef, lit])(ctx);
  return pick([
    () => propRef(ctx), () => propRef(ctx), () => lit(),
    () => `${genExpr(ctx, depth + 1)} ${pick(['+', '-', '*', '/', '%', '==', '!=', '<', '>', '<=', '>=', '&&', '||'])} ${genExpr(ctx, depth + 1)}`,
    () => `${pick(['!', '-', '+'])}${genExpr(ctx, depth + 1)}`,
    () => `(${genExpr(ctx, depth + 1)})`,
    () => `${pick(['upper', 'lower', 'capitalize', 'dump', 'urlencode', 'abs'])}(${genExpr(ctx, depth + 1)})`,
    () => `truncate(${genExpr(ctx, depth + 1)}${pick(['', ', 3', ', 0', ', -1', ', 2.5', ', 100', ", '2'"])})`,
    () => `join(${genExpr(ctx, depth + 1)}${pick(['', ", '-'", ', 1', ", ''", ', null'])})`,
    () => `round(${genExpr(ctx, depth + 1)}${pick(['', ', 2', ', -1', ', 0', ", '1'"])})`,
    () => `replace(${genExpr(ctx, depth + 1)}, ${pick(["'a'", "''", "' '", '1', "'*'"])}${pick(['', ", '_'", ", '*'", ', 2'])})`,
    () => pick(['[props.s, props.n]', '{a: props.s}', "props.missing || 'fb'", "props.flag && 'yes'", 'props.n * 2', "props.n + ''", 'props.items == props.items']),
  ])();
}

// ---------------------------------------------------------------- inline content
function word() {
  return pick(['alpha', 'beta', 'Hello', 'world', 'x', 'foo_bar', 'a_b_c', 'snake_case', '5 < 6', 'AT&T', 'a*b', '2*3', '1.', '1)', 'end.', 'C#', 'x|y', '!', '~x~', 'a=b', 'e-mail', '+1', 'é', '😀', '&amp;', '&copy;', '&#123;', '\\{', '\\}', '\\<', '\\*', '\\_', '\\#', '\\\\', 'q?', '50%', '$5', '(paren)', '[bracket]', 'a]b', 'x"y', "it's"]);
}
function inline(ctx, depth = 0) {
  const n = int(1, 6);
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(pick([
      () => word(), () => word(), () => word(),
      () => `{${genExpr(ctx)}}`,
      () => `{${propRef(ctx)}}`,
      () => depth < 2 ? `*${inline(ctx, depth + 1)}*` : '*em*',
      () => depth < 2 ? `_${inline(ctx, depth + 1)}_` : '_em_',
      () => depth < 2 ? `**${inline(ctx, depth + 1)}**` : '**b**',
      () => depth < 2 ? `__${inline(ctx, depth + 1)}__` : '__b__',
      () => '`' + pick(['code', '{x}', 'a*b', '<b>', '` x', '']) + '`',
      () => '``' + pick(['a`b', '{y}']) + '``',
      () => `[${depth < 2 ? inline(ctx, depth + 1) : 'link'}](${pick(['http://x.y/a_b', '/p', 'u "title"', '<a b>', 'x(y)'])})`,
      () => `![${pick(['alt', 'a*b', ''])}](${pick(['i.png', 'http://e.com/i.png "t"'])})`,
      () => `[ref]`,
      () => depth < 2 ? `<${pick(['b', 'i', 'span', 'em', 'code', 'x-y', 'my.tag', 'svg:rect'])}${attrs()}>${inline(ctx, depth + 1)}</${'%'}>` : '<b>t</b>',
      () => `<${pick(['br', 'hr', 'img', 'empty'])}${attrs()} />`,
      () => depth < 1 ? `<If condition={${cond(ctx)}}>${inline(ctx, 2)}</If>` : 'w',
      () => depth < 1 ? `<Raw>${pick(['{props.s} *x*', '<b>y</b> _z_', 'a # b'])}</Raw>` : 'r',
      () => depth < 1 ? `<>${inline(ctx, 2)}</>` : 'f',
      () => '{/* comment */}',
    ])());
  }
  // fix closing names of inline elements
  return out.map((s) => s.replace(/^<([\w.:-]+)([^>]*)>(.*)<\/%>$/s, '<$1$2>$3</$1>')).join(pick([' ', ' ', '', '  ']));
}
function attrs() {
  return times(int(0, 2), () => ' ' + pick([
    'id="x"', "class='c'", 'flag', 'data-x="a&amp;b"', 'q="say &quot;hi&quot;"', 'v={props.s}', 'n={1 + 2}', 'k="it\'s"', 'lang="en"',
  ])).join('');
}
function cond(ctx) {
  return pick([
    'props.flag', 'true', 'false', 'props.n > 1', 'props.n == 2', "props.s == 'x'", '!props.flag', 'props.items.length > 0', 'props.missing', '1', "'true'",
    ctx.vars.length ? `${pick(ctx.vars)} == 1` : 'props.flag == true',
  ]);
}

// ---------------------------------------------------------------- blocks
function indent(s, n) { const pad = ' '.repeat(n); return s.split('\n').map((l) => (l ? pad + l : l)).join('\n'); }
function paragraph(ctx) {
  const lines = times(int(1, 3), () => inline(ctx));
  return lines.map((l, i) => (i < lines.length - 1 && chance(0.2) ? l + pick(['  ', '\\']) : l)).join('\n');
}
function listBlock(ctx, depth) {
  const ordered = chance(0.4);
  const marker = ordered ? pick(['.', ')']) : pick(['-', '*', '+']);
  const start = ordered ? pick([1, 1, 0, 3, 10]) : 0;
  const loose = chance(0.25);
  const n = int(1, 4);
  const items = times(n, (i) => {
    const m = ordered ? `${start + i}${marker}` : marker;
    let body = chance(0.7) ? inline(ctx) : pick([`{${propRef(ctx)}}`, `{${genExpr(ctx)}}`, '']);
    const w = m.length + 1;
    if (depth < 2 && chance(0.2)) body += '\n' + indent(listBlock(ctx, depth + 1), w);
    if (chance(0.1)) body += '\n\n' + indent(paragraph(ctx), w);
    if (chance(0.08)) body += '\n' + indent('```\ncode {x}\n```', w);
    return `${m} ${body}`;
  });
  return items.join(loose ? '\n\n' : '\n');
}
function codeBlock() {
  const fence = pick(['```', '~~~', '````']);
  const lang = pick(['', 'js', 'python', 'json title="x"', 'md']);
  const body = pick(['const x = {a: 1};', '{props.s}', '<User>not a tag</User>', 'line1\n\n  line3', '```inner```', '*not em*', '']);
  return `${fence}${lang}\n${body}\n${fence}`;
}
function forEach(ctx, depth) {
  const item = pick(['item', 'x', 'p', 'props']);
  const idx = chance(0.4) ? pick(['i', 'index']) : null;
  const inner = { vars: [...ctx.vars, item, ...(idx ? [idx] : [])] };
  const arr = pick(['props.items', 'props.items', 'props.list', '[]', '[1, 2, 3]', "['a*', '_b', '<c>']", 'props.missing', 'props.s', 'props.n', '[[1, 2], [3]]', 'props.obj']);
  const ref = () => pick([item, item + '.name', item + '.n', ...(idx ? [idx] : []), `upper(${item})`]);
  const bodies = [
    () => `- {${ref()}}`,
    () => `- ${word()} {${ref()}}${idx ? ` at {${idx}}` : ''}`,
    () => `${idx ? `{${idx}}` : '1'}. {${ref()}}`,
    () => `Item: {${ref()}}`,
    () => `{${ref()}}`,
    () => `### {${ref()}}\n\n${paragraph(inner)}`,
    () => `<entry>{${ref()}}</entry>`,
    () => `<entry name="e">\n${word()} {${ref()}}\n</entry>`,
    () => `<If condition={${cond(inner)}}>\n${word()} {${ref()}}\n</If>`,
    () => depth < 1 ? forEach(inner, depth + 1) : `- {${ref()}}`,
    () => `- {${ref()}}\n${pick(['  ', '   '])}- nested {${ref()}}`,
    () => `> {${ref()}}`,
  ];
  const body = pick(bodies)();
  const params = idx ? `(${item}, ${idx})` : pick([`(${item})`, item]);
  const form = pick([
    () => `{${params} => (\n<>\n${body}\n</>\n)}`,
    () => `{${params} => (\n  <>\n    ${body.split('\n').join('\n    ')}\n  </>\n)}`,
    () => `{${params} => (\n${body}\n)}`,
    () => `{${params} => <>${body.split('\n')[0]}</>}`,
    () => `{${params} => (<>{${ref()}}, </>)}`,
  ]);
  return `<ForEach arr={${arr}}>\n${form()}\n</ForEach>`;
}
function ifChain(ctx, depth) {
  const parts = [`<If condition={${cond(ctx)}}>\n${blocks(ctx, depth + 1, 1, 2)}\n</If>`];
  if (chance(0.4)) parts.push(`<ElseIf condition={${cond(ctx)}}>\n${blocks(ctx, depth + 1, 1, 2)}\n</ElseIf>`);
  if (chance(0.6)) parts.push(`<Else>\n${blocks(ctx, depth + 1, 1, 2)}\n</Else>`);
  return parts.join(pick(['\n', '\n\n']));
}
function xml(ctx, depth) {
  const name = pick(['context', 'task', 'rules', 'example', 'doc', 'step-1', 'data', 'Section', 'div', 'ul', 'svg:g']);
  if (chance(0.15)) return `<${name}${attrs()} />`;
  if (chance(0.25)) return `<${name}${attrs()}>${inline(ctx, 1)}</${name}>`;
  const inner = blocks(ctx, depth + 1, 0, 3);
  return `<${name}${attrs()}>\n${chance(0.3) ? indent(inner, 2) : inner}\n</${name}>`;
}
function block(ctx, depth) {
  const options = [
    [6, () => paragraph(ctx)],
    [2, () => '#'.repeat(int(1, 6)) + ' ' + inline(ctx) + (chance(0.1) ? ' ##' : '')],
    [1, () => inline(ctx) + '\n' + pick(['===', '---'])],
    [3, () => listBlock(ctx, 0)],
    [1, () => '> ' + paragraph(ctx).split('\n').join('\n> ') + (chance(0.3) ? '\n>\n> ' + listBlock(ctx, 1).split('\n').join('\n> ') : '')],
    [1, () => codeBlock()],
    [1, () => pick(['---', '***', '___', '- - -'])],
    [3, () => `{${genExpr(ctx)}}`],
    [2, () => `{${propRef(ctx)}}`],
    [depth < 3 ? 2 : 0, () => xml(ctx, depth)],
    [depth < 3 ? 2 : 0, () => ifChain(ctx, depth)],
    [depth < 2 ? 2 : 0, () => forEach(ctx, depth)],
    [1, () => `<Raw>\n${pick(['{props.s} *stuff*', '<b>x</b>\n\n- li', '# H {x}', '<context>\n  deep\n</context>'])}\n</Raw>`],
    [depth < 3 ? 1 : 0, () => `<>\n${blocks(ctx, depth + 1, 1, 2)}\n</>`],
    [1, () => '{/* a comment */}'],
    [1, () => `[ref]: http://example.com${pick(['', ' "T"'])}`],
  ];
  const total = options.reduce((a, [w]) => a + w, 0);
  let r = rnd() * total;
  for (const [w, f] of options) { if ((r -= w) < 0) return f(); }
  return paragraph(ctx);
}
function blocks(ctx, depth, min = 1, max = 4) {
  const n = int(min, max);
  const bs = times(n, () => block(ctx, depth));
  let s = '';
  bs.forEach((b, i) => {
    if (i) s += pick(['\n\n', '\n\n', '\n', '\n\n\n']);
    s += chance(0.1) ? indent(b, int(1, 4)) : b;
  });
  return s;
}

// ---------------------------------------------------------------- prompts
const FM = {
  text: () => `---\nname: test\ntext_config:\n  model_name: gpt-4o\n---\n`,
  object: () => `---\nname: obj\nobject_config:\n  model_name: gpt-4o\n  schema:\n    type: object\n---\n`,
  image: () => `---\nname: pic\nimage_config:\n  model_name: img\n---\n`,
  speech: () => `---\nname: say\nspeech_config:\n  model_name: tts\n  voice: nova\n---\n`,
};
function message(tag, ctx) {
  if (chance(0.2)) return `<${tag}>${inline(ctx)}</${tag}>`;
  return `<${tag}>\n${blocks(ctx, 0)}\n</${tag}>`;
}
function textPrompt(ctx) {
  const msgs = [];
  if (chance(0.4)) msgs.push(message('System', ctx));
  const n = int(1, 3);
  for (let i = 0; i < n; i++) msgs.push(message(i % 2 ? 'Assistant' : 'User', ctx));
  return msgs.join(pick(['\n\n', '\n']));
}
function attachPrompt(ctx) {
  const att = pick([
    '<ImageAttachment image={props.img} />', '<ImageAttachment image="https://e.com/a.png" mimeType="image/png" />',
    '<FileAttachment data={props.doc} mimeType="application/pdf" />', '<ImageAttachment image={props.missing} />',
    '<FileAttachment data="https://e.com/d.pdf" />', '<ImageAttachment />', '<ImageAttachment image="not a url" />',
  ]);
  const body = pick([
    () => `<User>\n${blocks(ctx, 0, 1, 2)}\n\n${att}\n</User>`,
    () => `<User>\n${att}\n${paragraph(ctx)}\n</User>`,
    () => `<User>${inline(ctx)} ${att}</User>`,
    () => `<System>\n${paragraph(ctx)}\n</System>\n\n<User>\n${paragraph(ctx)}\n${att}\n</User>`,
    () => `<Assistant>\n${att}\n</Assistant>`,
    () => `<User>\n<ForEach arr={props.items}>\n{(x) => (\n<>\n<ImageAttachment image={'https://e.com/' + x} />\n</>\n)}\n</ForEach>\n${paragraph(ctx)}\n</User>`,
  ])();
  return body;
}

function mkCase(area, main, props, extra = {}) {
  const c = { id: `${area}-${String(nextId++).padStart(5, '0')}`, tier: 'core', area, mode: 'format', entry: 'main.prompt.mdx', files: { 'main.prompt.mdx': main, ...extra } };
  if (props !== undefined) c.props = props;
  return c;
}
let nextId = 0;

function genCase() {
  const ctx = { vars: [] };
  const props = chance(0.9) ? genProps() : undefined;
  const kind = pick(['md', 'md', 'expr', 'escape', 'if', 'foreach', 'xml', 'msg', 'image', 'speech', 'attach', 'comp', 'err', 'inline', 'fm', 'fm']);
  switch (kind) {
    case 'fm': return fmCase(ctx, props);
    case 'image': return mkCase('g-image', FM.image() + '\n' + message('ImagePrompt', ctx) + '\n', props);
    case 'speech': return mkCase('g-speech', FM.speech() + '\n' + (chance(0.6) ? message('System', ctx) + '\n\n' : '') + message('SpeechPrompt', ctx) + '\n', props);
    case 'attach': {
      const p = props || {};
      p.img = pick(['https://e.com/p.png', '', null, 'x']);
      p.doc = pick(['https://e.com/d.pdf', '']);
      return mkCase('g-attach', FM.text() + '\n' + attachPrompt(ctx) + '\n', p);
    }
    case 'comp': return chance(0.5) ? compCase(ctx, props) : compCase2(ctx, props);
    case 'err': return errCase(ctx, props);
    case 'inline': {
      const tag = pick(['User', 'System', 'Assistant']);
      return mkCase('g-inline', FM.text() + `\n<${tag}>${inline(ctx)}</${tag}>\n`, props);
    }
    case 'msg': return mkCase('g-msg', (chance(0.2) ? FM.object() : FM.text()) + '\n' + textPrompt(ctx) + '\n', props);
    default: {
      const area = 'g-' + kind;
      let body;
      if (kind === 'if') body = ifChain(ctx, 0);
      else if (kind === 'foreach') body = forEach(ctx, 0);
      else if (kind === 'xml') body = xml(ctx, 0);
      else if (kind === 'escape') body = pick([() => `{${propRef(ctx)}}`, () => `${word()} {${propRef(ctx)}} ${word()}`, () => `- {${propRef(ctx)}}`, () => `# {${propRef(ctx)}}`, () => `> {${propRef(ctx)}}`, () => `[{${propRef(ctx)}}](u)`, () => `*{${propRef(ctx)}}*`, () => `<b>{${propRef(ctx)}}</b>`, () => `${word()}\n{${propRef(ctx)}}\n${word()}`])();
      else if (kind === 'expr') body = pick([() => `{${genExpr(ctx)}}`, () => `${word()}: {${genExpr(ctx)}}`, () => `- {${genExpr(ctx)}}`])();
      else body = blocks(ctx, 0);
      const around = chance(0.4) ? blocks(ctx, 1, 1, 2) : null;
      const content = around ? (chance(0.5) ? `${around}\n\n${body}` : `${body}\n\n${around}`) : body;
      const tag = pick(['User', 'User', 'System', 'Assistant']);
      const pre = tag === 'Assistant' ? '<User>\nq\n</User>\n\n' : '';
      return mkCase(area, FM.text() + `\n${pre}<${tag}>\n${content}\n</${tag}>\n`, props);
    }
  }
}

// ---------------------------------------------------------------- YAML frontmatter
const YAML_SCALARS = [
  '010', '0o10', '0x1F', '1_000', '1e3', '1.0', '.5', '+1', '-0', '0.1', '1e21', '12e-7', '.inf', '-.Inf', '.NaN', '.nan',
  '~', 'null', 'Null', 'NULL', '', 'true', 'True', 'TRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
  '2024-01-02', '2024-01-02T10:20:30Z', '2024-01-02 10:20:30', '2001-12-14t21:59:43.10-05:00', '12:30:00', '1:1', '16:9', '1024x1024',
  "'single'", '"double"', '"esc \\n \\t \\u00e9 \\x41"', "'it''s'", 'plain text', 'a: b', '"a: b"', 'http://x.y/z?q=1#f', '#notcomment', 'x #comment',
  '[1, 2, three]', '{a: 1, b: [x, y]}', '[]', '{}', '!!str 123', '!!int "42"', '!!float 1', '"multi\n line"', 'é ünï 😀', "'  spaced  '", '-', '- not a list',
  '0b101', '+.5', '1.', '0777', '00', '-010', '1e+3', '6.8523015e+5', '685_230.15', '190:20:30', '+12_345', '0.0', '-0.0',
];
function yamlValue(depth, indent) {
  const pad = ' '.repeat(indent);
  return pick([
    () => ' ' + pick(YAML_SCALARS),
    () => ' ' + pick(YAML_SCALARS),
    () => depth < 2 ? '\n' + times(int(1, 3), () => `${pad}- ${pick(YAML_SCALARS)}`).join('\n') : ' 1',
    () => depth < 2 ? '\n' + times(int(1, 3), (i) => `${pad}k${i}:${yamlValue(depth + 1, indent + 2)}`).join('\n') : ' x',
    () => ` ${pick(['|', '|-', '|+', '>', '>-', '>+'])}\n${pad}line one\n${pad}  indented two\n\n${pad}line three\n`,
    () => ' &anc ' + pick(['1', 'val', '[a, b]']),
    () => ` "${pick(['a\\"b', '\\\\', 'tab\\tx', 'x'])}"`,
  ])();
}
function fmCase(ctx, props) {
  const lines = ['---', `name: ${pick(['test', '"quoted name"', "'single'", 'name with spaces', 'x-y_z'])}`];
  const block = pick(['text_config', 'text_config', 'object_config', 'image_config', 'speech_config']);
  lines.push(`${block}:`, `  model_name: ${pick(['gpt-4o', 'openai/gpt-4o', '"m"', 'm-1.5'])}`);
  if (block === 'object_config') lines.push('  schema:', '    type: object', '    properties:', '      a:', `        type: ${pick(['string', 'number'])}`);
  const nums = block === 'image_config' ? ['num_images', 'seed'] : block === 'speech_config' ? ['speed'] : ['temperature', 'max_tokens', 'top_p', 'seed', 'max_calls'];
  for (let i = int(0, 2); i > 0; i--) lines.push(`  ${pick(nums)}: ${pick(['0.5', '1', '010', '1e3', '.5', '1_000', '-1', '0x10', '1.0', '2'])}`);
  if (block === 'image_config' && chance(0.5)) lines.push(`  size: ${pick(['1024x1024', '"512x512"', '1024X1024', '1:1'])}`);
  if (block === 'image_config' && chance(0.5)) lines.push(`  aspect_ratio: ${pick(['16:9', '"1:1"', '1:1', '4:3'])}`);
  if (block === 'speech_config' && chance(0.5)) lines.push(`  voice: ${pick(['nova', '"alloy"', 'yes'])}`);
  if (chance(0.3)) lines.push(`  stop_sequences: ${pick(['["\\n", "END"]', '[a, b]', '\n    - x\n    - "y"'])}`);
  for (let i = int(0, 3); i > 0; i--) lines.push(`  ${pick(['custom', 'extra', 'x_key', '"quoted key"', 'nested', 'list', '1', 'on'])}:${yamlValue(1, 4)}`);
  if (chance(0.3)) lines.push('test_settings:', `  props:${yamlValue(1, 4)}`, ...(chance(0.5) ? [`  dataset: ${pick(['d.jsonl', '"x.jsonl"'])}`] : []));
  if (chance(0.3)) lines.push('agentmark_meta:', `  commit_sha: ${pick(['abc123', '0123', '1e5', '"deadbeef"'])}`, `  info:${yamlValue(1, 4)}`);
  if (chance(0.2)) lines.push(`input_schema:\n  type: object`);
  if (chance(0.15)) lines.push(`# a comment`);
  if (chance(0.1)) lines.push(`unknown_top: ${pick(YAML_SCALARS)}`);
  lines.push('---');
  const fm = lines.join('\n') + '\n';
  const body = block === 'image_config' ? '<ImagePrompt>\nA {props.s}\n</ImagePrompt>' : block === 'speech_config' ? '<System>calm</System>\n\n<SpeechPrompt>\nSay {props.s}\n</SpeechPrompt>' : '<User>\nhello {props.s}\n</User>';
  return mkCase('g-fm', fm + '\n' + body + '\n', props);
}

function compCase(ctx, props) {
  const attrsUse = pick(['title="T*t"', 'title="Hello"', 'title={props.s}', 'title={props.missing}', 'title={5}', 'title="a <b> c"', 'title={upper(props.name)}', '']);
  const bodyComp = pick([
    '{props.title}', '## {props.title}\n\n{props.children}', '<section>\n{props.children}\n</section>', 'Before {props.title} after\n\n{props.children}',
    '- {props.title}\n- two', '{props.children}', '> {props.title}\n\n{props.children}', 'Title: {props.title}\n\n<ForEach arr={props.items}>\n{(x) => (\n<>\n- {x}\n</>\n)}\n</ForEach>',
  ]);
  const children = pick(['', paragraph(ctx), listBlock(ctx, 0), `${paragraph(ctx)}\n\n${listBlock(ctx, 0)}`, `{${propRef(ctx)}}`]);
  // components see their own props (docs/compatibility.md #4): pass what the body reads
  const attrsAll = attrsUse + (bodyComp.includes('props.items') ? ' items={props.items}' : '');
  const use = children ? `<Comp ${attrsAll}>\n${children}\n</Comp>` : `<Comp ${attrsAll} />`;
  const main = FM.text() + `import Comp from './comp.mdx';\n\n<User>\n${chance(0.5) ? paragraph(ctx) + '\n\n' : ''}${use}\n</User>\n`;
  // give every prop the component reads a value, so isolation does not matter
  return mkCase('g-comp', main, props, { 'comp.mdx': bodyComp + '\n' });
}

// Richer component cases: ForEach bodies, inline use, nested imports, .md files,
// frontmatter in components, import errors. Every prop a component reads is passed.
function compCase2(ctx, props) {
  const files = {};
  const attrVal = () => pick(['"Plain"', '"a*b_c"', '"<x> & {y}"', '"# h"', '{props.s}', '{props.name}', '{3}', '{props.n}', '{true}', '"- li"', '{upper(props.s)}', '"multi word value"']);
  const body = pick([
    '**{props.a}** and {props.b}',
    '- {props.a}\n- {props.b}',
    '## {props.a}\n\n{props.b}',
    '<item label="x">{props.a}</item>\n\n{props.b}',
    '> {props.a}\n\n1. {props.b}',
    '{props.a}\n\n{props.b}',
    'Text {props.a}: <If condition={true}>yes {props.b}</If>',
    '{props.a}',
  ]);
  const ext = pick(['mdx', 'mdx', 'md']);
  files[`parts/card.${ext}`] = (chance(0.1) ? '---\nname: c\n---\n' : '') + body + '\n';
  let imp = `import Card from './parts/card.${ext}';\n`;
  if (chance(0.2)) {
    files['parts/wrap.mdx'] = `import Card from './card.${ext}';\n\nWrapped:\n\n<Card a={props.a} b="inner" />\n`;
    imp = "import Wrap from './parts/wrap.mdx';\n"; // a file imported twice renders empty upstream (#5)
  }
  const use = () => `<Card a=${attrVal()} b=${attrVal()} />`;
  const forms = [
    () => use(),
    () => `Before ${use()} after.`,
    () => `<ForEach arr={${pick(['props.items', "['x*', 'y_']", '[1, 2]', '[]'])}}>\n{(it${chance(0.5) ? ', i' : ''}) => (\n<>\n<Card a={it} b=${attrVal()} />\n</>\n)}\n</ForEach>`,
    () => `<ForEach arr={props.items}>\n{(it) => (<Card a={it} b="z" />)}\n</ForEach>`,
    () => `<ForEach arr={props.items}>\n{(it) => (\n<>\n- {it}\n<Card a={it} b="q" />\n</>\n)}\n</ForEach>`,
    () => `- one\n- ${use()}`,
    () => `<context>\n${use()}\n</context>`,
    () => `<If condition={props.flag}>\n${use()}\n</If>`,
    () => `${use()}\n\n${use()}`,
  ];
  if (files['parts/wrap.mdx']) forms.length = 0, forms.push(() => `<Wrap a=${attrVal()} />`, () => `Intro\n\n<Wrap a=${attrVal()} />`);
  let main = FM.text() + imp + `\n<User>\n${pick(forms)()}\n</User>\n`;
  if (chance(0.08)) main = main.replace("import Card from", pick(['import { Card } from', 'import * as Card from', 'export const x = 1;\nimport Card from']));
  if (chance(0.05)) main = main.replace('./parts/card', './parts/missing');
  const c = mkCase('g-comp2', main, props);
  Object.assign(c.files, files);
  return c;
}

function errCase(ctx, props) {
  const good = `<User>\n${blocks(ctx, 0, 1, 2)}\n</User>`;
  const bad = pick([
    () => `<User>\n${paragraph(ctx)}\n`,
    () => `<User>\n<context>\n${paragraph(ctx)}\n</User>`,
    () => `<User>\n{props.s +}\n</User>`,
    () => `<User>\n{'abc}\n</User>`,
    () => `<User>\n<Bogus>x</Bogus>\n</User>`,
    () => `<User>\n<!-- c -->\n</User>`,
    () => `<User>\nsee <https://x.y>\n</User>`,
    () => `<User>\n{props.a === 1}\n</User>`,
    () => `<User>\n{props.s | upper}\n</User>`,
    () => `<User>\n{bogus(props.s)}\n</User>`,
    () => `<User>\n{1 ? 2 : 3}\n</User>`,
    () => `<User>\n{\`x\`}\n</User>`,
    () => `<User>\n{props.s.toUpperCase()}\n</User>`,
    () => `<User>\n<ForEach arr={props.items}>\nnot a function\n</ForEach>\n</User>`,
    () => `<User>\n<ForEach arr={props.items}>\n{({a}) => (<>{a}</>)}\n</ForEach>\n</User>`,
    () => `<User>\n<ForEach arr={props.items}>\n{() => (<>x</>)}\n</ForEach>\n</User>`,
    () => `<User>\n<ForEach arr={props.items}>\n{(x) => (<>{x}</>)}\n{(y) => (<>{y}</>)}\n</ForEach>\n</User>`,
    () => `<User>\n<ForEach arr={props.items}>\n{(x) => (\n<>\n{/* c */}\n- {x}\n</>\n)}\n</ForEach>\n</User>`,
    () => `<User>Line 1\nLine 2\n\nPara 2</User>`,
    () => `<User>\n<If condition={...props}>x</If>\n</User>`,
    () => `<User>\n{[1,,2]}\n</User>`,
    () => `<User>\n{{[1+1]: 'x'}}\n</User>`,
    () => `<User>\n{0x10}\n</User>`,
    () => `<User>\n{props.a ?? 1}\n</User>`,
    () => `<User>\n{~1}\n</User>`,
    () => `<User>\n{props.items.0}\n</User>`,
    () => `<User>\n{a, b}\n</User>`,
    () => `<User>\n{}\n</User>`,
    () => `<User>\n<_x>y</_x>\n</User>`,
    () => `<User>\n<$x>y</$x>\n</User>`,
    () => `<User>\n<Div>ok</Div>\n</User>`,
    () => `<User>\n<Table>\nok\n</Table>\n</User>`,
    () => `<User>\n</context>\n</User>`,
    () => `<User>\n<a>\n</b>\n</User>`,
    () => `<User>\n< notatag\n</User>`,
    () => `<User>\n5 < 6 and a<b\n</User>`,
    () => `<User>\n{props.s}}\n</User>`,
    () => `<User>\n{{a: 1}}\n</User>`,
    () => `<User>\n{this}\n</User>`,
    () => `<User>\n{props['s']}\n</User>`,
    () => `<User>\n{props?.s}\n</User>`,
    () => `<User>\n{-0}\n</User>`,
    () => `<ImagePrompt>x</ImagePrompt>`,
    () => `<SpeechPrompt>x</SpeechPrompt>`,
    () => `<User>\nx\n</User>\n\n<System>late</System>`,
    () => `<User>\n<If condition>bare</If>\n</User>`,
    () => `<User>\n<Else>orphan</Else>\n</User>`,
    () => `<User>\n<ElseIf condition={true}>orphan</ElseIf>\n</User>`,
    () => `<User>\n<Raw>\n<Bogus>{x}</Bogus>\n</Raw>\n</User>`,
    () => `<User attr={props.s}>\nx\n</User>`,
    () => `<User>\n<ImageAttachment image="https://e.com/x.png" />\n</User>\n\n<Assistant>\nok\n</Assistant>`,
  ])();
  return mkCase('g-err', FM.text() + '\n' + (chance(0.5) ? good + '\n\n' : '') + bad + '\n', props);
}

// ---------------------------------------------------------------- mutations of public cases
function mutate(c) {
  const files = { ...c.files };
  const entry = c.entry || 'main.prompt.mdx';
  let src = files[entry];
  const fmEnd = src.indexOf('\n---', 4) + 4;
  let head = src.slice(0, fmEnd), body = src.slice(fmEnd);
  const ctx = { vars: [] };
  const n = int(1, 3);
  for (let i = 0; i < n; i++) {
    const lines = body.split('\n');
    const k = int(1, Math.max(1, lines.length - 1));
    pick([
      () => { lines.splice(k, 0, ''); },                                             // extra blank line
      () => { if (lines[k] === '') lines.splice(k, 1); },                            // drop a blank line
      () => { lines[k] = '  ' + lines[k]; },                                         // indent
      () => { if (lines[k] && !lines[k].startsWith('<') && !lines[k].startsWith('{') && !lines[k].startsWith('import')) lines[k] = lines[k] + ' ' + inline(ctx); },
      () => { if (lines[k] !== undefined && /^\s*<\/(User|System|Assistant|ImagePrompt|SpeechPrompt)>/.test(lines[k])) lines.splice(k, 0, '', block(ctx, 1)); },
      () => { lines[k] = (lines[k] || '').replace(/^(\s*)- /, '$1* '); },
      () => { lines[k] = (lines[k] || '') + '  '; },                               // trailing spaces
    ])();
    body = lines.join('\n');
  }
  files[entry] = head + body;
  let props = c.props;
  if (props && chance(0.7)) {
    props = JSON.parse(JSON.stringify(props));
    for (const key of Object.keys(props)) if (chance(0.5)) props[key] = typeof props[key] === 'string' || chance(0.3) ? specialString() : genValue();
  }
  const out = { ...c, id: `m-${c.area}-${String(nextId++).padStart(5, '0')}`, area: 'm-' + c.area, files };
  if (props !== undefined) out.props = props;
  return out;
}

// ---------------------------------------------------------------- main
if (mode === 'parse') {
  const lines = [];
  for (let i = 0; i < count; i++) {
    const ctx = { vars: [] };
    const src = chance(0.15) ? inline(ctx) : chance(0.2) ? message(pick(['User', 'System']), ctx) : blocks(ctx, 0, 1, 5);
    lines.push(JSON.stringify({ id: `p-${i}`, area: 'parse', src }));
  }
  process.stdout.write(lines.join('\n') + '\n');
  process.exit(0);
}
const pub = publicPath ? fs.readFileSync(publicPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const out = [];
for (let i = 0; i < count; i++) {
  if (pub.length && chance(0.25)) out.push(mutate(pick(pub)));
  else out.push(genCase());
}
process.stdout.write(out.map((c) => JSON.stringify(c)).join('\n') + '\n');
