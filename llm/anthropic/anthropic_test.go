package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/anthropic"
)

const testKey = "sk-ant-test-SECRET-1234"

// fake is an Anthropic Messages API stand-in that records requests.
type fake struct {
	t       *testing.T
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
	paths   []string
	// reply answers attempt n (0-based).
	reply func(w http.ResponseWriter, n int)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		f.t.Errorf("request body is not JSON: %v: %s", err, data)
	}
	f.mu.Lock()
	n := len(f.bodies)
	f.bodies = append(f.bodies, body)
	f.headers = append(f.headers, r.Header.Clone())
	f.paths = append(f.paths, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	f.reply(w, n)
}

func (f *fake) last() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[len(f.bodies)-1]
}

func newProvider(t *testing.T, reply func(w http.ResponseWriter, n int), mod ...func(*llm.ProviderConfig)) (*anthropic.Provider, *fake) {
	t.Helper()
	f := &fake{t: t, reply: reply}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := llm.ProviderConfig{Name: "anthropic", APIKey: testKey, BaseURL: srv.URL}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := anthropic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

func jsonReply(status int, body string) func(w http.ResponseWriter, n int) {
	return func(w http.ResponseWriter, n int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func sseReply(events ...string) func(w http.ResponseWriter, n int) {
	return func(w http.ResponseWriter, n int) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		for _, e := range events {
			typ := e[strings.Index(e, `"type":"`)+8:]
			typ = typ[:strings.Index(typ, `"`)]
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, e)
			w.(http.Flusher).Flush()
		}
	}
}

func ptr[T any](v T) *T { return &v }

func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON: %v", err)
	}
	return v
}

const pngB64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

