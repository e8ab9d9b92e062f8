package normalize

import (
	"strings"

	"github.com/agentmark-go/agentmark/span"
)

// pick selects the transformer (§B.2 step 2): exact scope name, else
// attribute sniffing.
func pick(scope string, a attrs, events []span.Event) transformer {
	switch scope {
	case "ai":
		return aiSDK{}
	case "default-tracer":
		return mastra{}
	case "agentmark":
		return agentMark{}
	case "pydantic-ai":
		return genAI{}
	}
	if _, ok := a["openinference.span.kind"]; ok {
		return openInference{}
	}
	if _, ok := a["llm.model_name"]; ok {
		return openInference{}
	}
	llmetry := false
	for k := range a {
		if strings.HasPrefix(k, "llm.") {
			rest := k[4:]
			if strings.HasPrefix(rest, "input_messages.") || strings.HasPrefix(rest, "output_messages.") || strings.HasPrefix(rest, "token_count.") {
				return openInference{}
			}
		}
		if !llmetry {
			if strings.HasPrefix(k, "traceloop.") {
				llmetry = true
			} else if strings.HasPrefix(k, "gen_ai.") && (indexedKey(k, "gen_ai.prompt.") || indexedKey(k, "gen_ai.completion.")) {
				llmetry = true
			}
		}
	}
	if llmetry || vectorStore(a, events) {
		return openLLMetry{}
	}
	return genAI{}
}

// indexedKey reports whether k is prefix + digits + "." + more.
func indexedKey(k, prefix string) bool {
	if !strings.HasPrefix(k, prefix) {
		return false
	}
	rest := k[len(prefix):]
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	return i > 0 && i < len(rest) && rest[i] == '.'
}

var vectorDBs = map[string]bool{
	"pinecone": true, "qdrant": true, "weaviate": true, "milvus": true,
	"chroma": true, "chromadb": true, "marqo": true, "lancedb": true,
}

// vectorStore is the OpenLLMetry vector-store signature (§B.4).
func vectorStore(a attrs, events []span.Event) bool {
	for _, k := range []string{"db.system", "db.system.name"} {
		if s, ok := a[k].(string); ok && vectorDBs[strings.ToLower(s)] {
			return true
		}
	}
	for _, e := range events {
		if e.Name == "db.query.result" || e.Name == "db.search.result" {
			return true
		}
	}
	for k := range a {
		if strings.HasPrefix(k, "db.vector.query.") {
			return true
		}
	}
	return false
}

var validKinds = map[string]bool{
	span.KindFunction: true, span.KindLLM: true, span.KindTool: true, span.KindAgent: true,
	span.KindRetrieval: true, span.KindEmbedding: true, span.KindGuardrail: true,
}

var openInferenceKinds = map[string]string{
	"CHAIN": span.KindFunction, "LLM": span.KindLLM, "TOOL": span.KindTool, "AGENT": span.KindAgent,
	"RETRIEVER": span.KindRetrieval, "EMBEDDING": span.KindEmbedding, "GUARDRAIL": span.KindGuardrail,
	"RERANKER": span.KindRetrieval,
}

var frameworkKinds = []struct {
	key string
	m   map[string]string
}{
	{"ai.operationId", map[string]string{
		"embed": span.KindEmbedding, "ai.embed": span.KindEmbedding,
		// Beyond the reference map: the AI SDK's other embedding operations.
		"embedMany": span.KindEmbedding, "ai.embedMany": span.KindEmbedding,
		"ai.embed.doEmbed": span.KindEmbedding, "ai.embedMany.doEmbed": span.KindEmbedding,
		"generateText": span.KindLLM, "ai.generateText": span.KindLLM,
		"streamText": span.KindLLM, "ai.streamText": span.KindLLM,
		"generateObject": span.KindLLM, "ai.generateObject": span.KindLLM,
		"streamObject": span.KindLLM, "ai.streamObject": span.KindLLM,
	}},
	{"traceloop.span.kind", map[string]string{
		"LLM": span.KindLLM, "TOOL": span.KindTool, "AGENT": span.KindAgent,
		"WORKFLOW": span.KindFunction, "TASK": span.KindFunction,
	}},
	{"langchain.run_type", map[string]string{
		"llm": span.KindLLM, "chat_model": span.KindLLM, "retriever": span.KindRetrieval,
		"tool": span.KindTool, "chain": span.KindFunction, "embedding": span.KindEmbedding,
	}},
	{"genkit:type", map[string]string{
		"model": span.KindLLM, "tool": span.KindTool, "flow": span.KindFunction,
		"retriever": span.KindRetrieval, "embedder": span.KindEmbedding,
	}},
}

// resolveSemanticKind implements §B.5.
func resolveSemanticKind(s *span.Span, a attrs, events []span.Event) string {
	if validKinds[s.SemanticKind] {
		return s.SemanticKind
	}
	if v, ok := a["openinference.span.kind"].(string); ok {
		if k, ok := openInferenceKinds[strings.ToUpper(v)]; ok {
			return k
		}
	}
	for _, fk := range frameworkKinds {
		if v, ok := a[fk.key].(string); ok {
			if k, ok := fk.m[v]; ok {
				return k
			}
			// traceloop sends lowercase kinds ("workflow", "llm").
			if fk.key == "traceloop.span.kind" {
				if k, ok := fk.m[strings.ToUpper(v)]; ok {
					return k
				}
			}
		}
	}
	if vectorStore(a, events) {
		return span.KindRetrieval
	}
	if v, ok := a["gen_ai.operation.name"].(string); ok {
		switch strings.ToLower(v) {
		case "chat", "text_completion", "generate_content":
			return span.KindLLM
		case "embeddings":
			return span.KindEmbedding
		}
	}
	if s.Type == span.TypeGeneration || s.Model != "" {
		return span.KindLLM
	}
	if len(s.ToolCalls) > 0 && string(s.ToolCalls) != "[]" && string(s.ToolCalls) != "null" {
		return span.KindTool
	}
	name := strings.ToLower(s.Name)
	switch {
	case strings.Contains(name, "retriev") || strings.Contains(name, "search") || strings.Contains(name, "rag"):
		return span.KindRetrieval
	case strings.Contains(name, "embed"):
		return span.KindEmbedding
	case strings.Contains(name, "guard") || strings.Contains(name, "safety"):
		return span.KindGuardrail
	}
	return span.KindFunction
}
