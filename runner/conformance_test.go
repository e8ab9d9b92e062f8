package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/runner"
)

// The conformance vectors live next to the repository
// (../shared/conformance/vectors from the module root).
func vectorsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("AGENTMARK_CONFORMANCE_VECTORS"); d != "" {
		return d
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance", "vectors")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
}

func loadVector(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir(t), name))
	if err != nil {
		t.Skipf("vector %s not available: %v", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// jsonEqual compares two JSON documents as parsed values (key order free).
func jsonEqual(t *testing.T, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("got is not JSON: %s", got)
		return false
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %s", want)
	}
	return reflect.DeepEqual(g, w)
}

// script drives the handler: the executor replays events and returns
// the outcome the current case sets; the tracer hands out its trace id.
type script struct {
	events  []runner.AgentEvent
	outcome *runner.Outcome
	err     error
	traceID string
	evals   map[string]json.RawMessage
	names   []string
	rows    []runner.DatasetRow
	runID   string
}

func (s *script) Execute(ctx context.Context, x *runner.Execution, emit func(runner.AgentEvent) error) (*runner.Outcome, error) {
	if emit != nil {
		for _, ev := range s.events {
			if err := emit(ev); err != nil {
				return nil, err
			}
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	if s.outcome == nil {
		return &runner.Outcome{}, nil
	}
	return s.outcome, nil
}

type fixedSpan struct{ id string }

func (f fixedSpan) TraceID() string            { return f.id }
func (fixedSpan) SetAttributes(map[string]any) {}
func (fixedSpan) End(error)                    {}
func (s *script) Start(ctx context.Context, name string, attrs map[string]any) (context.Context, runner.Span) {
	return ctx, fixedSpan{s.traceID}
}

func (s *script) EvalNames() []string { return s.names }
func (s *script) Evaluate(ctx context.Context, name string, in runner.EvalInput) (json.RawMessage, bool, error) {
	r, ok := s.evals[name]
	return r, ok, nil
}

func (s *script) Rows(ctx context.Context, path string) iter.Seq2[runner.DatasetRow, error] {
	return func(yield func(runner.DatasetRow, error) bool) {
		for _, r := range s.rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func scriptedRunner(t *testing.T) (*script, *runner.Client, string) {
	s := &script{}
	h := runner.Handler(agentmark.New(), runner.WithExecutor(s), runner.WithTracer(s), runner.WithEvaluator(s),
		runner.WithDatasets(s), runner.WithRunIDs(func() string { return s.runID }))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return s, runner.NewClient(srv.URL), srv.URL
}

func kindAST(t *testing.T, kind string) json.RawMessage {
	if kind == "object" {
		return ast(t, objectPrompt)
	}
	return ast(t, textPrompt)
}

func TestVectorWireChunks(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string          `json:"name"`
			Kind     string          `json:"kind"`
			Event    json.RawMessage `json:"event"`
			Expected json.RawMessage `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "wire-chunks.json", &v)
	s, client, _ := scriptedRunner(t)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var ev runner.AgentEvent
			if err := json.Unmarshal(c.Event, &ev); err != nil {
				t.Fatal(err)
			}
			wantNone := string(c.Expected) == "null"
			// The mapper itself.
			got := runner.EventToWire(c.Kind, ev)
			if wantNone != (got == nil) {
				t.Fatalf("mapper: got %v, expected %s", got, c.Expected)
			}
			if got != nil {
				b, _ := json.Marshal(got)
				if !jsonEqual(t, b, c.Expected) {
					t.Errorf("mapper: got %s want %s", b, c.Expected)
				}
			}
			// Through the real handler and client: the chunk, then done.
			s.events, s.outcome, s.err, s.traceID = []runner.AgentEvent{ev}, nil, nil, "trace-"+c.Kind
			run, err := client.RunPrompt(context.Background(), runner.PromptRunData{AST: kindAST(t, c.Kind)})
			if err != nil {
				t.Fatal(err)
			}
			if !run.Streaming {
				t.Fatal("not streamed")
			}
			chunks := collect(t, run)
			if len(chunks) == 0 || chunks[len(chunks)-1].Type != "done" || chunks[len(chunks)-1].TraceID != s.traceID {
				t.Fatalf("no done event: %v", chunks)
			}
			chunks = chunks[:len(chunks)-1]
			if wantNone {
				if len(chunks) != 0 {
					t.Errorf("expected no chunk, got %s", chunks[0].Raw)
				}
				return
			}
			if len(chunks) != 1 || !jsonEqual(t, chunks[0].Raw, c.Expected) {
				t.Errorf("handler: got %v want %s", chunks, c.Expected)
			}
		})
	}
}

func TestVectorResponseEnvelopes(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string          `json:"name"`
			Kind     string          `json:"kind"`
			Args     json.RawMessage `json:"args"`
			Expected json.RawMessage `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "response-envelopes.json", &v)
	s, client, _ := scriptedRunner(t)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var out runner.Outcome
			var traceID string
			var direct any
			switch c.Kind {
			case "text":
				var a runner.TextResponseArgs
				if err := json.Unmarshal(c.Args, &a); err != nil {
					t.Fatal(err)
				}
				direct = runner.TextResponseToWire(a)
				out = runner.Outcome{Text: a.Result, Usage: a.Usage, FinishReason: a.FinishReason, ToolCalls: a.ToolCalls, ToolResults: a.ToolResults}
				traceID = a.TraceID
			case "object":
				var a runner.ObjectResponseArgs
				if err := json.Unmarshal(c.Args, &a); err != nil {
					t.Fatal(err)
				}
				direct = runner.ObjectResponseToWire(a)
				out = runner.Outcome{Object: a.Result, Usage: a.Usage, FinishReason: a.FinishReason}
				traceID = a.TraceID
			}
			b, _ := json.Marshal(direct)
			if !jsonEqual(t, b, c.Expected) {
				t.Errorf("builder: got %s want %s", b, c.Expected)
			}
			s.events, s.outcome, s.err, s.traceID = nil, &out, nil, traceID
			run, err := client.RunPrompt(context.Background(), runner.PromptRunData{AST: kindAST(t, c.Kind),
				Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(false)}})
			if err != nil {
				t.Fatal(err)
			}
			if run.Streaming || !jsonEqual(t, run.Response.Raw, c.Expected) {
				t.Errorf("handler: got %s want %s", run.Response.Raw, c.Expected)
			}
		})
	}
}

