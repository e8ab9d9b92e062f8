package jsvalue

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Strings are Go UTF-8 strings. A JavaScript string may also hold lone
// surrogates (e.g. after slicing a surrogate pair in half); those are
// represented as WTF-8: the 3-byte generalized UTF-8 encoding of the
// surrogate code point (0xED 0xA0..0xBF 0x80..0xBF). Go's UTF-8 decoder sees
// such bytes as invalid; the helpers below understand them.

// IsSpace reports whether r is JavaScript white space or a line terminator
// (the set String.prototype.trim removes).
func IsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// TrimSpace is JavaScript's String.prototype.trim (unlike strings.TrimSpace
// it removes U+FEFF and keeps U+0085).
func TrimSpace(s string) string {
	return strings.TrimFunc(s, IsSpace)
}

// decodeUnit decodes one code point at s[i:], reporting WTF-8 lone
// surrogates as their surrogate value. Invalid bytes decode as U+FFFD.
func decodeUnit(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
		return 0xD000 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	}
	return utf8.DecodeRuneInString(s[i:])
}

// UTF16Len is the JavaScript length of s (UTF-16 code units).
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := decodeUnit(s, i)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// ToUTF16 returns the UTF-16 code units of s (lone surrogates kept).
func ToUTF16(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for i := 0; i < len(s); {
		r, size := decodeUnit(s, i)
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			out = append(out, uint16(r1), uint16(r2))
		} else {
			out = append(out, uint16(r))
		}
		i += size
	}
	return out
}

// FromUTF16 builds a string from UTF-16 code units; paired surrogates become
// one code point, lone surrogates are kept (as WTF-8).
func FromUTF16(u []uint16) string {
	var b strings.Builder
	b.Grow(len(u))
	for i := 0; i < len(u); i++ {
		c := rune(u[i])
		switch {
		case c < utf8.RuneSelf:
			b.WriteByte(byte(c))
		case c >= 0xD800 && c < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000:
			b.WriteRune(utf16.DecodeRune(c, rune(u[i+1])))
			i++
		case c >= 0xD800 && c < 0xE000:
			b.WriteByte(0xED)
			b.WriteByte(byte(0x80 | (c>>6)&0x3F))
			b.WriteByte(byte(0x80 | c&0x3F))
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// HasLoneSurrogate reports whether s holds a WTF-8 encoded lone surrogate.
func HasLoneSurrogate(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
			return true
		}
	}
	return false
}

// CompareUTF16 compares two strings by UTF-16 code units, like JavaScript's
// relational operators on strings. It returns -1, 0 or +1.
func CompareUTF16(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < utf8.RuneSelf && b[j] < utf8.RuneSelf {
			if a[i] != b[j] {
				if a[i] < b[j] {
					return -1
				}
				return 1
			}
			i++
			j++
			continue
		}
		ra, sa := decodeUnit(a, i)
		rb, sb := decodeUnit(b, j)
		if ra != rb {
			ua, ub := firstUnit(ra), firstUnit(rb)
			if ua != ub {
				if ua < ub {
					return -1
				}
				return 1
			}
			// Same lead unit: a surrogate pair against a lone surrogate or
			// two pairs sharing the high half. Compare the rest by units.
			return compareUnits(ToUTF16(a[i:]), ToUTF16(b[j:]))
		}
		i += sa
		j += sb
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

func firstUnit(r rune) uint16 {
	if r >= 0x10000 {
		r1, _ := utf16.EncodeRune(r)
		return uint16(r1)
	}
	return uint16(r)
}

func compareUnits(a, b []uint16) int {
	for k := 0; k < len(a) && k < len(b); k++ {
		if a[k] != b[k] {
			if a[k] < b[k] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
