package expr

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unsafe"

	"github.com/agentmark-go/agentmark/jsvalue"
)

var nan = math.NaN()

// normalize maps Go values that are not canonical jsvalue.Values (ints,
// maps, structs...) to canonical ones.
func normalize(v jsvalue.Value) jsvalue.Value {
	switch v.(type) {
	case nil, bool, float64, string, []jsvalue.Value, *jsvalue.Object:
		return v
	}
	if jsvalue.IsUndefined(v) {
		return v
	}
	return jsvalue.FromGo(v)
}

// isObject reports whether v is a JavaScript object (array or plain object).
func isObject(v jsvalue.Value) bool {
	switch v.(type) {
	case []jsvalue.Value, *jsvalue.Object:
		return true
	}
	return false
}

// ToText is stringifyValue (§B.5): what an {expression} renders as. Arrays
// are joined with "" (null/undefined items empty), other objects are
// JSON.stringify'd, everything else is String(v).
func ToText(v jsvalue.Value) string {
	v = normalize(v)
	switch t := v.(type) {
	case []jsvalue.Value:
		return joinArray(t, "")
	case *jsvalue.Object:
		s, _ := jsvalue.Stringify(t)
		return s
	}
	return ToString(v)
}

// ToString is JavaScript String(v).
func ToString(v jsvalue.Value) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case float64:
		return jsvalue.NumberToString(t)
	case []jsvalue.Value:
		return joinArray(t, ",")
	case *jsvalue.Object:
		return "[object Object]"
	}
	if jsvalue.IsUndefined(v) {
		return "undefined"
	}
	return ToString(normalize(v))
}

// joinArray is Array.prototype.join: null and undefined items are empty.
func joinArray(a []jsvalue.Value, sep string) string {
	switch len(a) {
	case 0:
		return ""
	case 1:
		return joinItem(a[0])
	}
	var b strings.Builder
	for i, e := range a {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(joinItem(e))
	}
	return b.String()
}

func joinItem(e jsvalue.Value) string {
	if e == nil || jsvalue.IsUndefined(e) {
		return ""
	}
	return ToString(e)
}

// toPrimitive is ToPrimitive for our value model: arrays and objects become
// their toString() result; primitives are returned as is.
func toPrimitive(v jsvalue.Value) jsvalue.Value {
	switch t := v.(type) {
	case []jsvalue.Value:
		return joinArray(t, ",")
	case *jsvalue.Object:
		return "[object Object]"
	}
	return v
}

// ToNumber is JavaScript Number(v).
func ToNumber(v jsvalue.Value) float64 {
	switch t := v.(type) {
	case float64:
		return t
	case string:
		return stringToNumber(t)
	case bool:
		if t {
			return 1
		}
		return 0
	case nil:
		return 0
	case []jsvalue.Value, *jsvalue.Object:
		return ToNumber(toPrimitive(t))
	}
	if jsvalue.IsUndefined(v) {
		return nan
	}
	return ToNumber(normalize(v))
}

// stringToNumber is StringToNumber: JS-trimmed, "" is 0, 0x/0o/0b integer
// literals, [+-]Infinity, decimal literals with optional exponent; anything
// else (including Go-only spellings like "inf", "1_0", "0x1p3") is NaN.
func stringToNumber(s string) float64 {
	s = jsvalue.TrimSpace(s)
	if s == "" {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			return parseRadix(s[2:], base)
		}
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body == "Infinity" {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	if !isDecimalLiteral(body) {
		return nan
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func parseRadix(digits string, base int) float64 {
	var n uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		default:
			return nan
		}
		if d >= base {
			return nan
		}
		if n > (1<<53)/uint64(base) {
			// Too large to accumulate exactly: round once, correctly.
			bi, ok := new(big.Int).SetString(digits, base)
			if !ok {
				return nan
			}
			f, _ := new(big.Float).SetInt(bi).Float64()
			return f
		}
		n = n*uint64(base) + uint64(d)
	}
	return float64(n)
}

// isDecimalLiteral matches (D+ (. D*)? | . D+) ([eE] [+-]? D+)?.
func isDecimalLiteral(s string) bool {
	i, n := 0, len(s)
	intDigits := 0
	for i < n && s[i] >= '0' && s[i] <= '9' {
		i++
		intDigits++
	}
	fracDigits := 0
	if i < n && s[i] == '.' {
		i++
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
			fracDigits++
		}
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := 0
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
			expDigits++
		}
		if expDigits == 0 {
			return false
		}
	}
	return i == n
}

