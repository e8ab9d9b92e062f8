package openai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/llm"
)

const testKey = "sk-test-SECRET-123456"

func newTestProvider(t testing.TB, h http.HandlerFunc) (*Provider, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	p, err := New(llm.ProviderConfig{Name: "openai", BaseURL: srv.URL + "/v1", APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	p.RetryBaseDelay = time.Millisecond
	return p, srv
}

func ptr[T any](v T) *T { return &v }

func decodeBody(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		t.Errorf("request body: %v", err)
	}
	return m
}

func jsonEq(t *testing.T, what string, got any, want string) {
	t.Helper()
	g, _ := json.Marshal(got)
	var a, b any
	_ = json.Unmarshal(g, &a)
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want JSON for %s: %v", what, err)
	}
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	if string(ga) != string(gb) {
		t.Errorf("%s:\n got %s\nwant %s", what, ga, gb)
	}
}

func fullRequest() *llm.TextRequest {
	return &llm.TextRequest{
		Model: "gpt-4o-mini",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "Be brief."}}},
			{Role: llm.RoleUser, Parts: []llm.Part{
				{Type: llm.PartText, Text: "What is in this image?"},
				{Type: llm.PartImage, Data: "https://example.com/cat.png"},
				{Type: llm.PartImage, Data: "iVBORw0KGgo=", MimeType: "image/png"},
				{Type: llm.PartFile, Data: "JVBERi0=", MimeType: "application/pdf"},
			}},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "lookup", Args: json.RawMessage(`{"q":"cat"}`)}}},
			{Role: llm.RoleTool, ToolCallID: "call_1", ToolName: "lookup", Parts: []llm.Part{{Type: llm.PartText, Text: "a cat"}}},
		},
		Settings: llm.Settings{
			MaxTokens: ptr(100), Temperature: ptr(0.5), TopP: ptr(0.9), TopK: ptr(40),
			PresencePenalty: ptr(0.1), FrequencyPenalty: ptr(0.2), StopSequences: []string{"END"},
			Seed: ptr(int64(7)), ToolChoice: &llm.ToolChoice{Mode: "tool", ToolName: "lookup"},
		},
		Tools: []llm.ToolDef{{Name: "lookup", Description: "Look things up", Parameters: json.RawMessage(`{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}`)}},
	}
}

func TestGenerateSendsEverything(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
			t.Errorf("Authorization = %q", got)
		}
		b := decodeBody(t, r)
		jsonEq(t, "model", b["model"], `"gpt-4o-mini"`)
		jsonEq(t, "messages", b["messages"], `[
			{"role":"system","content":"Be brief."},
			{"role":"user","content":[
				{"type":"text","text":"What is in this image?"},
				{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
				{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
				{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0=","filename":"file.pdf"}}]},
			{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}}]},
			{"role":"tool","content":"a cat","tool_call_id":"call_1"}]`)
		for k, want := range map[string]string{"max_tokens": "100", "temperature": "0.5", "top_p": "0.9", "top_k": "40",
			"presence_penalty": "0.1", "frequency_penalty": "0.2", "stop": `["END"]`, "seed": "7",
			"tool_choice": `{"type":"function","function":{"name":"lookup"}}`,
			"tools":       `[{"type":"function","function":{"name":"lookup","description":"Look things up","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}}]`} {
			jsonEq(t, k, b[k], want)
		}
		for _, k := range []string{"stream", "stream_options", "response_format"} {
			if _, ok := b[k]; ok {
				t.Errorf("unexpected %s", k)
			}
		}
		io.WriteString(w, `{"id":"x","object":"chat.completion","model":"gpt-4o-mini-2024","extra":{"a":1},
			"choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","tool_calls":[
				{"id":"call_9","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"dog\"}"}}]},"finish_reason":"tool_calls","logprobs":null}],
			"usage":{"prompt_tokens":1200,"completion_tokens":30,"total_tokens":1230,
				"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":12}}}`)
	})
	r, err := p.Generate(context.Background(), fullRequest())
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "Let me check." || r.FinishReason != llm.FinishToolCalls || r.Model != "gpt-4o-mini-2024" {
		t.Errorf("response %+v", r)
	}
	if len(r.ToolCalls) != 1 || r.ToolCalls[0].ID != "call_9" || r.ToolCalls[0].Name != "lookup" || string(r.ToolCalls[0].Args) != `{"q":"dog"}` {
		t.Errorf("tool calls %+v", r.ToolCalls)
	}
	want := llm.Usage{InputTokens: 1200, OutputTokens: 30, TotalTokens: 1230, CachedInputTokens: 1024, ReasoningTokens: 12}
	if r.Usage != want {
		t.Errorf("usage %+v", r.Usage)
	}
}

