package runner_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/runner"
)

// Jobs per second through the runner (HTTP over loopback, mock provider),
// JSON envelopes.
func BenchmarkRunnerPromptRunJSON(b *testing.B) {
	r := newRig(b)
	job := runner.PromptRunData{AST: ast(b, textPrompt), Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(false)}}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			run, err := r.client.RunPrompt(ctx, job)
			if err != nil || run.Response.Text() == "" {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}

// Streamed prompt-runs: jobs per second and time to first chunk (p50,
// p99) as the client sees it.
func BenchmarkRunnerPromptRunStream(b *testing.B) {
	r := newRig(b)
	body, _ := runner.Body(runner.Job{Type: runner.JobPromptRun, Data: runner.PromptRunData{AST: ast(b, textPrompt)}})
	ctx := context.Background()
	ttfc := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		resp, err := r.client.PostRaw(ctx, body)
		if err != nil {
			b.Fatal(err)
		}
		first := true
		for c, err := range runner.ReadChunks(resp.Body) {
			if err != nil {
				b.Fatal(err)
			}
			if first {
				ttfc = append(ttfc, time.Since(t0))
				first = false
			}
			_ = c
		}
		resp.Body.Close()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(ttfc, func(i, j int) bool { return ttfc[i] < ttfc[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
	b.ReportMetric(float64(ttfc[len(ttfc)/2].Microseconds()), "ttfc-p50-µs")
	b.ReportMetric(float64(ttfc[len(ttfc)*99/100].Microseconds()), "ttfc-p99-µs")
}

// Dataset rows per second (3-row dataset, 2 evals per row).
func BenchmarkRunnerDatasetRun(b *testing.B) {
	r := newRig(b)
	job := runner.DatasetRunData{AST: ast(b, expPrompt)}
	ctx := context.Background()
	rows := 0
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		for c, err := range r.client.RunDataset(ctx, job) {
			if err != nil || c.Type != "dataset" {
				b.Fatal(err, c)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// The handler alone (no network): get-evals round trips.
func BenchmarkRunnerGetEvals(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	for range b.N {
		resp, err := r.client.Post(ctx, runner.Job{Type: runner.JobGetEvals, Data: struct{}{}})
		if err != nil {
			b.Fatal(err)
		}
		var er runner.EvalsResponse
		_ = json.NewDecoder(resp.Body).Decode(&er)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	_ = http.StatusOK
}
