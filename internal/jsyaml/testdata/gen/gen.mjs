// Regenerates ../golden.json, the differential oracle for package jsyaml.
//
// Not needed by `go test`. Usage (from any scratch directory):
//
//   npm install js-yaml@4.1.0
//   JS_YAML="$PWD/node_modules/js-yaml" node <repo>/internal/jsyaml/testdata/gen/gen.mjs
//
// Each load case records JSON.stringify(yaml.load(input)) or the error
// (reason, 1-based line and column); each dump case records
// yaml.dump(value, {lineWidth: -1}).
process.env.TZ = 'UTC';

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const yaml = require(process.env.JS_YAML || 'js-yaml');
const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- corpus
const docs = [];
const add = (...xs) => docs.push(...xs);

// Plain scalars in several positions.
const scalars = [
  '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE',
  'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'On', 'OFF',
  '0', '-0', '+0', '00', '010', '0o10', '0o', '0o8', '0x1F', '0x1f', '0X1F', '0x', '0xg', '0b101', '0b', '0b2',
  '1_000', '_1000', '1000_', '1__0', '0_1', '0x_1', '0x1_', '0b1_0', '+12', '-12', '12e3', '12E3', '1e3', '1e+3',
  '1e-3', '1.5e-7', '.5', '+.5', '-.5', '5.', '1.0', '1.50', '-1.0', '1_0.5', '1.2.3', '.', '..', '.e3',
  '.inf', '.Inf', '.INF', '+.inf', '-.inf', '-.Inf', '.iNf', '.nan', '.NaN', '.NAN', '-.nan', 'inf', 'nan', 'NaN',
  'Infinity', '123456789012345678901234567890', '0x123456789ABCDEF0123', '9007199254740993', '1e400', '-1e400',
  '1:1', '16:9', '12:30:00', '1:20.5', '190:20:30', '-1:30', '1024x1024', '1024X1024', '3.14.15',
  '2024-01-02', '2024-1-2', '2024-01-02T10:20:30Z', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5',
  '2001-12-15 2:59:43.10', '2002-12-14', '2024-13-45', '2024-02-30', '0050-01-01', '9999-12-31T23:59:59.9999Z',
  '2024-01-02T10:20:30+01:30', '2024-01-02T10:20:30.123456789', '2024-01-02 10:20:30 Z', '2024-01-02T1:2:3',
  '<<', '=', '-', '--', '---a', 'a-b', '?', '?a', 'a?', 'hello world', 'a#b', 'a #b', 'a:b', 'a: b', 'http://x.y/z?q=1#f',
  'mcp://server/tool', 'mcp://server/*', 'openai/gpt-4o', 'gpt-4o-mini', "it's", 'a "quoted" word', 'ünïcödé', '日本語',
  '😀', 'a😀b', 'trailing   ', 'x,y', 'x]', 'x}', '[x', '@x', '`x', '%x', 'a|b', 'a>b', 'a!b', 'a&b', 'a*b',
];
for (const s of scalars) {
  add(s, `k: ${s}`, `- ${s}`, `[${s}]`, `{k: ${s}}`, `${s}: v`);
}
// Quoted forms.
for (const s of ['010', '1:1', 'yes', 'true', '1e3', '~', '', ' ', "a'b", 'a"b', '#x', '2024-01-02']) {
  add(`k: '${s.replace(/'/g, "''")}'`, `k: "${s.replace(/"/g, '\\"')}"`);
}

