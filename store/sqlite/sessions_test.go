package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// TestSessionSummaries: the session tables maintained incrementally by
// WriteSpans (sequential and concurrent writers) equal a rebuild by the
// backfill of migration 0004.
func TestSessionSummaries(t *testing.T) {
	ctx := context.Background()
	mig, err := os.ReadFile("migrations/0004_sessions.sql")
	if err != nil {
		t.Fatal(err)
	}
	rebuild := sqlcore.SessionsRebuild(string(mig))
	if len(rebuild) != 4 {
		t.Fatalf("backfill statements: %q", rebuild)
	}
	for seed := int64(1); seed <= 4; seed++ {
		s, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"), &Options{Synchronous: "OFF"})
		if err != nil {
			t.Fatal(err)
		}
		batches := sqlcore.RollupCheckBatches(seed, 60)
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(batches); i += 4 {
					if err := s.WriteSpans(ctx, "app", batches[i]); err != nil {
						t.Error(err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		before, err := sqlcore.SnapshotSessions(ctx, dbQuerier{s.w})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.tx(ctx, func(tx sqlcore.Tx) error {
			for _, st := range rebuild {
				if err := tx.Exec(ctx, st); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		after, err := sqlcore.SnapshotSessions(ctx, dbQuerier{s.w})
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 || !slices.Equal(before, after) {
			t.Fatalf("seed %d: incremental sessions differ from the backfill:\n%v\n%v", seed, before, after)
		}
		s.Close()
	}
}
