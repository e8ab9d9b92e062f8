package mdx

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

//go:generate sh -c "node testdata/gen/genent.mjs > entities_table.go"

// charRef matches a character reference at s[i] == '&' (micromark's
// character-reference construct). It returns the decoded text and the
// length of the reference, or ok false.
func charRef(s string, i int) (string, int, bool) {
	j := i + 1
	if j >= len(s) {
		return "", 0, false
	}
	if s[j] == '#' {
		j++
		hex := false
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			hex = true
			j++
		}
		start := j
		max := 7
		if hex {
			max = 6
		}
		for j < len(s) && j-start < max && (isDigit(s[j]) || (hex && isHex(s[j]))) {
			j++
		}
		if j == start || j >= len(s) || s[j] != ';' {
			return "", 0, false
		}
		base := 10
		if hex {
			base = 16
		}
		n, _ := strconv.ParseInt(s[start:j], base, 64)
		return decodeNumeric(n), j + 1 - i, true
	}
	start := j
	for j < len(s) && j-start < 31 && isAlnum(s[j]) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' {
		return "", 0, false
	}
	v, ok := entities[s[start:j]]
	if !ok {
		return "", 0, false
	}
	return v, j + 1 - i, true
}

// decodeNumeric is micromark-util-decode-numeric-character-reference.
func decodeNumeric(code int64) string {
	if code < 9 || code == 11 || (code > 13 && code < 32) || (code > 126 && code < 160) ||
		(code > 55295 && code < 57344) || (code > 64975 && code < 65008) ||
		code&65535 == 65535 || code&65535 == 65534 || code > 1114111 {
		return "\uFFFD"
	}
	return string(rune(code))
}

// decodeEntities decodes terminated character references (attribute
// values, like parse-entities with nonTerminated: false).
func decodeEntities(s string, _ bool) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if v, n, ok := charRef(s, i); ok {
				b.WriteString(v)
				i += n
				continue
			}
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+w])
		i += w
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }
func isAlnum(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
