package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/llm"
)

// Wire types of /chat/completions requests.

type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	MaxTokens           *int            `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	TopP                *float64        `json:"top_p,omitempty"`
	TopK                *int            `json:"top_k,omitempty"`
	PresencePenalty     *float64        `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64        `json:"frequency_penalty,omitempty"`
	Stop                []string        `json:"stop,omitempty"`
	Seed                *int64          `json:"seed,omitempty"`
	Tools               []chatTool      `json:"tools,omitempty"`
	ToolChoice          any             `json:"tool_choice,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *streamOptions  `json:"stream_options,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatMessage struct {
	Role       string         `json:"role"`
	Content    any            `json:"content"` // string, []contentPart or nil
	ToolCalls  []chatToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
	Name       string         `json:"name,omitempty"`
}

type contentPart struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	ImageURL *imageURL `json:"image_url,omitempty"`
	File     *filePart `json:"file,omitempty"`
}

type imageURL struct {
	URL string `json:"url"`
}

type filePart struct {
	FileData string `json:"file_data,omitempty"`
	Filename string `json:"filename,omitempty"`
}

type chatTool struct {
	Type     string       `json:"type"`
	Function chatFunction `json:"function"`
}

type chatFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

type chatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema"`
	Strict      bool            `json:"strict,omitempty"`
}

// usesMaxCompletionTokens: OpenAI reasoning models reject max_tokens.
func usesMaxCompletionTokens(model string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}

var schemaNameRE = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

func (p *Provider) buildChat(req *llm.TextRequest, stream bool) (*chatRequest, error) {
	cr := &chatRequest{Model: req.Model}
	s := req.Settings
	if s.MaxTokens != nil {
		if p.official && usesMaxCompletionTokens(req.Model) {
			cr.MaxCompletionTokens = s.MaxTokens
		} else {
			cr.MaxTokens = s.MaxTokens
		}
	}
	cr.Temperature, cr.TopP = s.Temperature, s.TopP
	if !p.official {
		cr.TopK = s.TopK
	}
	cr.PresencePenalty, cr.FrequencyPenalty = s.PresencePenalty, s.FrequencyPenalty
	cr.Stop, cr.Seed = s.StopSequences, s.Seed
	for _, t := range req.Tools {
		params := t.Parameters
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		cr.Tools = append(cr.Tools, chatTool{Type: "function", Function: chatFunction{Name: t.Name, Description: t.Description, Parameters: params}})
	}
	if tc := s.ToolChoice; tc != nil && len(req.Tools) > 0 {
		switch tc.Mode {
		case "auto", "none", "required":
			cr.ToolChoice = tc.Mode
		case "tool":
			cr.ToolChoice = map[string]any{"type": "function", "function": map[string]string{"name": tc.ToolName}}
		}
	}
	if len(req.Schema) > 0 {
		name := schemaNameRE.ReplaceAllString(req.SchemaName, "_")
		if name == "" {
			name = "response"
		}
		if len(name) > 64 {
			name = name[:64]
		}
		cr.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{
			Name: name, Description: req.SchemaDescription, Schema: req.Schema, Strict: StrictCompatible(req.Schema),
		}}
	}
	for _, m := range req.Messages {
		cm, err := toChatMessage(m)
		if err != nil {
			return nil, err
		}
		cr.Messages = append(cr.Messages, cm)
	}
	if stream {
		cr.Stream = true
		cr.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	return cr, nil
}