func TestVectorDatasetRows(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string                `json:"name"`
			Args     runner.DatasetRowArgs `json:"args"`
			Expected json.RawMessage       `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "dataset-rows.json", &v)
	s, client, _ := scriptedRunner(t)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			b, _ := json.Marshal(runner.DatasetRowToWire(c.Args))
			if !jsonEqual(t, b, c.Expected) {
				t.Errorf("builder: got %s want %s", b, c.Expected)
			}
			a := c.Args
			// The prompt lists the evals by name; the evaluator answers
			// with the vector's results.
			s.evals, s.names = map[string]json.RawMessage{}, nil
			for _, e := range a.Evals {
				var m map[string]json.RawMessage
				_ = json.Unmarshal(e, &m)
				var name string
				_ = json.Unmarshal(m["name"], &name)
				delete(m, "name")
				rest, _ := json.Marshal(m)
				s.evals[name], s.names = rest, append(s.names, name)
			}
			kind, out := "text", &runner.Outcome{}
			var str string
			if a.ActualOutput != nil && json.Unmarshal(a.ActualOutput, &str) == nil {
				out.Text = str
			} else {
				kind, out.Object = "object", a.ActualOutput
			}
			if a.Tokens != nil {
				tot := *a.Tokens
				out.Usage = &runner.AgentUsage{InputTokens: tot, TotalTokens: &tot}
			}
			s.events, s.outcome, s.err, s.traceID, s.runID = nil, out, nil, a.TraceID, a.RunID
			s.rows = []runner.DatasetRow{{Input: a.Input, ExpectedOutput: a.ExpectedOutput}}
			src := textPrompt
			if kind == "object" {
				src = objectPrompt
			}
			evals := ""
			if len(s.names) > 0 {
				evals = "  evals: [" + strings.Join(s.names, ", ") + "]\n"
			}
			src = strings.Replace(src, "---\n\n", "test_settings:\n  dataset: rows.jsonl\n"+evals+"---\n\n", 1)
			if strings.Count(src, "test_settings:") > 1 { // textPrompt already has test_settings
				src = strings.Replace(src, "test_settings:\n  props:\n    name: Test\n", "", 1)
			}
			var chunks []*runner.Chunk
			for ch, err := range client.RunDataset(context.Background(), runner.DatasetRunData{AST: ast(t, src), ExperimentID: a.RunName}) {
				if err != nil {
					t.Fatal(err)
				}
				chunks = append(chunks, ch)
			}
			if len(chunks) != 1 || !jsonEqual(t, chunks[0].Raw, c.Expected) {
				t.Errorf("handler: got %v want %s", chunks, c.Expected)
			}
		})
	}
}

func TestVectorControlPlane(t *testing.T) {
	var v struct {
		Cases []struct {
			Name      string          `json:"name"`
			EvalNames []string        `json:"evalNames"`
			Expected  json.RawMessage `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "control-plane.json", &v)
	s, client, _ := scriptedRunner(t)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			b, _ := json.Marshal(runner.BuildEvalsResponse(c.EvalNames))
			if !jsonEqual(t, b, c.Expected) {
				t.Errorf("builder: got %s want %s", b, c.Expected)
			}
			s.names = c.EvalNames
			resp, err := client.Post(context.Background(), runner.Job{Type: runner.JobGetEvals, Data: struct{}{}})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !jsonEqual(t, body, c.Expected) {
				t.Errorf("handler: %d %s want %s", resp.StatusCode, body, c.Expected)
			}
			// Byte-level: result is compact with raw non-ASCII.
			var want struct{ Result string }
			_ = json.Unmarshal(c.Expected, &want)
			if !bytes.Contains(body, mustMarshal(want.Result)) {
				t.Errorf("result bytes differ: %s", body)
			}
			names, err := client.GetEvals(context.Background())
			if err != nil || len(names) != len(c.EvalNames) {
				t.Errorf("client: %v %v", names, err)
			}
			// Also through a real agentmark client's registry.
			var opts []agentmark.Option
			for _, n := range c.EvalNames {
				opts = append(opts, agentmark.WithEval(n, exactMatch))
			}
			srv := httptest.NewServer(runner.Handler(agentmark.New(opts...)))
			defer srv.Close()
			resp2, err := runner.NewClient(srv.URL).Post(context.Background(), runner.Job{Type: runner.JobGetEvals, Data: struct{}{}})
			if err != nil {
				t.Fatal(err)
			}
			body2, _ := io.ReadAll(resp2.Body)
			resp2.Body.Close()
			if !jsonEqual(t, body2, c.Expected) {
				t.Errorf("client registry: %s", body2)
			}
		})
	}
}

