package trace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/mock"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

type groupingCase struct {
	Name  string `json:"name"`
	Input struct {
		SessionID   *string        `json:"sessionId"`
		SessionName *string        `json:"sessionName"`
		UserID      *string        `json:"userId"`
		TraceName   *string        `json:"traceName"`
		Tags        []string       `json:"tags"`
		Metadata    map[string]any `json:"metadata"`
	} `json:"input"`
	Expected map[string]string `json:"expected"`
}

func (c groupingCase) grouping() amtrace.Grouping {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	in := c.Input
	return amtrace.Grouping{SessionID: s(in.SessionID), SessionName: s(in.SessionName), UserID: s(in.UserID),
		TraceName: s(in.TraceName), Tags: in.Tags, Metadata: in.Metadata}
}

func kvMap(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

var groupingKey = regexp.MustCompile(`^agentmark\.(session_id|session_name|user_id|trace_name|tags|metadata\..*)$`)

// grouping-attributes.json: the friendly grouping maps to exactly these
// attributes, as a value and on exported spans (through options and
// through WithAgentMark).
func TestGroupingVectors(t *testing.T) {
	var vec struct{ Cases []groupingCase }
	loadVector(t, "grouping-attributes.json", &vec)
	if len(vec.Cases) == 0 {
		t.Fatal("no cases")
	}
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{})
	for _, c := range vec.Cases {
		g := c.grouping()
		if got := kvMap(g.Attributes()); !reflect.DeepEqual(got, c.Expected) {
			t.Errorf("%s: attributes\n got %v\nwant %v", c.Name, got, c.Expected)
		}
		// Via span options on Start (not Trace, which defaults trace_name).
		opts := []amtrace.SpanOption{amtrace.WithProvider(p), amtrace.WithGrouping(g)}
		_, s := amtrace.Start(context.Background(), "opts "+c.Name, opts...)
		s.End(nil)
		// Via the context: a child span started by plain OTel under it.
		ctx := amtrace.WithAgentMark(context.Background(), g)
		_, sp := p.Tracer().Start(ctx, "ctx "+c.Name)
		sp.End()
	}
	spans := rc.spans(t)
	for _, c := range vec.Cases {
		for _, prefix := range []string{"opts ", "ctx "} {
			ss := named(spans, prefix+c.Name)
			if len(ss) != 1 {
				t.Fatalf("%s%s: %d spans", prefix, c.Name, len(ss))
			}
			got := map[string]string{}
			for k, v := range ss[0].Attrs {
				if groupingKey.MatchString(k) {
					got[k] = fmt.Sprint(v)
				}
			}
			if !reflect.DeepEqual(got, c.Expected) {
				t.Errorf("%s%s: exported\n got %v\nwant %v", prefix, c.Name, got, c.Expected)
			}
		}
	}
}

func TestGroupingMergeAndTrace(t *testing.T) {
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{})
	ctx := amtrace.WithAgentMark(context.Background(), amtrace.Grouping{SessionID: "outer", UserID: "u1",
		Metadata: map[string]any{"a": "1", "b": "2"}})
	ctx = amtrace.WithAgentMark(ctx, amtrace.Grouping{SessionID: "inner", Metadata: map[string]any{"b": "3"}})
	var traceID string
	_, err := amtrace.Trace(ctx, "handle-message", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		traceID = s.TraceID()
		_, err := amtrace.Span(ctx, "child", func(ctx context.Context, c *amtrace.SpanCtx) (struct{}, error) {
			c.SetMetadata("step", 1)
			return struct{}{}, nil
		})
		return 1, err
	}, amtrace.WithProvider(p), amtrace.WithTags("prod", "beta"), amtrace.WithMetadata(map[string]any{"c": true}),
		amtrace.WithDatasetRunID("run-1"), amtrace.WithDatasetExpectedOutput(map[string]any{"x": 1}))
	if err != nil {
		t.Fatal(err)
	}
	spans := rc.spans(t)
	root, child := named(spans, "handle-message")[0], named(spans, "child")[0]
	want := map[string]any{"agentmark.session_id": "inner", "agentmark.user_id": "u1", "agentmark.trace_name": "handle-message",
		"agentmark.tags": `["prod","beta"]`, "agentmark.metadata.a": "1", "agentmark.metadata.b": "3", "agentmark.metadata.c": "true",
		"gen_ai.conversation.id": "inner", "agentmark.dataset_run_id": "run-1", "agentmark.dataset_expected_output": `{"x":1}`}
	for k, v := range want {
		if root.Attrs[k] != v {
			t.Errorf("root %s = %v, want %v", k, root.Attrs[k], v)
		}
	}
	if root.TraceID != traceID || root.Scope != "agentmark" || root.Status != ptrace.StatusCodeOk || root.Parent != "" {
		t.Errorf("root %+v (trace %s)", root, traceID)
	}
	// Children inherit the grouping (withAgentMark semantics), not the
	// dataset fields.
	if child.Parent != root.SpanID || child.Attrs["agentmark.session_id"] != "inner" || child.Attrs["agentmark.tags"] != `["prod","beta"]` ||
		child.Attrs["agentmark.metadata.step"] != "1" || child.Attrs["agentmark.dataset_run_id"] != nil {
		t.Errorf("child %+v", child.Attrs)
	}
	if root.Resource["service.name"] != "agentmark-client" {
		t.Errorf("resource %v", root.Resource)
	}
}

