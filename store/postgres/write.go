package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

func (s *Store) tx(ctx context.Context, fn func(txQuerier) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	if err := fn(txQuerier{poolQuerier{tx}, tx}); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// WriteSpans implements store.SpanWriter: one transaction per batch (the
// commit is durable with the server's default synchronous_commit=on).
// Per-trace advisory locks, taken in sorted order, serialize concurrent
// batches touching the same trace so each computes the rollup from every
// committed span.
//
// The transaction takes two round trips, each one pipelined batch:
//
//  1. BEGIN (with custom plans); lock the traces; read the rollup columns of the spans the
//     traces hold so far; upsert the spans (one INSERT ... SELECT FROM
//     unnest(arrays) ... ON CONFLICT statement, whatever the batch size);
//  2. upsert the traces rows (computed from the spans read in 1 merged with
//     the batch, see sqlcore.Rollup); update the trace_sessions membership
//     of the traces and, under per-session locks, recompute the sessions
//     rows of every session a touched trace was or is in; COMMIT.
//
// Statement texts do not depend on the batch, so every connection prepares
// them once.
func (s *Store) WriteSpans(ctx context.Context, appID string, spans []span.Span) (err error) {
	if len(spans) == 0 {
		return nil
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	batch, traceIDs, err := sqlcore.Dedupe(spans)
	if err != nil {
		return fmt.Errorf("postgres: write spans: %w", err)
	}
	rows := make([][]any, len(batch))
	for i := range batch {
		rows[i] = sqlcore.SpanArgs(appID, &batch[i])
	}
	app := rows[0][0].(string) // cleaned
	ids := make([]string, len(traceIDs))
	for i, id := range traceIDs {
		ids[i] = sqlcore.Clean(id)
	}

	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: acquire: %w", err)
	}
	defer func() {
		if err != nil && conn.Conn().PgConn().TxStatus() != 'I' && !conn.Conn().IsClosed() {
			// An aborted or unfinished transaction: roll back (the pool
			// destroys the connection if that fails too).
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		conn.Release()
	}()

	var ru sqlcore.Rollup
	b1 := &pgx.Batch{}
	b1.Queue("BEGIN")
	// Plan the statements for their parameters: a generic plan cached
	// while the tables were small (a fresh database, before autovacuum's
	// first ANALYZE) would scan spans sequentially for the rollup read.
	b1.Queue("SET LOCAL plan_cache_mode = force_custom_plan")
	b1.Queue("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k", sqlcore.LockKeys(appID, traceIDs))
	b1.Queue(rollupSQL, app, ids)
	b1.Queue(spansSQL.get("spans", sqlcore.SpanInsertCols, rows, spanKey), columns(app, rows)...)
	br := conn.SendBatch(ctx, b1)
	for range 2 {
		if _, err = br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("postgres: begin: %w", err)
		}
	}
	if _, err = br.Exec(); err != nil {
		br.Close()
		return fmt.Errorf("postgres: trace locks: %w", err)
	}
	pre, err := br.Query()
	if err == nil {
		err = ru.Scan(pgRows{pre})
	}
	if err != nil {
		br.Close()
		return fmt.Errorf("postgres: read traces: %w", err)
	}
	if _, err = br.Exec(); err != nil {
		br.Close()
		return fmt.Errorf("postgres: upsert spans: %w", err)
	}
	if err = br.Close(); err != nil {
		return fmt.Errorf("postgres: write spans: %w", err)
	}

	trs := ru.TraceRows(app, rows, traceIDs)
	b2 := &pgx.Batch{}
	if len(trs) > 0 {
		b2.Queue(tracesSQL.get("traces", sqlcore.TraceCols, trs, traceKey), columns(app, trs)...)
	}
	// Session summaries: the membership of the touched traces (guarded by
	// their trace locks), then, under per-session locks taken after every
	// trace lock (another lock space, sorted: no deadlock), the rows of
	// the affected sessions, recomputed from the committed traces rows.
	sd := ru.Sessions(rows, traceIDs)
	nSess := 0
	if len(sd.Removed) > 0 {
		ss, ts := pairArrays(sd.Removed)
		b2.Queue(sessionsUnlinkSQL, app, ss, ts)
		nSess++
	}
	if len(sd.Added) > 0 {
		ss, ts := pairArrays(sd.Added)
		b2.Queue(sessionsLinkSQL, app, ss, ts)
		nSess++
	}
	if !sd.Empty() {
		b2.Queue(sessionsLockSQL, sqlcore.SessionLockKeys(app, sd.Affected))
		b2.Queue(sessionsRecomputeSQL, app, sd.Affected)
		nSess += 2
	}
	if emptied := sd.Emptied(); len(emptied) > 0 {
		b2.Queue(sessionsDeleteSQL, app, emptied)
		nSess++
	}
	b2.Queue("COMMIT")
	br = conn.SendBatch(ctx, b2)
	if len(trs) > 0 {
		if _, err = br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("postgres: update traces: %w", err)
		}
	}
	for range nSess {
		if _, err = br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("postgres: update sessions: %w", err)
		}
	}
	if _, err = br.Exec(); err != nil {
		br.Close()
		return fmt.Errorf("postgres: commit: %w", err)
	}
	if err = br.Close(); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

