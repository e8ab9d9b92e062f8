package mdx

import (
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Links, images, references and definitions.

type definition struct {
	url   string
	title *string
}

func (ip *inlineParser) pushBracket(n *inode, index int, image bool) {
	if ip.brackets != nil {
		ip.brackets.bracketAfter = true
	}
	ip.brackets = ip.p.brackets.new(bracket{node: n, prev: ip.brackets, prevDelim: ip.delims, index: index, image: image, active: true})
}

func (ip *inlineParser) closeBracket() {
	s := ip.s
	start := ip.pos // the `]`
	ip.pos++
	opener := ip.brackets
	if opener == nil {
		ip.addText("]", start, start+1)
		return
	}
	if !opener.active {
		ip.addText("]", start, start+1)
		ip.brackets = opener.prev
		return
	}
	isImage := opener.image
	matched := false
	var n *inode
	after := ip.pos
	// Inline link: `(dest "title")`.
	if after < len(s) && s[after] == '(' {
		if url, title, end, ok := ip.parseResource(after); ok {
			n = ip.p.inodes.new(inode{kind: iLink, url: url, title: title})
			if isImage {
				n.kind = iImage
			}
			ip.pos = end
			matched = true
		}
	}
	if !matched {
		// Reference link: full, collapsed or shortcut.
		textLabel := s[opener.index+1 : start]
		label, refType := "", ""
		end := after
		if l, e, ok := parseLinkLabel(s, after); ok {
			if e-after == 2 {
				label, refType = textLabel, "collapsed"
			} else {
				label, refType = l, "full"
			}
			end = e
		} else if after < len(s) && s[after] == '[' {
			// micromark: a `[` that starts neither a full nor a collapsed
			// reference also rules out a shortcut one.
			label = ""
		} else {
			label, refType = textLabel, "shortcut"
		}
		if len(label) <= 999 && strings.TrimSpace(label) != "" {
			id := normalizeIdentifier(label)
			if _, ok := ip.p.defs[id]; ok {
				n = ip.p.inodes.new(inode{kind: iLinkRef, label: label, identifier: strings.ToLower(id), refType: refType})
				if isImage {
					n.kind = iImageRef
				}
				ip.pos = end
				matched = true
			}
		}
	}
	if !matched {
		ip.brackets = opener.prev
		ip.addText("]", start, start+1)
		return
	}
	on := opener.node
	n.start = on.start
	if isImage {
		n.start = on.start // `![`
	}
	n.end = ip.t.srcEnd(ip.pos)
	for tmp := on.next; tmp != nil; {
		next := tmp.next
		tmp.unlink()
		n.append(tmp)
		tmp = next
	}
	ip.root.append(n)
	ip.processEmphasisIn(opener.prevDelim)
	ip.brackets = opener.prev
	on.unlink()
	if !isImage {
		for b := ip.brackets; b != nil; b = b.prev {
			if !b.image {
				b.active = false
			}
		}
	}
}

func (ip *inlineParser) processEmphasisIn(bottom *delim) { ip.processEmphasis(bottom) }

// parseLinkLabel parses `[label]` at s[i]; it returns the raw label.
func parseLinkLabel(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '[' {
		return "", 0, false
	}
	j := i + 1
	for j < len(s) {
		switch s[j] {
		case '\\':
			if j+1 < len(s) && (s[j+1] == '[' || s[j+1] == ']' || s[j+1] == '\\') {
				j += 2
				continue
			}
		case '[':
			return "", 0, false
		case ']':
			if j-i-1 > 999 {
				return "", 0, false
			}
			return s[i+1 : j], j + 1, true
		}
		j++
	}
	return "", 0, false
}

var upper = cases.Upper(language.Und)

// normalizeIdentifier is micromark-util-normalize-identifier.
func normalizeIdentifier(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
	return upper.String(strings.ToLower(s))
}

// parseResource parses `(destination "title")` at s[i] == '('.
func (ip *inlineParser) parseResource(i int) (string, *string, int, bool) {
	s := ip.s
	j := skipSpaceEOL(s, i+1)
	if j < len(s) && s[j] == ')' {
		return "", nil, j + 1, true
	}
	dest, j2, ok := parseDestination(s, j)
	if !ok {
		return "", nil, 0, false
	}
	j = j2
	k := skipSpaceEOL(s, j)
	var title *string
	if k < len(s) && k > j && (s[k] == '"' || s[k] == '\'' || s[k] == '(') {
		if t, e, ok := parseTitle(s, k); ok {
			title = &t
			k = skipSpaceEOL(s, e)
		}
	}
	if k < len(s) && s[k] == ')' {
		return dest, title, k + 1, true
	}
	return "", nil, 0, false
}

func skipSpaceEOL(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// parseDestination parses a link destination; the result is decoded.
func parseDestination(s string, i int) (string, int, bool) {
	if i < len(s) && s[i] == '<' {
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '\n', '\r', '<':
				return "", 0, false
			case '>':
				return decodeString(s[i+1 : j]), j + 1, true
			}
		}
		return "", 0, false
	}
	depth := 0
	j := i
	for j < len(s) {
		c := s[j]
		if c == '\\' && j+1 < len(s) && isASCIIPunct(s[j+1]) {
			j += 2
			continue
		}
		if c <= ' ' || c == 0x7f {
			break
		}
		if c == '(' {
			depth++
			if depth > 32 {
				return "", 0, false
			}
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		}
		j++
	}
	if j == i || depth != 0 {
		return "", 0, false
	}
	return decodeString(s[i:j]), j, true
}