func TestOfficialEndpointOmitsTopKAndUsesMaxCompletionTokens(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		b := decodeBody(t, r)
		if _, ok := b["top_k"]; ok {
			t.Error("top_k sent to api.openai.com")
		}
		if b["max_completion_tokens"] != 50.0 || b["max_tokens"] != nil {
			t.Errorf("max tokens: %v %v", b["max_completion_tokens"], b["max_tokens"])
		}
		io.WriteString(w, `{"choices":[{"message":{"content":"ok"}}]}`)
	})
	p.official = true
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "o3-mini", Settings: llm.Settings{TopK: ptr(3), MaxTokens: ptr(50)},
		Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestResponseFormatStrictOnlyWhenCompatible(t *testing.T) {
	var got []map[string]any
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, decodeBody(t, r))
		io.WriteString(w, `{"choices":[{"message":{"content":"{}"},"finish_reason":"stop"}]}`)
	})
	strict := `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`
	loose := `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}},"required":["a"]}`
	for _, s := range []string{strict, loose} {
		_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m", Schema: json.RawMessage(s), SchemaName: "my schema!", SchemaDescription: "desc",
			Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	jsonEq(t, "strict", got[0]["response_format"], `{"type":"json_schema","json_schema":{"name":"my_schema_","description":"desc","schema":`+strict+`,"strict":true}}`)
	jsonEq(t, "loose", got[1]["response_format"], `{"type":"json_schema","json_schema":{"name":"my_schema_","description":"desc","schema":`+loose+`}}`)
}

func TestLenientResponses(t *testing.T) {
	cases := []struct{ body, text, reason string }{
		{`{"choices":[{"message":{"role":"assistant","content":"hi"}}]}`, "hi", llm.FinishStop},
		{`{"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"length"}],"usage":null}`, "ab", llm.FinishLength},
		{`{"choices":[{"message":{"content":null,"tool_calls":[{"function":{"name":"f","arguments":{"x":1}}}]},"finish_reason":"stop"}]}`, "", llm.FinishToolCalls},
		{`{"choices":[{"message":{"content":"x"},"finish_reason":"weird"}]}`, "x", llm.FinishOther},
		{`{"choices":[{"message":{"content":"x"},"finish_reason":"content_filter"}]}`, "x", llm.FinishContentFilter},
	}
	for i, c := range cases {
		p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, c.body) })
		r, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if r.Text != c.text || r.FinishReason != c.reason || r.Usage != (llm.Usage{}) {
			t.Errorf("%d: %+v", i, r)
		}
		if i == 2 && (len(r.ToolCalls) != 1 || string(r.ToolCalls[0].Args) != `{"x":1}` || r.ToolCalls[0].ID == "") {
			t.Errorf("tool call from object args: %+v", r.ToolCalls)
		}
	}
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `not json`) })
	if _, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"}); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("want invalid JSON error, got %v", err)
	}
}

func sse(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	f := w.(http.Flusher)
	for _, e := range events {
		fmt.Fprintf(w, "data: %s\n\n", e)
		f.Flush()
	}
}