add(
  // Escapes and quoted scalars
  'k: "\\0\\a\\b\\t\\	\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P"',
  'k: "\\x41\\u00e9\\U0001F600"',
  'k: "\\ud83d\\ude00"',
  'k: "\\q"',
  'k: "\\x4"',
  'k: "\\xZZ"',
  'k: "unterminated',
  "k: 'unterminated",
  'k: "line one\n  line two\n\n  line three"',
  "k: 'line one\n  line two\n\n\n  line three'",
  'k: "folded \\\n  continued"',
  "k: 'it''s'",
  'k: "tab\there"',
  'k: "a\u0001b"',
  "k: 'a\u0001b'",
  'k: a\u0001b',
  'k: "multi\n---\n"',
  "k: 'multi\n...\n'",

  // Block scalars
  'k: |\n  line1\n  line2\n',
  'k: |\n  line1\n  line2',
  'k: |-\n  line1\n  line2\n\n',
  'k: |+\n  line1\n  line2\n\n',
  'k: >\n  folded\n  text\n\n  para\n',
  'k: >-\n  folded\n  text\n',
  'k: >+\n  folded\n\n',
  'k: >\n  a\n    more\n    indented\n  b\n',
  'k: |2\n    indented\n  base\n',
  'k: |1\n  x\n',
  'k: |0\n  x\n',
  'k: |++\n  x\n',
  'k: |22\n  x\n',
  'k: | # comment\n  x\n',
  'k: |\n\n\n  after blanks\n',
  'k: |\n  \n  x\n',
  'k: >\n\n  x\n  y\n',
  'k: |\n',
  'k: >\n',
  'k: |-\n',
  'k: |+\n\n\n',
  '- |\n  a\n- >\n  b\n  c\n',
  'k: |\n   three\n  two\n',
  'a:\n  b: |\n    nested\n    text\n  c: d\n',

  // Multi-line plain scalars
  'k: a\n  b\n  c',
  'k: a\n\n  b',
  'k: a\n  b: c',
  '- a\n  b\n- c',
  'a\nb\n\nc',
  'k: a # comment\n  b',
  'k: a\n# comment\n  b',

  // Flow collections
  '[a, b, c]',
  '[a, [b, c], {d: e}]',
  '{a: 1, b: [2, 3], c: {d: 4}}',
  '[a, b,]',
  '[a, , b]',
  '[,]',
  '{a, b: c}',
  '{a: , b: }',
  '[a: 1, b: 2]',
  '[? a : 1]',
  '{? a : 1}',
  '[a\n, b\n]',
  '{a: 1\n, b: 2}',
  '[a b]',
  '[a, b',
  '{a: 1',
  '{"a":1,"b":[true,false,null]}',
  '{"a": "x", "b": 1.5e3}',
  '[1, 2]: v',
  '{[1, 2]: v}',
  '[[1, 2]]: v',
  '? [a, [b]]\n: v',
  '{a: 1}: v',
  '? {a: 1}\n: v',
  '? [{a: 1}, 2]\n: v',
  '[a: [1, 2]]',
  'k: [\n  a,\n  b\n]',
  'k: {\n  a: 1,\n  b: 2\n}',
  'k: [a,b]x',
  '[a]b',

  // Block collections
  'a: 1\nb: 2\nc:\n  d: 3\n  e: [4, 5]\n',
  '- a\n- b\n-\n- - c\n  - d\n- e: f\n  g: h\n',
  'a:\n- b\n- c\n',
  'a:\n  - b\n  - c\nd: e\n',
  '-\n  a: b\n',
  '- - - x',
  '? a\n: b\n',
  '? a\n? b\n: c\n',
  '? |\n  block key\n: v\n',
  ': v\n',
  'a: 1\n b: 2\n',
  'a: 1\n  b: 2\n',
  'a:\n  b: 1\n c: 2\n',
  'a: b: c',
  'a:b',
  'a :b',
  'a : b',
  'a\n: b',
  'a: 1\nb',
  '- a\nb: c',
  'a: 1\n- b',
  'a: 1\n\tb: 2',
  'a:\n\t- b',
  'a:\t1',
  'a: \t1',
  '\ta: 1',
  '- a\n -b',
  'key: value # comment\n# full comment\nother: 2 #c',
  'k: v#notcomment',
  '"quoted key": 1\n\'single\': 2',
  '"multi\n line": 1',
  '1: a\n2: b\n10: c\n-1: d\n1.5: e\n0x10: f\n010: g\n',
  'b: 1\na: 2\n1: 3\n0: 4\n',
  'null: 1\ntrue: 2\n~: 3\n',
  '2024-01-02: x',
  '.inf: x\n.nan: y\n-0: z',
  '__proto__: 1\nconstructor: 2\ntoString: 3',
  'k:\n',
  'k:',
  'k: ~',
  'a:\nb:\n',
  '- \n- ~\n-',
  'a:\n  -\n  - b',

  // Duplicates
  'a: 1\na: 2',
  '{a: 1, a: 2}',
  'a: 1\nb: 2\na: 3',
  'x:\n  a: 1\n  a: 1',
  '1: a\n01: b',
  '? a\n? a\n',
  '"a": 1\na: 2',
  'null: 1\n~: 2',

  // Anchors, aliases, merges
  'a: &x 1\nb: *x',
  'a: &x [1, 2]\nb: *x',
  'a: &x {c: 1}\nb: *x',
  'base: &base\n  a: 1\n  b: 2\nderived:\n  <<: *base\n  b: 3\n  c: 4\n',
  'a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n',
  'a: &a {x: 1, y: 1}\nb: &b {y: 2}\nc:\n  <<: [*b, *a]\n',
  'a: &a {x: 1}\nc:\n  x: 0\n  <<: *a\n',
  'a: &a {x: 1}\nc:\n  <<: *a\n  x: 2\n  x: 3\n',
  'c:\n  <<: {x: 1}\n  <<: {x: 2, y: 2}\n',
  'c:\n  <<: 1\n',
  'c:\n  <<: [1]\n',
  'a: &s [1, 2]\nc:\n  <<: *s\n',
  'c:\n  "<<": {x: 1}\n',
  'c:\n  <<: ~\n',
  'a: *nope',
  'a: &x\nb: *x',
  'a: &x !!str\nb: *x',
  '&x a: *x',
  'a: &x &y 1',
  'a: !!str &x !!int 1',
  'a: *',
  'a: &',
  'a: &x *x',
  'a: &x 1\nb: &x 2\nc: *x',
  'x: &a [*a]',
  'x: &a {b: *a}',
  '- &a a\n- *a\n- &b [*a]\n- *b',
  'a: &x 2024-01-02\nb: *x',
  '{&a x: *a}',
  '[&a x, *a]',
  '- &anc val\n- *anc : key',

  // Explicit tags
  'a: !!str 123',
  'a: !!str',
  'a: !!str ~',
  'a: !!str [1]',
  'a: !!int "123"',
  'a: !!int "0x1F"',
  'a: !!int 1.5',
  'a: !!int',
  'a: !!float 1',
  'a: !!float "1.5"',
  'a: !!float abc',
  'a: !!bool "true"',
  'a: !!bool yes',
  'a: !!null ""',
  'a: !!null null',
  'a: !!null',
  'a: !!timestamp 2024-01-02',
  'a: !!timestamp "2024-01-02 10:00:00"',
  'a: !!timestamp nope',
  'a: !!seq [1]',
  'a: !!seq',
  'a: !!seq x',
  'a: !!map {b: 1}',
  'a: !!map',
  'a: !!map [1]',
  'a: !!set {x, y}',
  'a: !!set {x: 1}',
  'a: !!set\n  ? x\n  ? y\n',
  'a: !!omap [a: 1, b: 2]',
  'a: !!omap [a: 1, a: 2]',
  'a: !!omap [1]',
  'a: !!pairs [a: 1, a: 2]',
  'a: !!pairs [a]',
  'a: !!pairs',
  'a: !!binary aGVsbG8=',
  'a: !!binary |\n  aGVs\n  bG8=\n',
  'a: !!binary "a"',
  'a: !!binary',
  'a: !!merge <<',
  'a: !!foo x',
  'a: !foo x',
  'a: ! 12',
  'a: ! [1]',
  'a: !<tag:yaml.org,2002:str> 12',
  'a: !<!> 12',
  'a: !<> x',
  'a: !<?> 12',
  'a: !<?> [1]',
  'a: !e!foo x',
  'a: !!str!x y',
  'a: !!s{tr x',
  '!!str a: b',
  '!!map\na: 1',
  '--- !!str\n12',
  '? !!binary aGVsbG8=\n: 1',
  '!!str 0x10: 1',
  'a: !!str\n  12',
  'a: !%41 x',
  'a: !%zz x',
  'a: !!str !!int 1',

  // Directives and documents
  '%YAML 1.2\n---\na: 1',
  '%YAML 1.1\n---\na: 1',
  '%YAML 2.0\n---\na: 1',
  '%YAML 1.2\n%YAML 1.2\n---\na: 1',
  '%YAML\n---\na: 1',
  '%YAML 1.2\na: 1',
  '%TAG !e! tag:example.com,2000:\n---\na: !e!foo x',
  '%TAG !! tag:yaml.org,2002:\n---\na: !!str 1',
  '%TAG !m! !my-\n---\na: !m!str x',
  '%FOO bar\n---\na: 1',
  '%\n---\na: 1',
  '---\na: 1',
  '---\na: 1\n...',
  '---\na: 1\n---\nb: 2',
  'a: 1\n---\n',
  '---',
  '--- ',
  '...',
  '',
  ' ',
  '\n\n',
  '# only a comment',
  '---\n# c\n...\n',
  '--- a',
  '--- |\n  x\n',
  '---\n---',
  'a\n...\nb',
  'k: v\n...\n# trailing',
  '\uFEFFa: 1',
  'a: 1\r\nb: 2\r\n',
  'a: |\r\n  x\r\n  y\r\n',
  'a: 1\rb: 2',
  'a: "x\r\n  y"',
  'a: 1\u0000',
  'a: \u0085',
  'a: "\u2028"',
  '  a: 1\n  b: 2',
  '  - a\n  - b',
  'a',
  '"a"\nb',
  '- a\n--- b',
);

