package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/runner"
	"github.com/agentmark-go/agentmark/webhook"
)

const (
	textPrompt   = "---\nname: greet\ntext_config:\n  model_name: mock/echo\ntest_settings:\n  props:\n    name: Test\n---\n\n<System>Be brief.</System>\n<User>Hello {props.name} how are you</User>\n"
	toolPrompt   = "---\nname: ask\ntext_config:\n  model_name: mock/echo\n  tools: [lookup]\n---\n\n<User>Find {props.q}</User>\n"
	objectPrompt = "---\nname: obj\nobject_config:\n  model_name: mock/echo\n  schema:\n    type: object\n    properties:\n      ok: {type: boolean}\n      n: {type: integer, minimum: 2}\n    required: [ok, n]\n---\n\n<User>Q {props.q}</User>\n"
	imagePrompt  = "---\nname: img\nimage_config:\n  model_name: mock/img\n  num_images: 2\n---\n\n<ImagePrompt>a cat</ImagePrompt>\n"
	speechPrompt = "---\nname: tts\nspeech_config:\n  model_name: mock/tts\n---\n\n<SpeechPrompt>hi there</SpeechPrompt>\n"
	expPrompt    = "---\nname: exp\ntext_config:\n  model_name: mock/echo\ntest_settings:\n  dataset: ./data/qa.jsonl\n  evals: [exact_match, contains, not_registered]\n---\n\n<User>{props.q}</User>\n"
)

