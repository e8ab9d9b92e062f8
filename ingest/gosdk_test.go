package ingest

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

var updateGoSDK = flag.Bool("update-gosdk", false, "rewrite testdata/gosdk-*.pb from the OTel Go SDK scenarios")

// capture is an OTLP/HTTP endpoint that records request bodies.
type capture struct {
	mu     sync.Mutex
	bodies [][]byte
	ctype  []string
	cenc   []string
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, b)
	c.ctype = append(c.ctype, r.Header.Get("Content-Type"))
	c.cenc = append(c.cenc, r.Header.Get("Content-Encoding"))
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(200)
}

// goSDKScenario emits spans with the OTel Go SDK, in one integration's
// attribute conventions.
type goSDKScenario struct {
	name string
	gzip bool
	emit func(tp trace.TracerProvider)
}

func kv(k string, v any) attribute.KeyValue {
	switch x := v.(type) {
	case string:
		return attribute.String(k, x)
	case int:
		return attribute.Int(k, x)
	case int64:
		return attribute.Int64(k, x)
	case float64:
		return attribute.Float64(k, x)
	case bool:
		return attribute.Bool(k, x)
	case []string:
		return attribute.StringSlice(k, x)
	}
	b, _ := json.Marshal(v)
	return attribute.String(k, string(b))
}

func attrsOf(m map[string]any) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(m))
	for k, v := range m {
		out = append(out, kv(k, v))
	}
	return out
}

// child starts a span under ctx with attributes and ends it.
func child(ctx context.Context, t trace.Tracer, name string, kind trace.SpanKind, a map[string]any, fn func(context.Context, trace.Span)) {
	ctx, sp := t.Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrsOf(a)...))
	if fn != nil {
		fn(ctx, sp)
	}
	sp.End()
}

