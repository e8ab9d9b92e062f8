package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

func findTrace(t *testing.T, items []any, name string) map[string]any {
	t.Helper()
	for _, it := range items {
		m := it.(map[string]any)
		if m["name"] == name {
			return m
		}
	}
	t.Fatalf("no trace named %q in %v", name, items)
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// Every recorded OTLP body (protobuf, JSON, gzip) ingests; the AI SDK v5
// trace reads back normalized with its grouping, tokens and cost.
func TestIngestRecordedBodies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		files := []string{"aisdk-v5-generate-text.pb", "aisdk-v4-generate-text.json", "aisdk-v5-object-stream-embed.pb",
			"agentmark-error.json", "gosdk-agentmark.pb", "gosdk-genai-fallback.pb", "gosdk-mastra.pb",
			"gosdk-openinference.pb.gz", "gosdk-openllmetry.pb", "gosdk-pydantic-ai.pb"}
		for _, f := range files {
			r := h.expect(h.ingestFile(f, "X-Request-Id", "req-"+f), 200)
			d := r.data(t)
			if d["requestId"] != "req-"+f || r.header.Get("X-Request-Id") != "req-"+f {
				t.Errorf("%s: request id %v / %q", f, d["requestId"], r.header.Get("X-Request-Id"))
			}
			if num(d["acceptedSpans"]) == 0 {
				t.Errorf("%s: no spans accepted: %s", f, r.body)
			}
		}

		list := h.expect(h.get("/v1/traces?limit=100"), 200)
		items := list.list(t)
		pg := list.json(t)["pagination"].(map[string]any)
		if int(num(pg["total"])) != len(items) || num(pg["limit"]) != 100 || num(pg["offset"]) != 0 {
			t.Errorf("pagination %v for %d items", pg, len(items))
		}
		tr := findTrace(t, items, "handle-weather")
		if tr["status"] != "OK" || int(num(tr["span_count"])) != 5 || !reflect.DeepEqual(strs(tr["tags"]), []string{"prod", "weather"}) ||
			tr["session_id"] != "sess-42" || tr["user_id"] != "user-7" {
			t.Errorf("trace row %v", tr)
		}
		if _, ok := tr["input_preview"].(string); !ok {
			t.Errorf("no input preview: %v", tr)
		}
		id := tr["id"].(string)

		// The trace's tokens and cost are the sum over its GENERATION spans.
		gens := h.expect(h.get("/v1/spans?type=GENERATION&trace_id="+id), 200).list(t)
		if len(gens) != 2 {
			t.Fatalf("generations %v", gens)
		}
		var cost, tokens float64
		for _, g := range gens {
			gm := g.(map[string]any)
			cost += num(gm["cost"])
			tokens += num(gm["tokens"])
			if gm["model"] != "gpt-4o-mini" || gm["type"] != "GENERATION" || gm["trace_id"] != id {
				t.Errorf("generation %v", gm)
			}
		}
		if !near(num(tr["cost"]), cost) || num(tr["tokens"]) != tokens || cost <= 0 {
			t.Errorf("trace cost %v tokens %v, generations %v %v", tr["cost"], tr["tokens"], cost, tokens)
		}
		// g1: 120 in / 45 out at gpt-4o-mini prices.
		var g1 map[string]any
		for _, g := range gens {
			if num(g.(map[string]any)["input_tokens"]) == 120 {
				g1 = g.(map[string]any)
			}
		}
		if g1 == nil || !near(num(g1["cost"]), 120*1.5e-7+45*6e-7) || num(g1["output_tokens"]) != 45 || num(g1["tokens"]) != 165 {
			t.Errorf("g1 %v", g1)
		}

		detail := h.expect(h.get("/v1/traces/"+id), 200).data(t)
		spans := detail["spans"].([]any)
		if len(spans) != 5 || detail["id"] != id || detail["name"] != "handle-weather" {
			t.Fatalf("detail %v", detail)
		}
		if !reflect.DeepEqual(detail["metadata"], map[string]any{"feature": "forecast"}) {
			t.Errorf("trace metadata %v", detail["metadata"])
		}
		if in, _ := detail["input"].(string); !strings.Contains(in, "Paris") {
			t.Errorf("trace input %v", detail["input"])
		}
		if detail["output"] != `"It is sunny in Paris."` {
			t.Errorf("trace output %v", detail["output"])
		}
		if _, has := detail["graph"]; has {
			t.Error("graph without fields=graph")
		}
		prev := ""
		var root map[string]any
		for _, s := range spans {
			sm := s.(map[string]any)
			if ts := sm["timestamp"].(string); ts < prev {
				t.Errorf("spans not ascending: %s < %s", ts, prev)
			} else {
				prev = ts
			}
			if sm["parent_id"] == nil {
				root = sm
			}
			for _, k := range []string{"input", "output", "output_object", "tool_calls"} {
				if _, ok := sm[k]; !ok {
					t.Errorf("detail span without %s", k)
				}
			}
		}
		if root == nil || root["name"] != "handle-weather" || root["status"] != "OK" {
			t.Errorf("root %v", root)
		}

		ts := h.expect(h.get("/v1/traces/"+id+"/spans"), 200).list(t)
		if len(ts) != 5 {
			t.Fatalf("trace spans %d", len(ts))
		}
		for _, s := range ts {
			sm := s.(map[string]any)
			for _, k := range []string{"id", "trace_id", "parent_id", "name", "status", "status_message", "duration_ms", "timestamp",
				"type", "model", "input_tokens", "output_tokens", "tokens", "cost", "span_kind", "service_name", "prompt_name", "metadata"} {
				if _, ok := sm[k]; !ok {
					t.Errorf("span without %s: %v", k, sm)
				}
			}
			if _, ok := sm["input"]; ok {
				t.Errorf("light span has input")
			}
		}
		gid := g1["id"].(string)
		io := h.expect(h.get("/v1/traces/"+id+"/spans/"+gid), 200).data(t)
		if !strings.Contains(io["input"].(string), "weather bot") || !reflect.DeepEqual(io["metadata"], map[string]any{"customKey": "custom-value"}) {
			t.Errorf("span io %v", io)
		}
		if tc, _ := io["tool_calls"].(string); !strings.Contains(tc, "call_1") {
			t.Errorf("tool calls %v", io["tool_calls"])
		}

		// Sessions and grouping filters.
		sess := h.expect(h.get("/v1/sessions"), 200).list(t)
		var s42 map[string]any
		for _, s := range sess {
			if s.(map[string]any)["id"] == "sess-42" {
				s42 = s.(map[string]any)
			}
		}
		if s42 == nil || s42["name"] != "Weather chat" || num(s42["trace_count"]) != 1 || !near(num(s42["total_cost"]), cost) {
			t.Errorf("session %v in %v", s42, sess)
		}
		st := h.expect(h.get("/v1/sessions/sess-42/traces"), 200)
		if st.header.Get("Deprecation") != "true" || !strings.Contains(st.header.Get("Link"), "/v1/traces?session_id=sess-42") {
			t.Errorf("deprecation headers %v", st.header)
		}
		if sts := st.list(t); len(sts) != 1 || len(sts[0].(map[string]any)["spans"].([]any)) != 5 {
			t.Errorf("session traces %s", st.body)
		}
		h.expect(h.get("/v1/sessions/nope/traces"), 404)
		for _, q := range []string{"session_id=sess-42", "tag=prod", "tag=nope&tag=weather", "user_id=user-7", "model=gpt-4o-mini",
			"search=weather", "filter=" + url.QueryEscape(`metadata.feature = "forecast"`), "sort_by=cost&sort_order=desc"} {
			items := h.expect(h.get("/v1/traces?"+q), 200).list(t)
			found := false
			for _, it := range items {
				if it.(map[string]any)["id"] == id {
					found = true
				}
			}
			if !found {
				t.Errorf("?%s does not find the trace (%d items)", q, len(items))
			}
		}
		if items := h.expect(h.get("/v1/traces?tag=nope"), 200).list(t); len(items) != 0 {
			t.Errorf("tag=nope: %d", len(items))
		}

		// The error trace.
		errs := h.expect(h.get("/v1/traces?status=ERROR"), 200).list(t)
		if len(errs) == 0 {
			t.Error("no ERROR trace")
		}
		for _, e := range errs {
			if e.(map[string]any)["status"] != "ERROR" {
				t.Errorf("status filter: %v", e)
			}
		}

		// Idempotent re-ingest: the same spans again (protobuf, then the
		// JSON encoding of the same spans) change nothing.
		before := h.get("/v1/traces?limit=100").json(t)["pagination"]
		beforeDetail := h.get("/v1/traces/" + id).body
		h.expect(h.ingestFile("aisdk-v5-generate-text.pb"), 200)
		h.expect(h.ingestFile("aisdk-v5-generate-text.json"), 200)
		after := h.get("/v1/traces?limit=100").json(t)["pagination"]
		if !reflect.DeepEqual(before, after) {
			t.Errorf("re-ingest changed the trace count: %v -> %v", before, after)
		}
		if afterDetail := h.get("/v1/traces/" + id).body; string(afterDetail) != string(beforeDetail) {
			t.Errorf("re-ingest changed the trace:\n%s\n%s", beforeDetail, afterDetail)
		}
		if n := len(h.get("/v1/spans?trace_id=" + id).list(t)); n != 5 {
			t.Errorf("spans after re-ingest: %d", n)
		}

		// Scoped by app: another app sees nothing; its own rows only.
		if items := h.expect(h.get("/v1/traces", "X-Agentmark-App-Id", "other-app"), 200).list(t); len(items) != 0 {
			t.Errorf("other app sees %d traces", len(items))
		}
		h.expect(h.ingestFile("agentmark-error.pb", "X-Agentmark-App-Id", "other-app"), 200)
		if items := h.get("/v1/traces", "X-Agentmark-App-Id", "other-app").list(t); len(items) != 1 {
			t.Errorf("other app: %d traces", len(items))
		}
		h.expect(h.get("/v1/traces/"+id, "X-Agentmark-App-Id", "other-app"), 404)
	})
}

