package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/agentmark-go/agentmark/llm"
)

// PromptRunInfo describes a prompt run to trace.
type PromptRunInfo struct {
	Call *llm.Call
	// Props are the props the prompt was rendered with (agentmark.props).
	Props any
	// Stream: a streamed run, whose output so far is recorded if it fails
	// (a failed non-streamed run records no output).
	Stream bool
	// PromptPath is the prompt file's path in the project (optional).
	PromptPath string
}

// PromptRun is the span of one prompt run — the contract of upstream's
// WebhookRunner prompt span (§B.9, span-io.json): gen_ai.request.model
// (model_name as written), gen_ai.operation.name=chat,
// agentmark.span.kind=llm, agentmark.prompt_name, agentmark.props,
// agentmark.input (the rendered messages as [{role, content}]) at start;
// agentmark.output and gen_ai.usage.* once the run is over. When it is the
// root span, agentmark.trace_name is the prompt's name. Model calls and
// tool calls of the run are its children (see Observer). A nil
// *PromptRun is valid and records nothing.
type PromptRun struct {
	s       *SpanCtx
	kind    string
	stream  bool
	obs     llm.Observer
	mu      sync.Mutex
	partial strings.Builder
	ended   bool
}

// StartPromptRun starts the span of a prompt run. Run the generator with
// the returned context and r.Observer(), pass streamed events to
// r.OnEvent, and call r.End with the outcome.
func StartPromptRun(ctx context.Context, info PromptRunInfo, opts ...SpanOption) (context.Context, *PromptRun) {
	if ctx == nil {
		ctx = context.Background()
	}
	c := newConfig(opts)
	call := info.Call
	if call == nil {
		call = &llm.Call{}
	}
	name := call.Name
	if name == "" {
		name = "prompt-run"
	}
	root := !oteltrace.SpanContextFromContext(ctx).IsValid()
	c.kind = KindLLM
	base := []attribute.KeyValue{attribute.String(GenAIOperationName, OpChat)}
	if call.ModelName != "" {
		base = append(base, attribute.String(GenAIRequestModel, call.ModelName))
	}
	if call.Name != "" {
		base = append(base, attribute.String(AttrPromptName, call.Name))
	}
	if info.PromptPath != "" {
		base = append(base, attribute.String(AttrPromptPath, info.PromptPath))
	}
	c.attrs = append(base, c.attrs...)
	ctx, s := start(ctx, name, c, root)
	r := &PromptRun{s: s, kind: call.Kind, stream: info.Stream}
	if s.Recording() {
		if info.Props != nil {
			s.span.SetAttributes(attribute.String(AttrProps, ioString(compactJSON(info.Props))))
		}
		s.span.SetAttributes(attribute.String(AttrInput, ioString(promptMessages(call))))
		r.obs = &observer{}
	}
	return ctx, r
}

// Observer is the llm.Observer that records the run's model and tool
// calls (nil when the span does not record).
func (r *PromptRun) Observer() llm.Observer {
	if r == nil || r.obs == nil {
		return nil
	}
	return r.obs
}

// TraceID is the run's trace id ("" when not recording).
func (r *PromptRun) TraceID() string {
	if r == nil {
		return ""
	}
	return r.s.TraceID()
}

// Span is the prompt span's handle.
func (r *PromptRun) Span() *SpanCtx {
	if r == nil {
		return nil
	}
	return r.s
}

// OnEvent keeps the streamed text, recorded as the output if the run
// fails part way.
func (r *PromptRun) OnEvent(ev llm.Event) {
	if r == nil || ev.Type != llm.EvTextDelta || !r.s.Recording() {
		return
	}
	r.mu.Lock()
	r.partial.WriteString(ev.Text)
	r.mu.Unlock()
}