func TestObserveAndErrors(t *testing.T) {
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{})
	ctx := amtrace.ContextWithProvider(context.Background(), p)
	search := amtrace.Observe("search-web", func(ctx context.Context, q map[string]any) ([]string, error) {
		return []string{"r1", q["q"].(string)}, nil
	}, amtrace.WithKind(amtrace.KindRetrieval))
	redacted := amtrace.Observe("secret", func(ctx context.Context, s string) (string, error) { return "out:" + s, nil },
		amtrace.WithProcessInputs(func(any) any { return "***" }), amtrace.WithoutOutputCapture())
	failing := amtrace.Observe("failing", func(ctx context.Context, s string) (string, error) { return "", errors.New("boom") })
	if r, err := search(ctx, map[string]any{"q": "go"}); err != nil || len(r) != 2 {
		t.Fatal(r, err)
	}
	redacted(ctx, "password")
	if _, err := failing(ctx, "x"); err == nil {
		t.Fatal("error lost")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic swallowed")
			}
		}()
		amtrace.Span(ctx, "panics", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) { panic("kaboom") })
	}()
	spans := rc.spans(t)
	s := named(spans, "search-web")[0]
	if s.Attrs["agentmark.request.input"] != `{"q":"go"}` || s.Attrs["gen_ai.request.input"] != `{"q":"go"}` ||
		s.Attrs["agentmark.response.output"] != `["r1","go"]` || s.Attrs["agentmark.span.kind"] != "retrieval" ||
		s.Attrs["openinference.span.kind"] != "RETRIEVER" {
		t.Errorf("observe %v", s.Attrs)
	}
	r := named(spans, "secret")[0]
	if r.Attrs["agentmark.request.input"] != "***" || r.Attrs["agentmark.response.output"] != nil || r.Attrs["agentmark.span.kind"] != "function" {
		t.Errorf("redacted %v", r.Attrs)
	}
	f := named(spans, "failing")[0]
	if f.Status != ptrace.StatusCodeError || f.StatusMsg != "boom" {
		t.Errorf("failing %+v", f)
	}
	if pn := named(spans, "panics")[0]; pn.Status != ptrace.StatusCodeError || !strings.Contains(pn.StatusMsg, "kaboom") {
		t.Errorf("panic span %+v", pn)
	}
}

// Without any provider, the helpers still run the code (no-op spans).
func TestNoProvider(t *testing.T) {
	amtrace.SetDefault(nil)
	v, err := amtrace.Trace(context.Background(), "x", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		s.SetInput("in")
		s.SetOutput("out")
		if s.TraceID() != "" || s.Recording() {
			t.Error("recording without a provider")
		}
		return 7, nil
	})
	if v != 7 || err != nil {
		t.Fatal(v, err)
	}
	var r *amtrace.PromptRun
	r.OnEvent(llm.Event{})
	r.End(nil, nil)
	if r.Observer() != nil || r.TraceID() != "" {
		t.Error("nil PromptRun")
	}
}