var goSDKScenarios = []goSDKScenario{
	{name: "pydantic-ai", emit: func(tp trace.TracerProvider) {
		t := tp.Tracer("pydantic-ai")
		child(context.Background(), t, "invoke_agent weather_agent", trace.SpanKindInternal, map[string]any{
			"gen_ai.operation.name":         "invoke_agent",
			"gen_ai.agent.name":             "weather_agent",
			"agentmark.metadata.session_id": "py-sess",
			"agentmark.metadata.user_id":    "py-user",
			"agentmark.metadata.region":     "eu",
			"pydantic_ai.all_messages":      `[{"role":"system","parts":[{"type":"text","content":"Be helpful."}]},{"role":"user","parts":[{"type":"text","content":"Weather in Oslo?"}]},{"role":"assistant","parts":[{"type":"text","content":"Cold."}]}]`,
			"final_result":                  "Cold.",
			"gen_ai.usage.input_tokens":     90,
			"gen_ai.usage.output_tokens":    12,
		}, func(ctx context.Context, _ trace.Span) {
			child(ctx, t, "chat gpt-4o", trace.SpanKindClient, map[string]any{
				"gen_ai.operation.name":          "chat",
				"gen_ai.system":                  "openai",
				"gen_ai.request.model":           "gpt-4o",
				"gen_ai.response.model":          "gpt-4o-2024-08-06",
				"gen_ai.request.temperature":     0.2,
				"gen_ai.system_instructions":     `[{"type":"text","content":"Be helpful."}]`,
				"gen_ai.input.messages":          `[{"role":"user","parts":[{"type":"text","content":"Weather in Oslo?"}]}]`,
				"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_w","name":"get_weather","arguments":{"city":"Oslo"}}],"finish_reason":"tool_call"}]`,
				"gen_ai.response.finish_reasons": []string{"tool_call"},
				"gen_ai.usage.input_tokens":      50,
				"gen_ai.usage.output_tokens":     7,
			}, nil)
			child(ctx, t, "execute_tool get_weather", trace.SpanKindInternal, map[string]any{
				"gen_ai.operation.name":      "execute_tool",
				"gen_ai.tool.name":           "get_weather",
				"gen_ai.tool.call.id":        "call_w",
				"gen_ai.tool.call.arguments": `{"city":"Oslo"}`,
				"gen_ai.tool.call.result":    "-3C",
			}, nil)
			child(ctx, t, "chat gpt-4o", trace.SpanKindClient, map[string]any{
				"gen_ai.operation.name":      "chat",
				"gen_ai.request.model":       "gpt-4o",
				"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"Weather in Oslo?"}]}]`,
				"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"tool_call","id":"fr","name":"final_result","arguments":{"summary":"Cold","celsius":-3}}]}]`,
				"gen_ai.usage.input_tokens":  40,
				"gen_ai.usage.output_tokens": 5,
			}, nil)
		})
	}},
	{name: "openinference", gzip: true, emit: func(tp trace.TracerProvider) {
		t := tp.Tracer("openinference.instrumentation.langchain")
		child(context.Background(), t, "RunnableSequence", trace.SpanKindInternal, map[string]any{
			"openinference.span.kind": "CHAIN",
			"input.value":             `{"question":"What is OTel?"}`,
			"input.mime_type":         "application/json",
			"output.value":            `{"answer":"A standard."}`,
			"output.mime_type":        "application/json",
			"session.id":              "oi-sess",
			"user.id":                 "oi-user",
			"metadata":                `{"env":"staging","attempt":2}`,
		}, func(ctx context.Context, _ trace.Span) {
			child(ctx, t, "VectorStoreRetriever", trace.SpanKindInternal, map[string]any{
				"openinference.span.kind":                 "RETRIEVER",
				"input.value":                             "What is OTel?",
				"retrieval.documents.0.document.id":       "d1",
				"retrieval.documents.0.document.content":  "OpenTelemetry is a standard.",
				"retrieval.documents.0.document.score":    0.92,
				"retrieval.documents.0.document.metadata": `{"source":"a.md"}`,
				"retrieval.documents.1.document.id":       "d2",
				"retrieval.documents.1.document.content":  "It has traces.",
				"retrieval.documents.1.document.score":    0.5,
			}, nil)
			child(ctx, t, "ChatOpenAI", trace.SpanKindInternal, map[string]any{
				"openinference.span.kind":                                                 "LLM",
				"llm.model_name":                                                          "gpt-4o-mini",
				"llm.invocation_parameters":                                               `{"temperature":0.1,"max_completion_tokens":300,"top_p":0.9}`,
				"llm.input_messages.0.message.role":                                       "system",
				"llm.input_messages.0.message.content":                                    "Answer briefly.",
				"llm.input_messages.1.message.role":                                       "user",
				"llm.input_messages.1.message.contents.0.message_content.type":            "text",
				"llm.input_messages.1.message.contents.0.message_content.text":            "What is OTel?",
				"llm.output_messages.0.message.role":                                      "assistant",
				"llm.output_messages.0.message.content":                                   "A standard.",
				"llm.output_messages.0.message.tool_calls.0.tool_call.id":                 "tc1",
				"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "lookup",
				"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": `{"q":"otel"}`,
				"llm.token_count.prompt":                                                  "30",
				"llm.token_count.completion":                                              12,
				"llm.token_count.total":                                                   42,
				"llm.token_count.completion_details.reasoning":                            4,
				"llm.token_count.prompt_details.cache_read":                               16,
			}, nil)
			child(ctx, t, "lookup", trace.SpanKindInternal, map[string]any{
				"openinference.span.kind": "TOOL",
				"tool.name":               "lookup_tool",
				"input.value":             `{"q":"otel"}`,
				"output.value":            "found",
			}, nil)
		})
	}},
	{name: "openllmetry", emit: func(tp trace.TracerProvider) {
		t := tp.Tracer("opentelemetry.instrumentation.openai.v1")
		child(context.Background(), tp.Tracer("traceloop.sdk"), "joke_workflow.workflow", trace.SpanKindInternal, map[string]any{
			"traceloop.span.kind":                         "workflow",
			"traceloop.entity.name":                       "joke_workflow",
			"traceloop.entity.input":                      `{"args":[],"kwargs":{"topic":"otel"}}`,
			"traceloop.entity.output":                     `{"joke":"ha"}`,
			"traceloop.association.properties.session_id": "tl-sess",
			"traceloop.association.properties.user_id":    "tl-user",
			"traceloop.association.properties.team":       "core",
		}, func(ctx context.Context, _ trace.Span) {
			child(ctx, t, "openai.chat", trace.SpanKindClient, map[string]any{
				"llm.request.type":                           "chat",
				"gen_ai.system":                              "OpenAI",
				"gen_ai.request.model":                       "gpt-3.5-turbo",
				"gen_ai.response.model":                      "gpt-3.5-turbo-0125",
				"gen_ai.request.temperature":                 0.7,
				"gen_ai.request.max_tokens":                  100,
				"gen_ai.prompt.0.role":                       "system",
				"gen_ai.prompt.0.content":                    "You are funny.",
				"gen_ai.prompt.1.role":                       "user",
				"gen_ai.prompt.1.content":                    "Tell a joke about otel",
				"gen_ai.completion.0.role":                   "assistant",
				"gen_ai.completion.0.content":                "Why did the span cross the road?",
				"gen_ai.completion.0.finish_reason":          "stop",
				"gen_ai.completion.0.tool_calls.0.id":        "c1",
				"gen_ai.completion.0.tool_calls.0.name":      "laugh",
				"gen_ai.completion.0.tool_calls.0.arguments": `{"loud":true}`,
				"gen_ai.usage.prompt_tokens":                 "25",
				"gen_ai.usage.completion_tokens":             9,
				"llm.usage.total_tokens":                     34,
			}, nil)
			child(ctx, tp.Tracer("opentelemetry.instrumentation.chromadb"), "chroma.query", trace.SpanKindClient, map[string]any{
				"db.system":                 "chroma",
				"db.chroma.query.n_results": 2,
			}, func(_ context.Context, sp trace.Span) {
				sp.AddEvent("db.query.result", trace.WithAttributes(
					attribute.String("db.query.result.id", "doc-1"),
					attribute.String("db.query.result.document", "Spans are units of work."),
					attribute.Float64("db.query.result.distance", 0.12),
					attribute.String("db.query.result.metadata", `{"page":3}`)))
				sp.AddEvent("db.query.result", trace.WithAttributes(
					attribute.String("db.query.result.id", "doc-2"),
					attribute.String("db.query.result.document", "Traces are trees.")))
			})
		})
	}},
	{name: "mastra", emit: func(tp trace.TracerProvider) {
		t := tp.Tracer("default-tracer")
		child(context.Background(), t, "agent.generate", trace.SpanKindInternal, map[string]any{
			"componentName":                   "weatherAgent",
			"agent.resolveModelConfig.result": `{"modelId":"gpt-4.1-mini","provider":"openai","settings":{"temperature":0.5}}`,
			"agent.generate.argument.0":       `[{"role":"user","content":"Forecast for Rome?"}]`,
			"agent.generate.result":           `{"text":"Sunny, 25C.","usage":{"promptTokens":33,"completionTokens":6,"totalTokens":39},"finishReason":"stop"}`,
		}, nil)
		child(context.Background(), t, "agent.getMemory", trace.SpanKindInternal, map[string]any{"componentName": "weatherAgent"}, nil)
	}},
	{name: "agentmark", emit: func(tp trace.TracerProvider) {
		t := tp.Tracer("agentmark")
		// WebhookRunner prompt span.
		child(context.Background(), t, "greeting", trace.SpanKindInternal, map[string]any{
			"gen_ai.request.model":          "gpt-4o",
			"gen_ai.operation.name":         "chat",
			"agentmark.span.kind":           "llm",
			"agentmark.prompt_name":         "greeting.prompt.mdx",
			"agentmark.input":               `[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]`,
			"agentmark.props":               `{"name":"Ada"}`,
			"agentmark.output":              "hello",
			"gen_ai.usage.input_tokens":     7,
			"gen_ai.usage.output_tokens":    11,
			"agentmark.metadata.commit_sha": "abc123",
			"agentmark.tags":                "prod, beta ,  ",
		}, nil)
		// Claude Agent SDK adapter.
		child(context.Background(), t, "invoke_agent", trace.SpanKindInternal, map[string]any{
			"gen_ai.operation.name":             "invoke_agent",
			"gen_ai.system":                     "anthropic",
			"gen_ai.request.model":              "claude-sonnet-4-20250514",
			"gen_ai.request.input":              `[{"role":"system","content":"You code."},{"role":"user","content":"Fix the bug"}]`,
			"gen_ai.response.output":            "Done.",
			"gen_ai.usage.input_tokens":         1200,
			"gen_ai.usage.output_tokens":        300,
			"agentmark.usage.cost_usd":          0.0123,
			"agentmark.session_id":              "claude-sess",
			"agentmark.dataset_run_id":          "run-1",
			"agentmark.dataset_run_name":        "nightly",
			"agentmark.dataset_item_name":       "item-3",
			"agentmark.dataset_expected_output": `"fixed"`,
			"agentmark.dataset_input":           `{"bug":"x"}`,
			"agentmark.dataset_path":            "datasets/bugs.jsonl",
			"agentmark.experiment_key":          "exp-7",
			"agentmark.source_tree_hash":        "tree-9",
		}, func(ctx context.Context, _ trace.Span) {
			child(ctx, t, "chat claude-sonnet-4-20250514", trace.SpanKindClient, map[string]any{
				"gen_ai.request.model":           "claude-sonnet-4-20250514",
				"gen_ai.response.output":         `{"step":1}`,
				"gen_ai.response.finish_reasons": `["end_turn"]`,
				"gen_ai.usage.input_tokens":      600,
				"gen_ai.usage.output_tokens":     "150",
				"gen_ai.turn.number":             1,
			}, nil)
			child(ctx, t, "execute_tool Bash", trace.SpanKindInternal, map[string]any{
				"gen_ai.operation.name": "execute_tool",
				"gen_ai.tool.name":      "Bash",
				"gen_ai.tool.call.id":   "toolu_1",
				"gen_ai.tool.input":     `{"command":"ls"}`,
				"gen_ai.tool.output":    "main.go",
			}, nil)
			child(ctx, t, "execute_tool Read", trace.SpanKindInternal, map[string]any{
				"gen_ai.tool.name":  "Read",
				"gen_ai.tool.input": "not json",
			}, func(_ context.Context, sp trace.Span) { sp.SetStatus(codes.Error, "Tool error (no PostToolUse)") })
		})
	}},
	{name: "genai-fallback", emit: func(tp trace.TracerProvider) {
		t := tp.Tracer("my.custom.instrumentation")
		child(context.Background(), t, "llm call", trace.SpanKindClient, map[string]any{
			"gen_ai.request.model":           "mistral-large-latest",
			"gen_ai.usage.input_tokens":      int64(10),
			"gen_ai.usage.output_tokens":     int64(20),
			"gen_ai.response.finish_reasons": []string{"stop"},
			"gen_ai.prompt":                  "plain string is dropped",
			"gen_ai.completion":              "answer",
			"gen_ai.conversation.id":         "conv-1",
		}, nil)
		child(context.Background(), t, "semantic search", trace.SpanKindInternal, nil, nil)
	}},
}

