// Golden fixture generator for templatedx/markdown (not needed by `go test`).
//
// Run from a scratch directory that has the pinned npm packages installed
// (see README.md next to this file):
//
//   node gen.mjs <path-to-public-cases.jsonl> <output-golden-dir>
//
// Writes parsed.json, messages.json, handbuilt.json and fuzz.json: arrays of
// {name, tree, toMarkdown, stringify} where toMarkdown is
// toMarkdown(tree, {extensions: [mdxToMarkdown()]}) (null when it throws)
// and stringify is templatedx's stringify (remark-stringify + remark-mdx +
// remark-frontmatter).
import fs from 'node:fs'
import path from 'node:path'
import {unified} from 'unified'
import remarkParse from 'remark-parse'
import remarkMdx from 'remark-mdx'
import remarkFrontmatter from 'remark-frontmatter'
import remarkStringify from 'remark-stringify'
import {toMarkdown} from 'mdast-util-to-markdown'
import {mdxToMarkdown} from 'mdast-util-mdx'

const [casesPath, outDir] = process.argv.slice(2)
if (!casesPath || !outDir) {
  console.error('usage: node gen.mjs <public-cases.jsonl> <golden-dir>')
  process.exit(2)
}

const parser = unified().use(remarkParse).use(remarkMdx).use(remarkFrontmatter)
const stringifier = unified()
  .use(remarkParse)
  .use(remarkMdx)
  .use(remarkFrontmatter)
  .use(remarkStringify)

function clean(node) {
  if (Array.isArray(node)) return node.map(clean)
  if (node === null || typeof node !== 'object') return node
  const out = {}
  for (const [k, v] of Object.entries(node)) {
    if (k === 'position' || k === 'data') continue
    out[k] = clean(v)
  }
  return out
}

function render(name, tree) {
  const t = clean(tree)
  let md = null
  let st = null
  try {
    md = toMarkdown(structuredClone(t), {extensions: [mdxToMarkdown()]})
  } catch {}
  try {
    st = String(stringifier.stringify(structuredClone(t)))
  } catch {}
  if (md === null && st === null) return null
  return {name, tree: t, toMarkdown: md, stringify: st}
}

// ---------------------------------------------------------------- sources
const sources = []
for (const line of fs.readFileSync(casesPath, 'utf8').split('\n')) {
  if (!line.trim()) continue
  const c = JSON.parse(line)
  for (const [file, text] of Object.entries(c.files)) {
    sources.push([c.id + '/' + file, text])
  }
}

