package jsyaml

// Port of lib/dumper.js of js-yaml 4.1.0 (MIT License, see LICENSE.js-yaml)
// for the options AgentMark uses: yaml.dump(value, {lineWidth: -1}), i.e.
// indent 2, block style everywhere, single quotes preferred, no folding.

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/jsvalue"
)

const dumpIndent = 2

var deprecatedBooleans = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true, "off": true, "Off": true, "OFF": true,
}

var deprecatedBase60 = regexp.MustCompile(`^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$`)

var scientificWithoutDot = regexp.MustCompile(`^[-+]?[0-9]+e`)

// Dump encodes v like js-yaml's yaml.dump(v, {lineWidth: -1}), including the
// trailing newline. A top-level Undefined gives the empty string, as in js-yaml.
//
// The value is treated as a tree: js-yaml would emit &ref_N anchors for an
// object reachable twice, which cannot happen for values decoded from JSON
// or YAML by this module (they never share substructure).
func Dump(v jsvalue.Value) string {
	d, ok := writeNode(0, v, true, true, false)
	if !ok {
		return ""
	}
	return d + "\n"
}

func nextLine(level int) string {
	return "\n" + strings.Repeat(" ", dumpIndent*level)
}

// representScalar gives the implicit-type representation of non-string
// scalars (detectType with the implicit types).
func representScalar(v jsvalue.Value) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "null", true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	case float64:
		switch {
		case math.IsNaN(t):
			return ".nan", true
		case math.IsInf(t, 1):
			return ".inf", true
		case math.IsInf(t, -1):
			return "-.inf", true
		case t == 0 && math.Signbit(t):
			return "-0.0", true
		}
		res := jsvalue.NumberToString(t)
		if t != math.Trunc(t) && scientificWithoutDot.MatchString(res) {
			res = strings.Replace(res, "e", ".e", 1)
		}
		return res, true
	}
	return "", false
}

// writeNode returns the dump of v and false when v is not dumpable
// (Undefined).
func writeNode(level int, v jsvalue.Value, block, compact, isKey bool) (string, bool) {
	if s, ok := representScalar(v); ok {
		return s, true
	}
	inblock := block
	switch t := v.(type) {
	case *jsvalue.Object:
		if block && t.Len() != 0 {
			return writeBlockMapping(level, t, compact), true
		}
		return writeFlowMapping(level, t), true
	case []jsvalue.Value:
		if block && len(t) != 0 {
			return writeBlockSequence(level, t, compact), true
		}
		return writeFlowSequence(level, t), true
	case string:
		return writeScalar(t, level, isKey, inblock), true
	}
	if jsvalue.IsUndefined(v) {
		return "", false
	}
	return writeNode(level, jsvalue.FromGo(v), block, compact, isKey)
}

func writeFlowSequence(level int, arr []jsvalue.Value) string {
	var b strings.Builder
	for _, v := range arr {
		d, ok := writeNode(level, v, false, false, false)
		if !ok {
			d, ok = writeNode(level, nil, false, false, false)
		}
		if ok {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d)
		}
	}
	return "[" + b.String() + "]"
}

func writeBlockSequence(level int, arr []jsvalue.Value, compact bool) string {
	var b strings.Builder
	for _, v := range arr {
		d, ok := writeNode(level+1, v, true, true, false)
		if !ok {
			d, ok = writeNode(level+1, nil, true, true, false)
		}
		if !ok {
			continue
		}
		if !compact || b.Len() > 0 {
			b.WriteString(nextLine(level))
		}
		if d != "" && d[0] == '\n' {
			b.WriteString("-")
		} else {
			b.WriteString("- ")
		}
		b.WriteString(d)
	}
	if b.Len() == 0 {
		return "[]"
	}
	return b.String()
}

func writeFlowMapping(level int, obj *jsvalue.Object) string {
	var b strings.Builder
	for _, k := range obj.Keys() {
		val, _ := obj.Get(k)
		pair := ""
		if b.Len() > 0 {
			pair = ", "
		}
		kd, _ := writeNode(level, k, false, false, false)
		if len(kd) > 1024 {
			pair += "? "
		}
		pair += kd + ": "
		vd, ok := writeNode(level, val, false, false, false)
		if !ok {
			continue
		}
		b.WriteString(pair + vd)
	}
	return "{" + b.String() + "}"
}

func writeBlockMapping(level int, obj *jsvalue.Object, compact bool) string {
	var b strings.Builder
	for _, k := range obj.Keys() {
		val, _ := obj.Get(k)
		var pair strings.Builder
		if !compact || b.Len() > 0 {
			pair.WriteString(nextLine(level))
		}
		kd, _ := writeNode(level+1, k, true, true, true)
		explicitPair := len(kd) > 1024
		if explicitPair {
			if kd != "" && kd[0] == '\n' {
				pair.WriteString("?")
			} else {
				pair.WriteString("? ")
			}
		}
		pair.WriteString(kd)
		if explicitPair {
			pair.WriteString(nextLine(level))
		}
		vd, ok := writeNode(level+1, val, true, explicitPair, false)
		if !ok {
			continue
		}
		if vd != "" && vd[0] == '\n' {
			pair.WriteString(":")
		} else {
			pair.WriteString(": ")
		}
		pair.WriteString(vd)
		b.WriteString(pair.String())
	}
	if b.Len() == 0 {
		return "{}"
	}
	return b.String()
}

