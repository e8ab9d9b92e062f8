package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/storetest"
)

func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "agentmark.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), ":memory:", nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	ctx := context.Background()
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteSpans(ctx, "app", storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path, nil) // migrations are not re-applied
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.ListTraces(ctx, "app", store.TraceQuery{})
	if err != nil || p.Total != 4 {
		t.Fatalf("after reopen: %d traces, %v", p.Total, err)
	}
}
