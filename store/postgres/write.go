package postgres

import (
	"context"
	"errors"
	"fmt"

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
// batches touching the same trace so each rebuilds the rollup from every
// committed span.
func (s *Store) WriteSpans(ctx context.Context, appID string, spans []span.Span) error {
	if len(spans) == 0 {
		return nil
	}
	batch, traceIDs, err := sqlcore.Dedupe(spans)
	if err != nil {
		return fmt.Errorf("postgres: write spans: %w", err)
	}
	return s.tx(ctx, func(tx txQuerier) error {
		if _, err := tx.tx.Exec(ctx, "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k",
			sqlcore.LockKeys(appID, traceIDs)); err != nil {
			return fmt.Errorf("postgres: trace locks: %w", err)
		}
		return sqlcore.WriteSpans(ctx, dialect, tx, appID, batch, traceIDs)
	})
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
