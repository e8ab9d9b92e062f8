package store

import (
	"context"

	"github.com/agentmark-go/agentmark/span"
)

// ExperimentScoreReader adds what the experiments API needs beyond
// ExperimentReader: score aggregates per run and the baseline run of an
// experiment key. Backends implementing ExperimentReader implement it too.
type ExperimentScoreReader interface {
	// ExperimentRunScores returns, for each of runIDs that has any, the
	// per-name statistics of the scores whose resource is one of the run's
	// traces, sorted by name.
	ExperimentRunScores(ctx context.Context, appID string, runIDs []string) (map[string][]RunScoreStat, error)

	// ResolveExperimentRun picks the run of experimentKey whose spans carry
	// treeHash (Exact), else the run started last. ok is false when the key
	// has no run.
	ResolveExperimentRun(ctx context.Context, appID, experimentKey, treeHash string) (run ResolvedExperimentRun, ok bool, err error)
}

// RunScoreStat aggregates one score name over a run.
type RunScoreStat struct {
	Name  string
	Count int64
	Avg   float64
	Min   float64
	Max   float64
	// Passed counts scores labelled PASS (case-insensitive), Failed those
	// labelled FAIL.
	Passed, Failed int64
}

// ResolvedExperimentRun identifies the run a baseline comes from.
type ResolvedExperimentRun struct {
	RunID    string
	TreeHash string // the run's source tree hash ("" when none)
	Exact    bool
}

// SpanFinder finds a span by its span id alone (dataset imports take span
// ids without their trace).
type SpanFinder interface {
	// FindSpan returns the span (every field) with spanID, the earliest
	// when several traces hold one, or ErrNotFound.
	FindSpan(ctx context.Context, appID, spanID string) (*span.Span, error)
}