func TestDisabledAndEndpoint(t *testing.T) {
	p, err := amtrace.New(amtrace.Options{Disabled: true})
	if err != nil || p.Enabled() {
		t.Fatal(p, err)
	}
	_, s := amtrace.Start(context.Background(), "x", amtrace.WithProvider(p))
	if s.Recording() {
		t.Error("disabled provider records")
	}
	s.End(nil)
	t.Setenv(amtrace.EnvTraceEndpoint, "")
	t.Setenv(amtrace.EnvBaseURL, "")
	for _, tc := range []struct {
		opts     amtrace.Options
		env, url string
		want     string
	}{
		{want: "http://localhost:9418/v1/traces"},
		{opts: amtrace.Options{BaseURL: "https://api.agentmark.co/"}, want: "https://api.agentmark.co/v1/traces"},
		{env: amtrace.EnvBaseURL, url: "http://localhost:9999", want: "http://localhost:9999/v1/traces"},
		{env: amtrace.EnvTraceEndpoint, url: "http://collector:4318/v1/traces", want: "http://collector:4318/v1/traces"},
	} {
		if tc.env != "" {
			t.Setenv(tc.env, tc.url)
		}
		p, err := amtrace.New(tc.opts)
		if err != nil || p.Endpoint() != tc.want {
			t.Errorf("%+v: %v %v", tc, p.Endpoint(), err)
		}
		p.Shutdown(context.Background())
		if tc.env != "" {
			t.Setenv(tc.env, "")
		}
	}
	if _, err := amtrace.New(amtrace.Options{Endpoint: "localhost:9418"}); err == nil {
		t.Error("bad endpoint accepted")
	}
}

func TestHeadersAndResource(t *testing.T) {
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{APIKey: "sk_agentmark_x", AppID: "app-1", Environment: "staging", ServiceName: "svc"})
	_, s := amtrace.Start(context.Background(), "x", amtrace.WithProvider(p))
	s.End(nil)
	spans := rc.spans(t)
	h := rc.hdrs[0]
	if h.Get("Authorization") != "sk_agentmark_x" || h.Get("X-Agentmark-App-Id") != "app-1" || h.Get("X-Agentmark-Environment") != "staging" {
		t.Errorf("headers %v", h)
	}
	if spans[0].Resource["service.name"] != "svc" || spans[0].Resource["agentmark.app_id"] != "app-1" {
		t.Errorf("resource %v", spans[0].Resource)
	}
}

// runScripted runs one prompt of kind with the scripted events through a
// Generator under a prompt span, like Prompt.Run/Stream do.
func runScripted(t *testing.T, p *amtrace.Provider, kind string, stream bool, msgs []llm.Message, events []map[string]any) (*llm.Result, error) {
	t.Helper()
	reg := llm.NewRegistry()
	reg.AddProvider("scripted", &scripted{events: events})
	reg.MapModel("test", "scripted")
	call := &llm.Call{Kind: kind, Name: "vector", ModelName: "test", Request: llm.TextRequest{Messages: msgs}}
	if kind == llm.KindObject {
		call.Request.Schema = json.RawMessage(`{"type":"object"}`)
	}
	ctx, run := amtrace.StartPromptRun(context.Background(), amtrace.PromptRunInfo{Call: call, Props: map[string]any{"q": "hi"}, Stream: stream},
		amtrace.WithProvider(p))
	gen := &llm.Generator{Registry: reg, Observer: run.Observer()}
	var onEvent func(llm.Event) error
	if stream {
		onEvent = func(ev llm.Event) error { run.OnEvent(ev); return nil }
	}
	res, err := gen.Run(ctx, call, onEvent)
	run.End(res, err)
	return res, err
}