const own = [
  'Hello world',
  '# Title\n\nPara one\nsoft break\n\nPara two',
  '- a\n- b\n- c',
  '- a\n\n- b\n\n- c',
  '* x\n* y\n\n- p\n- q\n\n+ r',
  '1. one\n2. two\n\n3) three\n4) four',
  '5. five\n6. six',
  '0. zero\n1. one',
  '- a\n  - nested\n    - deeper\n- b',
  '- para\n\n  second para\n- next',
  '1. a\n   ```js\n   code\n   ```\n2. b',
  '> quote\n> more\n>\n> para',
  '> # H\n> - l1\n> - l2',
  '- > quoted in list',
  '```\nplain\n```',
  '```js title="x"\nconst a = 1\n```',
  '~~~py\nprint(1)\n~~~',
  '````\n```\ninner\n```\n````',
  '```\n```',
  'Use `code` and ``a ` tick`` and `` `x` ``',
  '*em* **strong** _em_ __strong__ ***both***',
  'a*b*c a**b**c',
  '[link](http://x.com) [t](http://x.com "title") [e]() [sp](<a b>)',
  '![alt](img.png) ![alt](img.png "T") ![](x)',
  '[ref][id] [id][] [id]\n\n[id]: http://x.com "Title"',
  '![img ref][id]\n\n[id]: <a b>',
  'line one  \nline two\\\nline three',
  '***\n\n---\n\n___',
  'Setext\n======\n\nSub\n---',
  '### H3 ###\n\n###### H6',
  '#   spaced heading',
  '<User>\nHello {props.name}\n</User>',
  '<User>Hi {props.x}</User>',
  '<System>\n# Title\n\n- a\n- b\n\nText *em*\n</System>\n\n<User>\n{props.q}\n</User>',
  '<context type={props.t} id="a&b" q=\'say "hi"\' flag {...rest}>\n  deep\n  <rule>inner</rule>\n</context>',
  '<outer>\n<inner>\n<deep>x</deep>\n</inner>\n</outer>',
  '<doc>\n\n# Heading\n\n- list\n\npara\n\n</doc>',
  '<a>\n<b>\n<c>\n<d>\n\ntext\n\n- item\n\n</d>\n</c>\n</b>\n</a>',
  '<empty></empty>\n\n<selfclose/>\n\n<>\n  frag\n</>',
  '<X attr={\n  multi\n}>\n  body\n</X>',
  '<X a={1} b="2" />',
  'Text with <b>bold</b> inline and <i x="1">attrs</i>.',
  '- <Item>in list</Item>\n- {expr}',
  '> <Q>\n> quoted jsx\n> </Q>',
  '{props.a}\n{props.b}',
  '{props.a}\n\n{props.b}',
  '# Title\n\n{props.s}\n\nAfter',
  '{props.a}\n- list after expr',
  'hello!!!!\n{props.userMessage}',
  'import X from "./x.mdx"\nexport const y = 1\n\n# Doc',
  '---\ntitle: x\nlist:\n  - 1\n---\n\n# Body',
  '---\n---\n\nEmpty fm',
  '5 < 6 and AT&T and a_b_c and 2*3',
  'Escapes: \\* \\_ \\{ \\} \\< \\[ \\] \\# \\` \\\\ \\! \\.',
  '\\# not heading\n\n\\- not list\n\n1\\. not ordered\n\n\\> not quote',
  'Entities &amp; &copy; &#35; &#x41;',
  'Tabs\tinside\ttext',
  'trailing backslash \\\\',
  '| a | b |\n|---|---|\n| 1 | 2 |',
  'a ~~strike~~ b',
  '* [ ] task\n* [x] done',
  '  Indented line\n    more',
  '<User>\n  - item one\n  - item two\n\n  1. first\n  2. second\n</User>',
  '<If condition={x}>\nA\n</If>\n<Else>\nB\n</Else>',
  '<ForEach arr={props.items}>{(item, i) => <>- {item}\n</>}</ForEach>',
  'Name: <b>{props.n}</b> and {props.m}!',
  '**bold {props.x}** and *em {props.y}*',
  '[link {props.t}](http://x)',
  '* a\n\n  * b\n\n    c',
  '- ***\n- x',
  '-\n- b',
  '1.\n2. b',
  '- a\n-\n- c',
  '<Raw>\n  <html>\n    This is some html\n  </html>\n\n  {props.bleh}\n</Raw>',
  'a\\\nb',
  'CRLF line\r\nnext line\r\n\r\npara',
  'emoji 😀 and ünïcödé *and* _more_',
  '*  spaced em *',
  '**a**b **c** d',
  'x*y* *y*x',
  '`` ` ``',
  '[![img](i.png)](http://l)',
  '# Heading with `code` and *em*',
  'Para with trailing space\\ \nnext',
  '<Foo.Bar />\n\n<svg:rect />\n\n<my-tag x="1" />',
  '{/* comment */}\n\ntext',
  'Some {inline /* c */} expression',
  '- {props.a}\n- {props.b}',
  '1. {props.a}\n\n   {props.b}',
]
own.forEach((s, i) => sources.push(['own-' + i, s]))

const parsedOut = []
const messageOut = []
const messageNames = new Set(['System', 'User', 'Assistant', 'ImagePrompt', 'SpeechPrompt'])
const tricky = [
  'a*b_c<d>e{f}[g]',
  '<b>x</b> & {y}',
  'line1\nline2\n\n- item',
  '{"a":1}',
  '  spaced  ',
  '# not a heading',
  '1. one\n2) two',
  '*',
  '',
  '\n',
  'A*',
  '+ plus\n= eq\n> gt\n~~~\n```',
  'back\\slash \\* and \\',
  'x & y &amp; #1 &#35;',
  '![img](x) [l](y)',
]
let trickyIndex = 0

