package normalize

import (
	"github.com/agentmark-go/agentmark/span"
)

// mastra is the Mastra v0 transformer (scope "default-tracer").
type mastra struct{}

func (mastra) classify(r *Raw, _ attrs) string {
	switch r.Name {
	case "agent.streamLegacy", "agent.stream", "agent.streamObject", "agent.generate", "agent.generateObject":
		return span.TypeGeneration
	}
	return span.TypeSpan
}

func (mastra) transform(r *Raw, a attrs, o *out) {
	s := o.s
	if cfg, ok := maybeJSON(a["agent.resolveModelConfig.result"]).(map[string]any); ok {
		if m, ok := cfg["modelId"].(string); ok {
			s.Model = m
		}
		if st, ok := cfg["settings"]; ok && st != nil {
			s.Settings = rawJSON(st)
		}
	}
	for _, k := range []string{r.Name + ".argument.0", "agent.prepareLLMOptions.argument.0", "agent.stream.argument.0", "agent.streamLegacy.argument.0"} {
		v, ok := a[k]
		if !ok {
			continue
		}
		if arr, ok := maybeJSON(v).([]any); ok {
			s.Input = rawJSON(aiMessageArray(arr))
			break
		}
	}
	for _, k := range []string{r.Name + ".result", "agent.stream.result", "agent.streamLegacy.result", "agent.streamObject.result"} {
		v, ok := a[k]
		if !ok {
			continue
		}
		res, ok := maybeJSON(v).(map[string]any)
		if !ok {
			continue
		}
		if u, ok := res["usage"].(map[string]any); ok {
			if n, ok := parseTokens(u["promptTokens"]); ok {
				o.setIn(n)
			}
			if n, ok := parseTokens(u["completionTokens"]); ok {
				o.setOut(n)
			}
			if n, ok := parseTokens(u["totalTokens"]); ok {
				o.setTotal(n)
			}
		}
		if obj, ok := res["object"]; ok && obj != nil {
			s.Output = compactJSON(obj)
			s.OutputObject = rawJSON(obj)
		} else if t, ok := res["text"]; ok && t != nil {
			s.Output = jsString(t)
		} else if rsp, ok := res["response"]; ok && rsp != nil {
			if str, ok := rsp.(string); ok {
				s.Output = str
			} else {
				s.Output = compactJSON(rsp)
				s.OutputObject = rawJSON(rsp)
			}
		}
		break
	}
	if v := a["componentName"]; truthy(v) {
		s.TraceName = jsString(v)
	}
	extractCustomMetadata(a, prefixAMMeta, o)
}