func toChatMessage(m llm.Message) (chatMessage, error) {
	switch m.Role {
	case llm.RoleSystem:
		return chatMessage{Role: "system", Content: m.Text()}, nil
	case llm.RoleTool:
		return chatMessage{Role: "tool", ToolCallID: m.ToolCallID, Content: m.Text()}, nil
	case llm.RoleAssistant:
		cm := chatMessage{Role: "assistant"}
		text := m.Text()
		if text != "" || len(m.ToolCalls) == 0 {
			cm.Content = text
		}
		for _, tc := range m.ToolCalls {
			var w chatToolCall
			w.ID, w.Type = tc.ID, "function"
			w.Function.Name = tc.Name
			args := string(tc.Args)
			if args == "" {
				args = "{}"
			}
			w.Function.Arguments = args
			cm.ToolCalls = append(cm.ToolCalls, w)
		}
		return cm, nil
	case llm.RoleUser:
		simple := true
		for _, pt := range m.Parts {
			if pt.Type != llm.PartText {
				simple = false
			}
		}
		if simple {
			return chatMessage{Role: "user", Content: m.Text()}, nil
		}
		var parts []contentPart
		for _, pt := range m.Parts {
			switch pt.Type {
			case llm.PartText:
				parts = append(parts, contentPart{Type: "text", Text: pt.Text})
			case llm.PartImage:
				parts = append(parts, contentPart{Type: "image_url", ImageURL: &imageURL{URL: dataURL(pt.Data, pt.MimeType, "image/png")}})
			case llm.PartFile:
				if isHTTP(pt.Data) {
					// Chat completions take files inline only; a URL is
					// passed as an image when it is one, else as text.
					if strings.HasPrefix(pt.MimeType, "image/") {
						parts = append(parts, contentPart{Type: "image_url", ImageURL: &imageURL{URL: pt.Data}})
					} else {
						parts = append(parts, contentPart{Type: "text", Text: pt.Data})
					}
					continue
				}
				if strings.HasPrefix(pt.MimeType, "image/") {
					parts = append(parts, contentPart{Type: "image_url", ImageURL: &imageURL{URL: dataURL(pt.Data, pt.MimeType, "image/png")}})
					continue
				}
				parts = append(parts, contentPart{Type: "file", File: &filePart{FileData: dataURL(pt.Data, pt.MimeType, "application/octet-stream"), Filename: fileName(pt.MimeType)}})
			}
		}
		return chatMessage{Role: "user", Content: parts}, nil
	}
	return chatMessage{}, fmt.Errorf("unsupported message role %q", m.Role)
}

func isHTTP(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// dataURL returns URLs as they are and wraps bare base64 in a data: URL.
func dataURL(data, mime, def string) string {
	if isHTTP(data) || strings.HasPrefix(data, "data:") {
		return data
	}
	if mime == "" {
		mime = def
	}
	return "data:" + mime + ";base64," + data
}

func fileName(mime string) string {
	switch mime {
	case "application/pdf":
		return "file.pdf"
	case "text/plain":
		return "file.txt"
	}
	return "file"
}

// StrictCompatible reports whether a JSON Schema already satisfies OpenAI's
// strict structured-output rules: every object lists all its properties in
// "required" and sets additionalProperties to false. Only then is strict
// mode requested; the schema is never rewritten.
func StrictCompatible(schema json.RawMessage) bool {
	var v any
	if json.Unmarshal(schema, &v) != nil {
		return false
	}
	return strictOK(v, 0)
}

func strictOK(v any, depth int) bool {
	if depth > 64 {
		return false
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if !strictOK(e, depth+1) {
				return false
			}
		}
	case map[string]any:
		props, hasProps := t["properties"].(map[string]any)
		isObj := t["type"] == "object" || hasProps
		if ty, ok := t["type"].([]any); ok {
			for _, x := range ty {
				if x == "object" {
					isObj = true
				}
			}
		}
		if isObj {
			if ap, ok := t["additionalProperties"].(bool); !ok || ap {
				return false
			}
			req, _ := t["required"].([]any)
			have := map[string]bool{}
			for _, r := range req {
				if s, ok := r.(string); ok {
					have[s] = true
				}
			}
			for k := range props {
				if !have[k] {
					return false
				}
			}
		}
		for k, e := range t {
			if k == "enum" || k == "const" || k == "default" || k == "examples" {
				continue
			}
			if !strictOK(e, depth+1) {
				return false
			}
		}
	}
	return true
}

// Wire types of responses (every field optional).

type chatResponse struct {
	ID      string       `json:"id"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   *wireUsage   `json:"usage"`
}

type chatChoice struct {
	Index        int          `json:"index"`
	Message      *respMessage `json:"message"`
	Delta        *respMessage `json:"delta"`
	FinishReason *string      `json:"finish_reason"`
}

type respMessage struct {
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	Refusal   *string         `json:"refusal"`
	ToolCalls []respToolCall  `json:"tool_calls"`
	// Legacy single function call.
	FunctionCall *respFunction `json:"function_call"`
}

type respToolCall struct {
	Index    *int          `json:"index"`
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Function *respFunction `json:"function"`
}

type respFunction struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"` // a JSON string, or (some servers) an object
}

