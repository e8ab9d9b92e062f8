package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// T0 is the fixture's base time.
var T0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) int64 { return T0.Add(d).UnixNano() }

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// Fixture trace IDs.
const (
	TraceSupport = "trace-01" // OK root + 2 generations (one error), session s1, user u1
	TraceChat    = "trace-02" // single ERROR generation root, session s1, user u2, dataset run
	TraceTool    = "trace-03" // UNSET, no generation, cost on a child span
	TraceUnicode = "trace-04" // unicode names and tags, session s2, user u3
)

// Fixture returns the conformance data set (see the expectations in the
// tests). Spans are returned in a shuffled order to exercise orphan handling.
func Fixture() []span.Span {
	spans := []span.Span{
		{
			TraceID: TraceSupport, SpanID: "s1-root", Type: span.TypeSpan, Name: "agent-run",
			StartTimeNs: at(0), EndTimeNs: at(ms(1000)), StatusCode: "1", TraceName: "Support Flow",
			SessionID: "s1", SessionName: "Support Session", UserID: "u1", Tags: []string{"prod"},
			Metadata: map[string]string{"env": "prod", "tier": "gold"}, PromptName: "support",
			CommitSHA: "abc", Environment: "production", ServiceName: "svc", Kind: "SPAN_KIND_INTERNAL",
			Input:  json.RawMessage(`[{"role":"user","content":"hello world"}]`),
			Output: "hi there", SemanticKind: span.KindAgent,
			ResourceAttributes: map[string]any{"service.name": "svc"},
			SpanAttributes:     map[string]any{"agentmark.trace_name": "Support Flow", "n": 1.5},
			Events:             []span.Event{{TimeNs: at(ms(5)), Name: "start", Attributes: map[string]any{"k": "v"}}},
			Links:              []span.Link{{TraceID: TraceChat, SpanID: "s2-root"}},
		},
		{
			TraceID: TraceSupport, SpanID: "s1-gen1", ParentSpanID: "s1-root", Type: span.TypeGeneration,
			Name: "generate", StartTimeNs: at(ms(100)), EndTimeNs: at(ms(600)), StatusCode: "1", Model: "gpt-4o",
			InputTokens: 100, OutputTokens: 50, TotalTokens: 150, Cost: 0.01, CostKnown: true, Tags: []string{"beta"},
			Input:  json.RawMessage(`[{"role":"user","content":"gen in 1"}]`),
			Output: "gen out 1", PromptName: "support", SemanticKind: span.KindLLM, FinishReason: "stop",
			Settings:  json.RawMessage(`{"temperature":0.5}`),
			ToolCalls: json.RawMessage(`[{"type":"tool-call","toolCallId":"c1","toolName":"search","args":{"q":"x"}}]`),
		},
		{
			TraceID: TraceSupport, SpanID: "s1-gen2", ParentSpanID: "s1-root", Type: span.TypeGeneration,
			Name: "generate", StartTimeNs: at(ms(600)), EndTimeNs: at(ms(900)), StatusCode: "2", StatusMsg: "rate limited",
			Model: "gpt-4o-mini", InputTokens: 10, OutputTokens: 5, TotalTokens: 15, Cost: 0.001, CostKnown: true,
			OutputObject: json.RawMessage(`{"answer":42}`), SemanticKind: span.KindLLM,
		},
		{
			TraceID: TraceChat, SpanID: "s2-root", Type: span.TypeGeneration, Name: "chat",
			StartTimeNs: at(time.Hour), EndTimeNs: at(time.Hour + ms(2000)), StatusCode: "2", StatusMsg: "boom",
			Model: "o3", InputTokens: 1000, OutputTokens: 500, TotalTokens: 1500, Cost: 0.5, CostKnown: true,
			SessionID: "s1", UserID: "u2", Tags: []string{"prod", "exp"}, Metadata: map[string]string{"env": "staging"},
			DatasetRunID: "run1", DatasetRunName: "Run One", DatasetPath: "data/set.jsonl", ExperimentKey: "exp1",
			SemanticKind: span.KindLLM, Props: `{"q":"x"}`,
		},
		{
			TraceID: TraceTool, SpanID: "s3-root", Type: span.TypeSpan, Name: "tool-only",
			StartTimeNs: at(2 * time.Hour), EndTimeNs: at(2*time.Hour + ms(10)), StatusCode: "0", UserID: "u1",
			Metadata: map[string]string{"debug": "1"}, SemanticKind: span.KindTool,
		},
		{
			TraceID: TraceTool, SpanID: "s3-child", ParentSpanID: "s3-root", Type: span.TypeSpan, Name: "fetch",
			StartTimeNs: at(2*time.Hour + ms(1)), EndTimeNs: at(2*time.Hour + ms(6)), StatusCode: "0", Cost: 0.2,
			SemanticKind: span.KindTool,
		},
		{
			TraceID: TraceUnicode, SpanID: "s4-root", Type: span.TypeSpan, Name: "日本語トレース 🚀",
			StartTimeNs: at(3 * time.Hour), EndTimeNs: at(3*time.Hour + ms(50)), StatusCode: "1", SessionID: "s2",
			Tags: []string{"ünïcödé"}, Metadata: map[string]string{"ключ": "значение ✓"},
		},
		{
			TraceID: TraceUnicode, SpanID: "s4-gen", ParentSpanID: "s4-root", Type: span.TypeGeneration, Name: "générer",
			StartTimeNs: at(3*time.Hour + ms(5)), EndTimeNs: at(3*time.Hour + ms(45)), StatusCode: "1", Model: "claude-3",
			InputTokens: 12, OutputTokens: 8, TotalTokens: 20, Cost: 0.05, UserID: "u3", Output: "出力 ✓",
		},
	}
	r := rand.New(rand.NewSource(7))
	r.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	return spans
}

