package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// TestIncrementalRollup: the traces rows maintained incrementally by
// WriteSpans equal a full recompute from the stored spans.
func TestIncrementalRollup(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 5; seed++ {
		s, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"), &Options{Synchronous: "OFF"})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range sqlcore.RollupCheckBatches(seed, 40) {
			if err := s.WriteSpans(ctx, "app", b); err != nil {
				t.Fatal(err)
			}
		}
		before, err := sqlcore.SnapshotTraces(ctx, dbQuerier{s.w})
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{"rt-0", "rt-1", "rt-2", "rt-3", "rt-4", "rt-5", "rt-6", "rt-7"}
		if err := s.tx(ctx, func(tx sqlcore.Tx) error { return sqlcore.RecomputeTraces(ctx, dialect, tx, "app", ids) }); err != nil {
			t.Fatal(err)
		}
		after, err := sqlcore.SnapshotTraces(ctx, dbQuerier{s.w})
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 || !slices.Equal(before, after) {
			t.Fatalf("seed %d: incremental rollup differs from recompute:\n%v\n%v", seed, before, after)
		}
		s.Close()
	}
}

// TestIncrementalRollupConcurrent: the same with concurrent writers, whose
// batches the store merges into group commits.
func TestIncrementalRollupConcurrent(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"), &Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	batches := sqlcore.RollupCheckBatches(42, 200)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(batches); i += 8 {
				app := "app"
				if i%5 == 0 {
					app = "other"
				}
				if err := s.WriteSpans(ctx, app, batches[i]); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	before, err := sqlcore.SnapshotTraces(ctx, dbQuerier{s.w})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"rt-0", "rt-1", "rt-2", "rt-3", "rt-4", "rt-5", "rt-6", "rt-7"}
	for _, app := range []string{"app", "other"} {
		if err := s.tx(ctx, func(tx sqlcore.Tx) error { return sqlcore.RecomputeTraces(ctx, dialect, tx, app, ids) }); err != nil {
			t.Fatal(err)
		}
	}
	after, err := sqlcore.SnapshotTraces(ctx, dbQuerier{s.w})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 16 || !slices.Equal(before, after) {
		t.Fatalf("incremental rollup differs from recompute (%d rows):\n%v\n%v", len(before), before, after)
	}
}