// Spans exported live by our own tracing around a mock-provider run land
// normalized, grouped and priced (custom modelSchemas price).
func TestIngestLiveSDKSpans(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		p, err := amtrace.New(amtrace.Options{Endpoint: h.http.URL + "/v1/traces", DisableBatch: true, ErrorLog: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		client := agentmark.New(agentmark.WithSourceDir(filepath.Join(h.root, "agentmark")), agentmark.WithTracing(p))
		pr, err := client.LoadTextPrompt("ask.prompt.mdx")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		traceID, err := amtrace.Trace(ctx, "handle-message", func(ctx context.Context, s *amtrace.SpanCtx) (string, error) {
			if _, err := pr.Run(ctx, map[string]any{"q": "answers"}); err != nil {
				return "", err
			}
			return s.TraceID(), nil
		}, amtrace.WithProvider(p), amtrace.WithSessionID("live-session"), amtrace.WithUserID("live-user"),
			amtrace.WithTags("live", "go"), amtrace.WithMetadata(map[string]any{"env": "test"}))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.ExportError(); err != nil {
			t.Fatalf("export error: %v", err)
		}

		d := h.expect(h.get("/v1/traces/"+traceID), 200).data(t)
		if d["name"] != "handle-message" || d["status"] != "OK" {
			t.Errorf("trace %v", d)
		}
		if !reflect.DeepEqual(strs(d["tags"]), []string{"live", "go"}) || d["session_id"] != "live-session" || d["user_id"] != "live-user" {
			t.Errorf("grouping %v %v %v", d["tags"], d["session_id"], d["user_id"])
		}
		if md, _ := d["metadata"].(map[string]any); md["env"] != "test" {
			t.Errorf("metadata %v", d["metadata"])
		}
		var prompt map[string]any
		var genCost, genTokens float64
		for _, s := range d["spans"].([]any) {
			sm := s.(map[string]any)
			if sm["name"] == "ask" {
				prompt = sm
			}
			if sm["type"] == span.TypeGeneration {
				genCost += num(sm["cost"])
				genTokens += num(sm["tokens"])
			}
		}
		if prompt == nil || prompt["prompt_name"] != "ask" || prompt["model"] == nil || !strings.Contains(prompt["model"].(string), "echo") {
			t.Fatalf("prompt span %v", prompt)
		}
		if genTokens <= 0 || genCost <= 0 || num(d["tokens"]) != genTokens || !near(num(d["cost"]), genCost) {
			t.Errorf("trace tokens %v cost %v; generations %v %v", d["tokens"], d["cost"], genTokens, genCost)
		}
		// Custom price: 1 USD/1K input, 2 USD/1K output tokens.
		in, out := num(prompt["input_tokens"]), num(prompt["output_tokens"])
		if in <= 0 || !near(num(prompt["cost"]), in/1000+2*out/1000) {
			t.Errorf("prompt span cost %v for %v/%v tokens", prompt["cost"], in, out)
		}
		sess := h.get("/v1/sessions?search=live").list(t)
		if len(sess) != 1 || sess[0].(map[string]any)["id"] != "live-session" || !reflect.DeepEqual(strs(sess[0].(map[string]any)["user_ids"]), []string{"live-user"}) {
			t.Errorf("sessions %v", sess)
		}
		reqs := h.expect(h.get("/v1/requests?user_id=live-user"), 200).list(t)
		if len(reqs) == 0 || reqs[0].(map[string]any)["trace_id"] != traceID {
			t.Errorf("requests %v", reqs)
		}
	})
}

