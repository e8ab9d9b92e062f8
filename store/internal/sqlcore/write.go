package sqlcore

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/agentmark-go/agentmark/span"
)

// SpanChunk is the number of rows per upsert statement (52 columns x 500
// stays under both SQLite's 32766 and Postgres's 65535 parameters).
const SpanChunk = 500

// FixedChunkRows is the chunk size of dialects with FixedChunks.
const FixedChunkRows = 100

// chunkSize is the row count of the next insert statement for rest rows.
func chunkSize(d *Dialect, rest, max int) int {
	if !d.FixedChunks {
		return min(max, rest)
	}
	if rest >= FixedChunkRows {
		return FixedChunkRows
	}
	return 1
}

// Dedupe validates a batch and drops earlier copies of a (trace, span) key
// (the last one wins, as a re-write would), returning the distinct trace
// IDs sorted.
func Dedupe(spans []span.Span) ([]span.Span, []string, error) {
	type key struct{ t, s string }
	seen := make(map[key]int, len(spans))
	out := make([]span.Span, 0, len(spans))
	traces := map[string]bool{}
	for i := range spans {
		s := &spans[i]
		if s.TraceID == "" || s.SpanID == "" {
			return nil, nil, fmt.Errorf("span %d: empty trace or span ID", i)
		}
		k := key{s.TraceID, s.SpanID}
		if j, ok := seen[k]; ok {
			out[j] = *s
			continue
		}
		seen[k] = len(out)
		out = append(out, *s)
		traces[s.TraceID] = true
	}
	ids := make([]string, 0, len(traces))
	for t := range traces {
		ids = append(ids, t)
	}
	sort.Strings(ids)
	return out, ids, nil
}

