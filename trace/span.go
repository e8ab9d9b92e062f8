package trace

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// SpanOption configures a span started by Trace, Span, Start, Observe or
// a prompt run.
type SpanOption func(*spanConfig)

type spanConfig struct {
	provider      *Provider
	grouping      Grouping
	kind          Kind
	attrs         []attribute.KeyValue
	input         any
	hasInput      bool
	newRoot       bool
	noCaptureIn   bool
	noCaptureOut  bool
	processInput  func(any) any
	processOutput func(any) any
}

func newConfig(opts []SpanOption) *spanConfig {
	c := &spanConfig{}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithProvider uses p instead of the enclosing span's provider or the
// default one.
func WithProvider(p *Provider) SpanOption { return func(c *spanConfig) { c.provider = p } }

// WithSessionID groups the trace into a session (agentmark.session_id,
// also gen_ai.conversation.id on the span itself).
func WithSessionID(id string) SpanOption { return func(c *spanConfig) { c.grouping.SessionID = id } }

// WithSessionName names the session.
func WithSessionName(name string) SpanOption {
	return func(c *spanConfig) { c.grouping.SessionName = name }
}

// WithUserID associates the trace with a user.
func WithUserID(id string) SpanOption { return func(c *spanConfig) { c.grouping.UserID = id } }

// WithTraceName sets agentmark.trace_name (Trace defaults it to the span
// name).
func WithTraceName(name string) SpanOption {
	return func(c *spanConfig) { c.grouping.TraceName = name }
}

// WithTags labels the trace (agentmark.tags, a compact JSON array).
func WithTags(tags ...string) SpanOption {
	return func(c *spanConfig) { c.grouping.Tags = append(append([]string(nil), c.grouping.Tags...), tags...) }
}

// WithMetadata adds custom metadata (agentmark.metadata.<key>).
func WithMetadata(md map[string]any) SpanOption {
	return func(c *spanConfig) { c.grouping = c.grouping.Merge(Grouping{Metadata: md}) }
}

// WithGrouping sets several grouping fields at once (non-empty fields of
// g win over earlier options).
func WithGrouping(g Grouping) SpanOption {
	return func(c *spanConfig) { c.grouping = c.grouping.Merge(g) }
}

// WithKind sets the semantic kind (agentmark.span.kind; Observe also sets
// openinference.span.kind).
func WithKind(k Kind) SpanOption { return func(c *spanConfig) { c.kind = k } }

// WithInput records v as the span's input at start.
func WithInput(v any) SpanOption {
	return func(c *spanConfig) { c.input, c.hasInput = v, true }
}

// WithAttributes adds raw attributes at start.
func WithAttributes(kv ...attribute.KeyValue) SpanOption {
	return func(c *spanConfig) { c.attrs = append(c.attrs, kv...) }
}

// WithNewRoot starts a new trace even under an active span.
func WithNewRoot() SpanOption { return func(c *spanConfig) { c.newRoot = true } }

// WithoutInputCapture stops Observe from recording its argument.
func WithoutInputCapture() SpanOption { return func(c *spanConfig) { c.noCaptureIn = true } }

// WithoutOutputCapture stops Observe from recording its result.
func WithoutOutputCapture() SpanOption { return func(c *spanConfig) { c.noCaptureOut = true } }

// WithProcessInputs transforms Observe's argument before it is recorded
// (redaction).
func WithProcessInputs(f func(any) any) SpanOption {
	return func(c *spanConfig) { c.processInput = f }
}

// WithProcessOutputs transforms Observe's result before it is recorded.
func WithProcessOutputs(f func(any) any) SpanOption {
	return func(c *spanConfig) { c.processOutput = f }
}

func str(k, v string) SpanOption {
	return func(c *spanConfig) {
		if v != "" {
			c.attrs = append(c.attrs, attribute.String(k, v))
		}
	}
}

func jsonAttr(k string, v any) SpanOption {
	return func(c *spanConfig) {
		if v != nil {
			c.attrs = append(c.attrs, attribute.String(k, ioString(v)))
		}
	}
}

// Dataset, experiment and prompt fields (§B.8), set on the span itself.
func WithPromptName(name string) SpanOption   { return str(AttrPromptName, name) }
func WithPromptPath(path string) SpanOption   { return str(AttrPromptPath, path) }
func WithDatasetRunID(id string) SpanOption   { return str(AttrDatasetRunID, id) }
func WithDatasetRunName(n string) SpanOption  { return str(AttrDatasetRunName, n) }
func WithDatasetItemName(n string) SpanOption { return str(AttrDatasetItemName, n) }
func WithDatasetPath(p string) SpanOption     { return str(AttrDatasetPath, p) }
func WithExperimentKey(k string) SpanOption   { return str(AttrExperimentKey, k) }
func WithSourceTreeHash(h string) SpanOption  { return str(AttrSourceTreeHash, h) }
func WithDatasetInput(v any) SpanOption       { return jsonAttr(AttrDatasetInput, v) }
func WithDatasetExpectedOutput(v any) SpanOption {
	return jsonAttr(AttrDatasetExpectedOutput, v)
}

// SpanCtx is the handle of an active span.
type SpanCtx struct {
	span     oteltrace.Span
	mu       sync.Mutex
	outSet   bool
	ended    bool
	provider *Provider
}

// OTel is the underlying OpenTelemetry span.
func (s *SpanCtx) OTel() oteltrace.Span { return s.span }

// TraceID is the span's trace id (32 hex digits; "" when not recording).
func (s *SpanCtx) TraceID() string {
	if s == nil || !s.span.SpanContext().HasTraceID() {
		return ""
	}
	return s.span.SpanContext().TraceID().String()
}

// SpanID is the span's id (16 hex digits; "" when not recording).
func (s *SpanCtx) SpanID() string {
	if s == nil || !s.span.SpanContext().HasSpanID() {
		return ""
	}
	return s.span.SpanContext().SpanID().String()
}

// Recording reports whether the span records anything.
func (s *SpanCtx) Recording() bool { return s != nil && s.span.IsRecording() }

// SetInput records v as the span's input (agentmark.request.input and
// gen_ai.request.input): strings as they are, other values as compact
// JSON, at most 1,000,000 characters.
func (s *SpanCtx) SetInput(v any) {
	if !s.Recording() {
		return
	}
	in := ioString(v)
	s.span.SetAttributes(attribute.String(AttrRequestInput, in), attribute.String(GenAIRequestInput, in))
}

// SetOutput records v as the span's output (agentmark.response.output and
// gen_ai.response.output).
func (s *SpanCtx) SetOutput(v any) {
	if !s.Recording() {
		return
	}
	s.mu.Lock()
	s.outSet = true
	s.mu.Unlock()
	out := ioString(v)
	s.span.SetAttributes(attribute.String(AttrResponseOutput, out), attribute.String(GenAIResponseOutput, out))
}

// SetAttribute sets one attribute: strings, booleans, integers, floats
// and their slices natively, anything else as compact JSON.
func (s *SpanCtx) SetAttribute(key string, v any) {
	if !s.Recording() {
		return
	}
	s.span.SetAttributes(Attr(key, v))
}

// SetMetadata sets agentmark.metadata.<key> (nil: nothing).
func (s *SpanCtx) SetMetadata(key string, v any) {
	if !s.Recording() {
		return
	}
	if ms, ok := MetadataString(v); ok {
		s.span.SetAttributes(attribute.String(AttrMetadataPrefix+key, ms))
	}
}

// AddEvent adds an event to the span.
func (s *SpanCtx) AddEvent(name string, attrs ...attribute.KeyValue) {
	if s.Recording() {
		s.span.AddEvent(name, oteltrace.WithAttributes(attrs...))
	}
}

// End ends the span: status ERROR with err's message, else OK. Calling it
// again does nothing.
func (s *SpanCtx) End(err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.mu.Unlock()
	if err != nil {
		s.span.RecordError(err)
		s.span.SetStatus(codes.Error, err.Error())
	} else {
		s.span.SetStatus(codes.Ok, "")
	}
	s.span.End()
}

// Attr converts a Go value to an attribute.
func Attr(key string, v any) attribute.KeyValue {
	switch x := v.(type) {
	case string:
		return attribute.String(key, x)
	case bool:
		return attribute.Bool(key, x)
	case int:
		return attribute.Int(key, x)
	case int64:
		return attribute.Int64(key, x)
	case int32:
		return attribute.Int64(key, int64(x))
	case float64:
		return attribute.Float64(key, x)
	case float32:
		return attribute.Float64(key, float64(x))
	case []string:
		return attribute.StringSlice(key, x)
	case []bool:
		return attribute.BoolSlice(key, x)
	case []int:
		return attribute.IntSlice(key, x)
	case []int64:
		return attribute.Int64Slice(key, x)
	case []float64:
		return attribute.Float64Slice(key, x)
	case fmt.Stringer:
		return attribute.String(key, x.String())
	}
	return attribute.String(key, compactJSON(v))
}

// Start starts a span named name under ctx and returns the context to
// run the spanned work with. End it with s.End(err). Grouping options
// apply to the span and to every span started under the returned context.
func Start(ctx context.Context, name string, opts ...SpanOption) (context.Context, *SpanCtx) {
	return start(ctx, name, newConfig(opts), false)
}

func start(ctx context.Context, name string, c *spanConfig, root bool) (context.Context, *SpanCtx) {
	if ctx == nil {
		ctx = context.Background()
	}
	p := providerFor(ctx, c.provider)
	g := c.grouping
	if root && g.TraceName == "" {
		g.TraceName = name
	}
	if !g.IsZero() {
		ctx = WithAgentMark(ctx, g)
	}
	attrs := GroupingFromContext(ctx).Attributes()
	if sid := GroupingFromContext(ctx).SessionID; root && sid != "" {
		attrs = append(attrs, attribute.String(GenAIConversationID, sid))
	}
	if c.kind != "" {
		attrs = append(attrs, attribute.String(AttrSpanKind, string(c.kind)))
	}
	attrs = append(attrs, c.attrs...)
	sopts := []oteltrace.SpanStartOption{oteltrace.WithAttributes(attrs...)}
	if c.newRoot {
		sopts = append(sopts, oteltrace.WithNewRoot())
	}
	ctx, sp := p.Tracer().Start(ctx, name, sopts...)
	ctx = ContextWithProvider(ctx, p)
	s := &SpanCtx{span: sp, provider: p}
	if c.hasInput {
		s.SetInput(c.input)
	}
	return ctx, s
}

// Trace runs fn in a span named name, the unit of work users look for
// (upstream's span()): agentmark.trace_name defaults to name, grouping
// options (session, user, tags, metadata) apply to it and to every span
// started inside fn, such as prompt runs. The span ends with ERROR when fn
// returns an error or panics (the panic goes on). The trace id is
// s.TraceID() inside fn.
func Trace[T any](ctx context.Context, name string, fn func(context.Context, *SpanCtx) (T, error), opts ...SpanOption) (T, error) {
	return run(ctx, name, fn, newConfig(opts), true)
}

// Span runs fn in a child span named name (upstream's ctx.span()).
func Span[T any](ctx context.Context, name string, fn func(context.Context, *SpanCtx) (T, error), opts ...SpanOption) (T, error) {
	return run(ctx, name, fn, newConfig(opts), false)
}

func run[T any](ctx context.Context, name string, fn func(context.Context, *SpanCtx) (T, error), c *spanConfig, root bool) (res T, err error) {
	ctx, s := start(ctx, name, c, root)
	defer func() {
		if p := recover(); p != nil {
			s.End(fmt.Errorf("panic: %v", p))
			panic(p)
		}
		s.End(err)
	}()
	return fn(ctx, s)
}

// Observe wraps fn so that every call runs in a span named name that
// records the argument (agentmark.request.input) and the result
// (agentmark.response.output), with semantic kind WithKind (default
// function) — upstream's observe().
func Observe[In, Out any](name string, fn func(context.Context, In) (Out, error), opts ...SpanOption) func(context.Context, In) (Out, error) {
	c := newConfig(opts)
	if c.kind == "" {
		c.kind = KindFunction
	}
	c.attrs = append(c.attrs, attribute.String(AttrOpenInferenceSpanKind, c.kind.openInference()))
	return func(ctx context.Context, in In) (out Out, err error) {
		cc := *c
		ctx, s := start(ctx, name, &cc, false)
		if !c.noCaptureIn && s.Recording() {
			var v any = in
			if c.processInput != nil {
				v = c.processInput(v)
			}
			s.SetInput(v)
		}
		defer func() {
			if p := recover(); p != nil {
				s.End(fmt.Errorf("panic: %v", p))
				panic(p)
			}
			if err == nil && !c.noCaptureOut && s.Recording() && !isNil(out) {
				var v any = out
				if c.processOutput != nil {
					v = c.processOutput(v)
				}
				s.SetOutput(v)
			}
			s.End(err)
		}()
		return fn(ctx, in)
	}
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// TraceID is the trace id of the span active in ctx ("" if none).
func TraceID(ctx context.Context) string {
	sc := oteltrace.SpanContextFromContext(ctx)
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}

// errStopped marks a stream its consumer stopped early.
var errStopped = errors.New("stream stopped by its consumer")
