package expr

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/jsvalue"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// BuiltinFilters returns a fresh map of the ten built-in filters: capitalize
// upper lower truncate abs join round replace urlencode dump.
func BuiltinFilters() map[string]Filter {
	return map[string]Filter{
		"capitalize": filterCapitalize,
		"upper":      filterUpper,
		"lower":      filterLower,
		"truncate":   filterTruncate,
		"abs":        filterAbs,
		"join":       filterJoin,
		"round":      filterRound,
		"replace":    filterReplace,
		"urlencode":  filterURLEncode,
		"dump":       filterDump,
	}
}

// arg is args[i], or undefined when the caller passed fewer arguments.
func arg(args []jsvalue.Value, i int) jsvalue.Value {
	if i < len(args) {
		return args[i]
	}
	return jsvalue.Undefined
}

func filterCapitalize(args []jsvalue.Value) (jsvalue.Value, error) {
	s, ok := arg(args, 0).(string)
	if !ok || s == "" {
		return arg(args, 0), nil
	}
	// s.charAt(0).toUpperCase() + s.slice(1): only the first UTF-16 unit.
	r, size := utf8.DecodeRuneInString(s)
	if r >= 0x10000 || (r == utf8.RuneError && size <= 1) {
		// A surrogate (half of a pair, or lone) upper-cases to itself.
		return s, nil
	}
	return toUpper(s[:size]) + s[size:], nil
}

func filterUpper(args []jsvalue.Value) (jsvalue.Value, error) {
	if s, ok := arg(args, 0).(string); ok {
		return toUpper(s), nil
	}
	return arg(args, 0), nil
}

func filterLower(args []jsvalue.Value) (jsvalue.Value, error) {
	if s, ok := arg(args, 0).(string); ok {
		return toLower(s), nil
	}
	return arg(args, 0), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// toUpper is String.prototype.toUpperCase (full, locale-independent
// Unicode case mapping).
func toUpper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	return mapValid(s, func(seg string) string { return cases.Upper(language.Und).String(seg) })
}

// toLower is String.prototype.toLowerCase.
func toLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return mapValid(s, func(seg string) string { return cases.Lower(language.Und).String(seg) })
}

// mapValid applies f to the valid UTF-8 runs of s, keeping lone surrogates
// (WTF-8) and other invalid bytes unchanged, as JavaScript does.
func mapValid(s string, f func(string) string) string {
	if utf8.ValidString(s) {
		return f(s)
	}
	var b strings.Builder
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			if start < i {
				b.WriteString(f(s[start:i]))
			}
			// A WTF-8 surrogate is three invalid bytes; copy them as is.
			n := 1
			if s[i] == 0xED && i+2 < len(s) {
				n = 3
			}
			b.WriteString(s[i : i+n])
			i += n
			start = i
			continue
		}
		i += size
	}
	if start < len(s) {
		b.WriteString(f(s[start:]))
	}
	return b.String()
}

func filterTruncate(args []jsvalue.Value) (jsvalue.Value, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return arg(args, 0), nil
	}
	n := arg(args, 1)
	length := float64(jsvalue.UTF16Len(s))
	// if (s.length <= n) return s
	if compare("<=", length, n) {
		return s, nil
	}
	// s.substring(0, n) + "..."
	end := length
	if !jsvalue.IsUndefined(n) {
		end = toIntegerOrInfinity(ToNumber(n))
		end = math.Max(0, math.Min(end, length))
	}
	return substringUnits(s, int(end)) + "...", nil
}

// toIntegerOrInfinity: NaN → 0, otherwise truncated toward zero.
func toIntegerOrInfinity(f float64) float64 {
	if math.IsNaN(f) {
		return 0
	}
	return math.Trunc(f)
}

// substringUnits is s.substring(0, end) on UTF-16 units.
func substringUnits(s string, end int) string {
	if end <= 0 {
		return ""
	}
	units := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			units++
			i++
			if units == end {
				return s[:i]
			}
			continue
		}
		// Slow path for the rest.
		u := jsvalue.ToUTF16(s)
		if end >= len(u) {
			return s
		}
		return jsvalue.FromUTF16(u[:end])
	}
	return s
}

