package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/storetest"
)

// testDSN is the database the tests use: $AGENTMARK_TEST_POSTGRES, else the
// local trust-auth server CI starts.
func testDSN() string {
	if dsn := os.Getenv("AGENTMARK_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"
}

// requirePostgres skips when Postgres is unreachable, unless CI=true, where
// it fails: CI must run the Postgres suite.
func requirePostgres(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testDSN())
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Postgres unreachable at %s (CI=true, so this fails instead of skipping): %v", testDSN(), err)
		}
		t.Skipf("Postgres unreachable at %s, skipping (set AGENTMARK_TEST_POSTGRES or start a server): %v", testDSN(), err)
	}
}

// newTestStore opens a store in a fresh random schema, dropped at cleanup.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	requirePostgres(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "storetest_" + hex.EncodeToString(b)
	ctx := context.Background()
	s, err := Open(ctx, testDSN(), &Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		conn, err := pgx.Connect(ctx, testDSN())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	requirePostgres(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
}

func TestMigrateTwice(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := migrate(ctx, s.pool); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}
