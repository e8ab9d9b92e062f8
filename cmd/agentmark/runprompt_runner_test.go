package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/runner"
)

// run-prompt --server against our own runner, over loopback, with the
// runner's client's tool.
func TestRunPromptOnGoRunner(t *testing.T) {
	am := agentmark.New(agentmark.WithTool("lookup", "Look up", nil,
		func(ctx context.Context, args json.RawMessage) (any, error) { return "found", nil }))
	srv := httptest.NewServer(runner.Handler(am))
	defer srv.Close()
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{
		"agentmark.json":           `{"agentmarkPath":"."}`,
		"agentmark/t.prompt.mdx":   "---\nname: t\ntext_config:\n  model_name: mock/echo\n  tools: [lookup]\n---\n\n<User>Hello {props.name}</User>\n",
		"agentmark/o.prompt.mdx":   "---\nname: o\nobject_config:\n  model_name: mock/echo\n  schema:\n    type: object\n    properties:\n      ok: {type: boolean}\n    required: [ok]\n---\n\n<User>Q</User>\n",
		"agentmark/i.prompt.mdx":   "---\nname: i\nimage_config:\n  model_name: mock/img\n---\n\n<ImagePrompt>cat</ImagePrompt>\n",
		"agentmark/s.prompt.mdx":   "---\nname: s\nspeech_config:\n  model_name: mock/tts\n---\n\n<SpeechPrompt>hi</SpeechPrompt>\n",
		"agentmark/bad.prompt.mdx": "---\nname: bad\ntext_config:\n  model_name: nosuch/model\n---\n\n<User>x</User>\n",
	})
	p := func(n string) string { return filepath.Join(dir, "agentmark", n) }

	out, errs, code := runPromptCLI(t, "run-prompt", p("t.prompt.mdx"), "--server", srv.URL, "--props", `{"name":"Ada"}`)
	if code != 0 || !strings.Contains(out, "=== Text Prompt Results ===") || !strings.Contains(out, "🔧→ lookup({})") ||
		!strings.Contains(out, "🔧← \"found\"") || !strings.Contains(out, "📝 Hello Ada") || !strings.Contains(out, " total") {
		t.Errorf("text: %d %s\n%s", code, errs, out)
	}
	out, errs, code = runPromptCLI(t, "run-prompt", p("o.prompt.mdx"), "--server", srv.URL)
	if code != 0 || !strings.Contains(out, "=== Object Prompt Results ===") || !strings.Contains(out, `"ok":`) {
		t.Errorf("object: %d %s\n%s", code, errs, out)
	}
	out, errs, code = runPromptCLI(t, "run-prompt", p("i.prompt.mdx"), "--server", srv.URL)
	imgs, _ := filepath.Glob(filepath.Join(dir, "agentmark", ".agentmark-outputs", "image-1-*.png"))
	if code != 0 || !strings.Contains(out, "Saved 1 image(s) to:") || len(imgs) != 1 {
		t.Errorf("image: %d %s\n%s %v", code, errs, out, imgs)
	}
	out, errs, code = runPromptCLI(t, "run-prompt", p("s.prompt.mdx"), "--server", srv.URL)
	wavs, _ := filepath.Glob(filepath.Join(dir, "agentmark", ".agentmark-outputs", "audio-*.wav"))
	if code != 0 || !strings.Contains(out, "Saved audio to:") || len(wavs) != 1 {
		t.Errorf("speech: %d %s\n%s %v", code, errs, out, wavs)
	}
	_, errs, code = runPromptCLI(t, "run-prompt", p("bad.prompt.mdx"), "--server", srv.URL)
	if code != 1 || !strings.Contains(errs, "Runner request failed. HTTP 500 Internal Server Error") {
		t.Errorf("bad model: %d %s", code, errs)
	}
}

// With AGENTMARK_WEBHOOK_SECRET set, run-prompt signs its body and a
// runner requiring the secret accepts it.
func TestRunPromptSignsForGoRunner(t *testing.T) {
	srv := httptest.NewServer(runner.Handler(agentmark.New(), runner.WithSecret("s3cr3t")))
	defer srv.Close()
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"t.prompt.mdx": "---\nname: t\ntext_config:\n  model_name: mock/echo\n---\n\n<User>signed run</User>\n"})
	_, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "t.prompt.mdx"), "--server", srv.URL)
	if code != 1 || !strings.Contains(errs, "401") {
		t.Errorf("unsigned: %d %s", code, errs)
	}
	t.Setenv("AGENTMARK_WEBHOOK_SECRET", "s3cr3t")
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "t.prompt.mdx"), "--server", srv.URL)
	if code != 0 || !strings.Contains(out, "signed run") {
		t.Errorf("signed: %d %s %s", code, errs, out)
	}
}

// run-experiment --server against our own runner: rows, evals by name,
// pass-rate threshold.
func TestRunExperimentOnGoRunner(t *testing.T) {
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{
		"agentmark.json":         `{"agentmarkPath":"."}`,
		"agentmark/e.prompt.mdx": "---\nname: e\ntext_config:\n  model_name: mock/echo\ntest_settings:\n  dataset: ./qa.jsonl\n  evals: [exact]\n---\n\n<User>{props.q}</User>\n",
		"agentmark/qa.jsonl":     `{"input":{"q":"alpha"},"expected_output":"alpha"}` + "\n" + `{"input":{"q":"beta"},"expected_output":"gamma"}` + "\n",
	})
	exact := func(ctx context.Context, p agentmark.EvalParams) (agentmark.EvalResult, error) {
		var r agentmark.EvalResult
		js := `{"score":0,"passed":false}`
		if p.Output == p.ExpectedOutput {
			js = `{"score":1,"passed":true}`
		}
		err := json.Unmarshal([]byte(js), &r)
		return r, err
	}
	am := agentmark.New(agentmark.WithSourceDir(filepath.Join(dir, "agentmark")), agentmark.WithEval("exact", exact))
	srv := httptest.NewServer(runner.Handler(am))
	defer srv.Close()
	file := filepath.Join(dir, "agentmark", "e.prompt.mdx")
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--server", srv.URL, "--format", "jsonl")
	if code != 0 || strings.Count(out, "\n") < 2 || !strings.Contains(out, "alpha") || !strings.Contains(out, "gamma") {
		t.Errorf("run-experiment: %d %s\n%s", code, errs, out)
	}
	_, errs, code = runPromptCLI(t, "run-experiment", file, "--server", srv.URL, "--format", "json", "--threshold", "60")
	if code != 1 || !strings.Contains(errs, "50%") {
		t.Errorf("threshold: %d %s", code, errs)
	}
}
