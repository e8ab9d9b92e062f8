package trace_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/agentmark-go/agentmark/ingest"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/mock"
	"github.com/agentmark-go/agentmark/span"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// What we export, normalized by our own ingest, gives back the session,
// user, tags, metadata, prompt name, model, tokens, I/O and tool calls.
func TestIngestRoundTrip(t *testing.T) {
	rc := newReceiver(t)
	p := rc.provider(t, amtrace.Options{AppID: "app-1"})
	reg := llm.NewRegistry()
	reg.AddProvider("mock", mock.New())
	call := &llm.Call{Kind: llm.KindText, Name: "ask", ModelName: "mock/echo", ToolNames: []string{"lookup"},
		Request: llm.TextRequest{Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "Find answers"}}}}}}
	tools := map[string]llm.Tool{"lookup": {Name: "lookup", Parameters: json.RawMessage(`{"type":"object","properties":{"term":{"type":"string"}}}`),
		Execute: func(ctx context.Context, args json.RawMessage) (any, error) { return "42", nil }}}
	var res *llm.Result
	_, err := amtrace.Trace(context.Background(), "handle-message", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		s.SetInput("Find answers")
		ctx, run := amtrace.StartPromptRun(ctx, amtrace.PromptRunInfo{Call: call, Props: map[string]any{"q": "answers"}, PromptPath: "ask.prompt.mdx"})
		gen := &llm.Generator{Registry: reg, Tools: tools, Observer: run.Observer()}
		r, err := gen.Run(ctx, call, nil)
		run.End(r, err)
		res = r
		if err == nil {
			s.SetOutput(r.Text)
		}
		return 0, err
	}, amtrace.WithProvider(p), amtrace.WithSessionID("sess-1"), amtrace.WithSessionName("Support chat"), amtrace.WithUserID("user-1"),
		amtrace.WithTags("prod", "beta"), amtrace.WithMetadata(map[string]any{"feature": "support", "retries": 2}))
	if err != nil {
		t.Fatal(err)
	}
	var all []span.Span
	for _, b := range rc.allBodies() {
		r, err := ingest.Process(b, "application/x-protobuf", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rejected) > 0 {
			t.Fatalf("rejected %+v", r.Rejected)
		}
		all = append(all, r.Spans...)
	}
	if len(all) != 5 {
		t.Fatalf("%d spans", len(all))
	}
	by := map[string]span.Span{}
	for _, s := range all {
		by[s.Name] = s
		if s.SessionID != "sess-1" || s.UserID != "user-1" || s.SessionName != "Support chat" || s.TraceName != "handle-message" {
			t.Errorf("%s grouping: %q %q %q %q", s.Name, s.SessionID, s.UserID, s.SessionName, s.TraceName)
		}
		if !reflect.DeepEqual(s.Tags, []string{"prod", "beta"}) {
			t.Errorf("%s tags %v", s.Name, s.Tags)
		}
		if s.Metadata["feature"] != "support" || s.Metadata["retries"] != "2" {
			t.Errorf("%s metadata %v", s.Name, s.Metadata)
		}
		if s.ServiceName != "agentmark-client" {
			t.Errorf("service %q", s.ServiceName)
		}
	}
	root, prompt, tool := by["handle-message"], by["ask"], by["lookup"]
	if root.Type != span.TypeSpan || root.ParentSpanID != "" || string(root.Input) != `[{"role":"user","content":"Find answers"}]` || root.Output != res.Text {
		t.Errorf("root %+v", root)
	}
	if prompt.Type != span.TypeGeneration || prompt.PromptName != "ask" || prompt.Props != `{"q":"answers"}` || prompt.Model != "mock/echo" ||
		prompt.InputTokens != int64(res.Usage.InputTokens) || prompt.OutputTokens != int64(res.Usage.OutputTokens) ||
		prompt.Output != res.Text || prompt.FinishReason != "stop" || prompt.SemanticKind != span.KindLLM || prompt.ParentSpanID != root.SpanID {
		t.Errorf("prompt %+v", prompt)
	}
	if string(prompt.Input) != `[{"role":"user","content":"Find answers"}]` {
		t.Errorf("prompt input %s", prompt.Input)
	}
	var gens []span.Span
	for _, s := range all {
		if s.ParentSpanID == prompt.SpanID {
			gens = append(gens, s)
		}
	}
	if len(gens) != 2 {
		t.Fatalf("%d generations", len(gens))
	}
	for _, g := range gens {
		if g.Type != span.TypeGeneration || g.Model != "echo" || g.InputTokens == 0 || g.TotalTokens != g.InputTokens+g.OutputTokens || len(g.Input) == 0 {
			t.Errorf("generation %+v", g)
		}
	}
	if tool.Type != span.TypeSpan || tool.SemanticKind != span.KindTool || tool.ParentSpanID == prompt.SpanID || tool.ParentSpanID == "" {
		t.Errorf("tool %+v", tool)
	}
	var tcs []map[string]any
	json.Unmarshal(tool.ToolCalls, &tcs)
	if len(tcs) != 1 || tcs[0]["toolName"] != "lookup" || tcs[0]["result"] != "42" || !reflect.DeepEqual(tcs[0]["args"], map[string]any{"term": "mock term"}) {
		t.Errorf("tool calls %s", tool.ToolCalls)
	}
}
