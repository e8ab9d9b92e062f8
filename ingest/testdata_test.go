package ingest

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/agentmark-go/agentmark/span"
)

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// The JS exporters' protobuf and JSON bodies of the same spans normalize
// identically (hex IDs from both encodings).
func TestProtobufAndJSONAgree(t *testing.T) {
	for _, base := range []string{"aisdk-v5-generate-text", "aisdk-v5-object-stream-embed", "aisdk-v4-generate-text", "agentmark-error"} {
		pb, js := loadFile(t, base+".pb"), loadFile(t, base+".json")
		if len(pb.Spans) == 0 || len(pb.Spans) != len(js.Spans) {
			t.Fatalf("%s: %d vs %d spans", base, len(pb.Spans), len(js.Spans))
		}
		for i := range pb.Spans {
			a, _ := json.Marshal(pb.Spans[i])
			b, _ := json.Marshal(js.Spans[i])
			if string(a) != string(b) {
				t.Errorf("%s span %d differs:\n pb   %s\n json %s", base, i, a, b)
			}
			if len(pb.Spans[i].TraceID) != 32 || len(pb.Spans[i].SpanID) != 16 {
				t.Errorf("%s: ids %q %q not hex", base, pb.Spans[i].TraceID, pb.Spans[i].SpanID)
			}
		}
	}
}

