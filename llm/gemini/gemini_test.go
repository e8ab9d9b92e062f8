package gemini_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/gemini"
)

const testKey = "AIza-test-SECRET-9876"

type fake struct {
	t       *testing.T
	mu      sync.Mutex
	raw     [][]byte
	headers []http.Header
	urls    []string
	reply   func(w http.ResponseWriter, n int)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	if !json.Valid(data) {
		f.t.Errorf("request body is not JSON: %s", data)
	}
	f.mu.Lock()
	n := len(f.raw)
	f.raw = append(f.raw, data)
	f.headers = append(f.headers, r.Header.Clone())
	f.urls = append(f.urls, r.Method+" "+r.URL.RequestURI())
	f.mu.Unlock()
	f.reply(w, n)
}

func (f *fake) last() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var m map[string]any
	json.Unmarshal(f.raw[len(f.raw)-1], &m)
	return m
}

func newProvider(t *testing.T, reply func(w http.ResponseWriter, n int), mod ...func(*llm.ProviderConfig)) (*gemini.Provider, *fake) {
	t.Helper()
	f := &fake{t: t, reply: reply}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := llm.ProviderConfig{Name: "google", APIKey: testKey, BaseURL: srv.URL}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := gemini.New(cfg)
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

func sseReply(chunks ...string) func(w http.ResponseWriter, n int) {
	return func(w http.ResponseWriter, n int) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		for _, c := range chunks {
			var b bytes.Buffer
			if json.Compact(&b, []byte(c)) == nil {
				c = b.String()
			}
			fmt.Fprintf(w, "data: %s\r\n\r\n", c)
			w.(http.Flusher).Flush()
		}
	}
}

func ptr[T any](v T) *T { return &v }

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, s)
	}
	return v
}

func user(text string) llm.Message {
	return llm.Message{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: text}}}
}

var rawJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	var x, y any
	json.Unmarshal(a, &x)
	json.Unmarshal(b, &y)
	return cmp.Equal(x, y)
})

const pngB64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

