package normalize

import (
	"github.com/agentmark-go/agentmark/span"
)

// aiSDK is the Vercel AI SDK transformer (scope "ai"), v4 and v5.
type aiSDK struct{}

func (aiSDK) classify(r *Raw, _ attrs) string {
	switch r.Name {
	case "ai.generateText.doGenerate", "ai.streamText.doStream",
		"ai.generateObject.doGenerate", "ai.streamObject.doStream":
		return span.TypeGeneration
	}
	return span.TypeSpan
}

func nonNull(a attrs, keys ...string) bool {
	for _, k := range keys {
		if v, ok := a[k]; ok && v != nil {
			return true
		}
	}
	return false
}

func (aiSDK) transform(r *Raw, a attrs, o *out) {
	s := o.s
	v5 := nonNull(a, "ai.response.text", "ai.response.toolCalls", "ai.response.object")

	if m, ok := a.firstTruthy("gen_ai.request.model", "ai.model.id").(string); ok {
		s.Model = m
	}

	// input
	if v, ok := a["ai.prompt.messages"]; ok && v != nil {
		s.Input = rawJSON(aiMessages(maybeJSON(v)))
	} else if v, ok := a["ai.prompt"]; ok && v != nil {
		if ms := aiMessages(maybeJSON(v)); ms != nil {
			s.Input = rawJSON(ms)
		}
	}

	// output, outputObject, toolCalls, finishReason
	var text, obj, calls any
	if v5 {
		text, obj, calls = a["ai.response.text"], a["ai.response.object"], a["ai.response.toolCalls"]
	} else {
		text = a.firstTruthy("ai.result.text", "ai.response.text")
		obj = a.firstTruthy("ai.result.object", "ai.response.object")
		calls = a.firstTruthy("ai.result.toolCalls", "ai.response.toolCalls")
	}
	if t, ok := text.(string); ok {
		s.Output = t
	}
	if obj != nil {
		if p := maybeJSON(obj); isObject(p) || isArray(p) {
			s.OutputObject = rawJSON(p)
		}
	}
	if tc := aiToolCalls(maybeJSON(calls), v5); tc != nil {
		s.ToolCalls = rawJSON(tc)
	} else if name, ok := a["ai.toolCall.name"].(string); ok {
		if id, ok := a["ai.toolCall.id"].(string); ok {
			args := any(map[string]any{})
			if as, ok := a["ai.toolCall.args"].(string); ok {
				if p, ok := parseJSON(as); ok {
					args = p
				}
			} else if isObject(a["ai.toolCall.args"]) {
				args = a["ai.toolCall.args"]
			}
			tc := map[string]any{"type": "tool-call", "toolCallId": id, "toolName": name, "args": args}
			if res, ok := a["ai.toolCall.result"]; ok && res != nil {
				if rs, ok := res.(string); ok {
					tc["result"] = rs
				} else {
					tc["result"] = compactJSON(res)
				}
			}
			s.ToolCalls = rawJSON([]any{tc})
		}
	}
	if name, ok := a["ai.toolCall.name"].(string); ok {
		s.Name = name
	}

	var fr any
	if v5 {
		fr = a.firstTruthy("ai.response.finishReason")
	} else {
		fr = a.firstTruthy("ai.result.finishReason", "ai.response.finishReason")
	}
	if fr == nil {
		fr = finishReasonsFirst(a["gen_ai.response.finish_reasons"], false)
	}
	if fr != nil {
		s.FinishReason = jsString(fr)
	}

	// settings
	settings := map[string]any{}
	for _, st := range []struct{ name, semconv, ai, ai2 string }{
		{"temperature", "gen_ai.request.temperature", "ai.settings.temperature", ""},
		{"maxTokens", "gen_ai.request.max_tokens", "ai.settings.maxTokens", "ai.settings.maxOutputTokens"},
		{"topP", "gen_ai.request.top_p", "ai.settings.topP", ""},
		{"presencePenalty", "gen_ai.request.presence_penalty", "ai.settings.presencePenalty", ""},
		{"frequencyPenalty", "gen_ai.request.frequency_penalty", "ai.settings.frequencyPenalty", ""},
	} {
		if v := firstNonNil(a, st.semconv, st.ai, st.ai2); v != nil {
			settings[st.name] = v
		}
	}
	if len(settings) > 0 {
		s.Settings = rawJSON(settings)
	}

	// tokens
	var in, outT, total any
	if v5 {
		in = firstNonNil(a, "gen_ai.usage.input_tokens", "ai.usage.promptTokens", "ai.usage.inputTokens")
		outT = firstNonNil(a, "gen_ai.usage.output_tokens", "ai.usage.completionTokens", "ai.usage.outputTokens")
	} else {
		in = firstNonNil(a, "gen_ai.usage.prompt_tokens", "ai.usage.promptTokens", "gen_ai.usage.input_tokens", "ai.usage.inputTokens")
		outT = firstNonNil(a, "gen_ai.usage.completion_tokens", "ai.usage.completionTokens", "gen_ai.usage.output_tokens", "ai.usage.outputTokens")
	}
	total = firstNonNil(a, "gen_ai.usage.total_tokens", "ai.usage.totalTokens")
	if n, ok := parseTokens(in); ok {
		o.setIn(n)
	}
	if n, ok := parseTokens(outT); ok {
		o.setOut(n)
	}
	if n, ok := parseTokens(total); ok {
		o.setTotal(n)
	}
	o.deriveTotal()

	pm, _ := maybeJSON(a["ai.response.providerMetadata"]).(map[string]any)
	reasoning := any(nil)
	if v5 {
		reasoning = a["ai.usage.reasoningTokens"]
	}
	if reasoning == nil {
		reasoning = providerMeta(pm, "openai", "reasoningTokens")
	}
	if n, ok := parseTokens(reasoning); ok {
		s.ReasoningTokens = n
	}
	cached := firstNonNil(a, "ai.usage.cachedInputTokens", "gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens")
	if cached == nil {
		cached = providerMeta(pm, "openai", "cachedPromptTokens")
	}
	if cached == nil {
		cached = providerMeta(pm, "anthropic", "cacheReadInputTokens")
	}
	if n, ok := parseTokens(cached); ok {
		s.CachedTokens = n
	}

	// metadata: agentmark.metadata.* then ai.telemetry.metadata.* (wins)
	parseMetadata(a, prefixAMMeta, o, false)
	parseMetadata(a, prefixAIMeta, o, false)
	extractCustomMetadata(a, prefixAMMeta, o)
	extractCustomMetadata(a, prefixAIMeta, o)
}

