package agentmark

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentmark-go/agentmark/llm"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// clientTracing is how a Client traces its runs.
type clientTracing struct {
	provider *amtrace.Provider
	off      bool
}

// WithTracing records the client's prompt runs, tool calls and evals as
// spans of p (package trace): one prompt span per Run or Stream, a
// generation span per model call and a span per tool call under it.
// Without this option, runs use the provider of the enclosing
// amtrace.Trace/Span, else the default provider set by amtrace.Init, else
// OpenTelemetry's global tracer provider (a no-op unless set), so an
// untraced program pays nothing.
func WithTracing(p *amtrace.Provider) Option {
	return func(c *Client) { c.tracing = clientTracing{provider: p} }
}

// WithoutTracing turns tracing of the client's runs off.
func WithoutTracing() Option { return func(c *Client) { c.tracing = clientTracing{off: true} } }

// startRun starts the prompt span of a run (nil when tracing is off).
func (c *Client) startRun(ctx context.Context, p *Prompt, call *llm.Call, props any, stream bool) (context.Context, *amtrace.PromptRun) {
	if c.tracing.off {
		return ctx, nil
	}
	var opts []amtrace.SpanOption
	if c.tracing.provider != nil {
		opts = append(opts, amtrace.WithProvider(c.tracing.provider))
	}
	return amtrace.StartPromptRun(ctx, amtrace.PromptRunInfo{Call: call, Props: props, Stream: stream, PromptPath: c.promptPath(p)}, opts...)
}

// promptPath is the prompt's path relative to the loader's directory,
// with forward slashes.
func (c *Client) promptPath(p *Prompt) string {
	path := p.tpl.Path()
	if path == "" || !filepath.IsAbs(path) {
		return filepath.ToSlash(path)
	}
	var dir string
	switch l := c.loader.(type) {
	case SourceLoader:
		dir = l.Dir
	case BuiltLoader:
		dir = l.Dir
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			if rel, err := filepath.Rel(abs, path); err == nil && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel)
			}
		}
	}
	return filepath.Base(path)
}

// RunEval runs the registered eval name in a span "eval <name>" that
// records its params as input and its verdict as output and as
// agentmark.eval.* attributes.
func (c *Client) RunEval(ctx context.Context, name string, p EvalParams) (EvalResult, error) {
	fn, ok := c.evals[name]
	if !ok {
		return EvalResult{}, fmt.Errorf("eval %q is not registered", name)
	}
	if c.tracing.off {
		return fn(ctx, p)
	}
	var opts []amtrace.SpanOption
	if c.tracing.provider != nil {
		opts = append(opts, amtrace.WithProvider(c.tracing.provider))
	}
	opts = append(opts, amtrace.WithKind(amtrace.KindFunction), amtrace.WithAttributes(attribute.String(amtrace.AttrEvalName, name)))
	return amtrace.Span(ctx, "eval "+name, func(ctx context.Context, s *amtrace.SpanCtx) (EvalResult, error) {
		if s.Recording() {
			s.SetInput(map[string]any{"input": p.Input, "output": p.Output, "expectedOutput": p.ExpectedOutput})
		}
		r, err := fn(ctx, p)
		if err != nil {
			return r, err
		}
		if s.Recording() {
			s.SetOutput(map[string]any{"score": r.Score, "passed": r.Passed, "label": r.Label, "reason": r.Reason})
			if r.Score != nil {
				s.OTel().SetAttributes(attribute.Float64(amtrace.AttrEvalScore, *r.Score))
			}
			if r.Passed != nil {
				s.OTel().SetAttributes(attribute.Bool(amtrace.AttrEvalPassed, *r.Passed))
			}
			if r.Label != "" {
				s.SetAttribute(amtrace.AttrEvalLabel, r.Label)
			}
			if r.Reason != "" {
				s.SetAttribute(amtrace.AttrEvalReason, r.Reason)
			}
		}
		return r, nil
	}, opts...)
}
