// Package experiment runs a task over dataset rows with a bounded worker
// pool, scores each output with evals and hands every finished row to a
// callback (cli-eval-deploy §E.6). It knows nothing about prompts or
// models: the CLI and the SDK supply the task.
package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/dataset"
	"github.com/agentmark-go/agentmark/jsvalue"
)

// DefaultConcurrency is the default number of rows run in parallel.
const DefaultConcurrency = 20

// Item is one dataset row of a run, with the identifiers tracing records
// on the item's span (agentmark.dataset_run_id, dataset_run_name,
// dataset_item_name, dataset_input, dataset_expected_output, dataset_path,
// experiment_key, source_tree_hash). The task and evals get it from their
// context (FromContext) and hooks get it in StartItem.
type Item struct {
	RunID    string
	RunName  string
	ItemName string // §E.2 item name (md5 of the input, or the ordinal)
	// Index is the row's 0-based position in the dataset; Ordinal its
	// 0-based position after sampling.
	Index, Ordinal int
	Input          jsvalue.Value
	ExpectedOutput jsvalue.Value // jsvalue.Undefined when absent
	Metadata       jsvalue.Value // jsvalue.Undefined when absent

	DatasetPath    string
	ExperimentKey  string
	SourceTreeHash string
}

// InputJSON is the row input as compact JSON.
func (it *Item) InputJSON() string {
	s, ok := jsvalue.Stringify(it.Input)
	if !ok {
		return "null"
	}
	return s
}

// ExpectedJSON is expected_output as a string (strings raw, else JSON;
// "" when absent) — agentmark.dataset_expected_output.
func (it *Item) ExpectedJSON() string {
	if jsvalue.IsUndefined(it.ExpectedOutput) {
		return ""
	}
	if s, ok := it.ExpectedOutput.(string); ok {
		return s
	}
	s, _ := jsvalue.Stringify(it.ExpectedOutput)
	return s
}

type itemKey struct{}

// NewContext returns ctx carrying it.
func NewContext(ctx context.Context, it *Item) context.Context {
	return context.WithValue(ctx, itemKey{}, it)
}

// FromContext returns the item a task or eval runs for.
func FromContext(ctx context.Context) (*Item, bool) {
	it, ok := ctx.Value(itemKey{}).(*Item)
	return it, ok
}

// Output is what a task produced for a row.
type Output struct {
	// Value is the output: a string (text), json.RawMessage (an object),
	// or any other value (media). nil: no resolved output.
	Value any
	// Tokens is the total token usage, when known.
	Tokens *int
	// Messages are the formatted messages (eval.Params.Messages).
	Messages any
	// TraceID is the row's trace, when traced.
	TraceID string
}

// Task runs one row.
type Task func(ctx context.Context, it *Item) (Output, error)

// Evaluator is a named eval.
type Evaluator struct {
	Name string
	Func eval.Func
}

// Hooks observe rows (tracing). StartItem runs before the task; the
// context it returns is passed to the task and the evals, and end is
// called with the finished row.
type Hooks interface {
	StartItem(ctx context.Context, it *Item) (context.Context, func(*Row))
}

// Row is a finished row.
type Row struct {
	Item     *Item
	Output   any // as Output.Value
	Tokens   *int
	TraceID  string
	Evals    []eval.Named
	Err      error // the task or an eval failed: no evals
	Duration time.Duration
}

// OutputGo is the output decoded for evals: strings as they are, JSON
// objects decoded.
func (r *Row) OutputGo() any { return decodeOutput(r.Output) }

func decodeOutput(v any) any {
	if raw, ok := v.(json.RawMessage); ok {
		var out any
		if json.Unmarshal(raw, &out) == nil {
			return out
		}
		return string(raw)
	}
	return v
}

// Config configures Run.
type Config struct {
	Rows        iter.Seq2[dataset.Row, error]
	Task        Task
	Evaluators  []Evaluator
	Concurrency int // 0: DefaultConcurrency

	RunID          string // "": a new UUID
	RunName        string
	DatasetPath    string
	ExperimentKey  string
	SourceTreeHash string

	Hooks Hooks
	// OnRow receives each finished row, one call at a time, in completion
	// order.
	OnRow func(*Row)
}

// NewRunID returns a fresh run id.
func NewRunID() string { return uuid.NewString() }

// Run runs the rows. It returns the dataset's error (an invalid row ends
// dispatch; rows already started finish and are reported), or the
// context's error when cancelled. Row failures are reported on their rows.
func Run(ctx context.Context, cfg Config) (string, error) {
	if cfg.Task == nil {
		return "", errors.New("experiment: no task")
	}
	runID := cfg.RunID
	if runID == "" {
		runID = NewRunID()
	}
	n := cfg.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	jobs := make(chan *Item)
	results := make(chan *Row, n)
	var datasetErr error
	go func() {
		defer close(jobs)
		ord := 0
		for r, err := range cfg.Rows {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				datasetErr = err
				return
			}
			it := &Item{RunID: runID, RunName: cfg.RunName, Index: r.Index, Ordinal: ord,
				Input: r.Input, ExpectedOutput: r.ExpectedOutput, Metadata: r.Metadata,
				DatasetPath: cfg.DatasetPath, ExperimentKey: cfg.ExperimentKey, SourceTreeHash: cfg.SourceTreeHash}
			if it.Metadata == nil {
				it.Metadata = jsvalue.Undefined
			}
			it.ItemName = dataset.ItemName(r.Input, ord)
			ord++
			select {
			case jobs <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				results <- runRow(ctx, cfg, it)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	for row := range results {
		if cfg.OnRow != nil {
			cfg.OnRow(row)
		}
	}
	if datasetErr != nil {
		return runID, datasetErr
	}
	return runID, ctx.Err()
}

func runRow(ctx context.Context, cfg Config, it *Item) (row *Row) {
	start := time.Now()
	row = &Row{Item: it}
	ctx = NewContext(ctx, it)
	if cfg.Hooks != nil {
		var end func(*Row)
		ctx, end = cfg.Hooks.StartItem(ctx, it)
		if end != nil {
			defer func() { end(row) }()
		}
	}
	defer func() {
		if p := recover(); p != nil {
			row.Err = fmt.Errorf("panic: %v", p)
			row.Evals = nil
		}
		row.Duration = time.Since(start)
	}()
	out, err := cfg.Task(ctx, it)
	row.Output, row.Tokens, row.TraceID = out.Value, out.Tokens, out.TraceID
	if err != nil {
		row.Err = err
		return row
	}
	if len(cfg.Evaluators) == 0 {
		row.Evals = []eval.Named{}
		return row
	}
	p := eval.Params{Input: eval.ToGo(it.Input), Messages: out.Messages, Output: decodeOutput(out.Value),
		ExpectedOutput: eval.ToGo(it.ExpectedOutput), Metadata: eval.ToGo(it.Metadata)}
	evals := make([]eval.Named, len(cfg.Evaluators))
	errs := make([]error, len(cfg.Evaluators))
	var wg sync.WaitGroup
	for i, ev := range cfg.Evaluators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("eval %s: panic: %v", ev.Name, p)
				}
			}()
			res, err := ev.Func(ctx, p)
			if err != nil {
				errs[i] = fmt.Errorf("eval %s: %w", ev.Name, err)
			}
			evals[i] = eval.Named{Name: ev.Name, Result: res}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		row.Err = err
		return row
	}
	row.Evals = evals
	return row
}

// HasExpected reports whether the row has an expected_output.
func (it *Item) HasExpected() bool {
	return !jsvalue.IsUndefined(it.ExpectedOutput)
}
