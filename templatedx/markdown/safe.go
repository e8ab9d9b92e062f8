package markdown

import (
	"strconv"
	"strings"
	"sync"
)

// beforeKind is the context a pattern requires before its character.
type beforeKind uint8

const (
	bNone    beforeKind = iota
	bEOL                // [\r\n]
	bDigits             // \d+ (only with atBreak)
	bBracket            // \]
)

// afterKind is the context a pattern requires after its character.
type afterKind uint8

const (
	aNone       afterKind = iota
	aEOL                  // [\r\n]
	aEOLOrEnd             // (?:[\r\n]|$)
	aBracket              // \[
	aRefStart             // [#A-Za-z]
	aStarish              // [ \t\r\n*]
	aSpace                // [ \t\r\n]
	aDashish              // [ \t\r\n-]
	aSpaceOrEnd           // (?:[ \t\r\n]|$)
	aTagStart             // [!/?A-Za-z]
	aDash                 // - (frontmatter fence)
)

// pattern is one entry of the unsafe table: character is unsafe when the
// context matches and the construct stack fits in/notIn.
type pattern struct {
	char    byte
	atBreak bool
	before  beforeKind
	after   afterKind
	in      uint32
	notIn   uint32
}

func cs(list ...construct) uint32 {
	var m uint32
	for _, c := range list {
		m |= 1 << c
	}
	return m
}

var (
	fullPhrasingSpans = cs(cAutolink, cDestinationLiteral, cDestinationRaw, cReference, cTitleQuote, cTitleApostrophe)
	phr               = cs(cPhrasing)
	fencedLang        = cs(cCodeFencedLangGraveAccent, cCodeFencedLangTilde)
	fencedAll         = cs(cCodeFencedLangGraveAccent, cCodeFencedLangTilde, cCodeFencedMetaGraveAccent, cCodeFencedMetaTilde)
)

// baseUnsafe is mdast-util-to-markdown 2.1.2's table.
var baseUnsafe = []pattern{
	{char: '\t', after: aEOL, in: phr},
	{char: '\t', before: bEOL, in: phr},
	{char: '\t', in: fencedLang},
	{char: '\r', in: fencedAll | cs(cDestinationLiteral, cHeadingAtx)},
	{char: '\n', in: fencedAll | cs(cDestinationLiteral, cHeadingAtx)},
	{char: ' ', after: aEOL, in: phr},
	{char: ' ', before: bEOL, in: phr},
	{char: ' ', in: fencedLang},
	{char: '!', after: aBracket, in: phr, notIn: fullPhrasingSpans},
	{char: '"', in: cs(cTitleQuote)},
	{char: '#', atBreak: true},
	{char: '#', in: cs(cHeadingAtx), after: aEOLOrEnd},
	{char: '&', after: aRefStart, in: phr},
	{char: '\'', in: cs(cTitleApostrophe)},
	{char: '(', in: cs(cDestinationRaw)},
	{char: '(', before: bBracket, in: phr, notIn: fullPhrasingSpans},
	{char: ')', atBreak: true, before: bDigits},
	{char: ')', in: cs(cDestinationRaw)},
	{char: '*', atBreak: true, after: aStarish},
	{char: '*', in: phr, notIn: fullPhrasingSpans},
	{char: '+', atBreak: true, after: aSpace},
	{char: '-', atBreak: true, after: aDashish},
	{char: '.', atBreak: true, before: bDigits, after: aSpaceOrEnd},
	{char: '<', atBreak: true, after: aTagStart},
	{char: '<', after: aTagStart, in: phr, notIn: fullPhrasingSpans},
	{char: '<', in: cs(cDestinationLiteral)},
	{char: '=', atBreak: true},
	{char: '>', atBreak: true},
	{char: '>', in: cs(cDestinationLiteral)},
	{char: '[', atBreak: true},
	{char: '[', in: phr, notIn: fullPhrasingSpans},
	{char: '[', in: cs(cLabel, cReference)},
	{char: '\\', after: aEOL, in: phr},
	{char: ']', in: cs(cLabel, cReference)},
	{char: '_', atBreak: true},
	{char: '_', in: phr, notIn: fullPhrasingSpans},
	{char: '`', atBreak: true},
	{char: '`', in: cs(cCodeFencedLangGraveAccent, cCodeFencedMetaGraveAccent)},
	{char: '`', in: phr, notIn: fullPhrasingSpans},
	{char: '~', atBreak: true},
}