// ast parses prompt source into the tree the CLI sends.
func ast(t testing.TB, src string) json.RawMessage {
	t.Helper()
	tpl, err := prompt.Parse(src, prompt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(tpl.AST())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lookupTool() agentmark.Option {
	return agentmark.WithTool("lookup", "Look up", `{"type":"object","properties":{"term":{"type":"string"}},"required":["term"]}`,
		func(ctx context.Context, args json.RawMessage) (any, error) { return map[string]any{"hits": 2}, nil })
}

func exactMatch(ctx context.Context, p agentmark.EvalParams) (agentmark.EvalResult, error) {
	out, _ := p.Output.(string)
	exp, _ := p.ExpectedOutput.(string)
	if out == exp {
		return evalResult(`{"score":1,"passed":true}`), nil
	}
	return evalResult(`{"score":0,"passed":false,"reason":` + strconv.Quote("Expected "+exp) + `}`), nil
}

func containsEval(ctx context.Context, p agentmark.EvalParams) (agentmark.EvalResult, error) {
	out, _ := p.Output.(string)
	in, _ := p.Input.(map[string]any)
	if in["q"] == nil {
		return agentmark.EvalResult{}, errors.New("eval has no input")
	}
	exp, _ := p.ExpectedOutput.(string)
	if strings.Contains(out, exp) {
		return evalResult(`{"score":1,"passed":true,"label":"contains"}`), nil
	}
	return evalResult(`{"score":0,"passed":false,"label":"contains"}`), nil
}

// evalResult builds an agentmark.EvalResult from its JSON (independent
// of the struct's field types).
func evalResult(js string) agentmark.EvalResult {
	var r agentmark.EvalResult
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		panic(err)
	}
	return r
}

func project(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	rows := `{"input":{"q":"alpha"},"expected_output":"alpha"}` + "\n" +
		`{"input":{"q":"beta gamma"},"expected_output":"beta"}` + "\n\n" +
		`{"input":{"q":"delta"}}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "data", "qa.jsonl"), []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type rig struct {
	srv    *httptest.Server
	client *runner.Client
	tracer *runner.MemoryTracer
}

func newRig(t testing.TB, opts ...runner.Option) *rig {
	t.Helper()
	dir := project(t)
	am := agentmark.New(agentmark.WithSourceDir(dir), lookupTool(),
		agentmark.WithEval("exact_match", exactMatch), agentmark.WithEval("contains", containsEval))
	tr := &runner.MemoryTracer{}
	srv := httptest.NewServer(runner.Handler(am, append([]runner.Option{runner.WithTracer(tr)}, opts...)...))
	t.Cleanup(srv.Close)
	return &rig{srv: srv, client: runner.NewClient(srv.URL), tracer: tr}
}

func collect(t testing.TB, run *runner.PromptRun) []*runner.Chunk {
	t.Helper()
	var out []*runner.Chunk
	for c, err := range run.Chunks() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestInteropTextStreaming(t *testing.T) {
	r := newRig(t)
	run, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, textPrompt), PromptPath: "greet.prompt.mdx"})
	if err != nil {
		t.Fatal(err)
	}
	if !run.Streaming {
		t.Fatal("expected a stream")
	}
	chunks := collect(t, run)
	var text strings.Builder
	for _, c := range chunks[:len(chunks)-2] {
		var s string
		if c.Type != "text" || json.Unmarshal(c.Result, &s) != nil {
			t.Fatalf("chunk %s", c.Raw)
		}
		text.WriteString(s)
	}
	if text.String() != "Hello Test how are you" {
		t.Errorf("text %q", text.String())
	}
	fin := chunks[len(chunks)-2]
	if fin.FinishReason != "stop" || fin.Usage == nil || fin.Usage.PromptTokens != fin.Usage.InputTokens ||
		fin.Usage.TotalTokens == nil || *fin.Usage.TotalTokens != fin.Usage.InputTokens+fin.Usage.OutputTokens {
		t.Errorf("finish chunk %s", fin.Raw)
	}
	done := chunks[len(chunks)-1]
	spans := r.tracer.Spans()
	if done.Type != "done" || len(spans) != 1 || done.TraceID != spans[0].ID {
		t.Fatalf("done %s spans %+v", done.Raw, spans)
	}
	a := spans[0].Attrs
	if a[runner.AttrPromptName] != "greet" || a[runner.AttrOutput] != "Hello Test how are you" || a[runner.AttrModel] != "mock/echo" ||
		a[runner.AttrPromptPath] != "greet.prompt.mdx" || a[runner.AttrSpanKind] != "llm" ||
		a[runner.AttrInput] != `[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello Test how are you"}]` || !spans[0].Ended {
		t.Errorf("span %+v", spans[0])
	}
	if _, ok := a[runner.AttrProps]; ok {
		t.Error("props recorded without customProps")
	}
}

func TestInteropTextWithToolsBothModes(t *testing.T) {
	r := newRig(t)
	run, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, toolPrompt), CustomProps: map[string]any{"q": "tea"}})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, c := range collect(t, run) {
		switch {
		case c.ToolCall != nil:
			types = append(types, "call:"+c.ToolCall.ToolName+string(c.ToolCall.Args))
		case c.ToolResult != nil:
			types = append(types, "result:"+string(c.ToolResult.Result))
		case c.FinishReason != "":
			types = append(types, "finish")
		case c.Type == "done":
			types = append(types, "done")
		}
	}
	want := []string{`call:lookup{"term":"mock term"}`, `result:{"hits":2}`, "finish", "done"}
	if !slices.Equal(types, want) {
		t.Errorf("got %v want %v", types, want)
	}

	run, err = r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, toolPrompt), CustomProps: map[string]any{"q": "tea"},
		Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	resp := run.Response
	if run.Streaming || resp.Type != "text" || !strings.Contains(resp.Text(), "Find tea") || len(resp.ToolCalls) != 1 ||
		len(resp.ToolResults) != 1 || string(resp.ToolResults[0].Result) != `{"hits":2}` || resp.TraceID == "" || resp.Usage == nil {
		t.Errorf("response %s", resp.Raw)
	}
	spans := r.tracer.Spans()
	if last := spans[len(spans)-1]; last.Attrs[runner.AttrProps] != `{"q":"tea"}` {
		t.Errorf("props attr %v", last.Attrs[runner.AttrProps])
	}
}