func mustMarshal(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimSpace(buf.Bytes())
}

func TestVectorWebhookHTTP(t *testing.T) {
	var v struct {
		StreamResponse struct {
			RequiredHeaders map[string]string `json:"requiredHeaders"`
			DoneEvent       struct {
				AppendedWhenResultHasTraceID bool `json:"appendedWhenResultHasTraceId"`
				OmittedWithoutTraceID        bool `json:"omittedWithoutTraceId"`
			} `json:"doneEvent"`
		} `json:"streamResponse"`
		JSONResponse struct {
			Status int `json:"status"`
		} `json:"jsonResponse"`
		ErrorResponse struct {
			BodyKey  string         `json:"bodyKey"`
			Statuses map[string]int `json:"statuses"`
		} `json:"errorResponse"`
	}
	loadVector(t, "webhook-http.json", &v)
	s, client, url := scriptedRunner(t)
	textEvents := []runner.AgentEvent{{Type: "text-delta", Text: "hi"}, {Type: "finish", Reason: "stop"}}

	t.Run("stream headers on prompt-run and dataset-run", func(t *testing.T) {
		s.events, s.outcome, s.err, s.traceID = textEvents, nil, nil, "abc"
		s.rows, s.names, s.runID = []runner.DatasetRow{{Input: json.RawMessage(`{"q":1}`)}}, nil, "r"
		for _, job := range []runner.Job{
			{Type: "prompt-run", Data: runner.PromptRunData{AST: ast(t, textPrompt)}},
			{Type: "dataset-run", Data: runner.DatasetRunData{AST: ast(t, expPrompt)}},
		} {
			resp, err := client.Post(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			for k, want := range v.StreamResponse.RequiredHeaders {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s: header %s = %q, want %q", job.Type, k, got, want)
				}
			}
		}
	})
	t.Run("done appended iff traceId", func(t *testing.T) {
		for _, traceID := range []string{"0af7651916cd43dd8448eb211c80319c", ""} {
			s.events, s.outcome, s.err, s.traceID = textEvents, nil, nil, traceID
			run, err := client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, textPrompt)})
			if err != nil {
				t.Fatal(err)
			}
			chunks := collect(t, run)
			last := chunks[len(chunks)-1]
			hasDone := last.Type == "done"
			if traceID != "" && (!hasDone || !v.StreamResponse.DoneEvent.AppendedWhenResultHasTraceID ||
				!jsonEqual(t, last.Raw, []byte(`{"type":"done","traceId":"`+traceID+`"}`))) {
				t.Errorf("done missing/wrong: %s", last.Raw)
			}
			if traceID == "" && hasDone && v.StreamResponse.DoneEvent.OmittedWithoutTraceID {
				t.Errorf("done without trace id: %s", last.Raw)
			}
			for _, c := range chunks[:len(chunks)-1] {
				if c.Type == "done" {
					t.Error("done not last")
				}
			}
		}
		// An executor's own trace id counts too.
		s.traceID, s.outcome = "", &runner.Outcome{TraceID: "from-executor"}
		run, _ := client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, textPrompt)})
		chunks := collect(t, run)
		if chunks[len(chunks)-1].TraceID != "from-executor" {
			t.Errorf("executor trace id: %v", chunks)
		}
		// A failing run still ends with done after its error chunk.
		s.events, s.outcome, s.err, s.traceID = nil, nil, io.ErrUnexpectedEOF, "t"
		run, _ = client.RunPrompt(context.Background(), runner.PromptRunData{AST: ast(t, textPrompt)})
		chunks = collect(t, run)
		if len(chunks) != 2 || chunks[0].ErrorMessage() != "unexpected EOF" || chunks[1].Type != "done" {
			t.Errorf("error then done: %v", chunks)
		}
	})
	t.Run("json response status", func(t *testing.T) {
		s.events, s.outcome, s.err, s.traceID = nil, &runner.Outcome{Text: "x"}, nil, ""
		resp, err := client.Post(context.Background(), runner.Job{Type: "prompt-run", Data: runner.PromptRunData{AST: ast(t, textPrompt),
			Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(false)}}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != v.JSONResponse.Status || resp.Header.Get("AgentMark-Streaming") != "" {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("error responses", func(t *testing.T) {
		s.events, s.outcome, s.err = nil, nil, io.ErrClosedPipe
		bodies := map[string]string{
			"unknownJobType":       `{"type":"bogus","data":{}}`,
			"malformedRequestBody": `{"type":"prompt-run",`,
			"executionFailure":     `{"type":"prompt-run","data":{"ast":` + string(ast(t, textPrompt)) + `,"options":{"shouldStream":false}}}`,
		}
		keys := make([]string, 0, len(v.ErrorResponse.Statuses))
		for k := range v.ErrorResponse.Statuses {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			body, ok := bodies[k]
			if !ok {
				t.Errorf("no request for vector status %q", k)
				continue
			}
			resp, err := http.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var m map[string]any
			if resp.StatusCode != v.ErrorResponse.Statuses[k] || json.Unmarshal(b, &m) != nil {
				t.Errorf("%s: %d %s", k, resp.StatusCode, b)
				continue
			}
			if msg, ok := m[v.ErrorResponse.BodyKey].(string); !ok || msg == "" {
				t.Errorf("%s: no %q in %s", k, v.ErrorResponse.BodyKey, b)
			}
			// Our client surfaces the same message.
			var raw json.RawMessage = []byte(body)
			_, cerr := client.PostRaw(context.Background(), raw)
			if he, ok := cerr.(*runner.HTTPError); !ok || he.StatusCode != v.ErrorResponse.Statuses[k] || he.Message != m["message"] {
				t.Errorf("%s: client error %v", k, cerr)
			}
		}
	})
}

func TestVectorProtocolCatalog(t *testing.T) {
	type shape struct {
		Discriminant map[string]string `json:"discriminant"`
		Required     map[string]string `json:"required"`
		Optional     map[string]string `json:"optional"`
	}
	var v struct {
		AgentUsage  shape            `json:"agentUsage"`
		AgentEvents map[string]shape `json:"agentEvents"`
		WireChunks  map[string]shape `json:"wireChunks"`
		WebhookJobs map[string]struct {
			CarriesAST   bool `json:"carriesAst"`
			ControlPlane bool `json:"controlPlane"`
		} `json:"webhookJobs"`
	}
	loadVector(t, "protocol-catalog.json", &v)
	sample := func(kind string) any {
		switch kind {
		case "string":
			return "s"
		case "number":
			return 3
		case "boolean":
			return true
		case "usage":
			return map[string]any{"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}
		}
		return map[string]any{"k": "v"}
	}
	checkKind := func(t *testing.T, where, key, kind string, val any) {
		ok := true
		switch kind {
		case "string":
			_, ok = val.(string)
		case "number":
			_, ok = val.(float64)
		case "boolean":
			_, ok = val.(bool)
		case "usage":
			m, isMap := val.(map[string]any)
			ok = isMap && m["inputTokens"] != nil && m["outputTokens"] != nil
		}
		if !ok {
			t.Errorf("%s.%s: %v is not a %s", where, key, val, kind)
		}
	}
	t.Run("webhookJobs", func(t *testing.T) {
		var keys []string
		for k := range v.WebhookJobs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ours := slices.Clone(runner.JobTypes)
		sort.Strings(ours)
		if !slices.Equal(keys, ours) {
			t.Fatalf("job types %v, catalog %v", ours, keys)
		}
		_, _, url := scriptedRunner(t)
		for _, k := range keys {
			// Every job is dispatched (never "unknown type"); AST jobs
			// without an AST are refused with the AST message; control
			// plane jobs need no data.
			resp, err := http.Post(url, "application/json", strings.NewReader(`{"type":"`+k+`","data":{}}`))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "Expected event.type") {
				t.Errorf("%s not dispatched", k)
			}
			j := v.WebhookJobs[k]
			if j.CarriesAST != strings.Contains(string(b), runner.MsgMissingAST) {
				t.Errorf("%s carriesAst=%v but %d %s", k, j.CarriesAST, resp.StatusCode, b)
			}
			if j.ControlPlane && resp.StatusCode != 200 {
				t.Errorf("%s: %d", k, resp.StatusCode)
			}
		}
	})
	t.Run("agentUsage", func(t *testing.T) {
		b, _ := json.Marshal(runner.AgentUsage{InputTokens: 1, OutputTokens: 2, TotalTokens: ptr(3)})
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		for k, kind := range v.AgentUsage.Required {
			checkKind(t, "usage", k, kind, m[k])
		}
		for k := range m {
			if _, ok := v.AgentUsage.Required[k]; !ok {
				if _, ok := v.AgentUsage.Optional[k]; !ok {
					t.Errorf("usage key %q not in catalog", k)
				}
			}
		}
		b, _ = json.Marshal(runner.AgentUsage{})
		if strings.Contains(string(b), "totalTokens") {
			t.Error("totalTokens must be optional")
		}
	})
	t.Run("agentEvents", func(t *testing.T) {
		var keys []string
		for k := range v.AgentEvents {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ours := slices.Clone(runner.AgentEventTypes)
		sort.Strings(ours)
		if !slices.Equal(keys, ours) {
			t.Fatalf("events %v, catalog %v", ours, keys)
		}
		for _, name := range keys {
			sh := v.AgentEvents[name]
			in := map[string]any{"type": name}
			for k, kind := range sh.Required {
				in[k] = sample(kind)
			}
			for k, kind := range sh.Optional {
				in[k] = sample(kind)
			}
			b, _ := json.Marshal(in)
			var ev runner.AgentEvent
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
			back, _ := json.Marshal(ev)
			var m map[string]any
			_ = json.Unmarshal(back, &m)
			for k, kind := range sh.Required {
				checkKind(t, name, k, kind, m[k])
			}
			for k, kind := range sh.Optional {
				if m[k] != nil {
					checkKind(t, name, k, kind, m[k])
				} else {
					t.Errorf("%s: optional %s lost", name, k)
				}
			}
		}
	})
	t.Run("wireChunks", func(t *testing.T) {
		usage := &runner.AgentUsage{InputTokens: 1, OutputTokens: 2}
		produced := map[string]*runner.Chunk{
			"text-result":     runner.TextEventToWire(runner.AgentEvent{Type: "text-delta", Text: "x"}),
			"text-toolCall":   runner.TextEventToWire(runner.AgentEvent{Type: "tool-call", ID: "1", Name: "n", Args: json.RawMessage(`{}`)}),
			"text-toolResult": runner.TextEventToWire(runner.AgentEvent{Type: "tool-result", ID: "1", Name: "n", Result: json.RawMessage(`1`)}),
			"text-finish":     runner.TextEventToWire(runner.AgentEvent{Type: "finish", Reason: "stop", Usage: usage}),
			"object-result":   runner.ObjectEventToWire(runner.AgentEvent{Type: "object-final", Value: json.RawMessage(`{}`)}),
			"object-usage":    runner.ObjectEventToWire(runner.AgentEvent{Type: "finish", Reason: "stop", Usage: usage}),
			"dataset-row":     runner.DatasetRowToWire(runner.DatasetRowArgs{Input: json.RawMessage(`{}`), TraceID: "t", RunID: "r", RunName: "n"}),
			"error":           runner.ErrorChunk("boom"),
			"done":            {Type: "done", TraceID: "t"},
		}
		for name, sh := range v.WireChunks {
			c, ok := produced[name]
			if !ok || c == nil {
				t.Errorf("no producer for wire chunk %q", name)
				continue
			}
			b, _ := json.Marshal(c)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for k, want := range sh.Discriminant {
				if m[k] != want {
					t.Errorf("%s: %s=%v want %s", name, k, m[k], want)
				}
			}
			for k, kind := range sh.Required {
				if m[k] == nil {
					t.Errorf("%s: required %s missing in %s", name, k, b)
					continue
				}
				checkKind(t, name, k, kind, m[k])
			}
			for k := range m {
				_, d := sh.Discriminant[k]
				_, r := sh.Required[k]
				_, o := sh.Optional[k]
				if !d && !r && !o {
					t.Errorf("%s: key %q not in catalog (%s)", name, k, b)
				}
			}
		}
		if len(produced) != len(v.WireChunks) {
			t.Errorf("we produce %d chunk shapes, catalog has %d", len(produced), len(v.WireChunks))
		}
	})
}

func TestVectorDatasetItemName(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string          `json:"name"`
			Input    json.RawMessage `json:"input"`
			Index    int             `json:"index"`
			Expected string          `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "dataset-item-name.json", &v)
	for _, c := range v.Cases {
		if got := runner.DatasetItemName(c.Input, c.Index); got != c.Expected {
			t.Errorf("%s: %s want %s", c.Name, got, c.Expected)
		}
	}
}

func TestVectorNormalizeError(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string `json:"name"`
			Input    any    `json:"input"`
			Expected string `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "normalize-error.json", &v)
	for _, c := range v.Cases {
		if got := runner.NormalizeError(c.Input); got != c.Expected {
			t.Errorf("%s: %q want %q", c.Name, got, c.Expected)
		}
		// As an error chunk's payload, read back by the client.
		b, _ := json.Marshal(map[string]any{"type": "error", "error": c.Input})
		for ch := range runner.ReadChunks(bytes.NewReader(b)) {
			if c.Input != nil && c.Input != "" && ch.ErrorMessage() != c.Expected {
				t.Errorf("%s: chunk message %q", c.Name, ch.ErrorMessage())
			}
		}
	}
}