func TestGenerateRequestAndResponse(t *testing.T) {
	p, f := newProvider(t, jsonReply(200, `{
		"candidates": [{
			"content": {"role": "model", "parts": [
				{"text": "thinking...", "thought": true},
				{"text": "Let me look "},
				{"text": "that up."},
				{"functionCall": {"id": "fc_1", "name": "get_weather", "args": {"city": "Paris"}}}
			]},
			"finishReason": "STOP", "index": 0
		}],
		"usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 30, "cachedContentTokenCount": 64,
			"thoughtsTokenCount": 12, "totalTokenCount": 162},
		"modelVersion": "gemini-2.5-flash"
	}`))
	req := &llm.TextRequest{
		Model: "gemini-2.5-flash",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "You are helpful."}}},
			{Role: llm.RoleUser, Parts: []llm.Part{
				{Type: llm.PartText, Text: "Describe these."},
				{Type: llm.PartImage, Data: "data:image/png;base64," + pngB64},
				{Type: llm.PartImage, Data: pngB64},
				{Type: llm.PartImage, Data: "https://example.com/cat.webp"},
				{Type: llm.PartFile, Data: "gs://bucket/report.pdf", MimeType: "application/pdf"},
				{Type: llm.PartFile, Data: "data:text/plain,hello%20world"},
			}},
			{Role: llm.RoleAssistant, Parts: []llm.Part{{Type: llm.PartText, Text: "Checking."}},
				ToolCalls: []llm.ToolCall{{ID: "call_a", Name: "get_weather", Args: json.RawMessage(`{"city":"Rome"}`)}}},
			{Role: llm.RoleTool, ToolCallID: "call_a", Parts: []llm.Part{{Type: llm.PartText, Text: `{"temp":21}`}}},
			user("And Paris?"),
		},
		Settings: llm.Settings{
			MaxTokens: ptr(500), Temperature: ptr(0.2), TopP: ptr(0.8), TopK: ptr(32),
			StopSequences: []string{"STOP!"}, Seed: ptr(int64(42)), PresencePenalty: ptr(0.1), FrequencyPenalty: ptr(0.4),
			ToolChoice: &llm.ToolChoice{Mode: "tool", ToolName: "get_weather"},
		},
		Tools: []llm.ToolDef{{Name: "get_weather", Description: "Weather",
			Parameters: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`)}},
	}
	resp, err := p.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := mustJSON(t, `{
		"systemInstruction": {"parts": [{"text": "You are helpful."}]},
		"contents": [
			{"role": "user", "parts": [
				{"text": "Describe these."},
				{"inlineData": {"mimeType": "image/png", "data": "`+pngB64+`"}},
				{"inlineData": {"mimeType": "image/png", "data": "`+pngB64+`"}},
				{"fileData": {"mimeType": "image/webp", "fileUri": "https://example.com/cat.webp"}},
				{"fileData": {"mimeType": "application/pdf", "fileUri": "gs://bucket/report.pdf"}},
				{"inlineData": {"mimeType": "text/plain", "data": "aGVsbG8gd29ybGQ="}}
			]},
			{"role": "model", "parts": [
				{"text": "Checking."},
				{"functionCall": {"id": "call_a", "name": "get_weather", "args": {"city": "Rome"}}}
			]},
			{"role": "user", "parts": [
				{"functionResponse": {"id": "call_a", "name": "get_weather", "response": {"name": "get_weather", "content": {"temp": 21}}}},
				{"text": "And Paris?"}
			]}
		],
		"tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather",
			"parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}}]}],
		"toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
		"generationConfig": {"temperature": 0.2, "topP": 0.8, "topK": 32, "maxOutputTokens": 500, "stopSequences": ["STOP!"],
			"seed": 42, "presencePenalty": 0.1, "frequencyPenalty": 0.4}
	}`)
	if diff := cmp.Diff(want, f.last()); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
	if f.urls[0] != "POST /v1beta/models/gemini-2.5-flash:generateContent" {
		t.Errorf("url = %q", f.urls[0])
	}
	if f.headers[0].Get("X-Goog-Api-Key") != testKey {
		t.Errorf("x-goog-api-key = %q", f.headers[0].Get("X-Goog-Api-Key"))
	}
	wantResp := &llm.TextResponse{
		Text:         "Let me look that up.",
		ToolCalls:    []llm.ToolCall{{ID: "fc_1", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)}},
		FinishReason: llm.FinishToolCalls,
		Usage:        llm.Usage{InputTokens: 120, OutputTokens: 42, TotalTokens: 162, CachedInputTokens: 64, ReasoningTokens: 12},
		Model:        "gemini-2.5-flash",
	}
	if diff := cmp.Diff(wantResp, resp, rawJSON); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

func TestMinimalRequestSendsNoConfig(t *testing.T) {
	p, f := newProvider(t, jsonReply(200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}]}`))
	resp, err := p.Generate(context.Background(), &llm.TextRequest{Model: "models/gemini-2.0-flash", Messages: []llm.Message{user("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mustJSON(t, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`), f.last()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if f.urls[0] != "POST /v1beta/models/gemini-2.0-flash:generateContent" {
		t.Errorf("url = %q", f.urls[0])
	}
	if resp.Text != "hi" || resp.FinishReason != llm.FinishStop || resp.Usage != (llm.Usage{}) {
		t.Errorf("resp = %+v", resp)
	}
}

func TestObjectSchemaKeepsKeyOrder(t *testing.T) {
	p, f := newProvider(t, jsonReply(200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"zeta\":1,"},{"text":"\"alpha\":\"a\"}"}]},"finishReason":"STOP"}],
		"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":6,"totalTokenCount":11}}`))
	schema := `{"type":"object","properties":{"zeta":{"type":"number"},"alpha":{"type":"string"}},"required":["zeta","alpha"]}`
	resp, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-2.5-pro", Messages: []llm.Message{user("x")}, Schema: json.RawMessage(schema)})
	if err != nil {
		t.Fatal(err)
	}
	raw := string(f.raw[0])
	if !strings.Contains(raw, `"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":`+schema+`}`) {
		t.Errorf("schema not sent verbatim (key order):\n%s", raw)
	}
	if resp.Text != `{"zeta":1,"alpha":"a"}` || resp.FinishReason != llm.FinishStop {
		t.Errorf("resp = %+v", resp)
	}
	if resp.Usage != (llm.Usage{InputTokens: 5, OutputTokens: 6, TotalTokens: 11}) {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

func TestOpenAPISchemaMode(t *testing.T) {
	p, f := newProvider(t, jsonReply(200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"{}"}]},"finishReason":"STOP"}]}`),
		func(c *llm.ProviderConfig) { c.Options = map[string]any{"schemaMode": "openapi"} })
	schema := `{"$schema":"x","type":"object","additionalProperties":false,"properties":{
		"zeta":{"type":["string","null"],"description":"z"},
		"list":{"type":"array","items":{"type":"object","properties":{"b":{"const":"x"},"a":{"type":"integer"}}}},
		"choice":{"anyOf":[{"type":"string"},{"type":"number","exclusiveMinimum":0}]}},
		"required":["zeta"]}`
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-1.5-pro", Messages: []llm.Message{user("x")},
		Schema: json.RawMessage(schema), Tools: []llm.ToolDef{{Name: "t", Parameters: json.RawMessage(schema)}}})
	if err != nil {
		t.Fatal(err)
	}
	wantSchema := `{"type":"object","properties":{"zeta":{"type":"string","description":"z","nullable":true},"list":{"type":"array","items":{"type":"object","properties":{"b":{"enum":["x"]},"a":{"type":"integer"}},"propertyOrdering":["b","a"]}},"choice":{"anyOf":[{"type":"string"},{"type":"number"}]}},"propertyOrdering":["zeta","list","choice"],"required":["zeta"]}`
	raw := string(f.raw[0])
	if !strings.Contains(raw, `"responseSchema":`+wantSchema) {
		t.Errorf("responseSchema:\n%s\nwant %s", raw, wantSchema)
	}
	if !strings.Contains(raw, `"parameters":`+wantSchema) {
		t.Errorf("parameters:\n%s", raw)
	}
	if strings.Contains(raw, "responseJsonSchema") || strings.Contains(raw, "parametersJsonSchema") {
		t.Errorf("JSON-schema fields sent in openapi mode")
	}
	if _, err := gemini.New(llm.ProviderConfig{Options: map[string]any{"schemaMode": "xml"}}); err == nil {
		t.Error("bad schemaMode accepted")
	}
}

