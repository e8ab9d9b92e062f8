package agentmark_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/server"
	"github.com/agentmark-go/agentmark/store/sqlite"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// TestRunExperimentSDKTracedToAPI: with a tracing client and
// AGENTMARK_BASE_URL, SDK experiment rows and their scores reach the API.
func TestRunExperimentSDKTracedToAPI(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), nil)
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
	p, err := amtrace.New(amtrace.Options{BaseURL: hs.URL, DisableBatch: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })

	client := agentmark.New(agentmark.WithSourceDir(evalProject(t)), agentmark.WithTracing(p))
	pr, err := client.LoadTextPrompt("echo.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.RunExperiment(context.Background(), agentmark.ExperimentOptions{Prompt: pr, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(hs.URL + "/v1/experiments/" + res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			ItemCount int `json:"itemCount"`
			Items     []struct {
				TraceID string `json:"traceId"`
				Scores  []any  `json:"scores"`
			} `json:"items"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	if body.Data.ItemCount != len(res.Rows) || len(body.Data.Items) != len(res.Rows) {
		t.Fatalf("items: %+v (rows %d)", body.Data, len(res.Rows))
	}
	for _, it := range body.Data.Items {
		if it.TraceID == "" || len(it.Scores) == 0 {
			t.Fatalf("item: %+v", it)
		}
	}
}
