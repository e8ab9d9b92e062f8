package sqlcore

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/span"
)

// A fast encoder of the column values SpanArgs stores as JSON (attribute
// maps, events, links, metadata, tags) whose output is byte-for-byte what
// encoding/json.Marshal produces (sorted map keys, HTML-safe escaping,
// ES6 float formatting). Anything it does not know makes it give up, and
// the caller falls back to encoding/json.

var errFallback = errors.New("sqlcore: use encoding/json")

var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// marshalJSON is json.Marshal(v) for the types SpanArgs encodes.
func marshalJSON(v any) (string, error) {
	bp := encBufs.Get().(*[]byte)
	b, err := appendJSON((*bp)[:0], v)
	var s string
	if err == nil {
		s = string(b)
	}
	if cap(b) <= 1<<20 {
		*bp = b[:0]
		encBufs.Put(bp)
	}
	if err == errFallback {
		out, err := json.Marshal(v)
		return string(out), err
	}
	return s, err
}

func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return appendJSONFloat(b, x)
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, x[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case map[string]string:
		if x == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, x[k])
		}
		return append(b, '}'), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e)
		}
		return append(b, ']'), nil
	case []span.Event:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i := range x {
			e := &x[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"timeUnixNano":`...)
			b = strconv.AppendInt(b, e.TimeNs, 10)
			b = append(b, `,"name":`...)
			b = appendJSONString(b, e.Name)
			if len(e.Attributes) > 0 {
				b = append(b, `,"attributes":`...)
				var err error
				if b, err = appendJSON(b, e.Attributes); err != nil {
					return b, err
				}
			}
			b = append(b, '}')
		}
		return append(b, ']'), nil
	case []span.Link:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i := range x {
			l := &x[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"traceId":`...)
			b = appendJSONString(b, l.TraceID)
			b = append(b, `,"spanId":`...)
			b = appendJSONString(b, l.SpanID)
			if l.TraceState != "" {
				b = append(b, `,"traceState":`...)
				b = appendJSONString(b, l.TraceState)
			}
			if len(l.Attributes) > 0 {
				b = append(b, `,"attributes":`...)
				var err error
				if b, err = appendJSON(b, l.Attributes); err != nil {
					return b, err
				}
			}
			b = append(b, '}')
		}
		return append(b, ']'), nil
	}
	return b, errFallback
}

// appendJSONFloat is encoding/json's float64 encoding.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, errors.New("json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// jsonSafe marks the ASCII bytes encoding/json writes unescaped (with
// HTML escaping on).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding (HTML-safe).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
