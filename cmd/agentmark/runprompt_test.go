package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func runPromptCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	code = report(&errb, root.Execute())
	return out.String(), errb.String(), code
}

func writeRPTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunPromptScaffoldOffline(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := runPromptCLI(t, "init", filepath.Join(dir, "demo")); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "demo", "agentmark", "customer-support.prompt.mdx"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Running prompt with test props...", "=== Text Prompt Results ===", "How do I export my traces?", strings.Repeat("─", 60), "🪙 "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

const fakePrompt = `---
name: greet
text_config:
  model_name: gpt-4o-mini
  temperature: 0.3
  max_tokens: 64
  stop_sequences: ["STOP"]
---

<System>You greet people.</System>

<User>Say hello to {props.name}.</User>
`

// fakeServer speaks chat completions: SSE when asked to stream (without
// [DONE] and rejecting stream_options when strict is set), JSON otherwise.
type fakeServer struct {
	mu       sync.Mutex
	bodies   []map[string]any
	noUsage  bool
	strict   bool
	status   int
	errBody  string
	lastAuth string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b map[string]any
	data, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(data, &b)
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	f.lastAuth = r.Header.Get("Authorization")
	f.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		io.WriteString(w, f.errBody)
		return
	}
	if _, ok := b["stream_options"]; ok && f.strict {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"message":"unknown field stream_options"}}`)
		return
	}
	usage := `,"usage":{"prompt_tokens":1234,"completion_tokens":5,"total_tokens":1239}`
	if f.noUsage {
		usage = ""
	}
	if b["stream"] == true {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, c := range []string{"Hello", ", ", "Ada", "!"} {
			fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", c)
		}
		fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]%s}\n\n", usage)
		return
	}
	fmt.Fprintf(w, `{"id":"1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello, Ada!"},"finish_reason":"stop"}]%s,"system_fingerprint":"x"}`, usage)
}

func fakeOpenAIEnv(t *testing.T, f *fakeServer) string {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	t.Setenv("OPENAI_API_KEY", "sk-secret-key-999")
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"p.prompt.mdx": fakePrompt})
	return filepath.Join(dir, "p.prompt.mdx")
}

func TestRunPromptAgainstOpenAICompatibleServer(t *testing.T) {
	for _, variant := range []string{"plain", "strict-no-usage"} {
		t.Run(variant, func(t *testing.T) {
			f := &fakeServer{strict: variant != "plain", noUsage: variant != "plain"}
			file := fakeOpenAIEnv(t, f)
			out, errs, code := runPromptCLI(t, "run-prompt", file, "--props", `{"name":"Ada"}`)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(out, "Running prompt with custom props...\n\n=== Text Prompt Results ===\nHello, Ada!\n") {
				t.Errorf("output:\n%s", out)
			}
			if variant == "plain" {
				if !strings.Contains(out, "🪙 1,234 in, 5 out, 1,239 total") || !strings.Contains(out, "💰 $") {
					t.Errorf("usage/cost missing:\n%s", out)
				}
			} else if strings.Contains(out, "🪙") {
				t.Errorf("usage block without usage:\n%s", out)
			}
			b := f.bodies[len(f.bodies)-1]
			msgs, _ := json.Marshal(b["messages"])
			if string(msgs) != `[{"content":"You greet people.","role":"system"},{"content":"Say hello to Ada.","role":"user"}]` {
				t.Errorf("messages %s", msgs)
			}
			if b["model"] != "gpt-4o-mini" || b["temperature"] != 0.3 || b["max_tokens"] != 64.0 || b["stream"] != true {
				t.Errorf("body %v", b)
			}
			if f.lastAuth != "Bearer sk-secret-key-999" {
				t.Errorf("auth %q", f.lastAuth)
			}
		})
	}
}

func TestRunPromptJSON(t *testing.T) {
	f := &fakeServer{}
	file := fakeOpenAIEnv(t, f)
	dir := filepath.Dir(file)
	writeRPTree(t, dir, map[string]string{"props.yaml": "name: Ada\n"})
	out, errs, code := runPromptCLI(t, "run-prompt", file, "--props-file", filepath.Join(dir, "props.yaml"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Kind, Model, Provider, Text, FinishReason string
		Usage                                     map[string]int
		Cost                                      *struct{ USD float64 }
		Steps                                     []any
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Kind != "text" || r.Text != "Hello, Ada!" || r.Model != "gpt-4o-mini" || r.Provider != "openai" || r.FinishReason != "stop" ||
		r.Usage["inputTokens"] != 1234 || r.Usage["totalTokens"] != 1239 || len(r.Steps) != 1 || r.Cost == nil || r.Cost.USD <= 0 {
		t.Errorf("%+v", r)
	}
	if f.bodies[0]["stream"] != nil {
		t.Errorf("--json streamed")
	}
}

func TestRunPromptProviderErrors(t *testing.T) {
	f := &fakeServer{status: 401, errBody: `{"error":{"message":"Incorrect API key provided: sk-secret-key-999"}}`}
	file := fakeOpenAIEnv(t, f)
	out, errs, code := runPromptCLI(t, "run-prompt", file, "--props", `{"name":"Ada"}`)
	if code != 1 || !strings.HasPrefix(errs, "Error running prompt: openai: HTTP 401: Incorrect API key provided: *** (check the API key)") {
		t.Errorf("exit %d stderr %q", code, errs)
	}
	if strings.Contains(out+errs, "sk-secret-key-999") {
		t.Error("the API key was printed")
	}
	if _, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(t.TempDir(), "nope.prompt.mdx")); code != 1 || !strings.Contains(errs, "Error running prompt: File not found: ") {
		t.Errorf("missing file: %d %q", code, errs)
	}
	if _, errs, code := runPromptCLI(t, "run-prompt", file, "--props", `{bad`); code != 1 || !strings.Contains(errs, "--props is not valid JSON") {
		t.Errorf("bad props: %d %q", code, errs)
	}
}

func TestRunPromptMockKinds(t *testing.T) {
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{
		"obj.prompt.mdx":  "---\nname: obj\nobject_config:\n  model_name: mock/echo\n  schema:\n    type: object\n    properties:\n      answer: {type: string}\n      n: {type: integer, minimum: 3}\n    required: [answer, n]\n---\n\n<User>Q</User>\n",
		"img.prompt.mdx":  "---\nname: img\nimage_config:\n  model_name: mock/image\n  num_images: 2\n---\n\n<ImagePrompt>A cat</ImagePrompt>\n",
		"tts.prompt.mdx":  "---\nname: tts\nspeech_config:\n  model_name: mock/tts\n---\n\n<SpeechPrompt>Hi</SpeechPrompt>\n",
		"tool.prompt.mdx": "---\nname: tool\ntext_config:\n  model_name: mock/echo\n  tools: [missing]\n---\n\n<User>Q</User>\n",
	})
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "obj.prompt.mdx"))
	if code != 0 || !strings.Contains(out, "=== Object Prompt Results ===\n{\n  \"answer\": \"mock answer\",\n  \"n\": 3\n}\n") {
		t.Errorf("object: %d %s\n%s", code, errs, out)
	}
	out, errs, code = runPromptCLI(t, "run-prompt", filepath.Join(dir, "img.prompt.mdx"))
	if code != 0 || !strings.Contains(out, "Saved 2 image(s) to:\n- ") {
		t.Errorf("image: %d %s\n%s", code, errs, out)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".agentmark-outputs", "image-*.png")); len(m) != 2 {
		t.Errorf("image files %v", m)
	}
	out, errs, code = runPromptCLI(t, "run-prompt", filepath.Join(dir, "tts.prompt.mdx"), "--json")
	if code != 0 || !strings.Contains(out, `"kind": "speech"`) || !strings.Contains(out, ".wav") {
		t.Errorf("speech: %d %s\n%s", code, errs, out)
	}
	_, errs, code = runPromptCLI(t, "run-prompt", filepath.Join(dir, "tool.prompt.mdx"))
	if code != 1 || !strings.Contains(errs, "Tool 'missing' referenced in prompt config was not found") {
		t.Errorf("tool: %d %s", code, errs)
	}
}

func TestRunPromptDotEnv(t *testing.T) {
	f := &fakeServer{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{
		"p.prompt.mdx":   strings.Replace(fakePrompt, "gpt-4o-mini", "local/my-model", 1),
		".env":           "AGENTMARK_TEST_LOCAL_KEY=from-dotenv\nAGENTMARK_TEST_LOCAL_URL=" + srv.URL + "/v1\n",
		"agentmark.json": `{"version":"2.0.0","agentmarkPath":".","providers":{"local":{"type":"openai","baseURLEnv":"AGENTMARK_TEST_LOCAL_URL","apiKeyEnv":"AGENTMARK_TEST_LOCAL_KEY"}}}`,
	})
	t.Chdir(dir)
	t.Cleanup(func() { os.Unsetenv("AGENTMARK_TEST_LOCAL_KEY"); os.Unsetenv("AGENTMARK_TEST_LOCAL_URL") })
	out, errs, code := runPromptCLI(t, "run-prompt", "p.prompt.mdx", "--props", `{"name":"Ada"}`)
	if code != 0 || !strings.Contains(out, "Hello, Ada!") {
		t.Fatalf("%d %s\n%s", code, errs, out)
	}
	if f.lastAuth != "Bearer from-dotenv" || f.bodies[0]["model"] != "my-model" {
		t.Errorf("auth %q model %v", f.lastAuth, f.bodies[0]["model"])
	}
}

func TestRunPromptServerNDJSON(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("AgentMark-Streaming", "true")
		io.WriteString(w, `{"type":"text","result":"Hi "}`+"\n"+
			`{"type":"text","toolCall":{"toolCallId":"1","toolName":"calc","args":{"a":1}}}`+"\n"+
			`{"type":"text","toolResult":{"toolCallId":"1","toolName":"calc","result":2}}`+"\n"+
			`{"type":"text","result":"done"}`+"\n"+
			`{"type":"text","finishReason":"stop","usage":{"inputTokens":1000,"outputTokens":2,"promptTokens":1000,"completionTokens":2}}`+"\n"+
			`{"type":"done","traceId":"t1"}`+"\n")
	}))
	defer srv.Close()
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"p.prompt.mdx": fakePrompt})
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "p.prompt.mdx"), "--server", srv.URL, "--props", `{"name":"Ada"}`)
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	want := "Hi \n\n🔧→ calc({\"a\":1})\n🔧← 2\n\n📝 done\n"
	if !strings.Contains(out, want) || !strings.Contains(out, "🪙 1,000 in, 2 out, 1,002 total") {
		t.Errorf("output:\n%s", out)
	}
	data, _ := got["data"].(map[string]any)
	if got["type"] != "prompt-run" || data["ast"] == nil || data["customProps"] == nil {
		t.Errorf("request %v", got)
	}
}
