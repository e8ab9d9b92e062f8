package mdx

// Flow JSX tags and flow expressions: micromark-extension-mdx-jsx's
// jsx-flow and micromark-extension-mdx-expression's flow construct. A run
// of tags and expressions that starts a line and is followed only by
// whitespace up to the end of its (last) line is flow; anything else is
// re-parsed as paragraph content.

type flowItem struct {
	tag        *jsxTag // nil for an expression
	value      string
	start, end int
}

// flowMore extends a flow text by the next line when the open containers
// continue on it; otherwise it notes a lazy line (t.lazyAt).
func (p *parser) flowMore(t *vtext) bool {
	nl := t.lastLine + 1
	if nl >= len(p.lines) {
		return false
	}
	saveLi, saveOff, saveCol := p.li, p.off, p.col
	defer func() { p.li, p.off, p.col = saveLi, saveOff, saveCol }()
	p.setLine(nl)
	_, all := p.matchContainers(true)
	if all {
		t.add(p.off, p.lines[nl].next)
		t.lastLine = nl
		return true
	}
	if !p.restBlank() {
		off, col := p.skipWS()
		if p.src[off] == '>' {
			return false
		}
		if _, ok := p.listItemStart(off, col, false); ok {
			return false
		}
	}
	t.lazyAt = p.off
	return false
}

// tryFlow attempts the flow construct at offset off of the current line.
// On success (and not probing) it adds a bFlow block to container and
// leaves p.li on the last line consumed.
func (p *parser) tryFlow(container *block, off int, probe bool) bool {
	li0 := p.li
	t := p.vtexts.new(vtext{p: p, lazyAt: -1, flow: true, lastLine: li0})
	t.add(off, p.lines[li0].next)
	// items are carved from p.flowItems when they fit (see below).
	if cap(p.flowItems)-len(p.flowItems) < 8 {
		p.flowItems = make([]flowItem, 0, 64)
	}
	free := p.flowItems[len(p.flowItems):]
	items := free
	i := 0
	for {
		c := t.at(i)
		if c == '<' {
			tag, next, ok := p.scanTag(t, i, false, true)
			if !ok {
				return false
			}
			items = append(items, flowItem{tag: tag, start: tag.start, end: tag.end})
			i = next
		} else {
			start := t.src(i)
			value, next := p.scanExpr(t, i, exprFlow, false)
			items = append(items, flowItem{value: value, start: start, end: t.srcEnd(next)})
			i = next
		}
		for {
			c = t.at(i)
			if c != ' ' && c != '\t' {
				break
			}
			i++
		}
		if c < 0 || isEOL(c) {
			break
		}
		// A tag may be followed by a tag or an expression; an expression
		// only by a tag.
		if c != '<' && (c != '{' || items[len(items)-1].tag == nil) {
			return false
		}
	}
	if probe {
		return true
	}
	endLine := t.lastLine
	if c := t.at(i); c >= 0 {
		endLine = p.lineOf(t.src(i))
	}
	if len(items) <= cap(free) {
		// Still in p.flowItems' free space: take it.
		p.flowItems = p.flowItems[:len(p.flowItems)+len(items)]
		items = items[:len(items):len(items)]
	}
	b := p.addChild(container, p.blocks.new(block{kind: bFlow, start: items[0].start, end: items[len(items)-1].end, items: items}))
	// Consume the continuation lines for real (container state).
	for l := li0 + 1; l <= endLine; l++ {
		p.setLine(l)
		p.matchContainers(false)
	}
	p.li = endLine
	b.lastLine = endLine
	p.closeBlock(b)
	return true
}