func TestInteropObjectBothModes(t *testing.T) {
	r := newRig(t)
	run, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, objectPrompt)})
	if err != nil {
		t.Fatal(err)
	}
	chunks := collect(t, run)
	if len(chunks) != 3 || chunks[0].Type != "object" || chunks[1].Usage == nil || chunks[1].Result != nil || chunks[2].Type != "done" {
		for _, c := range chunks {
			t.Log(string(c.Raw))
		}
		t.Fatal("unexpected object stream")
	}
	var obj struct {
		OK *bool `json:"ok"`
		N  int   `json:"n"`
	}
	if json.Unmarshal(chunks[0].Result, &obj) != nil || obj.OK == nil || obj.N < 2 {
		t.Errorf("object %s", chunks[0].Result)
	}
	run, err = r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, objectPrompt),
		Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(run.Response.Raw, &raw)
	if run.Response.Type != "object" || string(raw["result"]) != string(chunks[0].Result) || raw["toolCalls"] != nil || raw["traceId"] == nil {
		t.Errorf("envelope %s", run.Response.Raw)
	}
}

func TestInteropImageAndSpeech(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		src, kind, mime string
		n               int
	}{{imagePrompt, "image", "image/png", 2}, {speechPrompt, "speech", "audio/wav", 1}} {
		for _, stream := range []bool{true, false} {
			run, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, tc.src),
				Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(stream)}})
			if err != nil {
				t.Fatal(err)
			}
			if run.Streaming || run.Response.Type != tc.kind {
				t.Fatalf("%s: streaming=%v type %q", tc.kind, run.Streaming, run.Response.Type)
			}
			media, err := run.Response.Media()
			if err != nil || len(media) != tc.n {
				t.Fatalf("%s media %v %v", tc.kind, media, err)
			}
			data, err := media[0].Decode()
			if err != nil || len(data) == 0 || !strings.HasPrefix(media[0].MimeType, tc.mime[:5]) {
				t.Errorf("%s: %v %q", tc.kind, err, media[0].MimeType)
			}
			var raw map[string]json.RawMessage
			_ = json.Unmarshal(run.Response.Raw, &raw)
			if _, ok := raw["traceId"]; !ok {
				t.Errorf("%s: traceId must always be present: %s", tc.kind, run.Response.Raw)
			}
			if tc.kind == "speech" && media[0].Format == "" {
				t.Errorf("speech format missing: %s", run.Response.Raw)
			}
		}
	}
}

// Upstream's own trees (with and without data.estree) run as sent.
func TestInteropUpstreamAST(t *testing.T) {
	r := newRig(t)
	for _, f := range []string{"foreach.ast.json", "foreach.compressed.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "prompt", "testdata", "upstream", f))
		if err != nil {
			t.Skip(err)
		}
		// The fixture names gpt-4o; run it against the mock provider.
		raw = []byte(strings.Replace(string(raw), "gpt-4o", "mock/echo", 1))
		run, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: json.RawMessage(raw),
			CustomProps: map[string]any{"topic": "tea", "items": []string{"green", "black"}},
			Options:     &runner.PromptRunOptions{ShouldStream: runner.Bool(false)}})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := run.Response.Text(); !strings.Contains(got, "1: BLACK") {
			t.Errorf("%s: %q", f, got)
		}
	}
}

func datasetRows(t testing.TB, seq func(func(*runner.Chunk, error) bool)) (rows []*runner.DatasetResult, chunks []*runner.Chunk) {
	t.Helper()
	for c, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
		if c.Type == "dataset" {
			d, err := c.Dataset()
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, d)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return string(rows[i].Input) < string(rows[j].Input) })
	return rows, chunks
}

