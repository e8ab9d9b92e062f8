package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestErrorsAndEnvelopes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.expect(h.ingestFile("aisdk-v5-generate-text.pb"), 200)

		// Unknown routes and methods: canonical 404.
		r := h.expect(h.get("/v1/nope"), 404)
		if e := r.json(t)["error"].(map[string]any); e["code"] != "not_found" || e["message"] != "Cannot GET /v1/nope" {
			t.Errorf("404 body %s", r.body)
		}
		r = h.expect(h.do("PATCH", "/v1/traces", nil), 404)
		if !strings.Contains(string(r.body), "Cannot PATCH /v1/traces") {
			t.Errorf("405 body %s", r.body)
		}

		// Bad query params: 400 invalid_query_params located by param.
		for q, param := range map[string]string{
			"/v1/traces?limit=abc":                                 "limit",
			"/v1/traces?limit=0":                                   "limit",
			"/v1/traces?limit=1001":                                "limit",
			"/v1/traces?limit=1.5":                                 "limit",
			"/v1/traces?offset=-1":                                 "offset",
			"/v1/traces?status=UNSET":                              "status",
			"/v1/traces?sort_by=nope":                              "sort_by",
			"/v1/traces?sort_order=up":                             "sort_order",
			"/v1/traces?start_date=yesterday":                      "start_date",
			"/v1/traces?start_date=1900-01-01":                     "start_date",
			"/v1/traces?start_date=2026-02-02&end_date=2026-01-01": "start_date",
			"/v1/spans?limit=501":                                  "limit",
			"/v1/spans?type=LLM":                                   "type",
			"/v1/spans?min_duration=-3":                            "min_duration",
			"/v1/spans?start_date=2026-13-45T00:00:00Z":            "start_date",
			"/v1/sessions?sort_by=cost":                            "sort_by",
			"/v1/scores?resource_type=banana":                      "resource_type",
			"/v1/scores?source=robot":                              "source",
			"/v1/metrics":                                          "start_date",
			"/v1/metrics?start_date=2026-01-01T00:00:00Z&end_date=2026-01-02T00:00:00Z&extended=maybe": "extended",
			"/v1/score-configs?limit=x":      "limit",
			"/v1/traces?user_id=a&user_id=b": "user_id",
		} {
			r := h.get(q)
			if r.status != 400 || r.errCode(t) != "invalid_query_params" {
				t.Errorf("%s: %d %s", q, r.status, r.body)
				continue
			}
			e := r.json(t)["error"].(map[string]any)
			if e["message"] != "Invalid query parameters" {
				t.Errorf("%s: message %v", q, e["message"])
			}
			if d, _ := e["details"].(map[string]any); d[param] == nil {
				t.Errorf("%s: details %v lack %s", q, e["details"], param)
			}
		}

		// Bad filters: 400 invalid_filter, never ignored, never a 500.
		for _, f := range []string{`model ~ "x"`, `nope = 1`, `cost > abc`, `(model = "a"`, `{"op":`} {
			r := h.get("/v1/traces?filter=" + url.QueryEscape(f))
			if r.status != 400 || r.errCode(t) != "invalid_filter" {
				t.Errorf("filter %q: %d %s", f, r.status, r.body)
			}
			r = h.get("/v1/spans?filter=" + url.QueryEscape(f))
			if r.status != 400 || r.errCode(t) != "invalid_filter" {
				t.Errorf("span filter %q: %d %s", f, r.status, r.body)
			}
		}

		// Unknown ids: 404.
		for _, p := range []string{"/v1/traces/ffffffffffffffffffffffffffffffff", "/v1/traces/nope/spans",
			"/v1/traces/nope/spans/nope", "/v1/scores/nope", "/v1/score-configs/nope"} {
			r := h.get(p)
			if r.status != 404 {
				t.Errorf("%s: %d %s", p, r.status, r.body)
			}
			r.errCode(t)
		}
		h.expect(h.do("DELETE", "/v1/scores/nope", nil), 404)
		// The deprecated graph answers [] for an unknown trace.
		r = h.expect(h.get("/v1/traces/nope/graph"), 200)
		if len(r.list(t)) != 0 || r.header.Get("Deprecation") != "true" || r.header.Get("Sunset") == "" {
			t.Errorf("graph %s %v", r.body, r.header)
		}

		// Envelopes: {data, pagination} lists, {data} resources.
		for _, p := range []string{"/v1/traces", "/v1/spans", "/v1/sessions", "/v1/scores", "/v1/score-configs", "/v1/requests"} {
			m := h.expect(h.get(p), 200).json(t)
			if _, ok := m["data"].([]any); !ok {
				t.Errorf("%s: data %v", p, m["data"])
			}
			if _, ok := m["pagination"].(map[string]any); !ok {
				t.Errorf("%s: pagination %v", p, m)
			}
		}
		for _, p := range []string{"/v1/scores/names", "/v1/scores/aggregations"} {
			m := h.expect(h.get(p), 200).json(t)
			if _, ok := m["data"].([]any); !ok || m["pagination"] != nil {
				t.Errorf("%s: %v", p, m)
			}
		}
		// Pages of the span list.
		all := h.get("/v1/spans?limit=500").list(t)
		p1 := h.get("/v1/spans?limit=2").json(t)
		p2 := h.get("/v1/spans?limit=2&offset=2").list(t)
		if len(p1["data"].([]any)) != 2 || len(p2) != 2 || num(p1["pagination"].(map[string]any)["total"]) != float64(len(all)) {
			t.Errorf("span pages %v / %d", p1["pagination"], len(all))
		}
		if p1["data"].([]any)[0].(map[string]any)["id"] == p2[0].(map[string]any)["id"] {
			t.Error("offset ignored")
		}

		// Unsupported surface: 501 with a hint.
		r = h.expect(h.do("POST", "/v1/traces/search", []byte(`{}`)), 501)
		if r.errCode(t) != "not_available_locally" || r.json(t)["error"].(map[string]any)["hint"] == nil {
			t.Errorf("501 %s", r.body)
		}

		// Malformed app id header.
		h.expect(h.get("/v1/traces", "X-Agentmark-App-Id", strings.Repeat("a", 200)), 400)
	})
}

