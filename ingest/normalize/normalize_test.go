package normalize

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/span"
)

type fixedPricer struct{ in, out float64 }

func (p fixedPricer) Cost(model string, u llm.Usage) (float64, bool) {
	if model != "gpt-4o" {
		return 0, false
	}
	return p.in*float64(u.InputTokens) + p.out*float64(u.OutputTokens), true
}

func normWith(p Pricer, scope, name, status string, a map[string]any) span.Span {
	n := Normalizer{Pricer: p}
	return n.Normalize(nil, Scope{Name: scope}, Raw{TraceID: "t", SpanID: "s", Name: name, StatusCode: status, Attributes: a})
}

func TestTags(t *testing.T) {
	long := strings.Repeat("x", 101)
	many := make([]any, 25)
	for i := range many {
		many[i] = string(rune('a' + i))
	}
	for _, c := range []struct {
		in   any
		want []string
	}{
		{`["prod","beta"]`, []string{"prod", "beta"}},
		{[]any{"prod", " beta ", ""}, []string{"prod", "beta"}},
		{"a, b ,,c", []string{"a", "b", "c"}},
		{`"prod"`, []string{`"prod"`}}, // JSON non-array: the raw string (§K.12)
		{"123", []string{"123"}},
		{"[broken", []string{"[broken"}},
		{"ok," + long, []string{"ok"}},
		{many, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t"}},
		{int64(5), nil},
		{true, nil},
		{nil, nil},
		{"", nil},
		{"[]", nil},
	} {
		if got := Tags(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tags(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
	// Span-level tags win over resource-level ones; resource tags apply
	// when the span has none.
	var n Normalizer
	s := n.Normalize(map[string]any{"agentmark.tags": "res"}, Scope{}, Raw{TraceID: "t", SpanID: "s", Attributes: map[string]any{"agentmark.tags": "span"}})
	eq(t, "span wins", strings.Join(s.Tags, ","), "span")
	s = n.Normalize(map[string]any{"agentmark.tags": "res"}, Scope{}, Raw{TraceID: "t", SpanID: "s"})
	eq(t, "resource tags", strings.Join(s.Tags, ","), "res")
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestTransformerSelection(t *testing.T) {
	for _, c := range []struct {
		scope string
		attrs map[string]any
		want  string
	}{
		{"ai", nil, "normalize.aiSDK"},
		{"default-tracer", nil, "normalize.mastra"},
		{"agentmark", map[string]any{"openinference.span.kind": "LLM"}, "normalize.agentMark"},
		{"pydantic-ai", map[string]any{"traceloop.span.kind": "llm"}, "normalize.genAI"},
		{"x", map[string]any{"openinference.span.kind": "CHAIN"}, "normalize.openInference"},
		{"x", map[string]any{"llm.model_name": "m"}, "normalize.openInference"},
		{"x", map[string]any{"llm.token_count.prompt": int64(1)}, "normalize.openInference"},
		{"x", map[string]any{"llm.input_messages.0.message.role": "user"}, "normalize.openInference"},
		{"x", map[string]any{"traceloop.entity.name": "w"}, "normalize.openLLMetry"},
		{"x", map[string]any{"gen_ai.prompt.0.content": "hi"}, "normalize.openLLMetry"},
		{"x", map[string]any{"gen_ai.completion.12.role": "assistant"}, "normalize.openLLMetry"},
		{"x", map[string]any{"gen_ai.prompt": "not indexed"}, "normalize.genAI"},
		{"x", map[string]any{"db.system": "Qdrant"}, "normalize.openLLMetry"},
		{"x", map[string]any{"db.vector.query.top_k": int64(3)}, "normalize.openLLMetry"},
		{"x", map[string]any{"db.system": "postgresql"}, "normalize.genAI"},
		{"AI", nil, "normalize.genAI"}, // exact match only
	} {
		got := reflect.TypeOf(pick(c.scope, c.attrs, nil)).String()
		if got != c.want {
			t.Errorf("pick(%q, %v) = %s, want %s", c.scope, c.attrs, got, c.want)
		}
	}
	if got := reflect.TypeOf(pick("x", nil, []span.Event{{Name: "db.search.result"}})).String(); got != "normalize.openLLMetry" {
		t.Errorf("vector events: %s", got)
	}
}

func TestClassification(t *testing.T) {
	for _, c := range []struct {
		scope, name string
		attrs       map[string]any
		want        string
	}{
		{"ai", "ai.streamObject.doStream", nil, span.TypeGeneration},
		{"ai", "ai.streamObject", nil, span.TypeSpan},
		{"default-tracer", "agent.streamLegacy", nil, span.TypeGeneration},
		{"default-tracer", "agent.getTools", nil, span.TypeSpan},
		{"agentmark", "x", map[string]any{"gen_ai.operation.name": "embeddings"}, span.TypeGeneration},
		{"agentmark", "chat", nil, span.TypeGeneration},
		{"agentmark", "gen_ai.llm.turn", nil, span.TypeGeneration},
		{"agentmark", "gen_ai.session", nil, span.TypeGeneration},
		{"agentmark", "gen_ai.tool.call.x", map[string]any{"gen_ai.system": "anthropic", "gen_ai.usage.input_tokens": int64(1), "gen_ai.response.output": "x"}, span.TypeSpan},
		{"agentmark", "gen_ai.subagent", nil, span.TypeSpan},
		{"agentmark", "turn", map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.usage.input_tokens": int64(1), "gen_ai.response.output": "x"}, span.TypeGeneration},
		{"agentmark", "turn", map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.usage.input_tokens": int64(1)}, span.TypeSpan},
		{"pydantic-ai", "agent run", map[string]any{"gen_ai.usage.input_tokens": int64(1)}, span.TypeSpan},
		{"pydantic-ai", "running tools", map[string]any{"gen_ai.usage.input_tokens": int64(1)}, span.TypeSpan},
		{"pydantic-ai", "whatever", map[string]any{"gen_ai.usage.input_tokens": int64(1)}, span.TypeGeneration},
		{"x", "oi", map[string]any{"openinference.span.kind": "llm"}, span.TypeGeneration},
		{"x", "oi", map[string]any{"openinference.span.kind": "CHAIN", "llm.token_count.completion": int64(1)}, span.TypeGeneration},
		{"x", "tl", map[string]any{"traceloop.span.kind": "LLM"}, span.TypeGeneration},
		{"x", "tl", map[string]any{"traceloop.span.kind": "task", "gen_ai.usage.prompt_tokens": int64(1)}, span.TypeGeneration},
		{"x", "tl", map[string]any{"traceloop.span.kind": "task"}, span.TypeSpan},
	} {
		s := normWith(nil, c.scope, c.name, "", c.attrs)
		if s.Type != c.want {
			t.Errorf("%s/%s %v: %s, want %s", c.scope, c.name, c.attrs, s.Type, c.want)
		}
	}
}

func TestSemanticKind(t *testing.T) {
	for _, c := range []struct {
		scope, name string
		attrs       map[string]any
		want        string
	}{
		{"agentmark", "x", map[string]any{"agentmark.span.kind": "guardrail", "openinference.span.kind": "LLM"}, span.KindGuardrail},
		{"agentmark", "x", map[string]any{"agentmark.span.kind": "bogus", "openinference.span.kind": "RERANKER"}, span.KindRetrieval},
		{"x", "x", map[string]any{"openinference.span.kind": "agent"}, span.KindAgent},
		{"x", "x", map[string]any{"openinference.span.kind": "EMBEDDING"}, span.KindEmbedding},
		{"ai", "x", map[string]any{"ai.operationId": "ai.embed"}, span.KindEmbedding},
		{"ai", "x", map[string]any{"ai.operationId": "streamObject"}, span.KindLLM},
		{"x", "x", map[string]any{"langchain.run_type": "retriever"}, span.KindRetrieval},
		{"x", "x", map[string]any{"genkit:type": "embedder"}, span.KindEmbedding},
		{"x", "x", map[string]any{"genkit:type": "unknown", "langchain.run_type": "tool"}, span.KindTool},
		{"x", "x", map[string]any{"db.system.name": "weaviate"}, span.KindRetrieval},
		{"agentmark", "x", map[string]any{"gen_ai.operation.name": "generate_content"}, span.KindLLM},
		{"pydantic-ai", "x", map[string]any{"gen_ai.operation.name": "embeddings"}, span.KindEmbedding},
		{"pydantic-ai", "x", map[string]any{"gen_ai.request.model": "m"}, span.KindLLM},
		{"pydantic-ai", "x", map[string]any{"gen_ai.tool.name": "t"}, span.KindTool},
		{"x", "RAG pipeline", nil, span.KindRetrieval},
		{"x", "embedText", nil, span.KindEmbedding},
		{"x", "Safety check", nil, span.KindGuardrail},
		{"x", "step", nil, span.KindFunction},
	} {
		s := normWith(nil, c.scope, c.name, "", c.attrs)
		if s.SemanticKind != c.want {
			t.Errorf("%s/%s %v: %s, want %s", c.scope, c.name, c.attrs, s.SemanticKind, c.want)
		}
	}
}

func TestAgentMarkOverridesAndMetadata(t *testing.T) {
	// Direct agentmark.* keys override transformer output in every scope;
	// agentmark.metadata.* wins over ai.telemetry.metadata.* custom keys.
	s := normWith(nil, "ai", "ai.generateText", "", map[string]any{
		"ai.telemetry.metadata.session_id":    "meta-sess",
		"ai.telemetry.metadata.user_id":       "meta-user",
		"agentmark.session_id":                "direct-sess",
		"ai.telemetry.metadata.k":             "ai",
		"agentmark.metadata.k":                "am",
		"ai.telemetry.metadata.sessionId":     "camel",
		"ai.telemetry.metadata.list":          []any{"a", "b"},
		"ai.telemetry.metadata.dataset_input": "not promoted, not custom",
		"ai.telemetry.metadata.commit_sha":    "c1",
	})
	eq(t, "direct wins", s.SessionID, "direct-sess")
	eq(t, "metadata user", s.UserID, "meta-user")
	eq(t, "commit", s.CommitSHA, "c1")
	want := map[string]string{"k": "am", "sessionId": "camel", "list": "a,b", "commit_sha": "c1"}
	if !reflect.DeepEqual(s.Metadata, want) {
		t.Errorf("metadata %v, want %v", s.Metadata, want)
	}
	// OpenInference session.id is overridden by agentmark.session_id, and
	// agentmark.metadata.session_id only fills an empty field.
	s = normWith(nil, "x", "c", "", map[string]any{"openinference.span.kind": "CHAIN", "session.id": "oi", "agentmark.metadata.session_id": "meta", "agentmark.metadata.user_id": "u"})
	eq(t, "oi session kept", s.SessionID, "oi")
	eq(t, "meta user filled (§K.7 promoted universally)", s.UserID, "u")
	s = normWith(nil, "x", "c", "", map[string]any{"openinference.span.kind": "CHAIN", "session.id": "oi", "agentmark.session_id": "am"})
	eq(t, "agentmark wins", s.SessionID, "am")
	// Falsy agentmark values do not override; conversation id fallback.
	s = normWith(nil, "agentmark", "c", "", map[string]any{"agentmark.session_id": "", "gen_ai.conversation.id": int64(42)})
	eq(t, "conversation fallback", s.SessionID, "42")
	// agentmark.props never falls back to agentmark.input.
	s = normWith(nil, "agentmark", "c", "", map[string]any{"agentmark.input": "in"})
	eq(t, "props", s.Props, "")
	jsonEq(t, "input fallback single user msg", s.Input, `[{"role":"user","content":"in"}]`)
}

func jsonEq(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	_ = json.Unmarshal(got, &g)
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

func TestAgentMarkIO(t *testing.T) {
	// gen_ai.request.input wins; non-message JSON is one user message.
	s := normWith(nil, "agentmark", "f", "", map[string]any{"gen_ai.request.input": `{"a":1}`, "agentmark.request.input": "x", "agentmark.response.output": `{"r":true}`})
	jsonEq(t, "request input", s.Input, `[{"role":"user","content":"{\"a\":1}"}]`)
	eq(t, "output", s.Output, `{"r":true}`)
	jsonEq(t, "output object", s.OutputObject, `{"r":true}`)
	// semconv messages + system instructions.
	s = normWith(nil, "agentmark", "f", "", map[string]any{
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"a"},{"type":"text","content":"b"}]}]`,
		"gen_ai.system_instructions": "sys",
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"text","content":"x"}]},{"role":"assistant","content":"y"}]`,
	})
	jsonEq(t, "semconv input", s.Input, `[{"role":"system","content":"sys"},{"role":"user","content":"a\nb"}]`)
	eq(t, "semconv output", s.Output, "x\ny")
	// agentmark.input present: semconv input and system instructions skipped.
	s = normWith(nil, "agentmark", "f", "", map[string]any{
		"gen_ai.input.messages": `[{"role":"user","content":"ignored"}]`, "gen_ai.system_instructions": "sys",
		"agentmark.input":        `[{"role":"user","content":"used"}]`,
		"gen_ai.output.messages": `[{"role":"assistant","content":"ignored"}]`, "agentmark.output": `[1,2]`,
	})
	jsonEq(t, "agentmark input", s.Input, `[{"role":"user","content":"used"}]`)
	eq(t, "agentmark output", s.Output, "[1,2]")
	jsonEq(t, "agentmark output object", s.OutputObject, `[1,2]`)
	// gen_ai.prompt loose + gen_ai.completion.
	s = normWith(nil, "agentmark", "f", "", map[string]any{"gen_ai.prompt": "just text", "gen_ai.completion": "done"})
	jsonEq(t, "loose prompt", s.Input, `[{"role":"user","content":"just text"}]`)
	eq(t, "completion", s.Output, "done")
	// settings & finish reasons; numbers-only tokens; legacy names.
	s = normWith(nil, "agentmark", "chat", "", map[string]any{
		"gen_ai.request.max_tokens": int64(100), "gen_ai.request.temperature": "0.5",
		"gen_ai.response.finish_reasons": "length", "gen_ai.usage.prompt_tokens": int64(3), "gen_ai.usage.completion_tokens": 4.0,
	})
	jsonEq(t, "settings", s.Settings, `{"maxTokens":100}`)
	eq(t, "raw finish reason", s.FinishReason, "length")
	eq(t, "legacy tokens", s.TotalTokens, int64(7))
}

func TestGenAIInputRules(t *testing.T) {
	s := normWith(nil, "pydantic-ai", "chat m", "", map[string]any{"gen_ai.request.input": "plain", "agentmark.props": `{"p":1}`})
	jsonEq(t, "plain string dropped → props fallback", s.Input, `[{"role":"user","content":"{\"p\":1}"}]`)
	s = normWith(nil, "pydantic-ai", "chat m", "", map[string]any{"gen_ai.response.finish_reasons": "stop", "gen_ai.output.messages": "raw out", "agentmark.metadata.session_id": "x"})
	eq(t, "finish reason only from arrays", s.FinishReason, "")
	eq(t, "raw output", s.Output, "raw out")
	eq(t, "promoted session", s.SessionID, "x")
	s = normWith(nil, "pydantic-ai", "execute_tool t", "", map[string]any{"gen_ai.tool.name": "t", "gen_ai.tool.call.arguments": "{bad"})
	jsonEq(t, "invalid arguments", s.ToolCalls, `[{"type":"tool-call","toolCallId":"","toolName":"t","args":{"raw":"{bad"}}]`)
	eq(t, "renamed", s.Name, "t")
}

func TestAISDKEdgeCases(t *testing.T) {
	// v4 result.* keys, string tokens, JSON {"intValue"} tokens, finish
	// reasons fallback, bare string prompt.
	s := normWith(nil, "ai", "ai.generateText", "", map[string]any{
		"ai.result.text": "r", "ai.response.text": nil, "ai.result.finishReason": "stop",
		"ai.prompt": "hello", "ai.usage.promptTokens": "12", "ai.usage.completionTokens": `{"intValue":"5"}`,
		"ai.model.id": "m", "ai.result.toolCalls": `[{"toolCallId":"a","toolName":"b"}]`,
	})
	eq(t, "v4 text", s.Output, "r")
	eq(t, "v4 finish", s.FinishReason, "stop")
	jsonEq(t, "bare string prompt", s.Input, `[{"role":"user","content":"hello"}]`)
	eq(t, "string tokens parsed", s.InputTokens, int64(12))
	eq(t, "intValue tokens", s.OutputTokens, int64(5))
	eq(t, "total derived", s.TotalTokens, int64(17))
	jsonEq(t, "tool call defaults", s.ToolCalls, `[{"type":"tool-call","toolCallId":"a","toolName":"b","args":{}}]`)
	// v5 ignores ai.result.*; finish reasons array fallback; reasoning.
	s = normWith(nil, "ai", "ai.generateText.doGenerate", "", map[string]any{
		"ai.response.text": "v5", "ai.result.finishReason": "ignored", "gen_ai.response.finish_reasons": []any{"length"},
		"ai.usage.reasoningTokens": int64(9), "ai.usage.cachedInputTokens": int64(3),
		"ai.response.object": "not json",
		"ai.prompt":          `{"system":"s","prompt":[{"role":"user","content":"x"}]}`,
	})
	eq(t, "v5 finish", s.FinishReason, "length")
	eq(t, "reasoning", s.ReasoningTokens, int64(9))
	eq(t, "cached", s.CachedTokens, int64(3))
	eq(t, "invalid object", len(s.OutputObject), 0)
	jsonEq(t, "prompt array", s.Input, `[{"role":"system","content":"s"},{"role":"user","content":"x"}]`)
	// Tool execution span needs both name and id for toolCalls; the
	// name override applies whenever the name is a string.
	s = normWith(nil, "ai", "ai.toolCall", "", map[string]any{"ai.toolCall.name": "t", "ai.toolCall.args": "{bad"})
	eq(t, "renamed", s.Name, "t")
	eq(t, "no id → no tool calls", len(s.ToolCalls), 0)
	s = normWith(nil, "ai", "ai.toolCall", "", map[string]any{"ai.toolCall.name": "t", "ai.toolCall.id": "i", "ai.toolCall.args": "{bad", "ai.toolCall.result": map[string]any{"x": int64(1)}})
	jsonEq(t, "invalid args → {}", s.ToolCalls, `[{"type":"tool-call","toolCallId":"i","toolName":"t","args":{},"result":"{\"x\":1}"}]`)
}

func TestCost(t *testing.T) {
	p := fixedPricer{in: 1e-6, out: 2e-6}
	base := func(extra map[string]any) map[string]any {
		a := map[string]any{"gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(100), "gen_ai.usage.output_tokens": int64(50)}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	want, _ := p.Cost("gpt-4o", llm.Usage{InputTokens: 100, OutputTokens: 50})
	s := normWith(p, "agentmark", "chat", "1", base(nil))
	eq(t, "priced", s.Cost, want)
	eq(t, "known", s.CostKnown, true)
	eq(t, "injected", s.SpanAttributes["gen_ai.usage.cost"], any(s.Cost))
	// A registry price overrides an SDK-reported cost.
	s = normWith(p, "agentmark", "chat", "", base(map[string]any{"agentmark.usage.cost_usd": 9.0}))
	eq(t, "registry wins", s.Cost, want)
	// Error spans get no computed cost, but keep the SDK cost.
	s = normWith(p, "agentmark", "chat", "2", base(nil))
	eq(t, "error: unknown", s.CostKnown, false)
	eq(t, "error: not injected", s.SpanAttributes["gen_ai.usage.cost"], nil)
	s = normWith(p, "agentmark", "chat", "STATUS_CODE_ERROR", base(map[string]any{"agentmark.usage.cost_usd": 0.5}))
	eq(t, "error: sdk cost", s.Cost, 0.5)
	eq(t, "error: sdk cost known", s.CostKnown, true)
	// Unpriced model: unknown, not zero; no pricer at all: same.
	s = normWith(p, "agentmark", "chat", "", base(map[string]any{"gen_ai.request.model": "my-local-llama"}))
	eq(t, "unpriced", s.CostKnown, false)
	s = normWith(nil, "agentmark", "chat", "", base(nil))
	eq(t, "no pricer", s.CostKnown, false)
	// Missing output tokens: no pricing; SDK cost ≤ 0 ignored.
	s = normWith(p, "agentmark", "chat", "", map[string]any{"gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(1), "agentmark.usage.cost_usd": -1.0})
	eq(t, "half usage", s.CostKnown, false)
	// Zero tokens are still "reported": priced at 0 and known.
	s = normWith(p, "agentmark", "chat", "", base(map[string]any{"gen_ai.usage.input_tokens": int64(0), "gen_ai.usage.output_tokens": int64(0)}))
	eq(t, "zero usage known", s.CostKnown, true)
	eq(t, "zero usage cost", s.Cost, 0.0)
	eq(t, "zero usage injected", s.SpanAttributes["gen_ai.usage.cost"], any(0.0))
}

func TestOpenInferenceInputValue(t *testing.T) {
	s := normWith(nil, "x", "c", "", map[string]any{"openinference.span.kind": "LLM",
		"input.value": `[{"role":"user","content":"q"}]`, "input.mime_type": "application/json",
		"output.value": `{"a": 1}`, "output.mime_type": "application/json",
		"llm.input_messages.5.message.role": "", // empty entry skipped
		"llm.invocation_parameters":         `{"maxTokens":5,"presencePenalty":0.1,"frequency_penalty":0.2}`,
	})
	jsonEq(t, "role array", s.Input, `[{"role":"user","content":"q"}]`)
	eq(t, "compact json output", s.Output, `{"a":1}`)
	jsonEq(t, "settings", s.Settings, `{"maxTokens":5,"presencePenalty":0.1,"frequencyPenalty":0.2}`)
}

func TestJSString(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{1.0, "1"}, {0.1, "0.1"}, {1e21, "1e+21"}, {1e-7, "1e-7"}, {-2.5, "-2.5"},
		{int64(-3), "-3"}, {true, "true"}, {[]any{"a", int64(1), nil}, "a,1,"},
		{map[string]any{"k": "<v>"}, `{"k":"<v>"}`},
	} {
		if got := jsString(c.in); got != c.want {
			t.Errorf("jsString(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}