// Vercel AI SDK v5 (ai@5, MockLanguageModelV2): generateText with a tool
// round trip under an AgentMark span() root.
func TestAISDKv5GenerateText(t *testing.T) {
	spans := loadFile(t, "aisdk-v5-generate-text.pb").Spans
	eq(t, "span count", len(spans), 5)

	root := one1(t, spans, "handle-weather")
	eq(t, "root type", root.Type, span.TypeSpan)
	eq(t, "root parent", root.ParentSpanID, "")
	eq(t, "root status", root.StatusCode, "1")
	eq(t, "root session", root.SessionID, "sess-42")
	eq(t, "root session name", root.SessionName, "Weather chat")
	eq(t, "root user", root.UserID, "user-7")
	eq(t, "root trace name", root.TraceName, "handle-weather")
	eq(t, "root semantic kind", root.SemanticKind, span.KindFunction)
	if !reflect.DeepEqual(root.Tags, []string{"prod", "weather"}) {
		t.Errorf("root tags %v", root.Tags)
	}
	if !reflect.DeepEqual(root.Metadata, map[string]string{"feature": "forecast"}) {
		t.Errorf("root metadata %v", root.Metadata)
	}
	jsonEq(t, "root input", root.Input, []any{map[string]any{"role": "user", "content": `{"city":"Paris"}`}})
	eq(t, "root output", root.Output, `"It is sunny in Paris."`)
	eq(t, "service", root.ServiceName, "agentmark-client")
	eq(t, "app id kept raw", root.ResourceAttributes["agentmark.app_id"], any("app-123"))

	gens := named(spans, "ai.generateText.doGenerate")
	eq(t, "doGenerate count", len(gens), 2)
	g1, g2 := gens[0], gens[1]
	for _, g := range gens {
		eq(t, "gen type", g.Type, span.TypeGeneration)
		eq(t, "gen kind", g.SemanticKind, span.KindLLM)
		eq(t, "gen model", g.Model, "gpt-4o-mini")
		eq(t, "gen user (ai.telemetry.metadata.user_id)", g.UserID, "user-7")
		eq(t, "gen prompt name", g.PromptName, "weather.prompt.mdx")
		eq(t, "gen props", g.Props, `{"city":"Paris"}`)
		eq(t, "gen trace id", g.TraceID, root.TraceID)
		if !reflect.DeepEqual(g.Metadata, map[string]string{"customKey": "custom-value"}) {
			t.Errorf("gen metadata %v", g.Metadata)
		}
		jsonEq(t, "gen settings", g.Settings, map[string]any{"temperature": 0.3, "maxTokens": 256})
		eq(t, "raw attrs kept", g.SpanAttributes["ai.model.provider"], any("openai.chat"))
	}
	eq(t, "g1 tokens in", g1.InputTokens, int64(120))
	eq(t, "g1 tokens out", g1.OutputTokens, int64(45))
	eq(t, "g1 total", g1.TotalTokens, int64(165))
	eq(t, "g1 reasoning (providerMetadata.openai)", g1.ReasoningTokens, int64(12))
	eq(t, "g1 finish", g1.FinishReason, "tool-calls")
	near(t, "g1 cost", g1.Cost, 120*1.5e-7+45*6e-7)
	eq(t, "g1 cost known", g1.CostKnown, true)
	eq(t, "g1 gen_ai.usage.cost injected", g1.SpanAttributes["gen_ai.usage.cost"], any(g1.Cost))
	jsonEq(t, "g1 tool calls", g1.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "call_1", "toolName": "weather", "args": map[string]any{"city": "Paris"}}})
	jsonEq(t, "g1 input", g1.Input, []any{
		map[string]any{"role": "system", "content": "You are a weather bot."},
		map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Weather in Paris?"}}},
	})
	eq(t, "g2 output", g2.Output, "It is sunny in Paris.")
	eq(t, "g2 finish", g2.FinishReason, "stop")
	var in2 []map[string]any
	_ = json.Unmarshal(g2.Input, &in2)
	if len(in2) != 4 {
		t.Fatalf("g2 input %s", g2.Input)
	}
	jsonEq(t, "g2 v5 tool-call part input→args", mustJSON(in2[2]["content"]), []any{map[string]any{"type": "tool-call", "toolCallId": "call_1", "toolName": "weather", "args": map[string]any{"city": "Paris"}}})
	jsonEq(t, "g2 v5 tool-result output.value→result", mustJSON(in2[3]["content"]), []any{map[string]any{"type": "tool-result", "toolCallId": "call_1", "toolName": "weather", "result": map[string]any{"city": "Paris", "forecast": "sunny"}}})

	tool := one1(t, spans, "weather") // renamed from ai.toolCall
	eq(t, "tool type", tool.Type, span.TypeSpan)
	eq(t, "tool kind", tool.SemanticKind, span.KindTool)
	jsonEq(t, "tool calls", tool.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "call_1", "toolName": "weather", "args": map[string]any{"city": "Paris"}, "result": `{"city":"Paris","forecast":"sunny"}`}})

	wrap := one1(t, spans, "ai.generateText")
	eq(t, "wrapper type", wrap.Type, span.TypeSpan)
	eq(t, "wrapper kind (ai.operationId)", wrap.SemanticKind, span.KindLLM)
	eq(t, "wrapper output", wrap.Output, "It is sunny in Paris.")
	jsonEq(t, "wrapper input {system,prompt}", wrap.Input, []any{
		map[string]any{"role": "system", "content": "You are a weather bot."},
		map[string]any{"role": "user", "content": "Weather in Paris?"},
	})
	jsonEq(t, "wrapper settings (ai.settings.maxOutputTokens)", wrap.Settings, map[string]any{"temperature": 0.3, "maxTokens": 256})
	eq(t, "wrapper tokens", wrap.InputTokens+wrap.OutputTokens, int64(210))
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// AI SDK v5 generateObject, streamText and embed.
func TestAISDKv5ObjectStreamEmbed(t *testing.T) {
	spans := loadFile(t, "aisdk-v5-object-stream-embed.json").Spans
	eq(t, "span count", len(spans), 6)

	obj := one1(t, spans, "ai.generateObject.doGenerate")
	eq(t, "obj type", obj.Type, span.TypeGeneration)
	jsonEq(t, "obj outputObject", obj.OutputObject, map[string]any{"name": "Ada", "age": 36})
	eq(t, "obj output text", obj.Output, "")
	eq(t, "obj session (ai.telemetry.metadata.session_id)", obj.SessionID, "sess-obj")
	eq(t, "obj trace name", obj.TraceName, "person-gen")
	near(t, "obj cost", obj.Cost, 30*2.5e-6+8*1e-5)

	st := one1(t, spans, "ai.streamText.doStream")
	eq(t, "stream type", st.Type, span.TypeGeneration)
	eq(t, "stream output", st.Output, "Hello, world!")
	eq(t, "stream tokens", st.TotalTokens, int64(8))
	eq(t, "stream prompt", st.PromptName, "hello.prompt.mdx")
	if len(st.Events) != 2 || st.Events[0].Name != "ai.stream.firstChunk" || st.Events[0].TimeNs == 0 {
		t.Errorf("stream events %+v", st.Events)
	}
	// ai@5 reports wrapper usage as ai.usage.inputTokens/outputTokens.
	sw := one1(t, spans, "ai.streamText")
	eq(t, "streamText wrapper tokens", sw.InputTokens*10+sw.OutputTokens, int64(53))
	jsonEq(t, "streamText wrapper input {messages}", sw.Input, []any{map[string]any{"role": "user", "content": "Say hello"}})

	emb := one1(t, spans, "ai.embed")
	eq(t, "embed type", emb.Type, span.TypeSpan)
	eq(t, "embed kind", emb.SemanticKind, span.KindEmbedding)
	eq(t, "embed model", emb.Model, "text-embedding-3-small")
	eq(t, "embed no tokens (§K.16)", emb.InputTokens, int64(0))
	eq(t, "embed cost unknown", emb.CostKnown, false)
	eq(t, "doEmbed kind", one1(t, spans, "ai.embed.doEmbed").SemanticKind, span.KindEmbedding)
}