func TestGenerateRequestAndResponse(t *testing.T) {
	p, f := newProvider(t, jsonReply(200, `{
		"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-20250514",
		"content": [
			{"type": "text", "text": "Let me check. "},
			{"type": "text", "text": "One moment."},
			{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris", "unit": "c"}}
		],
		"stop_reason": "tool_use", "stop_sequence": null,
		"usage": {"input_tokens": 100, "cache_read_input_tokens": 50, "cache_creation_input_tokens": 25, "output_tokens": 40}
	}`))
	req := &llm.TextRequest{
		Model: "claude-sonnet-4-20250514",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "You are helpful."}}},
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "Be brief."}}},
			{Role: llm.RoleUser, Parts: []llm.Part{
				{Type: llm.PartText, Text: "What is in these?"},
				{Type: llm.PartImage, Data: "https://example.com/cat.png"},
				{Type: llm.PartImage, Data: "data:image/png;base64," + pngB64},
				{Type: llm.PartImage, Data: pngB64}, // bare base64: media type sniffed
				{Type: llm.PartFile, Data: "data:application/pdf;base64,JVBERi0xLjQK", MimeType: "application/pdf"},
				{Type: llm.PartFile, Data: "https://example.com/doc.pdf", MimeType: "application/pdf"},
			}},
			{Role: llm.RoleAssistant, Parts: []llm.Part{{Type: llm.PartText, Text: "Checking."}},
				ToolCalls: []llm.ToolCall{{ID: "toolu_0", Name: "get_weather", Args: json.RawMessage(`{"city":"Rome"}`)}}},
			{Role: llm.RoleTool, ToolCallID: "toolu_0", ToolName: "get_weather", Parts: []llm.Part{{Type: llm.PartText, Text: "21C"}}},
			{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "And Paris?"}}},
		},
		Settings: llm.Settings{
			MaxTokens:        ptr(1000),
			Temperature:      ptr(0.3),
			TopP:             ptr(0.9),
			TopK:             ptr(40),
			StopSequences:    []string{"END"},
			PresencePenalty:  ptr(0.5), // no Anthropic equivalent: not sent
			FrequencyPenalty: ptr(0.5),
			Seed:             ptr(int64(7)),
			ToolChoice:       &llm.ToolChoice{Mode: "required"},
		},
		Tools: []llm.ToolDef{{
			Name:        "get_weather",
			Description: "Weather for a city",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},"required":["city"],"additionalProperties":false}`),
		}},
	}
	resp, err := p.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}

	want := mustJSON(t, `{
		"model": "claude-sonnet-4-20250514",
		"max_tokens": 1000,
		"temperature": 0.3,
		"top_p": 0.9,
		"top_k": 40,
		"stop_sequences": ["END"],
		"system": [{"type": "text", "text": "You are helpful."}, {"type": "text", "text": "Be brief."}],
		"messages": [
			{"role": "user", "content": [
				{"type": "text", "text": "What is in these?"},
				{"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
				{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "`+pngB64+`"}},
				{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "`+pngB64+`"}},
				{"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQK"}},
				{"type": "document", "source": {"type": "url", "url": "https://example.com/doc.pdf"}}
			]},
			{"role": "assistant", "content": [
				{"type": "text", "text": "Checking."},
				{"type": "tool_use", "id": "toolu_0", "name": "get_weather", "input": {"city": "Rome"}}
			]},
			{"role": "user", "content": [
				{"type": "tool_result", "tool_use_id": "toolu_0", "content": [{"type": "text", "text": "21C"}]},
				{"type": "text", "text": "And Paris?"}
			]}
		],
		"tools": [{
			"name": "get_weather", "description": "Weather for a city",
			"input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"], "additionalProperties": false}
		}],
		"tool_choice": {"type": "any"}
	}`)
	got := f.last()
	// Normalise the tool_result block: the SDK may send is_error:false.
	if diff := cmp.Diff(want, stripFalse(got)); diff != "" {
		t.Errorf("request body mismatch (-want +got):\n%s", diff)
	}
	h := f.headers[0]
	if h.Get("X-Api-Key") != testKey {
		t.Errorf("x-api-key = %q", h.Get("X-Api-Key"))
	}
	if h.Get("Anthropic-Version") == "" {
		t.Error("anthropic-version header missing")
	}
	if f.paths[0] != "POST /v1/messages" {
		t.Errorf("path = %q", f.paths[0])
	}

	wantResp := &llm.TextResponse{
		Text:         "Let me check. One moment.",
		ToolCalls:    []llm.ToolCall{{ID: "toolu_1", Name: "get_weather", Args: json.RawMessage(`{"city": "Paris", "unit": "c"}`)}},
		FinishReason: llm.FinishToolCalls,
		Usage:        llm.Usage{InputTokens: 175, OutputTokens: 40, TotalTokens: 215, CachedInputTokens: 50},
		Model:        "claude-sonnet-4-20250514",
	}
	if diff := cmp.Diff(wantResp, resp, cmp.Comparer(func(a, b json.RawMessage) bool {
		return cmp.Equal(asJSON(t, a), asJSON(t, b))
	})); diff != "" {
		t.Errorf("response mismatch (-want +got):\n%s", diff)
	}
}

// stripFalse removes "is_error": false and empty "cache_control" noise the
// SDK may add, so the comparison is about what matters.
func stripFalse(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if k == "is_error" && val == false {
				continue
			}
			out[k] = stripFalse(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripFalse(e)
		}
		return out
	}
	return v
}

func TestDefaultsAndFinishReasons(t *testing.T) {
	cases := []struct{ stop, want string }{
		{"end_turn", llm.FinishStop},
		{"stop_sequence", llm.FinishStop},
		{"max_tokens", llm.FinishLength},
		{"model_context_window_exceeded", llm.FinishLength},
		{"tool_use", llm.FinishToolCalls},
		{"refusal", llm.FinishContentFilter},
		{"pause_turn", llm.FinishOther},
	}
	for _, c := range cases {
		p, f := newProvider(t, jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"hi"}],"stop_reason":"`+c.stop+`","usage":{"input_tokens":3,"output_tokens":1}}`))
		resp, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x",
			Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.FinishReason != c.want {
			t.Errorf("stop_reason %s -> %q, want %q", c.stop, resp.FinishReason, c.want)
		}
		body := f.last()
		if body["max_tokens"] != float64(anthropic.DefaultMaxTokens) {
			t.Errorf("default max_tokens = %v, want %d", body["max_tokens"], anthropic.DefaultMaxTokens)
		}
		for _, k := range []string{"temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "system"} {
			if _, ok := body[k]; ok {
				t.Errorf("unset %s was sent", k)
			}
		}
		if resp.Usage != (llm.Usage{InputTokens: 3, OutputTokens: 1, TotalTokens: 4}) {
			t.Errorf("usage = %+v", resp.Usage)
		}
	}

	p, f := newProvider(t, jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`),
		func(c *llm.ProviderConfig) { c.Options = map[string]any{"defaultMaxTokens": 8192} })
	if _, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}}); err != nil {
		t.Fatal(err)
	}
	if f.last()["max_tokens"] != float64(8192) {
		t.Errorf("Options defaultMaxTokens not applied: %v", f.last()["max_tokens"])
	}
}

func TestToolChoiceModes(t *testing.T) {
	cases := []struct {
		tc   *llm.ToolChoice
		want string
	}{
		{&llm.ToolChoice{Mode: "auto"}, `{"type":"auto"}`},
		{&llm.ToolChoice{Mode: "required"}, `{"type":"any"}`},
		{&llm.ToolChoice{Mode: "none"}, `{"type":"none"}`},
		{&llm.ToolChoice{Mode: "tool", ToolName: "lookup"}, `{"type":"tool","name":"lookup"}`},
	}
	for _, c := range cases {
		p, f := newProvider(t, jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`))
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x",
			Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}},
			Tools:    []llm.ToolDef{{Name: "lookup"}},
			Settings: llm.Settings{ToolChoice: c.tc}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(mustJSON(t, c.want), f.last()["tool_choice"]); diff != "" {
			t.Errorf("%s: tool_choice (-want +got):\n%s", c.tc.Mode, diff)
		}
		// A tool without parameters gets an empty object schema.
		if diff := cmp.Diff(mustJSON(t, `[{"name":"lookup","input_schema":{"type":"object","properties":{}}}]`), f.last()["tools"]); diff != "" {
			t.Errorf("tools (-want +got):\n%s", diff)
		}
	}
}

