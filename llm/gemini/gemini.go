// Package gemini is the Google Gemini API provider (generateContent and
// streamGenerateContent with alt=sse).
//
// It is a small net/http client for the REST API rather than a wrapper of
// google.golang.org/genai, for three reasons found when evaluating the
// SDK: genai round-trips every request through map[string]any, which
// re-sorts JSON Schema keys (property order drives the field order of
// structured output, so schemas must reach the API unchanged); its errors
// drop the HTTP headers and its retry loop ignores Retry-After; and the
// two endpoints used here are a few hundred lines of plain JSON and SSE,
// easy to test against a fake server.
//
// Mapping from the neutral llm types:
//   - system messages → systemInstruction; user → "user" contents with
//     text, inlineData (base64 / data: URLs) and fileData (http(s) and
//     gs:// URLs) parts; assistant → "model" contents with functionCall
//     parts; tool results → functionResponse parts
//     ({"name": tool, "content": result}); same-role turns are merged;
//   - tools → functionDeclarations (parametersJsonSchema, full JSON
//     Schema); tool_choice auto/required/none/tool → toolConfig
//     functionCallingConfig AUTO/ANY/NONE/ANY+allowedFunctionNames;
//   - generationConfig: temperature, topP, topK, maxOutputTokens,
//     stopSequences, seed, presencePenalty, frequencyPenalty; object
//     prompts set responseMimeType application/json and responseJsonSchema
//     (schema sent unchanged, key order kept);
//   - Options["schemaMode"] = "openapi" sends parameters/responseSchema in
//     Gemini's OpenAPI subset instead (for older models), converted from
//     JSON Schema with propertyOrdering added;
//   - usageMetadata: InputTokens = promptTokenCount (+ toolUsePromptTokenCount),
//     OutputTokens = candidatesTokenCount + thoughtsTokenCount,
//     ReasoningTokens = thoughtsTokenCount, CachedInputTokens =
//     cachedContentTokenCount, TotalTokens = totalTokenCount;
//   - finishReason STOP → stop (tool-calls when the answer calls tools),
//     MAX_TOKENS → length, SAFETY/RECITATION/BLOCKLIST/PROHIBITED_CONTENT/
//     SPII/IMAGE_SAFETY (and a blocked prompt) → content-filter,
//     MALFORMED_FUNCTION_CALL → error, anything else → other;
//   - errors → *llm.APIError (status, google.rpc status, message,
//     Retry-After header or RetryInfo.retryDelay); 408/409/429/5xx and
//     network failures are retried MaxRetries times (default 2).
//
// Gemini thinking models attach a thoughtSignature to function calls that
// must be echoed back on the next turn; the provider remembers them by
// tool-call id (ids it generates when the API gives none).
//
// The package registers the "google" provider type (alias "gemini").
package gemini

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"
	mathrand "math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agentmark-go/agentmark/llm"
)

// DefaultBaseURL is the Gemini API endpoint (with its API version).
const DefaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

// DefaultMaxRetries is the number of retries of retryable failures when the
// configuration sets none.
const DefaultMaxRetries = 2

// maxRetryWait caps a server-requested wait; longer waits are not retried.
const maxRetryWait = 60 * time.Second

func init() {
	f := func(cfg llm.ProviderConfig) (llm.Provider, error) { return New(cfg) }
	llm.RegisterProviderFactory("google", f)
	llm.RegisterProviderFactory("gemini", f)
}

// Provider calls the Gemini API. It implements llm.TextProvider.
type Provider struct {
	name       string
	baseURL    string
	apiKey     string
	hc         *http.Client
	headers    map[string]string
	maxRetries int
	openAPI    bool
	// backoff is the first retry delay when the server gives none.
	backoff time.Duration

	sigMu sync.Mutex
	sigs  map[string]string // tool-call id -> thoughtSignature
}

var _ llm.TextProvider = (*Provider)(nil)

var versionSuffix = regexp.MustCompile(`/v\d+(alpha|beta)?\d*$`)