func TestMiddleware(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), nil)
	// Request ids: echoed, else generated.
	r := h.get("/health", "X-Request-Id", "abc-123")
	if r.header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("request id %q", r.header.Get("X-Request-Id"))
	}
	if id := h.get("/health").header.Get("X-Request-Id"); len(id) != 36 {
		t.Errorf("generated request id %q", id)
	}
	// CORS: localhost origins only.
	r = h.do("OPTIONS", "/v1/traces", nil, "Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "X-Agentmark-App-Id") {
		t.Errorf("preflight %d %v", r.status, r.header)
	}
	if r := h.get("/health", "Origin", "https://evil.example"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS for a foreign origin: %v", r.header)
	}
	// Panics become a JSON 500.
	ph := h.srv.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	ph.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal_error"`) {
		t.Errorf("panic: %d %s", rec.Code, rec.Body)
	}
	// Error key order: extras first, then code and message.
	b := string(encodeError(&Error{Code: "c", Message: "m", Extras: map[string]any{"retry_after_seconds": 5}}))
	if b != `{"error":{"retry_after_seconds":5,"code":"c","message":"m"}}`+"\n" {
		t.Errorf("envelope %s", b)
	}
}

func TestScores(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.expect(h.ingestFile("aisdk-v5-generate-text.pb"), 200)
		tr := h.get("/v1/traces").list(t)[0].(map[string]any)
		traceID := tr["id"].(string)
		var spanID string
		for _, sp := range h.get("/v1/traces/" + traceID + "/spans").list(t) {
			if sp.(map[string]any)["parent_id"] == nil {
				spanID = sp.(map[string]any)["id"].(string)
			}
		}

		r := h.expect(h.do("POST", "/v1/scores", []byte(fmt.Sprintf(`{"resource_id":%q,"name":"accuracy","score":1,"label":"PASS","reason":"ok"}`, traceID))), 201)
		m := r.json(t)
		id, _ := m["id"].(string)
		if id == "" || m["message"] != "Score created successfully" || m["data"].(map[string]any)["id"] != id {
			t.Fatalf("create %s", r.body)
		}
		// SDK casing (resourceId) and source.
		h.expect(h.do("POST", "/v1/scores", []byte(fmt.Sprintf(`{"resourceId":%q,"name":"tone","score":0.5,"source":"annotation"}`, spanID))), 201)
		for body, field := range map[string]string{
			`{"name":"x","score":1}`:                                    "resource_id",
			`{"resource_id":"r","name":"x","score":"1"}`:                "score",
			`{"resource_id":"r","name":"","score":1}`:                   "name",
			`{"resource_id":"r","name":"x","score":1,"source":"robot"}`: "source",
			`[]`:       "_",
			`not json`: "_",
		} {
			r := h.do("POST", "/v1/scores", []byte(body))
			if r.status != 400 || r.errCode(t) != "invalid_request_body" {
				t.Errorf("%s: %d %s", body, r.status, r.body)
				continue
			}
			if d, _ := r.json(t)["error"].(map[string]any)["details"].(map[string]any); d[field] == nil {
				t.Errorf("%s: details %s", body, r.body)
			}
		}

		got := h.expect(h.get("/v1/scores/"+id), 200).data(t)
		if got["resource_id"] != traceID || got["score"] != 1.0 || got["label"] != "PASS" || got["reason"] != "ok" || got["source"] != "api" {
			t.Errorf("score %v", got)
		}
		if _, err := time.Parse(time.RFC3339, got["created_at"].(string)); err != nil {
			t.Errorf("created_at %v", got["created_at"])
		}
		if l := h.get("/v1/scores?resource_id=" + traceID).list(t); len(l) != 1 {
			t.Errorf("by resource %d", len(l))
		}
		if l := h.get("/v1/scores?resource_type=span").list(t); len(l) != 1 || l[0].(map[string]any)["name"] != "tone" {
			t.Errorf("by resource type %v", l)
		}
		if l := h.get("/v1/scores?source=annotation").list(t); len(l) != 1 {
			t.Errorf("by source %d", len(l))
		}
		if l := h.get("/v1/scores?session_id=sess-42").list(t); len(l) != 2 {
			t.Errorf("by session %d", len(l))
		}
		today := time.Now().UTC().Format("2006-01-02")
		if l := h.get("/v1/scores?start_date=" + today + "&end_date=" + today).list(t); len(l) != 2 {
			t.Errorf("by date %d", len(l))
		}
		if names := strs(h.get("/v1/scores/names").json(t)["data"]); !reflect.DeepEqual(names, []string{"accuracy", "tone"}) {
			t.Errorf("names %v", names)
		}
		aggs := h.get("/v1/scores/aggregations").list(t)
		if len(aggs) != 2 || aggs[0].(map[string]any)["name"] != "accuracy" || aggs[0].(map[string]any)["avg_score"] != 1.0 || aggs[0].(map[string]any)["count"] != 1.0 {
			t.Errorf("aggregations %v", aggs)
		}
		// Trace detail with fields=scores,graph.
		d := h.get("/v1/traces/" + traceID + "?fields=scores,graph").data(t)
		if sc, _ := d["scores"].([]any); len(sc) != 2 {
			t.Errorf("trace scores %v", d["scores"])
		}
		if g, ok := d["graph"].([]any); !ok || len(g) != 0 {
			t.Errorf("graph %v", d["graph"])
		}

		// Batch: 201 all ok, 207 partial, 400 all failed, 413 too many.
		r = h.expect(h.do("POST", "/v1/scores/batch", []byte(fmt.Sprintf(`{"scores":[{"resource_id":%q,"name":"b","score":1,"client_id":"c1"},{"resource_id":%q,"name":"b","score":0}]}`, traceID, spanID))), 201)
		res := r.data(t)
		if s := res["summary"].(map[string]any); s["total"] != 2.0 || s["succeeded"] != 2.0 || s["failed"] != 0.0 {
			t.Errorf("summary %v", s)
		}
		if first := res["results"].([]any)[0].(map[string]any); first["status"] != "success" || first["client_id"] != "c1" || first["id"] == "" {
			t.Errorf("result %v", first)
		}
		r = h.expect(h.do("POST", "/v1/scores/batch", []byte(`{"scores":[{"resource_id":"r","name":"b","score":1},{"name":"b","score":1,"client_id":"c2"},{"resource_id":"r","name":"b","score":1,"dataType":"weird"}]}`)), 207)
		results := r.data(t)["results"].([]any)
		if e := results[1].(map[string]any); e["status"] != "error" || e["client_id"] != "c2" || e["error"].(map[string]any)["code"] != "missing_required_field" {
			t.Errorf("item error %v", e)
		}
		if e := results[2].(map[string]any); e["error"].(map[string]any)["code"] != "invalid_field_value" {
			t.Errorf("item error %v", e)
		}
		r = h.expect(h.do("POST", "/v1/scores/batch", []byte(`{"scores":[{"name":"b"}]}`)), 400)
		if r.data(t)["summary"].(map[string]any)["failed"] != 1.0 {
			t.Errorf("all failed %s", r.body)
		}
		h.expect(h.do("POST", "/v1/scores/batch", []byte(`{"scores":[]}`)), 400)
		h.expect(h.do("POST", "/v1/scores/batch", []byte(`{}`)), 400)
		many := `{"scores":[` + strings.TrimSuffix(strings.Repeat(`{"resource_id":"r","name":"n","score":1},`, 1001), ",") + `]}`
		r = h.expect(h.do("POST", "/v1/scores/batch", []byte(many)), 413)
		if r.json(t)["error"].(map[string]any)["message"] != "Batch size 1001 exceeds max of 1000" {
			t.Errorf("413 %s", r.body)
		}

		// Delete: 204, then 404.
		r = h.expect(h.do("DELETE", "/v1/scores/"+id, nil), 204)
		if len(r.body) != 0 {
			t.Errorf("204 body %q", r.body)
		}
		h.expect(h.get("/v1/scores/"+id), 404)
	})
}