// runGoSDK runs a scenario through the OTel Go SDK and the otlptracehttp
// exporter into a capture server and returns the recorded request.
func runGoSDK(t *testing.T, sc goSDKScenario) (body []byte, ctype, cenc string) {
	t.Helper()
	c := &capture{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(srv.URL + "/v1/traces")}
	if sc.gzip {
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	} else {
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.NoCompression))
	}
	exp, err := otlptracehttp.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "agentmark-client"), attribute.String("agentmark.app_id", "app-go"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(exp, sdktrace.WithMaxExportBatchSize(1000)))
	sc.emit(tp)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(c.bodies) != 1 {
		t.Fatalf("%s: captured %d requests, want 1", sc.name, len(c.bodies))
	}
	return c.bodies[0], c.ctype[0], c.cenc[0]
}

// TestGoSDKCapture exports every scenario live through the Go SDK and
// checks the capture decodes; with -update-gosdk it rewrites the recorded
// testdata files that the normalization tests assert on.
func TestGoSDKCapture(t *testing.T) {
	for _, sc := range goSDKScenarios {
		body, ctype, cenc := runGoSDK(t, sc)
		if ctype != "application/x-protobuf" {
			t.Errorf("%s: content-type %q", sc.name, ctype)
		}
		if sc.gzip != (cenc == "gzip") {
			t.Errorf("%s: content-encoding %q", sc.name, cenc)
		}
		res, err := Process(body, ctype, cenc, nil)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		if len(res.Spans) == 0 || len(res.Rejected) != 0 {
			t.Errorf("%s: %d spans, %d rejected", sc.name, len(res.Spans), len(res.Rejected))
		}
		if *updateGoSDK {
			name := "gosdk-" + sc.name + ".pb"
			if sc.gzip {
				name += ".gz"
			}
			if err := os.WriteFile(filepath.Join("testdata", name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
