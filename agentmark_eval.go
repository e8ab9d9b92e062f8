package agentmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/dataset"
	"github.com/agentmark-go/agentmark/eval/experiment"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/prompt"
)

// EvalFunc is an eval function registered on the client with WithEval;
// experiments call it for each test_settings.evals entry of its name
// (before any built-in evaluator of the same name).
type EvalFunc = eval.Func

// EvalParams are the inputs of an eval.
type EvalParams = eval.Params

// EvalResult is an eval's verdict (every field optional; see eval.Bool,
// eval.Float, eval.PassFail).
type EvalResult = eval.Result

// DatasetRow is a dataset row given in code.
type DatasetRow struct {
	Input          any
	ExpectedOutput any // nil: none
	Metadata       any
}

// DatasetOptions select the rows of FormatWithDataset and RunExperiment.
type DatasetOptions struct {
	// DatasetPath overrides test_settings.dataset; relative paths resolve
	// against the loader's directory, then the prompt's.
	DatasetPath string
	// Rows are in-memory rows, used instead of a dataset file.
	Rows []DatasetRow
	// Sampling selects rows (--sample/--rows/--split/--seed).
	Sampling dataset.Sampling
}

// DatasetItem is one formatted dataset row.
type DatasetItem struct {
	Dataset dataset.Row
	// Evals are the test_settings.evals names.
	Evals []string
	// Formatted is the neutral request rendered with the row's input.
	Formatted *jsvalue.Object
}

func (p *Prompt) datasetSource(opts DatasetOptions) (dataset.Source, string, error) {
	if opts.Rows != nil {
		rows := make(dataset.Slice, len(opts.Rows))
		for i, r := range opts.Rows {
			rows[i] = dataset.Row{Index: i, Input: jsvalue.FromGo(r.Input), ExpectedOutput: jsvalue.Undefined, Metadata: jsvalue.Undefined}
			if r.ExpectedOutput != nil {
				rows[i].ExpectedOutput = jsvalue.FromGo(r.ExpectedOutput)
			}
			if r.Metadata != nil {
				rows[i].Metadata = jsvalue.FromGo(r.Metadata)
			}
		}
		return rows, "", nil
	}
	path := opts.DatasetPath
	if path == "" {
		if ts := p.tpl.TestSettings(); ts != nil {
			v, _ := ts.Get("dataset")
			path, _ = v.(string)
		}
	}
	if path == "" {
		return nil, "", errors.New("Loader or dataset is not defined for this prompt. Please provide valid loader and dataset.")
	}
	var bases []string
	switch l := p.client.loader.(type) {
	case SourceLoader:
		bases = append(bases, l.Dir)
	case BuiltLoader:
		bases = append(bases, l.Dir)
	}
	if tp := p.tpl.Path(); tp != "" {
		bases = append(bases, filepath.Dir(filepath.FromSlash(tp)))
	}
	full := dataset.Resolve(path, bases...)
	f, err := dataset.Open(full)
	if err != nil {
		return nil, "", err
	}
	f.Name = path
	return f, path, nil
}

func (p *Prompt) evalSpecs() []eval.Spec {
	ts := p.tpl.TestSettings()
	if ts == nil {
		return nil
	}
	v, _ := ts.Get("evals")
	specs, _ := eval.ParseSpecs(v)
	return specs
}

// FormatWithDataset streams the prompt rendered with each dataset row's
// input as props (formatWithDataset): rows are read one at a time, so
// large datasets do not need to fit in memory. An invalid row ends the
// sequence with its error.
func (p *Prompt) FormatWithDataset(ctx context.Context, opts DatasetOptions) iter.Seq2[DatasetItem, error] {
	return func(yield func(DatasetItem, error) bool) {
		src, _, err := p.datasetSource(opts)
		if err != nil {
			yield(DatasetItem{}, err)
			return
		}
		var names []string
		for _, s := range p.evalSpecs() {
			names = append(names, s.Name)
		}
		for row, err := range opts.Sampling.Apply(src) {
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				yield(DatasetItem{}, err)
				return
			}
			out, err := p.tpl.Format(row.Input)
			if err != nil {
				yield(DatasetItem{Dataset: row}, err)
				return
			}
			if !yield(DatasetItem{Dataset: row, Evals: names, Formatted: out}, nil) {
				return
			}
		}
	}
}

