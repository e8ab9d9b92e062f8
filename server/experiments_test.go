package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// seedRun writes one dataset run: a root span per row carrying the dataset
// fields (and a child generation), and an "exact" score per row on the
// trace.
func seedRun(t *testing.T, h *harness, runID, key, tree string, base time.Time, inputs []string, scores []float64) []string {
	t.Helper()
	ctx := context.Background()
	var spans []span.Span
	var sc []store.Score
	var traces []string
	for i, in := range inputs {
		tid := fmt.Sprintf("%s%030d", runID[:2], i)
		traces = append(traces, tid)
		st := base.Add(time.Duration(i) * time.Second).UnixNano()
		spans = append(spans, span.Span{
			TraceID: tid, SpanID: fmt.Sprintf("a%015d", i), Type: span.TypeSpan, Name: "ask", StatusCode: "1",
			StartTimeNs: st, EndTimeNs: st + int64(100*time.Millisecond),
			DatasetRunID: runID, DatasetRunName: "run " + runID, DatasetPath: "data.jsonl", DatasetItemName: fmt.Sprintf("item-%d", i),
			DatasetInput: in, DatasetExpectedOutput: "A", ExperimentKey: key, SourceTreeHash: tree, PromptName: "ask",
			Output: fmt.Sprintf("out-%d", i), CommitSHA: "abc",
		}, span.Span{
			TraceID: tid, SpanID: fmt.Sprintf("b%015d", i), ParentSpanID: fmt.Sprintf("a%015d", i), Type: span.TypeGeneration,
			Name: "chat mock", StatusCode: "1", StartTimeNs: st + 1, EndTimeNs: st + int64(50*time.Millisecond), Model: "mock/echo",
			InputTokens: 3, OutputTokens: 2, TotalTokens: 5, Cost: 0.001, CostKnown: true, Output: "gen",
		})
		label := "FAIL"
		if scores[i] >= 0.5 {
			label = "PASS"
		}
		sc = append(sc, store.Score{ResourceID: tid, Name: "exact", Value: scores[i], Label: label, Source: store.SourceExperiment})
	}
	if err := h.st.WriteSpans(ctx, "local", spans); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.CreateScores(ctx, "local", sc); err != nil {
		t.Fatal(err)
	}
	return traces
}

func TestExperimentsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		inputs := []string{`{"q":"a"}`, `{"q":"b"}`}
		seedRun(t, h, "r1-base", "./ask.prompt.mdx", "tree1", t0, inputs, []float64{1, 1})
		seedRun(t, h, "r2-head", "./ask.prompt.mdx", "tree2", t0.Add(time.Hour), inputs, []float64{1, 0})

		// List: newest first, with aggregates.
		r := h.expect(h.get("/v1/experiments"), 200)
		list := r.list(t)
		if len(list) != 2 {
			t.Fatalf("list: %s", r.body)
		}
		first := list[0].(map[string]any)
		if first["id"] != "r2-head" || num(first["itemCount"]) != 2 || first["datasetPath"] != "data.jsonl" ||
			first["experimentKey"] != "./ask.prompt.mdx" || first["promptName"] != "ask" || first["name"] != "run r2-head" {
			t.Fatalf("summary: %v", first)
		}
		if num(first["avgScore"]) != 0.5 || num(first["passRate"]) != 50 || num(first["avgLatencyMs"]) != 100 {
			t.Fatalf("aggregates: %v", first)
		}
		if pg := r.json(t)["pagination"].(map[string]any); num(pg["total"]) != 2 || num(pg["limit"]) != 50 {
			t.Fatalf("pagination: %v", pg)
		}
		if r := h.expect(h.get("/v1/experiments?dataset_path=nope.jsonl"), 200); len(r.list(t)) != 0 {
			t.Fatalf("dataset_path filter: %s", r.body)
		}
		if r := h.expect(h.get("/v1/experiments?limit=201"), 400); r.errCode(t) != "invalid_query_params" {
			t.Fatal(string(r.body))
		}

		// Detail: items oldest first with their dataset fields and scores.
		d := h.expect(h.get("/v1/experiments/r2-head"), 200).data(t)
		items := d["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("items: %v", d)
		}
		it := items[1].(map[string]any)
		if it["itemName"] != "item-1" || it["expectedOutput"] != "A" || it["output"] != "out-1" || it["model"] != "mock/echo" {
			t.Fatalf("item: %v", it)
		}
		if in := it["input"].(map[string]any); in["q"] != "b" {
			t.Fatalf("input: %v", it["input"])
		}
		scs := it["scores"].([]any)
		if len(scs) != 1 || scs[0].(map[string]any)["name"] != "exact" || num(scs[0].(map[string]any)["score"]) != 0 ||
			scs[0].(map[string]any)["label"] != "FAIL" {
			t.Fatalf("scores: %v", scs)
		}
		if r := h.expect(h.get("/v1/experiments/nope"), 404); !strings.Contains(string(r.body), "Experiment not found") {
			t.Fatal(string(r.body))
		}

		// Baseline: exact tree first, else the latest run.
		hashA := eval.HashRowInput(mustJS(t, `{"q":"a"}`))
		b := h.expect(h.get("/v1/experiments/baseline?experiment_key=.%2Fask.prompt.mdx&tree_hash=tree1"), 200).data(t)
		res := b["resolved"].(map[string]any)
		if res["runId"] != "r1-base" || res["treeHash"] != "tree1" || res["matchedExactCommit"] != true {
			t.Fatalf("resolved: %v", b)
		}
		rows := b["rows"].([]any)
		if len(rows) != 2 || rows[0].(map[string]any)["inputHash"] != hashA || rows[0].(map[string]any)["scorer"] != "exact" {
			t.Fatalf("rows: %v", rows)
		}
		b = h.expect(h.get("/v1/experiments/baseline?experiment_key=.%2Fask.prompt.mdx&tree_hash=other"), 200).data(t)
		if res := b["resolved"].(map[string]any); res["runId"] != "r2-head" || res["matchedExactCommit"] != false {
			t.Fatalf("fallback: %v", b)
		}
		b = h.expect(h.get("/v1/experiments/baseline?experiment_key=none&tree_hash=x"), 200).data(t)
		if b["resolved"] != nil || len(b["rows"].([]any)) != 0 {
			t.Fatalf("none: %v", b)
		}
		if r := h.expect(h.get("/v1/experiments/baseline?tree_hash=x"), 400); r.errCode(t) != "invalid_query_params" {
			t.Fatal(string(r.body))
		}
		// The CLI's client reads the same shape.
		bl, err := eval.HTTPBaseline{BaseURL: h.http.URL}.Baseline(context.Background(), "./ask.prompt.mdx", "tree1", "")
		if err != nil || bl.Resolved == nil || bl.Resolved.RunID != "r1-base" || len(bl.Rows) != 2 || bl.Rows[0].Score != 1 {
			t.Fatalf("HTTPBaseline: %+v %v", bl, err)
		}

		// Compare: row b regressed, row a unchanged.
		c := h.expect(h.get("/v1/experiments/compare?base=r1-base&head=r2-head"), 200).data(t)
		sum := c["summary"].(map[string]any)
		if num(sum["regressed"]) != 1 || num(sum["unchanged"]) != 1 {
			t.Fatalf("compare: %v", c)
		}
		for _, x := range c["items"].([]any) {
			ci := x.(map[string]any)
			if ci["inputHash"] == hashA && ci["status"] != "unchanged" {
				t.Fatalf("row a: %v", ci)
			}
		}
		h.expect(h.get("/v1/experiments/compare?base=r1-base&head=nope"), 404)
		h.expect(h.get("/v1/experiments/compare?base=r1-base"), 400)

		// App scoping.
		if r := h.expect(h.get("/v1/experiments", "X-Agentmark-App-Id", "other"), 200); len(r.list(t)) != 0 {
			t.Fatalf("scoping: %s", r.body)
		}
	})
}

