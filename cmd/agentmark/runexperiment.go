package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/dataset"
	"github.com/agentmark-go/agentmark/eval/experiment"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
)

// experimentHooks, when set, observes every experiment row (tracing sets
// it: each row's experiment.Item carries the dataset run id, name, item
// name, input and expected output).
var experimentHooks experiment.Hooks

// experimentRecorder, when set, replaces the local .agentmark/experiments
// files as the place finished runs are recorded (the store adapter).
var experimentRecorder eval.Recorder

type runExperimentOptions struct {
	server, format, threshold, sample, rows, split, seed, truncate, concurrency, baselineCommit string
	skipEval                                                                                    bool
	timeout                                                                                     time.Duration
}

func runExperimentCmd() *cobra.Command {
	var o runExperimentOptions
	cmd := &cobra.Command{
		Use:   "run-experiment <file.prompt.mdx|file.json>",
		Short: "Run a prompt over its dataset, score the outputs and gate on the results",
		Long: `Run a prompt against every row of its test_settings.dataset (JSON Lines:
{"input": {...}, "expected_output": ...}), score each output with the evals
in test_settings.evals, and print the results as a table, CSV, JSON, JSON
Lines or JUnit XML.

Evals: built-in evaluators need no code — exact_match, contains {value},
regex {pattern}, json_valid, json_schema {schema}, numeric {tolerance},
llm_judge {prompt} — written as names or {name, ...params} objects.

Rows run in-process (like run-prompt, the same model providers and
environment) with --concurrency rows in parallel; --server sends the
dataset-run job to an AgentMark runner instead.

Gates (exit code 1): --threshold (percent of row × eval pairs with
passed=true), test_settings.score_thresholds (mean score per eval), and
with --baseline-commit a regression gate against an earlier run of the
same experiment_key, allowing test_settings.regression_tolerance. Finished
runs are recorded under .agentmark/experiments/ in the project (or via
AGENTMARK_API_KEY, baselines come from AgentMark Cloud).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
			defer stop()
			if o.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, o.timeout)
				defer cancel()
			}
			err := runExperiment(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], o)
			if err != nil {
				var ee *exitError
				if errors.As(err, &ee) {
					return err
				}
				return &exitError{code: 1, err: err, raw: true}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.server, "server", "", "send the dataset-run job to an AgentMark runner at this URL instead of running in-process")
	f.BoolVar(&o.skipEval, "skip-eval", false, "do not show or gate on evals")
	f.StringVar(&o.format, "format", "table", "output format: table, csv, json, jsonl, junit")
	f.StringVar(&o.threshold, "threshold", "", "fail if the eval pass rate (percent) is below this")
	f.StringVar(&o.sample, "sample", "", "run a random N% of rows (1-100)")
	f.StringVar(&o.rows, "rows", "", "run these rows: 0-based indices and ranges, e.g. 0,3-5,9")
	f.StringVar(&o.split, "split", "", "train/test split: train:<1-99> or test:<1-99>")
	f.StringVar(&o.seed, "seed", "", "seed for reproducible --sample and --split")
	f.StringVar(&o.truncate, "truncate", "1000", "truncate table cells to this many characters (0: no limit)")
	f.StringVar(&o.concurrency, "concurrency", "", "rows run in parallel (default 20)")
	f.StringVar(&o.baselineCommit, "baseline-commit", "", "git ref of the baseline run for the regression gate")
	f.DurationVar(&o.timeout, "timeout", 0, "give up after this long (e.g. 10m; default: no limit)")
	return cmd
}

// jsParseInt is JavaScript's parseInt(s, 10): leading whitespace, a sign,
// then the longest digit prefix; ok false for NaN.
func jsParseInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		n = math.MaxInt32
	}
	if neg {
		n = -n
	}
	return n, true
}

// jsStrictInt is Number(s) that must be a finite integer.
func jsStrictInt(s string) (int64, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f != math.Trunc(f) {
		return 0, false
	}
	return int64(f), true
}

type experimentArgs struct {
	format      string
	threshold   *int
	sampling    dataset.Sampling
	truncate    int
	concurrency int
}

func parseExperimentArgs(o runExperimentOptions) (*experimentArgs, error) {
	a := &experimentArgs{format: o.format, truncate: 1000}
	switch o.format {
	case "table", "csv", "json", "jsonl", "junit":
	default:
		return nil, errors.New("Format must be one of: table, csv, json, jsonl, junit")
	}
	if o.server != "" && !httpURLRE.MatchString(o.server) {
		return nil, fmt.Errorf("Server URL must start with http:// or https://, got %q", o.server)
	}
	if o.threshold != "" {
		t, ok := jsParseInt(o.threshold)
		if !ok {
			return nil, errors.New("Threshold must be a number")
		}
		if t < 0 || t > 100 {
			return nil, errors.New("Threshold must be between 0 and 100")
		}
		a.threshold = &t
	}
	if o.sample != "" {
		n, ok := jsStrictInt(o.sample)
		if !ok || n < 1 || n > 100 {
			return nil, errors.New("Sample must be an integer between 1 and 100")
		}
		a.sampling.Sample = int(n)
	}
	if o.rows != "" {
		rows, err := dataset.ParseRows(o.rows)
		if err != nil {
			return nil, err
		}
		a.sampling.Rows = rows
	}
	if o.split != "" {
		s, err := dataset.ParseSplit(o.split)
		if err != nil {
			return nil, err
		}
		a.sampling.Split = s
	}
	if o.seed != "" {
		n, ok := jsStrictInt(o.seed)
		if !ok {
			return nil, errors.New("Seed must be a finite integer")
		}
		a.sampling.Seed = &n
	}
	if err := a.sampling.Validate(); err != nil {
		return nil, err
	}
	if o.truncate != "" {
		n, ok := jsStrictInt(o.truncate)
		if !ok || n < 0 {
			return nil, errors.New("Truncate must be a non-negative integer")
		}
		a.truncate = int(n)
	}
	if o.concurrency != "" {
		n, ok := jsStrictInt(o.concurrency)
		if !ok || n < 1 {
			return nil, errors.New("Concurrency must be a positive integer")
		}
		a.concurrency = int(n)
	}
	return a, nil
}

// testSettings is test_settings read leniently: an invalid block is
// treated as absent (valid is false).
type testSettings struct {
	valid               bool
	dataset             string
	evals               []eval.Spec
	experimentKey       string
	regressionTolerance *float64
	scoreThresholds     []eval.Threshold
}

func readTestSettings(ts *jsvalue.Object) testSettings {
	var s testSettings
	if ts == nil {
		return s
	}
	str := func(k string) (string, bool) {
		v, ok := ts.Get(k)
		if !ok || jsvalue.IsUndefined(v) {
			return "", true
		}
		x, isStr := v.(string)
		return x, isStr
	}
	var ok bool
	if s.dataset, ok = str("dataset"); !ok {
		return testSettings{}
	}
	if s.experimentKey, ok = str("experiment_key"); !ok {
		return testSettings{}
	}
	ev, _ := ts.Get("evals")
	specs, err := eval.ParseSpecs(ev)
	if err != nil {
		return testSettings{}
	}
	s.evals = specs
	if v, present := ts.Get("regression_tolerance"); present && !jsvalue.IsUndefined(v) {
		f, isNum := v.(float64)
		if !isNum || f < 0 || f > 1 {
			return testSettings{}
		}
		s.regressionTolerance = &f
	}
	if v, present := ts.Get("score_thresholds"); present && !jsvalue.IsUndefined(v) {
		o, isObj := v.(*jsvalue.Object)
		if !isObj {
			return testSettings{}
		}
		for _, k := range o.Keys() {
			e, _ := o.Get(k)
			f, isNum := e.(float64)
			if !isNum || f < 0 || f > 1 {
				return testSettings{}
			}
			s.scoreThresholds = append(s.scoreThresholds, eval.Threshold{Scorer: k, Min: f})
		}
	}
	s.valid = true
	return s
}

// gitOut runs a read-only git command in dir (5 s limit).
func gitOut(dir string, args ...string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

// sourceTreeHash is the tree of the working state (`git stash create`,
// which records tracked changes without touching refs), else HEAD's tree.
func sourceTreeHash(dir string) string {
	if st, ok := gitOut(dir, "stash", "create"); ok && st != "" {
		if h, ok := gitOut(dir, "rev-parse", st+"^{tree}"); ok {
			return h
		}
	}
	h, _ := gitOut(dir, "rev-parse", "HEAD^{tree}")
	return h
}

// experimentState is everything a run needs after argument parsing.
type experimentState struct {
	abs, promptDir string
	tpl            *prompt.Template
	ts             testSettings
	name           string // frontmatter name || basename
	promptName     string // frontmatter name
	evalEnabled    bool
	commitSHA      string
	key            string
	datasetPath    string
	projectRoot    string
	projectRaw     *jsvalue.Object
}

func runExperiment(ctx context.Context, stdout, stderr io.Writer, file string, o runExperimentOptions) error {
	if err := loadDotEnv(); err != nil {
		return err
	}
	args, err := parseExperimentArgs(o)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err != nil || st.IsDir() {
		return fmt.Errorf("Prompt file not found: %s\nPlease check that the file exists and the path is correct.", abs)
	}
	ext := strings.ToLower(filepath.Ext(abs))
	if ext != ".mdx" && ext != ".json" {
		return errors.New("File must be an .mdx or .json file")
	}
	s := &experimentState{abs: abs, promptDir: filepath.Dir(abs)}
	if ext == ".json" {
		raw, err := os.ReadFile(abs)
		if err != nil {
			return err
		}
		var probe struct {
			AST json.RawMessage `json:"ast"`
		}
		if json.Unmarshal(raw, &probe) != nil || len(probe.AST) == 0 || string(probe.AST) == "null" {
			return errors.New(`Invalid pre-built prompt file: missing "ast" field`)
		}
		s.tpl, err = prompt.BuiltLoader{Dir: s.promptDir}.Load(filepath.Base(abs), prompt.Options{})
	} else {
		s.tpl, err = loadPromptFile(abs)
	}
	if err != nil {
		return err
	}
	s.promptName = s.tpl.Name()
	s.name = s.promptName
	if s.name == "" {
		s.name = filepath.Base(abs)
	}
	s.ts = readTestSettings(s.tpl.TestSettings())
	s.evalEnabled = !o.skipEval
	if root, ok := project.FindRoot(s.promptDir); ok {
		s.projectRoot = root
		if cfg, err := project.LoadConfig(root); err == nil {
			s.projectRaw = cfg.Raw
		}
	}
	s.commitSHA = sourceTreeHash(s.promptDir)
	s.key = s.ts.experimentKey
	if s.key == "" {
		if top, ok := gitOut(s.promptDir, "rev-parse", "--show-toplevel"); ok {
			if rel, err := filepath.Rel(top, abs); err == nil && !strings.HasPrefix(rel, "..") {
				s.key = "./" + filepath.ToSlash(rel)
			}
		}
	}
	if s.key == "" {
		s.key = s.name
	}
	s.datasetPath = s.ts.dataset

	var baseline *eval.Baseline
	if s.evalEnabled && o.baselineCommit != "" {
		baseline = fetchBaseline(ctx, stderr, s, o.baselineCommit)
	}
	if args.format == "table" {
		fmt.Fprintln(stdout, "Running prompt with dataset...")
		if s.evalEnabled {
			fmt.Fprintln(stdout, "🧪 Evaluations enabled")
		}
	}

	out := newExperimentOutput(stdout, stderr, args, s.evalEnabled)
	var runID string
	if o.server != "" {
		runID, err = runExperimentOnServer(ctx, o.server, s, args, out)
	} else {
		runID, err = runExperimentLocal(ctx, s, args, out)
	}
	out.finish()
	if err != nil {
		return err
	}

	var thresholds []eval.Threshold
	if s.evalEnabled {
		thresholds = s.ts.scoreThresholds
	}
	gate := eval.EvaluateGate(out.rows, baseline, s.ts.regressionTolerance, thresholds)
	if baseline != nil && baseline.Resolved != nil && gate.BaselineRowsMatched == 0 && len(out.rows) > 0 {
		fmt.Fprintf(stderr, "⚠️  Baseline resolved but 0/%d rows matched it by input hash — regression gate compared nothing. Inputs may be masked (hideInputs/mask), or the experiment_key / dataset input may differ from the baseline run.\n", len(out.rows))
	}
	if args.format == "junit" {
		rep := eval.JUnitReport{Suite: s.name, PromptPath: s.promptName, CommitSHA: s.commitSHA, RunID: out.runID,
			Rows: out.junitRows(), Gate: gate}
		if rep.RunID == "" {
			rep.RunID = runID
		}
		if gate.Resolved != nil {
			rep.BaselineCommitSHA = gate.Resolved.TreeHash
		}
		if err := eval.WriteJUnit(stdout, rep); err != nil {
			return err
		}
	}
	if args.format == "table" {
		out.printAggregates()
		if o.server != "" && out.runID != "" && (s.tpl.Kind() == prompt.KindText || s.tpl.Kind() == prompt.KindObject) {
			fmt.Fprintf(stdout, "\n📊 View traces: http://localhost:%d/traces?runId=%s\n", appPort(s.projectRoot), out.runID)
		}
	}
	if o.server == "" && s.evalEnabled && len(out.rows) > 0 {
		recordRun(ctx, stderr, s, runID, out)
	}

	if s.evalEnabled && args.threshold != nil {
		passed, total, pct := eval.PassRate(out.rows)
		if total > 0 {
			t := *args.threshold
			if pct < t {
				fmt.Fprintf(stderr, "❌ Experiment failed threshold check\n   Pass rate: %d%% (%d/%d evaluations passed)\n   Threshold: %d%%\n   Difference: %d%%\n", pct, passed, total, t, pct-t)
				return fmt.Errorf("Experiment failed: pass rate %d%% is below threshold %d%%", pct, t)
			}
			if args.format != "junit" {
				fmt.Fprintf(stdout, "✅ Experiment passed threshold check\n   Pass rate: %d%% (%d/%d evaluations passed)\n   Threshold: %d%%\n", pct, passed, total, t)
			}
		}
	}
	for _, f := range gate.FailedScoreThresholds {
		fmt.Fprintf(stderr, "❌ Scorer %q mean %s is below threshold %s (n=%d)\n", f.Scorer, strconv.FormatFloat(f.Mean, 'f', 3, 64), jsvalue.NumberToString(f.Threshold), f.Count)
	}
	if gate.RegressionFailures > 0 {
		fmt.Fprintf(stderr, "❌ %d scorer result(s) regressed beyond tolerance vs baseline\n", gate.RegressionFailures)
	}
	if !gate.Passed {
		msg := fmt.Sprintf("Experiment failed: %d regression(s)", gate.RegressionFailures)
		if n := len(gate.FailedScoreThresholds); n > 0 {
			msg += fmt.Sprintf(", %d scorer threshold(s)", n)
		}
		return errors.New(msg)
	}
	return nil
}

func appPort(root string) int {
	if root == "" {
		return 3000
	}
	raw, err := os.ReadFile(filepath.Join(root, ".agentmark", "dev-config.json"))
	if err != nil {
		return 3000
	}
	var c struct {
		AppPort int `json:"appPort"`
	}
	if json.Unmarshal(raw, &c) == nil && c.AppPort > 0 {
		return c.AppPort
	}
	return 3000
}

// localStoreDir is where runs are recorded: <project>/.agentmark/experiments,
// else <git toplevel>/.agentmark/experiments, else next to the prompt.
func localStoreDir(s *experimentState) string {
	base := s.projectRoot
	if base == "" {
		if top, ok := gitOut(s.promptDir, "rev-parse", "--show-toplevel"); ok {
			base = top
		} else {
			base = s.promptDir
		}
	}
	return filepath.Join(base, ".agentmark", "experiments")
}

func baselineSource(s *experimentState) eval.BaselineSource {
	if key := os.Getenv("AGENTMARK_API_KEY"); key != "" {
		base := os.Getenv("AGENTMARK_API_URL")
		if base == "" {
			base = "https://api.agentmark.co"
		}
		return eval.HTTPBaseline{BaseURL: base, APIKey: key, AppID: os.Getenv("AGENTMARK_APP_ID")}
	}
	if src, ok := experimentRecorder.(eval.BaselineSource); ok {
		return src
	}
	return eval.FileStore{Dir: localStoreDir(s)}
}

func fetchBaseline(ctx context.Context, stderr io.Writer, s *experimentState, ref string) *eval.Baseline {
	tree, ok := gitOut(s.promptDir, "rev-parse", ref+"^{tree}")
	if !ok || tree == "" {
		tree = ref
	}
	b, err := baselineSource(s).Baseline(ctx, s.key, tree, s.datasetPath)
	if err != nil {
		fmt.Fprintf(stderr, "⚠️  Could not fetch baseline for %q (%v) — regression gate inactive.\n", s.key, err)
		return nil
	}
	if b == nil || b.Resolved == nil {
		fmt.Fprintf(stderr, "⚠️  No baseline run found for %q — regression gate inactive.\n", s.key)
		return nil
	}
	if !b.Resolved.MatchedExactCommit {
		fmt.Fprintf(stderr, "⚠️  No run at %s for %q; comparing against the most recent prior run instead.\n", tree, s.key)
	}
	return b
}

func recordRun(ctx context.Context, stderr io.Writer, s *experimentState, runID string, out *experimentOutput) {
	rec := experimentRecorder
	if rec == nil {
		rec = eval.FileStore{Dir: localStoreDir(s)}
	}
	_, _, pct := eval.PassRate(out.rows)
	run := eval.RunRecord{RunID: runID, RunName: s.promptName, ExperimentKey: s.key, TreeHash: s.commitSHA,
		DatasetPath: s.datasetPath, PromptName: s.promptName, CreatedAt: time.Now(), Rows: eval.BaselineRows(out.rows),
		PassRate: &pct, RowsTotal: len(out.rows) + out.errors, RowsWithErrors: out.errors}
	if err := rec.RecordRun(ctx, run); err != nil {
		fmt.Fprintf(stderr, "⚠️  Could not record the experiment run: %v\n", err)
	}
}

// datasetSource opens the prompt's dataset.
func datasetSource(s *experimentState) (*dataset.File, error) {
	if s.datasetPath == "" {
		return nil, errors.New("Loader or dataset is not defined for this prompt. Please provide valid loader and dataset.")
	}
	var bases []string
	if s.projectRoot != "" {
		if cfg, err := project.LoadConfig(s.projectRoot); err == nil {
			bases = append(bases, cfg.PromptDir(s.projectRoot))
		}
	}
	bases = append(bases, s.promptDir)
	if s.projectRoot != "" {
		bases = append(bases, s.projectRoot)
	}
	p := dataset.Resolve(s.datasetPath, bases...)
	if err := dataset.CheckPath(p); err != nil {
		return nil, err
	}
	f, err := dataset.Open(p)
	if err != nil {
		return nil, fmt.Errorf("Dataset not found: %s", s.datasetPath)
	}
	f.Name = s.datasetPath
	return f, nil
}

// runExperimentLocal runs the rows in-process.
func runExperimentLocal(ctx context.Context, s *experimentState, args *experimentArgs, out *experimentOutput) (string, error) {
	src, err := datasetSource(s)
	if err != nil {
		return "", err
	}
	reg := llm.NewRegistry()
	if s.projectRoot != "" {
		if err := reg.LoadProjectConfig(filepath.Join(s.projectRoot, project.ConfigFile)); err != nil {
			return "", err
		}
	}
	gen := &llm.Generator{Registry: reg, OutputDir: filepath.Join(s.promptDir, ".agentmark-outputs")}
	hooks, finishTrace := startExperimentTrace(s, gen, out.stderr)
	defer finishTrace()
	if ts, closeFn, err := mcpToolSource(s.projectRaw); err != nil {
		return "", err
	} else if ts != nil {
		gen.ToolSource = ts
		defer closeFn()
	}

	kind := s.tpl.Kind()
	media := kind == prompt.KindImage || kind == prompt.KindSpeech
	var evaluators []experiment.Evaluator
	if !media {
		evaluators, err = cliEvaluators(s, gen, out.stderr)
		if err != nil {
			return "", err
		}
	}
	scoreCfgs := map[string]eval.ScoreConfig{}
	if s.projectRaw != nil {
		if v, ok := s.projectRaw.Get("scores"); ok {
			if raw, ok := jsvalue.Stringify(v); ok {
				scoreCfgs = eval.ParseScoreConfigs([]byte(raw))
			}
		}
	}
	task := func(ctx context.Context, it *experiment.Item) (experiment.Output, error) {
		formatted, err := s.tpl.Format(it.Input)
		if err != nil {
			return experiment.Output{}, err
		}
		if err := resolveObjectSchemaRefs(formatted, s.promptDir); err != nil {
			return experiment.Output{}, err
		}
		call, err := llm.CallFromFormatted(formatted)
		if err != nil {
			return experiment.Output{}, err
		}
		res, err := gen.Run(ctx, call, nil)
		if err != nil {
			return experiment.Output{}, err
		}
		o := experiment.Output{}
		if m, ok := formatted.Get("messages"); ok {
			o.Messages = eval.ToGo(m)
		}
		switch res.Kind {
		case llm.KindObject:
			o.Value = res.Object
		case llm.KindImage, llm.KindSpeech:
			if len(res.Files) > 0 {
				o.Value = append([]string(nil), res.Files...)
			}
			return o, nil
		default:
			o.Value = res.Text
		}
		u := res.Usage
		tok := u.TotalTokens
		if tok == 0 {
			tok = u.InputTokens + u.OutputTokens
		}
		o.Tokens = &tok
		return o, nil
	}
	if args.concurrency == 0 {
		args.concurrency = experiment.DefaultConcurrency
	}
	runID := experiment.NewRunID()
	out.runID = runID
	if out.progress != nil {
		if !args.sampling.Active() || args.sampling.Rows != nil {
			if n, err := src.Count(); err == nil {
				if args.sampling.Rows != nil {
					n = min(n, len(args.sampling.Rows))
				}
				out.progress.total = n
			}
		}
	}
	_, err = experiment.Run(ctx, experiment.Config{
		Rows: args.sampling.Apply(src), Task: task, Evaluators: evaluators, Concurrency: args.concurrency,
		RunID: runID, RunName: s.promptName, DatasetPath: s.datasetPath, ExperimentKey: s.key, SourceTreeHash: s.commitSHA,
		Hooks: hooks,
		OnRow: func(r *experiment.Row) {
			if r.Err != nil {
				out.rowError(fmt.Sprintf("Row %d (item %s): %s", r.Item.Index, r.Item.ItemName, oneLineErr(r.Err)))
				return
			}
			for i := range r.Evals {
				if c, ok := scoreCfgs[r.Evals[i].Name]; ok {
					for _, p := range c.Check(&r.Evals[i].Result) {
						out.warn(fmt.Sprintf("⚠️  Eval %q on row %d: %s", r.Evals[i].Name, r.Item.Index, p))
					}
				}
			}
			out.row(rowOut{input: r.Item.Input, expected: r.Item.ExpectedOutput, output: r.Output,
				evals: r.Evals, tokens: r.Tokens, traceID: r.TraceID, runID: r.Item.RunID})
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return runID, ctx.Err()
		}
		// An invalid dataset row ends the run like upstream's error chunk:
		// reported, exit code decided by the gates.
		out.rowError(oneLineErr(err))
	}
	return runID, nil
}

func oneLineErr(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
}

// cliEvaluators resolves test_settings.evals: built-ins (the CLI has no
// Go code to register functions from); unknown names are skipped with a
// warning.
func cliEvaluators(s *experimentState, gen *llm.Generator, stderr io.Writer) ([]experiment.Evaluator, error) {
	env := eval.Env{Judge: cliJudge(s, gen)}
	if cfg := s.tpl.Config(); cfg != nil && s.tpl.Kind() == prompt.KindObject {
		if sch, ok := cfg.Get("schema"); ok {
			if raw, ok := jsvalue.Stringify(sch); ok {
				env.Schema = json.RawMessage(raw)
			}
		}
	}
	reg := eval.NewRegistry()
	var out []experiment.Evaluator
	for _, spec := range s.ts.evals {
		fn, ok, err := reg.Resolve(spec, env)
		if err != nil {
			return nil, fmt.Errorf("test_settings.evals %s: %v", spec.Name, err)
		}
		if !ok {
			fmt.Fprintf(stderr, "⚠️  Eval %q is not a built-in evaluator (%s); skipped.\n", spec.Name, strings.Join(eval.BuiltinNames, ", "))
			continue
		}
		out = append(out, experiment.Evaluator{Name: spec.Name, Func: fn})
	}
	return out, nil
}

// cliJudge runs llm_judge prompts: the path is resolved against the
// prompt's directory, then the project's agentmark directory.
func cliJudge(s *experimentState, gen *llm.Generator) eval.Judge {
	var mu sync.Mutex
	cache := map[string]*prompt.Template{}
	return func(ctx context.Context, path string, props map[string]any) (any, error) {
		mu.Lock()
		tpl, ok := cache[path]
		mu.Unlock()
		if !ok {
			cands := []string{path}
			if !filepath.IsAbs(path) {
				cands = []string{filepath.Join(s.promptDir, path)}
				if s.projectRoot != "" {
					if cfg, err := project.LoadConfig(s.projectRoot); err == nil {
						cands = append(cands, filepath.Join(cfg.PromptDir(s.projectRoot), path))
					}
					cands = append(cands, filepath.Join(s.projectRoot, path))
				}
			}
			var err error = fmt.Errorf("judge prompt not found: %s", path)
			for _, c := range cands {
				if _, serr := os.Stat(c); serr == nil {
					tpl, err = loadPromptFile(c)
					break
				}
			}
			if err != nil {
				return nil, err
			}
			mu.Lock()
			cache[path] = tpl
			mu.Unlock()
		}
		formatted, err := tpl.Format(jsvalue.FromGo(props))
		if err != nil {
			return nil, err
		}
		call, err := llm.CallFromFormatted(formatted)
		if err != nil {
			return nil, err
		}
		res, err := gen.Run(ctx, call, nil)
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
