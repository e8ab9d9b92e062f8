package agentmark_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/eval"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

type otlpSpan struct {
	name, id, parent, trace string
	attrs                   map[string]any
	status                  ptrace.StatusCode
}

// otlpSink is an OTLP/HTTP receiver decoding protobuf exports.
func otlpSink(t *testing.T) (*amtrace.Provider, func() []otlpSpan) {
	t.Helper()
	var mu sync.Mutex
	var got []otlpSpan
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var um ptrace.ProtoUnmarshaler
		td, err := um.UnmarshalTraces(b)
		if err != nil {
			t.Errorf("decode: %v", err)
		}
		mu.Lock()
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				sps := sss.At(j).Spans()
				for k := 0; k < sps.Len(); k++ {
					sp := sps.At(k)
					s := otlpSpan{name: sp.Name(), id: sp.SpanID().String(), trace: sp.TraceID().String(), attrs: map[string]any{}, status: sp.Status().Code()}
					if !sp.ParentSpanID().IsEmpty() {
						s.parent = sp.ParentSpanID().String()
					}
					sp.Attributes().Range(func(k string, v pcommon.Value) bool { s.attrs[k] = v.AsRaw(); return true })
					got = append(got, s)
				}
			}
		}
		mu.Unlock()
		w.WriteHeader(200)
	}))
	t.Cleanup(srv.Close)
	p, err := amtrace.New(amtrace.Options{Endpoint: srv.URL + "/v1/traces", DisableBatch: true, ErrorLog: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	return p, func() []otlpSpan {
		mu.Lock()
		defer mu.Unlock()
		return append([]otlpSpan(nil), got...)
	}
}

func lookupTool() agentmark.Option {
	return agentmark.WithTool("lookup", "Look up", map[string]any{"type": "object", "properties": map[string]any{"term": map[string]any{"type": "string"}}, "required": []string{"term"}},
		func(ctx context.Context, args json.RawMessage) (any, error) { return "42", nil })
}

func checkTree(t *testing.T, spans []otlpSpan, promptName string) {
	t.Helper()
	var prompt *otlpSpan
	var gens, tools []otlpSpan
	for i, s := range spans {
		switch {
		case s.name == promptName:
			prompt = &spans[i]
		case strings.HasPrefix(s.name, "chat "):
			gens = append(gens, s)
		case strings.HasPrefix(s.name, "execute_tool "):
			tools = append(tools, s)
		}
	}
	if prompt == nil || len(gens) != 2 || len(tools) != 1 {
		t.Fatalf("spans %+v", spans)
	}
	if gens[0].parent != prompt.id || gens[1].parent != prompt.id || (tools[0].parent != gens[0].id && tools[0].parent != gens[1].id) {
		t.Errorf("tree: %+v", spans)
	}
	a := prompt.attrs
	if a["agentmark.prompt_name"] != promptName || a["gen_ai.request.model"] != "mock/echo" || a["agentmark.props"] != `{"q":"answers"}` ||
		a["agentmark.prompt_path"] != "ask.prompt.mdx" || !strings.Contains(a["agentmark.output"].(string), "lookup: 42") ||
		a["gen_ai.usage.input_tokens"] == nil || prompt.status != ptrace.StatusCodeOk {
		t.Errorf("prompt span %v", a)
	}
	if !strings.Contains(a["agentmark.input"].(string), `"content":"Find answers"`) {
		t.Errorf("input %v", a["agentmark.input"])
	}
}

func TestSDKTracingRunStreamEval(t *testing.T) {
	p, spans := otlpSink(t)
	client := agentmark.New(agentmark.WithSourceDir(sdkProject(t)), lookupTool(), agentmark.WithTracing(p),
		agentmark.WithEval("exact", func(ctx context.Context, ep agentmark.EvalParams) (agentmark.EvalResult, error) {
			return agentmark.EvalResult{Score: eval.Float(1), Passed: eval.Bool(true), Label: "correct"}, nil
		}))
	pr, err := client.LoadTextPrompt("ask.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.Run(context.Background(), map[string]any{"q": "answers"}); err != nil {
		t.Fatal(err)
	}
	checkTree(t, spans(), "ask")

	// Stream: the same tree, the span ends after the drain.
	p2, spans2 := otlpSink(t)
	client2 := agentmark.New(agentmark.WithSourceDir(sdkProject(t)), lookupTool(), agentmark.WithTracing(p2))
	pr2, _ := client2.LoadTextPrompt("ask.prompt.mdx")
	s := pr2.Stream(context.Background(), map[string]any{"q": "answers"})
	for _, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if n := len(spans2()); n > 3 {
			t.Errorf("prompt span ended before the stream drained (%d spans)", n)
		}
	}
	checkTree(t, spans2(), "ask")

	// Eval span.
	r, err := client.RunEval(context.Background(), "exact", agentmark.EvalParams{Input: "q", Output: "a", ExpectedOutput: "a"})
	if err != nil || r.Passed == nil || !*r.Passed {
		t.Fatal(r, err)
	}
	var ev *otlpSpan
	for _, sp := range spans() {
		if sp.name == "eval exact" {
			ev = &sp
		}
	}
	if ev == nil || ev.attrs["agentmark.eval.passed"] != true || ev.attrs["agentmark.eval.score"] != 1.0 || ev.attrs["agentmark.eval.label"] != "correct" ||
		ev.attrs["agentmark.request.input"] != `{"expectedOutput":"a","input":"q","output":"a"}` {
		t.Errorf("eval span %+v", ev)
	}
	if _, err := client.RunEval(context.Background(), "nope", agentmark.EvalParams{}); err == nil {
		t.Error("unknown eval ran")
	}
}