// End records the outcome and ends the span (once; later calls do
// nothing). On success: agentmark.output, gen_ai.usage.input_tokens,
// output_tokens and total_tokens (the provider's total, else input +
// output), the finish reason. On failure: status ERROR; a streamed run
// keeps its partial text output, a non-streamed one records no output.
func (r *PromptRun) End(res *llm.Result, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return
	}
	r.ended = true
	partial := r.partial.String()
	r.mu.Unlock()
	sp := r.s.span
	if !sp.IsRecording() {
		r.s.End(err)
		return
	}
	if err != nil {
		if r.stream && partial != "" {
			sp.SetAttributes(attribute.String(AttrOutput, ioString(partial)))
		}
		if errors.Is(err, errStopped) {
			// The consumer stopped reading: not a failure of the run.
			sp.AddEvent("stream.stopped")
			r.s.End(nil)
			return
		}
		r.s.End(err)
		return
	}
	if res != nil {
		if out, ok := resultOutput(res); ok {
			sp.SetAttributes(attribute.String(AttrOutput, ioString(out)))
		}
		u := res.Usage
		if res.Kind == llm.KindText || res.Kind == llm.KindObject || u != (llm.Usage{}) {
			sp.SetAttributes(usageAttrs(u, false)...)
		}
		if res.FinishReason != "" {
			sp.SetAttributes(attribute.StringSlice(GenAIResponseFinishReasons, []string{res.FinishReason}))
		}
	}
	r.s.End(nil)
}

// StopStream ends a streamed run its consumer stopped reading.
func (r *PromptRun) StopStream() { r.End(nil, errStopped) }

func resultOutput(res *llm.Result) (string, bool) {
	switch res.Kind {
	case llm.KindText:
		return res.Text, true
	case llm.KindObject:
		if len(res.Object) > 0 {
			return compactJSON(res.Object), true
		}
		return res.Text, true
	case llm.KindImage:
		type img struct {
			MimeType string `json:"mimeType"`
			Bytes    int    `json:"bytes"`
		}
		imgs := []img{}
		for _, m := range res.Images {
			imgs = append(imgs, img{m.MimeType, len(m.Data)})
		}
		return compactJSON(map[string]any{"images": imgs, "files": res.Files}), true
	case llm.KindSpeech:
		if res.Audio != nil {
			return compactJSON(map[string]any{"audio": map[string]any{"mimeType": res.Audio.MimeType, "format": res.AudioFormat,
				"bytes": len(res.Audio.Data)}, "files": res.Files}), true
		}
	}
	return "", false
}

// usageAttrs are the gen_ai.usage attributes of u; the total is the
// provider's when reported, else input + output (finalize-usage.json).
func usageAttrs(u llm.Usage, details bool) []attribute.KeyValue {
	total := u.TotalTokens
	if total == 0 {
		total = u.InputTokens + u.OutputTokens
	}
	out := []attribute.KeyValue{
		attribute.Int(GenAIUsageInputTokens, u.InputTokens),
		attribute.Int(GenAIUsageOutputTokens, u.OutputTokens),
		attribute.Int(GenAIUsageTotalTokens, total),
	}
	if details && u.CachedInputTokens > 0 {
		out = append(out, attribute.Int(GenAIUsageCacheReadInputTokens, u.CachedInputTokens))
	}
	if details && u.ReasoningTokens > 0 {
		out = append(out, attribute.Int(GenAIUsageReasoningTokens, u.ReasoningTokens))
	}
	return out
}

// promptMessages is the rendered prompt as [{role, content}].
func promptMessages(c *llm.Call) []map[string]any {
	switch c.Kind {
	case llm.KindImage:
		if c.Image != nil {
			return []map[string]any{{"role": llm.RoleUser, "content": c.Image.Prompt}}
		}
	case llm.KindSpeech:
		if c.Speech != nil {
			msgs := []map[string]any{}
			if c.Speech.Instructions != "" {
				msgs = append(msgs, map[string]any{"role": llm.RoleSystem, "content": c.Speech.Instructions})
			}
			return append(msgs, map[string]any{"role": llm.RoleUser, "content": c.Speech.Text})
		}
	}
	return Messages(c.Request.Messages)
}

