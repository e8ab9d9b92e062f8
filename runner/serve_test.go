package runner_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/runner"
)

func TestServeListenerShutsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.ServeListener(ctx, ln, agentmark.New(agentmark.WithEval("a", exactMatch))) }()
	names, err := runner.NewClient("http://" + ln.Addr().String()).GetEvals(context.Background())
	if err != nil || len(names) != 1 {
		t.Fatalf("%v %v", names, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
}

// Datasets served by an AgentMark API server (/v1/templates), NDJSON or
// a JSON array.
func TestHTTPDatasets(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/templates" {
			http.NotFound(w, r)
			return
		}
		switch r.URL.Query().Get("path") {
		case "nd.jsonl":
			if !strings.Contains(r.Header.Get("Accept"), "application/x-ndjson") {
				t.Error("no ndjson accept")
			}
			w.Header().Set("Content-Type", "application/x-ndjson")
			_, _ = w.Write([]byte(`{"input":{"q":"one"}}` + "\n" + `{"input":{"q":"two"},"expected_output":"two"}` + "\n"))
		case "arr.jsonl":
			_, _ = w.Write([]byte(`[{"input":{"q":"three"}}]`))
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"Dataset not found"}}`))
		}
	}))
	defer api.Close()
	srv := httptest.NewServer(runner.Handler(agentmark.New(), runner.WithAPIServer(api.URL)))
	defer srv.Close()
	c := runner.NewClient(srv.URL)
	for path, n := range map[string]int{"nd.jsonl": 2, "arr.jsonl": 1} {
		rows, _ := datasetRows(t, c.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt), DatasetPath: path}))
		if len(rows) != n {
			t.Errorf("%s: %d rows", path, len(rows))
		}
	}
	_, chunks := datasetRows(t, c.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt), DatasetPath: "missing.jsonl"}))
	if len(chunks) != 1 || !strings.Contains(chunks[0].ErrorMessage(), "HTTP 404") {
		t.Errorf("missing: %v", chunks)
	}
}
