package normalize

import (
	"strings"

	"github.com/agentmark-go/agentmark/span"
)

// openLLMetry is the OpenLLMetry / Traceloop / OpenLIT transformer.
type openLLMetry struct{}

func (openLLMetry) classify(_ *Raw, a attrs) string {
	if k, ok := a["traceloop.span.kind"].(string); ok && strings.EqualFold(k, "LLM") {
		return span.TypeGeneration
	}
	if a["gen_ai.usage.prompt_tokens"] != nil || a["gen_ai.usage.completion_tokens"] != nil || a["gen_ai.usage.input_tokens"] != nil {
		return span.TypeGeneration
	}
	return span.TypeSpan
}

func llmetryMessage(f map[string]any) (role, text string, calls []toolCallEntry) {
	role = jsString(f["role"])
	if c, ok := f["content"]; ok && c != nil {
		text = jsString(c)
	}
	tcs := subIndexed(f, "tool_calls.")
	for _, j := range tcs.idx {
		tf := tcs.fields[j]
		name := jsString(tf["name"])
		if name == "" && tf["id"] == nil {
			continue
		}
		calls = append(calls, toolCallEntry{ID: jsString(tf["id"]), Name: name, Args: argsValue(tf["arguments"])})
	}
	return role, text, calls
}

// eventAttr returns the first event attribute among keys, in event order.
func eventAttr(events []span.Event, keys ...string) any {
	for _, e := range events {
		for _, k := range keys {
			if v, ok := e.Attributes[k]; ok && v != nil {
				return v
			}
		}
	}
	return nil
}

func (openLLMetry) transform(r *Raw, a attrs, o *out) {
	s := o.s
	if m, ok := a.firstTruthy("gen_ai.response.model", "gen_ai.request.model").(string); ok {
		s.Model = m
	}
	if n, ok := parseTokens(firstNonNil(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")); ok {
		o.setIn(n)
	}
	if n, ok := parseTokens(firstNonNil(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")); ok {
		o.setOut(n)
	}
	if n, ok := parseTokens(firstNonNil(a, "gen_ai.usage.total_tokens", "llm.usage.total_tokens")); ok {
		o.setTotal(n)
	}
	if n, ok := parseTokens(firstNonNil(a, "gen_ai.usage.reasoning_tokens", "gen_ai.usage.completion_tokens_details.reasoning_tokens")); ok {
		s.ReasoningTokens = n
	}
	if n, ok := parseTokens(firstNonNil(a, "gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens")); ok {
		s.CachedTokens = n
	}

	settings := map[string]any{}
	for _, st := range [][2]string{
		{"temperature", "gen_ai.request.temperature"}, {"maxTokens", "gen_ai.request.max_tokens"},
		{"topP", "gen_ai.request.top_p"}, {"presencePenalty", "gen_ai.request.presence_penalty"},
		{"frequencyPenalty", "gen_ai.request.frequency_penalty"},
	} {
		if v, ok := a[st[1]]; ok && v != nil {
			settings[st[0]] = v
		}
	}
	if len(settings) > 0 {
		s.Settings = rawJSON(settings)
	}
	if fr := a.firstTruthy("gen_ai.response.finish_reason", "gen_ai.completion.0.finish_reason"); fr != nil {
		s.FinishReason = jsString(fr)
	} else if f := finishReasonsFirst(a["gen_ai.response.finish_reasons"], false); f != nil {
		s.FinishReason = jsString(f)
	}

	// input
	if ms, _ := buildIndexedMessages(collectIndexed(a, "gen_ai.prompt."), llmetryMessage); len(ms) > 0 {
		s.Input = rawJSON(ms)
	} else if v := a["traceloop.entity.input"]; truthy(v) {
		s.Input = rawJSON(userMsg(jsString(v)))
	} else if v := eventAttr(r.Events, "gen_ai.prompt", "content"); v != nil {
		s.Input = rawJSON(userMsg(jsString(v)))
	}

	// output
	if ms, calls := buildIndexedMessages(collectIndexed(a, "gen_ai.completion."), llmetryMessage); len(ms) > 0 {
		s.Output = messagesText(ms)
		if len(calls) > 0 {
			s.ToolCalls = rawJSON(toolCallsValue(calls))
		}
	} else if v := a["traceloop.entity.output"]; truthy(v) {
		str := jsString(v)
		s.Output = str
		if p, ok := parseJSON(str); ok && isObject(p) {
			s.OutputObject = rawJSON(p)
		}
	} else if v := eventAttr(r.Events, "gen_ai.completion", "content"); v != nil {
		s.Output = jsString(v)
	}

	// vector-store results
	var docs []any
	var texts []string
	for _, e := range r.Events {
		var p string
		switch e.Name {
		case "db.query.result":
			p = "db.query.result."
		case "db.search.result":
			p = "db.search.result."
		default:
			continue
		}
		d := map[string]any{}
		if v, ok := e.Attributes[p+"id"]; ok && v != nil {
			d["id"] = v
		}
		if v, ok := e.Attributes[p+"document"]; ok && v != nil {
			d["content"] = v
			texts = append(texts, jsString(v))
		}
		if v, ok := e.Attributes[p+"score"]; ok && v != nil {
			d["score"] = v
		}
		if v, ok := e.Attributes[p+"distance"]; ok && v != nil {
			d["distance"] = v
		}
		if v, ok := e.Attributes[p+"metadata"]; ok && v != nil {
			d["metadata"] = maybeJSON(v)
		} else if v, ok := e.Attributes[p+"entity"]; ok && v != nil {
			d["metadata"] = maybeJSON(v)
		}
		docs = append(docs, d)
	}
	if len(docs) > 0 {
		s.OutputObject = rawJSON(map[string]any{"documents": docs})
		if len(texts) > 0 {
			s.Output = strings.Join(texts, "\n")
		}
	}

	// grouping
	const assoc = "traceloop.association.properties."
	for k, v := range a {
		if !strings.HasPrefix(k, assoc) || v == nil {
			continue
		}
		switch key := k[len(assoc):]; key {
		case "session_id":
			s.SessionID = jsString(v)
		case "user_id":
			s.UserID = jsString(v)
		case "":
		default:
			if !unsafeKey(key) {
				o.setMeta(key, jsString(v))
			}
		}
	}
	if v := a["traceloop.entity.name"]; truthy(v) {
		s.TraceName = jsString(v)
	}
	extractCustomMetadata(a, prefixAMMeta, o)
}