// span-io.json: the prompt span's I/O contract, streaming and not.
func TestSpanIOVectors(t *testing.T) {
	var vec struct {
		Cases []struct {
			Name         string
			Kind         string
			ShouldStream bool
			Messages     []struct{ Role, Content string }
			Events       []map[string]any
			Expected     struct {
				Input          json.RawMessage
				Output         json.RawMessage
				Model          string
				Usage          *struct{ Input, Output int }
				Classification struct{ OperationName, SpanKind string }
			}
			Throws bool
		}
	}
	loadVector(t, "span-io.json", &vec)
	if len(vec.Cases) != 6 {
		t.Fatalf("%d cases", len(vec.Cases))
	}
	for _, c := range vec.Cases {
		t.Run(c.Name, func(t *testing.T) {
			rc := newReceiver(t)
			p := rc.provider(t, amtrace.Options{})
			var msgs []llm.Message
			for _, m := range c.Messages {
				msgs = append(msgs, llm.Message{Role: m.Role, Parts: []llm.Part{{Type: llm.PartText, Text: m.Content}}})
			}
			_, err := runScripted(t, p, c.Kind, c.ShouldStream, msgs, c.Events)
			if (err != nil) != (c.Throws || hasError(c.Events)) {
				t.Fatalf("err %v", err)
			}
			spans := rc.spans(t)
			ps := named(spans, "vector")
			if len(ps) != 1 {
				t.Fatalf("prompt spans %d of %d", len(ps), len(spans))
			}
			a := ps[0].Attrs
			var gotIn, wantIn any
			json.Unmarshal([]byte(fmt.Sprint(a["agentmark.input"])), &gotIn)
			json.Unmarshal(c.Expected.Input, &wantIn)
			if !reflect.DeepEqual(gotIn, wantIn) {
				t.Errorf("input %v, want %v", a["agentmark.input"], string(c.Expected.Input))
			}
			out, hasOut := a["agentmark.output"]
			switch {
			case string(c.Expected.Output) == "null":
				if hasOut {
					t.Errorf("output %v, want absent", out)
				}
			case c.Expected.Output[0] == '"':
				var want string
				json.Unmarshal(c.Expected.Output, &want)
				if out != want {
					t.Errorf("output %v, want %q", out, want)
				}
			default:
				var got, want any
				json.Unmarshal([]byte(fmt.Sprint(out)), &got)
				json.Unmarshal(c.Expected.Output, &want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("output %v, want %s", out, c.Expected.Output)
				}
			}
			if a["gen_ai.request.model"] != c.Expected.Model || a["gen_ai.operation.name"] != c.Expected.Classification.OperationName ||
				a["agentmark.span.kind"] != c.Expected.Classification.SpanKind || a["agentmark.props"] != `{"q":"hi"}` ||
				a["agentmark.prompt_name"] != "vector" || a["agentmark.trace_name"] != "vector" {
				t.Errorf("attrs %v", a)
			}
			in, hasIn := a["gen_ai.usage.input_tokens"]
			outT, hasOutT := a["gen_ai.usage.output_tokens"]
			if u := c.Expected.Usage; u == nil {
				if hasIn || hasOutT {
					t.Errorf("usage %v %v, want absent", in, outT)
				}
			} else if in != int64(u.Input) || outT != int64(u.Output) || a["gen_ai.usage.total_tokens"] != int64(u.Input+u.Output) {
				t.Errorf("usage %v %v, want %+v", in, outT, *u)
			}
			if want := hasError(c.Events); (ps[0].Status == ptrace.StatusCodeError) != want {
				t.Errorf("status %v", ps[0].Status)
			}
			// The span ends only after the run: every model span is its
			// child and ends before it.
			for _, g := range named(spans, "chat ") {
				if g.Parent != ps[0].SpanID || g.TraceID != ps[0].TraceID || g.End > ps[0].End {
					t.Errorf("generation span %+v outside the prompt span", g)
				}
			}
			if len(named(spans, "chat ")) != 1 {
				t.Errorf("%d generation spans", len(named(spans, "chat ")))
			}
		})
	}
}

func hasError(evs []map[string]any) bool {
	for _, e := range evs {
		if e["type"] == "error" {
			return true
		}
	}
	return false
}

