package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// A fake Anthropic Messages API: SSE when the request streams, JSON
// otherwise. It records the last request body.
func fakeAnthropic(t *testing.T, last *map[string]any) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/messages" {
			http.Error(w, `{"type":"error","error":{"type":"not_found_error","message":"no route"}}`, 404)
			return
		}
		if r.Header.Get("x-api-key") != "test-key" {
			w.WriteHeader(401)
			io.WriteString(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("bad request body: %v", err)
		}
		*last = body
		if body["stream"] == true {
			w.Header().Set("Content-Type", "text/event-stream")
			events := []string{
				`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":21,"output_tokens":1}}}`,
				`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
				`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, "}}`,
				`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Ada!"}}`,
				`{"type":"content_block_stop","index":0}`,
				`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":4}}`,
				`{"type":"message_stop"}`,
			}
			for _, e := range events {
				var typ struct{ Type string }
				json.Unmarshal([]byte(e), &typ)
				fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ.Type, e)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
			"content":[{"type":"text","text":"Hello, Ada!"}],"stop_reason":"end_turn","stop_sequence":null,
			"usage":{"input_tokens":21,"output_tokens":4}}`)
	}))
}

const anthropicPrompt = `---
name: greet
text_config:
  model_name: anthropic/claude-sonnet-4-5
  temperature: 0.2
  max_tokens: 100
---

<System>You greet people.</System>

<User>Say hello to {props.name}.</User>
`

// The check: ANTHROPIC_BASE_URL pointing at an Anthropic-speaking
// server makes run-prompt work, streamed and with --json.
func TestRunPromptAgainstAnthropicServer(t *testing.T) {
	var last map[string]any
	srv := fakeAnthropic(t, &last)
	defer srv.Close()
	t.Setenv("ANTHROPIC_BASE_URL", srv.URL)
	t.Setenv("ANTHROPIC_API_KEY", "test-key")
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"p.prompt.mdx": anthropicPrompt})
	file := filepath.Join(dir, "p.prompt.mdx")

	out, errs, code := runPromptCLI(t, "run-prompt", file, "--props", `{"name":"Ada"}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Hello, Ada!", "🪙 21 in, 4 out, 25 total"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if last["model"] != "claude-sonnet-4-5" || last["system"] == nil || last["temperature"] != 0.2 || last["max_tokens"] != float64(100) {
		t.Errorf("unexpected request: %v", last)
	}
	msgs, _ := last["messages"].([]any)
	if len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]), "Say hello to Ada.") {
		t.Errorf("messages sent: %v", msgs)
	}

	out, errs, code = runPromptCLI(t, "run-prompt", file, "--props", `{"name":"Ada"}`, "--json")
	if code != 0 {
		t.Fatalf("--json exit %d: %s", code, errs)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Hello, Ada!") {
		t.Errorf("--json result lacks the text: %s", out)
	}

	t.Setenv("ANTHROPIC_API_KEY", "wrong-key-123")
	_, errs, code = runPromptCLI(t, "run-prompt", file, "--props", `{"name":"Ada"}`)
	if code != 1 || !strings.Contains(errs, "401") || strings.Contains(errs, "wrong-key-123") {
		t.Errorf("401: exit %d, stderr %q", code, errs)
	}
}
