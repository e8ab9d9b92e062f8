#!/usr/bin/env node
// Reference renderer for differential testing: upstream @agentmark-ai/templatedx
// (used as an unmodified black box from an npm install, see package.json) plus a
// small imitation of prompt-core's format() written from the spec (§C.1-C.4).
//
//   node format.mjs --modules <dir with node_modules> < cases.jsonl > results.jsonl
//
// Input lines are conformance cases ({id, entry, files, props?}); output lines are
// {id, ok:true, output} or {id, ok:false, error}.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const modIdx = args.indexOf('--modules');
const modules = path.resolve(modIdx >= 0 ? args[modIdx + 1] : process.env.ORACLE_MODULES || '.');
const req = createRequire(path.join(modules, 'noop.js'));
const load = async (name) => import(pathToFileURL(req.resolve(name)).href);

const tdx = await load('@agentmark-ai/templatedx');
const yaml = (await load('js-yaml')).default;
const { TemplateDX, TagPlugin } = tdx;

const EXTRACT = '__agentmark-extractTextPromises';
const MEDIA = '__agentmark-mediaParts';
const INSIDE = '__insideMessageType';

class ExtractText extends TagPlugin {
  async transform(_props, children, ctx) {
    const { scope, tagName, createNodeTransformer, nodeHelpers } = ctx;
    const run = async () => {
      let s = scope;
      if (tagName === 'User') {
        scope.setShared(INSIDE, 'User');
        s = scope.createChild();
      }
      const tr = createNodeTransformer(s);
      const out = (await Promise.all(children.map((c) => tr.transformNode(c)))).flat();
      const text = nodeHelpers.toMarkdown({ type: 'root', children: out }).trim();
      if (tagName === 'User') {
        const media = scope.getShared(MEDIA) || [];
        if (media.length) return { name: tagName, content: [{ type: 'text', text }, ...media] };
      }
      return { name: tagName, content: text };
    };
    const p = run();
    const list = scope.getShared(EXTRACT) || [];
    list.push(p);
    scope.setShared(EXTRACT, list);
    return [];
  }
}

class Attachment extends TagPlugin {
  async transform(props, _children, ctx) {
    const { scope, tagName } = ctx;
    if (scope.getShared(INSIDE) !== 'User') throw new Error('ImageAttachment and FileAttachment tags must be inside User tag.');
    const media = scope.getShared(MEDIA) || [];
    if (tagName === 'ImageAttachment') {
      if (props.image === undefined) throw new Error('ImageAttachment must contain an image prop');
      if (props.image) {
        const part = { type: 'image', image: props.image };
        if (props.mimeType) part.mimeType = props.mimeType;
        media.push(part);
      }
    } else {
      if (props.data === undefined || props.mimeType === undefined) throw new Error('FileAttachment must contain data and mimeType props');
      if (props.data && props.mimeType) media.push({ type: 'file', data: props.data, mimeType: props.mimeType });
    }
    scope.setShared(MEDIA, media);
    return [];
  }
}

function engine(kind) {
  const e = new TemplateDX();
  if (kind === 'image') e.registerTagPlugin(new ExtractText(), ['ImagePrompt']);
  else if (kind === 'speech') e.registerTagPlugin(new ExtractText(), ['System', 'SpeechPrompt']);
  else {
    e.registerTagPlugin(new ExtractText(), ['System', 'User', 'Assistant']);
    e.registerTagPlugin(new Attachment(), ['ImageAttachment', 'FileAttachment']);
  }
  return e;
}
const engines = { image: engine('image'), speech: engine('speech'), language: engine('language') };

function detectFromContent(src) {
  const m = src.match(/^---\n([\s\S]*?)\n---/);
  if (!m) return 'language';
  if (m[1].includes('image_config:')) return 'image';
  if (m[1].includes('speech_config:')) return 'speech';
  return 'language';
}
function engineKind(fm) {
  if (fm.image_config) return 'image';
  if (fm.speech_config) return 'speech';
  if (fm.text_config || fm.object_config) return 'language';
  throw new Error('No valid config found in frontmatter. Please specify one of: image_config, speech_config, text_config, or object_config.');
}

async function compile(ast, props) {
  const node = ast.children.find((n) => n.type === 'yaml');
  const fm = yaml.load(node ? node.value : '');
  const kind = engineKind(fm);
  const shared = {};
  await tdx.transform(ast, props ?? {}, shared, engines[kind]);
  const fields = await Promise.all(shared[EXTRACT] || []);
  const first = (n) => fields.find((f) => f.name === n)?.content;
  const out = { name: fm.name };
  if (fm.speech_config) {
    out.speech_config = { ...fm.speech_config, text: first('SpeechPrompt') ?? '', instructions: first('System') ?? '' };
  } else if (fm.image_config) {
    out.image_config = { ...fm.image_config, prompt: first('ImagePrompt') ?? '' };
  } else {
    const roles = { System: 'system', User: 'user', Assistant: 'assistant' };
    out.messages = fields.map((f, i) => {
      if (f.name === 'System' && i > 0) throw new Error('System message may only be the first message: ' + f.content);
      return { role: roles[f.name], content: f.content };
    });
    if (fm.object_config) out.object_config = fm.object_config;
    else out.text_config = fm.text_config;
  }
  out.test_settings = fm.test_settings;
  if (fm.agentmark_meta) out.agentmark_meta = fm.agentmark_meta;
  return out;
}

