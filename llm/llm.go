// Package llm is the provider-neutral model layer: one request/response
// vocabulary for text, object, image and speech generation, and the
// Provider interfaces that OpenAI, Anthropic, Gemini, OpenAI-compatible
// servers and the offline mock implement.
//
// Providers translate these types to and from their wire formats; the
// generation loop (tool calls, max_calls) lives above them, so a provider
// only ever makes one model call per Generate/Stream.
package llm

import (
	"context"
	"encoding/json"
	"iter"
)

// Roles of chat messages.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one chat message. A user message may carry image and file
// parts; an assistant message may carry tool calls; a tool message carries
// the result of one tool call.
type Message struct {
	Role       string
	Parts      []Part
	ToolCalls  []ToolCall
	ToolCallID string // RoleTool: the call this answers
	ToolName   string // RoleTool: the tool's name (some APIs need it)
}

// Text joins the text parts of m.
func (m Message) Text() string {
	s := ""
	for _, p := range m.Parts {
		if p.Type == PartText {
			s += p.Text
		}
	}
	return s
}

// Part types.
const (
	PartText  = "text"
	PartImage = "image"
	PartFile  = "file"
)

// Part is a piece of message content. For images and files, Data is a URL
// (http(s) or data:) or base64 text, as the prompt gave it.
type Part struct {
	Type     string
	Text     string
	Data     string
	MimeType string
}

// ToolCall is a model's request to call a tool.
type ToolCall struct {
	ID   string          `json:"toolCallId"`
	Name string          `json:"toolName"`
	Args json.RawMessage `json:"args"` // a JSON object
}

// ToolDef describes a tool to the model.
type ToolDef struct {
	Name        string
	Description string
	Parameters  json.RawMessage // JSON Schema of the arguments object
}

// ToolChoice says whether and which tool the model must call.
type ToolChoice struct {
	Mode     string // "auto", "none", "required" or "tool"
	ToolName string // Mode == "tool"
}

// Settings are the sampling settings of text_config / object_config. Nil
// pointers are "not set": the provider's default applies and nothing is sent.
type Settings struct {
	MaxTokens        *int
	Temperature      *float64
	TopP             *float64
	TopK             *int
	PresencePenalty  *float64
	FrequencyPenalty *float64
	StopSequences    []string
	Seed             *int64
	ToolChoice       *ToolChoice
}

// TextRequest is one model call for text or object generation.
type TextRequest struct {
	// Model is the provider's model id (no "provider/" prefix).
	Model    string
	Messages []Message
	Settings Settings
	Tools    []ToolDef
	// Schema, when set, asks for a JSON object matching this JSON Schema
	// (object prompts).
	Schema            json.RawMessage
	SchemaName        string
	SchemaDescription string
}

// Usage counts tokens. Cached and reasoning tokens are included in the
// input and output counts; they are reported separately when known.
type Usage struct {
	InputTokens       int `json:"inputTokens"`
	OutputTokens      int `json:"outputTokens"`
	TotalTokens       int `json:"totalTokens"`
	CachedInputTokens int `json:"cachedInputTokens,omitempty"`
	ReasoningTokens   int `json:"reasoningTokens,omitempty"`
}

// Add returns u + v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		InputTokens:       u.InputTokens + v.InputTokens,
		OutputTokens:      u.OutputTokens + v.OutputTokens,
		TotalTokens:       u.TotalTokens + v.TotalTokens,
		CachedInputTokens: u.CachedInputTokens + v.CachedInputTokens,
		ReasoningTokens:   u.ReasoningTokens + v.ReasoningTokens,
	}
}

// Finish reasons, normalised across providers.
const (
	FinishStop          = "stop"
	FinishLength        = "length"
	FinishToolCalls     = "tool-calls"
	FinishContentFilter = "content-filter"
	FinishError         = "error"
	FinishOther         = "other"
)

// TextResponse is the result of one model call.
type TextResponse struct {
	Text         string
	ToolCalls    []ToolCall
	FinishReason string
	Usage        Usage
	// Model is the model id the provider reports, when it does.
	Model string
}

// Stream event types.
const (
	EventTextDelta = "text-delta"
	EventToolCall  = "tool-call"
	EventFinish    = "finish"
)

// StreamEvent is one event of a streamed model call: text deltas, complete
// tool calls, then one finish event with the reason and usage.
type StreamEvent struct {
	Type         string
	TextDelta    string
	ToolCall     *ToolCall
	FinishReason string
	Usage        Usage
}

// TextProvider generates text and objects.
type TextProvider interface {
	// Generate makes one non-streaming call.
	Generate(ctx context.Context, req *TextRequest) (*TextResponse, error)
	// Stream makes one streaming call. The sequence ends after the finish
	// event, or with a non-nil error.
	Stream(ctx context.Context, req *TextRequest) iter.Seq2[StreamEvent, error]
}

// ImageRequest is one image generation call (image_config).
type ImageRequest struct {
	Model       string
	Prompt      string
	N           int // 0: provider default (1)
	Size        string
	AspectRatio string
	Seed        *int64
}

// Media is generated binary content.
type Media struct {
	MimeType string
	Data     []byte
}

// ImageResponse holds generated images.
type ImageResponse struct {
	Images []Media
	Usage  Usage
}

// ImageProvider generates images.
type ImageProvider interface {
	GenerateImage(ctx context.Context, req *ImageRequest) (*ImageResponse, error)
}

// SpeechRequest is one text-to-speech call (speech_config).
type SpeechRequest struct {
	Model        string
	Text         string
	Voice        string
	Instructions string
	OutputFormat string
	Speed        *float64
}

// SpeechResponse holds generated audio; Format is e.g. "mp3".
type SpeechResponse struct {
	Audio  Media
	Format string
}

// SpeechProvider generates speech.
type SpeechProvider interface {
	GenerateSpeech(ctx context.Context, req *SpeechRequest) (*SpeechResponse, error)
}

// Provider is a named model backend. It implements one or more of
// TextProvider, ImageProvider and SpeechProvider.
type Provider interface {
	Name() string
}