// Realistic AgentMark frontmatter.
add(
  `name: customer-support
text_config:
  model_name: openai/gpt-4o
  temperature: 0.7
  max_tokens: 1024
  top_p: 1
  stop_sequences:
    - "###"
    - END
  tools:
    - search_knowledge_base
    - mcp://docs/search
    - mcp://github/*
  tool_choice: auto
test_settings:
  props:
    customerQuestion: How do I reset my password?
    userName: Alice
  dataset: datasets/support.jsonl
  evals:
    - exact_match
    - tone
  experiment_key: support-v1
  regression_tolerance: 0.05
  score_thresholds:
    tone: 0.8
input_schema:
  type: object
  properties:
    customerQuestion:
      type: string
      description: The question
    userName:
      type: string
  required:
    - customerQuestion
`,
  `name: extract-entities
object_config:
  model_name: anthropic/claude-3-5-sonnet
  temperature: 0
  schema_name: Entities
  schema_description: "Entities found in the text: people, places"
  schema:
    type: object
    properties:
      people:
        type: array
        items:
          type: object
          properties:
            name: { type: string }
            age: { type: integer, minimum: 0, maximum: 150 }
          required: [name]
      places:
        type: array
        items: { type: string }
      sentiment:
        type: string
        enum: [positive, negative, neutral]
      score:
        type: number
        minimum: -1.0
        maximum: 1.0
      nested:
        $ref: ./schemas/nested.json#/definitions/Thing
    required:
      - people
      - places
    additionalProperties: false
input_schema:
  type: object
  properties:
    text:
      $ref: "./schemas/common.json#/properties/text"
`,
  `name: draw-cat
image_config:
  model_name: openai/dall-e-3
  num_images: 2
  size: 1024x1024
  aspect_ratio: 16:9
  seed: 42
test_settings:
  props:
    animal: cat
`,
  `name: narrate
speech_config:
  model_name: openai/tts-1-hd
  voice: nova
  output_format: mp3
  speed: 1.25
  instructions: Read slowly
`,
  `---
name: legacy
metadata:
  model:
    name: gpt-4
    settings:
      temperature: 0.5
`,
  `name: "quoted-name"
text_config:
  model_name: 'openai/gpt-4o-mini'
  seed: 010
  max_calls: 0o10
  presence_penalty: -0.5
  frequency_penalty: +0.5
  max_retries: 3
  tool_choice:
    type: tool
    tool_name: weather
agentmark_meta:
  commit_sha: 3f2a9c1
  created: 2024-05-01
  tags: [prod, 'v2', "beta"]
  empty_list: []
  empty_map: {}
  nothing:
`,
  `name: anchors
defaults: &defaults
  model_name: openai/gpt-4o
  temperature: 0.2
text_config:
  <<: *defaults
  temperature: 0.9
`,
  `name: multiline
text_config:
  model_name: openai/gpt-4o
test_settings:
  props:
    essay: |
      First paragraph
      continues here.

      Second paragraph.
    summary: >
      This is folded
      into one line.
    code: |-
      function f() {
        return 1;
      }
    list:
      - one
      - two: 2
        three: 3
      - [4, 5]
`,
  `name: dup
text_config:
  model_name: a
text_config:
  model_name: b
`,
  `name: bad-indent
text_config:
  model_name: a
   temperature: 1
`,
  `name: tabbed
text_config:
\tmodel_name: a
`,
  `name: colon-value
text_config:
  model_name: openai:gpt-4o
  description: Time is 12:30
  ratio: 4:3
  url: https://example.com:8080/path
`,
);

