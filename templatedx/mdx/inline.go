package mdx

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Inline parsing: commonmark.js's algorithm (delimiter and bracket stacks)
// with micromark's rules and MDX's text constructs (JSX tags and
// {expressions}); HTML and autolinks are off.

type inodeKind uint8

const (
	iText inodeKind = iota
	iEmph
	iStrong
	iCode
	iBreak
	iLink
	iImage
	iLinkRef
	iImageRef
	iExpr
	iTag
)

type inode struct {
	kind       inodeKind
	value      string
	start, end int // source offsets
	parent     *inode
	prev, next *inode
	first      *inode
	last       *inode
	// Links and references.
	url        string
	title      *string
	label      string
	identifier string
	refType    string
	tag        *jsxTag
}

func (n *inode) append(c *inode) {
	c.parent = n
	c.prev = n.last
	c.next = nil
	if n.last != nil {
		n.last.next = c
	} else {
		n.first = c
	}
	n.last = c
}

func (n *inode) unlink() {
	if n.prev != nil {
		n.prev.next = n.next
	} else if n.parent != nil {
		n.parent.first = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else if n.parent != nil {
		n.parent.last = n.prev
	}
	n.parent, n.prev, n.next = nil, nil, nil
}

func (n *inode) insertAfter(c *inode) {
	c.unlink()
	c.next = n.next
	if c.next != nil {
		c.next.prev = c
	}
	c.prev = n
	n.next = c
	c.parent = n.parent
	if c.next == nil && c.parent != nil {
		c.parent.last = c
	}
}

type delim struct {
	node              *inode
	char              byte
	numdelims         int
	canOpen, canClose bool
	prev, next        *delim
}

type bracket struct {
	node         *inode
	prev         *bracket
	prevDelim    *delim
	index        int // buffer offset of the `[`
	image        bool
	active       bool
	bracketAfter bool
}

type inlineParser struct {
	p        *parser
	t        *vtext
	s        string
	pos      int
	root     *inode
	delims   *delim
	brackets *bracket
}

// parseInlines parses the phrasing content of t into a list of nodes.
func (p *parser) parseInlines(t *vtext) *inode {
	ip := &inlineParser{p: p, t: t, s: t.b, root: p.inodes.new(inode{})}
	for ip.pos < len(ip.s) {
		ip.step()
	}
	ip.processEmphasis(nil)
	ip.trimTrailing()
	return ip.root
}

func (ip *inlineParser) src(i int) int { return ip.t.src(i) }

// addText appends literal text covering buffer range [a, b).
func (ip *inlineParser) addText(value string, a, b int) *inode {
	n := ip.p.inodes.new(inode{kind: iText, value: value, start: ip.src(a), end: ip.t.srcEnd(b)})
	if b <= a {
		n.end = n.start
	}
	ip.root.append(n)
	return n
}

const specialChars = "\n\r\\`*_[]!&<{"

func (ip *inlineParser) step() {
	s := ip.s
	c := s[ip.pos]
	switch c {
	case '\n', '\r':
		ip.lineEnding()
	case '\\':
		ip.backslash()
	case '`':
		ip.codeSpan()
	case '*', '_':
		ip.delimRun(c)
	case '[':
		n := ip.addText("[", ip.pos, ip.pos+1)
		ip.pushBracket(n, ip.pos, false)
		ip.pos++
	case '!':
		if ip.pos+1 < len(s) && s[ip.pos+1] == '[' {
			n := ip.addText("![", ip.pos, ip.pos+2)
			ip.pushBracket(n, ip.pos+1, true)
			ip.pos += 2
		} else {
			ip.addText("!", ip.pos, ip.pos+1)
			ip.pos++
		}
	case ']':
		ip.closeBracket()
	case '&':
		if v, n, ok := charRef(s, ip.pos); ok {
			ip.addText(v, ip.pos, ip.pos+n)
			ip.pos += n
		} else {
			ip.addText("&", ip.pos, ip.pos+1)
			ip.pos++
		}
	case '<':
		tag, next, ok := ip.p.scanTag(ip.t, ip.pos, true, false)
		if !ok {
			ip.addText("<", ip.pos, ip.pos+1)
			ip.pos++
			return
		}
		n := ip.p.inodes.new(inode{kind: iTag, tag: tag, start: tag.start, end: tag.end})
		ip.root.append(n)
		ip.pos = next
	case '{':
		start := ip.pos
		value, next := ip.p.scanExpr(ip.t, ip.pos, exprText, true)
		ip.root.append(ip.p.inodes.new(inode{kind: iExpr, value: value, start: ip.src(start), end: ip.t.srcEnd(next)}))
		ip.pos = next
	default:
		j := ip.pos + 1
		for j < len(s) && strings.IndexByte(specialChars, s[j]) < 0 {
			j++
		}
		ip.addText(s[ip.pos:j], ip.pos, j)
		ip.pos = j
	}
}

// stripTrailing removes trailing spaces/tabs of the last text node and
// reports how many spaces there were and whether tabs were among them.
func (ip *inlineParser) stripTrailing() (int, bool) {
	last := ip.root.last
	if last == nil || last.kind != iText {
		return 0, false
	}
	v := last.value
	n := 0
	tabs := false
	for n < len(v) && (v[len(v)-1-n] == ' ' || v[len(v)-1-n] == '\t') {
		if v[len(v)-1-n] == '\t' {
			tabs = true
		}
		n++
	}
	if n == 0 {
		return 0, false
	}
	// Only whitespace that is literal source text (not from an escape or a
	// reference) counts; text values here are raw except for those.
	last.value = v[:len(v)-n]
	last.end -= n
	if last.value == "" && !ip.isDelimNode(last) {
		last.unlink()
	}
	return n, tabs
}

func (ip *inlineParser) isDelimNode(n *inode) bool {
	for d := ip.delims; d != nil; d = d.prev {
		if d.node == n {
			return true
		}
	}
	for b := ip.brackets; b != nil; b = b.prev {
		if b.node == n {
			return true
		}
	}
	return false
}

func (ip *inlineParser) lineEnding() {
	s := ip.s
	eol := 1
	if s[ip.pos] == '\r' && ip.pos+1 < len(s) && s[ip.pos+1] == '\n' {
		eol = 2
	}
	spacesStart := ip.pos
	n, tabs := ip.stripTrailing()
	spacesStart -= n
	next := ip.pos + eol
	if n >= 2 && !tabs {
		ip.root.append(ip.p.inodes.new(inode{kind: iBreak, start: ip.src(spacesStart), end: ip.t.srcEnd(next)}))
	} else {
		ip.addText(s[ip.pos:next], ip.pos, next)
	}
	ip.pos = next
	for ip.pos < len(s) && (s[ip.pos] == ' ' || s[ip.pos] == '\t') {
		ip.pos++
	}
}

func (ip *inlineParser) backslash() {
	s := ip.s
	i := ip.pos
	if i+1 < len(s) {
		c := s[i+1]
		if c == '\n' || c == '\r' {
			eol := 1
			if c == '\r' && i+2 < len(s) && s[i+2] == '\n' {
				eol = 2
			}
			ip.root.append(ip.p.inodes.new(inode{kind: iBreak, start: ip.src(i), end: ip.t.srcEnd(i + 1 + eol)}))
			ip.pos = i + 1 + eol
			for ip.pos < len(s) && (s[ip.pos] == ' ' || s[ip.pos] == '\t') {
				ip.pos++
			}
			return
		}
		if isASCIIPunct(c) {
			ip.addText(s[i+1:i+2], i, i+2)
			ip.pos = i + 2
			return
		}
	}
	ip.addText("\\", i, i+1)
	ip.pos = i + 1
}

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

func (ip *inlineParser) codeSpan() {
	s := ip.s
	start := ip.pos
	n := 0
	for start+n < len(s) && s[start+n] == '`' {
		n++
	}
	after := start + n
	// Find a closing run of exactly n backticks.
	for j := after; j < len(s); {
		if s[j] != '`' {
			j++
			continue
		}
		k := j
		for k < len(s) && s[k] == '`' {
			k++
		}
		if k-j == n {
			content := s[after:j]
			// Strip one space/line ending of padding on both sides.
			if len(content) >= 2 && isPad(content[0]) && isPad(content[len(content)-1]) && strings.Trim(content, " \n\r") != "" {
				content = stripPad(content)
			}
			ip.root.append(ip.p.inodes.new(inode{kind: iCode, value: content, start: ip.src(start), end: ip.t.srcEnd(k)}))
			ip.pos = k
			return
		}
		j = k
	}
	ip.addText(s[start:after], start, after)
	ip.pos = after
}

func isPad(c byte) bool { return c == ' ' || c == '\n' || c == '\r' }

func stripPad(s string) string {
	if strings.HasPrefix(s, "\r\n") {
		s = s[2:]
	} else {
		s = s[1:]
	}
	if strings.HasSuffix(s, "\r\n") {
		s = s[:len(s)-2]
	} else {
		s = s[:len(s)-1]
	}
	return s
}

// --- emphasis -----------------------------------------------------------

// charClass classifies a character like micromark's classifyCharacter:
// 1 whitespace, 2 punctuation, 0 other. micromark looks at UTF-16 code
// units, so a character outside the BMP (an emoji) is a lone surrogate
// there: neither whitespace nor punctuation.
func charClass(r rune) int {
	if r > 0xFFFF {
		return 0
	}
	if r < 0 || r == ' ' || r == '\t' || r == '\n' || r == '\r' || jsWhitespace(r) || unicode.IsSpace(r) {
		return 1
	}
	if r < 0x80 {
		if isASCIIPunct(byte(r)) {
			return 2
		}
		return 0
	}
	if unicode.IsPunct(r) || unicode.IsSymbol(r) {
		return 2
	}
	return 0
}

func (ip *inlineParser) delimRun(c byte) {
	s := ip.s
	start := ip.pos
	n := 0
	for start+n < len(s) && s[start+n] == c {
		n++
	}
	before := rune(-1)
	if start > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:start])
	}
	after := rune(-1)
	if start+n < len(s) {
		after, _ = utf8.DecodeRuneInString(s[start+n:])
	}
	bc, ac := charClass(before), charClass(after)
	leftFlanking := ac != 1 && (ac != 2 || bc != 0)
	rightFlanking := bc != 1 && (bc != 2 || ac != 0)
	var canOpen, canClose bool
	if c == '_' {
		canOpen = leftFlanking && (!rightFlanking || bc == 2)
		canClose = rightFlanking && (!leftFlanking || ac == 2)
	} else {
		canOpen = leftFlanking
		canClose = rightFlanking
	}
	node := ip.addText(s[start:start+n], start, start+n)
	ip.pos = start + n
	if canOpen || canClose {
		d := ip.p.delims.new(delim{node: node, char: c, numdelims: n, canOpen: canOpen, canClose: canClose, prev: ip.delims})
		if ip.delims != nil {
			ip.delims.next = d
		}
		ip.delims = d
	}
}

