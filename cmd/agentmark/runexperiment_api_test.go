package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/server"
	"github.com/agentmark-go/agentmark/store/sqlite"
)

// TestRunExperimentVisibleThroughAPI runs an in-process experiment against
// a local API server (SQLite): every row is traced with its dataset fields,
// its scores are posted, and GET /v1/experiments shows the run.
func TestRunExperimentVisibleThroughAPI(t *testing.T) {
	startChatEcho(t, &chatEcho{})
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "traces.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	t.Setenv("AGENTMARK_BASE_URL", hs.URL)
	t.Setenv("AGENTMARK_TRACE_ENDPOINT", "")
	t.Setenv("AGENTMARK_API_KEY", "")

	file := expProject(t, expPrompt, row("hello", "hello"), row("world", "nope"))
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "json", "--concurrency", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if strings.Contains(errs, "could not") {
		t.Fatalf("export problems: %s", errs)
	}

	get := func(path string) map[string]any {
		t.Helper()
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		return m
	}
	list := get("/v1/experiments")["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("experiments: %v", list)
	}
	sum := list[0].(map[string]any)
	if sum["promptName"] != "classifier" || sum["datasetPath"] != "./data.jsonl" || sum["itemCount"].(float64) != 2 ||
		sum["experimentKey"] == "" || sum["avgScore"] == nil {
		t.Fatalf("summary: %v", sum)
	}
	// 3 of 4 evals pass (exact_match fails on "world").
	if sum["passRate"].(float64) != 75 {
		t.Fatalf("passRate: %v", sum)
	}
	d := get("/v1/experiments/" + sum["id"].(string))["data"].(map[string]any)
	items := d["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("items: %v", d)
	}
	byOut := map[string]map[string]any{}
	for _, x := range items {
		it := x.(map[string]any)
		byOut[it["output"].(string)] = it
		if it["traceId"] == "" || it["itemName"] == "" {
			t.Fatalf("item: %v", it)
		}
	}
	w := byOut["world"]
	if w == nil || w["expectedOutput"] != "nope" || w["input"].(map[string]any)["text"] != "world" {
		t.Fatalf("items: %v", items)
	}
	scores := map[string]string{}
	for _, s := range w["scores"].([]any) {
		sc := s.(map[string]any)
		scores[sc["name"].(string)] = sc["label"].(string)
	}
	if scores["exact_match"] != "FAIL" || scores["contains"] != "PASS" {
		t.Fatalf("scores: %v", w["scores"])
	}
	// The model call is a child span of the row's trace.
	tr := get("/v1/traces/" + w["traceId"].(string))["data"].(map[string]any)
	if !strings.Contains(mustMarshal(tr), "gpt-4o-mini") {
		t.Fatalf("trace has no model span: %v", tr)
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