// Messages converts chat messages to the normalized wire form
// [{role, content}]: content is a string for text-only messages, else an
// array of parts ({type:"text",text}, {type:"tool-call",toolCallId,
// toolName,args}, {type:"tool-result",toolCallId,toolName,result},
// {type:"image"|"file",mimeType,data}; inline binary data is replaced by a
// size note).
func Messages(ms []llm.Message) []map[string]any {
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		entry := map[string]any{"role": m.Role}
		textOnly := len(m.ToolCalls) == 0 && m.Role != llm.RoleTool
		for _, p := range m.Parts {
			if p.Type != llm.PartText {
				textOnly = false
			}
		}
		if textOnly {
			entry["content"] = m.Text()
			out = append(out, entry)
			continue
		}
		parts := []any{}
		if m.Role == llm.RoleTool {
			parts = append(parts, map[string]any{"type": "tool-result", "toolCallId": m.ToolCallID, "toolName": m.ToolName, "result": m.Text()})
		} else {
			for _, p := range m.Parts {
				switch p.Type {
				case llm.PartText:
					parts = append(parts, map[string]any{"type": "text", "text": p.Text})
				default:
					data := p.Data
					if !strings.HasPrefix(data, "http://") && !strings.HasPrefix(data, "https://") {
						data = "[inline data, " + itoa(len(p.Data)) + " characters]"
					}
					parts = append(parts, map[string]any{"type": p.Type, "mimeType": p.MimeType, "data": data})
				}
			}
		}
		for _, tc := range m.ToolCalls {
			parts = append(parts, map[string]any{"type": "tool-call", "toolCallId": tc.ID, "toolName": tc.Name, "args": argsValue(tc.Args)})
		}
		entry["content"] = parts
		out = append(out, entry)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// toolArgs is a call's arguments as recorded: compact JSON ("{}" when
// empty), or the raw text when it is not JSON.
func toolArgs(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "{}"
	}
	return ioString(raw)
}

// argsValue is a tool call's arguments as a JSON value (invalid JSON:
// the raw text).
func argsValue(raw json.RawMessage) any {
	if len(raw) == 0 {
		return map[string]any{}
	}
	if json.Valid(raw) {
		return raw
	}
	return string(raw)
}

// NewObserver is an llm.Observer that records model and tool calls as
// spans of p (nil: the provider of the enclosing span or the default
// one), for code that runs an llm.Generator without a prompt span.
func NewObserver(p *Provider) llm.Observer { return &observer{p: p} }

type observer struct{ p *Provider }

// ModelCall starts a generation span "chat <model>" (text and object
// calls; "generate_image <model>" and "generate_speech <model>"
// otherwise) with the request's gen_ai attributes; it ends with the
// response model, output, finish reasons and usage.
func (o *observer) ModelCall(ctx context.Context, info llm.ModelCallInfo) (context.Context, func(llm.ModelCallEnd)) {
	op := OpChat
	switch info.Kind {
	case llm.KindImage:
		op = OpGenerateImage
	case llm.KindSpeech:
		op = OpGenerateSpeech
	}
	model := info.Model
	if model == "" {
		model = info.ModelName
	}
	c := &spanConfig{provider: o.p, kind: KindLLM, attrs: []attribute.KeyValue{
		attribute.String(GenAIOperationName, op),
		attribute.String(GenAISystem, info.Provider),
		attribute.String(GenAIProviderName, info.Provider),
		attribute.String(GenAIRequestModel, model),
	}}
	ctx, s := start(ctx, op+" "+model, c, false)
	if !s.Recording() {
		return ctx, func(llm.ModelCallEnd) { s.End(nil) }
	}
	sp := s.span
	switch {
	case info.Text != nil:
		sp.SetAttributes(settingsAttrs(info.Text.Settings)...)
		sp.SetAttributes(attribute.String(GenAIRequestInput, ioString(Messages(info.Text.Messages))))
		if len(info.Text.Tools) > 0 {
			defs := make([]map[string]any, 0, len(info.Text.Tools))
			for _, t := range info.Text.Tools {
				d := map[string]any{"name": t.Name, "description": t.Description}
				if len(t.Parameters) > 0 {
					d["parameters"] = t.Parameters
				}
				defs = append(defs, d)
			}
			sp.SetAttributes(attribute.String(GenAIToolDefinitions, ioString(defs)))
		}
	case info.Image != nil:
		sp.SetAttributes(attribute.String(GenAIRequestInput, ioString([]map[string]any{{"role": llm.RoleUser, "content": info.Image.Prompt}})))
	case info.Speech != nil:
		sp.SetAttributes(attribute.String(GenAIRequestInput, ioString([]map[string]any{{"role": llm.RoleUser, "content": info.Speech.Text}})))
	}
	return ctx, func(e llm.ModelCallEnd) {
		if e.Err != nil {
			s.End(e.Err)
			return
		}
		respModel := model
		if e.Response != nil && e.Response.Model != "" {
			respModel = e.Response.Model
		}
		sp.SetAttributes(attribute.String(GenAIResponseModel, respModel))
		if r := e.Response; r != nil {
			sp.SetAttributes(attribute.String(GenAIResponseOutput, ioString(r.Text)))
			if r.FinishReason != "" {
				sp.SetAttributes(attribute.StringSlice(GenAIResponseFinishReasons, []string{r.FinishReason}))
			}
			if len(r.ToolCalls) > 0 {
				names := make([]string, len(r.ToolCalls))
				for i, tc := range r.ToolCalls {
					names[i] = tc.Name
				}
				sp.SetAttributes(attribute.StringSlice("agentmark.response.tool_names", names))
			}
		}
		if info.Text != nil || e.Usage != (llm.Usage{}) {
			sp.SetAttributes(usageAttrs(e.Usage, true)...)
		}
		s.End(nil)
	}
}

