package jsvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// ParseJSON decodes JSON text into a Value, keeping object key order.
// Like JSON.parse, a repeated key keeps its first position and last value.
func ParseJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("unexpected end of JSON input")
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := NewObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				obj.Set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return obj, nil
		case '[':
			// Capacity 1 gives every array, even an empty one, its own
			// identity (JavaScript == compares arrays by reference).
			arr := make([]Value, 0, 1)
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case json.Number:
		f, err := t.Float64()
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return f, nil
	default:
		return t, nil // string, bool or nil
	}
}

// Stringify is JavaScript's JSON.stringify(v): compact, JavaScript key order,
// undefined members dropped, undefined array items and non-finite numbers as
// null. The bool result is false when v itself is Undefined (JSON.stringify
// returns undefined then).
func Stringify(v Value) (string, bool) {
	if IsUndefined(v) {
		return "", false
	}
	var b strings.Builder
	writeJSON(&b, v, "", "")
	return b.String(), true
}

// StringifyIndent is JSON.stringify(v, null, indent).
func StringifyIndent(v Value, indent string) string {
	var b strings.Builder
	writeJSON(&b, v, indent, "")
	return b.String()
}

func writeJSON(b *strings.Builder, v Value, indent, cur string) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case undefined:
		b.WriteString("null")
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(NumberToString(t))
		}
	case string:
		QuoteJSON(b, t)
	case []Value:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		inner := cur + indent
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, indent, inner)
			writeJSON(b, e, indent, inner)
		}
		newline(b, indent, cur)
		b.WriteByte(']')
	case *Object:
		inner := cur + indent
		b.WriteByte('{')
		n := 0
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			if IsUndefined(e) {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			newline(b, indent, inner)
			QuoteJSON(b, k)
			b.WriteByte(':')
			if indent != "" {
				b.WriteByte(' ')
			}
			writeJSON(b, e, indent, inner)
		}
		if n > 0 {
			newline(b, indent, cur)
		}
		b.WriteByte('}')
	default:
		writeJSON(b, FromGo(v), indent, cur)
	}
}

func newline(b *strings.Builder, indent, cur string) {
	if indent != "" {
		b.WriteByte('\n')
		b.WriteString(cur)
	}
}

// QuoteJSON writes s as a JSON string the way JSON.stringify does (no HTML
// escaping; control characters as short escapes or \u00xx).
func QuoteJSON(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				if c < 0x20 {
					b.WriteString(`\u00`)
					b.WriteByte(hex[c>>4])
					b.WriteByte(hex[c&0xf])
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := decodeUnit(s, i)
		if r >= 0xD800 && r < 0xE000 {
			// A lone surrogate (WTF-8): JSON.stringify escapes it.
			b.WriteString(`\u`)
			b.WriteByte(hex[r>>12])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		} else if r == utf8.RuneError && size == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

// FromGo converts ordinary Go data (maps, slices, numbers, strings, and
// values that marshal with encoding/json) to a Value. Map keys come out
// sorted, since Go maps have no order.
func FromGo(x any) Value {
	switch t := x.(type) {
	case nil:
		return nil
	case undefined, bool, float64, string, *Object:
		return t
	case []Value:
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case int32:
		return float64(t)
	case uint:
		return float64(t)
	case uint64:
		return float64(t)
	case float32:
		return float64(t)
	case json.Number:
		f, _ := t.Float64()
		return f
	case []string:
		out := make([]Value, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case map[string]any:
		data, _ := json.Marshal(t)
		v, _ := ParseJSON(data)
		return v
	}
	data, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	v, err := ParseJSON(data)
	if err != nil {
		return fmt.Sprint(x)
	}
	return v
}

// MarshalJSON lets an *Object be passed to encoding/json.
func (o *Object) MarshalJSON() ([]byte, error) {
	s, _ := Stringify(o)
	return []byte(s), nil
}