func TestScoreConfigs(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), nil)
	r := h.expect(h.get("/v1/score-configs"), 200)
	items := r.list(t)
	var names []string
	for _, it := range items {
		m := it.(map[string]any)
		names = append(names, m["name"].(string))
		if m["id"] != "local:"+m["name"].(string) || m["commit_sha"] != "0123456789abcdef0123456789abcdef01234567" {
			t.Errorf("config %v", m)
		}
	}
	if !reflect.DeepEqual(names, []string{"accuracy", "helpfulness", "tone"}) {
		t.Errorf("names %v", names)
	}
	if p := r.json(t)["pagination"].(map[string]any); p["total"] != 3.0 {
		t.Errorf("pagination %v", p)
	}
	tone := h.expect(h.get("/v1/score-configs/tone"), 200).data(t)
	if tone["data_type"] != "categorical" || len(tone["categories"].([]any)) != 2 || tone["description"] != "Tone" {
		t.Errorf("tone %v", tone)
	}
	help := h.get("/v1/score-configs/helpfulness").data(t)
	if help["min"] != 1.0 || help["max"] != 5.0 || help["data_type"] != "numeric" {
		t.Errorf("helpfulness %v", help)
	}
	r = h.expect(h.get("/v1/score-configs/broken"), 404)
	if r.errCode(t) != "score_config_not_found" || r.json(t)["error"].(map[string]any)["message"] != "Score config 'broken' not found" {
		t.Errorf("404 %s", r.body)
	}
	if l := h.get("/v1/score-configs?limit=1&offset=1").list(t); len(l) != 1 || l[0].(map[string]any)["name"] != "helpfulness" {
		t.Errorf("page %v", l)
	}
}

