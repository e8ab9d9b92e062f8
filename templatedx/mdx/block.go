package mdx

import "github.com/agentmark-go/agentmark/templatedx/mdast"

// Block structure: a port of micromark's document/flow tokenizers for the
// subset MDX enables (no indented code, no HTML), in the line-by-line style
// of commonmark.js. JSX flow tags and flow expressions are leaf blocks here
// ("flow lines"); they are nested into elements when the tree is built
// (build.go), exactly like mdast-util-mdx-jsx does from micromark's flat
// token stream.

type blockKind uint8

const (
	bDoc blockKind = iota
	bQuote
	bList
	bItem
	bPara
	bHeading // ATX
	bSetext
	bHR
	bCode
	bFlow // a run of JSX tags and {expressions} on its own line(s)
	bESM
	bYAML
	bDefinition
)

type block struct {
	kind     blockKind
	parent   *block
	children []*block
	open     bool

	start, end int // source byte offsets of the node position
	firstLine  int // line index where the block starts
	lastLine   int // line index of the last line holding content of the block

	// Lists and items.
	ordered    bool
	marker     byte // list: `-`, `*`, `+`, `.`, `)`
	startNum   int
	size       int // item: content indentation in columns
	blankStart bool
	moreBlanks bool
	markerEnd  int
	hadContent bool
	// Paragraph / heading content lines.
	segs []seg
	// Heading depth.
	depth int
	// Fenced code.
	fence       byte
	fenceLen    int
	fenceIndent int
	infoStart   int
	infoEnd     int
	closed      bool
	codeLines   []seg
	// Flow line items, ESM / YAML value, definition URL.
	items []flowItem
	value string
	// Definitions.
	inl      *inode
	defTitle *string
	defLabel string
	defID    string
}

// seg is a run of source text: src[start:end], followed by the line ending
// src[end:eolEnd] (empty on the last line).
type seg struct {
	start, end, eolEnd int
}

type parser struct {
	src   string
	lines []line
	hint  int

	doc *block
	tip *block // deepest open block

	// Current line state.
	li  int // line index
	off int // byte offset in src
	col int // virtual column (tabs expand to multiples of 4)

	defs      map[string]*definition
	fenceBase int

	posSlab   []mdast.Position
	nodeSlab  []mdast.Node
	posCount  int // positions and nodes made
	nodeCount int

	// Parse-time objects, reused across parses (see putParser).
	blocks   arena[block]
	inodes   arena[inode]
	tags     arena[jsxTag]
	vtexts   arena[vtext]
	delims   arena[delim]
	brackets arena[bracket]
	// flowItems holds the items of flow blocks (tryFlow).
	flowItems []flowItem
}

func (p *parser) addChild(parent *block, b *block) *block {
	// Close an open last child first.
	if n := len(parent.children); n > 0 && parent.children[n-1].open {
		p.closeBlock(parent.children[n-1])
	}
	b.parent = parent
	b.open = true
	b.firstLine = p.li
	b.lastLine = p.li
	parent.children = append(parent.children, b)
	p.tip = b
	return b
}

// closeBlock closes b and its open descendants.
func (p *parser) closeBlock(b *block) {
	if !b.open {
		return
	}
	if n := len(b.children); n > 0 {
		p.closeBlock(b.children[n-1])
	}
	b.open = false
	switch b.kind {
	case bPara, bSetext:
		p.finishParagraph(b)
	case bESM:
		p.finishESM(b)
	case bItem:
		b.end = b.markerEnd
		if n := len(b.children); n > 0 {
			last := b.children[n-1]
			b.end = max(b.end, last.end)
			b.lastLine = max(b.lastLine, last.lastLine)
		}
	case bList:
		if n := len(b.children); n > 0 {
			last := b.children[n-1]
			b.end = last.end
			b.lastLine = last.lastLine
		}
	case bQuote:
		if n := len(b.children); n > 0 {
			last := b.children[n-1]
			b.end = max(b.end, last.end)
		}
	}
	if b.parent != nil {
		p.tip = b.parent
	}
}

// --- character helpers -------------------------------------------------

func isSpaceTab(c byte) bool { return c == ' ' || c == '\t' }

// lineEnd returns the content end of the current line.
func (p *parser) lineEnd() int { return p.lines[p.li].end }

// peek returns the byte at offset off on the current line, or 0 at its end.
func (p *parser) peekAt(off int) byte {
	if off < p.lineEnd() {
		return p.src[off]
	}
	return 0
}