func TestObjectOutput(t *testing.T) {
	p, f := newProvider(t, jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x",
		"content":[{"type":"tool_use","id":"toolu_9","name":"person","input":{"name":"Ada","age":36}}],
		"stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":10}}`))
	schema := `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"number"}},"required":["name","age"]}`
	resp, err := p.Generate(context.Background(), &llm.TextRequest{
		Model:             "claude-x",
		Messages:          []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "Ada, 36"}}}},
		Schema:            json.RawMessage(schema),
		SchemaName:        "person",
		SchemaDescription: "A person",
	})
	if err != nil {
		t.Fatal(err)
	}
	body := f.last()
	wantTools := mustJSON(t, `[{"name":"person","description":"A person","input_schema":`+schema+`}]`)
	if diff := cmp.Diff(wantTools, body["tools"]); diff != "" {
		t.Errorf("tools (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(mustJSON(t, `{"type":"tool","name":"person"}`), body["tool_choice"]); diff != "" {
		t.Errorf("tool_choice (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(mustJSON(t, `{"name":"Ada","age":36}`), mustJSON(t, resp.Text)); diff != "" {
		t.Errorf("object text (-want +got):\n%s", diff)
	}
	if resp.FinishReason != llm.FinishStop || len(resp.ToolCalls) != 0 {
		t.Errorf("finish = %q, tool calls = %v", resp.FinishReason, resp.ToolCalls)
	}
	// Default tool name when the prompt gives none.
	p2, f2 := newProvider(t, jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[{"type":"tool_use","id":"t","name":"json","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}`))
	if _, err := p2.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "x"}}}}, Schema: json.RawMessage(schema)}); err != nil {
		t.Fatal(err)
	}
	if tc := f2.last()["tool_choice"].(map[string]any); tc["name"] != "json" {
		t.Errorf("default object tool name = %v", tc["name"])
	}
}