// New builds a provider from cfg. cfg.APIKey is sent as x-goog-api-key.
// cfg.BaseURL (GEMINI_BASE_URL through the registry, else the
// GOOGLE_GEMINI_BASE_URL variable) replaces the public endpoint; "/v1beta"
// is appended when it names no API version.
func New(cfg llm.ProviderConfig) (*Provider, error) {
	name := cfg.Name
	if name == "" {
		name = "google"
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = strings.TrimRight(os.Getenv("GOOGLE_GEMINI_BASE_URL"), "/")
	}
	if base == "" {
		base = DefaultBaseURL
	} else if !versionSuffix.MatchString(base) {
		base += "/v1beta"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("gemini: invalid base URL %q", base)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: cfg.Timeout}
	}
	p := &Provider{
		name: name, baseURL: base, apiKey: cfg.APIKey, hc: hc, headers: cfg.Headers,
		maxRetries: DefaultMaxRetries, backoff: 500 * time.Millisecond, sigs: map[string]string{},
	}
	if cfg.MaxRetries != nil {
		p.maxRetries = max(*cfg.MaxRetries, 0)
	}
	if v, ok := cfg.Options["schemaMode"]; ok {
		switch v {
		case "openapi":
			p.openAPI = true
		case "jsonschema", "":
		default:
			return nil, fmt.Errorf("gemini: option schemaMode must be \"jsonschema\" or \"openapi\"")
		}
	}
	return p, nil
}

// Name implements llm.Provider.
func (p *Provider) Name() string { return p.name }

// ---- wire types ----

type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

type part struct {
	Text             string            `json:"text,omitempty"`
	Thought          bool              `json:"thought,omitempty"`
	InlineData       *blob             `json:"inlineData,omitempty"`
	FileData         *fileData         `json:"fileData,omitempty"`
	FunctionCall     *functionCall     `json:"functionCall,omitempty"`
	FunctionResponse *functionResponse `json:"functionResponse,omitempty"`
	ThoughtSignature string            `json:"thoughtSignature,omitempty"`
}

type blob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type fileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type functionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

type functionResponse struct {
	ID       string          `json:"id,omitempty"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

type functionDeclaration struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	Parameters           json.RawMessage `json:"parameters,omitempty"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
}

type tool struct {
	FunctionDeclarations []functionDeclaration `json:"functionDeclarations"`
}

type toolConfig struct {
	FunctionCallingConfig functionCallingConfig `json:"functionCallingConfig"`
}

type functionCallingConfig struct {
	Mode                 string   `json:"mode"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

type generationConfig struct {
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"topP,omitempty"`
	TopK               *int            `json:"topK,omitempty"`
	MaxOutputTokens    *int            `json:"maxOutputTokens,omitempty"`
	StopSequences      []string        `json:"stopSequences,omitempty"`
	Seed               *int64          `json:"seed,omitempty"`
	PresencePenalty    *float64        `json:"presencePenalty,omitempty"`
	FrequencyPenalty   *float64        `json:"frequencyPenalty,omitempty"`
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseSchema     json.RawMessage `json:"responseSchema,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
}

type request struct {
	SystemInstruction *content          `json:"systemInstruction,omitempty"`
	Contents          []content         `json:"contents"`
	Tools             []tool            `json:"tools,omitempty"`
	ToolConfig        *toolConfig       `json:"toolConfig,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
}

type usageMetadata struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	ToolUsePromptTokenCount int `json:"toolUsePromptTokenCount"`
	TotalTokenCount         int `json:"totalTokenCount"`
}

type response struct {
	Candidates []struct {
		Content      content `json:"content"`
		FinishReason string  `json:"finishReason"`
	} `json:"candidates"`
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	UsageMetadata *usageMetadata `json:"usageMetadata"`
	ModelVersion  string         `json:"modelVersion"`
}

// ---- request building ----

func (p *Provider) modelPath(model string) string {
	model = strings.TrimSpace(model)
	if strings.HasPrefix(model, "tunedModels/") {
		return model
	}
	return "models/" + strings.TrimPrefix(model, "models/")
}

