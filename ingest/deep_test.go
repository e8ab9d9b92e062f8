package ingest

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// nestedAttr builds a protobuf ExportTraceServiceRequest whose one span
// attribute is an array nested depth times.
func nestedAttr(depth int) []byte {
	v := protowire.AppendTag(nil, 1, protowire.BytesType) // AnyValue.string_value
	v = protowire.AppendString(v, "x")
	for i := 0; i < depth; i++ {
		arr := protowire.AppendTag(nil, 1, protowire.BytesType) // ArrayValue.values
		arr = protowire.AppendBytes(arr, v)
		nv := protowire.AppendTag(nil, 5, protowire.BytesType) // AnyValue.array_value
		v = protowire.AppendBytes(nv, arr)
	}
	kv := protowire.AppendTag(nil, 1, protowire.BytesType)
	kv = protowire.AppendString(kv, "deep")
	kv = protowire.AppendTag(kv, 2, protowire.BytesType)
	kv = protowire.AppendBytes(kv, v)
	sp := protowire.AppendTag(nil, 1, protowire.BytesType) // trace_id
	sp = protowire.AppendBytes(sp, []byte("0123456789abcdef"))
	sp = protowire.AppendTag(sp, 2, protowire.BytesType) // span_id
	sp = protowire.AppendBytes(sp, []byte("01234567"))
	sp = protowire.AppendTag(sp, 9, protowire.BytesType) // attributes
	sp = protowire.AppendBytes(sp, kv)
	ss := protowire.AppendTag(nil, 2, protowire.BytesType) // ScopeSpans.spans
	ss = protowire.AppendBytes(ss, sp)
	rs := protowire.AppendTag(nil, 2, protowire.BytesType) // ResourceSpans.scope_spans
	rs = protowire.AppendBytes(rs, ss)
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(req, rs)
}

// Deeply nested attribute values are decoded up to the decoder's recursion
// limit and rejected as a bad request beyond it (no stack exhaustion).
func TestDeepNesting(t *testing.T) {
	res, err := Process(nestedAttr(20), "application/x-protobuf", "", nil)
	if err != nil || len(res.Spans) != 1 {
		t.Fatalf("depth 20: %v", err)
	}
	v := res.Spans[0].SpanAttributes["deep"]
	for i := 0; i < 20; i++ {
		arr, ok := v.([]any)
		if !ok || len(arr) != 1 {
			t.Fatalf("level %d: %#v", i, v)
		}
		v = arr[0]
	}
	if v != "x" {
		t.Fatalf("leaf %#v", v)
	}
	_, err = Process(nestedAttr(5000), "application/x-protobuf", "", nil)
	badRequest(t, err, CodeProtobufDecodeFailed)
	// JSON nesting is bounded too.
	deep := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"` + tid + `","spanId":"eee19b7ec3c1b174","attributes":[{"key":"d","value":` +
		strings.Repeat(`{"arrayValue":{"values":[`, 100000) + strings.Repeat(`]}}`, 100000) + `}]}]}]}]}`
	if _, err := Process([]byte(deep), "application/json", "", nil); err == nil {
		t.Log("deep JSON accepted")
	}
}
