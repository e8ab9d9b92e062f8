package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/project"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// runTrace traces one in-process run-prompt run: the prompt span, a
// generation span per model call and a span per tool call, exported over
// OTLP/HTTP to the dev server (or $AGENTMARK_TRACE_ENDPOINT /
// $AGENTMARK_BASE_URL). Tracing never fails the run: export problems are
// one warning on stderr. A nil *runTrace traces nothing.
type runTrace struct {
	provider *amtrace.Provider
	run      *amtrace.PromptRun
	stderr   io.Writer
	root     string // project root, for the dev config
}

// traceStderr receives tracing warnings (tests replace it).
var traceStderr io.Writer = os.Stderr

// tracingWanted: --trace, or an endpoint in the environment.
func tracingWanted(flag bool) bool {
	return flag || os.Getenv(amtrace.EnvTraceEndpoint) != "" || os.Getenv(amtrace.EnvBaseURL) != ""
}

// startRunTrace starts tracing a run, or returns ctx and nil when tracing
// is off or cannot be set up (a warning, never an error).
func startRunTrace(ctx context.Context, flag bool, call *llm.Call, props any, promptDir, abs string, stream bool) (context.Context, *runTrace) {
	if !tracingWanted(flag) {
		return ctx, nil
	}
	p, err := amtrace.New(amtrace.Options{ErrorLog: traceStderr, BatchTimeout: 200 * time.Millisecond, ExportTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintf(traceStderr, "⚠️  Tracing disabled: %v\n", err)
		return ctx, nil
	}
	t := &runTrace{provider: p, stderr: traceStderr}
	var path string
	if root, ok := project.FindRoot(promptDir); ok {
		t.root = root
		if cfg, err := project.LoadConfig(root); err == nil {
			if rel, err := filepath.Rel(cfg.PromptDir(root), abs); err == nil && !strings.HasPrefix(rel, "..") {
				path = filepath.ToSlash(rel)
			}
		}
	}
	ctx, t.run = amtrace.StartPromptRun(ctx, amtrace.PromptRunInfo{Call: call, Props: props, Stream: stream, PromptPath: path},
		amtrace.WithProvider(p))
	return ctx, t
}

// observe wires the generator and the event callback to the trace.
func (t *runTrace) observe(gen *llm.Generator, onEvent func(llm.Event) error) func(llm.Event) error {
	if t == nil {
		return onEvent
	}
	gen.Observer = t.run.Observer()
	if onEvent == nil {
		return nil
	}
	return func(ev llm.Event) error {
		t.run.OnEvent(ev)
		return onEvent(ev)
	}
}

// end records the outcome on the prompt span.
func (t *runTrace) end(res *llm.Result, err error) {
	if t != nil {
		t.run.End(res, err)
	}
}

// finish flushes and stops the exporter; it returns the trace id when
// the trace was exported ("" otherwise).
func (t *runTrace) finish() string {
	if t == nil {
		return ""
	}
	id := t.run.TraceID()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	err := t.provider.Shutdown(ctx)
	if t.provider.ExportError() != nil {
		return "" // already reported by the exporter, once
	}
	if err != nil {
		fmt.Fprintf(t.stderr, "⚠️  AgentMark: could not export the trace to %s: %v\n", t.provider.Endpoint(), err)
		return ""
	}
	return id
}

// printTraceLink prints the trace links of run-prompt (cli-eval-deploy
// §A.2 step 13): local (dev-config appPort, default 3000), and remote
// when the project is linked.
func printTraceLink(w io.Writer, root, id string) {
	if id == "" {
		return
	}
	var cfg struct {
		AppPort    int `json:"appPort"`
		Forwarding *struct {
			OrgName string `json:"orgName"`
			AppName string `json:"appName"`
		} `json:"forwarding"`
	}
	if root != "" {
		if b, err := os.ReadFile(filepath.Join(root, ".agentmark", "dev-config.json")); err == nil {
			_ = json.Unmarshal(b, &cfg)
		}
	}
	port := cfg.AppPort
	if port == 0 {
		port = 3000
	}
	local := fmt.Sprintf("http://localhost:%d/traces?traceId=%s", port, id)
	if f := cfg.Forwarding; f != nil && f.OrgName != "" && f.AppName != "" {
		platform := os.Getenv("AGENTMARK_PLATFORM_URL")
		if platform == "" {
			platform = "https://app.agentmark.co"
		}
		fmt.Fprintf(w, "\n📊 View trace (local):  %s\n", local)
		fmt.Fprintf(w, "🌐 View trace (remote): %s/orgs/%s/apps/%s/traces?tab=traces&traceId=%s\n", strings.TrimRight(platform, "/"), f.OrgName, f.AppName, id)
		fmt.Fprintln(w, "   ⚠️  Remote traces may take up to 1 minute to appear")
	} else {
		fmt.Fprintf(w, "\n📊 View trace: %s\n", local)
	}
	fmt.Fprintln(w)
}

func (t *runTrace) projectRoot() string {
	if t == nil {
		return ""
	}
	return t.root
}