// mdxUnsafe are the additions of mdast-util-mdx-expression and -jsx.
var mdxUnsafe = []pattern{
	{char: '{', in: phr},
	{char: '{', atBreak: true},
	{char: '<', in: phr},
	{char: '<', atBreak: true},
}

// frontmatterUnsafe is mdast-util-frontmatter's addition for yaml.
var frontmatterUnsafe = []pattern{
	{char: '-', atBreak: true, after: aDash},
}

// patternSet is a compiled unsafe table.
type patternSet struct {
	list    []pattern
	byChar  [256][]uint8 // pattern indexes per character
	atBreak []uint8      // indexes of atBreak patterns
	// tables caches mayNeedEscape's tables by construct set (uint32 ->
	// *escapeTables).
	tables sync.Map
}

func newPatternSet(groups ...[]pattern) *patternSet {
	ps := &patternSet{}
	for _, g := range groups {
		ps.list = append(ps.list, g...)
	}
	for i, p := range ps.list {
		ps.byChar[p.char] = append(ps.byChar[p.char], uint8(i))
		if p.atBreak {
			ps.atBreak = append(ps.atBreak, uint8(i))
		}
	}
	return ps
}

var (
	mdxPatterns         = newPatternSet(baseUnsafe, mdxUnsafe)
	frontmatterPatterns = newPatternSet(baseUnsafe, mdxUnsafe, frontmatterUnsafe)
)

