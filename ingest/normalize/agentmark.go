package normalize

import (
	"strings"

	"github.com/agentmark-go/agentmark/span"
)

// agentMark is the AgentMark transformer (scope "agentmark"): SDK span() /
// observe(), the WebhookRunner prompt span, the Claude Agent SDK adapter.
type agentMark struct{}

func (agentMark) classify(r *Raw, a attrs) string {
	switch jsString(a["gen_ai.operation.name"]) {
	case "chat", "text_completion", "embeddings":
		return span.TypeGeneration
	}
	n := r.Name
	switch {
	case n == "chat" || strings.HasPrefix(n, "chat "), n == "gen_ai.llm.turn", n == "gen_ai.session":
		return span.TypeGeneration
	case n == "execute_tool" || strings.HasPrefix(n, "execute_tool ") || strings.HasPrefix(n, "gen_ai.tool.call"):
		return span.TypeSpan
	case n == "invoke_agent" || strings.HasPrefix(n, "invoke_agent "):
		return span.TypeSpan
	case n == "gen_ai.conversation" || n == "gen_ai.subagent":
		return span.TypeSpan
	}
	if (jsString(a["gen_ai.system"]) == "anthropic" || jsString(a["gen_ai.provider.name"]) == "anthropic") &&
		a["gen_ai.usage.input_tokens"] != nil && a["gen_ai.response.output"] != nil {
		return span.TypeGeneration
	}
	return span.TypeSpan
}

// numberTokens reads token counts that must be numbers (§K.9).
func numberTokens(a attrs, o *out) {
	if n, ok := intNumber(firstNonNil(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")); ok {
		o.setIn(n)
	} else if n, ok := intNumber(a["gen_ai.usage.prompt_tokens"]); ok {
		o.setIn(n)
	}
	if n, ok := intNumber(firstNonNil(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")); ok {
		o.setOut(n)
	} else if n, ok := intNumber(a["gen_ai.usage.completion_tokens"]); ok {
		o.setOut(n)
	}
	o.deriveTotal()
	if n, ok := intNumber(firstNonNil(a, "gen_ai.usage.reasoning_tokens", "gen_ai.usage.output_tokens_details.reasoning_tokens")); ok {
		o.s.ReasoningTokens = n
	}
	if n, ok := intNumber(firstNonNil(a, "gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens")); ok {
		o.s.CachedTokens = n
	}
}

// messagesOrUser parses a string as a role/content message array, else
// wraps it as one user message.
func messagesOrUser(v any) []msg {
	if s, ok := v.(string); ok {
		if p, ok := parseJSON(s); ok {
			if ms, ok := roleContentArray(p); ok {
				return ms
			}
		}
		return userMsg(s)
	}
	if ms, ok := roleContentArray(v); ok {
		return ms
	}
	return userMsg(compactJSON(v))
}

// setOutputWithObject sets Output to the string and OutputObject to its
// JSON parse when that is an object or array.
func setOutputWithObject(s *span.Span, v any) {
	str, ok := v.(string)
	if !ok {
		str = compactJSON(v)
	}
	s.Output = str
	if p, ok := parseJSON(str); ok && (isObject(p) || isArray(p)) {
		s.OutputObject = rawJSON(p)
	}
}

func (agentMark) transform(r *Raw, a attrs, o *out) {
	s := o.s
	if m, ok := a.firstTruthy("gen_ai.response.model", "gen_ai.request.model").(string); ok {
		s.Model = m
	}
	numberTokens(a, o)

	if fr := a["gen_ai.response.finish_reasons"]; fr != nil {
		if f := finishReasonsFirst(fr, false); f != nil {
			s.FinishReason = jsString(f)
		}
	}
	settings := map[string]any{}
	if _, ok := number(a["gen_ai.request.max_tokens"]); ok {
		settings["maxTokens"] = a["gen_ai.request.max_tokens"]
	}
	if _, ok := number(a["gen_ai.request.temperature"]); ok {
		settings["temperature"] = a["gen_ai.request.temperature"]
	}
	if len(settings) > 0 {
		s.Settings = rawJSON(settings)
	}

	// input
	_, hasAMInput := a["agentmark.input"]
	_, hasAMProps := a["agentmark.props"]
	amIO := hasAMInput || hasAMProps
	var input []msg
	if v := a.firstTruthy("gen_ai.request.input", "agentmark.request.input"); v != nil {
		input = messagesOrUser(v)
	}
	if input == nil && !amIO {
		if v := a["gen_ai.input.messages"]; v != nil {
			if ms, ok := specMessages(maybeJSON(v)); ok {
				input = ms
			}
		}
		if input == nil {
			if v := a["gen_ai.prompt"]; truthy(v) {
				if ms, ok := specMessages(maybeJSON(v)); ok {
					input = ms
				} else {
					input = messagesOrUser(v)
				}
			}
		}
	}
	if !amIO {
		input = prependSystem(input, a["gen_ai.system_instructions"])
	}
	if input == nil {
		if v := a.firstTruthy("agentmark.input", "agentmark.props"); v != nil {
			input = messagesOrUser(v)
		}
	}
	if input != nil {
		s.Input = rawJSON(input)
	}

	// output
	_, hasAMOutput := a["agentmark.output"]
	if v := a.firstTruthy("gen_ai.response.output", "agentmark.response.output"); v != nil {
		setOutputWithObject(s, v)
	} else if !hasAMOutput && a["gen_ai.output.messages"] != nil {
		if ms, ok := specMessages(maybeJSON(a["gen_ai.output.messages"])); ok {
			s.Output = messagesText(ms)
		} else {
			s.Output = jsString(a["gen_ai.output.messages"])
		}
	} else if !hasAMOutput && truthy(a["gen_ai.completion"]) {
		s.Output = jsString(a["gen_ai.completion"])
	} else if v := a["agentmark.output"]; v != nil {
		setOutputWithObject(s, v)
	}

	// tool spans
	if name, ok := a["gen_ai.tool.name"].(string); ok {
		s.Name = name
		id := ""
		if v := a["gen_ai.tool.call.id"]; truthy(v) {
			id = jsString(v)
		}
		tc := map[string]any{"type": "tool-call", "toolCallId": id, "toolName": name, "args": argsValue(a["gen_ai.tool.input"])}
		if res, ok := a["gen_ai.tool.output"]; ok && res != nil {
			tc["result"] = res
		}
		s.ToolCalls = rawJSON([]any{tc})
	}

	parseMetadata(a, prefixAMMeta, o, false)
	extractCustomMetadata(a, prefixAMMeta, o)
}
