package jsyaml

// This file is a Go port of lib/loader.js of js-yaml 4.1.0
// (Copyright (C) 2011-2015 by Vitaly Puzrin, MIT License; see LICENSE.js-yaml
// in this directory). The structure follows the original closely so that
// behaviour, error messages and error positions stay identical.
//
// The input is processed as UTF-16 code units, like JavaScript strings, so
// that column numbers and surrogate handling match js-yaml exactly.

import (
	"strings"
	"unicode/utf16"

	"github.com/agentmark-go/agentmark/jsvalue"
)

const (
	contextFlowIn   = 1
	contextFlowOut  = 2
	contextBlockIn  = 3
	contextBlockOut = 4

	chompingClip  = 1
	chompingStrip = 2
	chompingKeep  = 3
)

// noTag marks "no tag / no anchor" (JavaScript null); the input can never
// contain a NUL, so no real tag or anchor can be equal to it.
const noTag = "\x00"

// seqNode is a YAML sequence under construction. It is a pointer so that
// anchors keep JavaScript reference semantics while the sequence grows.
type seqNode struct{ items []any }

// dateNode is a JavaScript Date (milliseconds since the epoch, UTC).
type dateNode struct{ ms float64 }

// binaryNode is a JavaScript Uint8Array (from !!binary).
type binaryNode struct{ b []byte }

type loaderState struct {
	input  []uint16 // with a terminating 0
	length int      // without the terminator

	position       int
	line           int
	lineStart      int
	lineIndent     int
	firstTabInLine int

	documents []any

	version         string
	checkLineBreaks bool
	tagMap          map[string]string
	anchorMap       map[string]any

	tag    string
	anchor string
	kind   string
	result any
}

type yamlPanic struct{ err *Error }

func (s *loaderState) ch(p int) int {
	if p < 0 || p >= len(s.input) {
		return -1 // NaN in JavaScript: equal to nothing
	}
	return int(s.input[p])
}

func (s *loaderState) slice(a, b int) []uint16 {
	if b > len(s.input) {
		b = len(s.input)
	}
	if a > b {
		return nil
	}
	return s.input[a:b]
}

func (s *loaderState) throwError(msg string) {
	panic(yamlPanic{&Error{
		Reason:   msg,
		Line:     s.line + 1,
		Column:   s.position - s.lineStart + 1,
		position: s.position,
	}})
}

func isEOL(c int) bool        { return c == 0x0A || c == 0x0D }
func isWhiteSpace(c int) bool { return c == 0x09 || c == 0x20 }
func isWsOrEOL(c int) bool    { return c == 0x09 || c == 0x20 || c == 0x0A || c == 0x0D }
func isFlowIndicator(c int) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

func fromHexCode(c int) int {
	if '0' <= c && c <= '9' {
		return c - '0'
	}
	lc := c | 0x20
	if 'a' <= lc && lc <= 'f' {
		return lc - 'a' + 10
	}
	return -1
}

func escapedHexLen(c int) int {
	switch c {
	case 'x':
		return 2
	case 'u':
		return 4
	case 'U':
		return 8
	}
	return 0
}

func fromDecimalCode(c int) int {
	if '0' <= c && c <= '9' {
		return c - '0'
	}
	return -1
}

func simpleEscapeSequence(c int) (uint16, bool) {
	switch c {
	case '0':
		return 0x00, true
	case 'a':
		return 0x07, true
	case 'b':
		return 0x08, true
	case 't', 0x09:
		return 0x09, true
	case 'n':
		return 0x0A, true
	case 'v':
		return 0x0B, true
	case 'f':
		return 0x0C, true
	case 'r':
		return 0x0D, true
	case 'e':
		return 0x1B, true
	case ' ':
		return ' ', true
	case '"':
		return '"', true
	case '/':
		return '/', true
	case '\\':
		return '\\', true
	case 'N':
		return 0x85, true
	case '_':
		return 0xA0, true
	case 'L':
		return 0x2028, true
	case 'P':
		return 0x2029, true
	}
	return 0, false
}

func appendCodepoint(buf []uint16, c int) []uint16 {
	if c <= 0xFFFF {
		return append(buf, uint16(c))
	}
	return append(buf, uint16(((c-0x10000)>>10)+0xD800), uint16(((c-0x10000)&0x3FF)+0xDC00))
}

// hasNonPrintable is PATTERN_NON_PRINTABLE.
func hasNonPrintable(s []uint16) bool {
	for i, c := range s {
		switch {
		case c <= 0x08, c == 0x0B, c == 0x0C, c >= 0x0E && c <= 0x1F,
			c >= 0x7F && c <= 0x84, c >= 0x86 && c <= 0x9F, c == 0xFFFE, c == 0xFFFF:
			return true
		case c >= 0xD800 && c <= 0xDBFF:
			if i+1 >= len(s) || s[i+1] < 0xDC00 || s[i+1] > 0xDFFF {
				return true
			}
		case c >= 0xDC00 && c <= 0xDFFF:
			if i == 0 || s[i-1] < 0xD800 || s[i-1] > 0xDBFF {
				return true
			}
		}
	}
	return false
}