func collectStream(t *testing.T, p *Provider, req *llm.TextRequest) ([]llm.StreamEvent, error) {
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

func TestStreamSSE(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		b := decodeBody(t, r)
		jsonEq(t, "stream", b["stream"], `true`)
		jsonEq(t, "stream_options", b["stream_options"], `{"include_usage":true}`)
		if r.Header.Get("Accept") != "text/event-stream" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		sse(w,
			`{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
			`{"choices":[{"index":0,"delta":{"content":"Hel"}}]}`,
			`{"choices":[{"index":0,"delta":{"content":"lo"}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"time","arguments":"{}"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			`{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":2}}}`,
			`[DONE]`)
	})
	evs, err := collectStream(t, p, &llm.TextRequest{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var calls []llm.ToolCall
	var fin *llm.StreamEvent
	for i, ev := range evs {
		switch ev.Type {
		case llm.EventTextDelta:
			text.WriteString(ev.TextDelta)
		case llm.EventToolCall:
			calls = append(calls, *ev.ToolCall)
		case llm.EventFinish:
			fin = &evs[i]
			if i != len(evs)-1 {
				t.Error("finish is not last")
			}
		}
	}
	if text.String() != "Hello" {
		t.Errorf("text %q", text.String())
	}
	if len(calls) != 2 || calls[0].ID != "call_a" || calls[0].Name != "get_weather" || string(calls[0].Args) != `{"city":"Paris"}` ||
		calls[1].Name != "time" || string(calls[1].Args) != "{}" {
		t.Errorf("calls %+v", calls)
	}
	if fin == nil || fin.FinishReason != llm.FinishToolCalls || fin.Usage != (llm.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15, CachedInputTokens: 2}) {
		t.Errorf("finish %+v", fin)
	}
}

func TestStreamWithoutDoneNoSpaceCRLF(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		io.WriteString(w, ": keep-alive\r\n\r\nevent: message\r\ndata:{\"choices\":[{\"delta\":{\"content\":\"a b\"}}]}\r\n\r\n")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\" c\"},\"finish_reason\":\"stop\"}]}")
	})
	evs, err := collectStream(t, p, &llm.TextRequest{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := collect(func(yield func(llm.StreamEvent, error) bool) {
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	})
	if r.Text != "a b c" || r.FinishReason != llm.FinishStop || r.Usage != (llm.Usage{}) {
		t.Errorf("%+v", r)
	}
}

func TestStreamOptionsRejectedRetriesWithout(t *testing.T) {
	var n atomic.Int32
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		b := decodeBody(t, r)
		if _, ok := b["stream_options"]; ok {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"Unrecognized request argument supplied: stream_options"}}`)
			return
		}
		sse(w, `{"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}]}`, `[DONE]`)
	})
	evs, err := collectStream(t, p, &llm.TextRequest{Model: "m"})
	if err != nil || n.Load() != 2 || len(evs) != 2 || evs[0].TextDelta != "ok" {
		t.Fatalf("err=%v n=%d evs=%+v", err, n.Load(), evs)
	}
}

func TestStreamServerIgnoresStream(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"message":{"content":"whole"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}`)
	})
	evs, err := collectStream(t, p, &llm.TextRequest{Model: "m"})
	if err != nil || len(evs) != 2 || evs[0].TextDelta != "whole" || evs[1].Usage.TotalTokens != 2 {
		t.Fatalf("err=%v evs=%+v", err, evs)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		sse(w, `{"choices":[{"delta":{"content":"x"}}]}`, `{"error":{"message":"overloaded"}}`)
	})
	_, err := collectStream(t, p, &llm.TextRequest{Model: "m"})
	if err == nil || !strings.Contains(err.Error(), "overloaded") {
		t.Fatalf("err = %v", err)
	}
}

func TestError401NeverLeaksKey(t *testing.T) {
	var n atomic.Int32
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided: `+testKey+`","type":"invalid_request_error","code":"invalid_api_key"}}`)
	})
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
	var ae *llm.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != "invalid_api_key" {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "Incorrect API key provided") || !strings.Contains(err.Error(), "check the API key") {
		t.Errorf("message %q", err.Error())
	}
	if n.Load() != 1 {
		t.Errorf("401 retried %d times", n.Load())
	}
}

func TestRetry429ThenSuccess(t *testing.T) {
	var n atomic.Int32
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0.01")
			w.WriteHeader(429)
			io.WriteString(w, `{"error":{"message":"Rate limit reached"}}`)
			return
		}
		io.WriteString(w, `{"choices":[{"message":{"content":"ok"}}]}`)
	})
	r, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
	if err != nil || r.Text != "ok" || n.Load() != 2 {
		t.Fatalf("r=%+v err=%v n=%d", r, err, n.Load())
	}
}

func TestRetry500Exhausted(t *testing.T) {
	var n atomic.Int32
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
		io.WriteString(w, `upstream unavailable`)
	})
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
	var ae *llm.APIError
	if !errors.As(err, &ae) || ae.Status != 503 || ae.Message != "upstream unavailable" || n.Load() != 3 {
		t.Fatalf("err=%v n=%d", err, n.Load())
	}
}

