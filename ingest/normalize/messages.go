package normalize

import (
	"sort"
	"strconv"
	"strings"
)

// msg is a normalized chat message: content is a string, a part, or an
// array of parts (text, tool-call, tool-result, …).
type msg struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

func userMsg(content any) []msg { return []msg{{Role: "user", Content: content}} }

// roleContentArray converts v to messages when it is an array in which
// every item is an object with role and content.
func roleContentArray(v any) ([]msg, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]msg, 0, len(arr))
	for _, it := range arr {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, false
		}
		role, hasRole := m["role"]
		content, hasContent := m["content"]
		if !hasRole || !hasContent {
			return nil, false
		}
		out = append(out, msg{Role: jsString(role), Content: content})
	}
	return out, true
}

// specMessages converts OTel GenAI semconv messages ({role, parts[]}) or
// plain {role, content} messages. Text parts are joined with "\n"; tool
// calls and responses become tool-call / tool-result parts. ok is false
// when v is not an array of such messages.
func specMessages(v any) ([]msg, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]msg, 0, len(arr))
	for _, it := range arr {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, false
		}
		role := "user"
		if r, ok := m["role"]; ok && r != nil {
			role = jsString(r)
		}
		if parts, ok := m["parts"].([]any); ok {
			out = append(out, msg{Role: role, Content: partsContent(parts)})
			continue
		}
		if c, ok := m["content"]; ok {
			out = append(out, msg{Role: role, Content: c})
			continue
		}
		return nil, false
	}
	return out, true
}

// partsContent renders semconv parts: plain text when only text parts,
// else an array of normalized parts.
func partsContent(parts []any) any {
	var texts []string
	var rich []any
	for _, p := range parts {
		pm, ok := p.(map[string]any)
		if !ok {
			if s, ok := p.(string); ok {
				texts = append(texts, s)
			}
			continue
		}
		switch jsString(pm["type"]) {
		case "text", "":
			if c, ok := pm["content"]; ok {
				texts = append(texts, jsString(c))
			} else if t, ok := pm["text"]; ok {
				texts = append(texts, jsString(t))
			}
		case "tool_call":
			rich = append(rich, map[string]any{
				"type": "tool-call", "toolCallId": jsString(pm["id"]), "toolName": jsString(pm["name"]),
				"args": argsValue(pm["arguments"]),
			})
		case "tool_call_response":
			rich = append(rich, map[string]any{
				"type": "tool-result", "toolCallId": jsString(pm["id"]), "result": pm["response"],
			})
		}
	}
	text := strings.Join(texts, "\n")
	if len(rich) == 0 {
		return text
	}
	content := make([]any, 0, len(rich)+1)
	if text != "" {
		content = append(content, map[string]any{"type": "text", "text": text})
	}
	return append(content, rich...)
}

// argsValue returns tool-call arguments as an object: JSON strings are
// parsed; invalid JSON becomes {"raw": s}.
func argsValue(v any) any {
	switch x := v.(type) {
	case nil:
		return map[string]any{}
	case string:
		if p, ok := parseJSON(x); ok {
			return p
		}
		return map[string]any{"raw": x}
	}
	return v
}

// messagesText keeps only text content, joined with "\n".
func messagesText(ms []msg) string {
	var parts []string
	for _, m := range ms {
		if t := contentText(m.Content); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n")
}

func contentText(c any) string {
	switch x := c.(type) {
	case string:
		return x
	case map[string]any:
		if jsString(x["type"]) == "text" {
			return jsString(x["text"])
		}
	case []any:
		var parts []string
		for _, p := range x {
			if t := contentText(p); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

// indexed collects attributes of the form prefix + i + "." + field,
// grouped by index (ascending).
type indexed struct {
	idx    []int
	fields map[int]map[string]any
}

func collectIndexed(a attrs, prefix string) indexed {
	var ix indexed
	for k, v := range a {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := k[len(prefix):]
		dot := strings.IndexByte(rest, '.')
		if dot <= 0 {
			continue
		}
		i, err := strconv.Atoi(rest[:dot])
		if err != nil || i < 0 {
			continue
		}
		if ix.fields == nil {
			ix.fields = map[int]map[string]any{}
		}
		f := ix.fields[i]
		if f == nil {
			f = map[string]any{}
			ix.fields[i] = f
			ix.idx = append(ix.idx, i)
		}
		f[rest[dot+1:]] = v
	}
	sort.Ints(ix.idx)
	return ix
}

// subIndexed collects fields of one indexed entry: prefix + j + "." + rest.
func subIndexed(f map[string]any, prefix string) indexed {
	return collectIndexed(attrs(f), prefix)
}

// toolCallEntry is one tool call found in indexed message attributes.
type toolCallEntry struct {
	ID, Name string
	Args     any
}

// buildIndexedMessages turns indexed entries into messages. role, text and
// tool calls come from the given field readers; entries with nothing are
// skipped; role defaults to "user"; a message with tool calls gets array
// content [{type:text}?, {type:tool-call}…].
func buildIndexedMessages(ix indexed, read func(f map[string]any) (role, text string, calls []toolCallEntry)) ([]msg, []toolCallEntry) {
	var out []msg
	var all []toolCallEntry
	for _, i := range ix.idx {
		role, text, calls := read(ix.fields[i])
		if role == "" && text == "" && len(calls) == 0 {
			continue
		}
		if role == "" {
			role = "user"
		}
		all = append(all, calls...)
		if len(calls) == 0 {
			out = append(out, msg{Role: role, Content: text})
			continue
		}
		content := make([]any, 0, len(calls)+1)
		if text != "" {
			content = append(content, map[string]any{"type": "text", "text": text})
		}
		for _, c := range calls {
			content = append(content, map[string]any{"type": "tool-call", "toolCallId": c.ID, "toolName": c.Name, "args": c.Args})
		}
		out = append(out, msg{Role: role, Content: content})
	}
	return out, all
}

// toolCallsJSON renders tool calls for span.ToolCalls.
func toolCallsValue(calls []toolCallEntry) []any {
	out := make([]any, len(calls))
	for i, c := range calls {
		out[i] = map[string]any{"type": "tool-call", "toolCallId": c.ID, "toolName": c.Name, "args": c.Args}
	}
	return out
}

// prependSystem prepends system instructions (a string or a JSON parts
// array) unless the first message already is a system message.
func prependSystem(ms []msg, v any) []msg {
	if v == nil {
		return ms
	}
	if len(ms) > 0 && ms[0].Role == "system" {
		return ms
	}
	var text string
	switch x := maybeJSON(v).(type) {
	case string:
		text = x
	case []any:
		if c, ok := partsContent(x).(string); ok {
			text = c
		} else {
			text = contentText(partsContent(x))
		}
	case map[string]any:
		text = contentText(partsContent([]any{x}))
	default:
		text = jsString(x)
	}
	if text == "" {
		return ms
	}
	return append([]msg{{Role: "system", Content: text}}, ms...)
}