func (s *loaderState) captureSegment(buf []uint16, start, end int, checkJSON bool) []uint16 {
	if start < end {
		seg := s.slice(start, end)
		if checkJSON {
			for _, c := range seg {
				if !(c == 0x09 || c >= 0x20) {
					s.throwError("expected valid JSON character")
				}
			}
		} else if hasNonPrintable(seg) {
			s.throwError("the stream contains non-printable characters")
		}
		buf = append(buf, seg...)
	}
	return buf
}

// jsIsObject is common.isObject: typeof x === 'object' && x !== null.
func jsIsObject(v any) bool {
	switch v.(type) {
	case *jsvalue.Object, *seqNode, dateNode, binaryNode:
		return true
	}
	return false
}

// ownEntries returns Object.keys(v) and the matching values.
func ownEntries(v any) ([]string, []any) {
	switch t := v.(type) {
	case *jsvalue.Object:
		keys := t.Keys()
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i], _ = t.Get(k)
		}
		return keys, vals
	case *seqNode:
		keys := make([]string, len(t.items))
		for i := range t.items {
			keys[i] = itoa(i)
		}
		return keys, append([]any(nil), t.items...)
	case binaryNode:
		keys := make([]string, len(t.b))
		vals := make([]any, len(t.b))
		for i, b := range t.b {
			keys[i] = itoa(i)
			vals[i] = float64(b)
		}
		return keys, vals
	}
	return nil, nil
}

func (s *loaderState) mergeMappings(dest *jsvalue.Object, source any, overridable map[string]bool) {
	if !jsIsObject(source) {
		s.throwError("cannot merge mappings; the provided source object is unacceptable")
	}
	keys, vals := ownEntries(source)
	for i, k := range keys {
		if !dest.Has(k) {
			dest.Set(k, vals[i])
			overridable[k] = true
		}
	}
}

// keyString is String(keyNode) after js-yaml's key sanitising.
func (s *loaderState) keyString(key any) string {
	if seq, ok := key.(*seqNode); ok {
		parts := make([]string, len(seq.items))
		for i, it := range seq.items {
			switch it.(type) {
			case *seqNode:
				s.throwError("nested arrays are not supported inside keys")
			case *jsvalue.Object:
				parts[i] = "[object Object]"
				continue
			}
			if it == nil {
				parts[i] = ""
			} else {
				parts[i] = jsString(it)
			}
		}
		return strings.Join(parts, ",")
	}
	if _, ok := key.(*jsvalue.Object); ok {
		return "[object Object]"
	}
	return jsString(key)
}

func (s *loaderState) storeMappingPair(result *jsvalue.Object, overridable map[string]bool, keyTag string,
	keyNode, valueNode any, startLine, startLineStart, startPos int) *jsvalue.Object {
	key := s.keyString(keyNode)
	if result == nil {
		result = jsvalue.NewObject()
	}
	if keyTag == "tag:yaml.org,2002:merge" {
		if seq, ok := valueNode.(*seqNode); ok {
			for _, it := range seq.items {
				s.mergeMappings(result, it, overridable)
			}
		} else {
			s.mergeMappings(result, valueNode, overridable)
		}
	} else {
		if !overridable[key] && result.Has(key) {
			if startLine != 0 {
				s.line = startLine
			}
			if startLineStart != 0 {
				s.lineStart = startLineStart
			}
			if startPos != 0 {
				s.position = startPos
			}
			s.throwError("duplicated mapping key")
		}
		result.Set(key, valueNode)
		delete(overridable, key)
	}
	return result
}

func (s *loaderState) readLineBreak() {
	c := s.ch(s.position)
	if c == 0x0A {
		s.position++
	} else if c == 0x0D {
		s.position++
		if s.ch(s.position) == 0x0A {
			s.position++
		}
	} else {
		s.throwError("a line break is expected")
	}
	s.line++
	s.lineStart = s.position
	s.firstTabInLine = -1
}

func (s *loaderState) skipSeparationSpace(allowComments bool, checkIndent int) int {
	lineBreaks := 0
	c := s.ch(s.position)
	for c != 0 {
		for isWhiteSpace(c) {
			if c == 0x09 && s.firstTabInLine == -1 {
				s.firstTabInLine = s.position
			}
			s.position++
			c = s.ch(s.position)
		}
		if allowComments && c == '#' {
			for {
				s.position++
				c = s.ch(s.position)
				if c == 0x0A || c == 0x0D || c == 0 {
					break
				}
			}
		}
		if isEOL(c) {
			s.readLineBreak()
			c = s.ch(s.position)
			lineBreaks++
			s.lineIndent = 0
			for c == ' ' {
				s.lineIndent++
				s.position++
				c = s.ch(s.position)
			}
		} else {
			break
		}
	}
	// 'deficient indentation' is only a warning in js-yaml.
	return lineBreaks
}

func (s *loaderState) testDocumentSeparator() bool {
	p := s.position
	c := s.ch(p)
	if (c == '-' || c == '.') && c == s.ch(p+1) && c == s.ch(p+2) {
		p += 3
		c = s.ch(p)
		if c == 0 || isWsOrEOL(c) {
			return true
		}
	}
	return false
}

func writeFoldedLines(buf []uint16, count int) []uint16 {
	if count == 1 {
		buf = append(buf, ' ')
	} else if count > 1 {
		for i := 0; i < count-1; i++ {
			buf = append(buf, '\n')
		}
	}
	return buf
}