func providerMeta(pm map[string]any, provider, key string) any {
	if pm == nil {
		return nil
	}
	if p, ok := pm[provider].(map[string]any); ok {
		return p[key]
	}
	return nil
}

func firstNonNil(a attrs, keys ...string) any {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if v, ok := a[k]; ok && v != nil {
			return v
		}
	}
	return nil
}

// finishReasonsFirst returns the first finish reason of
// gen_ai.response.finish_reasons: the first element of an array (native or
// JSON), else String(v) unless arraysOnly.
func finishReasonsFirst(v any, arraysOnly bool) any {
	if v == nil {
		return nil
	}
	p := maybeJSON(v)
	if arr, ok := p.([]any); ok {
		if len(arr) == 0 {
			return nil
		}
		return arr[0]
	}
	if arraysOnly {
		return nil
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return nil
		}
		return s
	}
	return jsString(v)
}

// aiMessages coerces an AI SDK prompt value to messages: an array is taken
// as messages; {messages, system?} and {prompt, system?} are expanded; a
// bare string is one user message.
func aiMessages(v any) []msg {
	switch x := v.(type) {
	case string:
		return userMsg(x)
	case []any:
		return aiMessageArray(x)
	case map[string]any:
		var out []msg
		if sys, ok := x["system"]; ok && truthy(sys) {
			out = append(out, msg{Role: "system", Content: jsString(sys)})
		}
		if ms, ok := x["messages"].([]any); ok {
			return append(out, aiMessageArray(ms)...)
		}
		if p, ok := x["prompt"]; ok && p != nil {
			if arr, ok := p.([]any); ok {
				return append(out, aiMessageArray(arr)...)
			}
			return append(out, msg{Role: "user", Content: p})
		}
		return out
	}
	return nil
}

func aiMessageArray(arr []any) []msg {
	out := make([]msg, 0, len(arr))
	for _, it := range arr {
		m, ok := it.(map[string]any)
		if !ok {
			if s, ok := it.(string); ok {
				out = append(out, msg{Role: "user", Content: s})
			}
			continue
		}
		role := "user"
		if r, ok := m["role"]; ok && r != nil {
			role = jsString(r)
		}
		out = append(out, msg{Role: role, Content: aiContent(m["content"])})
	}
	return out
}

// aiContent normalizes message parts: v5 tool-call input → args, v5
// tool-result output.value (or output, or result) → result.
func aiContent(c any) any {
	parts, ok := c.([]any)
	if !ok {
		return c
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		pm, ok := p.(map[string]any)
		if !ok {
			out[i] = p
			continue
		}
		switch pm["type"] {
		case "tool-call":
			n := map[string]any{"type": "tool-call", "toolCallId": pm["toolCallId"], "toolName": pm["toolName"]}
			if args, ok := pm["args"]; ok {
				n["args"] = args
			} else {
				n["args"] = argsValue(pm["input"])
			}
			out[i] = n
		case "tool-result":
			n := map[string]any{"type": "tool-result", "toolCallId": pm["toolCallId"], "toolName": pm["toolName"]}
			if res, ok := pm["result"]; ok {
				n["result"] = res
			} else if o, ok := pm["output"]; ok {
				if om, ok := o.(map[string]any); ok {
					if v, ok := om["value"]; ok {
						n["result"] = v
					} else {
						n["result"] = o
					}
				} else {
					n["result"] = o
				}
			}
			out[i] = n
		default:
			out[i] = pm
		}
	}
	return out
}

// aiToolCalls normalizes ai.response.toolCalls / ai.result.toolCalls.
func aiToolCalls(v any, v5 bool) []any {
	arr, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]any, 0, len(arr))
	for _, it := range arr {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		typ := "tool-call"
		if t, ok := m["type"].(string); ok && t != "" {
			typ = t
		}
		args := m["input"]
		if !truthy(args) {
			args = m["args"]
		}
		tc := map[string]any{"type": typ, "toolCallId": m["toolCallId"], "toolName": m["toolName"], "args": argsValue(args)}
		if !truthy(args) {
			tc["args"] = map[string]any{}
		}
		if v5 {
			if pm, ok := m["providerMetadata"]; ok && pm != nil {
				tc["providerMetadata"] = pm
			}
		}
		out = append(out, tc)
	}
	return out
}