func TestToolChoiceModes(t *testing.T) {
	for mode, want := range map[string]string{"auto": "AUTO", "required": "ANY", "none": "NONE"} {
		p, f := newProvider(t, jsonReply(200, `{"candidates":[]}`))
		if _, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")},
			Tools: []llm.ToolDef{{Name: "t"}}, Settings: llm.Settings{ToolChoice: &llm.ToolChoice{Mode: mode}}}); err != nil {
			t.Fatal(err)
		}
		body := f.last()
		if diff := cmp.Diff(mustJSON(t, `{"functionCallingConfig":{"mode":"`+want+`"}}`), body["toolConfig"]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", mode, diff)
		}
		if diff := cmp.Diff(mustJSON(t, `[{"functionDeclarations":[{"name":"t"}]}]`), body["tools"]); diff != "" {
			t.Errorf("tools (-want +got):\n%s", diff)
		}
	}
}

func TestFinishReasons(t *testing.T) {
	cases := []struct{ reply, want string }{
		{`{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}]}`, llm.FinishStop},
		{`{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"MAX_TOKENS"}]}`, llm.FinishLength},
		{`{"candidates":[{"content":{"parts":[]},"finishReason":"SAFETY"}]}`, llm.FinishContentFilter},
		{`{"candidates":[{"content":{"parts":[]},"finishReason":"RECITATION"}]}`, llm.FinishContentFilter},
		{`{"candidates":[{"content":{"parts":[]},"finishReason":"PROHIBITED_CONTENT"}]}`, llm.FinishContentFilter},
		{`{"candidates":[{"content":{"parts":[]},"finishReason":"MALFORMED_FUNCTION_CALL"}]}`, llm.FinishError},
		{`{"candidates":[{"content":{"parts":[]},"finishReason":"OTHER"}]}`, llm.FinishOther},
		{`{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}`, llm.FinishContentFilter},
	}
	for _, c := range cases {
		p, _ := newProvider(t, jsonReply(200, c.reply))
		resp, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.FinishReason != c.want {
			t.Errorf("%s -> %q, want %q", c.reply, resp.FinishReason, c.want)
		}
	}
}

