// Package span is the one normalized span model every stage of the
// observability pipeline works on: OTLP ingestion decodes and normalizes
// into it, stores persist it, the API and UI read it.
package span

import "encoding/json"

// Span types.
const (
	TypeSpan       = "SPAN"
	TypeGeneration = "GENERATION"
	TypeEvent      = "EVENT"
)

// Semantic kinds.
const (
	KindFunction  = "function"
	KindLLM       = "llm"
	KindTool      = "tool"
	KindAgent     = "agent"
	KindRetrieval = "retrieval"
	KindEmbedding = "embedding"
	KindGuardrail = "guardrail"
)

// Span is a normalized span (upstream's NormalizedSpan plus the columns the
// Go store adds: app scope, semantic kind, commit SHA, environment, tags and
// cost flags). Optional fields are zero when absent.
type Span struct {
	AppID string `json:"appId,omitempty"`

	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId,omitempty"`
	TraceState   string `json:"traceState,omitempty"`

	Type         string `json:"type"`                   // TypeSpan or TypeGeneration
	StartTimeNs  int64  `json:"startTimeUnixNano"`      // start, Unix nanoseconds
	EndTimeNs    int64  `json:"endTimeUnixNano"`        // end, Unix nanoseconds
	Name         string `json:"name"`                   // after transformer override (e.g. tool name)
	Kind         string `json:"kind,omitempty"`         // OTel span kind, e.g. "SPAN_KIND_CLIENT"
	SemanticKind string `json:"semanticKind,omitempty"` // function|llm|tool|agent|retrieval|embedding|guardrail
	ServiceName  string `json:"serviceName,omitempty"`
	StatusCode   string `json:"statusCode,omitempty"` // "0" unset, "1" ok, "2" error
	StatusMsg    string `json:"statusMessage,omitempty"`

	Model           string  `json:"model,omitempty"`
	InputTokens     int64   `json:"inputTokens,omitempty"`
	OutputTokens    int64   `json:"outputTokens,omitempty"`
	TotalTokens     int64   `json:"totalTokens,omitempty"`
	CachedTokens    int64   `json:"cachedInputTokens,omitempty"`
	ReasoningTokens int64   `json:"reasoningTokens,omitempty"`
	Cost            float64 `json:"cost,omitempty"`
	// CostKnown is false when the model has no price: cost is unknown,
	// not zero.
	CostKnown bool `json:"costKnown,omitempty"`

	// Input is the JSON array of messages; Output the text output;
	// OutputObject, ToolCalls and Settings are JSON.
	Input        json.RawMessage `json:"input,omitempty"`
	Output       string          `json:"output,omitempty"`
	OutputObject json.RawMessage `json:"outputObject,omitempty"`
	ToolCalls    json.RawMessage `json:"toolCalls,omitempty"`
	FinishReason string          `json:"finishReason,omitempty"`
	Settings     json.RawMessage `json:"settings,omitempty"`

	SessionID   string `json:"sessionId,omitempty"`
	SessionName string `json:"sessionName,omitempty"`
	UserID      string `json:"userId,omitempty"`
	TraceName   string `json:"traceName,omitempty"`

	DatasetRunID          string `json:"datasetRunId,omitempty"`
	DatasetRunName        string `json:"datasetRunName,omitempty"`
	DatasetPath           string `json:"datasetPath,omitempty"`
	DatasetItemName       string `json:"datasetItemName,omitempty"`
	DatasetExpectedOutput string `json:"datasetExpectedOutput,omitempty"`
	DatasetInput          string `json:"datasetInput,omitempty"`
	ExperimentKey         string `json:"experimentKey,omitempty"`
	SourceTreeHash        string `json:"sourceTreeHash,omitempty"`
	PromptName            string `json:"promptName,omitempty"`
	Props                 string `json:"props,omitempty"`
	CommitSHA             string `json:"commitSha,omitempty"`
	Environment           string `json:"environment,omitempty"`

	Metadata map[string]string `json:"metadata,omitempty"`
	Tags     []string          `json:"tags,omitempty"`

	// Raw OTLP data, kept so nothing a sender put on a span is lost.
	ResourceAttributes map[string]any `json:"resourceAttributes,omitempty"`
	SpanAttributes     map[string]any `json:"spanAttributes,omitempty"`
	Events             []Event        `json:"events,omitempty"`
	Links              []Link         `json:"links,omitempty"`
}

// Event is a span event.
type Event struct {
	TimeNs     int64          `json:"timeUnixNano"`
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Link is a span link.
type Link struct {
	TraceID    string         `json:"traceId"`
	SpanID     string         `json:"spanId"`
	TraceState string         `json:"traceState,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// DurationMs is the span's duration in milliseconds.
func (s *Span) DurationMs() float64 { return float64(s.EndTimeNs-s.StartTimeNs) / 1e6 }

// IsError reports whether the span ended with an error status.
func (s *Span) IsError() bool { return s.StatusCode == "2" }