function exprToText(node, mode) {
  if (Array.isArray(node)) return node.map((n) => exprToText(n, mode))
  if (node === null || typeof node !== 'object') return node
  if (node.type === 'mdxFlowExpression' || node.type === 'mdxTextExpression') {
    const value = mode === 'source' ? node.value.trim() : tricky[trickyIndex++ % tricky.length]
    return {type: 'text', value}
  }
  const out = {...node}
  if (node.children) out.children = exprToText(node.children, mode)
  return out
}

for (const [name, text] of sources) {
  let tree
  try {
    tree = parser.parse(text)
  } catch {
    continue
  }
  const r = render(name, tree)
  if (r) parsedOut.push(r)
  let m = 0
  for (const child of tree.children) {
    if (
      (child.type === 'mdxJsxFlowElement' || child.type === 'mdxJsxTextElement') &&
      messageNames.has(child.name)
    ) {
      const root = {type: 'root', children: child.children}
      for (const mode of ['raw', 'source', 'tricky']) {
        const t = mode === 'raw' ? root : exprToText(root, mode)
        const rr = render(name + '#' + child.name + m + ':' + mode, t)
        if (rr) messageOut.push(rr)
      }
      m++
    }
  }
  // Also the whole document with expressions replaced (flow glue cases).
  for (const mode of ['source', 'tricky']) {
    const rr = render(name + ':' + mode, exprToText(tree, mode))
    if (rr) messageOut.push(rr)
  }
}

// ---------------------------------------------------------------- hand-built
const T = (value) => ({type: 'text', value})
const P = (...children) => ({type: 'paragraph', children})
const R = (...children) => ({type: 'root', children})
const H = (depth, ...children) => ({type: 'heading', depth, children})
const L = (ordered, spread, ...children) => ({type: 'list', ordered, start: ordered ? 1 : null, spread, children})
const LI = (spread, ...children) => ({type: 'listItem', spread, checked: null, children})
const E = (name, attributes, ...children) => ({type: 'mdxJsxFlowElement', name, attributes, children})
const ET = (name, attributes, ...children) => ({type: 'mdxJsxTextElement', name, attributes, children})
const A = (name, value) => ({type: 'mdxJsxAttribute', name, value})

const specials = [
  '*', '_', '<', '>', '{', '}', '[', ']', '#', '&', '`', '~', '|', '!', '-', '+', '.', '=',
  '\\', '(', ')', '"', "'", ':', ' ', '\t', '\n', '1.', '1)', '*a', '_a', '<a', '<!', '</', '&a',
  '&#', '![', '](', '- ', '+ ', '* ', '--', '**', '__', '```', '~~~', '# ', '#a', '\\*', '\\\\',
  '\\a', 'a\\', '{x}', '\r\n', ' \n', '\n ', '\t\n', '&amp;', '1. ', '12)', 'a_b', 'a*b',
]
const hand = []
const add = (name, tree) => hand.push([name, tree])

