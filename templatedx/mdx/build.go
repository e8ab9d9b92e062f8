package mdx

import (
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Tree building: the equivalent of mdast-util-from-markdown's compiler
// with mdast-util-mdx-jsx's tag handling. Blocks and inline nodes are
// entered and exited on one stack; JSX tags open and close elements on
// that same stack, so a closing tag must meet its element on top, and a
// container (paragraph, list item, emphasis, ...) cannot end while an
// element opened inside it is still open.

type frame struct {
	node       *mdast.Node
	tok        string // micromark token type (used in messages)
	start, end int
	tag        *jsxTag // element frames
}

type builder struct {
	p     *parser
	stack []frame
	tags  []*jsxTag
}

func (b *builder) top() *frame { return &b.stack[len(b.stack)-1] }

func (b *builder) enter(n *mdast.Node, tok string, start, end int, tag *jsxTag) {
	parent := b.top().node
	parent.Children = append(parent.Children, n)
	b.stack = append(b.stack, frame{node: n, tok: tok, start: start, end: end, tag: tag})
}

// exit closes the top frame, which must be the one for tok.
func (b *builder) exit(tok string, start, end int) {
	f := b.top()
	if f.tag != nil && tok != f.tok {
		b.unclosed(tok, start, end, f)
	}
	b.stack = b.stack[:len(b.stack)-1]
}

// unclosed reports an element still open at the end of a container (or of
// the document when tok is "").
func (b *builder) unclosed(tok string, start, end int, f *frame) {
	tail := b.tags[len(b.tags)-1]
	msg := "Expected a closing tag for `" + tail.abbrev() + "` (" + b.p.span(f.start, f.end) + ")"
	if tok == "" {
		b.p.fail(f.start, msg)
	}
	b.p.fail(start, msg+" before the end of `"+tok+"`")
}

func (b *builder) leaf(n *mdast.Node) {
	parent := b.top().node
	parent.Children = append(parent.Children, n)
}

func (p *parser) build() *mdast.Node {
	root := p.node(mdast.Node{Type: mdast.Root, Children: []*mdast.Node{}, Position: p.pos(0, len(p.src))})
	b := &builder{p: p, stack: []frame{{node: root, tok: "root"}}}
	b.blocks(p.doc.children)
	if len(b.stack) > 1 {
		f := b.top()
		b.unclosed("", 0, 0, f)
	}
	return root
}

func (b *builder) blocks(list []*block) {
	p := b.p
	for _, bl := range list {
		switch bl.kind {
		case bYAML:
			b.leaf(p.node(mdast.Node{Type: mdast.YAML, Value: bl.value, Position: p.pos(bl.start, bl.end)}))
		case bPara:
			n := p.node(mdast.Node{Type: mdast.Paragraph, Children: []*mdast.Node{}, Position: p.pos(bl.start, bl.end)})
			b.enter(n, "paragraph", bl.start, bl.end, nil)
			b.inlines(bl.inl)
			b.exit("paragraph", bl.start, bl.end)
		case bHeading, bSetext:
			tok := "atxHeading"
			if bl.kind == bSetext {
				tok = "setextHeading"
			}
			n := p.node(mdast.Node{Type: mdast.Heading, Depth: bl.depth, Children: []*mdast.Node{}, Position: p.pos(bl.start, bl.end)})
			b.enter(n, tok, bl.start, bl.end, nil)
			b.inlines(bl.inl)
			b.exit(tok, bl.start, bl.end)
		case bHR:
			b.leaf(p.node(mdast.Node{Type: mdast.ThematicBreak, Position: p.pos(bl.start, bl.end)}))
		case bCode:
			b.leaf(p.codeNode(bl))
		case bDefinition:
			label := decodeString(bl.defLabel)
			b.leaf(&mdast.Node{Type: mdast.Definition, Identifier: bl.defID, Label: &label, Title: bl.defTitle,
				URL: bl.value, Position: p.pos(bl.start, bl.end)})
		case bESM:
			b.leaf(p.node(mdast.Node{Type: mdast.MdxjsEsm, Value: p.src[bl.start:bl.end], Position: p.pos(bl.start, bl.end)}))
		case bQuote:
			n := p.node(mdast.Node{Type: mdast.Blockquote, Children: []*mdast.Node{}, Position: p.pos(bl.start, bl.end)})
			b.enter(n, "blockQuote", bl.start, bl.end, nil)
			b.blocks(bl.children)
			b.exit("blockQuote", bl.start, bl.end)
		case bList:
			b.list(bl)
		case bFlow:
			for _, it := range bl.items {
				if it.tag == nil {
					b.leaf(p.node(mdast.Node{Type: mdast.MdxFlowExpression, Value: it.value, Position: p.pos(it.start, it.end)}))
					continue
				}
				b.tag(it.tag, true)
			}
		}
	}
}

func (b *builder) list(bl *block) {
	p := b.p
	tok := "listUnordered"
	n := p.node(mdast.Node{Type: mdast.List, Ordered: bl.ordered, Children: []*mdast.Node{}, Position: p.pos(bl.start, bl.end)})
	if bl.ordered {
		tok = "listOrdered"
		s := bl.startNum
		n.Start = &s
	}
	// Spread: blank lines between items.
	for i := 0; i+1 < len(bl.children); i++ {
		if bl.children[i+1].firstLine > bl.children[i].lastLine+1 {
			n.Spread = true
		}
	}
	b.enter(n, tok, bl.start, bl.end, nil)
	for _, it := range bl.children {
		item := p.node(mdast.Node{Type: mdast.ListItem, Children: []*mdast.Node{}, Position: p.pos(it.start, it.end)})
		for i := 0; i+1 < len(it.children); i++ {
			if it.children[i+1].firstLine > it.children[i].lastLine+1 {
				item.Spread = true
			}
		}
		b.enter(item, "listItem", it.start, it.end, nil)
		b.blocks(it.children)
		b.exit("listItem", it.start, it.end)
	}
	b.exit(tok, bl.start, bl.end)
}

func (p *parser) codeNode(bl *block) *mdast.Node {
	n := p.node(mdast.Node{Type: mdast.Code, Position: p.pos(bl.start, bl.end)})
	if bl.infoEnd > bl.infoStart {
		info := p.src[bl.infoStart:bl.infoEnd]
		lang, meta := info, ""
		if i := strings.IndexAny(info, " \t"); i >= 0 {
			lang = info[:i]
			meta = strings.TrimLeft(info[i:], " \t")
		}
		l := decodeString(lang)
		n.Lang = &l
		if meta != "" {
			m := decodeString(meta)
			n.Meta = &m
		}
	}
	var sb strings.Builder
	for i, l := range bl.codeLines {
		if i == len(bl.codeLines)-1 {
			sb.WriteString(p.src[l.start:l.end])
		} else {
			sb.WriteString(p.src[l.start:l.eolEnd])
		}
	}
	n.Value = sb.String()
	return n
}

// tag handles one JSX tag like mdast-util-mdx-jsx's exitMdxJsxTag.
func (b *builder) tag(t *jsxTag, flow bool) {
	p := b.p
	if t.close {
		if len(b.tags) == 0 {
			p.fail(t.closeOff, "Unexpected closing slash `/` in tag, expected an open tag first")
		}
		if len(t.attrs) > 0 {
			p.fail(t.attrOffs[0], "Unexpected attribute in closing tag, expected the end of the tag")
		}
		if t.selfClosing {
			p.fail(t.selfOff, "Unexpected self-closing slash `/` in closing tag, expected the end of the tag")
		}
		tail := b.tags[len(b.tags)-1]
		if tail.name != t.name {
			p.fail(t.start, "Unexpected closing tag `"+t.abbrev()+"`, expected corresponding closing tag for `"+tail.abbrev()+"` ("+p.span(tail.start, tail.end)+")")
		}
		b.tags = b.tags[:len(b.tags)-1]
	}
	tok := "mdxJsxTextTag"
	typ := mdast.MdxJsxTextElement
	if flow {
		tok = "mdxJsxFlowTag"
		typ = mdast.MdxJsxFlowElement
	}
	if !t.close {
		n := p.node(mdast.Node{Type: typ, Attributes: t.attrs, Children: []*mdast.Node{}, Position: p.pos(t.start, t.end)})
		if n.Attributes == nil {
			n.Attributes = []*mdast.Attribute{}
		}
		if t.hasName {
			name := t.name
			n.Name = &name
		}
		b.enter(n, tok, t.start, t.end, t)
	}
	if t.selfClosing || t.close {
		f := b.top()
		if f.tag == nil || f.tok != tok {
			p.fail(t.start, "Expected the closing tag `"+t.abbrev()+"` either after the end of `"+f.tok+"` ("+p.place(f.end)+") or another opening tag after the start of `"+f.tok+"` ("+p.place(f.start)+")")
		}
		f.node.Position.End = p.point(t.end)
		b.stack = b.stack[:len(b.stack)-1]
	} else {
		b.tags = append(b.tags, t)
	}
}

// inlines converts inline nodes, merging adjacent text.
func (b *builder) inlines(parent *inode) {
	if parent == nil {
		return
	}
	p := b.p
	var text *mdast.Node
	// Adjacent text pieces are merged; a lone piece is used as it is.
	var sb strings.Builder
	var first string
	pieces := 0
	flush := func() {
		if text != nil {
			if pieces == 1 {
				text.Value = first
			} else {
				text.Value = sb.String()
			}
			text = nil
			sb.Reset()
			pieces = 0
		}
	}
	for n := parent.first; n != nil; n = n.next {
		if n.kind == iText {
			if n.value == "" && n.start == n.end {
				continue
			}
			if text == nil {
				text = p.node(mdast.Node{Type: mdast.Text, Position: p.pos(n.start, n.end)})
				b.leaf(text)
			} else {
				text.Position.End = p.point(n.end)
			}
			switch pieces {
			case 0:
				first = n.value
			case 1:
				sb.WriteString(first)
				sb.WriteString(n.value)
			default:
				sb.WriteString(n.value)
			}
			pieces++
			continue
		}
		flush()
		switch n.kind {
		case iCode:
			b.leaf(p.node(mdast.Node{Type: mdast.InlineCode, Value: n.value, Position: p.pos(n.start, n.end)}))
		case iBreak:
			b.leaf(p.node(mdast.Node{Type: mdast.Break, Position: p.pos(n.start, n.end)}))
		case iExpr:
			b.leaf(p.node(mdast.Node{Type: mdast.MdxTextExpression, Value: n.value, Position: p.pos(n.start, n.end)}))
		case iTag:
			b.tag(n.tag, false)
		case iEmph, iStrong:
			typ, tok := mdast.Emphasis, "emphasis"
			if n.kind == iStrong {
				typ, tok = mdast.Strong, "strong"
			}
			node := p.node(mdast.Node{Type: typ, Children: []*mdast.Node{}, Position: p.pos(n.start, n.end)})
			b.enter(node, tok, n.start, n.end, nil)
			b.inlines(n)
			b.exit(tok, n.start, n.end)
		case iLink, iLinkRef:
			node := p.node(mdast.Node{Type: mdast.Link, URL: n.url, Title: n.title, Children: []*mdast.Node{}, Position: p.pos(n.start, n.end)})
			if n.kind == iLinkRef {
				label := decodeString(n.label)
				node.Type, node.Label, node.Identifier, node.ReferenceType = mdast.LinkReference, &label, n.identifier, n.refType
			}
			b.enter(node, "link", n.start, n.end, nil)
			b.inlines(n)
			b.exit("link", n.start, n.end)
		case iImage, iImageRef:
			node := p.node(mdast.Node{Type: mdast.Image, URL: n.url, Title: n.title, Position: p.pos(n.start, n.end)})
			if n.kind == iImageRef {
				label := decodeString(n.label)
				node.Type, node.Label, node.Identifier, node.ReferenceType = mdast.ImageReference, &label, n.identifier, n.refType
			}
			// The alt text is the plain text of the label; elements inside
			// it must still balance.
			tmp := p.node(mdast.Node{Type: "fragment"})
			b.stack = append(b.stack, frame{node: tmp, tok: "image", start: n.start, end: n.end})
			b.inlines(n)
			b.exit("image", n.start, n.end)
			alt := toString(tmp.Children)
			node.Alt = &alt
			b.leaf(node)
		}
	}
	flush()
}

func toString(list []*mdast.Node) string {
	var sb strings.Builder
	var walk func([]*mdast.Node)
	walk = func(list []*mdast.Node) {
		for _, n := range list {
			switch n.Type {
			case mdast.Text, mdast.InlineCode, mdast.MdxTextExpression:
				sb.WriteString(n.Value)
			case mdast.Image, mdast.ImageReference:
				if n.Alt != nil {
					sb.WriteString(*n.Alt)
				}
			default:
				walk(n.Children)
			}
		}
	}
	walk(list)
	return sb.String()
}
