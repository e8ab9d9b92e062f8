package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/store/sqlite"
	"github.com/agentmark-go/agentmark/store/storetest"
	"github.com/agentmark-go/agentmark/ui"
	"github.com/agentmark-go/agentmark/ui/internal/demo"
)

// BenchmarkPages measures server-side render time (store query + template)
// of the traces list and of a 2,000-span trace detail against a large
// store: $AGENTMARK_BENCH_SPANS realistic spans (default 100,000) plus the
// demo data. At 1M spans:
//
//	AGENTMARK_BENCH_SPANS=1000000 go test ./ui -run '^$' -bench Pages -benchtime 50x -timeout 60m
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), &sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	t0 := time.Now()
	n := storetest.BenchSpans()
	storetest.Seed(b, st, n)
	if err := demo.Seed(ctx, st, storetest.BenchApp, time.Now(), 100); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d spans in %v", n, time.Since(t0))
	h := ui.Handler(ui.FromStore(st, storetest.BenchApp, b.TempDir()))
	for _, c := range []struct{ name, path string }{
		{"TracesList", "/traces"},
		{"TracesFiltered", "/traces?status=ERROR&tag=team-3&range=all"},
		{"TracesSortCost", "/traces?sort=cost&order=desc"},
		{"TraceDetail2000", "/traces/" + demo.BigTrace},
		{"Dashboard7d", "/dashboard?range=7d"},
		{"Sessions", "/sessions"},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				w := httptest.NewRecorder()
				s := time.Now()
				h.ServeHTTP(w, req)
				lat = append(lat, time.Since(s))
				if w.Code != 200 {
					b.Fatalf("%s: %d", c.path, w.Code)
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