for (const s of specials) {
  const k = JSON.stringify(s)
  add('para-start ' + k, R(P(T(s + 'x'))))
  add('para-mid ' + k, R(P(T('a' + s + 'b'))))
  add('para-end ' + k, R(P(T('x' + s))))
  add('para-alone ' + k, R(P(T(s))))
  add('root-phrasing ' + k, R(T(s + 'x' + s), {type: 'heading', depth: 1, children: [T('H')]}, T(s + 'y')))
  add('root-phrasing-only ' + k, R(T(s + ' mid ' + s)))
  add('listitem-text ' + k, R(L(false, false, LI(false, T(s + 'x' + s)))))
  add('listitem-para ' + k, R(L(true, false, LI(false, P(T(s + 'x' + s))))))
  add('heading ' + k, R(H(2, T(s + 'x' + s))))
  add('heading-h4 ' + k, R(H(4, T(s + 'x' + s))))
  add('flow-jsx-text ' + k, R(E('x', [], T(s + 'x' + s))))
  add('text-jsx ' + k, R(P(ET('b', [], T(s + 'x' + s)))))
  add('emphasis ' + k, R(P(T('a'), {type: 'emphasis', children: [T(s)]}, T('b'))))
  add('strong ' + k, R(P({type: 'strong', children: [T(s + 'x')]})))
  add('link ' + k, R(P({type: 'link', url: 'u' + s, title: 't' + s, children: [T(s)]})))
  add('image ' + k, R(P({type: 'image', url: s, title: s, alt: s})))
  add('inlineCode ' + k, R(P({type: 'inlineCode', value: s})))
  add('code-lang ' + k, R({type: 'code', lang: 'a' + s, meta: s + 'm', value: s}))
  add('blockquote ' + k, R({type: 'blockquote', children: [P(T(s + 'q'))]}))
  add('attr ' + k, R(E('x', [A('a', s)])))
}

const newlineCases = ['\n-', '\n#', '\n1.', '\n1)', '\n+ x', '\n* x', '\n> x', '\n=', '\n---', '\n  - x', '\n\t# x', '\n<a', '\n{x}', '\n`', '\n~', '\n_', '\n[']
for (const s of newlineCases) {
  const k = JSON.stringify(s)
  add('nl-para ' + k, R(P(T('a' + s))))
  add('nl-root ' + k, R(T('a' + s)))
  add('nl-root-glue ' + k, R(T('a' + s), P(T('p')), T(s)))
  add('nl-jsx ' + k, R(E('x', [], T('a' + s))))
  add('nl-li ' + k, R(L(false, false, LI(false, T('a' + s)))))
  add('nl-inlinecode ' + k, R(P({type: 'inlineCode', value: 'a' + s})))
  add('nl-heading ' + k, R(H(1, T('a' + s))))
  add('nl-heading3 ' + k, R(H(3, T('a' + s))))
}