func mustJS(t *testing.T, s string) jsvalue.Value {
	t.Helper()
	v, err := jsvalue.ParseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDatasetsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		r := h.expect(h.get("/v1/datasets"), 200)
		var names []string
		for _, x := range r.list(t) {
			d := x.(map[string]any)
			names = append(names, d["name"].(string))
			if d["name"] == "data" && num(d["row_count"]) != 2 {
				t.Fatalf("row_count: %v", d)
			}
		}
		if strings.Join(names, ",") != "data,templates/fallback" {
			t.Fatalf("names: %v", names)
		}
		if r := h.expect(h.get("/v1/datasets?name=fallback"), 200); len(r.list(t)) != 1 {
			t.Fatalf("leaf name: %s", r.body)
		}

		// Append: created with parents; line numbers count rows.
		p := "/v1/datasets/" + url.PathEscape("evals/new") + "/rows"
		for i := range 2 {
			r := h.expect(h.do("POST", p, []byte(`{"input":{"q":"x"},"expected_output":"X"}`)), 201)
			if n := num(r.data(t)["line_number"]); int(n) != i {
				t.Fatalf("line_number %v, want %d", n, i)
			}
		}
		raw, err := os.ReadFile(filepath.Join(h.root, "agentmark", "evals", "new.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		var row map[string]any
		if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &row) != nil || row["expected_output"] != "X" || row["metadata"] == nil {
			t.Fatalf("file: %s", raw)
		}
		// Appending to a file without a trailing newline keeps rows apart.
		r = h.expect(h.do("POST", "/v1/datasets/data/rows", []byte(`{"input":{"q":"c"}}`)), 201)
		if num(r.data(t)["line_number"]) != 2 {
			t.Fatal(string(r.body))
		}
		rows := h.expect(h.get("/v1/datasets/data/rows?limit=2&offset=1"), 200)
		if l := rows.list(t); len(l) != 2 || num(l[0].(map[string]any)["line_number"]) != 1 {
			t.Fatalf("rows page: %s", rows.body)
		}

		// Confinement and validation.
		for _, bad := range []string{url.PathEscape("../secret"), url.PathEscape("a/../../x"), "a%00b", url.PathEscape("/etc/passwd")} {
			r := h.do("POST", "/v1/datasets/"+bad+"/rows", []byte(`{"input":{}}`))
			if r.status != 400 || r.errCode(t) != "invalid_path_params" {
				t.Fatalf("%s: %d %s", bad, r.status, r.body)
			}
		}
		if _, err := os.Stat(filepath.Join(h.root, "secret.jsonl")); err == nil {
			t.Fatal("escaped the prompt dir")
		}
		for body, field := range map[string]string{
			`{"expected_output":1}`:          "input",
			`{"input":{},"extra":1}`:         "extra",
			`{"input":{},"metadata":"x"}`:    "metadata",
			`[1]`:                            "_",
			`{"input":1,"metadata":{"a":1}}`: "",
		} {
			r := h.do("POST", "/v1/datasets/data/rows", []byte(body))
			if field == "" {
				h.expect(r, 201)
				continue
			}
			if r.status != 400 || r.errCode(t) != "invalid_request_body" || !strings.Contains(string(r.body), `"`+field+`"`) {
				t.Fatalf("%s: %d %s", body, r.status, r.body)
			}
		}

		// Import from traces and spans.
		tids := seedRun(t, h, "r9-run", "k", "t", time.Now().Add(-time.Minute), []string{`{"q":"z"}`}, []float64{1})
		r = h.expect(h.do("POST", "/v1/datasets/imported/rows/from-traces",
			[]byte(`{"trace_ids":["`+tids[0]+`","missing"],"mapping":{"input":"$.root_span.dataset_input","metadata":{"trace":"$.id"}}}`)), 207)
		res := r.data(t)
		if num(res["added"]) != 1 {
			t.Fatalf("import: %s", r.body)
		}
		results := res["results"].([]any)
		if results[0].(map[string]any)["status"] != "created" || results[1].(map[string]any)["error"] != "Source not found" {
			t.Fatalf("results: %v", results)
		}
		r = h.expect(h.do("POST", "/v1/datasets/imported/rows/from-spans", []byte(`{"span_ids":["b000000000000000"]}`)), 201)
		if num(r.data(t)["added"]) != 1 {
			t.Fatal(string(r.body))
		}
		raw, _ = os.ReadFile(filepath.Join(h.root, "agentmark", "imported.jsonl"))
		lines = strings.Split(strings.TrimSpace(string(raw)), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], `"input":{"q":"z"}`) || !strings.Contains(lines[0], `"expected_output":"out-0"`) ||
			!strings.Contains(lines[0], `"trace":"`+tids[0]+`"`) || !strings.Contains(lines[1], `"expected_output":"gen"`) {
			t.Fatalf("imported: %s", raw)
		}
		if r := h.do("POST", "/v1/datasets/imported/rows/from-traces", []byte(`{"trace_ids":[]}`)); r.status != 400 {
			t.Fatal(string(r.body))
		}
		if r := h.do("POST", "/v1/datasets/imported/rows/from-traces", []byte(`{"trace_ids":["x"],"mapping":{"input":"props"}}`)); r.status != 400 ||
			!strings.Contains(string(r.body), "mapping.input") {
			t.Fatal(string(r.body))
		}
	})
}
