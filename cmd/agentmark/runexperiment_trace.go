package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/experiment"
	"github.com/agentmark-go/agentmark/eval/exptrace"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/project"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// startExperimentTrace makes an in-process run-experiment visible to the
// API: when tracing is on (an endpoint in the environment, as for
// run-prompt), every row is traced as its own trace carrying the dataset
// fields, model calls are its child spans, and each row's scores are
// posted fire-and-forget to POST /v1/scores of the same API
// (cli-eval-deploy §E.7). It returns the hooks for experiment.Config
// (experimentHooks chained) and a finish func that flushes the spans and
// waits briefly for the score posts. Tracing never fails the run.
func startExperimentTrace(s *experimentState, gen *llm.Generator, stderr io.Writer) (experiment.Hooks, func()) {
	noop := func() {}
	if !tracingWanted(false) {
		if experimentHooks == nil {
			return nil, noop
		}
		return experimentHooks, noop
	}
	p, err := amtrace.New(amtrace.Options{ErrorLog: traceStderr, BatchTimeout: 200 * time.Millisecond, ExportTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintf(traceStderr, "⚠️  Tracing disabled: %v\n", err)
		if experimentHooks == nil {
			return nil, noop
		}
		return experimentHooks, noop
	}
	gen.Observer = amtrace.NewObserver(p)
	poster := &eval.ScorePoster{BaseURL: scoresBaseURL(), APIKey: os.Getenv("AGENTMARK_API_KEY"),
		AppID: os.Getenv("AGENTMARK_APP_ID"), ErrorLog: stderr}
	h := &exptrace.Hooks{Provider: p, PromptName: s.promptName, PromptPath: experimentPromptPath(s), Scores: poster, Next: experimentHooks}
	return h, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil && p.ExportError() == nil {
			fmt.Fprintf(stderr, "⚠️  AgentMark: could not export the experiment traces to %s: %v\n", p.Endpoint(), err)
		}
		poster.Wait(5 * time.Second)
	}
}

// scoresBaseURL is the API the scores go to: $AGENTMARK_BASE_URL, else the
// base of $AGENTMARK_TRACE_ENDPOINT, else the local dev server
// (http://localhost:$AGENTMARK_API_PORT, default 9418).
func scoresBaseURL() string {
	if b := os.Getenv(amtrace.EnvBaseURL); b != "" {
		return strings.TrimRight(b, "/")
	}
	if e := os.Getenv(amtrace.EnvTraceEndpoint); strings.HasSuffix(strings.TrimRight(e, "/"), "/v1/traces") {
		return strings.TrimSuffix(strings.TrimRight(e, "/"), "/v1/traces")
	}
	port := os.Getenv("AGENTMARK_API_PORT")
	if port == "" {
		port = "9418"
	}
	return "http://localhost:" + port
}

// experimentPromptPath is the prompt's path in the project's agentmark
// directory ("" when unknown).
func experimentPromptPath(s *experimentState) string {
	if s.projectRoot == "" || s.abs == "" {
		return ""
	}
	cfg, err := project.LoadConfig(s.projectRoot)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(cfg.PromptDir(s.projectRoot), s.abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel)
}