func TestInteropDatasetRun(t *testing.T) {
	r := newRig(t)
	rows, chunks := datasetRows(t, r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt),
		ExperimentID: "exp", ExperimentKey: "./exp.prompt.mdx", SourceTreeHash: "abc123", Concurrency: ptr(2.0)}))
	if len(rows) != 3 || len(chunks) != 3 {
		t.Fatalf("rows %d chunks %d", len(rows), len(chunks))
	}
	runID := chunks[0].RunID
	for _, c := range chunks {
		if c.RunID != runID || c.RunName != "exp" || c.TraceID == "" || len(runID) != 36 {
			t.Errorf("chunk %s", c.Raw)
		}
	}
	// alpha: both evals pass; beta gamma: exact fails, contains passes;
	// delta: no expected output (key omitted).
	a, b, d := rows[0], rows[1], rows[2]
	if string(a.Input) != `{"q":"alpha"}` || string(a.ActualOutput) != `"alpha"` || string(a.ExpectedOutput) != `"alpha"` || a.Tokens == nil ||
		len(a.Evals) != 2 || string(a.Evals[0]) != `{"name":"exact_match","score":1,"passed":true}` ||
		string(a.Evals[1]) != `{"name":"contains","score":1,"passed":true,"label":"contains"}` {
		t.Errorf("alpha row %+v evals %s", a, a.Evals)
	}
	if string(b.Evals[0]) != `{"name":"exact_match","score":0,"passed":false,"reason":"Expected beta"}` {
		t.Errorf("beta evals %s", b.Evals)
	}
	if d.ExpectedOutput != nil || string(d.ActualOutput) != `"delta"` {
		t.Errorf("delta row %+v", d)
	}
	// One experiment span per row with the dataset attributes.
	spans := r.tracer.Spans()
	if len(spans) != 3 {
		t.Fatalf("spans %d", len(spans))
	}
	for _, s := range spans {
		if !strings.HasPrefix(s.Name, "experiment-exp-") || s.Attrs[runner.AttrDatasetRunID] != runID || s.Attrs[runner.AttrDatasetPath] != "./data/qa.jsonl" ||
			s.Attrs[runner.AttrExperimentKey] != "./exp.prompt.mdx" || s.Attrs[runner.AttrSourceTreeHash] != "abc123" ||
			s.Attrs[runner.AttrDatasetInput] == nil || s.Attrs[runner.AttrDatasetItemName] == nil {
			t.Errorf("span %+v", s)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestInteropDatasetObjectImageAndErrors(t *testing.T) {
	r := newRig(t)
	obj := strings.Replace(objectPrompt, "---\n\n", "test_settings:\n  dataset: data/qa.jsonl\n---\n\n", 1)
	rows, _ := datasetRows(t, r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, obj)}))
	if len(rows) != 3 || rows[0].ActualOutput[0] != '{' || len(rows[0].Evals) != 0 {
		t.Errorf("object rows %+v", rows)
	}
	img := strings.Replace(imagePrompt, "---\n\n", "test_settings:\n  dataset: data/qa.jsonl\n---\n\n", 1)
	rows, chunks := datasetRows(t, r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, img), ExperimentID: "i"}))
	if len(rows) != 3 || rows[0].Tokens != nil || chunks[0].TraceID != "" || !strings.Contains(string(rows[0].ActualOutput), `"mimeType":"image/png"`) {
		t.Errorf("image rows %s", chunks[0].Raw)
	}
	// Missing dataset: the stream reports it as an error chunk.
	_, chunks = datasetRows(t, r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt), DatasetPath: "nope.jsonl"}))
	if len(chunks) != 1 || chunks[0].Type != "error" || !strings.Contains(chunks[0].ErrorMessage(), "Dataset not found: nope.jsonl") {
		t.Errorf("missing dataset: %v", chunks)
	}
	// No dataset at all: 500 with the generic message.
	for _, err := range r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, textPrompt)}) {
		var he *runner.HTTPError
		if !errors.As(err, &he) || he.StatusCode != 500 || he.Message != runner.MsgExperimentFailed {
			t.Errorf("no dataset: %v", err)
		}
	}
}