// Evaluator is a named eval for RunExperiment.
type Evaluator struct {
	Name string
	Func eval.Func
}

// ExperimentOptions configure RunExperiment.
type ExperimentOptions struct {
	// Prompt is run for each row with the row's input as props; or Task
	// computes the output in code (a string, []byte/json.RawMessage JSON,
	// or any JSON-encodable value).
	Prompt *Prompt
	Task   func(ctx context.Context, input any) (any, error)

	Dataset DatasetOptions

	// Evaluators are used as given; when nil, the prompt's
	// test_settings.evals are resolved (client evals, then built-ins).
	Evaluators []Evaluator

	// ExperimentKey identifies the experiment for baselines (default: the
	// prompt's test_settings.experiment_key, else its name).
	ExperimentKey       string
	SourceTreeHash      string // this run's tree hash (recorded)
	BaselineTreeHash    string // the baseline run to compare against
	Baseline            eval.BaselineSource
	Recorder            eval.Recorder // persist the finished run (nil: not recorded)
	RegressionTolerance *float64      // default test_settings.regression_tolerance
	ScoreThresholds     map[string]float64
	// Threshold is the minimum pass rate (percent) of the row × eval pairs
	// with a boolean passed.
	Threshold   *int
	Concurrency int // default 20
	// JUnitPath, when set, receives the JUnit XML report.
	JUnitPath string
	// Hooks observe each row (tracing).
	Hooks experiment.Hooks
	// OnRow is called with each finished row.
	OnRow func(ExperimentRow)
}

// ExperimentRow is one finished row.
type ExperimentRow struct {
	Item   *experiment.Item
	Output any // string, json.RawMessage, ...
	Evals  []eval.GateEval
	Err    error // the task or an eval failed
}

// ExperimentResult is a run's outcome. Passed combines the regression and
// score-threshold gates and Threshold.
type ExperimentResult struct {
	RunID         string
	ExperimentKey string
	Passed        bool
	// EvalsPassed/EvalsTotal/PassRate count row × eval pairs with a
	// boolean passed; PassRate is floor(100*passed/total).
	EvalsPassed, EvalsTotal, PassRate int
	Gate                              eval.GateResult
	Rows                              []ExperimentRow
	Errors                            int // rows that failed
}

