// Package mdx parses MDX documents (TemplateDX prompts) into mdast trees
// equal to what unified + remark-parse 11 + remark-mdx 3 +
// remark-frontmatter (yaml) produce: CommonMark without indented code,
// HTML and autolinks; no GFM; plus JSX elements, {expressions}, ESM and
// YAML frontmatter.
//
// Positions are set on every node. Lines and columns are 1-based, columns
// count UTF-16 code units like upstream; offsets are 0-based byte offsets
// into the source (upstream counts UTF-16 code units). A leading BOM is
// dropped before parsing, so offsets are relative to the text after it
// (like upstream). Expression and ESM nodes carry no data.estree.
//
// See README.md for the known differences from upstream.
package mdx

import (
	"fmt"
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Parse parses an MDX document into an mdast root. Errors are *Error.
func Parse(src string) (root *mdast.Node, err error) {
	src = strings.TrimPrefix(src, "\uFEFF")
	p := getParser(src)
	defer putParser(p)
	defer func() {
		if r := recover(); r != nil {
			root = nil
			if pe, ok := r.(parseError); ok {
				err = pe.err
				return
			}
			// Internal failure: still a located error, never a panic.
			err = &Error{Message: fmt.Sprintf("internal MDX parser error: %v", r), Line: 1, Column: 1}
		}
	}()
	p.parseBlocks()
	p.parseAllInlines(p.doc)
	return p.build(), nil
}

// parseAllInlines parses the phrasing content of every paragraph and
// heading, in document order (micromark tokenizes all text before the
// tree is built, so syntax errors win over nesting errors).
func (p *parser) parseAllInlines(b *block) {
	for _, c := range b.children {
		switch c.kind {
		case bPara, bHeading, bSetext:
			segs := c.segs
			if len(segs) == 0 || (len(segs) == 1 && segs[0].end <= segs[0].start) {
				continue
			}
			c.inl = p.parseInlines(p.textFromSegs(segs))
		case bQuote, bList, bItem:
			p.parseAllInlines(c)
		}
	}
}
