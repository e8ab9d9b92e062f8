// Package anthropic is the Anthropic Messages API provider, built on the
// official SDK (github.com/anthropics/anthropic-sdk-go).
//
// Mapping from the neutral llm types:
//   - system messages become the top-level "system" blocks (in order);
//     user and tool messages become "user" turns (tool results as
//     tool_result blocks), assistant messages "assistant" turns with
//     tool_use blocks; consecutive turns of the same role are merged;
//   - image parts become image blocks (http(s) URL sources, or base64 from
//     data: URLs and bare base64); PDF file parts become document blocks
//     (URL or base64), text/plain files plain-text documents;
//   - max_tokens is required by the API: when the prompt sets none,
//     DefaultMaxTokens (4096) is sent (override per provider with
//     Options["defaultMaxTokens"]);
//   - temperature, top_p, top_k and stop_sequences are passed through;
//     presence/frequency penalties and seed have no Anthropic equivalent
//     and are ignored;
//   - tool_choice auto/required/tool/none map to auto/any/tool/none;
//   - object prompts (TextRequest.Schema) add one tool whose input_schema is
//     the schema and force it; its input is returned as the response text
//     (a JSON object), and streamed as text deltas;
//   - usage: InputTokens counts input_tokens + cache reads + cache writes
//     (Anthropic reports them separately), CachedInputTokens the cache
//     reads, ReasoningTokens the thinking tokens when reported;
//   - errors become *llm.APIError (status, API error type and message,
//     Retry-After); 408/409/429/5xx (incl. 529 overloaded) are retried by
//     the SDK, honouring Retry-After, MaxRetries times (default 2).
//
// The package registers the "anthropic" provider type with llm on import.
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"github.com/agentmark-go/agentmark/llm"
)

// DefaultMaxTokens is sent as max_tokens when a prompt sets none (the
// Messages API requires it).
const DefaultMaxTokens = 4096

// DefaultMaxRetries is the number of retries of retryable failures when the
// configuration sets none.
const DefaultMaxRetries = 2

func init() {
	llm.RegisterProviderFactory("anthropic", func(cfg llm.ProviderConfig) (llm.Provider, error) {
		return New(cfg)
	})
}

// Provider calls the Anthropic Messages API. It implements
// llm.TextProvider.
type Provider struct {
	name      string
	client    sdk.Client
	maxTokens int64
}

var _ llm.TextProvider = (*Provider)(nil)

// New builds a provider from cfg. cfg.APIKey is sent as x-api-key;
// cfg.BaseURL (e.g. from ANTHROPIC_BASE_URL) replaces
// https://api.anthropic.com, with or without a trailing "/v1". The SDK's
// own environment lookups are disabled: the llm registry resolves the
// environment.
func New(cfg llm.ProviderConfig) (*Provider, error) {
	name := cfg.Name
	if name == "" {
		name = "anthropic"
	}
	opts := []option.RequestOption{option.WithoutEnvironmentDefaults()}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	opts = append(opts, option.WithHTTPClient(hc))
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	if base := strings.TrimRight(cfg.BaseURL, "/"); base != "" {
		base = strings.TrimSuffix(base, "/v1")
		if _, err := url.Parse(base); err != nil {
			return nil, fmt.Errorf("anthropic: invalid base URL: %w", err)
		}
		opts = append(opts, option.WithBaseURL(base+"/"))
	}
	retries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		retries = max(*cfg.MaxRetries, 0)
	}
	opts = append(opts, option.WithMaxRetries(retries))
	if cfg.Timeout > 0 {
		opts = append(opts, option.WithRequestTimeout(cfg.Timeout))
	}
	for k, v := range cfg.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	p := &Provider{name: name, client: sdk.NewClient(opts...), maxTokens: DefaultMaxTokens}
	if v, ok := cfg.Options["defaultMaxTokens"]; ok {
		n, err := toInt(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("anthropic: option defaultMaxTokens must be a positive integer")
		}
		p.maxTokens = n
	}
	return p, nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
	case string:
		return strconv.ParseInt(x, 10, 64)
	case json.Number:
		return x.Int64()
	}
	return 0, fmt.Errorf("not an integer: %v", v)
}

// Name implements llm.Provider.
func (p *Provider) Name() string { return p.name }

