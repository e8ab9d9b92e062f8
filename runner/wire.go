package runner

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
)

// AgentEvent types (protocol-catalog.json agentEvents).
const (
	EventTextDelta      = "text-delta"
	EventReasoningDelta = "reasoning-delta"
	EventToolCall       = "tool-call"
	EventToolResult     = "tool-result"
	EventObjectDelta    = "object-delta"
	EventObjectFinal    = "object-final"
	EventFinish         = "finish"
	EventError          = "error"
)

// AgentEventTypes lists every AgentEvent variant.
var AgentEventTypes = []string{EventTextDelta, EventReasoningDelta, EventToolCall, EventToolResult,
	EventObjectDelta, EventObjectFinal, EventFinish, EventError}

// AgentUsage is an executor's token usage. TotalTokens is nil when the
// provider did not report it.
type AgentUsage struct {
	InputTokens  int  `json:"inputTokens"`
	OutputTokens int  `json:"outputTokens"`
	TotalTokens  *int `json:"totalTokens,omitempty"`
}

// UsageFrom converts an llm.Usage (whose total is always filled by our
// providers; 0 with nonzero parts means "not reported").
func UsageFrom(u llm.Usage) *AgentUsage {
	a := &AgentUsage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens}
	t := u.TotalTokens
	if t == 0 {
		t = u.InputTokens + u.OutputTokens
	}
	a.TotalTokens = &t
	return a
}

// Total is totalTokens, or input + output when it is unknown.
func (u *AgentUsage) Total() int {
	if u.TotalTokens != nil {
		return *u.TotalTokens
	}
	return u.InputTokens + u.OutputTokens
}

