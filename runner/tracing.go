package runner

import (
	"context"

	amtrace "github.com/agentmark-go/agentmark/trace"
)

// TraceTracer adapts a trace provider (package trace; nil: the provider
// of the context, else the default one, else OpenTelemetry's global
// provider) to Tracer. Spans it starts are the parents of the client's
// prompt spans, so a dataset row is one trace.
func TraceTracer(p *amtrace.Provider) Tracer { return amTracer{p} }

type amTracer struct{ p *amtrace.Provider }

func (t amTracer) Start(ctx context.Context, name string, attrs map[string]any) (context.Context, Span) {
	var opts []amtrace.SpanOption
	if t.p != nil {
		opts = append(opts, amtrace.WithProvider(t.p))
	}
	ctx, s := amtrace.Start(ctx, name, opts...)
	sp := amSpan{s}
	sp.SetAttributes(attrs)
	return ctx, sp
}

type amSpan struct{ s *amtrace.SpanCtx }

func (s amSpan) TraceID() string { return s.s.TraceID() }

func (s amSpan) SetAttributes(attrs map[string]any) {
	if !s.s.Recording() {
		return
	}
	for k, v := range attrs {
		s.s.SetAttribute(k, v)
	}
}

func (s amSpan) End(err error) { s.s.End(err) }