// failingStore fails every write (the store is down).
type failingStore struct{ store.Store }

func (failingStore) WriteSpans(context.Context, string, []span.Span) error {
	return errors.New("disk I/O error")
}

func TestIngestErrors(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), func(c *Config) { c.MaxBodyBytes = 8 << 10 })

	// Malformed bodies → 400 with the OTLP codes.
	r := h.expect(h.do("POST", "/v1/traces", []byte("\x0a\xff\xff\xff\xff garbage"), "Content-Type", "application/x-protobuf"), 400)
	if c := r.errCode(t); c != "protobuf_decode_failed" {
		t.Errorf("code %s", c)
	}
	r = h.expect(h.do("POST", "/v1/traces", []byte(`{"foo":1}`), "Content-Type", "application/json"), 400)
	if c := r.errCode(t); c != "invalid_otlp_payload" {
		t.Errorf("code %s", c)
	}
	r = h.expect(h.do("POST", "/v1/traces", []byte(`{"resourceSpans":[`), "Content-Type", "application/json"), 400)
	r.errCode(t)
	r = h.expect(h.do("POST", "/v1/traces", []byte(`not gzip`), "Content-Type", "application/json", "Content-Encoding", "gzip"), 400)
	r.errCode(t)
	r = h.expect(h.do("POST", "/v1/traces", []byte(`x`), "Content-Type", "text/plain"), 400)
	if c := r.errCode(t); c != "unsupported_content_type" {
		t.Errorf("code %s", c)
	}

	// Over the limit → 413.
	big := `{"resourceSpans":[],"pad":"` + strings.Repeat("x", 9<<10) + `"}`
	r = h.expect(h.do("POST", "/v1/traces", []byte(big), "Content-Type", "application/json"), 413)
	if c := r.errCode(t); c != "payload_too_large" {
		t.Errorf("code %s", c)
	}

	// Empty request: 200, nothing stored.
	h.expect(h.do("POST", "/v1/traces", []byte(`{"resourceSpans":[]}`), "Content-Type", "application/json"), 200)

	// Partial success: a span without ids is rejected, the others stored.
	body := testdata(t, "agentmark-error.json")
	var doc map[string]any
	json.Unmarshal(body, &doc)
	ss := doc["resourceSpans"].([]any)[0].(map[string]any)["scopeSpans"].([]any)[0].(map[string]any)
	good := ss["spans"].([]any)[0].(map[string]any)
	bad := map[string]any{}
	for k, v := range good {
		bad[k] = v
	}
	bad["spanId"] = ""
	bad["name"] = "no-id"
	ss["spans"] = []any{good, bad}
	body, _ = json.Marshal(doc)
	r = h.expect(h.do("POST", "/v1/traces", body, "Content-Type", "application/json"), 200)
	ps, _ := r.json(t)["partialSuccess"].(map[string]any)
	if ps == nil || ps["rejectedSpans"] != "1" || !strings.Contains(ps["errorMessage"].(string), "span id") {
		t.Errorf("partial success %s", r.body)
	}
	if n := num(r.data(t)["acceptedSpans"]); n != 1 {
		t.Errorf("accepted %v", n)
	}

	// Store down → 503 with Retry-After, nothing acknowledged.
	down := newHarness(t, failingStore{openBackend(t, "sqlite")}, nil)
	r = down.expect(down.ingestFile("aisdk-v5-generate-text.pb"), 503)
	if c := r.errCode(t); c != "service_unavailable" || r.header.Get("Retry-After") == "" {
		t.Errorf("code %s, Retry-After %q", c, r.header.Get("Retry-After"))
	}
	if e := r.json(t)["error"].(map[string]any); num(e["retry_after_seconds"]) < 1 {
		t.Errorf("retry_after_seconds %v", e)
	}
	// A closed store also answers 503.
	closed := openBackend(t, "sqlite")
	ch := newHarness(t, closed, nil)
	closed.Close()
	ch.expect(ch.ingestFile("aisdk-v5-generate-text.pb"), 503)
}

// An OTLP client asking for protobuf gets an ExportTraceServiceResponse.
func TestIngestProtobufResponse(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), nil)
	r := h.expect(h.ingestFile("agentmark-error.pb", "Accept", "application/x-protobuf"), 200)
	if r.header.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("content type %q", r.header.Get("Content-Type"))
	}
}