func TestInteropDatasetBadRowAndSampling(t *testing.T) {
	r := newRig(t)
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "d.jsonl"), []byte(`{"input":{"q":"a"}}`+"\n"+`{"input":"flat"}`+"\n"+`{"input":{"q":"c"}}`+"\n"), 0o644)
	am := agentmark.New(agentmark.WithSourceDir(dir))
	srv := httptest.NewServer(runner.Handler(am, runner.WithConcurrency(1)))
	defer srv.Close()
	_, chunks := datasetRows(t, runner.NewClient(srv.URL).RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt), DatasetPath: "d.jsonl"}))
	var types []string
	for _, c := range chunks {
		types = append(types, c.Type)
	}
	// The error can overtake the running first row.
	sort.Strings(types)
	errChunk := chunks[slices.IndexFunc(chunks, func(c *runner.Chunk) bool { return c.Type == "error" })]
	if !slices.Equal(types, []string{"dataset", "error"}) || !strings.Contains(errChunk.ErrorMessage(), "Invalid dataset row at line 2") {
		t.Errorf("chunks %v %s", types, errChunk.Raw)
	}
	// rows selection: 0-based positions.
	rows, _ := datasetRows(t, r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt),
		Sampling: &runner.Sampling{Rows: []int{0, 2, 9}}}))
	if len(rows) != 2 || string(rows[0].Input) != `{"q":"alpha"}` || string(rows[1].Input) != `{"q":"delta"}` {
		t.Errorf("rows sampling %d", len(rows))
	}
	// unseeded split: train 67% of 3 = round(2.01) = 2 rows.
	rows, _ = datasetRows(t, r.client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, expPrompt),
		Sampling: &runner.Sampling{Split: &runner.Split{Portion: "test", Percentage: 67}}}))
	if len(rows) != 1 || string(rows[0].Input) != `{"q":"delta"}` {
		t.Errorf("split sampling %d", len(rows))
	}
}

func TestSeededRandomGolden(t *testing.T) {
	want := []float64{0.6011037519201636, 0.9998110907617956, 0.8361802322324365, 0.03719550580717623, 0.060074036940932274, 0.62949686544016}
	for i, w := range want {
		if got := runner.SeededRandom(42, i); got != w {
			t.Errorf("seed 42 idx %d: %v want %v", i, got, w)
		}
	}
	if runner.SeededRandom(0, 0) != 0.26642920868471265 || runner.SeededRandom(-1, 0) != 0.8964226141106337 {
		t.Error("edge seeds")
	}
}

func TestInteropGetEvals(t *testing.T) {
	r := newRig(t)
	names, err := r.client.GetEvals(context.Background())
	if err != nil || !slices.Equal(names, []string{"contains", "exact_match"}) {
		t.Errorf("%v %v", names, err)
	}
}

func post(t testing.TB, url, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestBadBodies(t *testing.T) {
	r := newRig(t)
	cases := []struct {
		body   string
		status int
		msg    string
	}{
		{`{not json`, 400, "Invalid request body: "},
		{`[1,2]`, 400, "Invalid request body: "},
		{`{}`, 400, runner.MsgMissingType},
		{`{"type":""}`, 400, runner.MsgMissingType},
		{`{"event":{}}`, 400, runner.MsgMissingType},
		{`{"type":"compile"}`, 400, "Expected event.type to be 'prompt-run', 'dataset-run', or 'get-evals', got: compile"},
		{`{"type":"prompt-run"}`, 400, runner.MsgMissingData},
		{`{"type":"prompt-run","data":null}`, 400, runner.MsgMissingData},
		{`{"type":"prompt-run","data":{}}`, 400, runner.MsgMissingAST},
		{`{"type":"prompt-run","data":{"prompt":{"type":"root"}}}`, 400, runner.MsgMissingAST},
		{`{"type":"dataset-run","data":{"ast":"---"}}`, 400, "The AST must be an object, got string"},
		{`{"type":"prompt-run","data":{"ast":42}}`, 400, "The AST must be an object, got number"},
		{`{"type":"prompt-run","data":{"ast":{"type":"paragraph"}}}`, 500, "prompt AST must be a root node"},
		{`{"type":"prompt-run","data":{"ast":{"type":"root","children":[]}}}`, 500, "frontmatter"},
		{`{"type":"dataset-run","data":{"ast":{"type":"root","children":[]}}}`, 500, runner.MsgExperimentFailed},
	}
	for _, c := range cases {
		status, hdr, body := post(t, r.srv.URL, c.body, nil)
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil || status != c.status || !strings.Contains(m["message"].(string), c.msg) ||
			!strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s", c.body, status, body)
		}
	}
	// Unknown model: 500 before any stream starts.
	bad := strings.Replace(textPrompt, "mock/echo", "nosuchprovider/x", 1)
	_, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, bad)})
	var he *runner.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || !strings.HasPrefix(he.Error(), "Runner request failed. HTTP 500 Internal Server Error — Content-Type: application/json") {
		t.Errorf("unknown model: %v", err)
	}
	// Unknown tool: the stream carries the error, then done.
	noTool := newRigNoTools(t)
	run, err := noTool.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, toolPrompt)})
	if err != nil {
		t.Fatal(err)
	}
	chunks := collect(t, run)
	if len(chunks) != 1 || chunks[0].Type != "error" || !strings.Contains(chunks[0].ErrorMessage(), "Tool 'lookup'") {
		t.Errorf("tool error stream %v", chunks)
	}
	// Body too large.
	small := httptest.NewServer(runner.Handler(agentmark.New(), runner.WithMaxBodyBytes(10)))
	defer small.Close()
	if status, _, _ := post(t, small.URL, `{"type":"get-evals","data":{}}`, nil); status != 413 {
		t.Errorf("large body: %d", status)
	}
	// GET landing and health.
	resp, err := http.Get(r.srv.URL + "/health")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "ok" {
			t.Errorf("health %q", b)
		}
	}
}

