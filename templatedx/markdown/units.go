package markdown

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The reference works on UTF-16 strings: when it turns the first or last
// code unit of an astral character into a character reference, the other
// surrogate is left alone. We keep such orphaned surrogates as WTF-8
// (3-byte surrogate encodings) while serializing, so later steps see the
// same characters the reference sees, and turn them into U+FFFD at the end
// (what the reference's output becomes once encoded as UTF-8).

func isSurrogate(r rune) bool { return r >= 0xD800 && r <= 0xDFFF }

func wtf8(r rune) string {
	return string([]byte{0xED, byte(0x80 | (r>>6)&0x3F), byte(0x80 | r&0x3F)})
}

// decodeFirst decodes the first character of s, recognising WTF-8
// surrogates.
func decodeFirst(s string) (rune, int) {
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2]&0xC0 == 0x80 {
		return 0xD000 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return utf8.DecodeRuneInString(s)
}

// decodeLast decodes the last character of s, recognising WTF-8
// surrogates.
func decodeLast(s string) (rune, int) {
	if n := len(s); n >= 3 && s[n-3] == 0xED && s[n-2] >= 0xA0 && s[n-2] <= 0xBF && s[n-1]&0xC0 == 0x80 {
		return 0xD000 | rune(s[n-2]&0x3F)<<6 | rune(s[n-1]&0x3F), 3
	}
	return utf8.DecodeLastRuneInString(s)
}

func firstRuneOK(s string) (rune, bool) {
	if s == "" {
		return 0, false
	}
	r, _ := decodeFirst(s)
	return r, true
}

func lastRuneOK(s string) (rune, bool) {
	if s == "" {
		return 0, false
	}
	r, _ := decodeLast(s)
	return r, true
}

// firstUnit is the first UTF-16 code unit of s (-1 when empty).
func firstUnit(s string) rune {
	if s == "" {
		return -1
	}
	r, _ := decodeFirst(s)
	if r > 0xFFFF {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}

// sameFirstUnit is `value.slice(0, 1) === char` for a one-unit char.
func sameFirstUnit(value, char string) bool {
	return value != "" && firstUnit(value) == firstUnit(char)
}

// encodeFirstUnit replaces the first UTF-16 code unit of s (non-empty) by
// a character reference.
func (st *state) encodeFirstUnit(s string) string {
	r, size := decodeFirst(s)
	if r > 0xFFFF {
		hi, lo := utf16.EncodeRune(r)
		st.orphans = true
		return charRef(hi) + wtf8(lo) + s[size:]
	}
	return charRef(r) + s[size:]
}

// encodeLastUnit replaces the last UTF-16 code unit of s (non-empty) by a
// character reference.
func (st *state) encodeLastUnit(s string) string {
	r, size := decodeLast(s)
	if r > 0xFFFF {
		hi, lo := utf16.EncodeRune(r)
		st.orphans = true
		return s[:len(s)-size] + wtf8(hi) + charRef(lo)
	}
	return s[:len(s)-size] + charRef(r)
}

// fixOrphans replaces WTF-8 surrogates by U+FFFD.
func fixOrphans(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if r, n := decodeFirst(s[i:]); n == 3 && isSurrogate(r) {
			b.WriteString("\uFFFD")
			i += 3
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