// RunExperiment runs a prompt (or a Task) over a dataset, scores every
// row and applies the gates, for Go tests that gate on quality:
//
//	res, err := client.RunExperiment(ctx, agentmark.ExperimentOptions{Prompt: p, Threshold: &eighty})
//	if err != nil || !res.Passed { t.Fatal(...) }
//
// Row failures are reported on their rows (Err), not as the error; the
// error is for setup problems and invalid datasets.
func (c *Client) RunExperiment(ctx context.Context, o ExperimentOptions) (*ExperimentResult, error) {
	if c.optErr != nil {
		return nil, c.optErr
	}
	if o.Prompt == nil && o.Task == nil {
		return nil, errors.New("RunExperiment: set Prompt or Task")
	}
	var (
		src     dataset.Source
		dsPath  string
		err     error
		tsInfo  = o.Prompt
		name    string
		tol     = o.RegressionTolerance
		thrList []eval.Threshold
	)
	if o.Prompt != nil {
		src, dsPath, err = o.Prompt.datasetSource(o.Dataset)
		name = o.Prompt.Name()
	} else {
		if o.Dataset.Rows == nil {
			return nil, errors.New("RunExperiment: a Task needs Dataset.Rows")
		}
		src, _, err = (&Prompt{client: c}).datasetSource(o.Dataset)
	}
	if err != nil {
		return nil, err
	}
	key := o.ExperimentKey
	if tsInfo != nil {
		if ts := tsInfo.tpl.TestSettings(); ts != nil {
			if key == "" {
				v, _ := ts.Get("experiment_key")
				key, _ = v.(string)
			}
			if tol == nil {
				if v, ok := ts.Get("regression_tolerance"); ok {
					if f, ok := v.(float64); ok {
						tol = &f
					}
				}
			}
			if o.ScoreThresholds == nil {
				if v, ok := ts.Get("score_thresholds"); ok {
					if obj, ok := v.(*jsvalue.Object); ok {
						for _, k := range obj.Keys() {
							e, _ := obj.Get(k)
							if f, ok := e.(float64); ok {
								thrList = append(thrList, eval.Threshold{Scorer: k, Min: f})
							}
						}
					}
				}
			}
		}
	}
	for k, v := range o.ScoreThresholds {
		thrList = append(thrList, eval.Threshold{Scorer: k, Min: v})
	}
	if key == "" {
		key = name
	}

	evaluators, err := c.experimentEvaluators(o)
	if err != nil {
		return nil, err
	}
	task := c.experimentTask(o)

	var baseline *eval.Baseline
	if o.Baseline != nil && o.BaselineTreeHash != "" {
		baseline, err = o.Baseline.Baseline(ctx, key, o.BaselineTreeHash, dsPath)
		if err != nil {
			baseline = nil // swallowed: the gate degrades to thresholds
		}
	}

	hooks, finishTrace := c.experimentTracing(o, key)
	defer finishTrace()
	res := &ExperimentResult{ExperimentKey: key}
	var gateRows []eval.GateRow
	runID, err := experiment.Run(ctx, experiment.Config{
		Rows: o.Dataset.Sampling.Apply(src), Task: task, Evaluators: evaluators, Concurrency: o.Concurrency,
		RunName: key, DatasetPath: dsPath, ExperimentKey: key, SourceTreeHash: o.SourceTreeHash, Hooks: hooks,
		OnRow: func(r *experiment.Row) {
			row := ExperimentRow{Item: r.Item, Output: r.Output, Err: r.Err}
			if r.Err != nil {
				res.Errors++
			} else {
				gr := eval.GateRow{Index: len(gateRows) + 1, Input: r.Item.Input, Output: r.Output, Evals: r.Evals}
				if r.Item.HasExpected() {
					gr.ExpectedOutput = r.Item.ExpectedOutput
				}
				gateRows = append(gateRows, gr)
				for _, e := range r.Evals {
					row.Evals = append(row.Evals, eval.GateEval{Named: e})
				}
			}
			res.Rows = append(res.Rows, row)
			if o.OnRow != nil {
				o.OnRow(row)
			}
		},
	})
	res.RunID = runID
	if err != nil {
		return res, err
	}
	res.Gate = eval.EvaluateGate(gateRows, baseline, tol, thrList)
	// Attach baseline comparisons to the rows.
	k := 0
	for i := range res.Rows {
		if res.Rows[i].Err == nil {
			res.Rows[i].Evals = res.Gate.Evals[k]
			k++
		}
	}
	res.EvalsPassed, res.EvalsTotal, res.PassRate = eval.PassRate(gateRows)
	res.Passed = res.Gate.Passed
	if o.Threshold != nil && res.EvalsTotal > 0 && res.PassRate < *o.Threshold {
		res.Passed = false
	}
	if o.JUnitPath != "" {
		f, err := os.Create(o.JUnitPath)
		if err != nil {
			return res, err
		}
		rep := eval.JUnitReport{Suite: key, PromptPath: name, CommitSHA: o.SourceTreeHash, RunID: runID, Rows: gateRows, Gate: res.Gate}
		if res.Gate.Resolved != nil {
			rep.BaselineCommitSHA = res.Gate.Resolved.TreeHash
		}
		werr := eval.WriteJUnit(f, rep)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return res, werr
		}
	}
	if o.Recorder != nil {
		_, _, pct := eval.PassRate(gateRows)
		run := eval.RunRecord{RunID: runID, RunName: key, ExperimentKey: key, TreeHash: o.SourceTreeHash, DatasetPath: dsPath,
			PromptName: name, CreatedAt: time.Now(), Rows: eval.BaselineRows(gateRows), PassRate: &pct,
			RowsTotal: len(res.Rows), RowsWithErrors: res.Errors}
		if err := o.Recorder.RecordRun(ctx, run); err != nil {
			return res, fmt.Errorf("recording the run: %w", err)
		}
	}
	return res, nil
}