var (
	spanKey  = []string{"app_id", "trace_id", "span_id"}
	traceKey = []string{"app_id", "trace_id"}

	rollupSQL = "SELECT " + sqlcore.RollupSelect + " FROM spans s WHERE s.app_id = $1 AND s.trace_id = ANY($2::text[])"

	spansSQL, tracesSQL unnestUpsert

	sessionsUnlinkSQL = "DELETE FROM trace_sessions WHERE app_id = $1 AND (session_id, trace_id) IN " +
		"(SELECT u.s, u.t FROM unnest($2::text[], $3::text[]) AS u(s, t))"
	sessionsLinkSQL = "INSERT INTO trace_sessions (app_id, session_id, trace_id) SELECT $1, u.s, u.t " +
		"FROM unnest($2::text[], $3::text[]) AS u(s, t) ON CONFLICT (app_id, session_id, trace_id) DO NOTHING"
	// The two-key lock space does not overlap the trace locks' one-key one.
	sessionsLockSQL      = "SELECT pg_advisory_xact_lock(1936028019, k) FROM unnest($1::int4[]) AS k"
	sessionsDeleteSQL    = "DELETE FROM sessions WHERE app_id = $1 AND session_id = ANY($2::text[])" + sqlcore.SessionsEmptyDelete("$1")
	sessionsRecomputeSQL = sqlcore.SessionsInsert + sqlcore.SessionsAggSelect +
		"ts.app_id = $1 AND ts.session_id = ANY($2::text[])" + sqlcore.SessionsGroupBy + sqlcore.SessionsOnConflict
)

// pairArrays splits membership pairs into session and trace ID arrays.
func pairArrays(ps []sqlcore.SessionPair) (ss, ts []string) {
	ss, ts = make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		ss[i], ts[i] = p.Session, p.Trace
	}
	return ss, ts
}

// jsonbCols are the JSONB columns of spans and traces (sent as text).
var jsonbCols = map[string]bool{"metadata": true, "tags": true, "models": true}

// unnestUpsert is the cached text of an "INSERT INTO table (cols) SELECT
// $1, u.* FROM unnest($2::type[], ...) AS u(...) ON CONFLICT (key) DO
// UPDATE SET every non-key column" statement: $1 is the app ID, then one
// array per other column.
type unnestUpsert struct {
	once sync.Once
	sql  string
}

// get builds the statement on first use from the Go types of a row (they
// are fixed per column: string, int64 or float64).
func (u *unnestUpsert) get(table string, cols []string, rows [][]any, key []string) string {
	u.once.Do(func() {
		var sel, arrs, names, set []string
		isKey := map[string]bool{}
		for _, k := range key {
			isKey[k] = true
		}
		for i, c := range cols {
			if !isKey[c] {
				set = append(set, c+" = excluded."+c)
			}
			if i == 0 {
				sel = append(sel, "$1")
				continue
			}
			typ := "text"
			switch rows[0][i].(type) {
			case int64:
				typ = "bigint"
			case float64:
				typ = "double precision"
			}
			arrs = append(arrs, fmt.Sprintf("$%d::%s[]", i+1, typ))
			names = append(names, c)
			if jsonbCols[c] {
				sel = append(sel, "u."+c+"::jsonb")
			} else {
				sel = append(sel, "u."+c)
			}
		}
		u.sql = "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(sel, ", ") +
			" FROM unnest(" + strings.Join(arrs, ", ") + ") AS u(" + strings.Join(names, ", ") + ") ON CONFLICT (" +
			strings.Join(key, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	})
	return u.sql
}

// columns transposes rows (column 0 is the app ID) into the statement
// arguments: app, then one typed slice per other column.
func columns(app string, rows [][]any) []any {
	args := make([]any, len(rows[0]))
	args[0] = app
	for c := 1; c < len(rows[0]); c++ {
		switch rows[0][c].(type) {
		case string:
			col := make([]string, len(rows))
			for i, r := range rows {
				col[i] = r[c].(string)
			}
			args[c] = col
		case int64:
			col := make([]int64, len(rows))
			for i, r := range rows {
				col[i] = r[c].(int64)
			}
			args[c] = col
		case float64:
			col := make([]float64, len(rows))
			for i, r := range rows {
				col[i] = r[c].(float64)
			}
			args[c] = col
		default:
			panic(fmt.Sprintf("postgres: column %d: unexpected %T", c, rows[0][c]))
		}
	}
	return args
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// CreateScores implements store.ScoreStore.
func (s *Store) CreateScores(ctx context.Context, appID string, scores []store.Score) ([]string, error) {
	if len(scores) == 0 {
		return []string{}, nil
	}
	scores = append([]store.Score(nil), scores...)
	var ids []string
	err := s.tx(ctx, func(tx txQuerier) error {
		for len(scores) > 0 {
			n := min(500, len(scores))
			q, args, chunkIDs, err := sqlcore.PrepareScores(dialect, appID, scores[:n])
			if err != nil {
				return err
			}
			if err := tx.Exec(ctx, q, args...); err != nil {
				if isUniqueViolation(err) {
					return fmt.Errorf("postgres: create scores: %w", store.ErrConflict)
				}
				return fmt.Errorf("postgres: create scores: %w", err)
			}
			ids = append(ids, chunkIDs...)
			scores = scores[n:]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// DeleteScore implements store.ScoreStore.
func (s *Store) DeleteScore(ctx context.Context, appID, id string) error {
	return s.tx(ctx, func(tx txQuerier) error {
		q, args := sqlcore.DeleteScoreSQL(dialect, appID, id)
		tag, err := tx.tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("score %q: %w", id, store.ErrNotFound)
		}
		return nil
	})
}