func (s *loaderState) readPlainScalar(nodeIndent int, withinFlowCollection bool) bool {
	c := s.ch(s.position)
	if isWsOrEOL(c) || isFlowIndicator(c) || c == '#' || c == '&' || c == '*' || c == '!' ||
		c == '|' || c == '>' || c == '\'' || c == '"' || c == '%' || c == '@' || c == '`' {
		return false
	}
	if c == '?' || c == '-' {
		following := s.ch(s.position + 1)
		if isWsOrEOL(following) || withinFlowCollection && isFlowIndicator(following) {
			return false
		}
	}

	var buf []uint16
	captureStart, captureEnd := s.position, s.position
	hasPendingContent := false
	var line, lineStart, lineIndent int

	for c != 0 {
		if c == ':' {
			following := s.ch(s.position + 1)
			if isWsOrEOL(following) || withinFlowCollection && isFlowIndicator(following) {
				break
			}
		} else if c == '#' {
			preceding := s.ch(s.position - 1)
			if isWsOrEOL(preceding) {
				break
			}
		} else if (s.position == s.lineStart && s.testDocumentSeparator()) ||
			withinFlowCollection && isFlowIndicator(c) {
			break
		} else if isEOL(c) {
			line = s.line
			lineStart = s.lineStart
			lineIndent = s.lineIndent
			s.skipSeparationSpace(false, -1)
			if s.lineIndent >= nodeIndent {
				hasPendingContent = true
				c = s.ch(s.position)
				continue
			}
			s.position = captureEnd
			s.line = line
			s.lineStart = lineStart
			s.lineIndent = lineIndent
			break
		}

		if hasPendingContent {
			buf = s.captureSegment(buf, captureStart, captureEnd, false)
			buf = writeFoldedLines(buf, s.line-line)
			captureStart, captureEnd = s.position, s.position
			hasPendingContent = false
		}
		if !isWhiteSpace(c) {
			captureEnd = s.position + 1
		}
		s.position++
		c = s.ch(s.position)
	}
	buf = s.captureSegment(buf, captureStart, captureEnd, false)

	if len(buf) > 0 {
		s.kind = "scalar"
		s.result = decodeUTF16(buf)
		return true
	}
	return false
}

func (s *loaderState) readSingleQuotedScalar(nodeIndent int) bool {
	c := s.ch(s.position)
	if c != '\'' {
		return false
	}
	s.kind = "scalar"
	s.result = ""
	var buf []uint16
	s.position++
	captureStart, captureEnd := s.position, s.position

	for {
		c = s.ch(s.position)
		if c == 0 || c == -1 {
			break
		}
		if c == '\'' {
			buf = s.captureSegment(buf, captureStart, s.position, true)
			s.position++
			c = s.ch(s.position)
			if c == '\'' {
				captureStart = s.position
				s.position++
				captureEnd = s.position
			} else {
				s.result = decodeUTF16(buf)
				return true
			}
		} else if isEOL(c) {
			buf = s.captureSegment(buf, captureStart, captureEnd, true)
			buf = writeFoldedLines(buf, s.skipSeparationSpace(false, nodeIndent))
			captureStart, captureEnd = s.position, s.position
		} else if s.position == s.lineStart && s.testDocumentSeparator() {
			s.throwError("unexpected end of the document within a single quoted scalar")
		} else {
			s.position++
			captureEnd = s.position
		}
	}
	s.throwError("unexpected end of the stream within a single quoted scalar")
	return false
}

func (s *loaderState) readDoubleQuotedScalar(nodeIndent int) bool {
	c := s.ch(s.position)
	if c != '"' {
		return false
	}
	s.kind = "scalar"
	s.result = ""
	var buf []uint16
	s.position++
	captureStart, captureEnd := s.position, s.position

	for {
		c = s.ch(s.position)
		if c == 0 || c == -1 {
			break
		}
		if c == '"' {
			buf = s.captureSegment(buf, captureStart, s.position, true)
			s.position++
			s.result = decodeUTF16(buf)
			return true
		} else if c == '\\' {
			buf = s.captureSegment(buf, captureStart, s.position, true)
			s.position++
			c = s.ch(s.position)
			if isEOL(c) {
				s.skipSeparationSpace(false, nodeIndent)
			} else if e, ok := simpleEscapeSequence(c); ok && c < 256 {
				buf = append(buf, e)
				s.position++
			} else if n := escapedHexLen(c); n > 0 {
				hex := 0
				for ; n > 0; n-- {
					s.position++
					c = s.ch(s.position)
					if d := fromHexCode(c); d >= 0 {
						hex = (hex << 4) + d
					} else {
						s.throwError("expected hexadecimal character")
					}
				}
				buf = appendCodepointJS(buf, hex)
				s.position++
			} else {
				s.throwError("unknown escape sequence")
			}
			captureStart, captureEnd = s.position, s.position
		} else if isEOL(c) {
			buf = s.captureSegment(buf, captureStart, captureEnd, true)
			buf = writeFoldedLines(buf, s.skipSeparationSpace(false, nodeIndent))
			captureStart, captureEnd = s.position, s.position
		} else if s.position == s.lineStart && s.testDocumentSeparator() {
			s.throwError("unexpected end of the document within a double quoted scalar")
		} else {
			s.position++
			captureEnd = s.position
		}
	}
	s.throwError("unexpected end of the stream within a double quoted scalar")
	return false
}

