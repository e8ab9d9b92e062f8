package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"sort"
	"strconv"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Grouping is the friendly grouping of traces: session, user, trace name,
// tags and metadata. Attributes maps it to span attributes exactly as the
// cross-language golden vectors (grouping-attributes.json) require.
// Empty strings, empty tag lists and nil metadata values are omitted.
type Grouping struct {
	SessionID   string
	SessionName string
	UserID      string
	TraceName   string
	Tags        []string
	// Metadata values: strings as they are, numbers and booleans as
	// JavaScript's String() prints them, objects and arrays as compact JSON.
	Metadata map[string]any
}

// IsZero reports whether g sets nothing.
func (g Grouping) IsZero() bool {
	return g.SessionID == "" && g.SessionName == "" && g.UserID == "" && g.TraceName == "" &&
		len(g.Tags) == 0 && len(g.Metadata) == 0
}

// Merge returns g with inner's fields laid over it: non-empty fields of
// inner win, tags are replaced when inner has some, metadata is merged
// key by key (inner wins).
func (g Grouping) Merge(inner Grouping) Grouping {
	out := g
	if inner.SessionID != "" {
		out.SessionID = inner.SessionID
	}
	if inner.SessionName != "" {
		out.SessionName = inner.SessionName
	}
	if inner.UserID != "" {
		out.UserID = inner.UserID
	}
	if inner.TraceName != "" {
		out.TraceName = inner.TraceName
	}
	if len(inner.Tags) > 0 {
		out.Tags = inner.Tags
	}
	if len(inner.Metadata) > 0 {
		m := make(map[string]any, len(g.Metadata)+len(inner.Metadata))
		maps.Copy(m, g.Metadata)
		maps.Copy(m, inner.Metadata)
		out.Metadata = m
	}
	return out
}

// Attributes are the span attributes of g (§B.6), metadata keys sorted.
func (g Grouping) Attributes() []attribute.KeyValue {
	var out []attribute.KeyValue
	add := func(k, v string) {
		if v != "" {
			out = append(out, attribute.String(k, v))
		}
	}
	add(AttrSessionID, g.SessionID)
	add(AttrSessionName, g.SessionName)
	add(AttrUserID, g.UserID)
	add(AttrTraceName, g.TraceName)
	if len(g.Tags) > 0 {
		add(AttrTags, compactJSON(g.Tags))
	}
	keys := make([]string, 0, len(g.Metadata))
	for k := range g.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s, ok := MetadataString(g.Metadata[k]); ok {
			out = append(out, attribute.String(AttrMetadataPrefix+k, s))
		}
	}
	return out
}

// MetadataString is the attribute value of one metadata value: false for
// nil (omitted), strings unchanged, numbers and booleans as JavaScript's
// String(v), anything else compact JSON.
func MetadataString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int8, int16, int32, int64:
		return strconv.FormatInt(reflect.ValueOf(x).Int(), 10), true
	case uint, uint8, uint16, uint32, uint64:
		return strconv.FormatUint(reflect.ValueOf(x).Uint(), 10), true
	case float32:
		return jsNumber(float64(x)), true
	case float64:
		return jsNumber(x), true
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return jsNumber(f), true
		}
		return x.String(), true
	case fmt.Stringer:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "", false
		}
		return x.String(), true
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return "", false
	}
	return compactJSON(v), true
}

func jsNumber(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	return jsvalue.NumberToString(f)
}

// compactJSON is JSON.stringify(v): compact, no HTML escaping. Strings
// are quoted. *jsvalue.Object and other jsvalue values are supported.
func compactJSON(v any) string {
	switch x := v.(type) {
	case json.RawMessage:
		var b bytes.Buffer
		if json.Compact(&b, x) == nil {
			return b.String()
		}
		return string(x)
	case *jsvalue.Object, []jsvalue.Value:
		s, _ := jsvalue.Stringify(x)
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if s, ok := jsvalue.Stringify(jsvalue.FromGo(v)); ok {
			return s
		}
		return fmt.Sprint(v)
	}
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}

// ioString is how recorded inputs and outputs look: strings as they are
// (not quoted), raw JSON compacted, anything else compact JSON; cut to
// maxIOChars.
func ioString(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		s = compactJSON(v)
	}
	if len(s) > maxIOChars {
		s = s[:maxIOChars]
	}
	return s
}

type groupingKey struct{}

// WithAgentMark returns a context whose spans carry g: every span started
// under it through this package (and every span of a Provider built by
// New/Init, whatever tracer starts it) gets g's attributes. Nested calls
// merge, inner wins (upstream's withAgentMark).
func WithAgentMark(ctx context.Context, g Grouping) context.Context {
	return context.WithValue(ctx, groupingKey{}, GroupingFromContext(ctx).Merge(g))
}

// GroupingFromContext is the grouping set on ctx by WithAgentMark, Trace
// or Span.
func GroupingFromContext(ctx context.Context) Grouping {
	if ctx == nil {
		return Grouping{}
	}
	g, _ := ctx.Value(groupingKey{}).(Grouping)
	return g
}
