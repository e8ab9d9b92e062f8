// Regenerates ../golden/*.json from the real remark stack (the oracle).
//
// Usage (needs node and network access to the npm registry; not needed by
// `go test`):
//
//   cd "$(mktemp -d)" && cp <repo>/templatedx/mdx/testdata/gen/package.json . && npm install
//   node <repo>/templatedx/mdx/testdata/gen/gen.mjs [path/to/public-cases.jsonl]
//
// Inputs: cases.mjs (hand-written corpus) plus, when given, every `files`
// value of the conformance cases file. Each golden holds the source and
// either the expected tree (with positions, without `data`) or the expected
// error (message and place). Offsets are converted from UTF-16 code units to
// UTF-8 byte offsets; columns stay in UTF-16 code units like upstream.
import {readFileSync, writeFileSync, mkdirSync, readdirSync, unlinkSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const req = createRequire(path.join(process.cwd(), 'package.json'))
const load = async (name) => (await import(pathToFileURL(req.resolve(name)).href)).default
const {unified} = await import(pathToFileURL(req.resolve('unified')).href)
const remarkParse = await load('remark-parse')
const remarkMdx = await load('remark-mdx')
const remarkFrontmatter = await load('remark-frontmatter')
const {cases} = await import(pathToFileURL(path.join(here, 'cases.mjs')).href)

const processor = unified().use(remarkParse).use(remarkMdx).use(remarkFrontmatter, ['yaml'])

const all = [...cases]
if (process.argv[2]) {
  for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
    if (!line.trim()) continue
    const c = JSON.parse(line)
    for (const [file, text] of Object.entries(c.files)) {
      if (!/\.mdx?$/.test(file)) continue
      all.push(['conf-' + c.id + '-' + file.replace(/[^A-Za-z0-9]+/g, '_'), text])
    }
  }
}

// Upstream offsets count UTF-16 code units of the source without its BOM.
function byteOffset(src, off) {
  return Buffer.byteLength(src.replace(/^\uFEFF/, '').slice(0, off), 'utf8')
}

function clean(src, node) {
  if (Array.isArray(node)) return node.map((n) => clean(src, n))
  if (!node || typeof node !== 'object') return node
  const out = {}
  for (const [k, v] of Object.entries(node)) {
    if (k === 'data') continue
    if (k === 'position') {
      out.position = {
        start: {...v.start, offset: byteOffset(src, v.start.offset)},
        end: {...v.end, offset: byteOffset(src, v.end.offset)}
      }
      continue
    }
    out[k] = clean(src, v)
  }
  return out
}

const outDir = path.join(here, '..', 'golden')
mkdirSync(outDir, {recursive: true})
for (const f of readdirSync(outDir)) if (f.endsWith('.json')) unlinkSync(path.join(outDir, f))
const seen = new Set()
for (const [name, src] of all) {
  if (seen.has(name)) throw new Error('duplicate case ' + name)
  seen.add(name)
  const golden = {name, src}
  try {
    golden.tree = clean(src, processor.parse(src))
  } catch (error) {
    const place = error.place && error.place.start ? error.place.start : error.place
    golden.error = {
      message: error.reason || error.message,
      line: place ? place.line : null,
      column: place ? place.column : null,
      offset: place && typeof place.offset === 'number' ? byteOffset(src, place.offset) : null
    }
  }
  writeFileSync(path.join(outDir, name + '.json'), JSON.stringify(golden, null, 1) + '\n')
}
console.log('wrote', all.length, 'goldens')
