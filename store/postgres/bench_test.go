package postgres

import (
	"strconv"
	"testing"

	"github.com/agentmark-go/agentmark/store/storetest"
)

// Write throughput, e.g.: go test -run '^$' -bench Write -benchtime 100x ./store/postgres/
func BenchmarkWrite(b *testing.B) {
	for _, batch := range []int{100, 500} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			storetest.BenchWrite(b, newTestStore(b), batch)
		})
	}
}

// Query latency at scale; AGENTMARK_BENCH_SPANS=1000000 for the 1M goals:
//
//	AGENTMARK_BENCH_SPANS=1000000 go test -run '^$' -bench Queries -benchtime 200x -timeout 30m ./store/postgres/
func BenchmarkQueries(b *testing.B) {
	storetest.BenchQueries(b, newTestStore(b))
}