// Vercel AI SDK v4 (ai@4, MockLanguageModelV1).
func TestAISDKv4(t *testing.T) {
	spans := loadFile(t, "aisdk-v4-generate-text.pb").Spans
	eq(t, "span count", len(spans), 6)
	gens := named(spans, "ai.generateText.doGenerate")
	eq(t, "gens", len(gens), 2)
	g := gens[0]
	eq(t, "model", g.Model, "claude-3-5-sonnet-20241022")
	eq(t, "session", g.SessionID, "sess-v4")
	eq(t, "user", g.UserID, "u-v4")
	if !reflect.DeepEqual(g.Metadata, map[string]string{"tier": "gold"}) {
		t.Errorf("metadata %v", g.Metadata)
	}
	jsonEq(t, "v4 tool calls (args string parsed)", g.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "tc-9", "toolName": "lookup", "args": map[string]any{"q": "go"}}})
	eq(t, "unpriced model", g.CostKnown, false)
	eq(t, "unpriced: no cost injected", g.SpanAttributes["gen_ai.usage.cost"], nil)
	eq(t, "g2 output", gens[1].Output, "Go is a programming language.")
	eq(t, "tool rename", one1(t, spans, "lookup").Type, span.TypeSpan)

	og := one1(t, spans, "ai.generateObject.doGenerate")
	eq(t, "object gen tokens (gen_ai.usage.prompt_tokens era)", og.InputTokens*100+og.OutputTokens, int64(1006))
	jsonEq(t, "object", og.OutputObject, map[string]any{"ok": true})
}

