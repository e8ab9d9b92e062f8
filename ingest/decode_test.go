package ingest

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/ingest/normalize"
)

const tid = "5b8efff798038103d269b633813fc60c"

func oneSpanJSON(attrs string) string {
	return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
"scopeSpans":[{"scope":{"name":"agentmark","version":"1.0"},"spans":[{"traceId":"` + tid + `","spanId":"eee19b7ec3c1b174",
"parentSpanId":"eee19b7ec3c1b173","name":"s","kind":3,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",
"attributes":[` + attrs + `],"status":{"code":"STATUS_CODE_ERROR","message":"bad"},
"events":[{"timeUnixNano":"1544712660500000000","name":"ev","attributes":[{"key":"k","value":{"intValue":"3"}}]}],
"links":[{"traceId":"` + tid + `","spanId":"eee19b7ec3c1b170","traceState":"a=b"}]}]}]}]}`
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func badRequest(t *testing.T, err error, code string) {
	t.Helper()
	var br *BadRequestError
	if !errors.As(err, &br) {
		t.Fatalf("want *BadRequestError %s, got %T %v", code, err, err)
	}
	if br.Code != code || br.StatusCode() != 400 || br.Error() == "" {
		t.Errorf("code %q (%d) %q, want %s", br.Code, br.StatusCode(), br.Error(), code)
	}
}

func TestDecodeJSONFields(t *testing.T) {
	body := oneSpanJSON(`{"key":"str","value":{"stringValue":"x"}},{"key":"int","value":{"intValue":"12"}},
{"key":"intn","value":{"intValue":7}},{"key":"dbl","value":{"doubleValue":1.5}},{"key":"b","value":{"boolValue":true}},
{"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"2"}]}}},
{"key":"kv","value":{"kvlistValue":{"values":[{"key":"inner","value":{"stringValue":"v"}}]}}},
{"key":"bytes","value":{"bytesValue":"aGVsbG8="}},{"key":"__proto__","value":{"stringValue":"evil"}},
{"key":"agentmark.metadata.constructor","value":{"stringValue":"evil"}},{"key":"agentmark.metadata.ok","value":{"stringValue":"fine"}}`)
	res, err := Process([]byte(body), "application/json; charset=utf-8", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Spans) != 1 || len(res.Rejected) != 0 {
		t.Fatalf("%+v", res)
	}
	s := res.Spans[0]
	eq(t, "trace id hex", s.TraceID, tid)
	eq(t, "span id", s.SpanID, "eee19b7ec3c1b174")
	eq(t, "parent", s.ParentSpanID, "eee19b7ec3c1b173")
	eq(t, "kind", s.Kind, "3")
	eq(t, "status", s.StatusCode, "2")
	eq(t, "status message", s.StatusMsg, "bad")
	eq(t, "start", s.StartTimeNs, int64(1544712660000000000))
	eq(t, "duration", s.DurationMs(), 1000.0)
	eq(t, "service", s.ServiceName, "svc")
	want := map[string]any{
		"str": "x", "int": int64(12), "intn": int64(7), "dbl": 1.5, "b": true,
		"arr":                            []any{"a", int64(2)},
		"kv":                             map[string]any{"inner": "v"},
		"bytes":                          "aGVsbG8=",
		"agentmark.metadata.constructor": "evil", "agentmark.metadata.ok": "fine",
	}
	if !reflect.DeepEqual(s.SpanAttributes, want) {
		t.Errorf("attributes\n got %#v\nwant %#v", s.SpanAttributes, want)
	}
	if !reflect.DeepEqual(s.Metadata, map[string]string{"ok": "fine"}) {
		t.Errorf("unsafe metadata key kept: %v", s.Metadata)
	}
	if len(s.Events) != 1 || s.Events[0].TimeNs != 1544712660500000000 || s.Events[0].Attributes["k"] != int64(3) {
		t.Errorf("events %+v", s.Events)
	}
	if len(s.Links) != 1 || s.Links[0].TraceID != tid || s.Links[0].SpanID != "eee19b7ec3c1b170" || s.Links[0].TraceState != "a=b" {
		t.Errorf("links %+v", s.Links)
	}
}

func TestDecodeEncodings(t *testing.T) {
	body := []byte(oneSpanJSON(""))
	var zbuf bytes.Buffer
	zw := zlib.NewWriter(&zbuf)
	zw.Write(body)
	zw.Close()
	pb, err := os.ReadFile(filepath.Join("testdata", "gosdk-mastra.pb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		body     []byte
		ct, ce   string
		wantSpan int
	}{
		{"json", body, "application/json", "", 1},
		{"gzip header", gz(body), "application/json", "gzip", 1},
		{"gzip sniffed without header", gz(body), "application/json", "", 1},
		{"gzip header case", gz(body), "application/json", "GZIP", 1},
		{"deflate (zlib)", zbuf.Bytes(), "application/json", "deflate", 1},
		{"identity", body, "application/json", "identity", 1},
		{"sniff json", body, "", "", 1},
		{"protobuf", pb, "application/x-protobuf", "", 2},
		{"application/protobuf", pb, "application/protobuf", "", 2},
		{"sniff protobuf", pb, "", "", 2},
		{"gzip protobuf", gz(pb), "application/x-protobuf", "gzip", 2},
		{"empty resourceSpans", []byte(`{"resourceSpans":[]}`), "application/json", "", 0},
		{"empty protobuf", nil, "application/x-protobuf", "", 0},
	} {
		res, err := Process(c.body, c.ct, c.ce, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(res.Spans) != c.wantSpan {
			t.Errorf("%s: %d spans, want %d", c.name, len(res.Spans), c.wantSpan)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name, body, ct, ce, code string
	}{
		{"not json", `{"resourceSpans":[`, "application/json", "", CodeInvalidOTLPPayload},
		{"missing resourceSpans", `{}`, "application/json", "", CodeInvalidOTLPPayload},
		{"resourceSpans not array", `{"resourceSpans":{}}`, "application/json", "", CodeInvalidOTLPPayload},
		{"array body", `[]`, "application/json", "", CodeInvalidOTLPPayload},
		{"null body", `null`, "application/json", "", CodeInvalidOTLPPayload},
		{"empty json body", ``, "application/json", "", CodeInvalidOTLPPayload},
		{"bad trace id", strings.Replace(oneSpanJSON(""), tid, "zz", 1), "application/json", "", CodeInvalidOTLPPayload},
		{"garbage protobuf", "\xff\xff\xff\xff\xff", "application/x-protobuf", "", CodeProtobufDecodeFailed},
		{"unsupported type", `{}`, "text/plain", "", CodeUnsupportedContentType},
		{"unsupported encoding", `{}`, "application/json", "br", CodeUnsupportedContentEncoding},
		{"gzip header, plain body", `{"resourceSpans":[]}`, "application/json", "gzip", CodeDecompressionFailed},
		{"truncated gzip", string(gz([]byte(oneSpanJSON("")))[:30]), "application/json", "gzip", CodeDecompressionFailed},
	} {
		_, err := Process([]byte(c.body), c.ct, c.ce, nil)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		t.Run(c.name, func(t *testing.T) { badRequest(t, err, c.code) })
	}
}

func TestSizeLimits(t *testing.T) {
	b, err := ReadBody(strings.NewReader("12345"), 5)
	if err != nil || string(b) != "12345" {
		t.Fatalf("at limit: %q %v", b, err)
	}
	_, err = ReadBody(strings.NewReader("123456"), 5)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 5 || tl.StatusCode() != 413 {
		t.Fatalf("over limit: %v", err)
	}
	if _, err := ReadBody(strings.NewReader("x"), 0); err != nil {
		t.Fatal("default limit:", err)
	}
	// A gzip bomb is cut off at the decompressed limit.
	bomb := gz(bytes.Repeat([]byte(" "), 1<<20))
	_, err = DecodeLimit(bomb, "application/json", "gzip", 1000)
	if !errors.As(err, &tl) || tl.Limit != 1000 {
		t.Fatalf("bomb: %v", err)
	}
}

// Spans that cannot be normalized are rejected with a reason, never
// silently dropped; the others are kept.
func TestPartialSuccess(t *testing.T) {
	body := `{"resourceSpans":[{"scopeSpans":[{"spans":[
{"traceId":"` + tid + `","spanId":"eee19b7ec3c1b174","name":"ok"},
{"traceId":"","spanId":"eee19b7ec3c1b175","name":"no-trace"},
{"traceId":"` + tid + `","name":"no-span"},
{"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b176","name":"zero-trace"}]}]}]}`
	res, err := Process([]byte(body), "application/json", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Spans) != 1 || res.Spans[0].Name != "ok" {
		t.Fatalf("spans %+v", res.Spans)
	}
	if len(res.Rejected) != 3 {
		t.Fatalf("rejected %+v", res.Rejected)
	}
	for _, r := range res.Rejected {
		if r.Reason == "" || r.Name == "" {
			t.Errorf("rejection without reason: %+v", r)
		}
	}
	ps := res.PartialSuccess()
	if ps == nil || ps.RejectedSpans != 3 || !strings.Contains(ps.ErrorMessage, "trace id") {
		t.Errorf("partial success %+v", ps)
	}
	if (Result{}).PartialSuccess() != nil {
		t.Error("no rejections → nil partial success")
	}
}

func TestStatusCodeNormalization(t *testing.T) {
	for in, want := range map[string]string{
		"": "0", "0": "0", "STATUS_CODE_UNSET": "0", "UNSET": "0", "Unset": "0",
		"1": "1", "STATUS_CODE_OK": "1", "OK": "1", "Ok": "1",
		"2": "2", "STATUS_CODE_ERROR": "2", "ERROR": "2", "Error": "2",
		"7": "7",
	} {
		if got := normalize.StatusCode(in); got != want {
			t.Errorf("StatusCode(%q) = %q, want %q", in, got, want)
		}
	}
	// Numeric status codes in OTLP/JSON.
	res, err := Process([]byte(strings.Replace(oneSpanJSON(""), `"STATUS_CODE_ERROR"`, `1`, 1)), "application/json", "", nil)
	if err != nil || res.Spans[0].StatusCode != "1" {
		t.Fatalf("numeric status: %v %+v", err, res.Spans)
	}
}

// FuzzDecodeJSON: arbitrary bodies never panic; errors are typed.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(oneSpanJSON(`{"key":"agentmark.tags","value":{"stringValue":"[\"a\",\"b\"]"}}`)))
	f.Add([]byte(`{"resourceSpans":[]}`))
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"ai"},"spans":[{"traceId":"` + tid + `","spanId":"eee19b7ec3c1b174","name":"ai.generateText.doGenerate","attributes":[{"key":"ai.prompt.messages","value":{"stringValue":"[{\"role\":\"user\",\"content\":[{\"type\":\"tool-call\",\"input\":\"{\"}]}]"}}]}]}]}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[1,2`))
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"` + tid + `","spanId":"eee19b7ec3c1b174","attributes":[{"key":"llm.input_messages.99999999999999999999.message.role","value":{"stringValue":"x"}},{"key":"metadata","value":{"stringValue":"{\"a\":{\"b\":[1,{}]}}"}}]}]}]}]}`))
	for _, name := range []string{"aisdk-v5-generate-text.json", "aisdk-v4-generate-text.json", "aisdk-v5-object-stream-embed.json", "agentmark-error.json"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	n := &normalize.Normalizer{Pricer: pricer}
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := Process(body, "application/json", "", n)
		if err != nil {
			var br *BadRequestError
			var tl *TooLargeError
			if !errors.As(err, &br) && !errors.As(err, &tl) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		for _, s := range res.Spans {
			if s.TraceID == "" || s.SpanID == "" {
				t.Fatalf("span without ids accepted: %+v", s)
			}
		}
	})
}
