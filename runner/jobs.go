// Package runner speaks the AgentMark runner protocol (cli-eval-deploy
// §C): the small HTTP protocol through which the CLI (`run-prompt
// --server`, `run-experiment`), the dev server and the platform dispatch
// jobs to the user's own app, where the user's tools, models and evals are
// registered.
//
// Serving: Handler(client) is an http.Handler for POST / with a JSON job
// {type, data}: "prompt-run" (a prompt AST; a JSON envelope or an NDJSON
// stream), "dataset-run" (every dataset row, streamed as {type:"dataset"}
// chunks with eval results) and "get-evals". The legacy webhook body
// {"event":{"type","data"}} is accepted too. Jobs carry the prompt as an
// AST, so the runner holds no file state: a running server always uses the
// prompt it is sent (hot-reload friendly).
//
//	client := agentmark.New(agentmark.WithTool(...), agentmark.WithEval("exact_match", exact))
//	log.Fatal(runner.Serve(ctx, "127.0.0.1:9417", client))
//
// Calling: Client is the other side (used by the agentmark CLI).
package runner

import (
	"encoding/json"
)

// Prompt kinds on the wire.
const (
	KindText   = "text"
	KindObject = "object"
	KindImage  = "image"
	KindSpeech = "speech"
)

// Job types (protocol-catalog.json webhookJobs).
const (
	JobPromptRun  = "prompt-run"
	JobDatasetRun = "dataset-run"
	JobGetEvals   = "get-evals"
)

// JobTypes lists the job types a runner dispatches.
var JobTypes = []string{JobPromptRun, JobDatasetRun, JobGetEvals}

// DefaultExperimentID is the run name of a dataset-run without
// experimentId (the TypeScript runner's default).
const DefaultExperimentID = "local-experiment"

// DefaultConcurrency is the number of dataset rows run in parallel.
const DefaultConcurrency = 20

// Job is a request body: {"type": ..., "data": {...}}.
type Job struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// PromptRunData is the data of a prompt-run job.
type PromptRunData struct {
	// AST is the prompt's tree (an *mdast.Node or its JSON).
	AST any `json:"ast"`
	// CustomProps replace test_settings.props when set.
	CustomProps any               `json:"customProps,omitempty"`
	PromptPath  string            `json:"promptPath,omitempty"`
	Options     *PromptRunOptions `json:"options,omitempty"`
}

// PromptRunOptions are a prompt-run's options.
type PromptRunOptions struct {
	// ShouldStream asks for NDJSON (default true); image and speech
	// prompts always answer with JSON.
	ShouldStream *bool `json:"shouldStream,omitempty"`
}

// Bool returns a pointer to b (for ShouldStream).
func Bool(b bool) *bool { return &b }

// DatasetRunData is the data of a dataset-run job.
type DatasetRunData struct {
	AST        any    `json:"ast"`
	PromptPath string `json:"promptPath,omitempty"`
	// DatasetPath defaults to the prompt's test_settings.dataset.
	DatasetPath string `json:"datasetPath,omitempty"`
	// ExperimentID is the run name (default "local-experiment").
	ExperimentID   string    `json:"experimentId,omitempty"`
	ExperimentKey  string    `json:"experimentKey,omitempty"`
	Sampling       *Sampling `json:"sampling,omitempty"`
	SourceTreeHash string    `json:"sourceTreeHash,omitempty"`
	// Concurrency is the number of rows run in parallel (default 20).
	Concurrency *float64 `json:"concurrency,omitempty"`
	// CommitSha is what the Python runner reads instead of
	// SourceTreeHash; accepted as its fallback.
	CommitSha string `json:"commitSha,omitempty"`
}

// Sampling selects dataset rows (cli-eval-deploy §E.5); at most one of
// Sample, Rows and Split is set. Seed makes Sample and Split
// deterministic.
type Sampling struct {
	// Sample keeps each row with probability Sample/100.
	Sample *float64 `json:"sample,omitempty"`
	// Rows are 0-based dataset positions.
	Rows  []int  `json:"rows,omitempty"`
	Split *Split `json:"split,omitempty"`
	Seed  *int64 `json:"seed,omitempty"`
}

// Split is a train/test split of the dataset.
type Split struct {
	Portion    string  `json:"portion"` // "train" or "test"
	Percentage float64 `json:"percentage"`
}

// wireRequest is a decoded request body.
type wireRequest struct {
	Type  json.RawMessage `json:"type"`
	Data  json.RawMessage `json:"data"`
	Event json.RawMessage `json:"event"`
}

type promptRunIn struct {
	AST         json.RawMessage `json:"ast"`
	Prompt      json.RawMessage `json:"prompt"`
	CustomProps json.RawMessage `json:"customProps"`
	PromptPath  string          `json:"promptPath"`
	Options     *struct {
		ShouldStream *bool `json:"shouldStream"`
	} `json:"options"`
}

type datasetRunIn struct {
	AST            json.RawMessage `json:"ast"`
	PromptPath     string          `json:"promptPath"`
	DatasetPath    string          `json:"datasetPath"`
	ExperimentID   string          `json:"experimentId"`
	ExperimentKey  string          `json:"experimentKey"`
	Sampling       *Sampling       `json:"sampling"`
	SourceTreeHash string          `json:"sourceTreeHash"`
	CommitSha      string          `json:"commitSha"`
	Concurrency    *float64        `json:"concurrency"`
	// Legacy dataset-run: the rows inline, the run's id and name.
	Dataset []json.RawMessage `json:"dataset"`
	RunID   string            `json:"runId"`
	RunName string            `json:"runName"`
}