func (ip *inlineParser) removeDelim(d *delim) {
	if d.prev != nil {
		d.prev.next = d.next
	}
	if d.next != nil {
		d.next.prev = d.prev
	} else {
		ip.delims = d.prev
	}
}

// processEmphasis matches delimiter runs the way micromark's attention
// resolver does: closers left to right, each walking back to the nearest
// matching opener. Unlike cmark, the "rule of 3" looks at the sizes left in
// the runs, not their original lengths, and when a pair matches, the runs
// left unmatched between them are resolved again (micromark re-runs the
// resolver on the span's content), with their sizes as they are by then.
func (ip *inlineParser) processEmphasis(bottom *delim) {
	closer := ip.delims
	for closer != nil && closer.prev != bottom {
		closer = closer.prev
	}
	ip.resolveEmphasis(bottom, closer, nil)
	for ip.delims != nil && ip.delims != bottom {
		ip.removeDelim(ip.delims)
	}
}

// resolveEmphasis processes the closers from first up to (not including)
// stop; openers are searched back to (not including) bottom.
func (ip *inlineParser) resolveEmphasis(bottom, first, stop *delim) {
	closer := first
	for closer != nil && closer != stop {
		if !closer.canClose {
			closer = closer.next
			continue
		}
		opener := closer.prev
		found := false
		for opener != nil && opener != bottom {
			if opener.char == closer.char && opener.canOpen {
				oddMatch := (closer.canOpen || opener.canClose) && closer.numdelims%3 != 0 && (opener.numdelims+closer.numdelims)%3 == 0
				if !oddMatch {
					found = true
					break
				}
			}
			opener = opener.prev
		}
		if !found {
			closer = closer.next
			continue
		}
		if opener.next != closer {
			ip.resolveEmphasis(opener, opener.next, closer)
		}
		use := 1
		if closer.numdelims >= 2 && opener.numdelims >= 2 {
			use = 2
		}
		on, cn := opener.node, closer.node
		opener.numdelims -= use
		closer.numdelims -= use
		on.value = on.value[:len(on.value)-use]
		on.end -= use
		cn.value = cn.value[use:]
		emphStart := on.end
		emphEnd := cn.start + use
		cn.start += use
		kind := iEmph
		if use == 2 {
			kind = iStrong
		}
		emph := ip.p.inodes.new(inode{kind: kind, start: emphStart, end: emphEnd})
		// Move the nodes between opener and closer into emph.
		for tmp := on.next; tmp != nil && tmp != cn; {
			next := tmp.next
			tmp.unlink()
			emph.append(tmp)
			tmp = next
		}
		on.insertAfter(emph)
		// Delimiters between opener and closer become literal text.
		if opener.next != closer {
			opener.next = closer
			closer.prev = opener
		}
		if opener.numdelims == 0 {
			on.unlink()
			ip.removeDelim(opener)
		}
		if closer.numdelims == 0 {
			cn.unlink()
			next := closer.next
			ip.removeDelim(closer)
			closer = next
		}
	}
}

// trimTrailing drops trailing whitespace at the end of the content.
func (ip *inlineParser) trimTrailing() {
	last := ip.root.last
	if last == nil || last.kind != iText {
		return
	}
	v := last.value
	k := len(v)
	for k > 0 && (v[k-1] == ' ' || v[k-1] == '\t') {
		k--
	}
	if k < len(v) {
		last.end -= len(v) - k
		last.value = v[:k]
		if last.value == "" {
			last.unlink()
		}
	}
}