// OTel GenAI semconv v1.37 under scope pydantic-ai (OTel Go SDK).
func TestPydanticAI(t *testing.T) {
	spans := loadFile(t, "gosdk-pydantic-ai.pb").Spans
	eq(t, "span count", len(spans), 4)
	agent := one1(t, spans, "invoke_agent weather_agent")
	eq(t, "agent type", agent.Type, span.TypeSpan)
	eq(t, "agent session (agentmark.metadata.session_id promoted, §K.7)", agent.SessionID, "py-sess")
	eq(t, "agent user", agent.UserID, "py-user")
	if !reflect.DeepEqual(agent.Metadata, map[string]string{"region": "eu"}) {
		t.Errorf("metadata %v", agent.Metadata)
	}
	jsonEq(t, "agent input (all_messages, user only)", agent.Input, []any{map[string]any{"role": "user", "content": "Weather in Oslo?"}})
	eq(t, "agent output (final_result)", agent.Output, "Cold.")

	chats := named(spans, "chat gpt-4o")
	eq(t, "chats", len(chats), 2)
	c := chats[0]
	eq(t, "chat type", c.Type, span.TypeGeneration)
	eq(t, "chat model (response model wins)", c.Model, "gpt-4o-2024-08-06")
	eq(t, "finish (array)", c.FinishReason, "tool_call")
	jsonEq(t, "settings", c.Settings, map[string]any{"temperature": 0.2})
	jsonEq(t, "input with system instructions", c.Input, []any{
		map[string]any{"role": "system", "content": "Be helpful."},
		map[string]any{"role": "user", "content": "Weather in Oslo?"},
	})
	eq(t, "c0 unpriced (dated model not in test pricer)", c.CostKnown, false)
	fr := chats[1]
	eq(t, "structured output", fr.Output, `{"celsius":-3,"summary":"Cold"}`)
	jsonEq(t, "structured outputObject", fr.OutputObject, map[string]any{"summary": "Cold", "celsius": -3})
	near(t, "priced", fr.Cost, 40*2.5e-6+5*1e-5)

	tool := one1(t, spans, "get_weather")
	eq(t, "tool kind", tool.SemanticKind, span.KindTool)
	jsonEq(t, "tool call", tool.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "call_w", "toolName": "get_weather", "args": map[string]any{"city": "Oslo"}, "result": "-3C"}})
}

// OpenInference (LangChain-style, gzip-compressed protobuf).
func TestOpenInference(t *testing.T) {
	spans := loadFile(t, "gosdk-openinference.pb.gz").Spans
	eq(t, "span count", len(spans), 4)
	llm := one1(t, spans, "ChatOpenAI")
	eq(t, "llm type", llm.Type, span.TypeGeneration)
	eq(t, "model", llm.Model, "gpt-4o-mini")
	eq(t, "prompt tokens (numeric string)", llm.InputTokens, int64(30))
	eq(t, "completion", llm.OutputTokens, int64(12))
	eq(t, "total", llm.TotalTokens, int64(42))
	eq(t, "reasoning", llm.ReasoningTokens, int64(4))
	eq(t, "cached", llm.CachedTokens, int64(16))
	near(t, "cost", llm.Cost, 30*1.5e-7+12*6e-7)
	jsonEq(t, "settings", llm.Settings, map[string]any{"temperature": 0.1, "maxTokens": 300, "topP": 0.9})
	jsonEq(t, "input (indexed + contents)", llm.Input, []any{
		map[string]any{"role": "system", "content": "Answer briefly."},
		map[string]any{"role": "user", "content": "What is OTel?"},
	})
	eq(t, "output", llm.Output, "A standard.")
	jsonEq(t, "tool calls", llm.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "tc1", "toolName": "lookup", "args": map[string]any{"q": "otel"}}})

	ret := one1(t, spans, "VectorStoreRetriever")
	eq(t, "retriever kind", ret.SemanticKind, span.KindRetrieval)
	eq(t, "retriever output", ret.Output, "OpenTelemetry is a standard.\nIt has traces.")
	jsonEq(t, "documents", ret.OutputObject, map[string]any{"documents": []any{
		map[string]any{"id": "d1", "content": "OpenTelemetry is a standard.", "score": 0.92, "metadata": map[string]any{"source": "a.md"}},
		map[string]any{"id": "d2", "content": "It has traces.", "score": 0.5},
	}})
	eq(t, "tool rename + kind", one1(t, spans, "lookup_tool").SemanticKind, span.KindTool)

	chain := one1(t, spans, "RunnableSequence")
	eq(t, "chain kind", chain.SemanticKind, span.KindFunction)
	eq(t, "session.id", chain.SessionID, "oi-sess")
	eq(t, "user.id", chain.UserID, "oi-user")
	if !reflect.DeepEqual(chain.Metadata, map[string]string{"env": "staging", "attempt": "2"}) {
		t.Errorf("metadata %v", chain.Metadata)
	}
	jsonEq(t, "json input → user message with compact JSON", chain.Input, []any{map[string]any{"role": "user", "content": `{"question":"What is OTel?"}`}})
	jsonEq(t, "json output object", chain.OutputObject, map[string]any{"answer": "A standard."})
}