func filterAbs(args []jsvalue.Value) (jsvalue.Value, error) {
	return math.Abs(ToNumber(arg(args, 0))), nil
}

func filterJoin(args []jsvalue.Value) (jsvalue.Value, error) {
	a, ok := arg(args, 0).([]jsvalue.Value)
	if !ok {
		return arg(args, 0), nil
	}
	sep := ", "
	if s := arg(args, 1); !jsvalue.IsUndefined(s) {
		sep = ToString(s)
	}
	return joinArray(a, sep), nil
}

// filterRound is Number(Math.round(Number(x + "e" + d)) + "e-" + d).
func filterRound(args []jsvalue.Value) (jsvalue.Value, error) {
	x := arg(args, 0)
	d := arg(args, 1)
	if jsvalue.IsUndefined(d) {
		d = 0.0
	}
	ds := ToString(toPrimitive(d))
	n := stringToNumber(ToString(toPrimitive(x)) + "e" + ds)
	r := mathRound(n)
	return stringToNumber(jsvalue.NumberToString(r) + "e-" + ds), nil
}

// mathRound is Math.round: the nearest integer, halves toward +Infinity,
// keeping -0 for inputs in [-0.5, -0].
func mathRound(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == math.Trunc(x) {
		return x
	}
	if x < 0 && x >= -0.5 {
		return math.Copysign(0, -1)
	}
	f := math.Floor(x)
	if x-f >= 0.5 {
		return f + 1
	}
	return f
}

func filterReplace(args []jsvalue.Value) (jsvalue.Value, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return arg(args, 0), nil
	}
	search := arg(args, 1)
	rep := ","
	if r := arg(args, 2); !jsvalue.IsUndefined(r) {
		rep = ToString(r)
	}
	if jsvalue.IsUndefined(search) {
		return s, nil // s.split(undefined) is [s]
	}
	sep := ToString(search)
	if sep == "" {
		// split("") splits into UTF-16 code units.
		if isASCII(s) {
			if len(s) <= 1 {
				return s, nil
			}
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				if i > 0 {
					b.WriteString(rep)
				}
				b.WriteByte(s[i])
			}
			return b.String(), nil
		}
		u := jsvalue.ToUTF16(s)
		parts := make([]string, len(u))
		for i, c := range u {
			parts[i] = jsvalue.FromUTF16([]uint16{c})
		}
		return strings.Join(parts, rep), nil
	}
	if jsvalue.HasLoneSurrogate(sep) || jsvalue.HasLoneSurrogate(s) {
		return splitJoinUnits(jsvalue.ToUTF16(s), jsvalue.ToUTF16(sep), rep), nil
	}
	return strings.ReplaceAll(s, sep, rep), nil
}

func splitJoinUnits(s, sep []uint16, rep string) string {
	var parts []string
	start := 0
	for i := 0; i+len(sep) <= len(s); {
		match := true
		for k := range sep {
			if s[i+k] != sep[k] {
				match = false
				break
			}
		}
		if match {
			parts = append(parts, jsvalue.FromUTF16(s[start:i]))
			i += len(sep)
			start = i
		} else {
			i++
		}
	}
	parts = append(parts, jsvalue.FromUTF16(s[start:]))
	return strings.Join(parts, rep)
}

func filterURLEncode(args []jsvalue.Value) (jsvalue.Value, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return arg(args, 0), nil
	}
	return encodeURIComponent(s)
}

// encodeURIComponent escapes everything except A-Z a-z 0-9 - _ . ! ~ * ' ( )
// as UTF-8 %XX; a lone surrogate is a URIError.
func encodeURIComponent(s string) (string, error) {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && unreserved(c) {
			b.WriteByte(c)
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 {
				return "", errorf("URI malformed")
			}
			for k := 0; k < size; k++ {
				b.WriteByte('%')
				b.WriteByte(hex[s[i+k]>>4])
				b.WriteByte(hex[s[i+k]&0xF])
			}
			i += size - 1
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
	return b.String(), nil
}

func unreserved(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-_.!~*'()", c) >= 0
}

func filterDump(args []jsvalue.Value) (jsvalue.Value, error) {
	s, ok := jsvalue.Stringify(arg(args, 0))
	if !ok {
		return jsvalue.Undefined, nil
	}
	return s, nil
}