func (p *Provider) buildRequest(req *llm.TextRequest) (*request, error) {
	if req == nil {
		return nil, fmt.Errorf("%s: nil request", p.name)
	}
	if strings.TrimSpace(strings.TrimPrefix(req.Model, "models/")) == "" {
		return nil, fmt.Errorf("%s: model is required", p.name)
	}
	out := &request{Contents: []content{}}
	add := func(role string, parts []part) {
		if len(parts) == 0 {
			return
		}
		if n := len(out.Contents); n > 0 && out.Contents[n-1].Role == role {
			out.Contents[n-1].Parts = append(out.Contents[n-1].Parts, parts...)
			return
		}
		out.Contents = append(out.Contents, content{Role: role, Parts: parts})
	}
	callNames := map[string]string{}
	for i, m := range req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			if t := m.Text(); t != "" {
				if out.SystemInstruction == nil {
					out.SystemInstruction = &content{}
				}
				out.SystemInstruction.Parts = append(out.SystemInstruction.Parts, part{Text: t})
			}
		case llm.RoleUser:
			var parts []part
			for _, mp := range m.Parts {
				pt, err := contentPart(mp)
				if err != nil {
					return nil, fmt.Errorf("%s: message %d: %w", p.name, i, err)
				}
				if pt != nil {
					parts = append(parts, *pt)
				}
			}
			add("user", parts)
		case llm.RoleAssistant:
			var parts []part
			if t := m.Text(); t != "" {
				parts = append(parts, part{Text: t})
			}
			for _, tc := range m.ToolCalls {
				callNames[tc.ID] = tc.Name
				args := tc.Args
				if len(args) == 0 {
					args = json.RawMessage(`{}`)
				}
				fc := &functionCall{Name: tc.Name, Args: args}
				if !isGeneratedID(tc.ID) {
					fc.ID = tc.ID
				}
				parts = append(parts, part{FunctionCall: fc, ThoughtSignature: p.signature(tc.ID)})
			}
			add("model", parts)
		case llm.RoleTool:
			name := m.ToolName
			if name == "" {
				name = callNames[m.ToolCallID]
			}
			if name == "" {
				return nil, fmt.Errorf("%s: message %d: tool result without a tool name", p.name, i)
			}
			var value json.RawMessage
			if t := m.Text(); json.Valid([]byte(t)) && strings.TrimSpace(t) != "" {
				value = json.RawMessage(t)
			} else {
				value, _ = json.Marshal(t)
			}
			nameJSON, _ := json.Marshal(name)
			fr := &functionResponse{Name: name, Response: json.RawMessage(`{"name":` + string(nameJSON) + `,"content":` + string(value) + `}`)}
			if !isGeneratedID(m.ToolCallID) {
				fr.ID = m.ToolCallID
			}
			add("user", []part{{FunctionResponse: fr}})
		default:
			return nil, fmt.Errorf("%s: message %d: unknown role %q", p.name, i, m.Role)
		}
	}

	if len(req.Tools) > 0 {
		var decls []functionDeclaration
		for _, t := range req.Tools {
			d := functionDeclaration{Name: t.Name, Description: t.Description}
			if len(t.Parameters) > 0 {
				var err error
				if p.openAPI {
					d.Parameters, err = toOpenAPISchema(t.Parameters)
				} else {
					d.ParametersJSONSchema, err = cleanJSONSchema(t.Parameters)
				}
				if err != nil {
					return nil, fmt.Errorf("%s: tool %q: parameters: %w", p.name, t.Name, err)
				}
			}
			decls = append(decls, d)
		}
		out.Tools = []tool{{FunctionDeclarations: decls}}
	}
	s := req.Settings
	if tc := s.ToolChoice; tc != nil {
		fc := functionCallingConfig{}
		switch tc.Mode {
		case "", "auto":
			fc.Mode = "AUTO"
		case "required":
			fc.Mode = "ANY"
		case "none":
			fc.Mode = "NONE"
		case "tool":
			if tc.ToolName == "" {
				return nil, fmt.Errorf("%s: tool_choice: tool name is required", p.name)
			}
			fc.Mode, fc.AllowedFunctionNames = "ANY", []string{tc.ToolName}
		default:
			return nil, fmt.Errorf("%s: unsupported tool_choice %q", p.name, tc.Mode)
		}
		out.ToolConfig = &toolConfig{FunctionCallingConfig: fc}
	}

	gc := &generationConfig{
		Temperature: s.Temperature, TopP: s.TopP, TopK: s.TopK, MaxOutputTokens: s.MaxTokens,
		StopSequences: s.StopSequences, Seed: s.Seed, PresencePenalty: s.PresencePenalty,
		FrequencyPenalty: s.FrequencyPenalty,
	}
	if len(req.Schema) > 0 {
		gc.ResponseMimeType = "application/json"
		var err error
		if p.openAPI {
			gc.ResponseSchema, err = toOpenAPISchema(req.Schema)
		} else {
			gc.ResponseJSONSchema, err = cleanJSONSchema(req.Schema)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: schema: %w", p.name, err)
		}
	}
	if b, _ := json.Marshal(gc); string(b) != "{}" {
		out.GenerationConfig = gc
	}
	return out, nil
}