// A run inside amtrace.Trace nests under it and inherits its grouping;
// WithoutTracing records nothing.
func TestSDKTracingNestedAndOff(t *testing.T) {
	p, spans := otlpSink(t)
	client := agentmark.New(agentmark.WithSourceDir(sdkProject(t)))
	pr, _ := client.LoadTextPrompt("text.prompt.mdx")
	_, err := amtrace.Trace(context.Background(), "handler", func(ctx context.Context, s *amtrace.SpanCtx) (string, error) {
		res, err := pr.Run(ctx, nil)
		if err != nil {
			return "", err
		}
		return res.Text, nil
	}, amtrace.WithProvider(p), amtrace.WithSessionID("s1"), amtrace.WithUserID("u1"))
	if err != nil {
		t.Fatal(err)
	}
	got := spans()
	if len(got) != 3 {
		t.Fatalf("%+v", got)
	}
	var root, prompt otlpSpan
	for _, s := range got {
		switch s.name {
		case "handler":
			root = s
		case "text":
			prompt = s
		}
	}
	if prompt.parent != root.id || prompt.attrs["agentmark.session_id"] != "s1" || prompt.attrs["agentmark.user_id"] != "u1" ||
		prompt.attrs["agentmark.trace_name"] != "handler" {
		t.Errorf("prompt %+v root %+v", prompt, root)
	}

	p3, spans3 := otlpSink(t)
	off := agentmark.New(agentmark.WithSourceDir(sdkProject(t)), agentmark.WithoutTracing())
	pr3, _ := off.LoadTextPrompt("text.prompt.mdx")
	amtrace.Trace(context.Background(), "outer", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		_, err := pr3.Run(ctx, nil)
		return 0, err
	}, amtrace.WithProvider(p3))
	if got := spans3(); len(got) != 1 || got[0].name != "outer" {
		t.Errorf("WithoutTracing recorded %+v", got)
	}
}

// Breaking out of a stream ends the prompt span (no error status) with
// the text so far.
func TestSDKTracingStreamStopped(t *testing.T) {
	p, spans := otlpSink(t)
	client := agentmark.New(agentmark.WithSourceDir(sdkProject(t)), agentmark.WithTracing(p))
	pr, _ := client.LoadTextPrompt("text.prompt.mdx")
	s := pr.Stream(context.Background(), nil)
	for range s.Events() {
		break
	}
	var prompt *otlpSpan
	for _, sp := range spans() {
		if sp.name == "text" {
			prompt = &sp
		}
	}
	if prompt == nil || prompt.status == ptrace.StatusCodeError || prompt.attrs["agentmark.output"] != "one " {
		t.Errorf("prompt span %+v", prompt)
	}
}
