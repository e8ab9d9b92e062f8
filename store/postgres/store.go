// Package postgres is the PostgreSQL store for teams and production, on a
// pgx/v5 connection pool. Several agentmark replicas may share one database:
// migrations take an advisory lock, and span writes take per-trace advisory
// locks so concurrent batches of one trace keep its rollup exact.
package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// Options tune the store.
type Options struct {
	// Schema, when set, is created if missing and used as the search path
	// (one schema per deployment or per test run).
	Schema string
	// MaxConns caps the pool (default pgxpool's: max(4, NumCPU)).
	MaxConns int32
}

// Store is the Postgres store. It is safe for concurrent use.
type Store struct {
	*sqlcore.Core
	pool   *pgxpool.Pool
	closed atomic.Bool
}

var _ store.Store = (*Store)(nil)

var dialect = &sqlcore.Dialect{
	Name:              "postgres",
	Placeholder:       func(n int) string { return "$" + strconv.Itoa(n) },
	InsertPlaceholder: func(n int) string { return "$" + strconv.Itoa(n) },
	MetaKeyArg:        func(key string) string { return key },
	JSONGet:           func(col, ph string) string { return "(" + col + " ->> CAST(" + ph + " AS TEXT))" },
	JSONHasKey:        func(col, ph string) string { return "(" + col + " ? CAST(" + ph + " AS TEXT))" },
	JSONHasElem:       func(col, ph string) string { return "(" + col + " ? CAST(" + ph + " AS TEXT))" },
	JSONElemContains: func(col, ph string) string {
		return "EXISTS (SELECT 1 FROM jsonb_array_elements_text(" + col + ") je(v) WHERE strpos(je.v, " + ph + ") > 0)"
	},
	Contains: func(col, ph string) string { return "(strpos(" + col + ", " + ph + ") > 0)" },
	ILike:    func(col, ph string) string { return "(" + col + " ILIKE " + ph + ")" },
}

var schemaRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,62}$`)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and migrates it to the current schema.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if o.Schema != "" {
		if !schemaRe.MatchString(o.Schema) {
			return nil, fmt.Errorf("postgres: invalid schema name %q", o.Schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = o.Schema
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if o.Schema != "" {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{o.Schema}.Sanitize()); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: create schema: %w", err)
		}
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool}
	s.Core = &sqlcore.Core{D: dialect, Q: poolQuerier{pool}}
	return s, nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	if !s.closed.Swap(true) {
		s.pool.Close()
	}
	return nil
}

// Pool exposes the connection pool (for LISTEN/NOTIFY and the like).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

type poolQuerier struct{ q queryer }

func (p poolQuerier) Query(ctx context.Context, sql string, args ...any) (sqlcore.Rows, error) {
	rows, err := p.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

type txQuerier struct {
	poolQuerier
	tx pgx.Tx
}

func (t txQuerier) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := t.tx.Exec(ctx, sql, args...)
	return err
}