// OpenLLMetry / Traceloop incl. a Chroma vector query.
func TestOpenLLMetry(t *testing.T) {
	spans := loadFile(t, "gosdk-openllmetry.pb").Spans
	eq(t, "span count", len(spans), 3)
	c := one1(t, spans, "openai.chat")
	eq(t, "type", c.Type, span.TypeGeneration)
	eq(t, "model", c.Model, "gpt-3.5-turbo-0125")
	eq(t, "tokens", c.InputTokens*100+c.OutputTokens, int64(2509))
	eq(t, "total (llm.usage.total_tokens)", c.TotalTokens, int64(34))
	eq(t, "finish", c.FinishReason, "stop")
	jsonEq(t, "settings", c.Settings, map[string]any{"temperature": 0.7, "maxTokens": 100})
	jsonEq(t, "input", c.Input, []any{
		map[string]any{"role": "system", "content": "You are funny."},
		map[string]any{"role": "user", "content": "Tell a joke about otel"},
	})
	eq(t, "output", c.Output, "Why did the span cross the road?")
	jsonEq(t, "tool calls", c.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "c1", "toolName": "laugh", "args": map[string]any{"loud": true}}})

	w := one1(t, spans, "joke_workflow.workflow")
	eq(t, "workflow kind", w.SemanticKind, span.KindFunction)
	eq(t, "session", w.SessionID, "tl-sess")
	eq(t, "user", w.UserID, "tl-user")
	eq(t, "trace name", w.TraceName, "joke_workflow")
	if !reflect.DeepEqual(w.Metadata, map[string]string{"team": "core"}) {
		t.Errorf("metadata %v", w.Metadata)
	}
	jsonEq(t, "entity output object", w.OutputObject, map[string]any{"joke": "ha"})

	v := one1(t, spans, "chroma.query")
	eq(t, "vector kind", v.SemanticKind, span.KindRetrieval)
	eq(t, "vector output", v.Output, "Spans are units of work.\nTraces are trees.")
	jsonEq(t, "vector docs", v.OutputObject, map[string]any{"documents": []any{
		map[string]any{"id": "doc-1", "content": "Spans are units of work.", "distance": 0.12, "metadata": map[string]any{"page": 3}},
		map[string]any{"id": "doc-2", "content": "Traces are trees."},
	}})
}

// Mastra v0 (scope default-tracer).
func TestMastra(t *testing.T) {
	spans := loadFile(t, "gosdk-mastra.pb").Spans
	g := one1(t, spans, "agent.generate")
	eq(t, "type", g.Type, span.TypeGeneration)
	eq(t, "model", g.Model, "gpt-4.1-mini")
	jsonEq(t, "settings", g.Settings, map[string]any{"temperature": 0.5})
	jsonEq(t, "input", g.Input, []any{map[string]any{"role": "user", "content": "Forecast for Rome?"}})
	eq(t, "output", g.Output, "Sunny, 25C.")
	eq(t, "tokens", g.TotalTokens, int64(39))
	eq(t, "trace name (componentName)", g.TraceName, "weatherAgent")
	eq(t, "other span", one1(t, spans, "agent.getMemory").Type, span.TypeSpan)
}