func TestStream(t *testing.T) {
	p, f := newProvider(t, sseReply(
		`{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10}}`,
		`{"candidates":[{"content":{"role":"model","parts":[{"text":"lo","thoughtSignature":""}]}}]}`,
		`{"candidates":[{"content":{"role":"model","parts":[{"text":"hmm","thought":true}]}}]}`,
		`{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"lookup","args":{"q":"go"}},"thoughtSignature":"c2lnMQ=="},{"functionCall":{"name":"lookup","args":{"q":"rust"}}}]},"finishReason":"STOP"}],
		  "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":8,"thoughtsTokenCount":3,"cachedContentTokenCount":2,"totalTokenCount":21},"modelVersion":"gemini-2.5-flash"}`,
	))
	var evs []llm.StreamEvent
	for ev, err := range p.Stream(context.Background(), &llm.TextRequest{Model: "gemini-2.5-flash", Messages: []llm.Message{user("x")}, Tools: []llm.ToolDef{{Name: "lookup"}}}) {
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	if f.urls[0] != "POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" {
		t.Errorf("url = %q", f.urls[0])
	}
	if len(evs) != 5 {
		t.Fatalf("events = %+v", evs)
	}
	for i, tc := range []string{`{"q":"go"}`, `{"q":"rust"}`} {
		ev := evs[2+i]
		if ev.Type != llm.EventToolCall || ev.ToolCall.Name != "lookup" || string(ev.ToolCall.Args) != tc || ev.ToolCall.ID == "" {
			t.Errorf("tool call event %d = %+v", i, ev.ToolCall)
		}
	}
	if evs[2].ToolCall.ID == evs[3].ToolCall.ID {
		t.Error("generated tool-call ids must be unique")
	}
	want := []llm.StreamEvent{
		{Type: llm.EventTextDelta, TextDelta: "Hel"},
		{Type: llm.EventTextDelta, TextDelta: "lo"},
		{Type: llm.EventFinish, FinishReason: llm.FinishToolCalls, Usage: llm.Usage{InputTokens: 10, OutputTokens: 11, TotalTokens: 21, CachedInputTokens: 2, ReasoningTokens: 3}},
	}
	got := []llm.StreamEvent{evs[0], evs[1], evs[4]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// The thought signature of the first call is echoed on the next turn;
	// generated ids are not sent to the API.
	p2f := f
	p2f.reply = jsonReply(200, `{"candidates":[{"content":{"parts":[{"text":"done"}]},"finishReason":"STOP"}]}`)
	calls := []llm.ToolCall{*evs[2].ToolCall, *evs[3].ToolCall}
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-2.5-flash", Messages: []llm.Message{
		user("x"),
		{Role: llm.RoleAssistant, ToolCalls: calls},
		{Role: llm.RoleTool, ToolCallID: calls[0].ID, ToolName: "lookup", Parts: []llm.Part{{Type: llm.PartText, Text: "Go is a language"}}},
		{Role: llm.RoleTool, ToolCallID: calls[1].ID, ToolName: "lookup", Parts: []llm.Part{{Type: llm.PartText, Text: "[1,2]"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantContents := mustJSON(t, `[
		{"role":"user","parts":[{"text":"x"}]},
		{"role":"model","parts":[
			{"functionCall":{"name":"lookup","args":{"q":"go"}},"thoughtSignature":"c2lnMQ=="},
			{"functionCall":{"name":"lookup","args":{"q":"rust"}}}]},
		{"role":"user","parts":[
			{"functionResponse":{"name":"lookup","response":{"name":"lookup","content":"Go is a language"}}},
			{"functionResponse":{"name":"lookup","response":{"name":"lookup","content":[1,2]}}}]}
	]`)
	if diff := cmp.Diff(wantContents, f.last()["contents"]); diff != "" {
		t.Errorf("follow-up contents (-want +got):\n%s", diff)
	}
}

func TestStreamObjectAndErrors(t *testing.T) {
	p, _ := newProvider(t, sseReply(
		`{"candidates":[{"content":{"parts":[{"text":"{\"a\":"}]}}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"1}"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4,"totalTokenCount":7}}`,
	))
	text := ""
	var fin llm.StreamEvent
	for ev, err := range p.Stream(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}, Schema: json.RawMessage(`{"type":"object"}`)}) {
		if err != nil {
			t.Fatal(err)
		}
		text += ev.TextDelta
		if ev.Type == llm.EventFinish {
			fin = ev
		}
	}
	if text != `{"a":1}` || fin.FinishReason != llm.FinishStop || fin.Usage.TotalTokens != 7 {
		t.Errorf("text %q finish %+v", text, fin)
	}

	// An error chunk inside the stream.
	p2, _ := newProvider(t, sseReply(
		`{"candidates":[{"content":{"parts":[{"text":"par"}]}}]}`,
		`{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}`,
	))
	var gotErr error
	n := 0
	for ev, err := range p2.Stream(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}}) {
		if err != nil {
			gotErr = err
			break
		}
		if ev.TextDelta == "par" {
			n++
		}
	}
	var ae *llm.APIError
	if n != 1 || !errors.As(gotErr, &ae) || ae.Status != 500 || ae.Code != "INTERNAL" {
		t.Errorf("stream error = %v (deltas %d)", gotErr, n)
	}

	// HTTP errors before the stream starts.
	p3, _ := newProvider(t, jsonReply(400, `{"error":{"code":400,"message":"Invalid JSON payload","status":"INVALID_ARGUMENT"}}`))
	for _, err := range p3.Stream(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}}) {
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Message != "Invalid JSON payload" {
			t.Errorf("err = %v", err)
		}
	}
}