// FixtureScores are scores on the fixture traces and spans.
func FixtureScores() []store.Score {
	return []store.Score{
		{ResourceID: TraceSupport, Name: "accuracy", Value: 0.9, Label: "PASS", Source: store.SourceExperiment, CreatedAt: T0.Add(time.Minute)},
		{ResourceID: "s1-gen1", Name: "accuracy", Value: 0.4, Label: "FAIL", Source: store.SourceAnnotation, CreatedAt: T0.Add(2 * time.Minute), Reason: "wrong"},
		{ResourceID: TraceChat, Name: "helpfulness", Value: 3, Source: store.SourceAPI, CreatedAt: T0.Add(3 * time.Minute), UserID: "rev"},
	}
}

// Realistic returns n spans in traces of spansPerTrace: a root agent span
// and LLM/tool children with realistic attribute and I/O sizes (~2 KB a
// span), starting at base and spread over time; seed varies IDs.
func Realistic(seed int64, n, spansPerTrace int, base time.Time) []span.Span {
	r := rand.New(rand.NewSource(seed))
	models := []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "gemini-1.5-pro", "o3"}
	users := 500
	sessions := 2000
	prompt := strings.Repeat("You are a helpful assistant. Answer concisely. ", 12)
	out := make([]span.Span, 0, n)
	var traceID, rootID string
	var traceStart int64
	for i := 0; i < n; i++ {
		k := i % spansPerTrace
		if k == 0 {
			traceID = fmt.Sprintf("%016x%016x", seed, r.Uint64())
			rootID = fmt.Sprintf("%016x", r.Uint64())
			traceStart = base.Add(time.Duration(i/spansPerTrace) * 37 * time.Millisecond).UnixNano()
		}
		s := span.Span{
			TraceID: traceID, SpanID: fmt.Sprintf("%016x", r.Uint64()), StartTimeNs: traceStart + int64(k)*int64(time.Millisecond),
			ServiceName: "bench-svc", Kind: "SPAN_KIND_INTERNAL", StatusCode: "1",
			ResourceAttributes: map[string]any{"service.name": "bench-svc", "telemetry.sdk.language": "go", "host.name": "bench-host"},
		}
		uid := fmt.Sprintf("user-%d", r.Intn(users))
		sid := fmt.Sprintf("session-%d", r.Intn(sessions))
		if k == 0 {
			s.SpanID = rootID
			s.Type, s.Name, s.SemanticKind = span.TypeSpan, "agent-run", span.KindAgent
			s.TraceName = fmt.Sprintf("workflow-%d", r.Intn(20))
			s.UserID, s.SessionID = uid, sid
			s.Tags = []string{"prod", fmt.Sprintf("team-%d", r.Intn(5))}
			s.Metadata = map[string]string{"env": []string{"prod", "staging"}[r.Intn(2)], "region": "eu-west-1", "request_id": fmt.Sprintf("req-%d", i)}
			s.Input = json.RawMessage(fmt.Sprintf(`[{"role":"user","content":"question %d about the order status"}]`, i))
			s.Output = fmt.Sprintf("answer %d: your order shipped", i)
			s.EndTimeNs = traceStart + int64(spansPerTrace+r.Intn(2000))*int64(time.Millisecond)
			if r.Intn(20) == 0 {
				s.StatusCode, s.StatusMsg = "2", "upstream failed"
			}
		} else {
			s.ParentSpanID = rootID
			s.EndTimeNs = s.StartTimeNs + int64(50+r.Intn(1500))*int64(time.Millisecond)
			if k%2 == 1 {
				s.Type, s.Name, s.SemanticKind = span.TypeGeneration, "chat", span.KindLLM
				s.Model = models[r.Intn(len(models))]
				s.InputTokens, s.OutputTokens = int64(200+r.Intn(800)), int64(20+r.Intn(300))
				s.TotalTokens = s.InputTokens + s.OutputTokens
				s.Cost, s.CostKnown = float64(s.TotalTokens)*0.000002, true
				s.PromptName = fmt.Sprintf("prompt-%d", r.Intn(10))
				s.Input = json.RawMessage(fmt.Sprintf(`[{"role":"system","content":%q},{"role":"user","content":"question %d"}]`, prompt, i))
				s.Output = fmt.Sprintf("generated answer %d with some more words to look like a real completion", i)
				s.Settings = json.RawMessage(`{"temperature":0.7,"maxTokens":512}`)
				s.FinishReason = "stop"
				s.SpanAttributes = map[string]any{"gen_ai.request.model": s.Model, "gen_ai.usage.input_tokens": s.InputTokens, "gen_ai.system": "openai"}
			} else {
				s.Type, s.Name, s.SemanticKind = span.TypeSpan, "search_docs", span.KindTool
				s.SpanAttributes = map[string]any{"tool.name": "search_docs", "tool.args": `{"q":"order status"}`}
				s.Output = `{"results":["doc1","doc2"]}`
			}
		}
		out = append(out, s)
	}
	return out
}