func TestTemplatesAndPrompts(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), nil)

	// A prompt: the AST with the commit stamped into the frontmatter.
	d := h.expect(h.get("/v1/templates?path=ask.prompt.mdx"), 200).data(t)
	if d["type"] != "root" {
		t.Fatalf("ast %v", d)
	}
	yaml := d["children"].([]any)[0].(map[string]any)
	if yaml["type"] != "yaml" || !strings.Contains(yaml["value"].(string), "commit_sha: 0123456789abcdef0123456789abcdef01234567") ||
		!strings.Contains(yaml["value"].(string), "owner: team") {
		t.Errorf("frontmatter %v", yaml["value"])
	}
	h.expect(h.get("/v1/templates?path=./nested/two.prompt.mdx"), 200)
	if b := h.expect(h.get("/v1/templates?path=withimport.prompt.mdx"), 200).body; !strings.Contains(string(b), "a shared part") {
		t.Errorf("import not inlined: %s", b)
	}

	// Path rules.
	for p, want := range map[string]int{
		"":                   400,
		"../secret.mdx":      400,
		"nested/../../x.mdx": 400,
		"/etc/passwd.mdx":    400,
		"missing.prompt.mdx": 404,
		"ask.txt":            400,
		"bad.prompt.mdx":     400,
		"escape.prompt.mdx":  400,
		"nested":             400,
	} {
		r := h.get("/v1/templates?path=" + url.QueryEscape(p))
		if r.status != want {
			t.Errorf("path %q: %d %s", p, r.status, r.body)
			continue
		}
		code := r.errCode(t)
		switch {
		case p == "bad.prompt.mdx" && code != "template_parse_error":
			t.Errorf("parse error code %s", code)
		case strings.Contains(p, "..") && (code != "invalid_query_params" || !strings.Contains(string(r.body), "path traversal")):
			t.Errorf("traversal %s", r.body)
		}
	}
	if r := h.get("/v1/templates?path=bad.prompt.mdx"); !strings.Contains(string(r.body), "Failed to parse template: ") {
		t.Errorf("parse message %s", r.body)
	}
	h.expect(h.get("/v1/templates?path=a.mdx&path=b.mdx"), 400)

	// Datasets: a bare JSON array, or NDJSON when asked.
	r := h.expect(h.get("/v1/templates?path=data.jsonl"), 200)
	var rows []map[string]any
	if err := json.Unmarshal(r.body, &rows); err != nil || len(rows) != 2 || rows[0]["expected_output"] != "A" {
		t.Errorf("rows %s", r.body)
	}
	r = h.expect(h.get("/v1/templates?path=data.jsonl", "Accept", "application/x-ndjson"), 200)
	if r.header.Get("Content-Type") != "application/x-ndjson; charset=utf-8" || string(r.body) != testProjectFiles["agentmark/data.jsonl"] {
		t.Errorf("ndjson %q %q", r.header.Get("Content-Type"), r.body)
	}
	r = h.expect(h.get("/v1/templates?path=data.jsonl&format=json", "Accept", "application/x-ndjson"), 200)
	if !strings.HasPrefix(string(r.body), "[") {
		t.Errorf("format=json %s", r.body)
	}
	if b := h.expect(h.get("/v1/templates?path=fallback.jsonl"), 200).body; !strings.Contains(string(b), "fb") {
		t.Errorf("fallback %s", b)
	}
	h.expect(h.get("/v1/templates?path=none.jsonl"), 404)

	// Prompts: every prompt file, or those with a frontmatter name.
	paths := strs(h.expect(h.get("/v1/prompts"), 200).data(t)["paths"])
	if !reflect.DeepEqual(paths, []string{"ask.prompt.mdx", "bad.prompt.mdx", "dup.prompt.mdx", "escape.prompt.mdx", "nested/two.prompt.mdx", "withimport.prompt.mdx"}) {
		t.Errorf("paths %v", paths)
	}
	if p := strs(h.get("/v1/prompts?name=ask").data(t)["paths"]); !reflect.DeepEqual(p, []string{"ask.prompt.mdx", "dup.prompt.mdx"}) {
		t.Errorf("by name %v", p)
	}
	if p := strs(h.get("/v1/prompts?name=zzz").data(t)["paths"]); len(p) != 0 {
		t.Errorf("unknown name %v", p)
	}
	h.expect(h.get("/v1/prompts?name="), 400)

	// Config.
	cfg := h.expect(h.get("/v1/config"), 200).data(t)
	if cfg["commit_sha"] != "0123456789abcdef0123456789abcdef01234567" || cfg["config"].(map[string]any)["version"] != "2.0.0" {
		t.Errorf("config %v", cfg)
	}
	// No project: 404 / empty.
	bare, err := New(Config{Store: h.st})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	bare.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/templates?path=a.prompt.mdx", nil))
	if rec.Code != 404 {
		t.Errorf("no project: %d", rec.Code)
	}
}