// AgentMark scope: WebhookRunner prompt span, Claude Agent SDK adapter.
func TestAgentMarkScope(t *testing.T) {
	spans := loadFile(t, "gosdk-agentmark.pb").Spans
	eq(t, "span count", len(spans), 5)
	p := one1(t, spans, "greeting")
	eq(t, "prompt type", p.Type, span.TypeGeneration)
	eq(t, "prompt kind", p.SemanticKind, span.KindLLM)
	eq(t, "prompt name", p.PromptName, "greeting.prompt.mdx")
	eq(t, "props", p.Props, `{"name":"Ada"}`)
	eq(t, "commit sha", p.CommitSHA, "abc123")
	eq(t, "commit sha kept in metadata", p.Metadata["commit_sha"], "abc123")
	if !reflect.DeepEqual(p.Tags, []string{"prod", "beta"}) {
		t.Errorf("comma tags %v", p.Tags)
	}
	jsonEq(t, "input", p.Input, []any{map[string]any{"role": "system", "content": "be brief"}, map[string]any{"role": "user", "content": "hi"}})
	eq(t, "output", p.Output, "hello")
	near(t, "cost", p.Cost, 7*2.5e-6+11*1e-5)

	a := one1(t, spans, "invoke_agent")
	eq(t, "agent type", a.Type, span.TypeSpan)
	eq(t, "agent session", a.SessionID, "claude-sess")
	eq(t, "sdk cost kept for unpriced model", a.Cost, 0.0123)
	eq(t, "sdk cost known", a.CostKnown, true)
	eq(t, "sdk cost injected", a.SpanAttributes["gen_ai.usage.cost"], any(0.0123))
	jsonEq(t, "agent input", a.Input, []any{map[string]any{"role": "system", "content": "You code."}, map[string]any{"role": "user", "content": "Fix the bug"}})
	eq(t, "agent output", a.Output, "Done.")
	eq(t, "dataset run id", a.DatasetRunID, "run-1")
	eq(t, "dataset run name", a.DatasetRunName, "nightly")
	eq(t, "dataset item", a.DatasetItemName, "item-3")
	eq(t, "dataset expected", a.DatasetExpectedOutput, `"fixed"`)
	eq(t, "dataset input", a.DatasetInput, `{"bug":"x"}`)
	eq(t, "dataset path", a.DatasetPath, "datasets/bugs.jsonl")
	eq(t, "experiment", a.ExperimentKey, "exp-7")
	eq(t, "tree hash", a.SourceTreeHash, "tree-9")

	c := one1(t, spans, "chat claude-sonnet-4-20250514")
	eq(t, "chat type", c.Type, span.TypeGeneration)
	eq(t, "string tokens ignored (§K.9)", c.OutputTokens, int64(0))
	eq(t, "no total without output", c.TotalTokens, int64(0))
	eq(t, "finish (JSON array)", c.FinishReason, "end_turn")
	jsonEq(t, "output object", c.OutputObject, map[string]any{"step": 1})
	eq(t, "parent", c.ParentSpanID, a.SpanID)

	b := one1(t, spans, "Bash")
	jsonEq(t, "tool", b.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "toolu_1", "toolName": "Bash", "args": map[string]any{"command": "ls"}, "result": "main.go"}})
	r := one1(t, spans, "Read")
	eq(t, "error status", r.StatusCode, "2")
	eq(t, "error message", r.StatusMsg, "Tool error (no PostToolUse)")
	jsonEq(t, "invalid args → raw", r.ToolCalls, []any{map[string]any{"type": "tool-call", "toolCallId": "", "toolName": "Read", "args": map[string]any{"raw": "not json"}}})
}

// Default OTel GenAI fallback for an unknown scope.
func TestGenAIFallback(t *testing.T) {
	spans := loadFile(t, "gosdk-genai-fallback.pb").Spans
	g := one1(t, spans, "llm call")
	eq(t, "type", g.Type, span.TypeGeneration)
	eq(t, "kind", g.SemanticKind, span.KindLLM)
	eq(t, "client kind", g.Kind, "3")
	eq(t, "plain gen_ai.prompt dropped (§K.10)", len(g.Input), 0)
	eq(t, "output", g.Output, "answer")
	eq(t, "finish", g.FinishReason, "stop")
	eq(t, "conversation id → session", g.SessionID, "conv-1")
	eq(t, "name-based kind", one1(t, spans, "semantic search").SemanticKind, span.KindRetrieval)
}

// Error span from the JS SDK: status, message and the exception event.
func TestErrorSpan(t *testing.T) {
	s := one1(t, loadFile(t, "agentmark-error.json").Spans, "failing-step")
	eq(t, "status", s.StatusCode, "2")
	eq(t, "message", s.StatusMsg, "boom")
	eq(t, "IsError", s.IsError(), true)
	eq(t, "kind override", s.SemanticKind, span.KindTool)
	if len(s.Events) != 1 || s.Events[0].Name != "exception" || s.Events[0].Attributes["exception.message"] != "boom" {
		t.Errorf("events %+v", s.Events)
	}
}
