// Package store is the storage API of the observability pipeline: small
// reader and writer interfaces whose doc comments state the contract every
// backend keeps, the shared query and result types, and typed errors.
//
// Backends live one per folder with the same file names (store/sqlite,
// store/postgres) and all pass the one conformance suite in store/storetest.
//
// Every method takes an appID: every row is scoped by it, and a backend never
// returns, counts, aggregates or deletes a row of another app. Times are
// stored as Unix nanoseconds and returned in UTC.
package store

import (
	"context"

	"github.com/agentmark-go/agentmark/span"
)

// Store is the whole storage API one backend offers.
type Store interface {
	SpanWriter
	TraceReader
	SpanReader
	SessionReader
	ScoreStore
	MetricsReader

	// Close releases the backend's connections. It waits for in-flight
	// writes; calling any method after Close is an error.
	Close() error
}

// SpanWriter persists spans.
type SpanWriter interface {
	// WriteSpans upserts spans into appID, keyed by (TraceID, SpanID).
	//
	// It is idempotent: writing the same span again replaces the stored
	// row (the last write wins) and never creates a duplicate, so senders
	// may retry freely. A batch is atomic: either every span is stored or
	// none is. WriteSpans returns nil only after the whole batch is durably
	// persisted (it survives a crash of the process right after the call
	// returns). The trace-level summaries read by ListTraces are updated in
	// the same transaction, so a successful write is visible to every
	// reader at once.
	//
	// Spans must carry a non-empty TraceID and SpanID; the span's AppID
	// field is ignored (appID wins). An empty batch is a no-op.
	WriteSpans(ctx context.Context, appID string, spans []span.Span) error
}

// TraceReader reads traces: the trace list and one trace with its spans.
type TraceReader interface {
	// ListTraces returns one page of trace summaries matching q, plus the
	// total number of matching traces. Ordering is stable: ties on the sort
	// key are broken by trace ID, so paging with Offset never repeats or
	// skips a trace while no writes happen. Invalid filters give
	// *InvalidFilterError, invalid sort fields *InvalidQueryError.
	ListTraces(ctx context.Context, appID string, q TraceQuery) (Page[TraceSummary], error)

	// GetTrace returns the trace's summary and all of its spans (heavy
	// fields included) ordered by start time ascending, ties by span ID.
	// It returns ErrNotFound when the trace has no span in appID.
	GetTrace(ctx context.Context, appID, traceID string) (*Trace, error)

	// ListTraceSpans returns the trace's spans ordered by start time
	// ascending, without heavy fields (Input, Output, OutputObject,
	// ToolCalls, raw attributes, events, links). It returns ErrNotFound
	// when the trace has no span in appID.
	ListTraceSpans(ctx context.Context, appID, traceID string) ([]span.Span, error)

	// GetSpan returns one span with every field. It returns ErrNotFound
	// when (traceID, spanID) is not stored in appID.
	GetSpan(ctx context.Context, appID, traceID, spanID string) (*span.Span, error)
}

// SpanReader searches spans across traces.
type SpanReader interface {
	// ListSpans returns one page of spans matching q (newest first by
	// default) and the total count. Heavy fields are included only when
	// q.IncludeIO is set. Invalid filters give *InvalidFilterError.
	ListSpans(ctx context.Context, appID string, q SpanQuery) (Page[span.Span], error)
}

// SessionReader reads sessions: groups of traces sharing a session ID.
type SessionReader interface {
	// ListSessions returns one page of sessions matching q and the total.
	// A trace whose spans carry several session IDs belongs to each of
	// those sessions.
	ListSessions(ctx context.Context, appID string, q SessionQuery) (Page[Session], error)

	// ListSessionTraces returns the summaries of the traces in the session
	// (any span carries the session ID), oldest first. It returns
	// ErrNotFound when no span carries the session ID.
	ListSessionTraces(ctx context.Context, appID, sessionID string, limit, offset int) (Page[TraceSummary], error)
}

// ScoreStore stores scores. Scores are append-only records: creating a score
// never changes another one, and deleting is the only destructive operation.
type ScoreStore interface {
	// CreateScores stores scores atomically (all or nothing) and returns
	// their IDs in input order. An empty ID is filled with a new UUIDv7, a
	// zero CreatedAt with the current time, an empty Source with "api".
	// Creating a score whose ID already exists in appID fails with
	// ErrConflict. The resource ID is not checked. Returns nil only after
	// the scores are durably persisted.
	CreateScores(ctx context.Context, appID string, scores []Score) ([]string, error)

	// GetScore returns one score, or ErrNotFound.
	GetScore(ctx context.Context, appID, id string) (*Score, error)

	// ListScores returns one page of scores matching q, newest first (ties
	// by ID), and the total.
	ListScores(ctx context.Context, appID string, q ScoreQuery) (Page[Score], error)

	// DeleteScore deletes one score, or returns ErrNotFound.
	DeleteScore(ctx context.Context, appID, id string) error

	// ScoreNames returns the distinct score names, sorted.
	ScoreNames(ctx context.Context, appID string) ([]string, error)

	// ScoreAggregations returns per-name statistics of the scores created
	// in [q.From, q.To] (zero bounds are open), sorted by name.
	ScoreAggregations(ctx context.Context, appID string, q ScoreAggregationQuery) ([]ScoreAggregation, error)
}

// MetricsReader computes request metrics over GENERATION spans (LLM calls).
type MetricsReader interface {
	// Metrics returns the summary, the time series (buckets of q.Bucket,
	// default one hour, aligned to the Unix epoch in UTC, only buckets with
	// requests) and the breakdowns by model and by prompt name of the
	// GENERATION spans starting in [q.From, q.To).
	Metrics(ctx context.Context, appID string, q MetricsQuery) (*Metrics, error)
}