func TestRetryAfterTooLongFailsFast(t *testing.T) {
	var n atomic.Int32
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	})
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
	if err == nil || n.Load() != 1 || !strings.Contains(err.Error(), "HTTP 429") {
		t.Fatalf("err=%v n=%d", err, n.Load())
	}
}

func TestContextTimeout(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Generate(ctx, &llm.TextRequest{Model: "m"})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err=%v after %s", err, time.Since(start))
	}
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	var n atomic.Int32
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		io.WriteString(w, `{"choices":[{"message":{"content":"late"}}]}`)
	})
	p.Timeout = 50 * time.Millisecond
	r, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
	if err != nil || r.Text != "late" {
		t.Fatalf("r=%+v err=%v", r, err)
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	p, _ := New(llm.ProviderConfig{BaseURL: url + "/v1", APIKey: testKey})
	p.RetryBaseDelay = time.Millisecond
	_, err := p.Generate(context.Background(), &llm.TextRequest{Model: "m"})
	if err == nil || !strings.Contains(err.Error(), "could not reach") || strings.Contains(err.Error(), testKey) {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingKeyForOfficialAPI(t *testing.T) {
	_, err := New(llm.ProviderConfig{APIKeyEnv: "OPENAI_API_KEY"})
	if err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY is not set") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(llm.ProviderConfig{BaseURL: "http://localhost:11434/v1"}); err != nil {
		t.Fatalf("compatible server without key: %v", err)
	}
}

func TestImages(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	p, srv := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/images/generations":
			b := decodeBody(t, r)
			jsonEq(t, "image request", b, `{"model":"dall-e-3","prompt":"a cat","n":2,"size":"1792x1024","response_format":"b64_json"}`)
			fmt.Fprintf(w, `{"created":1,"data":[{"b64_json":%q},{"url":"http://%s/img.png"}]}`, base64.StdEncoding.EncodeToString(png), r.Host)
		case "/img.png":
			w.Write(png)
		default:
			t.Errorf("path %s", r.URL.Path)
		}
	})
	_ = srv
	r, err := p.GenerateImage(context.Background(), &llm.ImageRequest{Model: "dall-e-3", Prompt: "a cat", N: 2, AspectRatio: "16:9"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Images) != 2 || string(r.Images[0].Data) != string(png) || r.Images[0].MimeType != "image/png" || string(r.Images[1].Data) != string(png) {
		t.Errorf("%+v", r)
	}
}

func TestSpeech(t *testing.T) {
	p, _ := newTestProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/audio/speech" {
			t.Errorf("path %s", r.URL.Path)
		}
		b := decodeBody(t, r)
		jsonEq(t, "speech request", b, `{"model":"gpt-4o-mini-tts","input":"Hello","voice":"nova","instructions":"cheerful","response_format":"wav","speed":1.5}`)
		w.Header().Set("Content-Type", "audio/wav")
		w.Write([]byte("RIFFdata"))
	})
	r, err := p.GenerateSpeech(context.Background(), &llm.SpeechRequest{Model: "gpt-4o-mini-tts", Text: "Hello", Voice: "nova", Instructions: "cheerful", OutputFormat: "wav", Speed: ptr(1.5)})
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Audio.Data) != "RIFFdata" || r.Format != "wav" || r.Audio.MimeType != "audio/wav" {
		t.Errorf("%+v", r)
	}
}

func TestStrictCompatible(t *testing.T) {
	for s, want := range map[string]bool{
		`{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"required":["b"],"additionalProperties":false}},"required":["a"],"additionalProperties":false}`:                            true,
		`{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}}}},"required":["a"],"additionalProperties":false}`:                                                                          false,
		`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`:                                                                                                                                            false,
		`{"type":"object","properties":{"xs":{"type":"array","items":{"type":"object","properties":{"n":{"type":"number"}},"required":["n"],"additionalProperties":false}}},"required":["xs"],"additionalProperties":false}`: true,
	} {
		if got := StrictCompatible(json.RawMessage(s)); got != want {
			t.Errorf("%s: %v", s, got)
		}
	}
}
