// Package sqlcore holds what the SQL backends share: the SQL text of every
// read query (parameterized by a small Dialect), the filter compiler, the
// trace rollup computed on write and the metrics computation. Backends own
// their connections, transactions, schema and write paths.
package sqlcore

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/agentmark-go/agentmark/store"
)

// Rows is the subset of *sql.Rows / pgx.Rows the core reads.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Querier runs a query (a pool or a transaction).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
}

// Execer runs a statement (a transaction).
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) error
}

// Tx is what the write helpers need from a transaction.
type Tx interface {
	Querier
	Execer
}

// Dialect is the SQL that differs between backends.
type Dialect struct {
	Name string
	// Placeholder returns the n-th (1-based) parameter reference; it may
	// be referenced several times.
	Placeholder func(n int) string
	// InsertPlaceholder is the n-th parameter of a multi-row insert, where
	// each is used once in order (SQLite: plain "?", whose binding is
	// linear; numbered ones make wide statements quadratic).
	InsertPlaceholder func(n int) string
	// FixedChunks makes multi-row inserts use only chunks of
	// FixedChunkRows rows and single rows, so a backend can cache a few
	// prepared statements (SQLite re-parses wide statements otherwise).
	FixedChunks bool
	// MetaKeyArg turns a metadata key into the argument JSONGet and
	// JSONHasKey expect.
	MetaKeyArg func(key string) string
	// JSONGet is the text value of key arg ph in the JSON object col.
	JSONGet func(col, ph string) string
	// JSONHasKey: the JSON object col has key arg ph.
	JSONHasKey func(col, ph string) string
	// JSONHasElem: the JSON string array col has element ph.
	JSONHasElem func(col, ph string) string
	// JSONElemContains: some element of the JSON string array col
	// contains ph (case-sensitive).
	JSONElemContains func(col, ph string) string
	// Contains: col contains ph, case-sensitive.
	Contains func(col, ph string) string
	// ILike: col matches the LIKE pattern ph case-insensitively, with '\'
	// as the escape character.
	ILike func(col, ph string) string

	mu      sync.Mutex
	upserts map[int]string
}

// Core implements the read side of store.Store over a Querier.
type Core struct {
	D *Dialect
	Q Querier
}

// builder accumulates SQL and arguments.
type builder struct {
	d    *Dialect
	args []any
}

func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.Placeholder(len(b.args))
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func limit(l, def, max int) int {
	if l <= 0 {
		return def
	}
	if l > max {
		return max
	}
	return l
}

func order(o store.SortOrder, def store.SortOrder) (string, error) {
	switch o {
	case "":
		o = def
	case store.Asc, store.Desc:
	default:
		return "", &store.InvalidQueryError{Param: "sort_order", Msg: fmt.Sprintf("must be asc or desc, got %q", o)}
	}
	return strings.ToUpper(string(o)), nil
}

func queryAll[T any](ctx context.Context, q Querier, sql string, args []any, scan func(Rows) (T, error)) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func queryInt(ctx context.Context, q Querier, sql string, args []any) (int64, error) {
	vs, err := queryAll(ctx, q, sql, args, func(r Rows) (int64, error) {
		var n int64
		err := r.Scan(&n)
		return n, err
	})
	if err != nil || len(vs) == 0 {
		return 0, err
	}
	return vs[0], nil
}
