package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
)

// Execution is one prompt run handed to an Executor.
type Execution struct {
	Prompt *agentmark.Prompt
	// Kind is "text", "object", "image" or "speech".
	Kind string
	// Props are the props the prompt was rendered with; PropsGiven is set
	// when they came with the job (customProps, a dataset row's input)
	// rather than from test_settings.
	Props      jsvalue.Value
	PropsGiven bool
	// Formatted is the prompt's neutral format() output; Call is the
	// model call built from it.
	Formatted *jsvalue.Object
	Call      *llm.Call
	// Stream is set for streamed prompt-runs (emit is non-nil then).
	Stream bool
}

// Outcome is what an execution produced.
type Outcome struct {
	// Text: the final text (text prompts).
	Text string
	// Object: the resolved value (object prompts); nil when none.
	Object       json.RawMessage
	Usage        *AgentUsage
	FinishReason string
	ToolCalls    []WireToolCall
	ToolResults  []WireToolResult
	// Images (image prompts) and Audio (speech prompts).
	Images []MediaFile
	Audio  *MediaFile
	// TraceID, when set, overrides the tracer's trace id.
	TraceID string
}

// Executor runs prompts. For streamed text and object runs, emit
// receives the run's events as they happen (text deltas, tool calls and
// results, object deltas, the final object, the finish event); an error
// from emit must stop the run. Returning an error fails the run.
type Executor interface {
	Execute(ctx context.Context, x *Execution, emit func(AgentEvent) error) (*Outcome, error)
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(ctx context.Context, x *Execution, emit func(AgentEvent) error) (*Outcome, error)

// Execute implements Executor.
func (f ExecutorFunc) Execute(ctx context.Context, x *Execution, emit func(AgentEvent) error) (*Outcome, error) {
	return f(ctx, x, emit)
}

// ClientExecutor runs prompts with the agentmark client's models and
// tools (the default executor).
type ClientExecutor struct{}

// Execute implements Executor.
func (ClientExecutor) Execute(ctx context.Context, x *Execution, emit func(AgentEvent) error) (*Outcome, error) {
	var onEvent func(llm.Event) error
	if emit != nil && (x.Kind == KindText || x.Kind == KindObject) {
		onEvent = func(ev llm.Event) error {
			switch ev.Type {
			case llm.EvTextDelta:
				return emit(AgentEvent{Type: EventTextDelta, Text: ev.Text})
			case llm.EvToolCall:
				return emit(AgentEvent{Type: EventToolCall, ID: ev.ToolCall.ID, Name: ev.ToolCall.Name, Args: ev.ToolCall.Args})
			case llm.EvToolResult:
				return emit(AgentEvent{Type: EventToolResult, ID: ev.ToolResult.ToolCallID, Name: ev.ToolResult.ToolName,
					Result: ev.ToolResult.Result, IsError: ev.ToolResult.IsError})
			case llm.EvObject:
				return emit(AgentEvent{Type: EventObjectFinal, Value: ev.Object})
			}
			return nil
		}
	}
	var props any
	if x.PropsGiven {
		props = x.Props
	}
	res, traceID, err := x.Prompt.Execute(ctx, x.Call, props, onEvent)
	if err != nil {
		return nil, err
	}
	out := OutcomeFromResult(res)
	out.TraceID = traceID
	if emit != nil && (x.Kind == KindText || x.Kind == KindObject) {
		if err := emit(AgentEvent{Type: EventFinish, Reason: out.FinishReason, Usage: out.Usage}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OutcomeFromResult converts an llm.Result.
func OutcomeFromResult(res *llm.Result) *Outcome {
	out := &Outcome{Text: res.Text, FinishReason: res.FinishReason}
	if res.Kind == llm.KindObject && len(res.Object) > 0 {
		out.Object = res.Object
	}
	switch res.Kind {
	case llm.KindText, llm.KindObject:
		out.Usage = UsageFrom(res.Usage)
	}
	for _, tc := range res.ToolCalls() {
		out.ToolCalls = append(out.ToolCalls, WireToolCall{ToolCallID: tc.ID, ToolName: tc.Name, Args: tc.Args})
	}
	for _, tr := range res.ToolResults() {
		out.ToolResults = append(out.ToolResults, WireToolResult{ToolCallID: tr.ToolCallID, ToolName: tr.ToolName, Result: tr.Result})
	}
	for _, img := range res.Images {
		out.Images = append(out.Images, MediaFile{MimeType: img.MimeType, Base64: base64.StdEncoding.EncodeToString(img.Data)})
	}
	if res.Audio != nil {
		out.Audio = &MediaFile{MimeType: res.Audio.MimeType, Base64: base64.StdEncoding.EncodeToString(res.Audio.Data), Format: res.AudioFormat}
	}
	return out
}