// AgentEvent is one event of an executor's run, with the field names of
// the reference AgentEvent union (so test vectors decode into it).
type AgentEvent struct {
	Type string `json:"type"`
	// text-delta, reasoning-delta.
	Text string `json:"text,omitempty"`
	// tool-call, tool-result.
	ID      string          `json:"id,omitempty"`
	Name    string          `json:"name,omitempty"`
	Args    json.RawMessage `json:"args,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	IsError bool            `json:"isError,omitempty"`
	// object-delta.
	Partial json.RawMessage `json:"partial,omitempty"`
	// object-final.
	Value json.RawMessage `json:"value,omitempty"`
	// finish.
	Reason string      `json:"reason,omitempty"`
	Usage  *AgentUsage `json:"usage,omitempty"`
	// error.
	Error string `json:"error,omitempty"`
}

// WireUsage is usage on the wire: both field families (promptTokens =
// inputTokens, completionTokens = outputTokens); totalTokens only when
// known, never zero-filled.
type WireUsage struct {
	InputTokens      int  `json:"inputTokens"`
	OutputTokens     int  `json:"outputTokens"`
	TotalTokens      *int `json:"totalTokens,omitempty"`
	PromptTokens     int  `json:"promptTokens"`
	CompletionTokens int  `json:"completionTokens"`
}

// ToWireUsage expands the alias fields; nil stays nil.
func ToWireUsage(u *AgentUsage) *WireUsage {
	if u == nil {
		return nil
	}
	return &WireUsage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens,
		PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens}
}

// WireToolCall is a tool call on the wire.
type WireToolCall struct {
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Args       json.RawMessage `json:"args,omitempty"`
}

// WireToolResult is a tool result on the wire (isError is not wired).
type WireToolResult struct {
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Result     json.RawMessage `json:"result,omitempty"`
}

// Chunk types of NDJSON streams.
const (
	ChunkText    = "text"
	ChunkObject  = "object"
	ChunkDataset = "dataset"
	ChunkError   = "error"
	ChunkDone    = "done"
)

// Chunk is one NDJSON line of a runner stream (every WireChunk shape:
// text result, tool call, tool result, finish, object result, object
// usage, dataset row, error, done). Absent fields are omitted.
type Chunk struct {
	Type         string          `json:"type"`
	Result       json.RawMessage `json:"result,omitempty"`
	ToolCall     *WireToolCall   `json:"toolCall,omitempty"`
	ToolResult   *WireToolResult `json:"toolResult,omitempty"`
	FinishReason string          `json:"finishReason,omitempty"`
	Usage        *WireUsage      `json:"usage,omitempty"`
	// Error is a string on our streams; other runners may send an object.
	Error   json.RawMessage `json:"error,omitempty"`
	TraceID string          `json:"traceId,omitempty"`
	RunID   string          `json:"runId,omitempty"`
	RunName string          `json:"runName,omitempty"`
	// Raw is the line as received (client side).
	Raw json.RawMessage `json:"-"`
}

// ErrorMessage is the error of an error chunk as text: the string, or
// error.message, or the JSON.
func (c *Chunk) ErrorMessage() string {
	if len(c.Error) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(c.Error, &v) != nil {
		return string(c.Error)
	}
	return NormalizeError(v)
}

// ErrorChunk is {"type":"error","error":msg}.
func ErrorChunk(msg string) *Chunk {
	return &Chunk{Type: ChunkError, Error: mustJSON(msg)}
}

// TextEventToWire maps an event of a text run to its chunk; nil: the
// event is not wired (reasoning deltas, object events).
func TextEventToWire(ev AgentEvent) *Chunk {
	switch ev.Type {
	case EventTextDelta:
		return &Chunk{Type: ChunkText, Result: mustJSON(ev.Text)}
	case EventToolCall:
		return &Chunk{Type: ChunkText, ToolCall: &WireToolCall{ToolCallID: ev.ID, ToolName: ev.Name, Args: ev.Args}}
	case EventToolResult:
		return &Chunk{Type: ChunkText, ToolResult: &WireToolResult{ToolCallID: ev.ID, ToolName: ev.Name, Result: ev.Result}}
	case EventFinish:
		return &Chunk{Type: ChunkText, FinishReason: ev.Reason, Usage: ToWireUsage(ev.Usage)}
	case EventError:
		return ErrorChunk(ev.Error)
	}
	return nil
}

// ObjectEventToWire maps an event of an object run to its chunk; nil:
// not wired (a usage-less finish, text and tool events).
func ObjectEventToWire(ev AgentEvent) *Chunk {
	switch ev.Type {
	case EventObjectDelta:
		return &Chunk{Type: ChunkObject, Result: rawOrNull(ev.Partial)}
	case EventObjectFinal:
		return &Chunk{Type: ChunkObject, Result: rawOrNull(ev.Value)}
	case EventFinish:
		if ev.Usage == nil {
			return nil
		}
		return &Chunk{Type: ChunkObject, Usage: ToWireUsage(ev.Usage)}
	case EventError:
		return ErrorChunk(ev.Error)
	}
	return nil
}

// EventToWire maps an event of a run of the given kind ("text" or
// "object").
func EventToWire(kind string, ev AgentEvent) *Chunk {
	if kind == KindObject {
		return ObjectEventToWire(ev)
	}
	return TextEventToWire(ev)
}

// TextResponse is the non-streaming envelope of a text run. toolCalls and
// toolResults are always arrays; usage, finishReason and traceId are
// omitted when absent (traceId also when empty).
type TextResponse struct {
	Type         string           `json:"type"`
	Result       string           `json:"result"`
	Usage        *WireUsage       `json:"usage,omitempty"`
	FinishReason string           `json:"finishReason,omitempty"`
	ToolCalls    []WireToolCall   `json:"toolCalls"`
	ToolResults  []WireToolResult `json:"toolResults"`
	TraceID      string           `json:"traceId,omitempty"`
}

// ObjectResponse is the non-streaming envelope of an object run; result
// is omitted when no value was resolved.
type ObjectResponse struct {
	Type         string          `json:"type"`
	Result       json.RawMessage `json:"result,omitempty"`
	Usage        *WireUsage      `json:"usage,omitempty"`
	FinishReason string          `json:"finishReason,omitempty"`
	TraceID      string          `json:"traceId,omitempty"`
}

// MediaFile is a generated image or audio file on the wire.
type MediaFile struct {
	MimeType string `json:"mimeType"`
	Base64   string `json:"base64"`
	Format   string `json:"format,omitempty"`
}

// ImageResponse is the envelope of an image run (traceId always present).
type ImageResponse struct {
	Type    string      `json:"type"`
	Result  []MediaFile `json:"result"`
	TraceID string      `json:"traceId"`
}

// SpeechResponse is the envelope of a speech run (traceId always present).
type SpeechResponse struct {
	Type    string    `json:"type"`
	Result  MediaFile `json:"result"`
	TraceID string    `json:"traceId"`
}

// TextResponseArgs are the inputs of a text envelope.
type TextResponseArgs struct {
	Result       string           `json:"result"`
	Usage        *AgentUsage      `json:"usage,omitempty"`
	FinishReason string           `json:"finishReason,omitempty"`
	ToolCalls    []WireToolCall   `json:"toolCalls,omitempty"`
	ToolResults  []WireToolResult `json:"toolResults,omitempty"`
	TraceID      string           `json:"traceId,omitempty"`
}

// ObjectResponseArgs are the inputs of an object envelope.
type ObjectResponseArgs struct {
	Result       json.RawMessage `json:"result,omitempty"`
	Usage        *AgentUsage     `json:"usage,omitempty"`
	FinishReason string          `json:"finishReason,omitempty"`
	TraceID      string          `json:"traceId,omitempty"`
}

// TextResponseToWire builds the text envelope.
func TextResponseToWire(a TextResponseArgs) *TextResponse {
	r := &TextResponse{Type: KindText, Result: a.Result, Usage: ToWireUsage(a.Usage), FinishReason: a.FinishReason,
		ToolCalls: a.ToolCalls, ToolResults: a.ToolResults, TraceID: a.TraceID}
	if r.ToolCalls == nil {
		r.ToolCalls = []WireToolCall{}
	}
	if r.ToolResults == nil {
		r.ToolResults = []WireToolResult{}
	}
	return r
}

// ObjectResponseToWire builds the object envelope.
func ObjectResponseToWire(a ObjectResponseArgs) *ObjectResponse {
	return &ObjectResponse{Type: KindObject, Result: a.Result, Usage: ToWireUsage(a.Usage), FinishReason: a.FinishReason, TraceID: a.TraceID}
}

// DatasetRowArgs are the inputs of a dataset row chunk. Nil/absent
// ExpectedOutput, ActualOutput and Tokens are omitted; Evals is always an
// array.
type DatasetRowArgs struct {
	Input          json.RawMessage   `json:"input"`
	ExpectedOutput json.RawMessage   `json:"expectedOutput,omitempty"`
	ActualOutput   json.RawMessage   `json:"actualOutput,omitempty"`
	Tokens         *int              `json:"tokens,omitempty"`
	Evals          []json.RawMessage `json:"evals"`
	TraceID        string            `json:"traceId,omitempty"`
	RunID          string            `json:"runId"`
	RunName        string            `json:"runName"`
}

// DatasetResult is the result of a dataset row chunk.
type DatasetResult struct {
	Input          json.RawMessage   `json:"input"`
	ExpectedOutput json.RawMessage   `json:"expectedOutput,omitempty"`
	ActualOutput   json.RawMessage   `json:"actualOutput,omitempty"`
	Tokens         *int              `json:"tokens,omitempty"`
	Evals          []json.RawMessage `json:"evals"`
}

// DatasetRowToWire builds a {"type":"dataset"} chunk.
func DatasetRowToWire(a DatasetRowArgs) *Chunk {
	res := DatasetResult{Input: rawOrNull(a.Input), ExpectedOutput: nonNull(a.ExpectedOutput),
		ActualOutput: nonNull(a.ActualOutput), Tokens: a.Tokens, Evals: a.Evals}
	if res.Evals == nil {
		res.Evals = []json.RawMessage{}
	}
	return &Chunk{Type: ChunkDataset, Result: mustJSON(res), TraceID: a.TraceID, RunID: a.RunID, RunName: a.RunName}
}

// EvalsResponse is the answer to get-evals.
type EvalsResponse struct {
	Type string `json:"type"`
	// Result is the JSON text of the sorted name list (compact, non-ASCII
	// kept raw).
	Result  string `json:"result"`
	TraceID string `json:"traceId"`
}

// BuildEvalsResponse sorts the names (UTF-16 code-unit order, like
// JavaScript) and builds the envelope; no names gives "[]".
func BuildEvalsResponse(names []string) *EvalsResponse {
	s := append([]string{}, names...)
	sort.SliceStable(s, func(i, j int) bool { return jsvalue.CompareUTF16(s[i], s[j]) < 0 })
	return &EvalsResponse{Type: "evals", Result: string(mustJSON(s)), TraceID: ""}
}

// NormalizeError turns an error value into a message: strings as they
// are, .message, .error.message, .data.error.message, else "Unknown
// error".
func NormalizeError(v any) string {
	switch x := v.(type) {
	case nil:
		return "Unknown error"
	case string:
		if x == "" {
			return "Unknown error"
		}
		return x
	case error:
		if x.Error() == "" {
			return "Unknown error"
		}
		return x.Error()
	case map[string]any:
		if m, ok := x["message"].(string); ok && m != "" {
			return m
		}
		if e, ok := x["error"].(map[string]any); ok {
			if m, ok := e["message"].(string); ok && m != "" {
				return m
			}
		}
		if d, ok := x["data"].(map[string]any); ok {
			if e, ok := d["error"].(map[string]any); ok {
				if m, ok := e["message"].(string); ok && m != "" {
					return m
				}
			}
		}
		if e, ok := x["error"].(string); ok && e != "" {
			return e
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "Unknown error"
	}
	return string(b)
}

// mustJSON encodes v compactly without HTML escaping.
func mustJSON(v any) json.RawMessage {
	b, err := marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func rawOrNull(r json.RawMessage) json.RawMessage {
	if len(r) == 0 {
		return json.RawMessage("null")
	}
	return r
}

func nonNull(r json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(r)) == 0 || string(bytes.TrimSpace(r)) == "null" {
		return nil
	}
	return r
}