add('spaces-para', R(P(T('  spaced  '))))
add('spaces-para2', R(P(T('text '), T('  spaced  '))))
add('spaces-heading', R(H(1, T('  lead'))))
add('tab-heading', R(H(1, T('\tlead'))))
add('spaces-li', R(L(false, false, LI(false, P(T(' x '))))))
add('empty-list', R(P(T('Before')), L(false, false), P(T('After'))))
add('empty-list-root-only', R(L(false, false)))
add('empty-ordered-list', R(L(true, false)))
add('empty-root', R())
add('empty-para', R(P()))
add('empty-heading', R(H(1)))
add('empty-li', R(L(false, false, LI(false), LI(false, P(T('x'))))))
add('lists-of-lists', R(L(false, false, LI(false, L(false, false, LI(false, L(false, false, LI(false))))))))
add('lists-of-lists-x', R(L(false, false, LI(false, L(false, false, LI(false, L(false, false, LI(false, P(T('x'))))))))))
add('adjacent-lists', R(L(false, false, LI(false, P(T('a')))), L(false, false, LI(false, P(T('b')))), L(false, false, LI(false, P(T('c'))))))
add('adjacent-ordered', R(L(true, false, LI(false, P(T('a')))), L(true, false, LI(false, P(T('b')))), L(true, false, LI(false, P(T('c'))))))
add('mixed-adjacent', R(L(true, false, LI(false, P(T('a')))), L(false, false, LI(false, P(T('b')))), L(true, false, LI(false, P(T('c'))))))
add('list-start', R({type: 'list', ordered: true, start: 7, spread: false, children: [LI(false, P(T('a'))), LI(false, P(T('b')))]}))
add('list-start0', R({type: 'list', ordered: true, start: 0, spread: true, children: [LI(false, P(T('a'))), LI(false, P(T('b')))]}))
add('list-spread-item', R(L(false, false, LI(true, P(T('a')), P(T('b'))), LI(false, P(T('c')), L(false, false, LI(false, P(T('d'))))))))
add('list-para-para-tight', R(L(false, false, LI(false, P(T('a')), P(T('b')), {type: 'code', lang: null, meta: null, value: 'x'}))))
add('list-thematic', R(L(false, false, LI(false, {type: 'thematicBreak'}), LI(false, P(T('x'))))))
add('list-heading-break', R(L(false, false, LI(false, P(T('a')), H(1, T('x'), {type: 'break'}, T('y'))))))
add('root-phrasing-lists', R(T('a'), L(false, false, LI(false, P(T('x')))), T('b'), L(false, false, LI(false, P(T('y')))), L(true, false, LI(false, P(T('z'))))))
add('root-phrasing-list-first', R(L(false, false, LI(false, P(T('x')))), T('b')))
add('root-glue-blocks', R(H(1, T('Title')), T('S'), P(T('After')), {type: 'code', lang: 'js', meta: null, value: 'x'}, T('z'), {type: 'thematicBreak'}))
add('root-glue-jsx', R(E('a', [], P(T('in'))), T('t'), E('b', []), T('*')))
add('root-glue-html', R(T('a\n'), {type: 'html', value: '<b>'}, T('c')))
add('para-html-after-eol', R(P(T('a\n'), {type: 'html', value: '<b>'}, T('c'))))
add('jsx-depth3', R(E('a', [A('k', 'v')], E('b', [], E('c', [], P(T('deep *x*')), L(false, false, LI(false, P(T('li'))))), P(T('mid'))), T('t'))))
add('jsx-in-li', R(L(false, false, LI(false, E('a', [], E('b', [], P(T('x'))))))))
add('jsx-in-bq', R({type: 'blockquote', children: [E('a', [], E('b', [], P(T('x'))))]}))
add('jsx-li-in-jsx', R(E('a', [], L(false, false, LI(false, E('b', [], P(T('x'))))))))
add('jsx-attrs', R(E('x', [A('bare', null), A('s', 'q"uote&<'), A('e', {type: 'mdxJsxAttributeValueExpression', value: 'a + b'}), {type: 'mdxJsxExpressionAttribute', value: '...rest'}])))
add('jsx-attrs-multiline', R(E('x', [A('e', {type: 'mdxJsxAttributeValueExpression', value: 'a +\n b'}), A('s', 'v')], P(T('c')))))
add('jsx-attrs-multiline-self', R(E('x', [A('e', {type: 'mdxJsxAttributeValueExpression', value: 'a +\n b'})])))
add('jsx-attrs-multiline-nested', R(E('o', [], E('x', [A('e', {type: 'mdxJsxAttributeValueExpression', value: 'a +\n b'})], P(T('c'))))))
add('jsx-text-multiline-attr', R(P(ET('x', [A('e', {type: 'mdxJsxAttributeValueExpression', value: 'a +\n b'})], T('c')))))
add('fragment-flow', R(E(null, [], P(T('x')))))
add('fragment-empty', R(E(null, []), P(ET(null, []))))
add('jsx-text-root', R(ET('b', [], T('x')), T(' and *y*')))
add('expr-multiline', R({type: 'mdxFlowExpression', value: 'a\nb\n\nc'}, P({type: 'mdxTextExpression', value: 'x\ny'})))
add('esm', R({type: 'mdxjsEsm', value: 'import a from "b"\nexport const c = 1'}, P(T('x'))))
add('yaml', R({type: 'yaml', value: 'a: 1'}, P(T('x'))))
add('yaml-empty', R({type: 'yaml', value: ''}, P(T('x'))))
add('raw-like', R(P(T('\\{props.s} <b>x</b>\n# Title\n\n* item\n1. one\n```js\ncode\n```'))))
add('raw-like-root', R(T('{raw} *stuff*'), P(T('y'))))
add('raw-like-jsx', R(E('User', [], T('<html>\n  body\n</html>\n\n{props.bleh}'))))
add('break-variants', R(P(T('a'), {type: 'break'}, T('b')), H(4, T('a '), {type: 'break'}, T('b')), H(4, {type: 'break'}, T('b'))))
add('setext-h1', R(H(1, T('a\nbb'))))
add('setext-h2-break', R(H(2, T('a'), {type: 'break'}, T('bbb'))))
add('setext-expr', R(H(1, T('a'), {type: 'mdxTextExpression', value: 'x\ny'})))
add('emphasis-encode', R(P(T('a'), {type: 'emphasis', children: [T(' b ')]}, T('c')), P({type: 'strong', children: [T(' b')]}, T('c')), P(T('!'), {type: 'emphasis', children: [T('b')]}, T('c'))))
add('emphasis-encode2', R(P(T('a'), {type: 'emphasis', children: [T('.b')]}, T('c')), P(T('a'), {type: 'strong', children: [T('b.')]}, T('c'))))
add('emphasis-nested', R(P({type: 'emphasis', children: [{type: 'strong', children: [T('x')]}]}, {type: 'emphasis', children: [T('y')]})))
add('emphasis-empty', R(P(T('a'), {type: 'emphasis', children: []}, T('b'))))
add('link-variants', R(P(
  {type: 'link', url: '', title: null, children: [T('a')]},
  {type: 'link', url: '', title: 'T', children: [T('b')]},
  {type: 'link', url: 'a b', title: null, children: []},
  {type: 'link', url: 'a(b)c', title: 'q"t\'', children: [T('*x*')]},
  {type: 'link', url: 'http://x.com', title: null, children: [T('http://x.com')]},
  {type: 'link', url: 'a<b>', title: null, children: [T('c')]},
)))
add('image-variants', R(P(
  {type: 'image', url: '', title: null, alt: null},
  {type: 'image', url: '', title: 'T', alt: 'a'},
  {type: 'image', url: 'a b', title: null, alt: '[x]'},
)))
add('references', R(P(
  {type: 'linkReference', identifier: 'a', label: 'A', referenceType: 'full', children: [T('t')]},
  {type: 'linkReference', identifier: 'a', label: 'A', referenceType: 'collapsed', children: [T('A')]},
  {type: 'linkReference', identifier: 'a', label: 'A', referenceType: 'shortcut', children: [T('A')]},
  {type: 'linkReference', identifier: 'a', label: 'A', referenceType: 'shortcut', children: [T('B')]},
  {type: 'linkReference', identifier: 'a&amp;b', label: null, referenceType: 'full', children: [T('x')]},
  {type: 'imageReference', identifier: 'i', label: 'I', referenceType: 'full', alt: 'alt'},
  {type: 'imageReference', identifier: 'i', label: 'I', referenceType: 'collapsed', alt: 'I'},
  {type: 'imageReference', identifier: 'i', label: 'I', referenceType: 'shortcut', alt: 'I'},
  {type: 'imageReference', identifier: 'i*', label: 'I*[]', referenceType: 'shortcut', alt: null},
), {type: 'definition', identifier: 'a', label: 'A*', url: 'http://x', title: 'T"'},
  {type: 'definition', identifier: 'b', label: 'B', url: '', title: null},
  {type: 'definition', identifier: 'c\\!', label: null, url: 'a b', title: null}))