// A mock run with a tool: prompt span → generation spans → tool span.
func TestRunTreeWithTools(t *testing.T) {
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{})
	reg := llm.NewRegistry()
	reg.AddProvider("mock", mock.New())
	temp, maxTok := 0.5, 100
	call := &llm.Call{Kind: llm.KindText, Name: "ask", ModelName: "mock/echo", ToolNames: []string{"lookup"},
		Request: llm.TextRequest{Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "be brief"}}},
			{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "Find answers"}}}},
			Settings: llm.Settings{Temperature: &temp, MaxTokens: &maxTok}}}
	var toolTrace string
	tools := map[string]llm.Tool{"lookup": {Name: "lookup", Description: "Look up",
		Parameters: json.RawMessage(`{"type":"object","properties":{"term":{"type":"string"}},"required":["term"]}`),
		Execute: func(ctx context.Context, args json.RawMessage) (any, error) {
			toolTrace = amtrace.TraceID(ctx)
			return map[string]any{"answer": 42}, nil
		}}}
	ctx := amtrace.WithAgentMark(context.Background(), amtrace.Grouping{SessionID: "s1", UserID: "u1"})
	ctx, run := amtrace.StartPromptRun(ctx, amtrace.PromptRunInfo{Call: call, Props: map[string]any{"q": "answers"}}, amtrace.WithProvider(p))
	gen := &llm.Generator{Registry: reg, Tools: tools, Observer: run.Observer()}
	res, err := gen.Run(ctx, call, nil)
	run.End(res, err)
	if err != nil {
		t.Fatal(err)
	}
	spans := rc.spans(t)
	if len(spans) != 4 {
		for _, s := range spans {
			t.Log(s.Name, s.Parent)
		}
		t.Fatalf("%d spans", len(spans))
	}
	prompt := named(spans, "ask")[0]
	gens := named(spans, "chat echo")
	tool := named(spans, "execute_tool lookup")
	if len(gens) != 2 || len(tool) != 1 {
		t.Fatalf("gens %d tools %d", len(gens), len(tool))
	}
	if prompt.Parent != "" || gens[0].Parent != prompt.SpanID || gens[1].Parent != prompt.SpanID || tool[0].Parent != gens[0].SpanID {
		t.Errorf("tree: prompt %s gens %s %s tool parent %s", prompt.SpanID, gens[0].Parent, gens[1].Parent, tool[0].Parent)
	}
	if toolTrace != prompt.TraceID {
		t.Errorf("tool ctx trace %s", toolTrace)
	}
	for _, s := range spans {
		if s.TraceID != prompt.TraceID || s.Attrs["agentmark.session_id"] != "s1" || s.Attrs["agentmark.user_id"] != "u1" || s.Scope != "agentmark" {
			t.Errorf("%s: %v", s.Name, s.Attrs)
		}
	}
	g := gens[0].Attrs
	for k, v := range map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "mock", "gen_ai.provider.name": "mock",
		"gen_ai.request.model": "echo", "gen_ai.response.model": "echo", "gen_ai.request.temperature": 0.5,
		"gen_ai.request.max_tokens": int64(100), "agentmark.span.kind": "llm"} {
		if g[k] != v {
			t.Errorf("generation %s = %#v, want %#v", k, g[k], v)
		}
	}
	if g["gen_ai.response.finish_reasons"] == nil || g["gen_ai.usage.input_tokens"] == nil || g["gen_ai.usage.total_tokens"] == nil {
		t.Errorf("generation usage/finish %v", g)
	}
	if !strings.Contains(fmt.Sprint(g["gen_ai.tool.definitions"]), `"name":"lookup"`) {
		t.Errorf("tool definitions %v", g["gen_ai.tool.definitions"])
	}
	var in2 []map[string]any
	json.Unmarshal([]byte(fmt.Sprint(gens[1].Attrs["gen_ai.request.input"])), &in2)
	if len(in2) != 4 || in2[2]["role"] != "assistant" || in2[3]["role"] != "tool" {
		t.Errorf("second step input %v", gens[1].Attrs["gen_ai.request.input"])
	} else if parts, _ := in2[3]["content"].([]any); len(parts) != 1 || parts[0].(map[string]any)["type"] != "tool-result" {
		t.Errorf("tool message %v", in2[3])
	}
	ta := tool[0].Attrs
	if ta["gen_ai.tool.name"] != "lookup" || ta["gen_ai.tool.input"] != `{"term":"mock term"}` || ta["gen_ai.tool.output"] != `{"answer":42}` ||
		ta["gen_ai.tool.call.id"] == "" || ta["agentmark.span.kind"] != "tool" || ta["gen_ai.operation.name"] != "execute_tool" {
		t.Errorf("tool %v", ta)
	}
	pa := prompt.Attrs
	if pa["agentmark.output"] != res.Text || pa["gen_ai.usage.input_tokens"] != int64(res.Usage.InputTokens) ||
		pa["gen_ai.usage.output_tokens"] != int64(res.Usage.OutputTokens) || pa["gen_ai.request.model"] != "mock/echo" {
		t.Errorf("prompt %v (res %+v)", pa, res.Usage)
	}
	if prompt.Status != ptrace.StatusCodeOk || tool[0].Status != ptrace.StatusCodeOk {
		t.Errorf("status %v %v", prompt.Status, tool[0].Status)
	}
}

