package markdown

import (
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// TrimJS trims s like JavaScript's String.prototype.trim: WhiteSpace
// (tab, VT, FF, space, NBSP, U+FEFF, Unicode Zs) and LineTerminator
// (LF, CR, U+2028, U+2029). Unlike strings.TrimSpace it trims U+FEFF and
// keeps U+0085.
func TrimJS(s string) string {
	start := 0
	for start < len(s) {
		r, size := utf8.DecodeRuneInString(s[start:])
		if !isJSWhitespace(r) {
			break
		}
		start += size
	}
	end := len(s)
	for end > start {
		r, size := utf8.DecodeLastRuneInString(s[start:end])
		if !isJSWhitespace(r) {
			break
		}
		end -= size
	}
	return s[start:end]
}

// isJSWhitespace is JavaScript's WhiteSpace ∪ LineTerminator (also what
// the regex class \s matches).
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// association is the label of a reference or definition: its label, or
// else its identifier with escapes and character references decoded.
func association(n *mdast.Node) string {
	if (n.Label != nil && *n.Label != "") || n.Identifier == "" {
		return deref(n.Label)
	}
	return decodeString(n.Identifier)
}

// decodeString decodes backslash escapes of ASCII punctuation and
// character references (micromark-util-decode-string).
func decodeString(v string) string {
	if strings.IndexByte(v, '\\') < 0 && strings.IndexByte(v, '&') < 0 {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) && isASCIIPunct(v[i+1]) {
			b.WriteByte(v[i+1])
			i++
			continue
		}
		if c == '&' {
			if dec, n, ok := decodeReference(v[i:]); ok {
				b.WriteString(dec)
				i += n - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHex(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// decodeReference decodes a character reference at the start of v
// (`&#123;`, `&#x1F;`, `&name;`; case-insensitive like the reference).
func decodeReference(v string) (string, int, bool) {
	if len(v) < 3 || v[0] != '&' {
		return "", 0, false
	}
	if v[1] == '#' {
		hex := len(v) > 2 && (v[2] == 'x' || v[2] == 'X')
		i, max, base := 2, 7, 10
		if hex {
			i, max, base = 3, 6, 16
		}
		j := i
		for j < len(v) && j-i < max && ((hex && isHex(v[j])) || (!hex && isDigit(v[j]))) {
			j++
		}
		if j == i || j >= len(v) || v[j] != ';' {
			return "", 0, false
		}
		code, _ := strconv.ParseInt(v[i:j], base, 64)
		return decodeNumeric(code), j + 1, true
	}
	j := 1
	for j < len(v) && j-1 < 31 && isAlnum(v[j]) {
		j++
	}
	if j == 1 || j >= len(v) || v[j] != ';' {
		return "", 0, false
	}
	ref := v[:j+1]
	dec := html.UnescapeString(ref)
	if dec == ref || (strings.HasSuffix(dec, ";") && ref != "&semi;") {
		// Unknown name (Go also decodes legacy prefixes like `&ampx;`).
		return ref, j + 1, true
	}
	return dec, j + 1, true
}

func decodeNumeric(code int64) string {
	if code < 9 || code == 11 || (code > 13 && code < 32) || (code > 126 && code < 160) ||
		(code > 55295 && code < 57344) || (code > 64975 && code < 65008) ||
		code&65535 == 65535 || code&65535 == 65534 || code > 1114111 {
		return "\uFFFD"
	}
	return string(rune(code))
}