var streamEvents = []string{
	`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":30,"cache_read_input_tokens":10,"cache_creation_input_tokens":0,"output_tokens":1}}}`,
	`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
	`{"type":"ping"}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}`,
	`{"type":"content_block_stop","index":0}`,
	`{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}`,
	`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}`,
	`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}`,
	`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}`,
	`{"type":"content_block_stop","index":1}`,
	`{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":25}}`,
	`{"type":"message_stop"}`,
}

func collect(t *testing.T, p *anthropic.Provider, req *llm.TextRequest) ([]llm.StreamEvent, error) {
	t.Helper()
	var evs []llm.StreamEvent
	for ev, err := range p.Stream(context.Background(), req) {
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

func TestStream(t *testing.T) {
	p, f := newProvider(t, sseReply(streamEvents...))
	evs, err := collect(t, p, &llm.TextRequest{Model: "claude-x",
		Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}},
		Tools:    []llm.ToolDef{{Name: "get_weather", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if f.last()["stream"] != true {
		t.Errorf("stream flag not sent: %v", f.last()["stream"])
	}
	want := []llm.StreamEvent{
		{Type: llm.EventTextDelta, TextDelta: "Hel"},
		{Type: llm.EventTextDelta, TextDelta: "lo"},
		{Type: llm.EventToolCall, ToolCall: &llm.ToolCall{ID: "toolu_1", Name: "get_weather", Args: json.RawMessage(`{"city": "Paris"}`)}},
		{Type: llm.EventFinish, FinishReason: llm.FinishToolCalls, Usage: llm.Usage{InputTokens: 40, OutputTokens: 25, TotalTokens: 65, CachedInputTokens: 10}},
	}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestStreamObject(t *testing.T) {
	p, _ := newProvider(t, sseReply(
		`{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"json","input":{}}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"1}"}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}`,
		`{"type":"message_stop"}`,
	))
	evs, err := collect(t, p, &llm.TextRequest{Model: "claude-x",
		Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}},
		Schema:   json.RawMessage(`{"type":"object","properties":{"a":{"type":"number"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.StreamEvent{
		{Type: llm.EventTextDelta, TextDelta: `{"a":`},
		{Type: llm.EventTextDelta, TextDelta: `1}`},
		{Type: llm.EventFinish, FinishReason: llm.FinishStop, Usage: llm.Usage{InputTokens: 5, OutputTokens: 7, TotalTokens: 12}},
	}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	p, _ := newProvider(t, sseReply(
		`{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"par"}}`,
		`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
	), func(c *llm.ProviderConfig) { c.MaxRetries = ptr(0) })
	evs, err := collect(t, p, &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
	if err == nil {
		t.Fatal("want an error")
	}
	if len(evs) != 1 || evs[0].TextDelta != "par" {
		t.Errorf("events before the error = %+v", evs)
	}
	if !strings.Contains(err.Error(), "Overloaded") {
		t.Errorf("error = %v", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Error("error leaks the API key")
	}
}

func TestErrors(t *testing.T) {
	t.Run("401 without the key", func(t *testing.T) {
		p, f := newProvider(t, jsonReply(401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`))
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
		var ae *llm.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("error %T %v is not *llm.APIError", err, err)
		}
		if ae.Status != 401 || ae.Code != "authentication_error" || ae.Message != "invalid x-api-key" || ae.Provider != "anthropic" {
			t.Errorf("APIError = %+v", ae)
		}
		if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v", ae), testKey) {
			t.Errorf("error leaks the key: %v", err)
		}
		if ae.Retryable() || len(f.bodies) != 1 {
			t.Errorf("401 must not be retried (%d attempts)", len(f.bodies))
		}
	})
	t.Run("429 retry then success", func(t *testing.T) {
		p, f := newProvider(t, func(w http.ResponseWriter, n int) {
			if n == 0 {
				w.Header().Set("retry-after-ms", "5")
				jsonReply(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)(w, n)
				return
			}
			jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`)(w, n)
		})
		resp, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "ok" || len(f.bodies) != 2 {
			t.Errorf("text = %q after %d attempts", resp.Text, len(f.bodies))
		}
	})
	t.Run("529 overloaded exhausts retries", func(t *testing.T) {
		var calls atomic.Int32
		p, _ := newProvider(t, func(w http.ResponseWriter, n int) {
			calls.Add(1)
			w.Header().Set("retry-after", "0")
			jsonReply(529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)(w, n)
		}, func(c *llm.ProviderConfig) { c.MaxRetries = ptr(1) })
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != 529 || ae.Code != "overloaded_error" || !ae.Retryable() {
			t.Fatalf("err = %v", err)
		}
		if calls.Load() != 2 {
			t.Errorf("attempts = %d, want 2 (1 retry)", calls.Load())
		}
	})
	t.Run("retry-after kept", func(t *testing.T) {
		p, _ := newProvider(t, func(w http.ResponseWriter, n int) {
			w.Header().Set("retry-after", "7")
			jsonReply(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}`)(w, n)
		}, func(c *llm.ProviderConfig) { c.MaxRetries = ptr(0) })
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.RetryAfter.Seconds() != 7 {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		p, f := newProvider(t, jsonReply(200, `{}`))
		bad := []*llm.TextRequest{
			{Model: ""},
			{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartImage, Data: "not base64 !!"}}}}},
			{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartFile, Data: "data:application/zip;base64,UEsDBA=="}}}}},
			{Model: "claude-x", Messages: []llm.Message{{Role: "robot"}}},
			{Model: "claude-x", Tools: []llm.ToolDef{{Name: "t", Parameters: json.RawMessage(`[1]`)}}},
		}
		for _, r := range bad {
			if _, err := p.Generate(context.Background(), r); err == nil {
				t.Errorf("request %+v: want error", r)
			}
		}
		if len(f.bodies) != 0 {
			t.Errorf("invalid requests reached the server")
		}
	})
}

func TestRegistryFactory(t *testing.T) {
	f := &fake{t: t, reply: jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"via registry"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	r := llm.NewRegistry()
	env := map[string]string{"ANTHROPIC_API_KEY": testKey, "ANTHROPIC_BASE_URL": srv.URL + "/v1"}
	r.SetGetenv(func(k string) string { return env[k] })
	rm, err := r.Resolve("claude-sonnet-4-20250514")
	if err != nil {
		t.Fatal(err)
	}
	tp, ok := rm.Provider.(llm.TextProvider)
	if !ok || rm.Provider.Name() != "anthropic" {
		t.Fatalf("provider = %T %q", rm.Provider, rm.Provider.Name())
	}
	resp, err := tp.Generate(context.Background(), &llm.TextRequest{Model: rm.Model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "via registry" || f.paths[0] != "POST /v1/messages" || f.headers[0].Get("X-Api-Key") != testKey {
		t.Errorf("text %q path %q", resp.Text, f.paths[0])
	}
	if f.bodies[0]["model"] != "claude-sonnet-4-20250514" {
		t.Errorf("model = %v", f.bodies[0]["model"])
	}
}

func TestStreamHTTPErrorAndTextDocument(t *testing.T) {
	p, _ := newProvider(t, jsonReply(401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`))
	for _, err := range p.Stream(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}}) {
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != 401 || strings.Contains(err.Error(), testKey) {
			t.Errorf("stream error = %v", err)
		}
	}

	p, f := newProvider(t, jsonReply(200, `{"id":"m","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`))
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "claude-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		{Type: llm.PartFile, Data: "data:text/plain;base64,aGVsbG8=", MimeType: "text/plain"},
		{Type: llm.PartFile, Data: "data:image/png;base64," + pngB64}, // an image sent as a file
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := mustJSON(t, `[{"role":"user","content":[
		{"type":"document","source":{"type":"text","media_type":"text/plain","data":"hello"}},
		{"type":"image","source":{"type":"base64","media_type":"image/png","data":"`+pngB64+`"}}]}]`)
	if diff := cmp.Diff(want, f.last()["messages"]); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