func settingsAttrs(st llm.Settings) []attribute.KeyValue {
	var out []attribute.KeyValue
	if st.Temperature != nil {
		out = append(out, attribute.Float64(GenAIRequestTemperature, *st.Temperature))
	}
	if st.MaxTokens != nil {
		out = append(out, attribute.Int(GenAIRequestMaxTokens, *st.MaxTokens))
	}
	if st.TopP != nil {
		out = append(out, attribute.Float64(GenAIRequestTopP, *st.TopP))
	}
	if st.TopK != nil {
		out = append(out, attribute.Int(GenAIRequestTopK, *st.TopK))
	}
	if st.PresencePenalty != nil {
		out = append(out, attribute.Float64(GenAIRequestPresencePenalty, *st.PresencePenalty))
	}
	if st.FrequencyPenalty != nil {
		out = append(out, attribute.Float64(GenAIRequestFrequencyPenalty, *st.FrequencyPenalty))
	}
	if len(st.StopSequences) > 0 {
		out = append(out, attribute.StringSlice(GenAIRequestStopSequences, st.StopSequences))
	}
	if st.Seed != nil {
		out = append(out, attribute.Int64(GenAIRequestSeed, *st.Seed))
	}
	return out
}

// ToolCall starts a span "execute_tool <name>" with gen_ai.tool.name,
// gen_ai.tool.call.id and the arguments (gen_ai.tool.input); it ends with
// the result (gen_ai.tool.output), ERROR when the tool failed.
func (o *observer) ToolCall(ctx context.Context, call llm.ToolCall) (context.Context, func(llm.ToolResult)) {
	c := &spanConfig{provider: o.p, kind: KindTool, attrs: []attribute.KeyValue{
		attribute.String(GenAIOperationName, OpExecuteTool),
		attribute.String(GenAIToolName, call.Name),
		attribute.String(GenAIToolCallID, call.ID),
		attribute.String(GenAIToolInput, toolArgs(call.Args)),
	}}
	ctx, s := start(ctx, OpExecuteTool+" "+call.Name, c, false)
	return ctx, func(r llm.ToolResult) {
		if !s.Recording() {
			s.End(nil)
			return
		}
		out := toolResultText(r.Result)
		s.span.SetAttributes(attribute.String(GenAIToolOutput, ioString(out)))
		if r.IsError {
			s.span.SetStatus(codes.Error, out)
			s.mu.Lock()
			s.ended = true
			s.mu.Unlock()
			s.span.End()
			return
		}
		s.End(nil)
	}
}

// toolResultText: string results as they are, other values as JSON.
func toolResultText(r json.RawMessage) string {
	var s string
	if len(r) > 0 && r[0] == '"' && json.Unmarshal(r, &s) == nil {
		return s
	}
	return compactJSON(r)
}
