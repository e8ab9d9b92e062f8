package agentmark_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/dataset"
)

func evalProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"echo.prompt.mdx": "---\nname: echo\ntext_config:\n  model_name: mock/echo\ntest_settings:\n  dataset: ./data.jsonl\n  experiment_key: echo-exp\n  evals: [exact_match, {name: mine, want: x}, unknown_eval]\n---\n\n<User>{props.q}</User>\n",
		"data.jsonl":      `{"input":{"q":"a"},"expected_output":"a"}` + "\n" + `{"input":{"q":"b"},"expected_output":"B"}` + "\n" + `{"input":{"q":"c"},"expected_output":"c"}` + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFormatWithDataset(t *testing.T) {
	client := agentmark.New(agentmark.WithSourceDir(evalProject(t)))
	p, err := client.LoadTextPrompt("echo.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for item, err := range p.FormatWithDataset(context.Background(), agentmark.DatasetOptions{Sampling: dataset.Sampling{Rows: []int{0, 2}}}) {
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := item.Formatted.Get("messages")
		if len(item.Evals) != 3 || item.Evals[0] != "exact_match" || msgs == nil {
			t.Fatalf("%+v", item)
		}
		q, _ := item.Dataset.Input.(interface{ Get(string) (any, bool) }).Get("q")
		qs = append(qs, q.(string))
	}
	if strings.Join(qs, ",") != "a,c" {
		t.Fatal(qs)
	}
	for _, err := range p.FormatWithDataset(context.Background(), agentmark.DatasetOptions{DatasetPath: "missing.jsonl"}) {
		if err == nil || !strings.Contains(err.Error(), "Dataset not found") {
			t.Fatal(err)
		}
	}
}

func TestRunExperimentSDK(t *testing.T) {
	dir := evalProject(t)
	client := agentmark.New(agentmark.WithSourceDir(dir),
		agentmark.WithEval("mine", func(ctx context.Context, p agentmark.EvalParams) (agentmark.EvalResult, error) {
			return agentmark.EvalResult{Score: eval.Float(0.5), Label: p.Args["want"].(string)}, nil
		}))
	p, err := client.LoadTextPrompt("echo.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	store := eval.FileStore{Dir: filepath.Join(dir, ".agentmark", "experiments")}
	junit := filepath.Join(dir, "junit.xml")
	ctx := context.Background()
	sixty := 60
	res, err := client.RunExperiment(ctx, agentmark.ExperimentOptions{Prompt: p, Threshold: &sixty, JUnitPath: junit, Recorder: store, SourceTreeHash: "tree1", Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExperimentKey != "echo-exp" || len(res.Rows) != 3 || res.EvalsTotal != 3 || res.EvalsPassed != 2 || res.PassRate != 66 || !res.Passed {
		t.Fatalf("%+v", res)
	}
	for _, r := range res.Rows {
		if len(r.Evals) != 2 || r.Evals[1].Label != "x" || r.Item.RunID != res.RunID {
			t.Fatalf("%+v", r)
		}
	}
	if b, _ := os.ReadFile(junit); !strings.Contains(string(b), `<testsuites name="echo-exp" tests="6" failures="1"`) {
		t.Errorf("junit:\n%s", b)
	}
	// Regression against the recorded run: "mine" drops from 0.5 to 0.1.
	client2 := agentmark.New(agentmark.WithSourceDir(dir),
		agentmark.WithEval("mine", func(ctx context.Context, p agentmark.EvalParams) (agentmark.EvalResult, error) {
			return agentmark.EvalResult{Score: eval.Float(0.1)}, nil
		}))
	p2, _ := client2.LoadTextPrompt("echo.prompt.mdx")
	tol := 0.2
	res, err = client2.RunExperiment(ctx, agentmark.ExperimentOptions{Prompt: p2, Baseline: store, BaselineTreeHash: "tree1", RegressionTolerance: &tol,
		ScoreThresholds: map[string]float64{"exact_match": 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || res.Gate.RegressionFailures != 3 || res.Gate.Resolved == nil || !res.Gate.Resolved.MatchedExactCommit || res.Gate.BaselineRowsMatched != 3 ||
		len(res.Gate.FailedScoreThresholds) != 0 {
		t.Fatalf("%+v", res.Gate)
	}
	// A code subject (Task) with in-memory rows and explicit evaluators.
	res, err = client.RunExperiment(ctx, agentmark.ExperimentOptions{
		Task: func(ctx context.Context, input any) (any, error) {
			return strings.ToUpper(input.(map[string]any)["q"].(string)), nil
		},
		Dataset: agentmark.DatasetOptions{Rows: []agentmark.DatasetRow{{Input: map[string]any{"q": "a"}, ExpectedOutput: "A"}, {Input: map[string]any{"q": "b"}, ExpectedOutput: "b"}}},
		Evaluators: []agentmark.Evaluator{{Name: "exact", Func: func(ctx context.Context, p eval.Params) (eval.Result, error) {
			return eval.PassFail(p.Output == p.ExpectedOutput, ""), nil
		}}},
		ExperimentKey: "code",
	})
	if err != nil || res.EvalsPassed != 1 || res.EvalsTotal != 2 || !res.Passed {
		t.Fatalf("%+v %v", res, err)
	}
}
