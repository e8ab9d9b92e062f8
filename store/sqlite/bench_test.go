package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/agentmark-go/agentmark/store/storetest"
)

// Write throughput, e.g.: go test -run '^$' -bench Write -benchtime 200x ./store/sqlite/
func BenchmarkWrite(b *testing.B) {
	for _, batch := range []int{100, 500} {
		for _, sync := range []string{"FULL", "NORMAL"} {
			b.Run(sync+"/batch="+strconv.Itoa(batch), func(b *testing.B) {
				s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), &Options{Synchronous: sync})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				storetest.BenchWrite(b, s, batch)
			})
		}
	}
}

// Query latency at scale; AGENTMARK_BENCH_SPANS=1000000 for the 1M goals:
//
//	AGENTMARK_BENCH_SPANS=1000000 go test -run '^$' -bench Queries -benchtime 200x -timeout 30m ./store/sqlite/
func BenchmarkQueries(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), &Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchQueries(b, s)
}