// skipWS returns the offset and column after the whitespace at p.off.
func (p *parser) skipWS() (int, int) {
	off, col := p.off, p.col
	end := p.lineEnd()
	for off < end {
		switch p.src[off] {
		case ' ':
			col++
		case '\t':
			col += 4 - col%4
		default:
			return off, col
		}
		off++
	}
	return off, col
}

// advanceCols consumes up to n columns of whitespace; a tab that is only
// partly needed is consumed whole (micromark would keep virtual spaces).
func (p *parser) advanceCols(n int) {
	target := p.col + n
	end := p.lineEnd()
	for p.col < target && p.off < end {
		switch p.src[p.off] {
		case ' ':
			p.col++
		case '\t':
			p.col += 4 - p.col%4
		default:
			return
		}
		p.off++
	}
}

func (p *parser) restBlank() bool {
	off, _ := p.skipWS()
	return off >= p.lineEnd()
}

// --- container matching ----------------------------------------------

// containerChain returns the open containers below the document, outermost
// first.
func (p *parser) containerChain(buf []*block) []*block {
	b := p.doc
	for {
		n := len(b.children)
		if n == 0 {
			return buf
		}
		c := b.children[n-1]
		if !c.open || (c.kind != bQuote && c.kind != bList && c.kind != bItem) {
			return buf
		}
		buf = append(buf, c)
		b = c
	}
}

// matchContainers consumes the continuation prefixes of the open
// containers on the current line. It returns the last matched container
// and whether all open containers matched. With dry set, no container
// state changes.
func (p *parser) matchContainers(dry bool) (*block, bool) {
	var buf [16]*block
	chain := p.containerChain(buf[:0])
	last := p.doc
	for _, c := range chain {
		switch c.kind {
		case bQuote:
			off, col := p.skipWS()
			if p.peekAt(off) != '>' {
				return last, false
			}
			p.off, p.col = off+1, col+1
			if c := p.peekAt(p.off); c == ' ' || c == '\t' {
				p.advanceCols(1)
			}
			if !dry {
				c.lastLine = p.li
				c.end = p.lineEnd()
			}
		case bList:
			// Lists continue through their items.
			continue
		case bItem:
			if p.restBlank() {
				if !dry {
					c.moreBlanks = c.moreBlanks || c.blankStart
				}
				p.advanceCols(c.size)
			} else {
				off, col := p.skipWS()
				further := c.moreBlanks
				if !dry {
					c.moreBlanks, c.blankStart = false, false
				}
				if further || off == p.off || col-p.col < c.size {
					return last, false
				}
				p.advanceCols(c.size)
			}
		}
		last = c
	}
	return last, true
}

// --- main loop -------------------------------------------------------

func (p *parser) parseBlocks() {
	p.doc = p.blocks.new(block{kind: bDoc, open: true})
	p.tip = p.doc
	li := 0
	if y := p.frontmatter(); y != nil {
		li = y.lastLine + 1
	}
	for li < len(p.lines) {
		li = p.processLine(li)
	}
	p.li = len(p.lines) - 1
	p.closeBlock(p.doc)
}

// frontmatter recognises a YAML block opened by `---` on the first line.
func (p *parser) frontmatter() *block {
	isFence := func(l line) bool {
		s := p.src[l.start:l.end]
		if len(s) < 3 || s[:3] != "---" {
			return false
		}
		for i := 3; i < len(s); i++ {
			if !isSpaceTab(s[i]) {
				return false
			}
		}
		return true
	}
	if len(p.lines) < 2 || !isFence(p.lines[0]) {
		return nil
	}
	for i := 1; i < len(p.lines); i++ {
		if isFence(p.lines[i]) {
			b := p.blocks.new(block{kind: bYAML, parent: p.doc, start: 0, end: p.lines[i].end, firstLine: 0, lastLine: i})
			if i > 1 {
				b.value = p.src[p.lines[1].start:p.lines[i-1].end]
			}
			p.doc.children = append(p.doc.children, b)
			return b
		}
	}
	return nil
}

func (p *parser) setLine(li int) {
	p.li = li
	p.off = p.lines[li].start
	p.col = 0
}