func newRigNoTools(t testing.TB) *rig {
	srv := httptest.NewServer(runner.Handler(agentmark.New()))
	t.Cleanup(srv.Close)
	return &rig{srv: srv, client: runner.NewClient(srv.URL)}
}

func TestSignatures(t *testing.T) {
	r := newRig(t, runner.WithSecret("s3cr3t"))
	body := `{"type":"get-evals","data":{}}`
	if status, _, b := post(t, r.srv.URL, body, nil); status != 401 || !strings.Contains(b, runner.MsgMissingSignature) {
		t.Errorf("missing: %d %s", status, b)
	}
	if status, _, b := post(t, r.srv.URL, body, map[string]string{webhook.SignatureHeader: webhook.Sign("wrong", []byte(body))}); status != 401 ||
		!strings.Contains(b, runner.MsgInvalidSignature) {
		t.Errorf("invalid: %d %s", status, b)
	}
	if status, _, b := post(t, r.srv.URL, body, map[string]string{webhook.SignatureHeader: "garbage"}); status != 401 {
		t.Errorf("garbage: %d %s", status, b)
	}
	if status, _, _ := post(t, r.srv.URL, body, map[string]string{webhook.SignatureHeader: webhook.Sign("s3cr3t", []byte(body))}); status != 200 {
		t.Errorf("valid: %d", status)
	}
	// A body signed as JSON.stringify(JSON.parse(body)) verifies too.
	spaced := `{ "type": "get-evals", "data": {} }`
	if status, _, _ := post(t, r.srv.URL, spaced, map[string]string{webhook.SignatureHeader: webhook.Sign("s3cr3t", []byte(body))}); status != 200 {
		t.Errorf("re-serialized: %d", status)
	}
	// Our client signs.
	if _, err := r.client.GetEvals(context.Background()); err == nil {
		t.Error("unsigned client accepted")
	}
	r.client.Secret = "s3cr3t"
	run, err := r.client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, textPrompt)})
	if err != nil {
		t.Fatal(err)
	}
	if len(collect(t, run)) < 3 {
		t.Error("signed stream too short")
	}
}