// appendCodepointJS is charFromCodepoint: (hexResult << 4) in JavaScript is
// a 32-bit operation, and String.fromCharCode truncates to 16 bits.
func appendCodepointJS(buf []uint16, c int) []uint16 {
	c32 := int32(uint32(c))
	if c32 <= 0xFFFF {
		return append(buf, uint16(c32))
	}
	hi := ((c32 - 0x10000) >> 10) + 0xD800
	lo := ((c32 - 0x10000) & 0x3FF) + 0xDC00
	return append(buf, uint16(hi), uint16(lo))
}

func (s *loaderState) readFlowCollection(nodeIndent int) bool {
	readNext := true
	tag := s.tag
	anchor := s.anchor
	overridable := map[string]bool{}

	c := s.ch(s.position)
	var terminator int
	var isMapping bool
	var seqRes *seqNode
	var mapRes *jsvalue.Object
	var res any
	if c == '[' {
		terminator = ']'
		seqRes = &seqNode{items: []any{}}
		res = seqRes
	} else if c == '{' {
		terminator = '}'
		isMapping = true
		mapRes = jsvalue.NewObject()
		res = mapRes
	} else {
		return false
	}
	if s.anchor != noTag {
		s.anchorMap[s.anchor] = res
	}
	s.position++
	c = s.ch(s.position)

	for c != 0 {
		s.skipSeparationSpace(true, nodeIndent)
		c = s.ch(s.position)
		if c == terminator {
			s.position++
			s.tag = tag
			s.anchor = anchor
			if isMapping {
				s.kind = "mapping"
			} else {
				s.kind = "sequence"
			}
			s.result = res
			return true
		} else if !readNext {
			s.throwError("missed comma between flow collection entries")
		} else if c == ',' {
			s.throwError("expected the node content, but found ','")
		}

		var keyTag string
		var keyNode, valueNode any
		isPair, isExplicitPair := false, false

		if c == '?' {
			following := s.ch(s.position + 1)
			if isWsOrEOL(following) {
				isPair, isExplicitPair = true, true
				s.position++
				s.skipSeparationSpace(true, nodeIndent)
			}
		}

		line := s.line
		lineStart := s.lineStart
		pos := s.position
		s.composeNode(nodeIndent, contextFlowIn, false, true)
		keyTag = s.tag
		keyNode = s.result
		s.skipSeparationSpace(true, nodeIndent)

		c = s.ch(s.position)
		if (isExplicitPair || s.line == line) && c == ':' {
			isPair = true
			s.position++
			s.skipSeparationSpace(true, nodeIndent)
			s.composeNode(nodeIndent, contextFlowIn, false, true)
			valueNode = s.result
		}

		if isMapping {
			s.storeMappingPair(mapRes, overridable, keyTag, keyNode, valueNode, line, lineStart, pos)
		} else if isPair {
			seqRes.items = append(seqRes.items, s.storeMappingPair(nil, overridable, keyTag, keyNode, valueNode, line, lineStart, pos))
		} else {
			seqRes.items = append(seqRes.items, keyNode)
		}

		s.skipSeparationSpace(true, nodeIndent)
		c = s.ch(s.position)
		if c == ',' {
			readNext = true
			s.position++
			c = s.ch(s.position)
		} else {
			readNext = false
		}
	}
	s.throwError("unexpected end of the stream within a flow collection")
	return false
}

func repeatNL(buf []uint16, n int) []uint16 {
	for i := 0; i < n; i++ {
		buf = append(buf, '\n')
	}
	return buf
}

func (s *loaderState) readBlockScalar(nodeIndent int) bool {
	chomping := chompingClip
	didReadContent := false
	detectedIndent := false
	textIndent := nodeIndent
	emptyLines := 0
	atMoreIndented := false
	var folding bool

	c := s.ch(s.position)
	if c == '|' {
		folding = false
	} else if c == '>' {
		folding = true
	} else {
		return false
	}
	s.kind = "scalar"
	s.result = ""
	var buf []uint16

	for c != 0 {
		s.position++
		c = s.ch(s.position)
		if c == '+' || c == '-' {
			if chomping == chompingClip {
				if c == '+' {
					chomping = chompingKeep
				} else {
					chomping = chompingStrip
				}
			} else {
				s.throwError("repeat of a chomping mode identifier")
			}
		} else if tmp := fromDecimalCode(c); tmp >= 0 {
			if tmp == 0 {
				s.throwError("bad explicit indentation width of a block scalar; it cannot be less than one")
			} else if !detectedIndent {
				textIndent = nodeIndent + tmp - 1
				detectedIndent = true
			} else {
				s.throwError("repeat of an indentation width identifier")
			}
		} else {
			break
		}
	}

	if isWhiteSpace(c) {
		for {
			s.position++
			c = s.ch(s.position)
			if !isWhiteSpace(c) {
				break
			}
		}
		if c == '#' {
			for {
				s.position++
				c = s.ch(s.position)
				if isEOL(c) || c == 0 {
					break
				}
			}
		}
	}

	for c != 0 {
		s.readLineBreak()
		s.lineIndent = 0
		c = s.ch(s.position)
		for (!detectedIndent || s.lineIndent < textIndent) && c == ' ' {
			s.lineIndent++
			s.position++
			c = s.ch(s.position)
		}
		if !detectedIndent && s.lineIndent > textIndent {
			textIndent = s.lineIndent
		}
		if isEOL(c) {
			emptyLines++
			continue
		}
		if s.lineIndent < textIndent {
			if chomping == chompingKeep {
				if didReadContent {
					buf = repeatNL(buf, 1+emptyLines)
				} else {
					buf = repeatNL(buf, emptyLines)
				}
			} else if chomping == chompingClip {
				if didReadContent {
					buf = append(buf, '\n')
				}
			}
			break
		}
		if folding {
			if isWhiteSpace(c) {
				atMoreIndented = true
				if didReadContent {
					buf = repeatNL(buf, 1+emptyLines)
				} else {
					buf = repeatNL(buf, emptyLines)
				}
			} else if atMoreIndented {
				atMoreIndented = false
				buf = repeatNL(buf, emptyLines+1)
			} else if emptyLines == 0 {
				if didReadContent {
					buf = append(buf, ' ')
				}
			} else {
				buf = repeatNL(buf, emptyLines)
			}
		} else {
			if didReadContent {
				buf = repeatNL(buf, 1+emptyLines)
			} else {
				buf = repeatNL(buf, emptyLines)
			}
		}
		didReadContent = true
		detectedIndent = true
		emptyLines = 0
		captureStart := s.position
		for !isEOL(c) && c != 0 {
			s.position++
			c = s.ch(s.position)
		}
		buf = s.captureSegment(buf, captureStart, s.position, false)
	}
	s.result = decodeUTF16(buf)
	return true
}

