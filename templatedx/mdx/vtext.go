package mdx

import (
	"sort"
	"unicode/utf8"
)

// vtext is the text a scanner walks: paragraph or heading content with the
// container prefixes removed, or, for flow tags and expressions, the rest of
// a line plus the following lines (fetched on demand through more, which
// checks container continuation). Offsets into b map back to the source.
type vtext struct {
	p    *parser
	b    string
	maps []vmap // sorted by v; each starts a run contiguous in the source
	// first is the initial backing store of maps.
	first [2]vmap
	// flow texts are extended by one line at a time (parser.flowMore)
	// until the end of the document or of the enclosing containers;
	// lastLine is the last line taken. lazyAt is set (>= 0) when the next
	// line is a lazy line instead.
	flow     bool
	lastLine int
	lazyAt   int
	done     bool
	// whole is set while b is src[maps[0].s:][:len(b)], one slice of the
	// source.
	whole bool
}

type vmap struct{ v, s int }

// at returns the byte at i, or -1 past the end.
func (t *vtext) at(i int) int {
	for i >= len(t.b) {
		if !t.extend() {
			return -1
		}
	}
	return int(t.b[i])
}

// runeAt decodes the character at i (-1 past the end) and its width.
func (t *vtext) runeAt(i int) (rune, int) {
	c := t.at(i)
	if c < 0 {
		return -1, 0
	}
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	// Make sure the whole sequence is loaded (it never spans lines).
	r, w := utf8.DecodeRuneInString(t.b[i:])
	return r, w
}

func (t *vtext) extend() bool {
	if !t.flow || t.done {
		return false
	}
	if !t.p.flowMore(t) {
		t.done = true
		return false
	}
	return true
}

// add appends src[start:end] to the buffer.
func (t *vtext) add(start, end int) {
	if end <= start {
		return
	}
	if n := len(t.maps); n > 0 {
		last := t.maps[n-1]
		if last.s+(len(t.b)-last.v) == start {
			if t.whole {
				// Still one run of the source: extend the slice.
				t.b = t.p.src[t.maps[0].s:end]
			} else {
				t.b += t.p.src[start:end]
			}
			return
		}
	}
	if len(t.maps) == 0 {
		t.maps = t.first[:0]
	}
	t.maps = append(t.maps, vmap{len(t.b), start})
	if t.b == "" {
		t.b = t.p.src[start:end]
		t.whole = len(t.maps) == 1
	} else {
		t.b += t.p.src[start:end]
		t.whole = false
	}
}

// src maps a buffer offset to a source offset.
func (t *vtext) src(i int) int {
	if len(t.maps) == 0 {
		return 0
	}
	k := 0
	if len(t.maps) > 1 {
		k = sort.Search(len(t.maps), func(k int) bool { return t.maps[k].v > i }) - 1
		if k < 0 {
			k = 0
		}
	}
	m := t.maps[k]
	return m.s + (i - m.v)
}

// srcEnd maps the end of a range ending at buffer offset i (exclusive) to a
// source offset: the end of the run holding i-1.
func (t *vtext) srcEnd(i int) int {
	if i <= 0 {
		return t.src(0)
	}
	return t.src(i-1) + 1
}

func isEOL(c int) bool { return c == '\n' || c == '\r' }

// eolLen returns the length of the line ending at i (0 if none).
func (t *vtext) eolLen(i int) int {
	switch t.at(i) {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(t.b) && t.b[i+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

// textFromSegs builds a vtext over paragraph/heading segments; the last
// segment's line ending is excluded.
func (p *parser) textFromSegs(segs []seg) *vtext {
	t := p.vtexts.new(vtext{p: p, lazyAt: -1})
	if len(segs) == 1 {
		t.b = p.src[segs[0].start:segs[0].end]
		t.first[0] = vmap{0, segs[0].start}
		t.maps = t.first[:1]
		t.whole = true
		return t
	}
	for i, s := range segs {
		end := s.eolEnd
		if i == len(segs)-1 {
			end = s.end
		}
		t.add(s.start, end)
	}
	return t
}
