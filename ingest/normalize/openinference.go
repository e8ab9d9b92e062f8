package normalize

import (
	"strings"

	"github.com/agentmark-go/agentmark/span"
)

// openInference is the OpenInference transformer (LangChain, LlamaIndex,
// Arize / Phoenix instrumentations, AgentMark observe()).
type openInference struct{}

func (openInference) classify(_ *Raw, a attrs) string {
	if k, ok := a["openinference.span.kind"].(string); ok && strings.EqualFold(k, "LLM") {
		return span.TypeGeneration
	}
	if a["llm.token_count.prompt"] != nil || a["llm.token_count.completion"] != nil {
		return span.TypeGeneration
	}
	return span.TypeSpan
}

func oiMessage(f map[string]any) (role, text string, calls []toolCallEntry) {
	role = jsString(f["message.role"])
	if c, ok := f["message.content"]; ok && c != nil {
		text = jsString(c)
	} else {
		parts := subIndexed(f, "message.contents.")
		var texts []string
		for _, j := range parts.idx {
			if t, ok := parts.fields[j]["message_content.text"]; ok && t != nil {
				texts = append(texts, jsString(t))
			}
		}
		text = strings.Join(texts, "\n")
	}
	tcs := subIndexed(f, "message.tool_calls.")
	for _, j := range tcs.idx {
		tf := tcs.fields[j]
		name := jsString(tf["tool_call.function.name"])
		if name == "" && tf["tool_call.id"] == nil {
			continue
		}
		calls = append(calls, toolCallEntry{ID: jsString(tf["tool_call.id"]), Name: name, Args: argsValue(tf["tool_call.function.arguments"])})
	}
	return role, text, calls
}

func (openInference) transform(r *Raw, a attrs, o *out) {
	s := o.s
	if m, ok := a["llm.model_name"].(string); ok {
		s.Model = m
	}
	if n, ok := parseTokens(a["llm.token_count.prompt"]); ok {
		o.setIn(n)
	}
	if n, ok := parseTokens(a["llm.token_count.completion"]); ok {
		o.setOut(n)
	}
	if n, ok := parseTokens(a["llm.token_count.total"]); ok {
		o.setTotal(n)
	}
	if n, ok := parseTokens(a["llm.token_count.completion_details.reasoning"]); ok {
		s.ReasoningTokens = n
	}
	if n, ok := parseTokens(a["llm.token_count.prompt_details.cache_read"]); ok {
		s.CachedTokens = n
	}

	if p, ok := maybeJSON(a["llm.invocation_parameters"]).(map[string]any); ok {
		settings := map[string]any{}
		for _, st := range []struct {
			name string
			keys []string
		}{
			{"temperature", []string{"temperature"}},
			{"maxTokens", []string{"max_tokens", "maxTokens", "max_completion_tokens"}},
			{"topP", []string{"top_p", "topP"}},
			{"presencePenalty", []string{"presence_penalty", "presencePenalty"}},
			{"frequencyPenalty", []string{"frequency_penalty", "frequencyPenalty"}},
		} {
			for _, k := range st.keys {
				if v, ok := p[k]; ok && v != nil {
					settings[st.name] = v
					break
				}
			}
		}
		if len(settings) > 0 {
			s.Settings = rawJSON(settings)
		}
	}

	jsonMime := func(key string) bool {
		m, _ := a[key].(string)
		return m == "application/json"
	}

	// input
	if ms, _ := buildIndexedMessages(collectIndexed(a, "llm.input_messages."), oiMessage); len(ms) > 0 {
		s.Input = rawJSON(ms)
	} else if v, ok := a["input.value"]; ok && v != nil {
		str := jsString(v)
		if jsonMime("input.mime_type") {
			if p, ok := parseJSON(str); ok {
				if ms, ok := roleContentArray(p); ok {
					s.Input = rawJSON(ms)
				} else {
					s.Input = rawJSON(userMsg(compactJSON(p)))
				}
			} else {
				s.Input = rawJSON(userMsg(str))
			}
		} else {
			s.Input = rawJSON(userMsg(str))
		}
	}

	// output
	if ms, calls := buildIndexedMessages(collectIndexed(a, "llm.output_messages."), oiMessage); len(ms) > 0 {
		s.Output = messagesText(ms)
		if len(calls) > 0 {
			s.ToolCalls = rawJSON(toolCallsValue(calls))
		}
	} else if v, ok := a["output.value"]; ok && v != nil {
		str := jsString(v)
		if p, ok := parseJSON(str); ok && jsonMime("output.mime_type") {
			s.Output = compactJSON(p)
			if isObject(p) || isArray(p) {
				s.OutputObject = rawJSON(p)
			}
		} else {
			s.Output = str
		}
	}

	// retrieval documents
	docs := collectIndexed(a, "retrieval.documents.")
	if len(docs.idx) > 0 {
		var list []any
		var texts []string
		for _, i := range docs.idx {
			f := docs.fields[i]
			d := map[string]any{}
			if v, ok := f["document.id"]; ok && v != nil {
				d["id"] = v
			}
			if v, ok := f["document.content"]; ok && v != nil {
				d["content"] = v
				texts = append(texts, jsString(v))
			}
			if v, ok := f["document.score"]; ok && v != nil {
				d["score"] = v
			}
			if v, ok := f["document.metadata"]; ok && v != nil {
				d["metadata"] = maybeJSON(v)
			}
			list = append(list, d)
		}
		s.OutputObject = rawJSON(map[string]any{"documents": list})
		if len(texts) > 0 {
			s.Output = strings.Join(texts, "\n")
		}
	}

	if name, ok := a["tool.name"].(string); ok && name != "" {
		s.Name = name
	}
	if v := a["session.id"]; truthy(v) {
		s.SessionID = jsString(v)
	}
	if v := a["user.id"]; truthy(v) {
		s.UserID = jsString(v)
	}
	if m, ok := maybeJSON(a["metadata"]).(map[string]any); ok {
		for k, v := range m {
			if unsafeKey(k) || v == nil {
				continue
			}
			if str, ok := v.(string); ok {
				o.setMeta(k, str)
			} else {
				o.setMeta(k, compactJSON(v))
			}
		}
	}
	extractCustomMetadata(a, prefixAMMeta, o)
}
