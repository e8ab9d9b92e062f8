package markdown

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

func (s *state) paragraph(n *mdast.Node, in info) string {
	s.enter(cParagraph)
	s.enter(cPhrasing)
	v := s.containerPhrasing(n, in)
	s.exit()
	s.exit()
	return v
}

func (s *state) heading(n *mdast.Node, in info) string {
	rank := n.Depth
	if rank < 1 {
		rank = 1
	}
	if rank > 6 {
		rank = 6
	}
	if formatHeadingAsSetext(n) {
		s.enter(cHeadingSetext)
		s.enter(cPhrasing)
		v := s.containerPhrasing(n, info{before: "\n", after: "\n"})
		s.exit()
		s.exit()
		last := strings.LastIndexAny(v, "\r\n") + 1
		width := utf16Len(v[last:])
		marker := "-"
		if rank == 1 {
			marker = "="
		}
		return v + "\n" + strings.Repeat(marker, width)
	}
	seq := strings.Repeat("#", rank)
	s.enter(cHeadingAtx)
	s.enter(cPhrasing)
	v := s.containerPhrasing(n, info{before: "# ", after: "\n"})
	if v != "" && (v[0] == ' ' || v[0] == '\t') {
		v = charRef(rune(v[0])) + v[1:]
	}
	if v == "" {
		v = seq
	} else {
		v = seq + " " + v
	}
	s.exit()
	s.exit()
	return v
}

func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := decodeFirst(s[i:])
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// formatHeadingAsSetext: depth 1-2 headings with content that contains a
// line ending or a hard break are written as setext headings.
func formatHeadingAsSetext(n *mdast.Node) bool {
	return n.Depth < 3 && hasLiteralBreak(n) && toStringNonEmpty(n)
}

func hasValue(t string) bool {
	switch t {
	case mdast.Text, mdast.InlineCode, mdast.Code, mdast.YAML, mdast.HTML,
		mdast.MdxFlowExpression, mdast.MdxTextExpression, mdast.MdxjsEsm:
		return true
	}
	return false
}

func hasLiteralBreak(n *mdast.Node) bool {
	if n.Type == mdast.Break {
		return true
	}
	if hasValue(n.Type) && strings.ContainsAny(n.Value, "\r\n") {
		return true
	}
	for _, c := range n.Children {
		if hasLiteralBreak(c) {
			return true
		}
	}
	return false
}

// toStringNonEmpty reports whether mdast-util-to-string of n is non-empty.
func toStringNonEmpty(n *mdast.Node) bool {
	if hasValue(n.Type) {
		return n.Value != ""
	}
	if n.Alt != nil && *n.Alt != "" && (n.Type == mdast.Image || n.Type == mdast.ImageReference) {
		return true
	}
	for _, c := range n.Children {
		if toStringNonEmpty(c) {
			return true
		}
	}
	return false
}

// Character kinds of micromark's classifyCharacter.
const (
	kindLetter = iota
	kindSpace
	kindPunct
)

// classify classifies the first UTF-16 code unit of s like the reference:
// whitespace, punctuation (\p{P} or \p{S}), else "letter" (also for empty
// strings and astral characters, which JavaScript sees as surrogates).
func classify(r rune, ok bool) int {
	if !ok || r > 0xFFFF {
		return kindLetter
	}
	if isJSWhitespace(r) {
		return kindSpace
	}
	if unicode.IsPunct(r) || unicode.IsSymbol(r) {
		return kindPunct
	}
	return kindLetter
}

// encodeInfo decides whether the characters inside and outside an
// attention marker must be encoded for the marker to work.
func encodeInfo(outside, inside int, marker byte) (in, out bool) {
	switch outside {
	case kindLetter:
		switch inside {
		case kindLetter:
			if marker == '_' {
				return true, true
			}
			return false, false
		case kindSpace:
			return true, true
		default:
			return false, true
		}
	case kindSpace:
		if inside == kindSpace {
			return true, true
		}
		return false, false
	default:
		if inside == kindSpace {
			return true, false
		}
		return false, false
	}
}

