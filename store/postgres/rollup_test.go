package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// TestIncrementalRollup: the traces rows maintained incrementally by
// WriteSpans equal a full recompute from the stored spans.
func TestIncrementalRollup(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 3; seed++ {
		s := newTestStore(t)
		for _, b := range sqlcore.RollupCheckBatches(seed, 40) {
			if err := s.WriteSpans(ctx, "app", b); err != nil {
				t.Fatal(err)
			}
		}
		before, err := sqlcore.SnapshotTraces(ctx, poolQuerier{s.pool})
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{"rt-0", "rt-1", "rt-2", "rt-3", "rt-4", "rt-5", "rt-6", "rt-7"}
		if err := s.tx(ctx, func(tx txQuerier) error { return sqlcore.RecomputeTraces(ctx, dialect, tx, "app", ids) }); err != nil {
			t.Fatal(err)
		}
		after, err := sqlcore.SnapshotTraces(ctx, poolQuerier{s.pool})
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 || !slices.Equal(before, after) {
			t.Fatalf("seed %d: incremental rollup differs from recompute:\n%v\n%v", seed, before, after)
		}
	}
}
