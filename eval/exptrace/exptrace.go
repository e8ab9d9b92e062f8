// Package exptrace makes experiment rows visible to the AgentMark API: it
// is an experiment.Hooks that traces every row as its own trace (a root
// span carrying the dataset fields: agentmark.dataset_run_id,
// dataset_run_name, dataset_item_name, dataset_input,
// dataset_expected_output, dataset_path, experiment_key,
// source_tree_hash, prompt_name) and posts the row's scores to
// POST /v1/scores on the trace (cli-eval-deploy §E.6, §E.7).
//
// Model and tool calls made with the context StartItem returns become
// children of the row span when the generator's Observer is a trace
// observer (trace.NewObserver).
package exptrace

import (
	"context"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/experiment"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// Hooks traces experiment rows. The zero value traces with the default
// provider and posts no scores.
type Hooks struct {
	// Provider exports the spans (nil: the default provider).
	Provider *amtrace.Provider
	// PromptName names the row spans and sets agentmark.prompt_name.
	PromptName string
	// PromptPath sets agentmark.prompt_path.
	PromptPath string
	// Scores, when set, receives each finished row's evals.
	Scores *eval.ScorePoster
	// Next, when set, is called too (its context wraps the row span's).
	Next experiment.Hooks
}

var _ experiment.Hooks = (*Hooks)(nil)

// StartItem implements experiment.Hooks.
func (h *Hooks) StartItem(ctx context.Context, it *experiment.Item) (context.Context, func(*experiment.Row)) {
	name := h.PromptName
	if name == "" {
		name = it.RunName
	}
	if name == "" {
		name = "experiment-row"
	}
	input := eval.ToGo(it.Input)
	opts := []amtrace.SpanOption{
		amtrace.WithNewRoot(), amtrace.WithTraceName(name),
		amtrace.WithDatasetRunID(it.RunID), amtrace.WithDatasetRunName(it.RunName),
		amtrace.WithDatasetItemName(it.ItemName), amtrace.WithDatasetPath(it.DatasetPath),
		amtrace.WithExperimentKey(it.ExperimentKey), amtrace.WithSourceTreeHash(it.SourceTreeHash),
		amtrace.WithPromptName(h.PromptName), amtrace.WithPromptPath(h.PromptPath),
		amtrace.WithInput(input),
	}
	if input != nil {
		opts = append(opts, amtrace.WithDatasetInput(input))
	} else {
		opts = append(opts, amtrace.WithDatasetInput(map[string]any{}))
	}
	if it.HasExpected() && it.ExpectedOutput != nil {
		opts = append(opts, amtrace.WithDatasetExpectedOutput(it.ExpectedJSON()))
	}
	if m, ok := input.(map[string]any); ok {
		opts = append(opts, amtrace.WithAttributes(amtrace.Attr(amtrace.AttrProps, m)))
	}
	if h.Provider != nil {
		opts = append(opts, amtrace.WithProvider(h.Provider))
	}
	ctx, span := amtrace.Start(ctx, name, opts...)
	var next func(*experiment.Row)
	if h.Next != nil {
		ctx, next = h.Next.StartItem(ctx, it)
	}
	return ctx, func(row *experiment.Row) {
		if next != nil {
			next(row)
		}
		id := span.TraceID()
		if row.TraceID == "" {
			row.TraceID = id
		}
		if row.Err != nil {
			span.End(row.Err)
			return
		}
		if out := row.OutputGo(); out != nil {
			span.SetOutput(out)
		}
		span.End(nil)
		if id != "" && h.Scores != nil {
			h.Scores.Post(id, row.Evals)
		}
	}
}
