package storetest

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// BenchApp is the app the benchmarks write into.
const BenchApp = "bench-app"

// BenchWrite measures write throughput: each iteration writes one batch of
// batchSize realistic spans (8 spans a trace) in one WriteSpans call, and
// reports spans/s. The spans are generated before the timer runs.
func BenchWrite(b *testing.B, s store.Store, batchSize int) {
	ctx := context.Background()
	batches := make([][]span.Span, b.N)
	base := time.Now().Add(-time.Hour)
	for i := range batches {
		batches[i] = Realistic(int64(i+1), batchSize, 8, base.Add(time.Duration(i)*time.Second))
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := s.WriteSpans(ctx, BenchApp, batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*batchSize)/el.Seconds(), "spans/s")
}

// BenchSpans is the number of spans the query benchmarks seed:
// $AGENTMARK_BENCH_SPANS, default 100,000 (set 1000000 for the 1M goals).
func BenchSpans() int {
	if n, err := strconv.Atoi(os.Getenv("AGENTMARK_BENCH_SPANS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// Seed writes n realistic spans (8 a trace, batches of 500) and returns the
// trace IDs.
func Seed(tb testing.TB, s store.Store, n int) []string {
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < n; i += 500 {
		batch := Realistic(int64(i/500+1), min(500, n-i), 8, base.Add(time.Duration(i/8)*37*time.Millisecond))
		for _, sp := range batch {
			if sp.ParentSpanID == "" {
				ids = append(ids, sp.TraceID)
			}
		}
		if err := s.WriteSpans(ctx, BenchApp, batch); err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

// BenchQueries seeds BenchSpans() spans, then measures the trace detail and
// filtered trace list latencies and reports their p50 in ms.
func BenchQueries(b *testing.B, s store.Store) {
	n := BenchSpans()
	t0 := time.Now()
	ids := Seed(b, s, n)
	b.Logf("seeded %d spans (%d traces) in %v (%.0f spans/s)", n, len(ids), time.Since(t0), float64(n)/time.Since(t0).Seconds())
	ctx := context.Background()
	r := rand.New(rand.NewSource(1))
	queries := []struct {
		name string
		q    store.TraceQuery
	}{
		{"Recent", store.TraceQuery{}},
		{"User", store.TraceQuery{UserID: "user-42"}},
		{"Session", store.TraceQuery{SessionID: "session-7"}},
		{"ErrorsWithTag", store.TraceQuery{Status: store.StatusError, Tags: []string{"team-3"}}},
		{"DSLCostLatency", store.TraceQuery{Filter: "cost > 0.002 and latency_ms < 1500 and status = OK"}},
		{"DSLModel", store.TraceQuery{Filter: `(model = "o3" or model = "gemini-1.5-pro") and cost > 0.003`}},
		{"DSLMetadata", store.TraceQuery{Filter: `metadata.env = "staging" and tags = team-1`}},
		{"SortCostAsc", store.TraceQuery{SortBy: store.TraceSortCost, SortOrder: store.Asc}},
	}
	measure := func(b *testing.B, fn func() error) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			st := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(st))
		}
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	}
	b.Run("TraceDetail", func(b *testing.B) {
		measure(b, func() error {
			tr, err := s.GetTrace(ctx, BenchApp, ids[r.Intn(len(ids))])
			if err == nil && len(tr.Spans) == 0 {
				err = fmt.Errorf("empty trace")
			}
			return err
		})
	})
	b.Run("TraceSpans", func(b *testing.B) {
		measure(b, func() error {
			_, err := s.ListTraceSpans(ctx, BenchApp, ids[r.Intn(len(ids))])
			return err
		})
	})
	for _, q := range queries {
		b.Run("TraceList/"+q.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := s.ListTraces(ctx, BenchApp, q.q)
				return err
			})
		})
	}
	b.Run("SpanList/Generations", func(b *testing.B) {
		measure(b, func() error {
			_, err := s.ListSpans(ctx, BenchApp, store.SpanQuery{Type: span.TypeGeneration, ModelEquals: "o3"})
			return err
		})
	})
	b.Run("Sessions", func(b *testing.B) {
		measure(b, func() error {
			_, err := s.ListSessions(ctx, BenchApp, store.SessionQuery{})
			return err
		})
	})
	b.Run("Metrics24h", func(b *testing.B) {
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		measure(b, func() error {
			_, err := s.Metrics(ctx, BenchApp, store.MetricsQuery{From: from, To: from.Add(24 * time.Hour)})
			return err
		})
	})
}