func (s *loaderState) readBlockSequence(nodeIndent int) bool {
	tag := s.tag
	anchor := s.anchor
	res := &seqNode{items: []any{}}
	detected := false

	if s.firstTabInLine != -1 {
		return false
	}
	if s.anchor != noTag {
		s.anchorMap[s.anchor] = res
	}
	c := s.ch(s.position)
	for c != 0 {
		if s.firstTabInLine != -1 {
			s.position = s.firstTabInLine
			s.throwError("tab characters must not be used in indentation")
		}
		if c != '-' {
			break
		}
		following := s.ch(s.position + 1)
		if !isWsOrEOL(following) {
			break
		}
		detected = true
		s.position++
		if s.skipSeparationSpace(true, -1) != 0 {
			if s.lineIndent <= nodeIndent {
				res.items = append(res.items, nil)
				c = s.ch(s.position)
				continue
			}
		}
		line := s.line
		s.composeNode(nodeIndent, contextBlockIn, false, true)
		res.items = append(res.items, s.result)
		s.skipSeparationSpace(true, -1)
		c = s.ch(s.position)
		if (s.line == line || s.lineIndent > nodeIndent) && c != 0 {
			s.throwError("bad indentation of a sequence entry")
		} else if s.lineIndent < nodeIndent {
			break
		}
	}
	if detected {
		s.tag = tag
		s.anchor = anchor
		s.kind = "sequence"
		s.result = res
		return true
	}
	return false
}

func (s *loaderState) readBlockMapping(nodeIndent, flowIndent int) bool {
	var allowCompact bool
	var keyLine, keyLineStart, keyPos int
	tag := s.tag
	anchor := s.anchor
	res := jsvalue.NewObject()
	overridable := map[string]bool{}
	keyTag := noTag
	var keyNode, valueNode any
	atExplicitKey := false
	detected := false

	if s.firstTabInLine != -1 {
		return false
	}
	if s.anchor != noTag {
		s.anchorMap[s.anchor] = res
	}
	c := s.ch(s.position)
	for c != 0 {
		if !atExplicitKey && s.firstTabInLine != -1 {
			s.position = s.firstTabInLine
			s.throwError("tab characters must not be used in indentation")
		}
		following := s.ch(s.position + 1)
		line := s.line

		if (c == '?' || c == ':') && isWsOrEOL(following) {
			if c == '?' {
				if atExplicitKey {
					s.storeMappingPair(res, overridable, keyTag, keyNode, nil, keyLine, keyLineStart, keyPos)
					keyTag, keyNode, valueNode = noTag, nil, nil
				}
				detected = true
				atExplicitKey = true
				allowCompact = true
			} else if atExplicitKey {
				atExplicitKey = false
				allowCompact = true
			} else {
				s.throwError("incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line")
			}
			s.position++
			c = following
		} else {
			keyLine = s.line
			keyLineStart = s.lineStart
			keyPos = s.position
			if !s.composeNode(flowIndent, contextFlowOut, false, true) {
				break
			}
			if s.line == line {
				c = s.ch(s.position)
				for isWhiteSpace(c) {
					s.position++
					c = s.ch(s.position)
				}
				if c == ':' {
					s.position++
					c = s.ch(s.position)
					if !isWsOrEOL(c) {
						s.throwError("a whitespace character is expected after the key-value separator within a block mapping")
					}
					if atExplicitKey {
						s.storeMappingPair(res, overridable, keyTag, keyNode, nil, keyLine, keyLineStart, keyPos)
						keyTag, keyNode, valueNode = noTag, nil, nil
					}
					detected = true
					atExplicitKey = false
					allowCompact = false
					keyTag = s.tag
					keyNode = s.result
				} else if detected {
					s.throwError("can not read an implicit mapping pair; a colon is missed")
				} else {
					s.tag = tag
					s.anchor = anchor
					return true
				}
			} else if detected {
				s.throwError("can not read a block mapping entry; a multiline key may not be an implicit key")
			} else {
				s.tag = tag
				s.anchor = anchor
				return true
			}
		}

		if s.line == line || s.lineIndent > nodeIndent {
			if atExplicitKey {
				keyLine = s.line
				keyLineStart = s.lineStart
				keyPos = s.position
			}
			if s.composeNode(nodeIndent, contextBlockOut, true, allowCompact) {
				if atExplicitKey {
					keyNode = s.result
				} else {
					valueNode = s.result
				}
			}
			if !atExplicitKey {
				s.storeMappingPair(res, overridable, keyTag, keyNode, valueNode, keyLine, keyLineStart, keyPos)
				keyTag, keyNode, valueNode = noTag, nil, nil
			}
			s.skipSeparationSpace(true, -1)
			c = s.ch(s.position)
		}

		if (s.line == line || s.lineIndent > nodeIndent) && c != 0 {
			s.throwError("bad indentation of a mapping entry")
		} else if s.lineIndent < nodeIndent {
			break
		}
	}

	if atExplicitKey {
		s.storeMappingPair(res, overridable, keyTag, keyNode, nil, keyLine, keyLineStart, keyPos)
	}
	if detected {
		s.tag = tag
		s.anchor = anchor
		s.kind = "mapping"
		s.result = res
	}
	return detected
}