func contentPart(mp llm.Part) (*part, error) {
	switch mp.Type {
	case llm.PartText, "":
		if mp.Text == "" {
			return nil, nil
		}
		return &part{Text: mp.Text}, nil
	case llm.PartImage, llm.PartFile:
		m, err := llm.ParseMediaSource(mp.Data, mp.MimeType, "gs")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mp.Type, err)
		}
		if m.URL != "" {
			mt := m.MimeType
			if mt == "" {
				mt = mime.TypeByExtension(path.Ext(urlPath(m.URL)))
			}
			if mt == "" {
				if mp.Type == llm.PartImage {
					mt = "image/jpeg"
				} else {
					mt = "application/pdf"
				}
			}
			mt, _, _ = strings.Cut(mt, ";")
			return &part{FileData: &fileData{MimeType: mt, FileURI: m.URL}}, nil
		}
		mt := m.MimeType
		if mt == "" {
			mt = http.DetectContentType(m.Data)
		}
		mt, _, _ = strings.Cut(mt, ";")
		return &part{InlineData: &blob{MimeType: mt, Data: m.Base64()}}, nil
	default:
		return nil, fmt.Errorf("unsupported content part %q", mp.Type)
	}
}

// ---- thought signatures and tool-call ids ----

const generatedIDPrefix = "gemini-call-"

func isGeneratedID(id string) bool { return id == "" || strings.HasPrefix(id, generatedIDPrefix) }

func newCallID() string {
	var b [8]byte
	rand.Read(b[:])
	return generatedIDPrefix + hex.EncodeToString(b[:])
}

const maxSignatures = 10000

func (p *Provider) remember(id, sig string) {
	if sig == "" {
		return
	}
	p.sigMu.Lock()
	defer p.sigMu.Unlock()
	if len(p.sigs) >= maxSignatures {
		clear(p.sigs)
	}
	p.sigs[id] = sig
}

func (p *Provider) signature(id string) string {
	p.sigMu.Lock()
	defer p.sigMu.Unlock()
	return p.sigs[id]
}

func (p *Provider) toolCall(pt part) llm.ToolCall {
	fc := pt.FunctionCall
	id := fc.ID
	if id == "" {
		id = newCallID()
	}
	p.remember(id, pt.ThoughtSignature)
	args := fc.Args
	if len(args) == 0 || string(args) == "null" {
		args = json.RawMessage(`{}`)
	}
	return llm.ToolCall{ID: id, Name: fc.Name, Args: args}
}

// ---- calls ----

