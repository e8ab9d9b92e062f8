package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

func (s *Store) tx(ctx context.Context, fn func(sqlcore.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(txQuerier{dbQuerier{tx}, tx, s}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// WriteSpans implements store.SpanWriter: one IMMEDIATE transaction per
// batch, committed with the configured synchronous mode (FULL by default).
func (s *Store) WriteSpans(ctx context.Context, appID string, spans []span.Span) error {
	if len(spans) == 0 {
		return nil
	}
	batch, traceIDs, err := sqlcore.Dedupe(spans)
	if err != nil {
		return fmt.Errorf("sqlite: write spans: %w", err)
	}
	return s.tx(ctx, func(tx sqlcore.Tx) error {
		return sqlcore.WriteSpans(ctx, dialect, tx, appID, batch, traceIDs)
	})
}

// CreateScores implements store.ScoreStore.
func (s *Store) CreateScores(ctx context.Context, appID string, scores []store.Score) ([]string, error) {
	if len(scores) == 0 {
		return []string{}, nil
	}
	scores = append([]store.Score(nil), scores...)
	var ids []string
	err := s.tx(ctx, func(tx sqlcore.Tx) error {
		for len(scores) > 0 {
			n := min(500, len(scores))
			q, args, chunkIDs, err := sqlcore.PrepareScores(dialect, appID, scores[:n])
			if err != nil {
				return err
			}
			if err := tx.Exec(ctx, q, args...); err != nil {
				if strings.Contains(err.Error(), "UNIQUE constraint failed") {
					return fmt.Errorf("sqlite: create scores: %w", store.ErrConflict)
				}
				return fmt.Errorf("sqlite: create scores: %w", err)
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
	return s.tx(ctx, func(tx sqlcore.Tx) error {
		q, args := sqlcore.DeleteScoreSQL(dialect, appID, id)
		res, err := tx.(txQuerier).tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("score %q: %w", id, store.ErrNotFound)
		}
		return nil
	})
}