func isTagHandle(h string) bool {
	// /^(?:!|!!|![a-z\-]+!)$/i
	if h == "!" || h == "!!" {
		return true
	}
	if len(h) < 3 || h[0] != '!' || h[len(h)-1] != '!' {
		return false
	}
	for _, c := range h[1 : len(h)-1] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isTagURI is PATTERN_TAG_URI:
// /^(?:!|[^,\[\]\{\}])(?:%[0-9a-f]{2}|[0-9a-z\-#;\/\?:@&=\+\$,_\.!~\*'\(\)\[\]])*$/i
func isTagURI(u []uint16) bool {
	if len(u) == 0 {
		return false
	}
	if c := u[0]; c == ',' || c == '[' || c == ']' || c == '{' || c == '}' {
		return false
	}
	const allowed = "-#;/?:@&=+$,_.!~*'()[]"
	for i := 1; i < len(u); i++ {
		c := u[i]
		if c == '%' {
			if i+2 < len(u) && u[i+1] < 128 && u[i+2] < 128 && isHexDigit(byte(u[i+1])) && isHexDigit(byte(u[i+2])) {
				i += 2
				continue
			}
			return false
		}
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			continue
		}
		if c < 128 && strings.IndexByte(allowed, byte(c)) >= 0 {
			continue
		}
		return false
	}
	return true
}

// decodeURIComponent returns false when the input is malformed.
func decodeURIComponent(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
			return "", false
		}
		out = append(out, byte(fromHexCode(int(s[i+1]))<<4|fromHexCode(int(s[i+2]))))
		i += 2
	}
	if !validUTF8(out) {
		return "", false
	}
	return string(out), true
}

func (s *loaderState) readTagProperty() bool {
	isVerbatim, isNamed := false, false
	var tagHandle string
	var tagName []uint16

	c := s.ch(s.position)
	if c != '!' {
		return false
	}
	if s.tag != noTag {
		s.throwError("duplication of a tag property")
	}
	s.position++
	c = s.ch(s.position)
	if c == '<' {
		isVerbatim = true
		s.position++
		c = s.ch(s.position)
	} else if c == '!' {
		isNamed = true
		tagHandle = "!!"
		s.position++
		c = s.ch(s.position)
	} else {
		tagHandle = "!"
	}
	pos := s.position

	if isVerbatim {
		for {
			s.position++
			c = s.ch(s.position)
			if c == 0 || c == '>' || c == -1 {
				break
			}
		}
		if s.position < s.length {
			tagName = s.slice(pos, s.position)
			s.position++
			c = s.ch(s.position)
		} else {
			s.throwError("unexpected end of the stream within a verbatim tag")
		}
	} else {
		for c != 0 && c != -1 && !isWsOrEOL(c) {
			if c == '!' {
				if !isNamed {
					tagHandle = decodeUTF16(s.slice(pos-1, s.position+1))
					if !isTagHandle(tagHandle) {
						s.throwError("named tag handle cannot contain such characters")
					}
					isNamed = true
					pos = s.position + 1
				} else {
					s.throwError("tag suffix cannot contain exclamation marks")
				}
			}
			s.position++
			c = s.ch(s.position)
		}
		tagName = s.slice(pos, s.position)
		for _, t := range tagName {
			if t == ',' || t == '[' || t == ']' || t == '{' || t == '}' {
				s.throwError("tag suffix cannot contain flow indicator characters")
			}
		}
	}

	name := decodeUTF16(tagName)
	if len(tagName) > 0 && !isTagURI(tagName) {
		s.throwError("tag name cannot contain such characters: " + name)
	}
	dec, ok := decodeURIComponent(name)
	if !ok {
		s.throwError("tag name is malformed: " + name)
	}
	name = dec

	if isVerbatim {
		s.tag = name
	} else if prefix, ok := s.tagMap[tagHandle]; ok {
		s.tag = prefix + name
	} else if tagHandle == "!" {
		s.tag = "!" + name
	} else if tagHandle == "!!" {
		s.tag = "tag:yaml.org,2002:" + name
	} else {
		s.throwError("undeclared tag handle \"" + tagHandle + "\"")
	}
	return true
}