type wireUsage struct {
	PromptTokens        *int `json:"prompt_tokens"`
	CompletionTokens    *int `json:"completion_tokens"`
	TotalTokens         *int `json:"total_tokens"`
	InputTokens         *int `json:"input_tokens"`
	OutputTokens        *int `json:"output_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	InputTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
	OutputTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

func (w *wireUsage) toUsage() llm.Usage {
	if w == nil {
		return llm.Usage{}
	}
	deref := func(ps ...*int) int {
		for _, p := range ps {
			if p != nil {
				return *p
			}
		}
		return 0
	}
	u := llm.Usage{
		InputTokens:  deref(w.PromptTokens, w.InputTokens),
		OutputTokens: deref(w.CompletionTokens, w.OutputTokens),
	}
	if w.TotalTokens != nil {
		u.TotalTokens = *w.TotalTokens
	} else {
		u.TotalTokens = u.InputTokens + u.OutputTokens
	}
	if d := w.PromptTokensDetails; d != nil {
		u.CachedInputTokens = d.CachedTokens
	} else if d := w.InputTokensDetails; d != nil {
		u.CachedInputTokens = d.CachedTokens
	}
	if d := w.CompletionTokensDetails; d != nil {
		u.ReasoningTokens = d.ReasoningTokens
	} else if d := w.OutputTokensDetails; d != nil {
		u.ReasoningTokens = d.ReasoningTokens
	}
	return u
}

// MapFinishReason normalises an OpenAI finish_reason.
func MapFinishReason(r string) string {
	switch r {
	case "stop", "end_turn", "eos", "stop_sequence":
		return llm.FinishStop
	case "length", "max_tokens", "model_length":
		return llm.FinishLength
	case "tool_calls", "function_call", "tool_use":
		return llm.FinishToolCalls
	case "content_filter":
		return llm.FinishContentFilter
	case "error":
		return llm.FinishError
	case "":
		return ""
	}
	return llm.FinishOther
}

// contentText reads message content: a string, null, or an array of
// {type:"text", text} parts.
func contentText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		return b.String()
	}
	return ""
}

// argsString reads tool-call arguments sent as a JSON string or as a raw
// JSON value.
func argsString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// normArgs turns accumulated argument text into a JSON object.
func normArgs(s string) json.RawMessage {
	s = strings.TrimSpace(s)
	if s == "" {
		return json.RawMessage("{}")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	// Not JSON: pass it on as a string so the tool loop can report it.
	b, _ := json.Marshal(s)
	return b
}

func (p *Provider) encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Generate implements llm.TextProvider.
func (p *Provider) Generate(ctx context.Context, req *llm.TextRequest) (*llm.TextResponse, error) {
	cr, err := p.buildChat(req, false)
	if err != nil {
		return nil, err
	}
	body, err := p.encode(cr)
	if err != nil {
		return nil, err
	}
	resp, cancel, err := p.do(ctx, "/chat/completions", body, false)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, p.readErr(ctx, err)
	}
	if isEventStream(resp) {
		// A server that streams although we did not ask.
		return collect(p.parseSSE(ctx, bytes.NewReader(data)))
	}
	return p.parseCompletion(data)
}

func (p *Provider) readErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &llm.APIError{Provider: p.name, Message: "reading the response: " + p.scrub(err.Error())}
}

func isEventStream(resp *http.Response) bool {
	return strings.Contains(resp.Header.Get("Content-Type"), "text/event-stream")
}

func (p *Provider) parseCompletion(data []byte) (*llm.TextResponse, error) {
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		s := strings.TrimSpace(string(data))
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		return nil, &llm.APIError{Provider: p.name, Status: 200, Message: fmt.Sprintf("invalid JSON in the response: %v: %s", err, p.scrub(s))}
	}
	if len(cr.Choices) == 0 {
		if _, msg := parseErrorBody(data); msg != "" && bytes.Contains(data, []byte(`"error"`)) {
			return nil, &llm.APIError{Provider: p.name, Status: 200, Message: p.scrub(msg)}
		}
		return nil, &llm.APIError{Provider: p.name, Status: 200, Message: "the response has no choices"}
	}
	sort.SliceStable(cr.Choices, func(i, j int) bool { return cr.Choices[i].Index < cr.Choices[j].Index })
	ch := cr.Choices[0]
	out := &llm.TextResponse{Model: cr.Model, Usage: cr.Usage.toUsage()}
	m := ch.Message
	if m == nil {
		m = ch.Delta
	}
	if m != nil {
		out.Text = contentText(m.Content)
		if out.Text == "" && m.Refusal != nil {
			out.Text = *m.Refusal
		}
		for i, tc := range m.ToolCalls {
			if tc.Function == nil {
				continue
			}
			id := tc.ID
			if id == "" {
				id = "call_" + strconv.Itoa(i)
			}
			out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: id, Name: tc.Function.Name, Args: normArgs(argsString(tc.Function.Arguments))})
		}
		if m.FunctionCall != nil && len(m.ToolCalls) == 0 {
			out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: "call_0", Name: m.FunctionCall.Name, Args: normArgs(argsString(m.FunctionCall.Arguments))})
		}
	}
	reason := ""
	if ch.FinishReason != nil {
		reason = *ch.FinishReason
	}
	out.FinishReason = finish(reason, len(out.ToolCalls) > 0)
	return out, nil
}

// finish maps a reason, inferring one when the server sent none.
func finish(reason string, toolCalls bool) string {
	r := MapFinishReason(reason)
	if r == "" || (toolCalls && r == llm.FinishStop) {
		if toolCalls {
			return llm.FinishToolCalls
		}
		return llm.FinishStop
	}
	return r
}

func collect(seq iter.Seq2[llm.StreamEvent, error]) (*llm.TextResponse, error) {
	out := &llm.TextResponse{}
	var b strings.Builder
	for ev, err := range seq {
		if err != nil {
			return nil, err
		}
		switch ev.Type {
		case llm.EventTextDelta:
			b.WriteString(ev.TextDelta)
		case llm.EventToolCall:
			out.ToolCalls = append(out.ToolCalls, *ev.ToolCall)
		case llm.EventFinish:
			out.FinishReason, out.Usage = ev.FinishReason, ev.Usage
		}
	}
	out.Text = b.String()
	return out, nil
}

// Stream implements llm.TextProvider. It asks for usage with
// stream_options.include_usage and, when a server rejects that option
// (400/422), retries once without it.
func (p *Provider) Stream(ctx context.Context, req *llm.TextRequest) iter.Seq2[llm.StreamEvent, error] {
	return func(yield func(llm.StreamEvent, error) bool) {
		cr, err := p.buildChat(req, true)
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		body, err := p.encode(cr)
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		resp, cancel, err := p.do(ctx, "/chat/completions", body, true)
		var ae *llm.APIError
		if err != nil && errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 422) {
			cr.StreamOptions = nil
			if body2, err2 := p.encode(cr); err2 == nil {
				if resp2, cancel2, err2 := p.do(ctx, "/chat/completions", body2, true); err2 == nil {
					resp, cancel, err = resp2, cancel2, nil
				}
			}
		}
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		defer cancel()
		defer resp.Body.Close()
		if !isEventStream(resp) && strings.Contains(resp.Header.Get("Content-Type"), "json") {
			// The server ignored "stream": answer from the whole response.
			data, err := io.ReadAll(resp.Body)
			if err != nil {
				yield(llm.StreamEvent{}, p.readErr(ctx, err))
				return
			}
			if r, err := p.parseCompletion(data); err == nil {
				emitResponse(r, yield)
				return
			}
			// Maybe SSE without the content type.
			for ev, err := range p.parseSSE(ctx, bytes.NewReader(data)) {
				if !yield(ev, err) || err != nil {
					return
				}
			}
			return
		}
		for ev, err := range p.parseSSE(ctx, resp.Body) {
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

func emitResponse(r *llm.TextResponse, yield func(llm.StreamEvent, error) bool) {
	if r.Text != "" && !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: r.Text}, nil) {
		return
	}
	for i := range r.ToolCalls {
		if !yield(llm.StreamEvent{Type: llm.EventToolCall, ToolCall: &r.ToolCalls[i]}, nil) {
			return
		}
	}
	yield(llm.StreamEvent{Type: llm.EventFinish, FinishReason: r.FinishReason, Usage: r.Usage}, nil)
}

type pendingCall struct {
	id, name string
	args     strings.Builder
}

// parseSSE reads chat.completion.chunk events. It tolerates "data:" with
// or without a space, comments, event:/id: lines, multi-line data, a
// missing [DONE] and a final event without a blank line.
func (p *Provider) parseSSE(ctx context.Context, r io.Reader) iter.Seq2[llm.StreamEvent, error] {
	return func(yield func(llm.StreamEvent, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var (
			data     []byte
			calls    = map[int]*pendingCall{}
			order    []int
			reason   string
			usage    llm.Usage
			sawUsage bool
		)
		finishUp := func() {
			sort.Ints(order)
			for i, idx := range order {
				c := calls[idx]
				id := c.id
				if id == "" {
					id = "call_" + strconv.Itoa(i)
				}
				tc := llm.ToolCall{ID: id, Name: c.name, Args: normArgs(c.args.String())}
				if !yield(llm.StreamEvent{Type: llm.EventToolCall, ToolCall: &tc}, nil) {
					return
				}
			}
			ev := llm.StreamEvent{Type: llm.EventFinish, FinishReason: finish(reason, len(order) > 0)}
			if sawUsage {
				ev.Usage = usage
			}
			yield(ev, nil)
		}
		// dispatch handles one event; it returns done=true at [DONE] and
		// stop=true when the consumer stopped or an error was yielded.
		dispatch := func(ev []byte) (done, stop bool) {
			ev = bytes.TrimSpace(ev)
			if len(ev) == 0 {
				return false, false
			}
			if string(ev) == "[DONE]" {
				return true, false
			}
			var chunk chatResponse
			if err := json.Unmarshal(ev, &chunk); err != nil {
				return false, false // ignore unparsable events
			}
			if len(chunk.Choices) == 0 && bytes.Contains(ev, []byte(`"error"`)) {
				_, msg := parseErrorBody(ev)
				yield(llm.StreamEvent{}, &llm.APIError{Provider: p.name, Status: 200, Message: p.scrub(msg)})
				return false, true
			}
			if chunk.Usage != nil {
				usage, sawUsage = chunk.Usage.toUsage(), true
			}
			for _, ch := range chunk.Choices {
				if ch.Index != 0 {
					continue
				}
				d := ch.Delta
				if d == nil {
					d = ch.Message
				}
				if d != nil {
					if t := contentText(d.Content); t != "" {
						if !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: t}, nil) {
							return false, true
						}
					}
					for k, tc := range d.ToolCalls {
						idx := k
						if tc.Index != nil {
							idx = *tc.Index
						} else if tc.ID != "" {
							// No index: match by id, else a new call.
							idx = -1
							for _, i := range order {
								if calls[i].id == tc.ID {
									idx = i
								}
							}
							if idx < 0 {
								idx = len(order)
							}
						} else if len(order) > 0 {
							idx = order[len(order)-1]
						}
						c, ok := calls[idx]
						if !ok {
							c = &pendingCall{}
							calls[idx] = c
							order = append(order, idx)
						}
						if tc.ID != "" {
							c.id = tc.ID
						}
						if tc.Function != nil {
							if tc.Function.Name != "" {
								c.name = tc.Function.Name
							}
							c.args.WriteString(argsString(tc.Function.Arguments))
						}
					}
				}
				if ch.FinishReason != nil && *ch.FinishReason != "" {
					reason = *ch.FinishReason
				}
			}
			return false, false
		}
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				l := bytes.TrimRight(line, "\r\n")
				switch {
				case len(l) == 0:
					done, stop := dispatch(data)
					data = data[:0]
					if stop {
						return
					}
					if done {
						finishUp()
						return
					}
				case l[0] == ':':
				case bytes.HasPrefix(l, []byte("data:")):
					v := bytes.TrimPrefix(l[5:], []byte(" "))
					if len(data) > 0 {
						data = append(data, '\n')
					}
					data = append(data, v...)
				case bytes.HasPrefix(l, []byte("{")) && len(data) == 0:
					// NDJSON-style servers: a bare JSON line is an event.
					done, stop := dispatch(l)
					if stop {
						return
					}
					if done {
						finishUp()
						return
					}
				}
			}
			if err != nil {
				if err != io.EOF {
					yield(llm.StreamEvent{}, p.readErr(ctx, err))
					return
				}
				done, stop := dispatch(data)
				if stop {
					return
				}
				_ = done
				finishUp()
				return
			}
		}
	}
}

// decodeB64 decodes standard or URL-safe base64, padded or not.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.URLEncoding.DecodeString(s)
}