// processLine handles line li and returns the index of the next line to
// process (flow constructs may consume several lines).
func (p *parser) processLine(li int) int {
	p.setLine(li)
	container, all := p.matchContainers(false)
	tip := p.tip

	// Concrete constructs that continue.
	if all && tip.open {
		switch tip.kind {
		case bCode:
			p.codeLine(tip)
			return li + 1
		case bESM:
			if p.restBlank() && !p.esmContinues(tip) {
				p.closeBlock(tip)
				p.blankLine(container)
				return li + 1
			}
			tip.lastLine = li
			tip.end = p.lineEnd()
			return li + 1
		}
	}
	if !all && tip.open && tip.kind == bCode {
		// Fenced code does not take lazy lines.
		p.closeBlock(tip)
	}

	lazyPara := !all && p.tip.kind == bPara && p.tip.open
	interrupt := all && p.tip.kind == bPara && p.tip.open

	// New containers.
	for {
		if p.restBlank() {
			break
		}
		off, col := p.skipWS()
		c := p.src[off]
		if c == '>' {
			p.closeUnmatched(container, &all)
			q := p.addChild(container, p.blocks.new(block{kind: bQuote, start: off}))
			p.off, p.col = off+1, col+1
			if c := p.peekAt(p.off); c == ' ' || c == '\t' {
				p.advanceCols(1)
			}
			q.end = p.lineEnd()
			container = q
			// micromark keeps "interrupting" for every container opened
			// on the line: `p\n> 2. x` and `p\n- 1)` hold no list.
			lazyPara = false
			continue
		}
		if it, ok := p.listItemStart(off, col, interrupt); ok {
			if interrupt && (it.blankStart || it.ordered && (it.markerEnd-off != 2 || p.src[off] != '1')) {
				break
			}
			if n := len(container.children); !all && n > 0 {
				last := container.children[n-1]
				if last.open && last.kind == bList && last.ordered == it.ordered && last.marker == it.marker {
					// A sibling item: only the previous item ends.
					if m := len(last.children); m > 0 {
						p.closeBlock(last.children[m-1])
					}
					all = true
				}
			}
			p.closeUnmatched(container, &all)
			container = p.openItem(container, it, off)
			lazyPara = false
			continue
		}
		break
	}

	blank := p.restBlank()
	if lazyPara {
		if !blank && !p.interrupts(container) {
			// Lazy paragraph continuation.
			p.paraLine(p.tip)
			return li + 1
		}
	}
	if !all {
		p.closeUnmatched(container, &all)
	}
	if blank {
		p.blankLine(container)
		return li + 1
	}
	return p.leafLine(container)
}

// closeUnmatched closes the open blocks below container.
func (p *parser) closeUnmatched(container *block, all *bool) {
	if *all {
		return
	}
	if n := len(container.children); n > 0 && container.children[n-1].open {
		p.closeBlock(container.children[n-1])
	}
	p.tip = container
	*all = true
}

func (p *parser) blankLine(container *block) {
	if n := len(container.children); n > 0 {
		last := container.children[n-1]
		if last.open && (last.kind == bPara || last.kind == bESM) {
			p.closeBlock(last)
		}
	}
}

// interrupts reports whether the current (lazy) line starts a construct
// that interrupts a paragraph.
func (p *parser) interrupts(container *block) bool {
	off, _ := p.skipWS()
	switch p.src[off] {
	case '#':
		return p.atxStart(off) > 0
	case '`', '~':
		_, ok := p.fenceStart(off)
		return ok
	case '*', '-', '_':
		return p.isThematicBreak(off)
	case '<', '{':
		li, o, col := p.li, p.off, p.col
		ok := p.tryFlow(container, off, true)
		p.li, p.off, p.col = li, o, col
		return ok
	}
	return false
}

// leafLine handles a non-blank line after containers: leaf starts or
// paragraph text.
func (p *parser) leafLine(container *block) int {
	li := p.li
	p.fenceBase = p.col
	lineStart, lineCol := p.off, p.col
	off, col := p.skipWS()
	tip := p.tip
	inPara := tip.open && tip.kind == bPara && tip.parent == container
	c := p.src[off]
	switch c {
	case '#':
		if n := p.atxStart(off); n > 0 {
			p.atxHeading(container, off, n)
			return li + 1
		}
	case '`', '~':
		if n, ok := p.fenceStart(off); ok {
			p.openFence(container, off, col, n)
			return li + 1
		}
	case '=', '-':
		if inPara {
			if d := p.setextUnderline(off); d > 0 {
				p.setext(tip, d)
				return li + 1
			}
		}
	}
	if (c == '*' || c == '-' || c == '_') && p.isThematicBreak(off) {
		hr := p.addChild(container, p.blocks.new(block{kind: bHR, start: off, end: p.lineEnd()}))
		p.closeBlock(hr)
		return li + 1
	}
	if c == '<' || c == '{' {
		if p.tryFlow(container, off, false) {
			return p.li + 1
		}
		p.li, p.off, p.col = li, lineStart, lineCol
	}
	if (c == 'i' || c == 'e') && off == p.lines[li].start && !inPara && p.esmStart(off) {
		esm := p.addChild(container, p.blocks.new(block{kind: bESM, start: off, end: p.lineEnd()}))
		_ = esm
		return li + 1
	}
	if inPara {
		p.paraLine(tip)
		return li + 1
	}
	para := p.addChild(container, p.blocks.new(block{kind: bPara, start: off}))
	para.segs = append(para.segs, seg{off, p.lineEnd(), p.lines[li].next})
	para.end = p.lineEnd()
	return li + 1
}