// LockKeys returns sorted advisory-lock keys for the traces of a batch.
func LockKeys(appID string, traceIDs []string) []int64 {
	keys := make([]int64, 0, len(traceIDs))
	for _, t := range traceIDs {
		h := fnv.New64a()
		h.Write([]byte(appID))
		h.Write([]byte{0})
		h.Write([]byte(t))
		keys = append(keys, int64(h.Sum64()))
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// WriteSpans upserts a deduplicated batch and updates the touched traces
// rows, inside the caller's transaction (PrepareSpans + SpanBatch.Write).
func WriteSpans(ctx context.Context, d *Dialect, tx Tx, appID string, spans []span.Span, traceIDs []string) error {
	return PrepareSpans(appID, spans, traceIDs).Write(ctx, d, tx)
}

// SpanBatch is a deduplicated batch turned into insert rows, ready to be
// written: preparing it needs no connection, so a backend with one writer
// does it before taking the writer.
type SpanBatch struct {
	appID    string // cleaned
	rows     [][]any
	traceIDs []string
}

// PrepareSpans builds the insert rows (SpanArgs) of a deduplicated batch.
func PrepareSpans(appID string, spans []span.Span, traceIDs []string) *SpanBatch {
	b := &SpanBatch{appID: clean(appID), rows: make([][]any, len(spans)), traceIDs: traceIDs}
	for i := range spans {
		b.rows[i] = SpanArgs(appID, &spans[i])
	}
	return b
}

// Write upserts the spans and updates the touched traces rows inside the
// caller's transaction. The rollup is computed from the spans the traces
// held before the batch (read first) merged with the batch, so nothing is
// read back after the upsert.
func (b *SpanBatch) Write(ctx context.Context, d *Dialect, tx Tx) error {
	var ru Rollup
	if err := ru.Read(ctx, d, tx, b.appID, b.traceIDs); err != nil {
		return fmt.Errorf("read traces: %w", err)
	}
	for rest := b.rows; len(rest) > 0; {
		n := chunkSize(d, len(rest), SpanChunk)
		args := make([]any, 0, n*len(SpanInsertCols))
		for _, r := range rest[:n] {
			args = append(args, r...)
		}
		if err := tx.Exec(ctx, upsertSpans(d, n), args...); err != nil {
			return fmt.Errorf("upsert spans: %w", err)
		}
		rest = rest[n:]
	}
	trs := ru.TraceRows(b.appID, b.rows, b.traceIDs)
	for len(trs) > 0 {
		n := chunkSize(d, len(trs), traceChunk)
		args := make([]any, 0, n*len(TraceCols))
		for _, r := range trs[:n] {
			args = append(args, r...)
		}
		trs = trs[n:]
		if err := tx.Exec(ctx, upsertTraces(d, n), args...); err != nil {
			return fmt.Errorf("update traces: %w", err)
		}
	}
	if err := WriteSessions(ctx, d, tx, b.appID, ru.Sessions(b.rows, b.traceIDs)); err != nil {
		return fmt.Errorf("update sessions: %w", err)
	}
	return nil
}

// traceChunk is the largest traces upsert (31 columns).
const traceChunk = 200

var spanKey = []string{"app_id", "trace_id", "span_id"}

// upsertSpans caches the upsert SQL per row count.
func upsertSpans(d *Dialect, n int) string {
	return cachedSQL(d, n, func() string { return UpsertSQL(d, "spans", SpanInsertCols, spanKey, n) })
}

func upsertTraces(d *Dialect, n int) string {
	return cachedSQL(d, -n, func() string { return UpsertSQL(d, "traces", TraceCols, []string{"app_id", "trace_id"}, n) })
}

func cachedSQL(d *Dialect, key int, build func() string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.upserts == nil {
		d.upserts = map[int]string{}
	}
	s, ok := d.upserts[key]
	if !ok {
		s = build()
		d.upserts[key] = s
	}
	return s
}

// FixedStatements are the insert statements of a FixedChunks dialect, for
// the backend to prepare once.
func FixedStatements(d *Dialect) []string {
	return []string{upsertSpans(d, FixedChunkRows), upsertSpans(d, 1), upsertTraces(d, FixedChunkRows), upsertTraces(d, 1)}
}

// RecomputeTraces rebuilds the traces rows of traceIDs from their stored
// spans (a full re-read, not incremental), inside the caller's transaction.
func RecomputeTraces(ctx context.Context, d *Dialect, tx Tx, appID string, traceIDs []string) error {
	var ru Rollup
	if err := ru.Read(ctx, d, tx, clean(appID), traceIDs); err != nil {
		return err
	}
	trs := ru.TraceRows(clean(appID), nil, traceIDs)
	for len(trs) > 0 {
		n := chunkSize(d, len(trs), traceChunk)
		args := make([]any, 0, n*len(TraceCols))
		for _, r := range trs[:n] {
			args = append(args, r...)
		}
		trs = trs[n:]
		if err := tx.Exec(ctx, upsertTraces(d, n), args...); err != nil {
			return err
		}
	}
	old, err := storedSessions(ctx, d, tx, clean(appID), traceIDs)
	if err != nil {
		return err
	}
	return WriteSessions(ctx, d, tx, clean(appID), ru.sessions(nil, traceIDs, old))
}

// Clean makes a string storable (see SpanArgs): keys must be cleaned the
// same way when they are looked up.
func Clean(s string) string { return clean(s) }

// AppID is the (cleaned) app ID of the batch.
func (b *SpanBatch) AppID() string { return b.appID }

// Len is the number of rows of the batch.
func (b *SpanBatch) Len() int { return len(b.rows) }

// MergeBatches merges batches of one app, in order, into one: a span in
// several batches keeps its last version, as if the batches were written
// one after the other.
func MergeBatches(bs []*SpanBatch) *SpanBatch {
	if len(bs) == 1 {
		return bs[0]
	}
	type key struct{ t, s string }
	n := 0
	for _, b := range bs {
		n += len(b.rows)
	}
	out := &SpanBatch{appID: bs[0].appID, rows: make([][]any, 0, n)}
	seen := make(map[key]int, n)
	traces := map[string]bool{}
	for _, b := range bs {
		for _, r := range b.rows {
			k := key{r[colTraceID].(string), r[colSpanID].(string)}
			if j, ok := seen[k]; ok {
				out.rows[j] = r
				continue
			}
			seen[k] = len(out.rows)
			out.rows = append(out.rows, r)
		}
		for _, t := range b.traceIDs {
			if !traces[t] {
				traces[t] = true
				out.traceIDs = append(out.traceIDs, t)
			}
		}
	}
	sort.Strings(out.traceIDs)
	return out
}
