package mdx

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// jsxTag is one scanned JSX tag (micromark-extension-mdx-jsx's factoryTag).
type jsxTag struct {
	start, end  int // source offsets of `<` and after `>`
	close       bool
	selfClosing bool
	name        string
	hasName     bool
	attrs       []*mdast.Attribute
	closeOff    int // offset of the closing `/`
	attrOffs    []int
	selfOff     int // offset of the self-closing `/`
}

// abbrev serialises the tag like mdast-util-mdx-jsx: `<name>`/`</name>`.
func (t *jsxTag) abbrev() string {
	if t.close {
		return "</" + t.name + ">"
	}
	return "<" + t.name + ">"
}

func idStart(r rune) bool {
	return r == '$' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
		(r >= 0x80 && (unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)))
}

func idCont(r rune) bool {
	return idStart(r) || (r >= '0' && r <= '9') || r == '-' ||
		(r >= 0x80 && (unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue) || r == 0x200c || r == 0x200d))
}

// jsWhitespace is micromark's unicodeWhitespace (JS `\s`), minus line
// endings which are handled separately.
func jsWhitespace(r rune) bool {
	switch r {
	case ' ', '\t', '\v', '\f', 0xa0, 0xfeff, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

type tagScanner struct {
	p         *parser
	t         *vtext
	i         int
	allowLazy bool
	flow      bool
	tag       *jsxTag
}

func (s *tagScanner) rune() (rune, int) { return s.t.runeAt(s.i) }

func (s *tagScanner) crash(at, expect string) {
	r, _ := s.rune()
	var what string
	switch {
	case r < 0:
		what = "end of file"
	case r == '`':
		what = "character `` ` `` (U+0060)"
	default:
		what = "character `" + string(r) + "` (U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ")"
		if n := len(strconv.FormatInt(int64(r), 16)); n < 4 {
			what = "character `" + string(r) + "` (U+" + strings.Repeat("0", 4-n) + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ")"
		}
	}
	s.p.fail(s.t.src(s.i), "Unexpected "+what+" "+at+", expected "+expect)
}

// ws skips ECMAScript whitespace and line endings (with the lazy-line
// check for flow tags).
func (s *tagScanner) ws() {
	for {
		c := s.t.at(s.i)
		if c < 0 {
			return
		}
		if isEOL(c) {
			s.i += s.t.eolLen(s.i)
			if s.t.at(s.i) < 0 && s.t.lazyAt >= 0 && !s.allowLazy {
				s.p.fail(s.t.lazyAt, "Unexpected lazy line in container, expected line to be prefixed with `>` when in a block quote, whitespace when in a list, etc")
			}
			continue
		}
		r, w := s.rune()
		if !jsWhitespace(r) {
			return
		}
		s.i += w
	}
}

func (s *tagScanner) isWS(r rune) bool { return r == '\n' || r == '\r' || jsWhitespace(r) }

// scanTag scans a tag at t.b[i] == '<'. ok is false when this is not a tag
// (`<` followed by whitespace); invalid tags abort the parse.
func (p *parser) scanTag(t *vtext, i int, allowLazy, flow bool) (*jsxTag, int, bool) {
	s := &tagScanner{p: p, t: t, i: i + 1, allowLazy: allowLazy, flow: flow}
	tag := p.tags.new(jsxTag{start: t.src(i)})
	s.tag = tag
	if r, _ := s.rune(); r == ' ' || r == '\t' || r == '\n' || r == '\r' || r < 0 {
		return nil, 0, false
	}
	s.ws()
	// Name or closing slash or fragment end.
	r, w := s.rune()
	switch {
	case r == '/':
		tag.close = true
		tag.closeOff = t.src(s.i)
		s.i += w
		s.ws()
		r, w = s.rune()
		if r == '>' {
			return s.end()
		}
		if r < 0 || !idStart(r) {
			note := ""
			if r == '*' || r == '/' {
				note = " (note: JS comments in JSX tags are not supported in MDX)"
			}
			s.crash("before name", "a character that can start a name, such as a letter, `$`, or `_`"+note)
		}
	case r == '>':
		return s.end()
	case r >= 0 && idStart(r):
	default:
		note := ""
		if r == '!' {
			note = " (note: to create a comment in MDX, use `{/* text */}`)"
		}
		s.crash("before name", "a character that can start a name, such as a letter, `$`, or `_`"+note)
	}
	// Primary name.
	tag.hasName = true
	tag.name = s.ident(true)
	r, _ = s.rune()
	if !(r == '.' || r == '/' || r == ':' || r == '>' || r == '{' || (r >= 0 && s.isWS(r))) {
		note := ""
		if r == '@' {
			note = " (note: to create a link in MDX, use `[text](url)`)"
		}
		s.crash("in name", "a name character such as letters, digits, `$`, or `_`; whitespace before attributes; or the end of the tag"+note)
	}
	s.ws()
	r, w = s.rune()
	switch {
	case r == '.':
		for r == '.' {
			s.i += w
			s.ws()
			r, _ = s.rune()
			if r < 0 || !idStart(r) {
				s.crash("before member name", "a character that can start an attribute name, such as a letter, `$`, or `_`; whitespace before attributes; or the end of the tag")
			}
			tag.name += "." + s.ident(true)
			r, _ = s.rune()
			if !(r == '.' || r == '/' || r == '>' || r == '{' || (r >= 0 && s.isWS(r))) {
				note := ""
				if r == '@' {
					note = " (note: to create a link in MDX, use `[text](url)`)"
				}
				s.crash("in member name", "a name character such as letters, digits, `$`, or `_`; whitespace before attributes; or the end of the tag"+note)
			}
			s.ws()
			r, w = s.rune()
		}
		if !(r == '/' || r == '>' || r == '{' || (r >= 0 && idStart(r))) {
			s.crash("after member name", "a character that can start an attribute name, such as a letter, `$`, or `_`; whitespace before attributes; or the end of the tag")
		}
	case r == ':':
		s.i += w
		s.ws()
		r, _ = s.rune()
		if r < 0 || !idStart(r) {
			note := ""
			if r == '+' || (r > '.' && r < ':') {
				note = " (note: to create a link in MDX, use `[text](url)`)"
			}
			s.crash("before local name", "a character that can start a name, such as a letter, `$`, or `_`"+note)
		}
		tag.name += ":" + s.ident(true)
		r, _ = s.rune()
		if !(r == '/' || r == '>' || r == '{' || (r >= 0 && s.isWS(r))) {
			s.crash("in local name", "a name character such as letters, digits, `$`, or `_`; whitespace before attributes; or the end of the tag")
		}
		s.ws()
		r, _ = s.rune()
		if !(r == '/' || r == '>' || r == '{' || (r >= 0 && idStart(r))) {
			s.crash("after local name", "a character that can start an attribute name, such as a letter, `$`, or `_`; whitespace before attributes; or the end of the tag")
		}
	case r == '/' || r == '>' || r == '{' || (r >= 0 && idStart(r)):
	default:
		s.crash("after name", "a character that can start an attribute name, such as a letter, `$`, or `_`; whitespace before attributes; or the end of the tag")
	}
	return s.attributes()
}

// ident consumes an identifier (JSX: `-` allowed) starting at s.i.
func (s *tagScanner) ident(jsx bool) string {
	start := s.i
	_, w := s.rune()
	s.i += w
	for {
		r, w := s.rune()
		if r < 0 || !idCont(r) {
			break
		}
		s.i += w
	}
	return s.t.b[start:s.i]
}

func (s *tagScanner) attributes() (*jsxTag, int, bool) {
	tag := s.tag
	for {
		r, w := s.rune()
		switch {
		case r == '/':
			tag.selfClosing = true
			tag.selfOff = s.t.src(s.i)
			s.i += w
			s.ws()
			r, _ = s.rune()
			if r != '>' {
				note := ""
				if r == '*' || r == '/' {
					note = " (note: JS comments in JSX tags are not supported in MDX)"
				}
				s.crash("after self-closing slash", "`>` to end the tag"+note)
			}
			return s.end()
		case r == '>':
			return s.end()
		case r == '{':
			start := s.i
			tag.attrOffs = append(tag.attrOffs, s.t.src(start))
			value, next := s.p.scanExpr(s.t, s.i, exprSpread, s.allowLazy)
			s.i = next
			v := value
			tag.attrs = append(tag.attrs, &mdast.Attribute{Type: mdast.MdxJsxExprAttr, Expr: &v,
				Position: s.p.pos(s.t.src(start), s.t.srcEnd(next))})
			s.ws()
		case r >= 0 && idStart(r):
			s.attribute()
		default:
			s.crash("before attribute name", "a character that can start an attribute name, such as a letter, `$`, or `_`; whitespace before attributes; or the end of the tag")
		}
	}
}

func (s *tagScanner) attribute() {
	tag := s.tag
	start := s.i
	tag.attrOffs = append(tag.attrOffs, s.t.src(start))
	attr := &mdast.Attribute{Type: mdast.MdxJsxAttribute}
	tag.attrs = append(tag.attrs, attr)
	attr.Name = s.ident(true)
	nameEnd := s.i
	r, _ := s.rune()
	if !(r == '/' || r == ':' || r == '=' || r == '>' || r == '{' || (r >= 0 && s.isWS(r))) {
		s.crash("in attribute name", "an attribute name character such as letters, digits, `$`, or `_`; `=` to initialize a value; whitespace before attributes; or the end of the tag")
	}
	s.ws()
	r, w := s.rune()
	if r == ':' {
		s.i += w
		s.ws()
		r, _ = s.rune()
		if r < 0 || !idStart(r) {
			s.crash("before local attribute name", "a character that can start an attribute name, such as a letter, `$`, or `_`; `=` to initialize a value; or the end of the tag")
		}
		attr.Name += ":" + s.ident(true)
		nameEnd = s.i
		r, _ = s.rune()
		if !(r == '/' || r == '=' || r == '>' || r == '{' || (r >= 0 && s.isWS(r))) {
			s.crash("in local attribute name", "an attribute name character such as letters, digits, `$`, or `_`; `=` to initialize a value; whitespace before attributes; or the end of the tag")
		}
		s.ws()
		r, w = s.rune()
		if !(r == '=' || r == '/' || r == '>' || r == '{' || (r >= 0 && idStart(r))) {
			s.crash("after local attribute name", "a character that can start an attribute name, such as a letter, `$`, or `_`; `=` to initialize a value; or the end of the tag")
		}
	}
	attr.Position = s.p.pos(s.t.src(start), s.t.srcEnd(nameEnd))
	if r != '=' {
		if !(r == '/' || r == '>' || r == '{' || (r >= 0 && (s.isWS(r) || idStart(r)))) {
			s.crash("after attribute name", "a character that can start an attribute name, such as a letter, `$`, or `_`; `=` to initialize a value; or the end of the tag")
		}
		return
	}
	s.i += w
	s.ws()
	r, w = s.rune()
	switch r {
	case '"', '\'':
		marker := byte(r)
		s.i += w
		var val strings.Builder
		for {
			c := s.t.at(s.i)
			if c < 0 {
				s.crash("in attribute value", "a corresponding closing quote `"+string(marker)+"`")
			}
			if byte(c) == marker {
				s.i++
				break
			}
			if isEOL(c) {
				n := s.t.eolLen(s.i)
				val.WriteString(s.t.b[s.i : s.i+n])
				s.i += n
				if s.t.at(s.i) < 0 && s.t.lazyAt >= 0 && !s.allowLazy {
					s.p.fail(s.t.lazyAt, "Unexpected lazy line in container, expected line to be prefixed with `>` when in a block quote, whitespace when in a list, etc")
				}
				// Leading whitespace of the next line is not part of the value.
				for {
					r, w := s.rune()
					if r < 0 || !jsWhitespace(r) {
						break
					}
					s.i += w
				}
				continue
			}
			val.WriteByte(byte(c))
			s.i++
		}
		v := decodeEntities(val.String(), false)
		attr.Value = &v
		attr.Position.End = s.p.point(s.t.srcEnd(s.i))
		s.ws()
	case '{':
		value, next := s.p.scanExpr(s.t, s.i, exprAttr, s.allowLazy)
		s.i = next
		attr.Expr = &value
		attr.Position.End = s.p.point(s.t.srcEnd(next))
		s.ws()
	default:
		note := ""
		if r == '<' {
			note = " (note: to use an element or fragment as a prop value in MDX, use `{<element />}`)"
		}
		s.crash("before attribute value", "a character that can start an attribute value, such as `\"`, `'`, or `{`"+note)
	}
}

func (s *tagScanner) end() (*jsxTag, int, bool) {
	s.i++ // `>`
	s.tag.end = s.t.srcEnd(s.i)
	return s.tag, s.i, true
}
