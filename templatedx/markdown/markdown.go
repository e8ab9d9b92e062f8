// Package markdown serializes mdast trees back to Markdown/MDX text the way
// TemplateDX's JavaScript reference does: mdast-util-to-markdown 2.1.2 with
// the mdast-util-mdx extensions (mdx-jsx 3.2.0, mdx-expression 2.0.1,
// mdxjs-esm) and, for Stringify, mdast-util-frontmatter (yaml).
//
// The behaviour — container joining, list bullets, escaping through the
// "unsafe" pattern table with before/after context and the construct stack,
// JSX indentation — is reimplemented here to be byte-for-byte compatible
// with that reference (see testdata/golden, produced by testdata/gen).
//
// Options are fixed to the defaults TemplateDX uses: bullet `*` (alternating
// to `-`), ordered delimiter `.` (alternating to `)`), incrementListMarker,
// listItemIndent "one", emphasis `*`, strong `**`, fenced code with
// backticks, rule `***`, ATX headings (setext only for multi-line headings of
// depth 1-2), `"` titles, resource links.
package markdown

import (
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// ToMarkdown returns what
// `toMarkdown(root, {extensions: [mdxToMarkdown()]})` returns for root.
// The result ends with a line ending unless it is empty.
//
// Node types the reference cannot handle in this configuration (yaml,
// unknown types) are serialized on a best-effort basis instead of failing:
// yaml as a `---` fenced block, unknown parents through their children,
// unknown literals through their value.
func ToMarkdown(root *mdast.Node) string {
	return run(root, mdxPatterns)
}

// Stringify returns what templatedx's `stringify(tree)` returns: unified
// with remark-mdx, remark-frontmatter (yaml) and remark-stringify, default
// options. The result ends with a line ending unless it is empty.
func Stringify(root *mdast.Node) string {
	return run(root, frontmatterPatterns)
}

func run(root *mdast.Node, patterns *patternSet) string {
	if root == nil {
		return ""
	}
	s := &state{patterns: patterns}
	if root.Type == mdast.Root && !hasPhrasingChild(root) {
		// The usual case, done like the general one below but without
		// copying the whole output again to add the final line ending.
		s.containerFlowParts(root)
		if !s.orphans {
			if last := s.lastByte(0); last != 0 && last != '\n' && last != '\r' {
				s.push("\n")
			}
			return s.join(0)
		}
		return finish(fixOrphans(s.join(0)))
	}
	out := s.handle(root, nil, info{before: "\n", after: "\n"})
	if s.orphans {
		out = fixOrphans(out)
	}
	return finish(out)
}

// finish ends non-empty output with a line ending.
func finish(out string) string {
	if out != "" {
		if c := out[len(out)-1]; c != '\n' && c != '\r' {
			out += "\n"
		}
	}
	return out
}

// info is the output context a handler is called in: the characters just
// before and after the node's serialization.
type info struct {
	before, after string
}

// construct names a Markdown construct on the state's stack; patterns of
// the unsafe table apply depending on which constructs are open.
type construct uint8

const (
	cPhrasing construct = iota
	cParagraph
	cHeadingAtx
	cHeadingSetext
	cCodeFenced
	cCodeFencedLangGraveAccent
	cCodeFencedLangTilde
	cCodeFencedMetaGraveAccent
	cCodeFencedMetaTilde
	cDestinationLiteral
	cDestinationRaw
	cTitleQuote
	cTitleApostrophe
	cAutolink
	cReference
	cLabel
	cDefinition
	cLink
	cImage
	cLinkReference
	cImageReference
	cEmphasis
	cStrong
	cList
	cListItem
	cBlockquote
	cJsxFlow
	cJsxText
	numConstructs
)

// attention records, after an emphasis/strong handler, whether the
// characters just outside it must be encoded.
type attention struct {
	set, before, after bool
}

type state struct {
	patterns   *patternSet
	stack      []construct
	counts     [numConstructs]int32
	present    uint32 // bit c set when construct c is on the stack
	indexStack []int

	bulletCurrent  string
	bulletLastUsed string
	attn           attention

	// parts is a stack of output pieces: a handler pushes the pieces of
	// its result above the mark it started at and joins them (join) into
	// one string, sized exactly, instead of growing a builder.
	parts []string
	// scratch buffer for safe().
	flags []uint8
	// tables are recently used escape tables, by construct set.
	tables [4]tablesEntry
	// orphans is set once an orphaned surrogate was written (units.go).
	orphans bool
}

func (s *state) enter(c construct) {
	s.stack = append(s.stack, c)
	s.counts[c]++
	s.present |= 1 << c
}

func (s *state) exit() {
	c := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.counts[c]--
	if s.counts[c] == 0 {
		s.present &^= 1 << c
	}
}

// stackSnapshot is a saved construct stack (references hide the fact that
// they are in phrasing by serializing with an empty stack).
type stackSnapshot struct {
	stack   []construct
	counts  [numConstructs]int32
	present uint32
}

func (s *state) clearStack() stackSnapshot {
	snap := stackSnapshot{stack: s.stack, counts: s.counts, present: s.present}
	s.stack = nil
	s.counts = [numConstructs]int32{}
	s.present = 0
	return snap
}

func (s *state) restoreStack(snap stackSnapshot) {
	s.stack, s.counts, s.present = snap.stack, snap.counts, snap.present
}

// stackTop returns the construct n places from the top (0 = top), or
// numConstructs when the stack is not that deep.
func (s *state) stackTop(n int) construct {
	if i := len(s.stack) - 1 - n; i >= 0 {
		return s.stack[i]
	}
	return numConstructs
}

func (s *state) indexTop(n int) int {
	if i := len(s.indexStack) - 1 - n; i >= 0 {
		return s.indexStack[i]
	}
	return -2
}

// handle serializes one node.
func (s *state) handle(n, parent *mdast.Node, in info) string {
	switch n.Type {
	case mdast.Root:
		return s.root(n, in)
	case mdast.Paragraph:
		return s.paragraph(n, in)
	case mdast.Text:
		return s.safe(n.Value, in.before, in.after, "")
	case mdast.Heading:
		return s.heading(n, in)
	case mdast.Emphasis:
		return s.emphasis(n, in, "*", cEmphasis)
	case mdast.Strong:
		return s.emphasis(n, in, "**", cStrong)
	case mdast.InlineCode:
		return s.inlineCode(n)
	case mdast.Code:
		return s.code(n)
	case mdast.Blockquote:
		return s.blockquote(n)
	case mdast.List:
		return s.list(n, parent)
	case mdast.ListItem:
		return s.listItem(n, parent)
	case mdast.ThematicBreak:
		return "***"
	case mdast.Break:
		return s.hardBreak(in)
	case mdast.Link:
		return s.link(n)
	case mdast.Image:
		return s.image(n)
	case mdast.LinkReference:
		return s.linkReference(n)
	case mdast.ImageReference:
		return s.imageReference(n)
	case mdast.Definition:
		return s.definition(n)
	case mdast.HTML, mdast.MdxjsEsm:
		return n.Value
	case mdast.MdxJsxFlowElement, mdast.MdxJsxTextElement:
		return s.jsxElement(n)
	case mdast.MdxFlowExpression, mdast.MdxTextExpression:
		return expression(n)
	case mdast.YAML:
		if n.Value == "" {
			return "---\n---"
		}
		return "---\n" + n.Value + "\n---"
	}
	// Unknown node type (the reference throws): best effort.
	if len(n.Children) > 0 {
		if hasPhrasingChild(n) {
			return s.containerPhrasing(n, in)
		}
		return s.containerFlow(n)
	}
	return n.Value
}

// peek returns the first character the serialization of n would start
// with. Like the reference, node types without a dedicated peek are fully
// serialized (with side effects on list bullet state).
func (s *state) peek(n, parent *mdast.Node) string {
	switch n.Type {
	case mdast.Emphasis, mdast.Strong:
		return "*"
	case mdast.HTML, mdast.MdxJsxFlowElement, mdast.MdxJsxTextElement:
		return "<"
	case mdast.Image, mdast.ImageReference:
		return "!"
	case mdast.InlineCode:
		return "`"
	case mdast.Link, mdast.LinkReference:
		return "["
	case mdast.Text:
		return firstChar(s.safe(n.Value, "", "", ""))
	}
	if !knownType(n.Type) {
		return ""
	}
	return firstChar(s.handle(n, parent, info{}))
}

func knownType(t string) bool {
	switch t {
	case mdast.Root, mdast.Paragraph, mdast.Heading, mdast.Code, mdast.Blockquote, mdast.List,
		mdast.ListItem, mdast.ThematicBreak, mdast.Break, mdast.Definition, mdast.MdxjsEsm,
		mdast.MdxFlowExpression, mdast.MdxTextExpression, mdast.YAML:
		return true
	}
	return false
}

// isPhrasing is mdast-util-phrasing's test (html excluded).
func isPhrasing(t string) bool {
	switch t {
	case mdast.Break, "delete", mdast.Emphasis, "footnote", "footnoteReference", mdast.Image,
		mdast.ImageReference, mdast.InlineCode, "inlineMath", mdast.Link, mdast.LinkReference,
		mdast.MdxJsxTextElement, mdast.MdxTextExpression, mdast.Strong, mdast.Text, "textDirective":
		return true
	}
	return false
}

func hasPhrasingChild(n *mdast.Node) bool {
	for _, c := range n.Children {
		if isPhrasing(c.Type) {
			return true
		}
	}
	return false
}

func (s *state) root(n *mdast.Node, in info) string {
	if hasPhrasingChild(n) {
		return s.containerPhrasing(n, in)
	}
	return s.containerFlow(n)
}

// firstChar returns the first character of v.
func firstChar(v string) string {
	if v == "" {
		return ""
	}
	if v[0] < 0x80 {
		return v[:1]
	}
	_, n := decodeFirst(v)
	return v[:n]
}

// lastChar returns the last character of v.
func lastChar(v string) string {
	if v == "" {
		return ""
	}
	if v[len(v)-1] < 0x80 {
		return v[len(v)-1:]
	}
	_, n := decodeLast(v)
	return v[len(v)-n:]
}

// push adds a piece of output (see state.parts).
func (s *state) push(v string) {
	if v != "" {
		s.parts = append(s.parts, v)
	}
}

// join pops the pieces above mark and returns them concatenated.
func (s *state) join(mark int) string {
	ps := s.parts[mark:]
	var out string
	switch len(ps) {
	case 0:
	case 1:
		out = ps[0]
	default:
		n := 0
		for _, p := range ps {
			n += len(p)
		}
		var b strings.Builder
		b.Grow(n)
		for _, p := range ps {
			b.WriteString(p)
		}
		out = b.String()
	}
	clear(ps)
	s.parts = s.parts[:mark]
	return out
}

// lastByte returns the last byte of the pieces above mark, 0 if none.
func (s *state) lastByte(mark int) byte {
	for i := len(s.parts) - 1; i >= mark; i-- {
		if p := s.parts[i]; p != "" {
			return p[len(p)-1]
		}
	}
	return 0
}

// pushIndented pushes value line by line (split on \r\n, \r, \n, line
// endings kept) with a prefix before each line: first before the first
// line (firstBlank when that line is empty), rest before the other
// non-empty lines. It pushes what indentLines builds.
func (s *state) pushIndented(value, first, firstBlank, rest string) {
	start, line := 0, 0
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c != '\n' && c != '\r' {
			continue
		}
		s.pushLine(value[start:i], line, first, firstBlank, rest)
		if c == '\r' && i+1 < len(value) && value[i+1] == '\n' {
			s.push(value[i : i+2])
			i++
		} else {
			s.push(value[i : i+1])
		}
		start = i + 1
		line++
	}
	s.pushLine(value[start:], line, first, firstBlank, rest)
}

func (s *state) pushLine(line string, index int, first, firstBlank, rest string) {
	switch {
	case index == 0 && line == "":
		s.push(firstBlank)
	case index == 0:
		s.push(first)
	case line != "":
		s.push(rest)
	}
	s.push(line)
}

// spaces returns n spaces.
func spaces(n int) string {
	const sp = "                                                                "
	if n <= len(sp) {
		return sp[:n]
	}
	return strings.Repeat(" ", n)
}

// indentLines calls fn for each line of value (split on \r\n, \r, \n),
// keeping the line endings.
func indentLines(value string, fn func(b *strings.Builder, line string, index int, blank bool)) string {
	var b strings.Builder
	b.Grow(len(value) + 16)
	start, line := 0, 0
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c != '\n' && c != '\r' {
			continue
		}
		seg := value[start:i]
		fn(&b, seg, line, seg == "")
		if c == '\r' && i+1 < len(value) && value[i+1] == '\n' {
			b.WriteString("\r\n")
			i++
		} else {
			b.WriteByte(c)
		}
		start = i + 1
		line++
	}
	seg := value[start:]
	fn(&b, seg, line, seg == "")
	return b.String()
}