add('code-variants', R(
  {type: 'code', lang: null, meta: 'ignored', value: 'x'},
  {type: 'code', lang: 'a b', meta: 'm`m', value: '``` inner\n````'},
  {type: 'code', lang: '', meta: null, value: ''},
  {type: 'code', lang: 'js', meta: null, value: '\n\n'},
))
add('inline-code-variants', R(P(
  {type: 'inlineCode', value: ''}, T(' '),
  {type: 'inlineCode', value: ' '}, T(' '),
  {type: 'inlineCode', value: ' a '}, T(' '),
  {type: 'inlineCode', value: '`a'}, T(' '),
  {type: 'inlineCode', value: 'a``b`c'}, T(' '),
  {type: 'inlineCode', value: 'a\r\n# b\r\n- c'}, T(' '),
  {type: 'inlineCode', value: 'a\n\n# b'},
)))
add('blockquote-nested', R({type: 'blockquote', children: [P(T('a')), {type: 'blockquote', children: [P(T('b')), P(T('c'))]}, L(false, true, LI(false, P(T('d'))), LI(false, P(T('e'))))]}))
add('html-node', R({type: 'html', value: '<div>\n  x\n</div>'}, P(T('a'), {type: 'html', value: '<b>'}, T('c'))))
add('text-in-root-flow-neighbours', R(P(T('p')), T('a\n- b'), P(T('q'))))
add('unicode-punct', R(P(T('a'), {type: 'emphasis', children: [T('«b»')]}, T('c'), {type: 'emphasis', children: [T('d')]}, T('😀'))))
add('thematic-in-li-first', R(L(false, false, LI(false, P(T('a'))), LI(false, {type: 'thematicBreak'}))))
add('ordered-thematic', R(L(true, false, LI(false, {type: 'thematicBreak'}))))
add('list-in-li-empty-first', R(L(false, false, LI(false, L(false, false, LI(false, L(false, false, LI(false), LI(false, P(T('x'))))))))))
add('bq-empty-lines', R({type: 'blockquote', children: [P(T('a')), P(T('b'))]}))
add('heading-trailing-hash', R(H(2, T('C#')), H(1, T('a #')), H(1, T('# x'))))
add('paragraph-with-jsx-first', R(P(ET('b', [], T('x')), T(' y'))))
add('text-after-jsx-text', R(P(ET('b', [], T('x')), T('*y'))))
add('glue-ordered', R(T('1'), L(true, false, LI(false, P(T('a'))))))
add('expr-value-newline-in-li', R(L(false, false, LI(false, {type: 'mdxFlowExpression', value: 'a\nb'}))))
add('deep-jsx-code', R(E('a', [], E('b', [], {type: 'code', lang: 'js', meta: null, value: 'x\n\ny'}, {type: 'blockquote', children: [P(T('q\nr'))]}))))