// Generate implements llm.TextProvider.
func (p *Provider) Generate(ctx context.Context, req *llm.TextRequest) (*llm.TextResponse, error) {
	body, err := p.buildRequest(req)
	if err != nil {
		return nil, err
	}
	resp, err := p.post(ctx, p.modelPath(req.Model)+":generateContent", body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: "invalid response body: " + err.Error()}
	}
	out := &llm.TextResponse{Model: r.ModelVersion}
	raw := ""
	if len(r.Candidates) > 0 {
		c := r.Candidates[0]
		raw = c.FinishReason
		for _, pt := range c.Content.Parts {
			switch {
			case pt.FunctionCall != nil:
				out.ToolCalls = append(out.ToolCalls, p.toolCall(pt))
			case pt.Thought:
			default:
				out.Text += pt.Text
			}
		}
	} else if r.PromptFeedback != nil && r.PromptFeedback.BlockReason != "" {
		raw = "SAFETY"
	}
	out.FinishReason = finishReason(raw, len(out.ToolCalls) > 0)
	if r.UsageMetadata != nil {
		out.Usage = usage(*r.UsageMetadata)
	}
	return out, nil
}

// Stream implements llm.TextProvider.
func (p *Provider) Stream(ctx context.Context, req *llm.TextRequest) iter.Seq2[llm.StreamEvent, error] {
	return func(yield func(llm.StreamEvent, error) bool) {
		body, err := p.buildRequest(req)
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		resp, err := p.post(ctx, p.modelPath(req.Model)+":streamGenerateContent?alt=sse", body)
		if err != nil {
			yield(llm.StreamEvent{}, err)
			return
		}
		defer resp.Body.Close()
		var (
			u        usageMetadata
			raw      string
			anyCalls bool
			blocked  bool
		)
		for data, err := range sseData(resp.Body) {
			if err != nil {
				if ctx.Err() != nil {
					err = ctx.Err()
				}
				yield(llm.StreamEvent{}, err)
				return
			}
			var chunk struct {
				response
				Error *apiErrorBody `json:"error"`
			}
			if err := json.Unmarshal(data, &chunk); err != nil {
				yield(llm.StreamEvent{}, &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: "invalid stream chunk: " + err.Error()})
				return
			}
			if chunk.Error != nil {
				yield(llm.StreamEvent{}, chunk.Error.toAPIError(p.name, 0, nil))
				return
			}
			if chunk.UsageMetadata != nil {
				u = *chunk.UsageMetadata
			}
			if chunk.PromptFeedback != nil && chunk.PromptFeedback.BlockReason != "" {
				blocked = true
			}
			if len(chunk.Candidates) == 0 {
				continue
			}
			c := chunk.Candidates[0]
			if c.FinishReason != "" {
				raw = c.FinishReason
			}
			for _, pt := range c.Content.Parts {
				switch {
				case pt.FunctionCall != nil:
					anyCalls = true
					tc := p.toolCall(pt)
					if !yield(llm.StreamEvent{Type: llm.EventToolCall, ToolCall: &tc}, nil) {
						return
					}
				case pt.Thought:
				case pt.Text != "":
					if !yield(llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: pt.Text}, nil) {
						return
					}
				}
			}
		}
		if raw == "" && blocked {
			raw = "SAFETY"
		}
		yield(llm.StreamEvent{Type: llm.EventFinish, FinishReason: finishReason(raw, anyCalls), Usage: usage(u)}, nil)
	}
}

// sseData yields the data payloads of a text/event-stream body.
func sseData(r io.Reader) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		br := bufio.NewReader(r)
		var data []byte
		has := false
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 || err == nil {
				line = bytes.TrimRight(line, "\r\n")
				switch {
				case len(line) == 0:
					if has {
						if !yield(data, nil) {
							return
						}
						data, has = nil, false
					}
				case line[0] == ':':
				case bytes.HasPrefix(line, []byte("data:")):
					v := bytes.TrimPrefix(line[5:], []byte(" "))
					if has {
						data = append(data, '\n')
					}
					data = append(data, v...)
					has = true
				}
			}
			if err != nil {
				if err == io.EOF {
					if has {
						yield(data, nil)
					}
					return
				}
				yield(nil, err)
				return
			}
		}
	}
}

