package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	amtrace "github.com/agentmark-go/agentmark/trace"
)

type tracedSpan struct {
	name, trace, id, parent string
	attrs                   map[string]any
}

// otlpReceiver records the spans exported to it.
func otlpReceiver(t *testing.T) (url string, spans func() []tracedSpan) {
	t.Helper()
	var mu sync.Mutex
	var got []tracedSpan
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var um ptrace.ProtoUnmarshaler
		td, err := um.UnmarshalTraces(b)
		if err != nil {
			t.Errorf("decode: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			sss := td.ResourceSpans().At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				for k := 0; k < sss.At(j).Spans().Len(); k++ {
					sp := sss.At(j).Spans().At(k)
					s := tracedSpan{name: sp.Name(), trace: sp.TraceID().String(), id: sp.SpanID().String(), attrs: map[string]any{}}
					if !sp.ParentSpanID().IsEmpty() {
						s.parent = sp.ParentSpanID().String()
					}
					sp.Attributes().Range(func(k string, v pcommon.Value) bool { s.attrs[k] = v.AsRaw(); return true })
					got = append(got, s)
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1/traces", func() []tracedSpan {
		mu.Lock()
		defer mu.Unlock()
		return append([]tracedSpan(nil), got...)
	}
}

func captureTraceStderr(t *testing.T) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	old := traceStderr
	traceStderr = &b
	t.Cleanup(func() { traceStderr = old })
	return &b
}

const tracedPrompt = "---\nname: traced\ntext_config:\n  model_name: mock/echo\n---\n\n<System>be brief</System>\n<User>one two {props.x}</User>\n"

var linkRE = regexp.MustCompile(`📊 View trace: http://localhost:(\d+)/traces\?traceId=([0-9a-f]{32})\n\n`)

func TestRunPromptTraceLink(t *testing.T) {
	url, spans := otlpReceiver(t)
	t.Setenv(amtrace.EnvTraceEndpoint, url)
	t.Setenv(amtrace.EnvBaseURL, "")
	stderr := captureTraceStderr(t)
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"agentmark.json": `{"agentmarkPath":"."}`, "agentmark/traced.prompt.mdx": tracedPrompt})
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "agentmark", "traced.prompt.mdx"), "--props", `{"x":"three"}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := linkRE.FindStringSubmatch(out)
	if m == nil || m[1] != "3000" || !strings.Contains(out, "one two three") {
		t.Fatalf("no trace link in:\n%s", out)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr %q", stderr.String())
	}
	got := spans()
	var prompt, gen *tracedSpan
	for i := range got {
		switch {
		case got[i].name == "traced":
			prompt = &got[i]
		case strings.HasPrefix(got[i].name, "chat "):
			gen = &got[i]
		}
	}
	if prompt == nil || gen == nil || prompt.trace != m[2] || gen.parent != prompt.id {
		t.Fatalf("spans %+v (trace %s)", got, m[2])
	}
	a := prompt.attrs
	if a["agentmark.prompt_name"] != "traced" || a["agentmark.props"] != `{"x":"three"}` || a["agentmark.output"] != "one two three" ||
		a["gen_ai.request.model"] != "mock/echo" || a["agentmark.prompt_path"] != "traced.prompt.mdx" || a["gen_ai.usage.output_tokens"] != int64(3) {
		t.Errorf("prompt span %v", a)
	}
	if a["agentmark.input"] != `[{"content":"be brief","role":"system"},{"content":"one two three","role":"user"}]` {
		t.Errorf("input %v", a["agentmark.input"])
	}

	// dev-config: app port and the remote link of a linked project.
	writeRPTree(t, dir, map[string]string{".agentmark/dev-config.json": `{"appPort":3123,"forwarding":{"orgName":"acme","appName":"bot"}}`})
	out, _, code = runPromptCLI(t, "run-prompt", filepath.Join(dir, "agentmark", "traced.prompt.mdx"), "--props", `{"x":"3"}`)
	if code != 0 || !regexp.MustCompile(`📊 View trace \(local\):  http://localhost:3123/traces\?traceId=[0-9a-f]{32}\n🌐 View trace \(remote\): https://app.agentmark.co/orgs/acme/apps/bot/traces\?tab=traces&traceId=[0-9a-f]{32}\n   ⚠️  Remote traces may take up to 1 minute to appear\n\n`).MatchString(out) {
		t.Errorf("linked output:\n%s", out)
	}

	// --json carries the trace id.
	out, _, code = runPromptCLI(t, "run-prompt", filepath.Join(dir, "agentmark", "traced.prompt.mdx"), "--json")
	var jr struct{ TraceID string }
	if code != 0 || json.Unmarshal([]byte(out), &jr) != nil || len(jr.TraceID) != 32 {
		t.Errorf("json: %s", out)
	}
}

func TestRunPromptTraceOffByDefault(t *testing.T) {
	t.Setenv(amtrace.EnvTraceEndpoint, "")
	t.Setenv(amtrace.EnvBaseURL, "")
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"traced.prompt.mdx": tracedPrompt})
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "traced.prompt.mdx"))
	if code != 0 || strings.Contains(out, "View trace") {
		t.Errorf("exit %d %s\n%s", code, errs, out)
	}
}

// A dead endpoint: the run succeeds, one warning, no link.
func TestRunPromptTraceExportFailure(t *testing.T) {
	t.Setenv(amtrace.EnvTraceEndpoint, "")
	t.Setenv(amtrace.EnvBaseURL, "http://127.0.0.1:1")
	stderr := captureTraceStderr(t)
	dir := t.TempDir()
	writeRPTree(t, dir, map[string]string{"traced.prompt.mdx": tracedPrompt})
	out, errs, code := runPromptCLI(t, "run-prompt", filepath.Join(dir, "traced.prompt.mdx"), "--trace")
	if code != 0 || !strings.Contains(out, "one two") || strings.Contains(out, "View trace") {
		t.Fatalf("exit %d %s\n%s", code, errs, out)
	}
	if n := strings.Count(stderr.String(), "could not export"); n != 1 || !strings.Contains(stderr.String(), "127.0.0.1:1/v1/traces") {
		t.Errorf("warnings %q", stderr.String())
	}
	// A failing run still exits with its own error, not a tracing one.
	writeRPTree(t, dir, map[string]string{"bad.prompt.mdx": "---\nname: bad\ntext_config:\n  model_name: nope/x\n---\n\n<User>hi</User>\n"})
	_, errs, code = runPromptCLI(t, "run-prompt", filepath.Join(dir, "bad.prompt.mdx"), "--trace")
	if code != 1 || strings.Contains(errs, "export") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
