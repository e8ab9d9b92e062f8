package llm

import "context"

// Observer is told about the model calls and tool calls of a run; the
// trace package implements it to record OpenTelemetry spans. A nil
// Generator.Observer observes nothing, so llm never needs a collector.
//
// Both methods are called synchronously by the Generator: ModelCall right
// before a provider call, ToolCall right before a tool runs (tool calls of
// one step run concurrently, so ToolCall must be safe for concurrent use).
// Each returns the context the call runs with (so nested work, such as
// the tools a model call asked for, can attach to it) and a function the
// Generator calls exactly once when the call is over.
type Observer interface {
	ModelCall(ctx context.Context, info ModelCallInfo) (context.Context, func(ModelCallEnd))
	ToolCall(ctx context.Context, call ToolCall) (context.Context, func(ToolResult))
}

// ModelCallInfo describes one model call.
type ModelCallInfo struct {
	Kind      string // KindText, KindObject, KindImage or KindSpeech
	Step      int    // 0-based step of the tool loop
	ModelName string // model_name as written in the prompt
	Provider  string // provider instance name ("openai", "mock")
	Model     string // the provider's model id
	Stream    bool
	// The request: Text for text and object prompts, Image or Speech
	// otherwise. Observers must not keep or modify it.
	Text   *TextRequest
	Image  *ImageRequest
	Speech *SpeechRequest
}

// ModelCallEnd is the outcome of one model call: Response for text and
// object calls (nil on error), Usage for every kind, Err on failure.
type ModelCallEnd struct {
	Response *TextResponse
	Usage    Usage
	Err      error
}

func (g *Generator) observeModel(ctx context.Context, info ModelCallInfo) (context.Context, func(ModelCallEnd)) {
	if g.Observer == nil {
		return ctx, func(ModelCallEnd) {}
	}
	return g.Observer.ModelCall(ctx, info)
}

func (g *Generator) observeTool(ctx context.Context, call ToolCall) (context.Context, func(ToolResult)) {
	if g.Observer == nil {
		return ctx, func(ToolResult) {}
	}
	return g.Observer.ToolCall(ctx, call)
}
