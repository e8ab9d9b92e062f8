package mdx

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// line is one source line: content is src[start:end], the line ending
// (if any) is src[end:next].
type line struct {
	start, end, next int
	ascii            bool
}

func splitLines(src string) []line {
	return appendLines(nil, src)
}

// appendLines appends the lines of src to lines.
func appendLines(lines []line, src string) []line {
	if n := strings.Count(src, "\n") + 1; cap(lines)-len(lines) < n {
		lines = slices.Grow(lines, n)
	}
	if strings.IndexByte(src, '\r') < 0 {
		// Only \n line endings: find them with IndexByte.
		all := isASCII(src)
		start := 0
		for {
			i := strings.IndexByte(src[start:], '\n')
			if i < 0 {
				break
			}
			end := start + i
			lines = append(lines, line{start: start, end: end, next: end + 1, ascii: all || isASCII(src[start:end])})
			start = end + 1
		}
		return append(lines, line{start: start, end: len(src), next: len(src), ascii: all || isASCII(src[start:])})
	}
	return appendLinesSlow(lines, src)
}

// appendLinesSlow is appendLines for any line endings.
func appendLinesSlow(lines []line, src string) []line {
	start := 0
	ascii := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c >= 0x80 {
			ascii = false
			continue
		}
		if c == '\n' || c == '\r' {
			next := i + 1
			if c == '\r' && next < len(src) && src[next] == '\n' {
				next++
			}
			lines = append(lines, line{start: start, end: i, next: next, ascii: ascii})
			start = next
			ascii = true
			i = next - 1
		}
	}
	lines = append(lines, line{start: start, end: len(src), next: len(src), ascii: ascii})
	return lines
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lineOf returns the index of the line holding byte offset off.
func (p *parser) lineOf(off int) int {
	// Fast path: the last looked-up line, or the one after it.
	if h := p.hint; h < len(p.lines) && off >= p.lines[h].start {
		if off < p.lines[h].next || h == len(p.lines)-1 {
			return h
		}
		if h+1 < len(p.lines) && off >= p.lines[h+1].start && (off < p.lines[h+1].next || h+1 == len(p.lines)-1) {
			p.hint = h + 1
			return h + 1
		}
	}
	i := sort.Search(len(p.lines), func(i int) bool { return p.lines[i].next > off }) // first line ending after off
	if i >= len(p.lines) {
		i = len(p.lines) - 1
	}
	p.hint = i
	return i
}

// point converts a byte offset into a unist point. Columns count UTF-16
// code units like micromark does; offsets stay in bytes.
func (p *parser) point(off int) mdast.Point {
	if off > len(p.src) {
		off = len(p.src)
	}
	if off < 0 {
		off = 0
	}
	li := p.lineOf(off)
	l := p.lines[li]
	col := off - l.start
	if !l.ascii && col > 0 {
		col = 0
		s := p.src[l.start:off]
		for _, r := range s {
			if r >= 0x10000 {
				col += 2
			} else {
				col++
			}
		}
	}
	return mdast.Point{Line: li + 1, Column: col + 1, Offset: off}
}

// slabSize is the size of the next chunk of nodes or positions, given how
// many were made so far: the first chunk is sized for the whole document
// (about one node per 20 bytes of source in prompts), later ones are
// small so that little is left unused.
func (p *parser) slabSize(used int) int {
	if used == 0 {
		return min(len(p.src)/20+8, 64)
	}
	return 32
}

func (p *parser) pos(start, end int) *mdast.Position {
	// Positions are allocated in chunks: a tree has many of them.
	if len(p.posSlab) == cap(p.posSlab) {
		p.posSlab = make([]mdast.Position, 0, p.slabSize(p.posCount))
	}
	p.posCount++
	p.posSlab = append(p.posSlab, mdast.Position{Start: p.point(start), End: p.point(end)})
	return &p.posSlab[len(p.posSlab)-1]
}

// node allocates a node in chunks.
func (p *parser) node(n mdast.Node) *mdast.Node {
	if len(p.nodeSlab) == cap(p.nodeSlab) {
		p.nodeSlab = make([]mdast.Node, 0, p.slabSize(p.nodeCount))
	}
	p.nodeCount++
	p.nodeSlab = append(p.nodeSlab, n)
	return &p.nodeSlab[len(p.nodeSlab)-1]
}

// place formats a point like unist-util-stringify-position: `line:column`.
func (p *parser) place(off int) string {
	pt := p.point(off)
	return strconv.Itoa(pt.Line) + ":" + strconv.Itoa(pt.Column)
}

// span formats `line:column-line:column`.
func (p *parser) span(start, end int) string {
	return p.place(start) + "-" + p.place(end)
}

// Parser state is pooled: the block tree, the inline nodes, the tags and the
// line table only live during a parse (the mdast tree copies what it needs
// out of them: strings, and attributes allocated on their own), so their
// memory is reused by the next parse. The mdast nodes and positions are
// never pooled: they are the result.

var parserPool = sync.Pool{New: func() any { return &parser{defs: map[string]*definition{}} }}

func getParser(src string) *parser {
	p := parserPool.Get().(*parser)
	p.src = src
	p.lines = appendLines(p.lines[:0], src)
	return p
}

// putParser resets p and returns it to the pool.
func putParser(p *parser) {
	if len(p.src) > maxPooledSource {
		return // keep the pool's memory bounded
	}
	clear(p.defs)
	*p = parser{
		lines:     p.lines[:0],
		defs:      p.defs,
		blocks:    p.blocks.reset(),
		inodes:    p.inodes.reset(),
		tags:      p.tags.reset(),
		vtexts:    p.vtexts.reset(),
		delims:    p.delims.reset(),
		brackets:  p.brackets.reset(),
		flowItems: p.flowItems[:0],
	}
	parserPool.Put(p)
}

// maxPooledSource: parsers of larger documents are not pooled.
const maxPooledSource = 1 << 20

// arena hands out values of T from chunks that are reused after
// reset. Pointers into it must not outlive the parse.
type arena[T any] struct {
	chunks [][]T
	n      int // values handed out
}

const arenaChunk = 64

func (a *arena[T]) new(v T) *T {
	ci, i := a.n/arenaChunk, a.n%arenaChunk
	if ci == len(a.chunks) {
		a.chunks = append(a.chunks, make([]T, arenaChunk))
	}
	a.n++
	x := &a.chunks[ci][i]
	*x = v
	return x
}

// reset returns the arena, ready for reuse. The old values are not
// cleared: new overwrites each one it hands out, and until then they only
// keep the last parse's garbage alive.
func (a arena[T]) reset() arena[T] {
	a.n = 0
	return a
}