// Generate implements llm.TextProvider.
func (p *Provider) Generate(ctx context.Context, req *llm.TextRequest) (*llm.TextResponse, error) {
	params, jsonTool, err := p.buildParams(req)
	if err != nil {
		return nil, err
	}
	msg, err := p.client.Messages.New(ctx, params)
	if err != nil {
		return nil, p.mapError(ctx, err)
	}
	resp := &llm.TextResponse{Model: string(msg.Model), FinishReason: finishReason(string(msg.StopReason))}
	for _, b := range msg.Content {
		switch b.Type {
		case "text":
			resp.Text += b.Text
		case "tool_use":
			args := b.Input
			if len(args) == 0 || string(args) == "null" {
				args = json.RawMessage(`{}`)
			}
			if jsonTool != "" && b.Name == jsonTool {
				resp.Text = string(args)
				resp.FinishReason = llm.FinishStop
				continue
			}
			resp.ToolCalls = append(resp.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Args: args})
		}
	}
	resp.Usage = usage(msg.Usage.InputTokens, msg.Usage.CacheReadInputTokens, msg.Usage.CacheCreationInputTokens,
		msg.Usage.OutputTokens, msg.Usage.OutputTokensDetails.ThinkingTokens)
	return resp, nil
}

// Stream implements llm.TextProvider: text deltas (including the JSON of a
// forced object tool), one event per complete tool call, then the finish
// event with the stop reason and usage.
func (p *Provider) Stream(ctx context.Context, req *llm.TextRequest) iter.Seq2[llm.StreamEvent, error] {
	return func(yield func(llm.StreamEvent, error) bool) {
		params, jsonTool, err := p.buildParams(req)
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		stream := p.client.Messages.NewStreaming(ctx, params)
		defer stream.Close()

		type block struct {
			typ, id, name string
			args          strings.Builder
		}
		blocks := map[int64]*block{}
		var (
			inTok, cacheRead, cacheWrite, outTok, thinking int64
			stop                                           string
		)
		for stream.Next() {
			ev := stream.Current()
			switch ev.Type {
			case "message_start":
				u := ev.Message.Usage
				inTok, cacheRead, cacheWrite, outTok = u.InputTokens, u.CacheReadInputTokens, u.CacheCreationInputTokens, u.OutputTokens
			case "content_block_start":
				b := &block{typ: ev.ContentBlock.Type, id: ev.ContentBlock.ID, name: ev.ContentBlock.Name}
				blocks[ev.Index] = b
				if b.typ == "text" && ev.ContentBlock.Text != "" {
					if !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: ev.ContentBlock.Text}, nil) {
						return
					}
				}
			case "content_block_delta":
				b := blocks[ev.Index]
				switch ev.Delta.Type {
				case "text_delta":
					if ev.Delta.Text != "" && !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: ev.Delta.Text}, nil) {
						return
					}
				case "input_json_delta":
					if b == nil {
						continue
					}
					b.args.WriteString(ev.Delta.PartialJSON)
					if jsonTool != "" && b.name == jsonTool && ev.Delta.PartialJSON != "" {
						if !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: ev.Delta.PartialJSON}, nil) {
							return
						}
					}
				}
			case "content_block_stop":
				b := blocks[ev.Index]
				delete(blocks, ev.Index)
				if b == nil || b.typ != "tool_use" || (jsonTool != "" && b.name == jsonTool) {
					continue
				}
				args := json.RawMessage(strings.TrimSpace(b.args.String()))
				if len(args) == 0 {
					args = json.RawMessage(`{}`)
				}
				if !json.Valid(args) {
					yield(llm.StreamEvent{}, fmt.Errorf("%s: tool %q: invalid JSON arguments from the model", p.name, b.name))
					return
				}
				tc := llm.ToolCall{ID: b.id, Name: b.name, Args: args}
				if !yield(llm.StreamEvent{Type: llm.EventToolCall, ToolCall: &tc}, nil) {
					return
				}
			case "message_delta":
				if ev.Delta.StopReason != "" {
					stop = string(ev.Delta.StopReason)
				}
				// message_delta usage is cumulative; input counts are only
				// present on some API versions.
				u := ev.Usage
				if u.JSON.OutputTokens.Valid() {
					outTok = u.OutputTokens
				}
				if u.JSON.InputTokens.Valid() && u.InputTokens > 0 {
					inTok = u.InputTokens
				}
				if u.JSON.CacheReadInputTokens.Valid() && u.CacheReadInputTokens > 0 {
					cacheRead = u.CacheReadInputTokens
				}
				if u.JSON.CacheCreationInputTokens.Valid() && u.CacheCreationInputTokens > 0 {
					cacheWrite = u.CacheCreationInputTokens
				}
				if u.JSON.OutputTokensDetails.Valid() {
					thinking = u.OutputTokensDetails.ThinkingTokens
				}
			case "message_stop":
				reason := finishReason(stop)
				if jsonTool != "" && stop == "tool_use" {
					reason = llm.FinishStop
				}
				yield(llm.StreamEvent{Type: llm.EventFinish, FinishReason: reason,
					Usage: usage(inTok, cacheRead, cacheWrite, outTok, thinking)}, nil)
				return
			}
		}
		if err := stream.Err(); err != nil {
			yield(llm.StreamEvent{}, p.mapError(ctx, err))
			return
		}
		yield(llm.StreamEvent{}, fmt.Errorf("%s: stream ended before message_stop", p.name))
	}
}