// finishParagraph moves definitions at the start of a closed paragraph
// into definition blocks.
func (p *parser) finishParagraph(b *block) {
	if len(b.segs) == 0 || p.src[b.segs[0].start] != '[' {
		return
	}
	defs := p.extractDefinitions(b)
	if defs == nil {
		return
	}
	parent := b.parent
	n := len(parent.children)
	if n == 0 || parent.children[n-1] != b {
		return
	}
	parent.children = parent.children[:n-1]
	for _, d := range defs {
		d.parent = parent
		parent.children = append(parent.children, d)
	}
	if len(b.segs) > 0 {
		parent.children = append(parent.children, b)
	}
}

func (p *parser) finishESM(b *block) {
	code := p.src[b.start:b.end]
	if err := validateESM(code); err != nil {
		p.fail(b.start+err.pos, err.msg)
	}
	if err := esmStatementError(code); err != nil {
		p.fail(b.start+err.pos, err.msg)
	}
}

func (p *parser) paraLine(para *block) {
	para.segs = append(para.segs, seg{p.off, p.lineEnd(), p.lines[p.li].next})
	para.end = p.lineEnd()
	para.lastLine = p.li
}

// --- list items ------------------------------------------------------

type itemStart struct {
	ordered    bool
	marker     byte
	startNum   int
	markerEnd  int // offset after the marker
	size       int // content indentation (columns from line start)
	blankStart bool
	contentOff int
	contentCol int
}

func (p *parser) listItemStart(off, col int, _ bool) (itemStart, bool) {
	var it itemStart
	end := p.lineEnd()
	c := p.src[off]
	i := off
	switch {
	case c == '-' || c == '*' || c == '+':
		if (c == '-' || c == '*') && p.isThematicBreak(off) {
			return it, false
		}
		it.marker = c
		i++
	case c >= '0' && c <= '9':
		n := 0
		for i < end && p.src[i] >= '0' && p.src[i] <= '9' && i-off < 9 {
			n = n*10 + int(p.src[i]-'0')
			i++
		}
		if i >= end || (p.src[i] != '.' && p.src[i] != ')') {
			return it, false
		}
		it.ordered = true
		it.marker = p.src[i]
		it.startNum = n
		i++
	default:
		return it, false
	}
	it.markerEnd = i
	markerCol := col + (i - off)
	base := p.col // item sizes are relative to the enclosing content
	if i >= end {
		it.blankStart = true
		it.size = markerCol + 1 - base
		it.contentOff = i
		it.contentCol = markerCol
		return it, true
	}
	if !isSpaceTab(p.src[i]) {
		return it, false
	}
	// Whitespace after the marker (unlimited: indented code is off).
	j, jc := i, markerCol
	for j < end && isSpaceTab(p.src[j]) {
		if p.src[j] == '\t' {
			jc += 4 - jc%4
		} else {
			jc++
		}
		j++
	}
	if j >= end {
		it.blankStart = true
		it.size = markerCol + 1 - base
		it.contentOff = j
		it.contentCol = jc
		return it, true
	}
	it.size = jc - base
	it.contentOff = j
	it.contentCol = jc
	return it, true
}

func (p *parser) openItem(container *block, it itemStart, off int) *block {
	var list *block
	if n := len(container.children); n > 0 {
		last := container.children[n-1]
		if last.kind == bList && last.open && last.ordered == it.ordered && last.marker == it.marker {
			list = last
		}
	}
	if list == nil {
		list = p.addChild(container, p.blocks.new(block{kind: bList, ordered: it.ordered, marker: it.marker, startNum: it.startNum, start: off}))
	}
	item := p.addChild(list, p.blocks.new(block{kind: bItem, start: off, markerEnd: it.markerEnd, size: it.size, blankStart: it.blankStart}))
	item.end = it.markerEnd
	p.off, p.col = it.contentOff, it.contentCol
	if it.blankStart {
		p.off = p.lineEnd()
	}
	return item
}

// --- leaf constructs --------------------------------------------------