// ---- an approximation of prompt-core's zod schemas (only ok-vs-error matters)
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
function validate(out) {
  const issues = [];
  const bad = (p, m) => issues.push({ path: p, message: m });
  const str = (v, p, req = false) => { if (v === undefined) { if (req) bad(p, 'Required'); } else if (typeof v !== 'string') bad(p, 'Expected string'); };
  const num = (v, p, req = false) => { if (v === undefined) { if (req) bad(p, 'Required'); } else if (typeof v !== 'number' || Number.isNaN(v)) bad(p, 'Expected number'); };
  const strArr = (v, p) => { if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) bad(p, 'Expected string[]'); };
  const url = (v, p) => { if (typeof v !== 'string') bad(p, 'Expected string'); else { try { new URL(v); } catch { bad(p, 'Invalid url'); } } };
  str(out.name, 'name', true);
  const common = (c, p, withToolChoice) => {
    if (!isObj(c)) { bad(p, c === undefined ? 'Required' : 'Expected object'); return; }
    str(c.model_name, p + '.model_name', true);
    for (const k of ['max_tokens', 'temperature', 'max_calls', 'top_p', 'top_k', 'presence_penalty', 'frequency_penalty', 'seed', 'max_retries']) num(c[k], p + '.' + k);
    strArr(c.stop_sequences, p + '.stop_sequences');
    strArr(c.tools, p + '.tools');
    if (withToolChoice && c.tool_choice !== undefined) {
      const tc = c.tool_choice;
      const ok = ['auto', 'none', 'required'].includes(tc) || (isObj(tc) && tc.type === 'tool' && typeof tc.tool_name === 'string');
      if (!ok) bad(p + '.tool_choice', 'Invalid');
    }
  };
  if ('text_config' in out) common(out.text_config, 'text_config', true);
  if ('object_config' in out) {
    common(out.object_config, 'object_config', false);
    if (isObj(out.object_config)) {
      const c = out.object_config;
      if (!isObj(c.schema)) bad('object_config.schema', c.schema === undefined ? 'Required' : 'Expected object');
      str(c.schema_name, 'object_config.schema_name'); str(c.schema_description, 'object_config.schema_description');
    }
  }
  if ('image_config' in out) {
    const c = out.image_config;
    if (!isObj(c)) bad('image_config', 'Expected object');
    else {
      str(c.model_name, 'image_config.model_name', true); num(c.num_images, 'image_config.num_images'); num(c.seed, 'image_config.seed');
      if (c.size !== undefined && !(typeof c.size === 'string' && /^\d+x\d+$/.test(c.size))) bad('image_config.size', 'Invalid');
      if (c.aspect_ratio !== undefined && !(typeof c.aspect_ratio === 'string' && /^\d+:\d+$/.test(c.aspect_ratio))) bad('image_config.aspect_ratio', 'Invalid');
    }
  }
  if ('speech_config' in out) {
    const c = out.speech_config;
    if (!isObj(c)) bad('speech_config', 'Expected object');
    else {
      str(c.model_name, 'speech_config.model_name', true); str(c.voice, 'speech_config.voice');
      str(c.output_format, 'speech_config.output_format'); num(c.speed, 'speech_config.speed');
    }
  }
  const ts = out.test_settings;
  if (ts !== undefined) {
    if (!isObj(ts)) bad('test_settings', 'Expected object');
    else {
      if (ts.props !== undefined && ts.props !== null && !isObj(ts.props)) bad('test_settings.props', 'Expected object');
      str(ts.dataset, 'test_settings.dataset'); strArr(ts.evals, 'test_settings.evals'); str(ts.experiment_key, 'test_settings.experiment_key');
      if (ts.regression_tolerance !== undefined && !(typeof ts.regression_tolerance === 'number' && ts.regression_tolerance >= 0 && ts.regression_tolerance <= 1)) bad('test_settings.regression_tolerance', 'Invalid');
      if (ts.score_thresholds !== undefined) {
        if (!isObj(ts.score_thresholds)) bad('test_settings.score_thresholds', 'Expected object');
        else for (const [k, v] of Object.entries(ts.score_thresholds)) if (!(typeof v === 'number' && v >= 0 && v <= 1)) bad('test_settings.score_thresholds.' + k, 'Invalid');
      }
    }
  }
  (out.messages || []).forEach((m, i) => {
    if (!Array.isArray(m.content)) return;
    m.content.forEach((part, j) => {
      if (part.type === 'image') url(part.image, `messages.${i}.content.${j}.image`);
      if (part.type === 'file') url(part.data, `messages.${i}.content.${j}.data`);
    });
  });
  if (issues.length) throw new Error('ZodError: ' + JSON.stringify(issues));
}

async function formatCase(c) {
  const entry = c.entry ?? 'main.prompt.mdx';
  const root = '/proj';
  const abs = path.posix.join(root, entry);
  const src = c.files[entry];
  const loader = async (p) => {
    const rel = path.posix.relative(root, p);
    if (rel.startsWith('..') || !(rel in c.files)) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return c.files[rel];
  };
  const ast = await engines[detectFromContent(src)].parse(src, path.posix.dirname(abs), loader);
  // load: compile once with empty props and validate, then format with the props
  const loaded = await compile(structuredClone(ast), {});
  validate(loaded);
  return compile(structuredClone(ast), c.props ?? {});
}

const out = [];
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  let res;
  try {
    const output = await formatCase(c);
    res = { id: c.id, ok: true, output: JSON.parse(JSON.stringify(output)) };
  } catch (e) {
    res = { id: c.id, ok: false, error: String(e && e.message !== undefined ? e.message : e) };
  }
  out.push(JSON.stringify(res) + '\n');
}
fs.writeFileSync(1, out.join(''));
