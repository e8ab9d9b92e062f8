package normalize

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	jsoniter "github.com/json-iterator/go"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// unsafeKeys are attribute / metadata keys that are always dropped (they
// are prototype-pollution vectors in the JS implementations; dropping them
// keeps stored data identical across implementations).
func unsafeKey(k string) bool {
	return k == "__proto__" || k == "constructor" || k == "prototype"
}

// Value converts an OTLP attribute value to a JSON-friendly Go value:
// string, bool, int64, float64, []any, map[string]any, or (for bytes) a
// base64 string. An empty value is nil.
func Value(v pcommon.Value) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return v.Double()
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		out := make([]any, s.Len())
		for i := 0; i < s.Len(); i++ {
			out[i] = Value(s.At(i))
		}
		return out
	case pcommon.ValueTypeMap:
		return Attributes(v.Map())
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	}
	return nil
}

// Attributes converts an OTLP attribute map (see Value). Unsafe keys are
// dropped. The result is never nil.
func Attributes(m pcommon.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for k, v := range m.All() {
		if unsafeKey(k) {
			continue
		}
		out[k] = Value(v)
	}
	return out
}

// jsString is JavaScript's String(v) for attribute values, except that
// objects are rendered as compact JSON rather than "[object Object]".
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return jsNumber(x)
	case json.Number:
		return x.String()
	case []any:
		var b strings.Builder
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsString(e))
		}
		return b.String()
	default:
		return compactJSON(x)
	}
}

// jsNumber formats a float the way JavaScript's Number#toString does for
// the common cases (integers without ".0", shortest round-trip otherwise).
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	// Go: 1e+21, 1e-07; JS: 1e+21, 1e-7.
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		s = mant + "e" + string(sign) + exp
	}
	return s
}

// truthy is JavaScript truthiness.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	}
	return true
}

// firstTruthy returns the first truthy value among the keys (JS `a || b`).
func (a attrs) firstTruthy(keys ...string) any {
	for _, k := range keys {
		if v := a[k]; truthy(v) {
			return v
		}
	}
	return nil
}

// str returns v as a string when it is one.
func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// number returns v as a float when it is a number (numbers only).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// intNumber returns v as an integer when it is a number (numbers only; the
// AgentMark and OTel GenAI transformers ignore string token counts).
func intNumber(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false
		}
		return int64(x), true
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true
		}
		if f, err := x.Float64(); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

// parseTokens reads a token count: numbers, numeric strings (parseInt
// semantics) and JSON strings of the form {"intValue":n}.
func parseTokens(v any) (int64, bool) {
	if i, ok := intNumber(v); ok {
		return i, true
	}
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if s[0] == '{' {
		var iv struct {
			IntValue json.RawMessage `json:"intValue"`
		}
		if json.Unmarshal([]byte(s), &iv) == nil && len(iv.IntValue) > 0 {
			raw := strings.Trim(string(iv.IntValue), `"`)
			if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return i, true
			}
		}
		return 0, false
	}
	return parseIntPrefix(s)
}

// parseIntPrefix is JavaScript parseInt(s, 10): optional sign and the
// leading run of digits.
func parseIntPrefix(s string) (int64, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:j], 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// parseJSON parses s as JSON, keeping numbers exact (json.Number).
func parseJSON(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, false
	}
	// Fast reject: JSON text starts with one of these.
	switch t[0] {
	case '{', '[', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
	default:
		return nil, false
	}
	var v any
	if err := fastJSON.UnmarshalFromString(t, &v); err != nil {
		return nil, false
	}
	return v, true
}

// fastJSON is encoding/json-compatible (sorted map keys, json.Number for
// numbers, no HTML escaping) and several times faster on interface trees.
var fastJSON = jsoniter.Config{
	EscapeHTML:             false,
	SortMapKeys:            true,
	UseNumber:              true,
	ValidateJsonRawMessage: true,
}.Froze()

// maybeJSON parses v when it is a string holding JSON, else returns v.
func maybeJSON(v any) any {
	if s, ok := v.(string); ok {
		if p, ok := parseJSON(s); ok {
			return p
		}
	}
	return v
}

// compactJSON marshals v compactly without HTML escaping.
func compactJSON(v any) string {
	b, err := fastJSON.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func rawJSON(v any) json.RawMessage {
	b, err := fastJSON.Marshal(v)
	if err != nil || len(b) == 0 {
		return nil
	}
	return json.RawMessage(b)
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}