// ---------------------------------------------------------------- fuzz
// Seeded random trees (mulberry32) mixing every node type.
function mulberry32(a) {
  return function () {
    a |= 0
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rnd = mulberry32(Number(process.env.FUZZ_SEED || 20240601))
const ri = (n) => Math.floor(rnd() * n)
const pick = (a) => a[ri(a.length)]
const alphabet = [
  'a', 'b', 'Z', '1', '2', ' ', ' ', ' ', '\n', '\t', '*', '_', '<', '>', '{', '}', '[', ']', '#', '&',
  '`', '~', '|', '!', '-', '+', '.', '=', '\\', '(', ')', '"', "'", ':', '\r', 'é', '😀', '\u00a0', '»', '/', '?', ';',
]
function str(max) {
  let s = ''
  const n = ri(max + 1)
  for (let i = 0; i < n; i++) s += pick(alphabet)
  return s
}
const words = ['x', 'User', 'a-b', 'ns:y', 'p.q']
function attrs() {
  const out = []
  const n = ri(3)
  for (let i = 0; i < n; i++) {
    const k = ri(4)
    if (k === 0) out.push({type: 'mdxJsxAttribute', name: 'a' + i, value: null})
    else if (k === 1) out.push({type: 'mdxJsxAttribute', name: 'a' + i, value: str(5)})
    else if (k === 2) out.push({type: 'mdxJsxAttribute', name: 'a' + i, value: {type: 'mdxJsxAttributeValueExpression', value: str(4)}})
    else out.push({type: 'mdxJsxExpressionAttribute', value: '...' + str(3)})
  }
  return out
}
function phrasingNode(d) {
  const k = d > 2 ? 0 : ri(14)
  switch (k) {
    case 1: return {type: 'emphasis', children: phrasingList(d + 1)}
    case 2: return {type: 'strong', children: phrasingList(d + 1)}
    case 3: return {type: 'inlineCode', value: str(6)}
    case 4: return {type: 'break'}
    case 5: return {type: 'link', url: str(4), title: pick([null, '', str(4)]), children: phrasingList(d + 1)}
    case 6: return {type: 'image', url: str(4), title: pick([null, str(3)]), alt: pick([null, str(4)])}
    case 7: return {type: 'linkReference', identifier: 'id', label: str(3) || 'L', referenceType: pick(['full', 'collapsed', 'shortcut']), children: phrasingList(d + 1)}
    case 8: return {type: 'imageReference', identifier: 'id', label: str(3) || 'L', referenceType: pick(['full', 'collapsed', 'shortcut']), alt: str(3)}
    case 9: {
      const name = pick([null, ...words])
      return {type: 'mdxJsxTextElement', name, attributes: name ? attrs() : [], children: ri(3) ? phrasingList(d + 1) : []}
    }
    case 10: return {type: 'mdxTextExpression', value: str(4)}
    default: return {type: 'text', value: str(8)}
  }
}
function phrasingList(d) {
  const out = []
  const n = 1 + ri(4)
  for (let i = 0; i < n; i++) out.push(phrasingNode(d))
  return out
}
function flowNode(d) {
  const k = d > 3 ? ri(3) : ri(14)
  switch (k) {
    case 0: case 1: return {type: 'paragraph', children: phrasingList(d)}
    case 2: return {type: 'heading', depth: 1 + ri(6), children: ri(5) ? phrasingList(d) : []}
    case 3: case 4: {
      const ordered = rnd() < 0.4
      const items = []
      const n = ri(4)
      for (let i = 0; i < n; i++) items.push({type: 'listItem', spread: rnd() < 0.3, checked: null, children: flowList(d + 1, 0)})
      return {type: 'list', ordered, start: ordered ? pick([null, 0, 1, 5, 9]) : null, spread: rnd() < 0.3, children: items}
    }
    case 5: return {type: 'blockquote', children: flowList(d + 1, 0)}
    case 6: return {type: 'code', lang: pick([null, '', 'js', str(3)]), meta: pick([null, str(3)]), value: str(10)}
    case 7: return {type: 'thematicBreak'}
    case 8: return {type: 'html', value: '<' + str(4) + '>'}
    case 9: case 10: {
      const name = pick([null, ...words])
      return {type: 'mdxJsxFlowElement', name, attributes: name ? attrs() : [], children: ri(4) ? flowList(d + 1, 0.2) : []}
    }
    case 11: return {type: 'mdxFlowExpression', value: str(6)}
    case 12: return {type: 'definition', identifier: 'id', label: str(3) || 'L', url: str(4), title: pick([null, str(3)])}
    default: return {type: 'text', value: str(8)}
  }
}
function flowList(d, phrasingChance) {
  const out = []
  const n = ri(4)
  for (let i = 0; i < n; i++) out.push(rnd() < phrasingChance ? phrasingNode(d) : flowNode(d))
  return out
}
const fuzz = []
for (let i = 0; i < Number(process.env.FUZZ_N || 2500); i++) {
  const tree = {type: 'root', children: flowList(0, pick([0, 0.15, 0.4]))}
  fuzz.push(['fuzz-' + i, tree])
}

const handOut = []
for (const [name, tree] of hand) {
  const r = render(name, tree)
  if (r) handOut.push(r)
}

const fuzzOut = []
for (const [name, tree] of fuzz) {
  const r = render(name, tree)
  if (r) fuzzOut.push(r)
}

// One case per line keeps the files small and diffs readable.
const write = (file, data) =>
  fs.writeFileSync(
    path.join(outDir, file),
    '[\n' + data.map((d) => JSON.stringify(d)).join(',\n') + '\n]\n'
  )
write('parsed.json', parsedOut)
write('messages.json', messageOut)
write('handbuilt.json', handOut)
write('fuzz.json', fuzzOut)
console.log('parsed', parsedOut.length, 'messages', messageOut.length, 'handbuilt', handOut.length, 'fuzz', fuzzOut.length)
