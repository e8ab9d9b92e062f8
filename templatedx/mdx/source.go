package mdx

import (
	"sort"
	"strconv"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// line is one source line: content is src[start:end], the line ending
// (if any) is src[end:next].
type line struct {
	start, end, next int
	ascii            bool
}

func splitLines(src string) []line {
	lines := make([]line, 0, 32)
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

func (p *parser) pos(start, end int) *mdast.Position {
	// Positions are allocated in chunks: a tree has many of them.
	if len(p.posSlab) == cap(p.posSlab) {
		p.posSlab = make([]mdast.Position, 0, 64)
	}
	p.posSlab = append(p.posSlab, mdast.Position{Start: p.point(start), End: p.point(end)})
	return &p.posSlab[len(p.posSlab)-1]
}

// node allocates a node in chunks.
func (p *parser) node(n mdast.Node) *mdast.Node {
	if len(p.nodeSlab) == cap(p.nodeSlab) {
		p.nodeSlab = make([]mdast.Node, 0, 32)
	}
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