// Truthy is JavaScript ToBoolean.
func Truthy(v jsvalue.Value) bool {
	switch t := v.(type) {
	case bool:
		return t
	case float64:
		return t != 0 && !math.IsNaN(t)
	case string:
		return t != ""
	case nil:
		return false
	}
	return !jsvalue.IsUndefined(v)
}

// sameRef is object identity for arrays and objects.
func sameRef(a, b jsvalue.Value) bool {
	switch x := a.(type) {
	case *jsvalue.Object:
		y, ok := b.(*jsvalue.Object)
		return ok && x == y
	case []jsvalue.Value:
		y, ok := b.([]jsvalue.Value)
		return ok && len(x) == len(y) && cap(x) == cap(y) && unsafe.SliceData(x) == unsafe.SliceData(y)
	}
	return false
}

func isNullish(v jsvalue.Value) bool { return v == nil || jsvalue.IsUndefined(v) }

// LooseEqual is JavaScript abstract equality (==).
func LooseEqual(a, b jsvalue.Value) bool {
	a, b = normalize(a), normalize(b)
	for {
		switch x := a.(type) {
		case float64:
			switch y := b.(type) {
			case float64:
				return x == y
			case string:
				return x == stringToNumber(y)
			case bool:
				b = ToNumber(y)
				continue
			case []jsvalue.Value, *jsvalue.Object:
				b = toPrimitive(y)
				continue
			}
			return false
		case string:
			switch y := b.(type) {
			case string:
				return x == y
			case float64:
				return stringToNumber(x) == y
			case bool:
				b = ToNumber(y)
				continue
			case []jsvalue.Value, *jsvalue.Object:
				b = toPrimitive(y)
				continue
			}
			return false
		case bool:
			if y, ok := b.(bool); ok {
				return x == y
			}
			a = ToNumber(x)
			continue
		case nil:
			return isNullish(b)
		case []jsvalue.Value, *jsvalue.Object:
			switch y := b.(type) {
			case []jsvalue.Value, *jsvalue.Object:
				return sameRef(x, y)
			case bool:
				b = ToNumber(y)
				continue
			case float64, string:
				a = toPrimitive(x)
				continue
			}
			return false
		}
		// undefined
		return isNullish(b)
	}
}

// lessThan is IsLessThan(x, y, LeftFirst) on primitives: 1 true, 0 false,
// -1 undefined (a NaN was involved).
func lessThan(px, py jsvalue.Value) int {
	if sx, ok := px.(string); ok {
		if sy, ok := py.(string); ok {
			if jsvalue.CompareUTF16(sx, sy) < 0 {
				return 1
			}
			return 0
		}
	}
	nx, ny := ToNumber(px), ToNumber(py)
	if math.IsNaN(nx) || math.IsNaN(ny) {
		return -1
	}
	if nx < ny {
		return 1
	}
	return 0
}

// compare applies a relational operator with JavaScript semantics.
func compare(op string, a, b jsvalue.Value) bool {
	pa, pb := toPrimitive(a), toPrimitive(b)
	switch op {
	case "<":
		return lessThan(pa, pb) == 1
	case ">":
		return lessThan(pb, pa) == 1
	case "<=":
		return lessThan(pb, pa) == 0
	default: // ">="
		return lessThan(pa, pb) == 0
	}
}

// add is the JavaScript + operator.
func add(a, b jsvalue.Value) jsvalue.Value {
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			return x + y
		}
	}
	pa, pb := toPrimitive(a), toPrimitive(b)
	sa, aStr := pa.(string)
	sb, bStr := pb.(string)
	if aStr || bStr {
		if !aStr {
			sa = ToString(pa)
		}
		if !bStr {
			sb = ToString(pb)
		}
		return sa + sb
	}
	return ToNumber(pa) + ToNumber(pb)
}