func TestErrors(t *testing.T) {
	t.Run("401 without the key", func(t *testing.T) {
		p, f := newProvider(t, jsonReply(401, `{"error":{"code":401,"message":"API key not valid. Please pass a valid API key.","status":"UNAUTHENTICATED"}}`))
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		var ae *llm.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("error %T %v", err, err)
		}
		if ae.Status != 401 || ae.Code != "UNAUTHENTICATED" || ae.Provider != "google" || !strings.Contains(ae.Message, "API key not valid") {
			t.Errorf("APIError = %+v", ae)
		}
		if strings.Contains(err.Error(), testKey) || strings.Contains(f.urls[0], testKey) {
			t.Error("the key leaked into the error or the URL")
		}
		if len(f.raw) != 1 {
			t.Errorf("401 retried: %d attempts", len(f.raw))
		}
	})
	t.Run("key echoed by a server is redacted", func(t *testing.T) {
		p, _ := newProvider(t, jsonReply(400, `{"error":{"code":400,"message":"bad key `+testKey+`","status":"INVALID_ARGUMENT"}}`))
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		if err == nil || strings.Contains(err.Error(), testKey) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("429 RetryInfo then success", func(t *testing.T) {
		p, f := newProvider(t, func(w http.ResponseWriter, n int) {
			if n == 0 {
				jsonReply(429, `{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED",
					"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"0.01s"}]}}`)(w, n)
				return
			}
			jsonReply(200, `{"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}]}`)(w, n)
		})
		start := time.Now()
		resp, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "ok" || len(f.raw) != 2 {
			t.Errorf("text %q after %d attempts", resp.Text, len(f.raw))
		}
		if time.Since(start) > 2*time.Second {
			t.Error("retry ignored the server's retryDelay")
		}
		if string(f.raw[0]) != string(f.raw[1]) {
			t.Error("retry sent a different body")
		}
	})
	t.Run("503 exhausts retries", func(t *testing.T) {
		p, f := newProvider(t, func(w http.ResponseWriter, n int) {
			w.Header().Set("Retry-After", "0.01")
			jsonReply(503, `{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`)(w, n)
		}, func(c *llm.ProviderConfig) { c.MaxRetries = ptr(2) })
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != 503 || !ae.Retryable() || ae.RetryAfter != 10*time.Millisecond {
			t.Fatalf("err = %#v", err)
		}
		if len(f.raw) != 3 {
			t.Errorf("attempts = %d, want 3", len(f.raw))
		}
	})
	t.Run("non-JSON error body", func(t *testing.T) {
		p, _ := newProvider(t, jsonReply(404, `not found`))
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		var ae *llm.APIError
		if !errors.As(err, &ae) || ae.Status != 404 || ae.Message != "not found" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		p, _ := newProvider(t, func(w http.ResponseWriter, n int) {
			jsonReply(429, `{"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}}`)(w, n)
		})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := p.Generate(ctx, &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		p, f := newProvider(t, jsonReply(200, `{}`))
		bad := []*llm.TextRequest{
			{Model: ""},
			{Model: "gemini-x", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartImage, Data: "%%%"}}}}},
			{Model: "gemini-x", Messages: []llm.Message{{Role: llm.RoleTool, ToolCallID: "unknown"}}},
			{Model: "gemini-x", Schema: json.RawMessage(`"nope"`)},
			{Model: "gemini-x", Settings: llm.Settings{ToolChoice: &llm.ToolChoice{Mode: "tool"}}},
		}
		for _, r := range bad {
			if _, err := p.Generate(context.Background(), r); err == nil {
				t.Errorf("request %+v: want error", r)
			}
		}
		if len(f.raw) != 0 {
			t.Error("invalid requests reached the server")
		}
	})
}