func usage(in, cacheRead, cacheWrite, out, thinking int64) llm.Usage {
	total := int(in + cacheRead + cacheWrite)
	return llm.Usage{
		InputTokens:       total,
		OutputTokens:      int(out),
		TotalTokens:       total + int(out),
		CachedInputTokens: int(cacheRead),
		ReasoningTokens:   int(thinking),
	}
}

func finishReason(stop string) string {
	switch stop {
	case "end_turn", "stop_sequence":
		return llm.FinishStop
	case "max_tokens", "model_context_window_exceeded":
		return llm.FinishLength
	case "tool_use":
		return llm.FinishToolCalls
	case "refusal":
		return llm.FinishContentFilter
	default:
		return llm.FinishOther
	}
}

var toolNameRe = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// objectToolName is the name of the forced tool of an object request.
func objectToolName(req *llm.TextRequest) string {
	name := toolNameRe.ReplaceAllString(req.SchemaName, "_")
	if name == "" || name == "_" {
		name = "json"
	}
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

func (p *Provider) buildParams(req *llm.TextRequest) (sdk.MessageNewParams, string, error) {
	var params sdk.MessageNewParams
	if req == nil {
		return params, "", fmt.Errorf("%s: nil request", p.name)
	}
	if strings.TrimSpace(req.Model) == "" {
		return params, "", fmt.Errorf("%s: model is required", p.name)
	}
	params.Model = sdk.Model(req.Model)
	s := req.Settings
	params.MaxTokens = p.maxTokens
	if s.MaxTokens != nil {
		if *s.MaxTokens <= 0 {
			return params, "", fmt.Errorf("%s: max_tokens must be positive", p.name)
		}
		params.MaxTokens = int64(*s.MaxTokens)
	}
	if s.Temperature != nil {
		params.Temperature = sdk.Float(*s.Temperature)
	}
	if s.TopP != nil {
		params.TopP = sdk.Float(*s.TopP)
	}
	if s.TopK != nil {
		params.TopK = sdk.Int(int64(*s.TopK))
	}
	if len(s.StopSequences) > 0 {
		params.StopSequences = s.StopSequences
	}

	if err := p.buildMessages(req.Messages, &params); err != nil {
		return params, "", err
	}

	for _, t := range req.Tools {
		tp, err := toolParam(t.Name, t.Description, t.Parameters)
		if err != nil {
			return params, "", fmt.Errorf("%s: tool %q: %w", p.name, t.Name, err)
		}
		params.Tools = append(params.Tools, sdk.ToolUnionParam{OfTool: tp})
	}
	jsonTool := ""
	if len(req.Schema) > 0 {
		jsonTool = objectToolName(req)
		desc := req.SchemaDescription
		if desc == "" {
			desc = "Respond with a JSON object that matches this schema."
		}
		tp, err := toolParam(jsonTool, desc, req.Schema)
		if err != nil {
			return params, "", fmt.Errorf("%s: schema: %w", p.name, err)
		}
		params.Tools = append(params.Tools, sdk.ToolUnionParam{OfTool: tp})
		if len(req.Tools) == 0 {
			params.ToolChoice = sdk.ToolChoiceUnionParam{OfTool: &sdk.ToolChoiceToolParam{Name: jsonTool}}
		} else {
			// The model may call the prompt's tools first; it must end with
			// the object tool.
			params.ToolChoice = sdk.ToolChoiceUnionParam{OfAny: &sdk.ToolChoiceAnyParam{}}
		}
	}
	if tc := s.ToolChoice; tc != nil && (jsonTool == "" || len(req.Tools) > 0) {
		switch tc.Mode {
		case "", "auto":
			if jsonTool == "" {
				params.ToolChoice = sdk.ToolChoiceUnionParam{OfAuto: &sdk.ToolChoiceAutoParam{}}
			}
		case "required":
			params.ToolChoice = sdk.ToolChoiceUnionParam{OfAny: &sdk.ToolChoiceAnyParam{}}
		case "none":
			if jsonTool == "" {
				params.ToolChoice = sdk.ToolChoiceUnionParam{OfNone: &sdk.ToolChoiceNoneParam{}}
			}
		case "tool":
			if tc.ToolName == "" {
				return params, "", fmt.Errorf("%s: tool_choice: tool name is required", p.name)
			}
			params.ToolChoice = sdk.ToolChoiceUnionParam{OfTool: &sdk.ToolChoiceToolParam{Name: tc.ToolName}}
		default:
			return params, "", fmt.Errorf("%s: unsupported tool_choice %q", p.name, tc.Mode)
		}
	}
	return params, jsonTool, nil
}

// toolParam converts a JSON Schema object into a tool definition, keeping
// the schema's property order.
func toolParam(name, desc string, schema json.RawMessage) (*sdk.ToolParam, error) {
	tp := &sdk.ToolParam{Name: name}
	if desc != "" {
		tp.Description = sdk.String(desc)
	}
	if len(schema) == 0 {
		tp.InputSchema = sdk.ToolInputSchemaParam{Properties: json.RawMessage(`{}`)}
		return tp, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(schema, &fields); err != nil {
		return nil, fmt.Errorf("schema must be a JSON object: %w", err)
	}
	is := sdk.ToolInputSchemaParam{}
	extra := map[string]any{}
	for k, v := range fields {
		switch k {
		case "type":
			// always "object"
		case "properties":
			is.Properties = v
		case "required":
			if err := json.Unmarshal(v, &is.Required); err != nil {
				return nil, fmt.Errorf("schema \"required\": %w", err)
			}
		case "$schema":
			// not accepted by every model; meaningless here
		default:
			extra[k] = v
		}
	}
	if is.Properties == nil {
		is.Properties = json.RawMessage(`{}`)
	}
	if len(extra) > 0 {
		is.ExtraFields = extra
	}
	tp.InputSchema = is
	return tp, nil
}

func (p *Provider) buildMessages(msgs []llm.Message, params *sdk.MessageNewParams) error {
	var out []sdk.MessageParam
	appendBlocks := func(role sdk.MessageParamRole, blocks []sdk.ContentBlockParamUnion) {
		if len(blocks) == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			return
		}
		out = append(out, sdk.MessageParam{Role: role, Content: blocks})
	}
	for i, m := range msgs {
		switch m.Role {
		case llm.RoleSystem:
			if t := m.Text(); t != "" {
				params.System = append(params.System, sdk.TextBlockParam{Text: t})
			}
		case llm.RoleUser:
			var blocks []sdk.ContentBlockParamUnion
			for _, part := range m.Parts {
				b, err := contentBlock(part)
				if err != nil {
					return fmt.Errorf("%s: message %d: %w", p.name, i, err)
				}
				if b != nil {
					blocks = append(blocks, *b)
				}
			}
			appendBlocks(sdk.MessageParamRoleUser, blocks)
		case llm.RoleAssistant:
			var blocks []sdk.ContentBlockParamUnion
			if t := m.Text(); t != "" {
				blocks = append(blocks, sdk.NewTextBlock(t))
			}
			for _, tc := range m.ToolCalls {
				args := tc.Args
				if len(args) == 0 {
					args = json.RawMessage(`{}`)
				}
				blocks = append(blocks, sdk.NewToolUseBlock(tc.ID, args, tc.Name))
			}
			appendBlocks(sdk.MessageParamRoleAssistant, blocks)
		case llm.RoleTool:
			if m.ToolCallID == "" {
				return fmt.Errorf("%s: message %d: tool result without a tool call id", p.name, i)
			}
			appendBlocks(sdk.MessageParamRoleUser, []sdk.ContentBlockParamUnion{sdk.NewToolResultBlock(m.ToolCallID, m.Text(), false)})
		default:
			return fmt.Errorf("%s: message %d: unknown role %q", p.name, i, m.Role)
		}
	}
	params.Messages = out
	return nil
}

func contentBlock(part llm.Part) (*sdk.ContentBlockParamUnion, error) {
	switch part.Type {
	case llm.PartText, "":
		if part.Text == "" {
			return nil, nil
		}
		b := sdk.NewTextBlock(part.Text)
		return &b, nil
	case llm.PartImage:
		src, err := llm.ParseMediaSource(part.Data, part.MimeType)
		if err != nil {
			return nil, fmt.Errorf("image: %w", err)
		}
		img := &sdk.ImageBlockParam{}
		if src.URL != "" {
			img.Source.OfURL = &sdk.URLImageSourceParam{URL: src.URL}
		} else {
			mt := src.MimeType
			if mt == "" || !strings.HasPrefix(mt, "image/") {
				mt = http.DetectContentType(src.Data)
			}
			mt, _, _ = strings.Cut(mt, ";")
			switch mt {
			case "image/jpeg", "image/png", "image/gif", "image/webp":
			default:
				return nil, fmt.Errorf("image: unsupported media type %q (Anthropic accepts image/jpeg, image/png, image/gif, image/webp)", mt)
			}
			img.Source.OfBase64 = &sdk.Base64ImageSourceParam{Data: src.Base64(), MediaType: sdk.Base64ImageSourceMediaType(mt)}
		}
		return &sdk.ContentBlockParamUnion{OfImage: img}, nil
	case llm.PartFile:
		src, err := llm.ParseMediaSource(part.Data, part.MimeType)
		if err != nil {
			return nil, fmt.Errorf("file: %w", err)
		}
		mt := src.MimeType
		if mt == "" && src.URL != "" {
			mt = mime.TypeByExtension(path.Ext(urlPath(src.URL)))
		}
		if mt == "" && src.Data != nil {
			mt = http.DetectContentType(src.Data)
		}
		mt, _, _ = strings.Cut(mt, ";")
		doc := &sdk.DocumentBlockParam{}
		switch {
		case mt == "application/pdf":
			if src.URL != "" {
				doc.Source.OfURL = &sdk.URLPDFSourceParam{URL: src.URL}
			} else {
				doc.Source.OfBase64 = &sdk.Base64PDFSourceParam{Data: src.Base64()}
			}
		case strings.HasPrefix(mt, "text/") && src.URL == "":
			doc.Source.OfText = &sdk.PlainTextSourceParam{Data: string(src.Data)}
		case strings.HasPrefix(mt, "image/"):
			return contentBlock(llm.Part{Type: llm.PartImage, Data: part.Data, MimeType: mt})
		default:
			return nil, fmt.Errorf("file: unsupported media type %q (Anthropic accepts PDF and plain-text documents)", mt)
		}
		return &sdk.ContentBlockParamUnion{OfDocument: doc}, nil
	default:
		return nil, fmt.Errorf("unsupported content part %q", part.Type)
	}
}

func urlPath(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Path
	}
	return u
}

// mapError turns SDK errors into *llm.APIError. The API key is never part
// of the message: only the status, the API's error type and message are
// kept.
func (p *Provider) mapError(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	var ae *sdk.Error
	if errors.As(err, &ae) {
		out := &llm.APIError{Provider: p.name, Status: ae.StatusCode}
		var body struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		raw := ae.RawJSON()
		if json.Unmarshal([]byte(raw), &body) == nil && body.Error.Message != "" {
			out.Code, out.Message = body.Error.Type, body.Error.Message
		} else if s := strings.TrimSpace(raw); s != "" && len(s) < 500 {
			out.Message = s
		} else {
			out.Message = http.StatusText(ae.StatusCode)
		}
		if out.Code == "" {
			out.Code = string(ae.Type())
		}
		if ae.Response != nil {
			out.RetryAfter = retryAfter(ae.Response.Header)
		}
		return out
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &llm.APIError{Provider: p.name, Message: err.Error()}
}

func retryAfter(h http.Header) time.Duration {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := h.Get("retry-after"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
		}
	}
	return 0
}