// atxStart returns the heading depth if an ATX heading starts at off.
func (p *parser) atxStart(off int) int {
	end := p.lineEnd()
	n := 0
	for off+n < end && p.src[off+n] == '#' {
		n++
	}
	if n == 0 || n > 6 {
		return 0
	}
	if off+n < end && !isSpaceTab(p.src[off+n]) {
		return 0
	}
	return n
}

func (p *parser) atxHeading(container *block, off, depth int) {
	end := p.lineEnd()
	h := p.addChild(container, p.blocks.new(block{kind: bHeading, start: off, end: end, depth: depth}))
	// Content: trim leading/trailing whitespace and the closing sequence.
	s := off + depth
	for s < end && isSpaceTab(p.src[s]) {
		s++
	}
	e := end
	for e > s && isSpaceTab(p.src[e-1]) {
		e--
	}
	if e > s {
		k := e
		for k > s && p.src[k-1] == '#' {
			k--
		}
		if k == s {
			e = s
		} else if k < e && isSpaceTab(p.src[k-1]) {
			e = k
			for e > s && isSpaceTab(p.src[e-1]) {
				e--
			}
		}
	} else {
		e = s
	}
	// A heading of only `#`s after the opening sequence (`### ###`).
	h.segs = []seg{{s, e, e}}
	p.closeBlock(h)
}

func (p *parser) setextUnderline(off int) int {
	end := p.lineEnd()
	c := p.src[off]
	i := off
	for i < end && p.src[i] == c {
		i++
	}
	for i < end && isSpaceTab(p.src[i]) {
		i++
	}
	if i != end {
		return 0
	}
	if c == '=' {
		return 1
	}
	return 2
}

func (p *parser) setext(para *block, depth int) {
	para.kind = bSetext
	para.depth = depth
	para.end = p.lineEnd()
	para.lastLine = p.li
	p.closeBlock(para)
	if para.kind == bPara && len(para.segs) == 0 {
		// Everything was definitions: the underline is a paragraph
		// (`---` a thematic break) instead; rare, approximated.
		para.kind = bPara
	}
}

func (p *parser) isThematicBreak(off int) bool {
	end := p.lineEnd()
	c := p.src[off]
	n := 0
	for i := off; i < end; i++ {
		switch p.src[i] {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// fenceStart reports whether a code fence opens at off; it returns the
// fence length.
func (p *parser) fenceStart(off int) (int, bool) {
	end := p.lineEnd()
	c := p.src[off]
	n := 0
	for off+n < end && p.src[off+n] == c {
		n++
	}
	if n < 3 {
		return 0, false
	}
	if c == '`' {
		for i := off + n; i < end; i++ {
			if p.src[i] == '`' {
				return 0, false
			}
		}
	}
	return n, true
}

func (p *parser) openFence(container *block, off, col, n int) {
	end := p.lineEnd()
	b := p.addChild(container, p.blocks.new(block{kind: bCode, start: off, end: end, fence: p.src[off], fenceLen: n}))
	b.fenceIndent = col - p.colAtLineStartOfContainer()
	s := off + n
	for s < end && isSpaceTab(p.src[s]) {
		s++
	}
	e := end
	for e > s && isSpaceTab(p.src[e-1]) {
		e--
	}
	b.infoStart, b.infoEnd = s, e
}

// colAtLineStartOfContainer is the column where the current line's
// content starts after the container prefixes (used for fence indents).
func (p *parser) colAtLineStartOfContainer() int { return p.fenceBase }

func (p *parser) codeLine(b *block) {
	off, col := p.skipWS()
	end := p.lineEnd()
	// Closing fence?
	if off < end && p.src[off] == b.fence {
		n := 0
		for off+n < end && p.src[off+n] == b.fence {
			n++
		}
		if n >= b.fenceLen {
			i := off + n
			for i < end && isSpaceTab(p.src[i]) {
				i++
			}
			if i == end {
				b.closed = true
				b.end = end
				b.lastLine = p.li
				p.closeBlock(b)
				return
			}
		}
	}
	_ = col
	p.advanceCols(b.fenceIndent)
	b.codeLines = append(b.codeLines, seg{p.off, end, p.lines[p.li].next})
	b.end = end
	b.lastLine = p.li
}

// --- ESM ---------------------------------------------------------------

func (p *parser) esmStart(off int) bool {
	s := p.src[off:p.lineEnd()]
	return len(s) > 7 && (s[:7] == "import " || s[:7] == "export ")
}

// esmContinues reports whether an ESM block goes on past the blank line at
// the current line (its code so far is incomplete).
func (p *parser) esmContinues(b *block) bool {
	return esmIncomplete(p.src[b.start:b.end])
}
