package normalize

import (
	"strings"

	"github.com/agentmark-go/agentmark/span"
)

// genAI is the OTel GenAI semantic-conventions (v1.37) transformer: scope
// "pydantic-ai" and the default for unrecognized spans.
type genAI struct{}

func (genAI) classify(r *Raw, a attrs) string {
	n := r.Name
	switch {
	case strings.HasPrefix(n, "chat "):
		return span.TypeGeneration
	case strings.HasPrefix(n, "invoke_agent") || n == "agent run":
		return span.TypeSpan
	case strings.HasPrefix(n, "execute_tool") || strings.HasPrefix(n, "running "):
		return span.TypeSpan
	}
	if a["gen_ai.usage.input_tokens"] != nil {
		return span.TypeGeneration
	}
	return span.TypeSpan
}

func (genAI) transform(r *Raw, a attrs, o *out) {
	s := o.s
	if m, ok := a.firstTruthy("gen_ai.response.model", "gen_ai.request.model").(string); ok {
		s.Model = m
	}
	numberTokens(a, o)
	if f := finishReasonsFirst(a["gen_ai.response.finish_reasons"], true); f != nil {
		s.FinishReason = jsString(f)
	}
	if _, ok := number(a["gen_ai.request.temperature"]); ok {
		s.Settings = rawJSON(map[string]any{"temperature": a["gen_ai.request.temperature"]})
	}

	// input: a messages JSON array is required (plain strings dropped)
	var input []msg
	if v := a.firstTruthy("gen_ai.input.messages", "gen_ai.request.input", "gen_ai.prompt"); v != nil {
		if ms, ok := specMessages(maybeJSON(v)); ok {
			input = ms
		}
	}
	if input != nil || a["gen_ai.system_instructions"] != nil {
		input = prependSystem(input, a["gen_ai.system_instructions"])
	}
	if input == nil {
		if v := a["pydantic_ai.all_messages"]; v != nil {
			if ms, ok := specMessages(maybeJSON(v)); ok {
				for _, m := range ms {
					if m.Role == "user" {
						input = append(input, m)
					}
				}
			}
		}
	}
	if input == nil {
		if v := a["agentmark.props"]; truthy(v) {
			c := v
			if _, ok := v.(string); !ok {
				c = compactJSON(v)
			}
			input = userMsg(c)
		}
	}
	if input != nil {
		s.Input = rawJSON(input)
	}

	// output
	if v := a.firstTruthy("gen_ai.output.messages", "gen_ai.response.output", "gen_ai.completion"); v != nil {
		genAIOutput(s, v)
	} else if v := a["final_result"]; v != nil {
		setOutputWithObject(s, v)
	} else if v := a["agentmark.output"]; v != nil {
		setOutputWithObject(s, v)
	}

	// tool spans
	if name, ok := a["gen_ai.tool.name"].(string); ok {
		s.Name = name
		tc := map[string]any{"type": "tool-call", "toolCallId": jsString(a["gen_ai.tool.call.id"]), "toolName": name,
			"args": argsValue(a["gen_ai.tool.call.arguments"])}
		if res, ok := a["gen_ai.tool.call.result"]; ok && res != nil {
			tc["result"] = res
		}
		s.ToolCalls = rawJSON([]any{tc})
	}
	extractCustomMetadata(a, prefixAMMeta, o)
}

// genAIOutput: structured output (a tool_call part with arguments, e.g.
// pydantic-ai final_result) → JSON(arguments) + outputObject; else the
// first text; else the raw string.
func genAIOutput(s *span.Span, v any) {
	p := maybeJSON(v)
	if arr, ok := p.([]any); ok {
		var firstText *string
		for _, it := range arr {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			parts, _ := m["parts"].([]any)
			for _, pt := range parts {
				pm, ok := pt.(map[string]any)
				if !ok {
					continue
				}
				switch jsString(pm["type"]) {
				case "tool_call":
					if args, ok := pm["arguments"]; ok && args != nil {
						args = maybeJSON(args)
						s.Output = compactJSON(args)
						if isObject(args) || isArray(args) {
							s.OutputObject = rawJSON(args)
						}
						return
					}
				case "text":
					if firstText == nil {
						t := jsString(pm["content"])
						firstText = &t
					}
				}
			}
			if firstText == nil {
				if c, ok := m["content"].(string); ok {
					firstText = &c
				}
			}
		}
		if firstText != nil {
			s.Output = *firstText
			return
		}
	}
	if str, ok := v.(string); ok {
		s.Output = str
		return
	}
	s.Output = compactJSON(v)
}