func parseTitle(s string, i int) (string, int, bool) {
	close := s[i]
	if close == '(' {
		close = ')'
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case close:
			return decodeString(s[i+1 : j]), j + 1, true
		case '(':
			if close == ')' {
				return "", 0, false
			}
		}
	}
	return "", 0, false
}

// decodeString resolves backslash escapes and character references.
func decodeString(s string) string {
	if strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, '&') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if c == '&' {
			if v, n, ok := charRef(s, i); ok {
				b.WriteString(v)
				i += n
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// --- definitions (at the start of paragraphs) ---------------------------

// extractDefinitions removes link reference definitions from the start of
// a paragraph, adding definition blocks before it.
func (p *parser) extractDefinitions(para *block) []*block {
	t := p.textFromSegs(para.segs)
	s := t.b
	var defs []*block
	pos := 0
	for pos < len(s) && s[pos] == '[' {
		label, e, ok := parseLinkLabel(s, pos)
		if !ok || e >= len(s) || s[e] != ':' || strings.TrimSpace(label) == "" {
			break
		}
		j := skipSpaceEOLOnce(s, e+1)
		if j >= len(s) {
			break
		}
		dest, j2, ok := parseDestination(s, j)
		if !ok || (j2 > j && s[j] != '<' && false) {
			break
		}
		destEnd := j2
		// Optional title, separated by whitespace.
		k := skipSpaceEOLOnce(s, j2)
		var title *string
		end := -1
		if k > j2 && k < len(s) && (s[k] == '"' || s[k] == '\'' || s[k] == '(') {
			if tt, te, ok := parseTitle(s, k); ok && restOfLineBlank(s, te) {
				title = &tt
				end = te
			}
		}
		if end < 0 {
			if !restOfLineBlank(s, destEnd) {
				break
			}
			end = destEnd
		}
		id := normalizeIdentifier(label)
		if _, dup := p.defs[id]; !dup {
			p.defs[id] = &definition{url: dest, title: title}
		}
		lab := label
		defs = append(defs, p.blocks.new(block{kind: bDefinition, parent: para.parent, start: t.src(pos), end: t.srcEnd(end),
			value: dest, defTitle: title, defLabel: lab, defID: strings.ToLower(id),
			firstLine: para.firstLine + countLines(s[:pos]), lastLine: para.firstLine + countLines(s[:end])}))
		// Skip to the next line.
		pos = end
		for pos < len(s) && s[pos] != '\n' && s[pos] != '\r' {
			pos++
		}
		if pos < len(s) && s[pos] == '\r' {
			pos++
		}
		if pos < len(s) && s[pos] == '\n' {
			pos++
		}
	}
	if len(defs) == 0 {
		return nil
	}
	// Drop the consumed lines from the paragraph.
	consumed := t.src(min(pos, len(s)))
	if pos >= len(s) {
		para.segs = nil
		return defs
	}
	var rest []seg
	for _, sg := range para.segs {
		if sg.eolEnd <= consumed && sg.end < consumed {
			continue
		}
		rest = append(rest, sg)
	}
	para.segs = rest
	para.firstLine += countLines(s[:pos])
	if len(rest) > 0 {
		off := rest[0].start
		for off < rest[0].end && isSpaceTab(p.src[off]) {
			off++
		}
		para.segs[0].start = off
		para.start = off
	}
	return defs
}

// countLines counts the line endings in s.
func countLines(s string) int {
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}

func skipSpaceEOLOnce(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && (s[i] == '\n' || s[i] == '\r') {
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	return i
}

func restOfLineBlank(s string, i int) bool {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i >= len(s) || s[i] == '\n' || s[i] == '\r'
}