func TestPublicRoutes(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), nil)
	if r := h.expect(h.get("/health"), 200); string(r.body) != "{\"status\":\"ok\"}\n" {
		t.Errorf("health %s", r.body)
	}
	caps := h.expect(h.get("/v1/capabilities"), 200).json(t)
	if caps["target"] != "local" || caps["url"] != h.http.URL || caps["endpoints"].(map[string]any)["traces"] != true {
		t.Errorf("capabilities %v", caps)
	}
	r := h.expect(h.get("/v1/pricing"), 200)
	if r.header.Get("Cache-Control") != "public, max-age=86400" {
		t.Errorf("cache-control %q", r.header.Get("Cache-Control"))
	}
	prices := r.json(t)
	g, ok := prices["gpt-4o"].(map[string]any)
	if !ok || !near(num(g["promptPrice"]), 0.0025) || !near(num(g["completionPrice"]), 0.01) {
		t.Errorf("gpt-4o %v", prices["gpt-4o"])
	}
	if c, ok := prices["mock/echo"].(map[string]any); !ok || !near(num(c["promptPrice"]), 1) || !near(num(c["completionPrice"]), 2) {
		t.Errorf("custom price %v", prices["mock/echo"])
	}
}

// The OpenAPI document lists every route of the table with its operation id.
func TestOpenAPI(t *testing.T) {
	h := newHarness(t, openBackend(t, "sqlite"), nil)
	doc := h.expect(h.get("/v1/openapi.json"), 200).json(t)
	if doc["openapi"] != "3.0.3" {
		t.Errorf("version %v", doc["openapi"])
	}
	if s := doc["servers"].([]any)[0].(map[string]any); s["url"] != h.http.URL {
		t.Errorf("servers %v", s)
	}
	paths := doc["paths"].(map[string]any)
	seen := map[string]bool{}
	n := 0
	for _, rt := range h.srv.Routes() {
		item, ok := paths[rt.Path].(map[string]any)
		if !ok {
			t.Errorf("path %s missing", rt.Path)
			continue
		}
		op, ok := item[strings.ToLower(rt.Method)].(map[string]any)
		if !ok || op["operationId"] != rt.OperationID {
			t.Errorf("%s %s: %v", rt.Method, rt.Path, op)
			continue
		}
		if seen[rt.OperationID] {
			t.Errorf("duplicate operation id %s", rt.OperationID)
		}
		seen[rt.OperationID] = true
		if _, ok := op["responses"].(map[string]any); !ok {
			t.Errorf("%s: no responses", rt.OperationID)
		}
		if rt.Deprecated && op["deprecated"] != true {
			t.Errorf("%s not deprecated", rt.OperationID)
		}
		n++
	}
	count := 0
	for _, item := range paths {
		count += len(item.(map[string]any))
	}
	if count != n || n < 30 {
		t.Errorf("%d operations in the document, %d routes", count, n)
	}
	// Documented schemas are carried over (list-traces parameters).
	lt := paths["/v1/traces"].(map[string]any)["get"].(map[string]any)
	if ps, _ := lt["parameters"].([]any); len(ps) < 10 {
		t.Errorf("list-traces parameters %v", lt["parameters"])
	}
	// Every route answers (no route of the table is shadowed).
	for _, rt := range h.srv.Routes() {
		path := strings.NewReplacer("{traceId}", "t", "{spanId}", "s", "{sessionId}", "x", "{scoreId}", "sc", "{name}", "n",
			"{apiKeyId}", "k", "{deploymentId}", "d").Replace(rt.Path)
		r := h.do(rt.Method, path, []byte(`{}`), "Content-Type", "application/json")
		if r.status == 404 && strings.Contains(string(r.body), "Cannot ") {
			t.Errorf("%s %s not routed", rt.Method, path)
		}
		if r.status >= 500 && r.status != 501 && r.status != 503 {
			t.Errorf("%s %s: %d %s", rt.Method, path, r.status, r.body)
		}
	}
}