func (c *Client) experimentEvaluators(o ExperimentOptions) ([]experiment.Evaluator, error) {
	if o.Evaluators != nil {
		out := make([]experiment.Evaluator, len(o.Evaluators))
		for i, e := range o.Evaluators {
			out[i] = experiment.Evaluator{Name: e.Name, Func: e.Func}
		}
		return out, nil
	}
	if o.Prompt == nil {
		return nil, nil
	}
	reg := eval.NewRegistry()
	for name, fn := range c.evals {
		reg.Register(name, fn)
	}
	env := eval.Env{Judge: c.judge(o.Prompt)}
	if o.Prompt.tpl.Kind() == prompt.KindObject {
		if cfg := o.Prompt.tpl.Config(); cfg != nil {
			if sch, ok := cfg.Get("schema"); ok {
				if raw, ok := jsvalue.Stringify(sch); ok {
					env.Schema = json.RawMessage(raw)
				}
			}
		}
	}
	var out []experiment.Evaluator
	for _, s := range o.Prompt.evalSpecs() {
		fn, ok, err := reg.Resolve(s, env)
		if err != nil {
			return nil, fmt.Errorf("test_settings.evals %s: %w", s.Name, err)
		}
		if !ok {
			continue // unknown names are skipped, as upstream does
		}
		out = append(out, experiment.Evaluator{Name: s.Name, Func: fn})
	}
	return out, nil
}

// judge runs llm_judge prompts through this client's loader.
func (c *Client) judge(from *Prompt) eval.Judge {
	return func(ctx context.Context, path string, props map[string]any) (any, error) {
		tpl, err := c.loader.LoadPrompt(path, prompt.Options{Engine: c.engine})
		if err != nil {
			return nil, err
		}
		jp := &Prompt{tpl: tpl, client: c}
		res, err := jp.Run(ctx, props)
		if err != nil {
			return nil, err
		}
		if res.Kind == llm.KindObject {
			var v any
			if err := json.Unmarshal(res.Object, &v); err != nil {
				return nil, err
			}
			return v, nil
		}
		return res.Text, nil
	}
}

func (c *Client) experimentTask(o ExperimentOptions) experiment.Task {
	if o.Task != nil {
		return func(ctx context.Context, it *experiment.Item) (experiment.Output, error) {
			v, err := o.Task(ctx, eval.ToGo(it.Input))
			if err != nil {
				return experiment.Output{}, err
			}
			switch t := v.(type) {
			case []byte:
				v = json.RawMessage(t)
			case string, json.RawMessage, nil:
			default:
				b, err := json.Marshal(t)
				if err != nil {
					return experiment.Output{}, err
				}
				v = json.RawMessage(b)
			}
			return experiment.Output{Value: v}, nil
		}
	}
	p := o.Prompt
	return func(ctx context.Context, it *experiment.Item) (experiment.Output, error) {
		formatted, err := p.tpl.Format(it.Input)
		if err != nil {
			return experiment.Output{}, err
		}
		if err := p.resolveRefs(formatted); err != nil {
			return experiment.Output{}, err
		}
		call, err := llm.CallFromFormatted(formatted)
		if err != nil {
			return experiment.Output{}, err
		}
		res, err := c.experimentGenerator().Run(ctx, call, nil)
		if err != nil {
			return experiment.Output{}, err
		}
		out := experiment.Output{}
		if m, ok := formatted.Get("messages"); ok {
			out.Messages = eval.ToGo(m)
		}
		switch res.Kind {
		case llm.KindObject:
			out.Value = res.Object
		case llm.KindText:
			out.Value = res.Text
		default:
			out.Value = res.Files
		}
		tok := res.Usage.TotalTokens
		if tok == 0 {
			tok = res.Usage.InputTokens + res.Usage.OutputTokens
		}
		out.Tokens = &tok
		return out, nil
	}
}