func (s *state) emphasis(n *mdast.Node, in info, marker string, c construct) string {
	s.enter(c)
	between := s.containerPhrasing(n, info{before: marker, after: marker[:1]})
	hr, hok := firstRuneOK(between)
	br, bok := lastRuneOK(in.before)
	openIn, openOut := encodeInfo(classify(br, bok), classify(hr, hok), '*')
	if openIn {
		between = s.encodeFirstUnit(between)
	}
	tr, tok := lastRuneOK(between)
	ar, aok := firstRuneOK(in.after)
	closeIn, closeOut := encodeInfo(classify(ar, aok), classify(tr, tok), '*')
	if closeIn {
		between = s.encodeLastUnit(between)
	}
	s.exit()
	s.attn = attention{set: true, before: openOut, after: closeOut}
	return marker + between + marker
}

func (s *state) inlineCode(n *mdast.Node) string {
	value := n.Value
	// Smallest fence length that does not occur as a run in value.
	size := 1
	if strings.IndexByte(value, '`') >= 0 {
		var runs [64]bool
		var more map[int]bool
		for i := 0; i < len(value); {
			if value[i] != '`' {
				i++
				continue
			}
			j := i
			for j < len(value) && value[j] == '`' {
				j++
			}
			if l := j - i; l < len(runs) {
				runs[l] = true
			} else {
				if more == nil {
					more = map[int]bool{}
				}
				more[l] = true
			}
			i = j
		}
		for (size < len(runs) && runs[size]) || more[size] {
			size++
		}
	}
	if strings.ContainsFunc(value, func(r rune) bool { return r != ' ' && r != '\r' && r != '\n' }) {
		first, last := value[0], value[len(value)-1]
		if ((first == ' ' || first == '\r' || first == '\n') && (last == ' ' || last == '\r' || last == '\n')) ||
			first == '`' || last == '`' {
			value = " " + value + " "
		}
	}
	// Line endings that would start a block construct become spaces.
	if strings.ContainsAny(value, "\r\n") {
		ps := s.patterns
		for _, pi := range ps.atBreak {
			p := &ps.list[pi]
			last := 0
			for i := 0; i < len(value); i++ {
				if value[i] != p.char {
					continue
				}
				end, ok := p.match(value, i, last)
				if !ok {
					continue
				}
				// The match starts at its line ending.
				j := i
				if p.before == bDigits {
					for j > 0 && isDigit(value[j-1]) {
						j--
					}
				}
				for j > 0 && (value[j-1] == ' ' || value[j-1] == '\t') {
					j--
				}
				mi := j - 1
				pos := mi
				if value[mi] == '\n' && mi > 0 && value[mi-1] == '\r' {
					pos--
				}
				value = value[:pos] + " " + value[mi+1:]
				last = end
				// Continue scanning from the (unchanged) regex lastIndex.
				i = end - 1
			}
		}
	}
	fence := strings.Repeat("`", size)
	return fence + value + fence
}

