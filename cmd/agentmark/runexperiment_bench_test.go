package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkRunExperiment1000 runs `run-experiment --format jsonl` over
// 1,000 rows at --concurrency 20 against a local OpenAI-compatible fake,
// with no model latency (all time is ours + HTTP) and with 10 ms per
// request (ideal wall time 1000/20*10ms = 500ms). Reported: wall ms per
// run and our overhead per row in µs.
//
//	go test ./cmd/agentmark -run '^$' -bench RunExperiment1000 -benchtime 3x
func BenchmarkRunExperiment1000(b *testing.B) {
	for _, delay := range []time.Duration{0, 10 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%s", delay), func(b *testing.B) {
			startChatEcho(b, &chatEcho{delay: delay})
			dir := b.TempDir()
			var rows []string
			for i := 0; i < 1000; i++ {
				rows = append(rows, fmt.Sprintf(`{"input":{"text":"row %d"},"expected_output":"row %d"}`, i, i))
			}
			files := map[string]string{
				"agentmark.json":           `{"version":"2.0.0","agentmarkPath":"."}`,
				"agentmark/exp.prompt.mdx": expPrompt,
				"agentmark/data.jsonl":     strings.Join(rows, "\n"),
			}
			for name, content := range files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte(content), 0o644)
			}
			file := filepath.Join(dir, "agentmark", "exp.prompt.mdx")
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				root := newRoot()
				var out, errb strings.Builder
				root.SetOut(&out)
				root.SetErr(&errb)
				root.SetArgs([]string{"run-experiment", file, "--format", "jsonl", "--concurrency", "20", "--threshold", "90"})
				if code := report(&errb, root.Execute()); code != 0 || strings.Count(out.String(), "\n") < 1001 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
			}
			wall := time.Since(start) / time.Duration(b.N)
			ideal := 1000 / 20 * delay
			b.ReportMetric(float64(wall.Milliseconds()), "wall-ms/run")
			b.ReportMetric(float64((wall-ideal).Microseconds())/1000, "overhead-µs/row")
		})
	}
}