func (s *loaderState) readAnchorProperty() bool {
	c := s.ch(s.position)
	if c != '&' {
		return false
	}
	if s.anchor != noTag {
		s.throwError("duplication of an anchor property")
	}
	s.position++
	c = s.ch(s.position)
	pos := s.position
	for c != 0 && c != -1 && !isWsOrEOL(c) && !isFlowIndicator(c) {
		s.position++
		c = s.ch(s.position)
	}
	if s.position == pos {
		s.throwError("name of an anchor node must contain at least one character")
	}
	s.anchor = decodeUTF16(s.slice(pos, s.position))
	return true
}

func (s *loaderState) readAlias() bool {
	c := s.ch(s.position)
	if c != '*' {
		return false
	}
	s.position++
	c = s.ch(s.position)
	pos := s.position
	for c != 0 && c != -1 && !isWsOrEOL(c) && !isFlowIndicator(c) {
		s.position++
		c = s.ch(s.position)
	}
	if s.position == pos {
		s.throwError("name of an alias node must contain at least one character")
	}
	alias := decodeUTF16(s.slice(pos, s.position))
	v, ok := s.anchorMap[alias]
	if !ok {
		s.throwError("unidentified alias \"" + alias + "\"")
	}
	s.result = v
	s.skipSeparationSpace(true, -1)
	return true
}

func (s *loaderState) composeNode(parentIndent, nodeContext int, allowToSeek, allowCompact bool) bool {
	indentStatus := 1
	atNewLine := false
	hasContent := false

	s.tag = noTag
	s.anchor = noTag
	s.kind = ""
	s.result = nil

	allowBlockStyles := nodeContext == contextBlockOut || nodeContext == contextBlockIn
	allowBlockScalars := allowBlockStyles
	allowBlockCollections := allowBlockStyles

	setIndentStatus := func() {
		if s.lineIndent > parentIndent {
			indentStatus = 1
		} else if s.lineIndent == parentIndent {
			indentStatus = 0
		} else {
			indentStatus = -1
		}
	}

	if allowToSeek {
		if s.skipSeparationSpace(true, -1) != 0 {
			atNewLine = true
			setIndentStatus()
		}
	}

	if indentStatus == 1 {
		for s.readTagProperty() || s.readAnchorProperty() {
			if s.skipSeparationSpace(true, -1) != 0 {
				atNewLine = true
				allowBlockCollections = allowBlockStyles
				setIndentStatus()
			} else {
				allowBlockCollections = false
			}
		}
	}

	if allowBlockCollections {
		allowBlockCollections = atNewLine || allowCompact
	}

	if indentStatus == 1 || nodeContext == contextBlockOut {
		var flowIndent int
		if nodeContext == contextFlowIn || nodeContext == contextFlowOut {
			flowIndent = parentIndent
		} else {
			flowIndent = parentIndent + 1
		}
		blockIndent := s.position - s.lineStart

		if indentStatus == 1 {
			if allowBlockCollections && (s.readBlockSequence(blockIndent) || s.readBlockMapping(blockIndent, flowIndent)) ||
				s.readFlowCollection(flowIndent) {
				hasContent = true
			} else {
				if (allowBlockScalars && s.readBlockScalar(flowIndent)) ||
					s.readSingleQuotedScalar(flowIndent) ||
					s.readDoubleQuotedScalar(flowIndent) {
					hasContent = true
				} else if s.readAlias() {
					hasContent = true
					if s.tag != noTag || s.anchor != noTag {
						s.throwError("alias node should not have any properties")
					}
				} else if s.readPlainScalar(flowIndent, nodeContext == contextFlowIn) {
					hasContent = true
					if s.tag == noTag {
						s.tag = "?"
					}
				}
				if s.anchor != noTag {
					s.anchorMap[s.anchor] = s.result
				}
			}
		} else if indentStatus == 0 {
			hasContent = allowBlockCollections && s.readBlockSequence(blockIndent)
		}
	}

	if s.tag == noTag {
		if s.anchor != noTag {
			s.anchorMap[s.anchor] = s.result
		}
	} else if s.tag == "?" {
		if s.result != nil && s.kind != "scalar" {
			s.throwError("unacceptable node kind for !<?> tag; it should be \"scalar\", not \"" + s.kind + "\"")
		}
		str, _ := s.result.(string)
		for _, t := range implicitTypes {
			if t.resolve(s.result) {
				s.result = t.construct(str)
				s.tag = t.tag
				if s.anchor != noTag {
					s.anchorMap[s.anchor] = s.result
				}
				break
			}
		}
	} else if s.tag != "!" {
		kind := s.kind
		if kind == "" {
			kind = "fallback"
		}
		t := lookupType(kind, s.tag)
		if t == nil {
			s.throwError("unknown tag !<" + s.tag + ">")
		}
		if s.result != nil && t.kind != s.kind {
			s.throwError("unacceptable node kind for !<" + s.tag + "> tag; it should be \"" + t.kind + "\", not \"" + s.kind + "\"")
		}
		if !t.resolve(s.result) {
			s.throwError("cannot resolve a node with !<" + s.tag + "> explicit tag")
		} else {
			s.result = t.constructAny(s.result)
			if s.anchor != noTag {
				s.anchorMap[s.anchor] = s.result
			}
		}
	}
	return s.tag != noTag || s.anchor != noTag || hasContent
}