func TestToolErrorSpan(t *testing.T) {
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{})
	obs := amtrace.NewObserver(p)
	ctx, end := obs.ToolCall(context.Background(), llm.ToolCall{ID: "c1", Name: "t", Args: json.RawMessage(`not json`)})
	if amtrace.TraceID(ctx) == "" {
		t.Error("no span in tool context")
	}
	end(llm.ToolResult{ToolCallID: "c1", ToolName: "t", Result: json.RawMessage(`"Error: bad"`), IsError: true})
	s := rc.spans(t)[0]
	if s.Status != ptrace.StatusCodeError || s.StatusMsg != "Error: bad" || s.Attrs["gen_ai.tool.input"] != "not json" || s.Attrs["gen_ai.tool.output"] != "Error: bad" {
		t.Errorf("%+v", s)
	}
}

func TestFinalizeUsageVectors(t *testing.T) {
	var vec struct {
		Cases []struct {
			Name     string
			Input    struct{ InputTokens, OutputTokens, TotalTokens *int }
			Expected *struct{ InputTokens, OutputTokens, TotalTokens int }
		}
	}
	loadVector(t, "finalize-usage.json", &vec)
	for _, c := range vec.Cases {
		if c.Expected == nil {
			continue // "no usage": Go usage is never null; runs without a finish record none
		}
		rc := newReceiver(t)
		p := rc.provider(t, amtrace.Options{})
		obs := amtrace.NewObserver(p)
		_, end := obs.ModelCall(context.Background(), llm.ModelCallInfo{Kind: llm.KindText, Model: "m", Provider: "x", Text: &llm.TextRequest{}})
		u := llm.Usage{InputTokens: deref(c.Input.InputTokens), OutputTokens: deref(c.Input.OutputTokens), TotalTokens: deref(c.Input.TotalTokens)}
		end(llm.ModelCallEnd{Response: &llm.TextResponse{Usage: u}, Usage: u})
		a := rc.spans(t)[0].Attrs
		if a["gen_ai.usage.input_tokens"] != int64(c.Expected.InputTokens) || a["gen_ai.usage.output_tokens"] != int64(c.Expected.OutputTokens) ||
			a["gen_ai.usage.total_tokens"] != int64(c.Expected.TotalTokens) {
			t.Errorf("%s: %v", c.Name, a)
		}
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func TestExportFailureNeverFails(t *testing.T) {
	rc := newReceiver(t)
	rc.status.Store(500)
	var log bytes.Buffer
	p := rc.provider(t, amtrace.Options{ErrorLog: &log})
	for i := 0; i < 3; i++ {
		v, err := amtrace.Trace(context.Background(), "x", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) { return 1, nil },
			amtrace.WithProvider(p))
		if v != 1 || err != nil {
			t.Fatal(v, err)
		}
	}
	if err := p.Flush(context.Background()); err != nil {
		// Simple processor: already exported; Flush sees no new failure.
		t.Log(err)
	}
	if p.ExportError() == nil {
		t.Error("no export error recorded")
	}
	if n := strings.Count(log.String(), "could not export traces"); n != 1 {
		t.Errorf("warned %d times: %q", n, log.String())
	}
	// Batched, unreachable endpoint: Flush reports, the run does not.
	log.Reset()
	bp, err := amtrace.New(amtrace.Options{Endpoint: "http://127.0.0.1:1/v1/traces", ErrorLog: &log})
	if err != nil {
		t.Fatal(err)
	}
	amtrace.Trace(context.Background(), "y", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) { return 1, nil }, amtrace.WithProvider(bp))
	if err := bp.Flush(context.Background()); err == nil {
		t.Error("Flush hid the export failure")
	}
	bp.Shutdown(context.Background())
	if !strings.Contains(log.String(), "127.0.0.1:1") {
		t.Errorf("warning %q", log.String())
	}
}

func TestInitDefault(t *testing.T) {
	rc := newReceiver(t)
	p, err := amtrace.Init(context.Background(), amtrace.Options{Endpoint: rc.endpoint(), BatchTimeout: 10 * 1e6})
	if err != nil {
		t.Fatal(err)
	}
	if amtrace.Default() != p {
		t.Fatal("not default")
	}
	amtrace.Trace(context.Background(), "via-default", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		if amtrace.ProviderFromContext(ctx) != p {
			t.Error("provider not in context")
		}
		return 0, nil
	})
	if err := amtrace.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(named(rc.spans(t), "via-default")) != 1 {
		t.Error("span not exported by the default provider")
	}
	p.Shutdown(context.Background())
	if amtrace.Default() != nil {
		t.Error("shut-down provider still default")
	}
}