func TestMetrics(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.expect(h.ingestFile("aisdk-v5-generate-text.pb"), 200)
		h.expect(h.ingestFile("aisdk-v4-generate-text.pb"), 200)
		gens := h.get("/v1/spans?type=GENERATION&limit=500").list(t)
		var cost, tokens float64
		for _, g := range gens {
			cost += num(g.(map[string]any)["cost"])
			tokens += num(g.(map[string]any)["tokens"])
		}
		d := h.expect(h.get("/v1/metrics?start_date=2000-01-01T00:00:00Z&end_date=2100-01-01T00:00:00Z&extended=true"), 200).data(t)
		s := d["summary"].(map[string]any)
		if int(num(s["total_requests"])) != len(gens) || !near(num(s["total_cost"]), cost) || num(s["total_tokens"]) != tokens {
			t.Errorf("summary %v vs %d gens, cost %v tokens %v", s, len(gens), cost, tokens)
		}
		if _, ok := s["model_count"]; !ok {
			t.Errorf("extended fields missing: %v", s)
		}
		var req float64
		for _, p := range d["time_series"].([]any) {
			pm := p.(map[string]any)
			req += num(pm["requests"])
			if len(pm["date"].(string)) != 10 {
				t.Errorf("point %v", pm)
			}
		}
		if int(req) != len(gens) {
			t.Errorf("series requests %v", req)
		}
		s2 := h.get("/v1/metrics?start_date=2000-01-01&end_date=2100-01-01&extended=false").data(t)["summary"].(map[string]any)
		if _, ok := s2["model_count"]; ok {
			t.Errorf("extended=false has extended fields")
		}
	})
}