func (s *loaderState) readDocument() {
	hasDirectives := false
	s.version = ""
	s.checkLineBreaks = false
	s.tagMap = map[string]string{}
	s.anchorMap = map[string]any{}

	for s.ch(s.position) != 0 {
		s.skipSeparationSpace(true, -1)
		c := s.ch(s.position)
		if s.lineIndent > 0 || c != '%' {
			break
		}
		hasDirectives = true
		s.position++
		c = s.ch(s.position)
		pos := s.position
		for c != 0 && !isWsOrEOL(c) {
			s.position++
			c = s.ch(s.position)
		}
		name := decodeUTF16(s.slice(pos, s.position))
		var args []string
		if len(name) < 1 {
			s.throwError("directive name must not be less than one character in length")
		}
		for c != 0 {
			for isWhiteSpace(c) {
				s.position++
				c = s.ch(s.position)
			}
			if c == '#' {
				for {
					s.position++
					c = s.ch(s.position)
					if c == 0 || isEOL(c) {
						break
					}
				}
				break
			}
			if isEOL(c) {
				break
			}
			pos = s.position
			for c != 0 && !isWsOrEOL(c) {
				s.position++
				c = s.ch(s.position)
			}
			args = append(args, decodeUTF16(s.slice(pos, s.position)))
		}
		if c != 0 {
			s.readLineBreak()
		}
		switch name {
		case "YAML":
			s.yamlDirective(args)
		case "TAG":
			s.tagDirective(args)
		}
		// unknown directives are only a warning in js-yaml
	}

	s.skipSeparationSpace(true, -1)

	if s.lineIndent == 0 && s.ch(s.position) == '-' && s.ch(s.position+1) == '-' && s.ch(s.position+2) == '-' {
		s.position += 3
		s.skipSeparationSpace(true, -1)
	} else if hasDirectives {
		s.throwError("directives end mark is expected")
	}

	s.composeNode(s.lineIndent-1, contextBlockOut, false, true)
	s.skipSeparationSpace(true, -1)

	s.documents = append(s.documents, s.result)

	if s.position == s.lineStart && s.testDocumentSeparator() {
		if s.ch(s.position) == '.' {
			s.position += 3
			s.skipSeparationSpace(true, -1)
		}
		return
	}
	if s.position < s.length-1 {
		s.throwError("end of the stream or a document separator is expected")
	}
}

func (s *loaderState) yamlDirective(args []string) {
	if s.version != "" {
		s.throwError("duplication of %YAML directive")
	}
	if len(args) != 1 {
		s.throwError("YAML directive accepts exactly one argument")
	}
	major, minor, ok := parseVersion(args[0])
	if !ok {
		s.throwError("ill-formed argument of the YAML directive")
	}
	if major != 1 {
		s.throwError("unacceptable YAML version of the document")
	}
	s.version = args[0]
	s.checkLineBreaks = minor < 2
}

func parseVersion(v string) (int, int, bool) {
	a, b, ok := strings.Cut(v, ".")
	if !ok || a == "" || b == "" {
		return 0, 0, false
	}
	for _, c := range a + b {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	return atoiSat(a), atoiSat(b), true
}

func atoiSat(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			return 1 << 30
		}
	}
	return n
}

func (s *loaderState) tagDirective(args []string) {
	if len(args) != 2 {
		s.throwError("TAG directive accepts exactly two arguments")
	}
	handle, prefix := args[0], args[1]
	if !isTagHandle(handle) {
		s.throwError("ill-formed tag handle (first argument) of the TAG directive")
	}
	if _, ok := s.tagMap[handle]; ok {
		s.throwError("there is a previously declared suffix for \"" + handle + "\" tag handle")
	}
	if !isTagURI(utf16.Encode([]rune(prefix))) {
		s.throwError("ill-formed tag prefix (second argument) of the TAG directive")
	}
	dec, ok := decodeURIComponent(prefix)
	if !ok {
		s.throwError("tag prefix is malformed: " + prefix)
	}
	s.tagMap[handle] = dec
}

// loadDocuments is js-yaml's loadDocuments.
func loadDocuments(src string) (docs []any, err error) {
	input := utf16.Encode([]rune(src))
	bom := 0
	if len(input) != 0 {
		if last := input[len(input)-1]; last != 0x0A && last != 0x0D {
			input = append(input, '\n')
		}
		if input[0] == 0xFEFF {
			input = input[1:]
			bom = 3
		}
	}
	s := &loaderState{input: input, length: len(input), firstTabInLine: -1, tag: noTag, anchor: noTag}

	defer func() {
		if r := recover(); r != nil {
			p, ok := r.(yamlPanic)
			if !ok {
				panic(r)
			}
			p.err.computeOffset(s.input, bom)
			docs, err = nil, p.err
		}
	}()

	for i, c := range input {
		if c == 0 {
			s.position = i
			s.throwError("null byte is not allowed in input")
		}
	}
	s.input = append(s.input, 0)

	for s.ch(s.position) == ' ' {
		s.lineIndent++
		s.position++
	}
	for s.position < s.length-1 {
		s.readDocument()
	}
	return s.documents, nil
}