func inScope(present uint32, p *pattern) bool {
	if p.in != 0 && present&p.in == 0 {
		return false
	}
	return p.notIn == 0 || present&p.notIn == 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func afterOK(k afterKind, c byte) bool {
	switch k {
	case aEOL, aEOLOrEnd:
		return c == '\r' || c == '\n'
	case aBracket:
		return c == '['
	case aRefStart:
		return c == '#' || isAlpha(c)
	case aStarish:
		return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '*'
	case aSpace, aSpaceOrEnd:
		return c == ' ' || c == '\t' || c == '\r' || c == '\n'
	case aDashish:
		return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-'
	case aTagStart:
		return c == '!' || c == '/' || c == '?' || isAlpha(c)
	case aDash:
		return c == '-'
	}
	return false
}

// match reports whether p matches with its character at index i of v,
// given that the previous match of p ended at last (the JavaScript global
// regex lastIndex). It returns where the match ends.
func (p *pattern) match(v string, i, last int) (end int, ok bool) {
	start := i
	switch {
	case p.atBreak:
		j := i
		if p.before == bDigits {
			k := j
			for k > 0 && isDigit(v[k-1]) {
				k--
			}
			if k == j {
				return 0, false
			}
			j = k
		}
		for j > 0 && (v[j-1] == ' ' || v[j-1] == '\t') {
			j--
		}
		if j == 0 || (v[j-1] != '\n' && v[j-1] != '\r') {
			return 0, false
		}
		start = j - 1
	case p.before == bEOL:
		if i == 0 || (v[i-1] != '\n' && v[i-1] != '\r') {
			return 0, false
		}
		start = i - 1
	case p.before == bBracket:
		if i == 0 || v[i-1] != ']' {
			return 0, false
		}
		start = i - 1
	}
	if start < last {
		return 0, false
	}
	end = i + 1
	if p.after != aNone {
		switch {
		case i+1 < len(v) && afterOK(p.after, v[i+1]):
			end++
		case i+1 == len(v) && (p.after == aEOLOrEnd || p.after == aSpaceOrEnd):
		default:
			return 0, false
		}
	}
	return end, true
}

// Flags of a position in safe().
const (
	fUnsafe = 1 << iota
	fBefore
	fAfter
)

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

// safe makes input safe to embed between before and after in the current
// construct stack: characters that could start or end Markdown constructs
// are backslash-escaped (punctuation) or turned into character references.
// Characters in encode are always turned into character references.
func (s *state) safe(input, before, after, encode string) string {
	if !s.mayNeedEscape(input, before, after) {
		return input
	}
	return s.escape(input, before, after, encode)
}

// escape is safe() without the fast check.
func (s *state) escape(input, before, after, encode string) string {
	value := before + input + after
	n := len(value)
	if cap(s.flags) < n {
		s.flags = make([]uint8, n+32)
	}
	flags := s.flags[:n]
	clear(flags)

	// Which patterns apply.
	var active [64]bool
	var lasts [64]int
	ps := s.patterns
	anyActive := false
	for i := range ps.list {
		if inScope(s.present, &ps.list[i]) {
			active[i] = true
			anyActive = true
		}
	}
	found := false
	if anyActive {
		for i := 0; i < n; i++ {
			idxs := ps.byChar[value[i]]
			if len(idxs) == 0 {
				continue
			}
			for _, pi := range idxs {
				if !active[pi] {
					continue
				}
				p := &ps.list[pi]
				end, ok := p.match(value, i, lasts[pi])
				if !ok {
					continue
				}
				lasts[pi] = end
				f := uint8(fUnsafe)
				if p.before != bNone || p.atBreak {
					f |= fBefore
				}
				if p.after != aNone {
					f |= fAfter
				}
				if flags[i] == 0 {
					flags[i] = f
				} else {
					flags[i] &= f | fUnsafe
				}
				found = true
			}
		}
	}

	start := len(before)
	end := n - len(after)
	if !found {
		return escapeBackslashes(input, after)
	}
	var b strings.Builder
	b.Grow(len(input) + 8)
	for pos := start; pos < end; pos++ {
		f := flags[pos]
		if f == 0 {
			continue
		}
		if (pos+1 < end && flags[pos+1] != 0 && f&fAfter != 0 && flags[pos+1]&(fBefore|fAfter) == 0) ||
			(pos > 0 && flags[pos-1] != 0 && f&fBefore != 0 && flags[pos-1]&(fBefore|fAfter) == 0) {
			continue
		}
		if start != pos {
			b.WriteString(escapeBackslashes(value[start:pos], "\\"))
		}
		start = pos
		c := value[pos]
		if isASCIIPunct(c) && strings.IndexByte(encode, c) < 0 {
			b.WriteByte('\\')
		} else {
			writeCharRef(&b, rune(c))
			start++
		}
	}
	b.WriteString(escapeBackslashes(value[start:end], after))
	return b.String()
}

// mayNeedEscape is a conservative fast check: false means safe() returns
// input unchanged in the current state.
//
// safe() can only change input by flagging one of input's own positions
// (matches in before/after merely suppress or are not output) or by
// doubling a backslash (in input, or at its end when after starts with
// one). A pattern whose context needs no line ending can fire wherever its
// character is (the quiet table). The others — atBreak, before [\r\n],
// after [\r\n] — need a line ending next to the character, or before it
// with only spaces, tabs and digits in between: they are checked only at
// such places (the full table after a line ending, the beforeEOL table
// before one).
func (s *state) mayNeedEscape(input, before, after string) bool {
	if input == "" {
		return false
	}
	if strings.IndexByte(after, '\\') >= 0 {
		return true
	}
	t := s.escapeTables()
	// lineStart: the characters since the last line ending (of before, or
	// of input) are only spaces, tabs and digits.
	lineStart := hasEOL(before)
	for i := 0; i < len(input); i++ {
		c := input[i]
		if c == '\n' || c == '\r' {
			if t.quiet[c] || (i > 0 && t.beforeEOL[input[i-1]]) {
				return true
			}
			lineStart = true
			continue
		}
		if t.quiet[c] {
			return true
		}
		if lineStart {
			if t.full[c] {
				return true
			}
			lineStart = c == ' ' || c == '\t' || isDigit(c)
		}
	}
	if after != "" && (after[0] == '\n' || after[0] == '\r') && t.beforeEOL[input[len(input)-1]] {
		return true
	}
	return false
}

func hasEOL(v string) bool {
	return strings.IndexByte(v, '\n') >= 0 || strings.IndexByte(v, '\r') >= 0
}

// escapeTables are the byte tables of mayNeedEscape for one construct
// stack (the set of patterns in scope).
type escapeTables struct {
	// quiet marks the characters of in-scope patterns that need no line
	// ending, and the backslash.
	quiet [256]bool
	// full marks the characters of all in-scope patterns.
	full [256]bool
	// beforeEOL marks the characters of in-scope patterns that need a
	// line ending right after them.
	beforeEOL [256]bool
}

func (s *state) escapeTables() *escapeTables {
	// A few construct sets recur during a run: remember the recent ones.
	for i := range s.tables {
		if e := &s.tables[i]; e.t != nil && e.present == s.present {
			return e.t
		}
	}
	t := s.patterns.tablesFor(s.present)
	copy(s.tables[1:], s.tables[:len(s.tables)-1])
	s.tables[0] = tablesEntry{present: s.present, t: t}
	return t
}

type tablesEntry struct {
	present uint32
	t       *escapeTables
}

// tablesFor returns the (cached) tables for the constructs in present.
func (ps *patternSet) tablesFor(present uint32) *escapeTables {
	if v, ok := ps.tables.Load(present); ok {
		return v.(*escapeTables)
	}
	t := &escapeTables{}
	for i := range ps.list {
		p := &ps.list[i]
		if !inScope(present, p) {
			continue
		}
		t.full[p.char] = true
		if p.after == aEOL {
			t.beforeEOL[p.char] = true
		}
		if !p.atBreak && p.before != bEOL && p.after != aEOL {
			t.quiet[p.char] = true
		}
	}
	t.quiet['\\'] = true
	// The set of reachable construct stacks is small: no bound needed.
	v, _ := ps.tables.LoadOrStore(present, t)
	return v.(*escapeTables)
}

// escapeBackslashes doubles each backslash of value that is followed (in
// value+after) by ASCII punctuation.
func escapeBackslashes(value, after string) string {
	if strings.IndexByte(value, '\\') < 0 {
		if strings.IndexByte(after, '\\') < 0 {
			return value
		}
	}
	var b strings.Builder
	start := 0
	whole := len(value) + len(after)
	at := func(i int) byte {
		if i < len(value) {
			return value[i]
		}
		return after[i-len(value)]
	}
	changed := false
	for i := 0; i < whole-1; i++ {
		if at(i) != '\\' || !isASCIIPunct(at(i+1)) {
			continue
		}
		if !changed {
			b.Grow(len(value) + 4)
			changed = true
		}
		if i < len(value) {
			b.WriteString(value[start:i])
			start = i
		} else {
			b.WriteString(value[start:])
			start = len(value)
		}
		b.WriteByte('\\')
	}
	if !changed {
		return value
	}
	b.WriteString(value[start:])
	return b.String()
}

// writeCharRef writes `&#x<HEX>;` for code (uppercase hex).
func writeCharRef(b *strings.Builder, code rune) {
	b.WriteString("&#x")
	b.WriteString(strings.ToUpper(strconv.FormatInt(int64(code), 16)))
	b.WriteByte(';')
}

func charRef(code rune) string {
	var b strings.Builder
	writeCharRef(&b, code)
	return b.String()
}
