package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"

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
	// Build the rows before taking the (single) writer connection.
	return s.group.write(ctx, s, sqlcore.PrepareSpans(appID, batch, traceIDs))
}

// Group commit: concurrent WriteSpans calls queue their batches; one of
// them (the leader) writes the queued batches of its app in one
// transaction and hands leadership to the next waiter, so a transaction
// and its commit (WAL frames, fsync) serve several requests. Every caller
// returns only after the commit that holds its spans; if a merged
// transaction fails, its batches are retried one by one, each with its own
// context, so a bad batch fails alone.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*writeReq
	leading bool
}

// maxGroupRows bounds a merged transaction.
const maxGroupRows = 2000

type writeReq struct {
	ctx  context.Context
	b    *sqlcore.SpanBatch
	res  chan error    // the outcome (buffered)
	lead chan struct{} // "you lead" (buffered)
}

func (g *groupCommit) write(ctx context.Context, s *Store, b *sqlcore.SpanBatch) error {
	r := &writeReq{ctx: ctx, b: b, res: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if !g.leading {
		g.leading = true
		r.lead <- struct{}{}
	}
	g.mu.Unlock()
	select {
	case err := <-r.res:
		return err
	case <-r.lead:
	}
	// Lead: take the queued batches of r's app (r first), up to
	// maxGroupRows rows.
	g.mu.Lock()
	var group, rest []*writeReq
	rows := 0
	for _, q := range g.queue {
		if q.b.AppID() == b.AppID() && (q == r || rows+q.b.Len() <= maxGroupRows) {
			group = append(group, q)
			rows += q.b.Len()
		} else {
			rest = append(rest, q)
		}
	}
	g.queue = rest
	g.mu.Unlock()

	s.commitGroup(group)

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return <-r.res
}

func (s *Store) commitGroup(group []*writeReq) {
	one := func(q *writeReq) error {
		return s.tx(q.ctx, func(tx sqlcore.Tx) error { return q.b.Write(q.ctx, dialect, tx) })
	}
	if len(group) == 1 {
		err := one(group[0])
		if err == nil {
			s.ckpt.committed()
		}
		group[0].res <- err
		return
	}
	bs := make([]*sqlcore.SpanBatch, len(group))
	for i, q := range group {
		bs[i] = q.b
	}
	merged := sqlcore.MergeBatches(bs)
	ctx := group[0].ctx
	err := s.tx(ctx, func(tx sqlcore.Tx) error { return merged.Write(ctx, dialect, tx) })
	if err == nil {
		s.ckpt.committed()
		for _, q := range group {
			q.res <- nil
		}
		return
	}
	for _, q := range group {
		err := one(q)
		if err == nil {
			s.ckpt.committed()
		}
		q.res <- err
	}
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