func TestLegacyEventBody(t *testing.T) {
	var alerts []string
	var mu sync.Mutex
	r := newRig(t, runner.WithAlertHandler(func(ctx context.Context, data json.RawMessage) error {
		mu.Lock()
		alerts = append(alerts, string(data))
		mu.Unlock()
		return nil
	}))
	// prompt-run with data.prompt: a JSON envelope.
	body, _ := webhook.Marshal(webhook.Envelope{Event: webhook.Event{Type: "prompt-run", Data: webhook.PromptRunData{Prompt: ast(t, textPrompt)}}})
	status, _, b := post(t, r.srv.URL, string(body), nil)
	var env map[string]any
	_ = json.Unmarshal([]byte(b), &env)
	usage, _ := env["usage"].(map[string]any)
	if status != 200 || env["type"] != "text" || env["result"] != "Hello Test how are you" || usage["promptTokens"] == nil || usage["totalTokens"] == nil {
		t.Errorf("legacy prompt-run %d %s", status, b)
	}
	// Streaming legacy: {"result","type"} lines then metadata without newline.
	status, hdr, b := post(t, r.srv.URL, `{"event":{"type":"prompt-run","data":{"prompt":`+string(ast(t, textPrompt))+`,"options":{"shouldStream":true}}}}`, nil)
	lines := strings.Split(b, "\n")
	last := lines[len(lines)-1]
	if status != 200 || hdr.Get("Content-Type") != "application/json" || !strings.HasPrefix(lines[0], `{"result":"Hello `) ||
		!strings.HasPrefix(last, `{"usage":{"promptTokens":`) || !strings.Contains(last, `"finishReason":"stop"`) {
		t.Errorf("legacy stream %q", b)
	}
	// dataset-run with inline rows: {"message":"ok"}, rows traced.
	before := len(r.tracer.Spans())
	ds := webhook.DatasetRunEvent(webhook.DatasetRunData{PromptPath: "x", RunID: "run-1", RunName: "legacy",
		Dataset: []json.RawMessage{json.RawMessage(`{"input":{"q":"a"}}`), json.RawMessage(`{"input":{"q":"b"}}`)}})
	dsBody, _ := webhook.Marshal(webhook.Envelope{Event: ds})
	// The prompt comes by promptPath from the client's loader: write it.
	status, _, b = post(t, r.srv.URL, strings.Replace(string(dsBody), `"promptPath":"x"`, `"promptPath":"x","ast":`+string(ast(t, expPrompt)), 1), nil)
	if status != 200 || strings.TrimSpace(b) != `{"message":"ok"}` || len(r.tracer.Spans())-before != 2 {
		t.Errorf("legacy dataset-run %d %s", status, b)
	}
	for _, s := range r.tracer.Spans()[before:] {
		if s.Attrs[runner.AttrDatasetRunID] != "run-1" || !strings.HasPrefix(s.Name, "experiment-legacy-") {
			t.Errorf("legacy span %+v", s)
		}
	}
	// alert.
	alert := webhook.AlertEvent(webhook.AlertData{Alert: webhook.Alert{ID: "a1", Status: "triggered", Type: "cost", TimeWindow: 60}, Message: "m", Timestamp: 1712764245000})
	ab, _ := webhook.Marshal(webhook.Envelope{Event: alert})
	status, _, b = post(t, r.srv.URL, string(ab), nil)
	if status != 200 || !strings.Contains(b, "Alert processed") || len(alerts) != 1 || !strings.Contains(alerts[0], `"timestamp":1712764245000`) {
		t.Errorf("alert %d %s %v", status, b, alerts)
	}
	if status, _, _ := post(t, r.srv.URL, `{"event":{"type":"deploy"}}`, nil); status != 400 {
		t.Errorf("unknown legacy type %d", status)
	}
}

func TestClientConnectErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := runner.NewClient(url).RunPrompt(context.Background(), runner.PromptRunData{AST: json.RawMessage(`{}`)})
	var ce *runner.ConnectError
	if !errors.As(err, &ce) || !ce.Refused || !strings.HasPrefix(err.Error(), "❌ Could not connect to AgentMark server at "+url) {
		t.Errorf("%v", err)
	}
	if _, err := runner.NewClient("ftp://x").GetEvals(context.Background()); err == nil {
		t.Error("bad URL accepted")
	}
}
