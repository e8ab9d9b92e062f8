package agentmark_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/llm"
)

func sdkProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"ask.prompt.mdx":  "---\nname: ask\ntext_config:\n  model_name: mock/echo\n  tools: [lookup]\n---\n\n<User>Find {props.q}</User>\n",
		"obj.prompt.mdx":  "---\nname: obj\nobject_config:\n  model_name: mock/echo\n  schema:\n    $ref: ./schema.json\n---\n\n<User>Q</User>\n",
		"schema.json":     `{"type":"object","properties":{"ok":{"type":"boolean"},"n":{"type":"integer","minimum":2}},"required":["ok","n"]}`,
		"img.prompt.mdx":  "---\nname: img\nimage_config:\n  model_name: mock/img\n---\n\n<ImagePrompt>cat</ImagePrompt>\n",
		"tts.prompt.mdx":  "---\nname: tts\nspeech_config:\n  model_name: mock/tts\n---\n\n<SpeechPrompt>hi</SpeechPrompt>\n",
		"text.prompt.mdx": "---\nname: text\ntext_config:\n  model_name: mock/echo\n---\n\n<User>one two three</User>\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSDKRunWithTool(t *testing.T) {
	dir := sdkProject(t)
	var gotArgs string
	client := agentmark.New(agentmark.WithSourceDir(dir),
		agentmark.WithTool("lookup", "Look up", map[string]any{"type": "object", "properties": map[string]any{"term": map[string]any{"type": "string"}}, "required": []string{"term"}},
			func(ctx context.Context, args json.RawMessage) (any, error) {
				gotArgs = string(args)
				return "42", nil
			}),
		agentmark.WithEval("exact", func(ctx context.Context, p agentmark.EvalParams) (agentmark.EvalResult, error) {
			return agentmark.EvalResult{Passed: eval.Bool(true)}, nil
		}))
	p, err := client.LoadTextPrompt("ask.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(context.Background(), map[string]any{"q": "answers"})
	if err != nil {
		t.Fatal(err)
	}
	if gotArgs != `{"term":"mock term"}` || len(res.Steps) != 2 || !strings.Contains(res.Text, "Find answers") || !strings.Contains(res.Text, "lookup: 42") {
		t.Errorf("args %s res %+v", gotArgs, res)
	}
	if _, ok := client.Eval("exact"); !ok || len(client.Evals()) != 1 {
		t.Error("eval not registered")
	}
}

func TestSDKStream(t *testing.T) {
	client := agentmark.New(agentmark.WithSourceDir(sdkProject(t)))
	p, err := client.LoadTextPrompt("text.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Stream(context.Background(), nil)
	var text strings.Builder
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == llm.EvTextDelta {
			text.WriteString(ev.Text)
		}
	}
	if text.String() != "one two three" || s.Result() == nil || s.Result().Usage.OutputTokens != 3 {
		t.Errorf("%q %+v", text.String(), s.Result())
	}
	// Breaking early stops the run without error.
	s = p.Stream(context.Background(), nil)
	for range s.Events() {
		break
	}
	if s.Result() != nil {
		t.Error("result after break")
	}
}

func TestSDKObjectImageSpeech(t *testing.T) {
	dir := sdkProject(t)
	client := agentmark.New(agentmark.WithSourceDir(dir), agentmark.WithOutputDir(filepath.Join(dir, "out")))
	p, err := client.LoadObjectPrompt("obj.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(context.Background(), nil)
	if err != nil || string(res.Object) != `{"ok":true,"n":2}` {
		t.Fatalf("%v %s", err, res.Object)
	}
	ip, err := client.LoadImagePrompt("img.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	res, err = ip.Run(context.Background(), nil)
	if err != nil || len(res.Images) != 1 || len(res.Files) != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	sp, err := client.LoadSpeechPrompt("tts.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	res, err = sp.Run(context.Background(), nil)
	if err != nil || res.Audio == nil || res.AudioFormat != "wav" {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestSDKBadToolSchema(t *testing.T) {
	client := agentmark.New(agentmark.WithSourceDir(sdkProject(t)), agentmark.WithTool("lookup", "", "{bad", nil))
	p, err := client.LoadTextPrompt("ask.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(context.Background(), map[string]any{"q": "x"}); err == nil || !strings.Contains(err.Error(), "schema is not valid JSON") {
		t.Errorf("err = %v", err)
	}
}
