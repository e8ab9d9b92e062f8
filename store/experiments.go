package store

import (
	"context"
	"time"
)

// ExperimentReader reads experiment (dataset) runs: traces grouped by their
// dataset run ID. It backs the UI's experiment pages and is kept separate
// from the core interfaces so a backend can adopt it on its own.
type ExperimentReader interface {
	// ListExperimentRuns returns one page of dataset runs (traces with a
	// non-empty DatasetRunID grouped by it), newest first (ties by run ID),
	// and the number of runs matching q.
	ListExperimentRuns(ctx context.Context, appID string, q ExperimentRunQuery) (Page[ExperimentRun], error)

	// ListExperimentItems returns the traces of one dataset run, oldest
	// first (ties by trace ID), with their dataset item fields and the
	// scores on the trace or any of its spans. It returns ErrNotFound when
	// no trace carries the run ID.
	ListExperimentItems(ctx context.Context, appID, runID string) ([]ExperimentItem, error)
}

// ExperimentRunQuery selects dataset runs. Zero fields do not filter.
type ExperimentRunQuery struct {
	Limit  int // 1..MaxLimit; 0 means DefaultLimit
	Offset int

	ExperimentKey string // exact
	DatasetPath   string // exact
	PromptName    string // exact
	Search        string // case-insensitive (ASCII) substring of the run ID or name
}

// ExperimentRun is one dataset run: the rollup of its traces.
type ExperimentRun struct {
	ID            string // the dataset run ID
	Name          string // first non-empty run name
	DatasetPath   string
	ExperimentKey string
	PromptName    string
	CommitSHA     string
	Start, End    time.Time // earliest trace start, latest trace end
	TraceCount    int64
	ErrorCount    int64 // traces whose status is ERROR
	TotalCost     float64
	TotalTokens   int64
	AvgLatencyMs  float64
}

// ExperimentItem is one trace of a dataset run.
type ExperimentItem struct {
	TraceID        string
	ItemName       string // dataset item name, when the SDK sent one
	Input          string // dataset input (JSON text)
	ExpectedOutput string
	Output         string // the output of the span carrying the dataset input, else the trace output preview
	Status         string // StatusUnset, StatusOK or StatusError
	StatusMessage  string
	Start          time.Time
	LatencyMs      float64
	Cost           float64
	Tokens         int64
	Model          string // the first model of the trace
	Scores         []ItemScore
}

// ItemScore is a score attached to an experiment item (on the trace or one
// of its spans), oldest first.
type ItemScore struct {
	Name   string
	Value  float64
	Label  string
	Reason string
}