func isPrintable(c rune) bool {
	return (0x20 <= c && c <= 0x7E) ||
		(0xA1 <= c && c <= 0xD7FF && c != 0x2028 && c != 0x2029) ||
		(0xE000 <= c && c <= 0xFFFD && c != 0xFEFF) ||
		(0x10000 <= c && c <= 0x10FFFF)
}

func isWhitespaceRune(c rune) bool { return c == ' ' || c == '\t' }

func isNsCharOrWhitespace(c rune) bool {
	return isPrintable(c) && c != 0xFEFF && c != '\r' && c != '\n'
}

func isPlainSafe(c, prev rune, inblock bool) bool {
	cIsNsCharOrWhitespace := isNsCharOrWhitespace(c)
	cIsNsChar := cIsNsCharOrWhitespace && !isWhitespaceRune(c)
	var safe bool
	if inblock {
		safe = cIsNsCharOrWhitespace
	} else {
		safe = cIsNsCharOrWhitespace && c != ',' && c != '[' && c != ']' && c != '{' && c != '}'
	}
	return safe && c != '#' && !(prev == ':' && !cIsNsChar) ||
		(isNsCharOrWhitespace(prev) && !isWhitespaceRune(prev) && c == '#') ||
		(prev == ':' && cIsNsChar)
}

func isPlainSafeFirst(c rune) bool {
	return isPrintable(c) && c != 0xFEFF && !isWhitespaceRune(c) &&
		!strings.ContainsRune("-?:,[]{}#&*!|=>'\"%@`", c)
}

func isPlainSafeLast(c rune) bool { return !isWhitespaceRune(c) && c != ':' }

const (
	stylePlain = iota + 1
	styleSingle
	styleLiteral
	styleDouble
)

func testImplicitResolving(s string) bool {
	for _, t := range implicitTypes {
		if t.resolve(s) {
			return true
		}
	}
	return false
}

// lastCodeUnit is codePointAt(string, string.length - 1): the last UTF-16
// unit, i.e. a low surrogate for an astral last character.
func lastCodeUnit(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	if r >= 0x10000 {
		return 0xDC00 + (r-0x10000)&0x3FF
	}
	return r
}

func chooseScalarStyle(s string, singleLineOnly, inblock bool) int {
	first, _ := utf8.DecodeRuneInString(s)
	plain := isPlainSafeFirst(first) && isPlainSafeLast(lastCodeUnit(s))
	hasLineBreak := false
	prev := rune(-1)
	for _, c := range s {
		if !singleLineOnly && c == '\n' {
			hasLineBreak = true
		} else if !isPrintable(c) {
			return styleDouble
		}
		plain = plain && isPlainSafe(c, prev, inblock)
		prev = c
	}
	if !hasLineBreak {
		if plain && !testImplicitResolving(s) {
			return stylePlain
		}
		return styleSingle
	}
	return styleLiteral
}

func writeScalar(s string, level int, isKey, inblock bool) string {
	if s == "" {
		return "''"
	}
	if deprecatedBooleans[s] || deprecatedBase60.MatchString(s) {
		return "'" + s + "'"
	}
	indent := dumpIndent * max(1, level)
	switch chooseScalarStyle(s, isKey, inblock) {
	case stylePlain:
		return s
	case styleSingle:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	case styleLiteral:
		return "|" + blockHeader(s) + dropEndingNewline(indentString(s, indent))
	default:
		return "\"" + escapeString(s) + "\""
	}
}

var leadingSpace = regexp.MustCompile(`^\n* `)

func blockHeader(s string) string {
	indicator := ""
	if leadingSpace.MatchString(s) {
		indicator = "2"
	}
	clip := strings.HasSuffix(s, "\n")
	keep := clip && (strings.HasSuffix(s, "\n\n") || s == "\n")
	chomp := "-"
	if keep {
		chomp = "+"
	} else if clip {
		chomp = ""
	}
	return indicator + chomp + "\n"
}

func dropEndingNewline(s string) string {
	return strings.TrimSuffix(s, "\n")
}

func indentString(s string, spaces int) string {
	ind := strings.Repeat(" ", spaces)
	var b strings.Builder
	for len(s) > 0 {
		var line string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i+1], s[i+1:]
		} else {
			line, s = s, ""
		}
		if line != "\n" {
			b.WriteString(ind)
		}
		b.WriteString(line)
	}
	return b.String()
}

var escapeSequences = map[rune]string{
	0x00: `\0`, 0x07: `\a`, 0x08: `\b`, 0x09: `\t`, 0x0A: `\n`, 0x0B: `\v`, 0x0C: `\f`,
	0x0D: `\r`, 0x1B: `\e`, 0x22: `\"`, 0x5C: `\\`, 0x85: `\N`, 0xA0: `\_`,
	0x2028: `\L`, 0x2029: `\P`,
}

func escapeString(s string) string {
	var b strings.Builder
	for _, c := range s {
		if seq, ok := escapeSequences[c]; ok {
			b.WriteString(seq)
		} else if isPrintable(c) {
			b.WriteRune(c)
		} else {
			b.WriteString(encodeHex(c))
		}
	}
	return b.String()
}

func encodeHex(c rune) string {
	const hex = "0123456789ABCDEF"
	var handle byte
	var n int
	switch {
	case c <= 0xFF:
		handle, n = 'x', 2
	case c <= 0xFFFF:
		handle, n = 'u', 4
	default:
		handle, n = 'U', 8
	}
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = hex[c&0xF]
		c >>= 4
	}
	return "\\" + string(handle) + string(out)
}