// ---------------------------------------------------------------- dump corpus
const dumpValues = [
  { name: 'x', text_config: { model_name: 'openai/gpt-4o', temperature: 0.7, max_tokens: 100, tools: ['a', 'mcp://s/*'] } },
  { a: { b: { c: { d: 'deep' } } }, e: [[1, 2], [3, [4]]], f: [{ g: 1, h: [] }, { i: {} }] },
  { strs: ['', ' ', '  x', 'x  ', '1:1', '16:9', '010', '0o10', '0x1F', '1_000', '1e3', '.inf', '.nan', 'yes', 'no', 'on', 'off',
    'y', 'n', 'true', 'False', 'null', '~', 'Null', '-', '- x', '?', '? x', ':', 'a: b', 'a:b', '#', 'a #b', 'a#b', '!x', '&x',
    '*x', '|', '>', "'", '"', '%', '@', '`', '[', ']', '{', '}', ',', 'a,b', '=', '<<', '2024-01-02', '2024-01-02T00:00:00.000Z',
    '1024x1024', 'openai/gpt-4o', 'x\ty', 'x\u0001y', 'x\u0085y', 'x\u00a0y', 'x\u2028y', 'x\uFEFFy', '\uFEFF', 'é', '日本',
    '😀', 'a😀', 'x\\y', 'x"y', "x'y", "it's", '123', '-123', '1.5', '+1', '12:30:00', '1:20.5', '1__2', '0b11', '-.5'] },
  { multi: ['a\nb', 'a\nb\n', 'a\nb\n\n', '\n', '\n\n', 'a\n\nb', ' lead\nx', '\n lead', 'trail \n', 'x\r\ny', 'tab\tline\nx',
    'a'.repeat(200) + ' ' + 'b'.repeat(200), 'x\n'.repeat(3)] },
  { nums: [0, 1, -1, 1.5, -1.5, 1e21, 1e-7, 5e-7, 1.5e-7, 123456789012, 0.1, 1 / 3, 1e300, -2.5e-10] },
  { bools: [true, false], nul: null, arrNull: [null, null], emptyArr: [], emptyObj: {} },
  { 'key with spaces': 1, '1': 'numeric key', '010': 'octal-ish', 'yes': 'bool-ish', '': 'empty key', 'a: b': 'colon key',
    'multi\nline': 'key', '-x': 1, '?x': 2, '#x': 3, 'k#x': 4, 'x:': 5, '日本': 6, 'null': 7, '<<': 8 },
  ['top', 'level', { seq: true }],
  'just a string',
  'multi\nline\n',
  42,
  null,
  [],
  {},
  [[]],
  [{}],
  [[[1]]],
  [{ a: [{ b: [] }] }],
  { long: 'k'.repeat(1100) },
  { ['k'.repeat(1100)]: 'long key' },
  { ['k'.repeat(1100)]: { nested: 1 } },
];

// ---------------------------------------------------------------- run
const out = { jsYamlVersion: require((process.env.JS_YAML || 'js-yaml') + '/package.json').version, load: [], dump: [] };
const seen = new Set();
for (const input of docs) {
  if (seen.has(input)) continue;
  seen.add(input);
  const rec = { input };
  try {
    const v = yaml.load(input);
    try {
      const j = JSON.stringify(v);
      rec.json = j === undefined ? null : j; // null: load returned undefined
      if (j !== undefined) rec.dump = yaml.dump(JSON.parse(j), { lineWidth: -1 });
    } catch (e) {
      rec.error = { reason: 'JSON: ' + e.message.split('\n')[0], line: 0, column: 0 };
    }
  } catch (e) {
    if (e.name !== 'YAMLException') throw e;
    rec.error = { reason: e.reason, line: e.mark ? e.mark.line + 1 : 0, column: e.mark ? e.mark.column + 1 : 0 };
  }
  out.load.push(rec);
}
for (const value of dumpValues) {
  out.dump.push({ json: JSON.stringify(value), yaml: yaml.dump(value, { lineWidth: -1 }) });
}
writeFileSync(path.join(here, '..', 'golden.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${out.load.length} load cases, ${out.dump.length} dump cases`);
