package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark/ingest/normalize"
)

// batch100 builds a 100-span protobuf request out of the recorded
// testdata (AI SDK v4/v5, AgentMark, pydantic-ai, OpenInference,
// OpenLLMetry, Mastra spans, repeated), like a real mixed export batch.
func batch100(tb testing.TB) []byte {
	tb.Helper()
	var srcs []ptrace.Traces
	for _, name := range []string{"aisdk-v5-generate-text.pb", "aisdk-v5-object-stream-embed.pb", "aisdk-v4-generate-text.pb",
		"gosdk-agentmark.pb", "gosdk-pydantic-ai.pb", "gosdk-openllmetry.pb", "gosdk-mastra.pb", "gosdk-genai-fallback.pb"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatal(err)
		}
		td, err := Decode(b, "application/x-protobuf", "")
		if err != nil {
			tb.Fatal(err)
		}
		srcs = append(srcs, td)
	}
	out := ptrace.NewTraces()
	n := 0
	for n < 100 {
		for _, src := range srcs {
			rss := src.ResourceSpans()
			for i := 0; i < rss.Len() && n < 100; i++ {
				rs := out.ResourceSpans().AppendEmpty()
				rss.At(i).Resource().CopyTo(rs.Resource())
				sss := rss.At(i).ScopeSpans()
				for j := 0; j < sss.Len() && n < 100; j++ {
					ss := rs.ScopeSpans().AppendEmpty()
					sss.At(j).Scope().CopyTo(ss.Scope())
					spans := sss.At(j).Spans()
					for k := 0; k < spans.Len() && n < 100; k++ {
						spans.At(k).CopyTo(ss.Spans().AppendEmpty())
						n++
					}
				}
			}
		}
	}
	var m ptrace.ProtoMarshaler
	b, err := m.MarshalTraces(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkDecodeNormalize100: decode + normalize (+ cost) of a 100-span
// protobuf batch; reports spans/s.
func BenchmarkDecodeNormalize100(b *testing.B) {
	body := batch100(b)
	n := &normalize.Normalizer{Pricer: pricer}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	spans := 0
	for i := 0; i < b.N; i++ {
		res, err := Process(body, "application/x-protobuf", "", n)
		if err != nil || len(res.Spans) != 100 {
			b.Fatalf("%v %d", err, len(res.Spans))
		}
		spans += len(res.Spans)
	}
	b.ReportMetric(float64(spans)/b.Elapsed().Seconds(), "spans/s")
	// CPU-time based rate: stable on a loaded machine (run with -cpu 1).
	if d := cpuTime() - cpu0; d > 0 {
		b.ReportMetric(float64(spans)/d.Seconds(), "spans/cpu-s")
	}
}

// BenchmarkDecode100: protobuf decode alone.
func BenchmarkDecode100(b *testing.B) {
	body := batch100(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(body, "application/x-protobuf", ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "spans/s")
}
