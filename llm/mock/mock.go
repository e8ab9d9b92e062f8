// Package mock is a deterministic, offline provider for quickstarts,
// examples and tests. It never touches the network and always answers the
// same request the same way.
//
// Models (any name works; these are the documented behaviours):
//
//   - mock/echo (and any other model name): the text answer is the last user
//     message as rendered. With tools offered and no tool result yet in the
//     conversation, it first calls one tool (the tool_choice tool, else the
//     first) with arguments generated from the tool's JSON Schema, then
//     answers with the last user message followed by "Tool results:" and
//     each result. With a schema (object prompts) it answers with a JSON
//     value generated from the schema: valid against it (types, enum,
//     const, required, nested objects and arrays, min/max constraints,
//     common string formats), the same every time.
//   - mock/lorem: the text answer is a fixed "Lorem ipsum ..." paragraph.
//   - images (any model): tiny valid 1x1 PNG files, num_images of them.
//   - speech (any model): a tiny valid WAV file (a short silence).
//
// Streaming splits the answer into word chunks. Usage counts words: input
// = words of all messages, output = words of the answer.
package mock

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"iter"
	"strings"
	"unicode"

	"github.com/agentmark-go/agentmark/llm"
)

func init() {
	llm.RegisterProviderFactory("mock", func(cfg llm.ProviderConfig) (llm.Provider, error) { return New(), nil })
}

// Provider is the mock provider.
type Provider struct{}

// New returns the mock provider.
func New() *Provider { return &Provider{} }

// Name implements llm.Provider.
func (*Provider) Name() string { return "mock" }

// Lorem is the answer of mock/lorem.
const Lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."

// Generate implements llm.TextProvider.
func (p *Provider) Generate(ctx context.Context, req *llm.TextRequest) (*llm.TextResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in := 0
	for _, m := range req.Messages {
		in += words(m.Text())
		for _, tc := range m.ToolCalls {
			in += words(string(tc.Args))
		}
	}
	lastUser, sawToolResult := "", false
	var results []string
	for _, m := range req.Messages {
		switch m.Role {
		case llm.RoleUser:
			lastUser = m.Text()
			sawToolResult, results = false, nil
		case llm.RoleTool:
			sawToolResult = true
			results = append(results, m.ToolName+": "+m.Text())
		}
	}
	out := &llm.TextResponse{Model: req.Model, FinishReason: llm.FinishStop}
	if len(req.Tools) > 0 && !sawToolResult && (req.Settings.ToolChoice == nil || req.Settings.ToolChoice.Mode != "none") {
		tool := req.Tools[0]
		if tc := req.Settings.ToolChoice; tc != nil && tc.Mode == "tool" {
			for _, t := range req.Tools {
				if t.Name == tc.ToolName {
					tool = t
				}
			}
		}
		args, err := ValueForSchema(tool.Parameters)
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(bytes.TrimSpace(args), []byte("{")) {
			args = json.RawMessage("{}")
		}
		out.ToolCalls = []llm.ToolCall{{ID: "mock-call-1", Name: tool.Name, Args: args}}
		out.FinishReason = llm.FinishToolCalls
		out.Usage = usage(in, words(string(args)))
		return out, nil
	}
	switch {
	case len(req.Schema) > 0:
		v, err := ValueForSchema(req.Schema)
		if err != nil {
			return nil, err
		}
		out.Text = string(v)
	case strings.TrimPrefix(req.Model, "mock/") == "lorem":
		out.Text = Lorem
	default:
		out.Text = lastUser
		if len(results) > 0 {
			out.Text = strings.TrimRight(lastUser, "\n") + "\n\nTool results:\n" + strings.Join(results, "\n")
		}
	}
	out.Usage = usage(in, words(out.Text))
	return out, nil
}

func usage(in, out int) llm.Usage {
	return llm.Usage{InputTokens: in, OutputTokens: out, TotalTokens: in + out}
}

func words(s string) int { return len(strings.FieldsFunc(s, unicode.IsSpace)) }

// Stream implements llm.TextProvider: the answer in word chunks (each
// chunk a word with its trailing whitespace), tool calls, then finish.
func (p *Provider) Stream(ctx context.Context, req *llm.TextRequest) iter.Seq2[llm.StreamEvent, error] {
	return func(yield func(llm.StreamEvent, error) bool) {
		r, err := p.Generate(ctx, req)
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		for _, c := range Chunks(r.Text) {
			if err := ctx.Err(); err != nil {
				yield(llm.StreamEvent{}, err)
				return
			}
			if !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: c}, nil) {
				return
			}
		}
		for i := range r.ToolCalls {
			if !yield(llm.StreamEvent{Type: llm.EventToolCall, ToolCall: &r.ToolCalls[i]}, nil) {
				return
			}
		}
		yield(llm.StreamEvent{Type: llm.EventFinish, FinishReason: r.FinishReason, Usage: r.Usage}, nil)
	}
}

// Chunks splits s into words, each carrying the whitespace after it;
// joined they give s back.
func Chunks(s string) []string {
	var out []string
	start := 0
	inWord := false
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if !sp && !inWord && i > 0 && start < i && strings.TrimSpace(s[start:i]) != "" {
			out = append(out, s[start:i])
			start = i
		}
		inWord = !sp
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// pngPixel is a valid 1x1 transparent PNG.
var pngPixel = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
	0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
}

// PNG returns a copy of the mock image (a 1x1 PNG).
func PNG() []byte { return bytes.Clone(pngPixel) }

// GenerateImage implements llm.ImageProvider.
func (p *Provider) GenerateImage(ctx context.Context, req *llm.ImageRequest) (*llm.ImageResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := max(req.N, 1)
	out := &llm.ImageResponse{Usage: usage(words(req.Prompt), 0)}
	for range n {
		out.Images = append(out.Images, llm.Media{MimeType: "image/png", Data: PNG()})
	}
	return out, nil
}

// WAV returns a valid WAV file of n 16-bit mono samples of silence at 8 kHz.
func WAV(n int) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	dataLen := uint32(n * 2)
	b.WriteString("RIFF")
	le(36 + dataLen)
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))    // PCM
	le(uint16(1))    // mono
	le(uint32(8000)) // sample rate
	le(uint32(16000))
	le(uint16(2))
	le(uint16(16))
	b.WriteString("data")
	le(dataLen)
	b.Write(make([]byte, dataLen))
	return b.Bytes()
}

// GenerateSpeech implements llm.SpeechProvider: always a WAV file.
func (p *Provider) GenerateSpeech(ctx context.Context, req *llm.SpeechRequest) (*llm.SpeechResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &llm.SpeechResponse{Audio: llm.Media{MimeType: "audio/wav", Data: WAV(800)}, Format: "wav"}, nil
}