func TestRegistryFactory(t *testing.T) {
	for _, name := range []string{"gemini-2.5-flash", "google/gemini-2.5-flash", "gemini/gemini-2.5-flash"} {
		f := &fake{t: t, reply: jsonReply(200, `{"candidates":[{"content":{"parts":[{"text":"via registry"}]},"finishReason":"STOP"}]}`)}
		srv := httptest.NewServer(f)
		r := llm.NewRegistry()
		env := map[string]string{"GOOGLE_API_KEY": testKey, "GEMINI_BASE_URL": srv.URL}
		r.SetGetenv(func(k string) string { return env[k] })
		rm, err := r.Resolve(name)
		if err != nil {
			t.Fatal(err)
		}
		tp := rm.Provider.(llm.TextProvider)
		resp, err := tp.Generate(context.Background(), &llm.TextRequest{Model: rm.Model, Messages: []llm.Message{user("x")}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "via registry" || f.urls[0] != "POST /v1beta/models/gemini-2.5-flash:generateContent" || f.headers[0].Get("X-Goog-Api-Key") != testKey {
			t.Errorf("%s: text %q url %q", name, resp.Text, f.urls[0])
		}
		srv.Close()
	}
	// A base URL that names its API version is kept.
	f := &fake{t: t, reply: jsonReply(200, `{"candidates":[]}`)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	p, err := gemini.New(llm.ProviderConfig{BaseURL: srv.URL + "/v1alpha/"})
	if err != nil {
		t.Fatal(err)
	}
	p.Generate(context.Background(), &llm.TextRequest{Model: "gemini-x", Messages: []llm.Message{user("x")}})
	if f.urls[0] != "POST /v1alpha/models/gemini-x:generateContent" {
		t.Errorf("url = %q", f.urls[0])
	}
	t.Setenv("GOOGLE_GEMINI_BASE_URL", srv.URL+"/alt")
	p, _ = gemini.New(llm.ProviderConfig{})
	p.Generate(context.Background(), &llm.TextRequest{Model: "tunedModels/mine", Messages: []llm.Message{user("x")}})
	if f.urls[1] != "POST /alt/v1beta/tunedModels/mine:generateContent" {
		t.Errorf("url = %q", f.urls[1])
	}
}