func usage(m usageMetadata) llm.Usage {
	u := llm.Usage{
		InputTokens:       m.PromptTokenCount + m.ToolUsePromptTokenCount,
		OutputTokens:      m.CandidatesTokenCount + m.ThoughtsTokenCount,
		CachedInputTokens: m.CachedContentTokenCount,
		ReasoningTokens:   m.ThoughtsTokenCount,
		TotalTokens:       m.TotalTokenCount,
	}
	if u.TotalTokens == 0 {
		u.TotalTokens = u.InputTokens + u.OutputTokens
	}
	return u
}

func finishReason(raw string, toolCalls bool) string {
	switch raw {
	case "STOP":
		if toolCalls {
			return llm.FinishToolCalls
		}
		return llm.FinishStop
	case "MAX_TOKENS":
		return llm.FinishLength
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY":
		return llm.FinishContentFilter
	case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL":
		return llm.FinishError
	case "":
		if toolCalls {
			return llm.FinishToolCalls
		}
		return llm.FinishOther
	default:
		return llm.FinishOther
	}
}

// ---- HTTP with retries ----

func (p *Provider) post(ctx context.Context, endpoint string, body *request) (*http.Response, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("%s: encode request: %w", p.name, err)
	}
	target := p.baseURL + "/" + endpoint
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		req.Header.Set("Content-Type", "application/json")
		if p.apiKey != "" {
			req.Header.Set("x-goog-api-key", p.apiKey)
		}
		for k, v := range p.headers {
			req.Header.Set(k, v)
		}
		resp, err := p.hc.Do(req)
		var apiErr *llm.APIError
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			apiErr = &llm.APIError{Provider: p.name, Message: "request failed: " + redact(err.Error(), p.apiKey)}
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			apiErr = p.readError(resp)
			resp.Body.Close()
		}
		if attempt >= p.maxRetries || !apiErr.Retryable() {
			return nil, apiErr
		}
		wait := apiErr.RetryAfter
		if wait > maxRetryWait {
			return nil, apiErr
		}
		if wait == 0 {
			d := float64(p.backoff) * math.Pow(2, float64(attempt))
			wait = time.Duration(d * (0.75 + mathrand.Float64()/2))
			wait = min(wait, 8*time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

func redact(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[redacted]")
}

type apiErrorBody struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Status  string            `json:"status"`
	Details []json.RawMessage `json:"details"`
}

func (e *apiErrorBody) toAPIError(provider string, status int, h http.Header) *llm.APIError {
	if status == 0 {
		status = e.Code
	}
	out := &llm.APIError{Provider: provider, Status: status, Code: e.Status, Message: e.Message}
	if h != nil {
		out.RetryAfter = retryAfter(h)
	}
	if out.RetryAfter == 0 {
		for _, d := range e.Details {
			var info struct {
				Type       string `json:"@type"`
				RetryDelay string `json:"retryDelay"`
			}
			if json.Unmarshal(d, &info) == nil && strings.HasSuffix(info.Type, "google.rpc.RetryInfo") && info.RetryDelay != "" {
				if dur, err := time.ParseDuration(info.RetryDelay); err == nil && dur > 0 {
					out.RetryAfter = dur
				}
			}
		}
	}
	return out
}

// readError maps an error answer. Only the status, the google.rpc status
// and message are kept: never the request, whose headers hold the key.
func (p *Provider) readError(resp *http.Response) *llm.APIError {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error *apiErrorBody `json:"error"`
	}
	// Some proxies wrap the error in an array.
	if json.Unmarshal(data, &body) != nil || body.Error == nil {
		var arr []struct {
			Error *apiErrorBody `json:"error"`
		}
		if json.Unmarshal(data, &arr) == nil && len(arr) > 0 {
			body.Error = arr[0].Error
		}
	}
	if body.Error != nil && body.Error.Message != "" {
		e := body.Error.toAPIError(p.name, resp.StatusCode, resp.Header)
		e.Message = redact(e.Message, p.apiKey)
		return e
	}
	msg := strings.TrimSpace(string(data))
	if msg == "" || len(msg) > 500 {
		msg = http.StatusText(resp.StatusCode)
	}
	return &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: redact(msg, p.apiKey), RetryAfter: retryAfter(resp.Header)}
}

func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
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

// ---- media ----

func urlPath(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Path
	}
	return u
}