func (s *state) code(n *mdast.Node) string {
	raw := n.Value
	longest, run := 0, 0
	for i := 0; i < len(raw); i++ {
		if raw[i] == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	size := longest + 1
	if size < 3 {
		size = 3
	}
	seq := strings.Repeat("`", size)
	s.enter(cCodeFenced)
	var b strings.Builder
	b.WriteString(seq)
	if n.Lang != nil && *n.Lang != "" {
		s.enter(cCodeFencedLangGraveAccent)
		b.WriteString(s.safe(*n.Lang, b.String(), " ", "`"))
		s.exit()
		if n.Meta != nil && *n.Meta != "" {
			s.enter(cCodeFencedMetaGraveAccent)
			b.WriteByte(' ')
			b.WriteString(s.safe(*n.Meta, b.String(), "\n", "`"))
			s.exit()
		}
	}
	b.WriteByte('\n')
	if raw != "" {
		b.WriteString(raw)
		b.WriteByte('\n')
	}
	b.WriteString(seq)
	s.exit()
	return b.String()
}

func (s *state) blockquote(n *mdast.Node) string {
	s.enter(cBlockquote)
	v := indentLines(s.containerFlow(n), func(b *strings.Builder, line string, _ int, blank bool) {
		b.WriteByte('>')
		if !blank {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	})
	s.exit()
	return v
}

func (s *state) hardBreak(in info) string {
	// If line endings are unsafe here (ATX headings), use a space instead.
	if s.present&cs(cCodeFencedLangGraveAccent, cCodeFencedLangTilde, cCodeFencedMetaGraveAccent,
		cCodeFencedMetaTilde, cDestinationLiteral, cHeadingAtx) != 0 {
		if strings.ContainsAny(in.before, " \t") {
			return ""
		}
		return " "
	}
	return "\\\n"
}

func (s *state) list(n, parent *mdast.Node) string {
	s.enter(cList)
	bulletCurrent := s.bulletCurrent
	bullet, other := "*", "-"
	if n.Ordered {
		bullet, other = ".", ")"
	}
	useOther := parent != nil && s.bulletLastUsed != "" && bullet == s.bulletLastUsed
	if !n.Ordered {
		var first *mdast.Node
		if len(n.Children) > 0 {
			first = n.Children[0]
		}
		if first != nil && len(first.Children) == 0 &&
			s.stackTop(0) == cList && s.stackTop(1) == cListItem &&
			s.stackTop(2) == cList && s.stackTop(3) == cListItem &&
			s.indexTop(0) == 0 && s.indexTop(1) == 0 && s.indexTop(2) == 0 {
			useOther = true
		}
		// The rule marker is `*` like the bullet.
		if first != nil {
			for _, item := range n.Children {
				if item.Type == mdast.ListItem && len(item.Children) > 0 &&
					item.Children[0].Type == mdast.ThematicBreak {
					useOther = true
					break
				}
			}
		}
	}
	if useOther {
		bullet = other
	}
	s.bulletCurrent = bullet
	v := s.containerFlow(n)
	s.bulletLastUsed = bullet
	s.bulletCurrent = bulletCurrent
	s.exit()
	return v
}

func (s *state) listItem(n, parent *mdast.Node) string {
	bullet := s.bulletCurrent
	if bullet == "" {
		bullet = "*"
	}
	if parent != nil && parent.Type == mdast.List && parent.Ordered {
		start := 1
		if parent.Start != nil && *parent.Start > -1 {
			start = *parent.Start
		}
		idx := s.indexTop(0)
		if idx < 0 || idx >= len(parent.Children) || parent.Children[idx] != n {
			idx = -1
			for i, c := range parent.Children {
				if c == n {
					idx = i
					break
				}
			}
		}
		bullet = strconv.Itoa(start+idx) + bullet
	}
	size := len(bullet) + 1
	s.enter(cListItem)
	pad := spaces(size)
	inner := s.containerFlow(n)
	mark := len(s.parts)
	// The first line gets the bullet (and the padding unless blank), the
	// other non-blank lines the padding.
	var first string
	switch bullet {
	case "*":
		first = "* "
	case "-":
		first = "- "
	default:
		first = bullet + pad[len(bullet):]
	}
	s.pushIndented(inner, first, bullet, pad)
	v := s.join(mark)
	s.exit()
	return v
}

// hasControlOrSpace reports whether url contains [\0- \u007F]: any
// character up to and including U+007F except `!`..`~`.
func hasControlOrSpace(url string) bool {
	for i := 0; i < len(url); i++ {
		if c := url[i]; c <= ' ' || c == 0x7F {
			return true
		}
	}
	return false
}

// destination writes a link/image/definition destination and title.
func (s *state) destination(b *strings.Builder, url string, title *string, literal bool, rawAfter string) {
	if literal {
		s.enter(cDestinationLiteral)
		b.WriteByte('<')
		b.WriteString(s.safe(url, b.String(), ">", ""))
		b.WriteByte('>')
	} else {
		s.enter(cDestinationRaw)
		after := rawAfter
		if title != nil && *title != "" {
			after = " "
		}
		b.WriteString(s.safe(url, b.String(), after, ""))
	}
	s.exit()
	if title != nil && *title != "" {
		s.enter(cTitleQuote)
		b.WriteString(` "`)
		b.WriteString(s.safe(*title, b.String(), `"`, ""))
		b.WriteByte('"')
		s.exit()
	}
}

func (s *state) link(n *mdast.Node) string {
	// resourceLink is on (mdx): never an autolink.
	s.enter(cLink)
	s.enter(cLabel)
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(s.containerPhrasing(n, info{before: "[", after: "]("}))
	b.WriteString("](")
	s.exit()
	hasTitle := n.Title != nil && *n.Title != ""
	s.destination(&b, n.URL, n.Title, (n.URL == "" && hasTitle) || hasControlOrSpace(n.URL), ")")
	b.WriteByte(')')
	s.exit()
	return b.String()
}

func (s *state) image(n *mdast.Node) string {
	s.enter(cImage)
	s.enter(cLabel)
	var b strings.Builder
	b.WriteString("![")
	b.WriteString(s.safe(deref(n.Alt), "![", "]", ""))
	b.WriteString("](")
	s.exit()
	hasTitle := n.Title != nil && *n.Title != ""
	s.destination(&b, n.URL, n.Title, (n.URL == "" && hasTitle) || hasControlOrSpace(n.URL), ")")
	b.WriteByte(')')
	s.exit()
	return b.String()
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// reference finishes a link or image reference whose label text is text
// and whose serialization so far is value.
func (s *state) reference(n *mdast.Node, value, text string) string {
	snap := s.clearStack()
	s.enter(cReference)
	ref := s.safe(association(n), value, "]", "")
	s.exit()
	s.restoreStack(snap)
	switch {
	case n.ReferenceType == "full" || text == "" || text != ref:
		return value + ref + "]"
	case n.ReferenceType == "shortcut":
		return value[:len(value)-1]
	default:
		return value + "]"
	}
}

func (s *state) linkReference(n *mdast.Node) string {
	s.enter(cLinkReference)
	s.enter(cLabel)
	text := s.containerPhrasing(n, info{before: "[", after: "]"})
	value := "[" + text + "]["
	s.exit()
	v := s.reference(n, value, text)
	s.exit()
	return v
}

func (s *state) imageReference(n *mdast.Node) string {
	s.enter(cImageReference)
	s.enter(cLabel)
	alt := s.safe(deref(n.Alt), "![", "]", "")
	value := "![" + alt + "]["
	s.exit()
	v := s.reference(n, value, alt)
	s.exit()
	return v
}

func (s *state) definition(n *mdast.Node) string {
	s.enter(cDefinition)
	s.enter(cLabel)
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(s.safe(association(n), "[", "]", ""))
	b.WriteString("]: ")
	s.exit()
	s.destination(&b, n.URL, n.Title, n.URL == "" || hasControlOrSpace(n.URL), "\n")
	s.exit()
	return b.String()
}

// expression serializes {value}, indenting continuation lines by two
// spaces.
func expression(n *mdast.Node) string {
	if !strings.ContainsAny(n.Value, "\r\n") {
		return "{" + n.Value + "}"
	}
	return "{" + indentLines(n.Value, func(b *strings.Builder, line string, index int, blank bool) {
		if index > 0 && !blank {
			b.WriteString("  ")
		}
		b.WriteString(line)
	}) + "}"
}
