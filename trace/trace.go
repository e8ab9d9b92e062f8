// Package trace is AgentMark tracing on OpenTelemetry: a tracer provider
// that exports to an AgentMark endpoint (the local dev server
// http://localhost:9418/v1/traces by default, OTLP/HTTP protobuf), span
// helpers (Trace, Span, Start, Observe) that record inputs, outputs and
// grouping (session, user, trace name, tags, metadata), PII masking before
// export, and the spans of prompt runs (the prompt span, one generation
// span per model call, one span per tool call).
//
// Import it as amtrace next to OpenTelemetry's own trace package:
//
//	import amtrace "github.com/agentmark-go/agentmark/trace"
//
//	tp, err := amtrace.Init(ctx, amtrace.Options{})  // the dev server
//	defer tp.Shutdown(context.Background())
//	answer, err := amtrace.Trace(ctx, "handle-message", func(ctx context.Context, s *amtrace.SpanCtx) (string, error) {
//		res, err := prompt.Run(ctx, props)  // nested under "handle-message"
//		...
//	}, amtrace.WithSessionID("sess-1"), amtrace.WithUserID("user-1"))
//
// Exporting never fails the traced code: a failed export is reported once
// on stderr (Options.ErrorLog) and by Provider.ExportError.
package trace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Defaults.
const (
	DefaultBaseURL     = "http://localhost:9418"
	TracesPath         = "/v1/traces"
	DefaultEndpoint    = DefaultBaseURL + TracesPath
	DefaultServiceName = "agentmark-client"
)

// Environment variables read by New and Init when the matching option is
// empty.
const (
	EnvTraceEndpoint = "AGENTMARK_TRACE_ENDPOINT" // full OTLP/HTTP traces URL
	EnvBaseURL       = "AGENTMARK_BASE_URL"       // {base}/v1/traces
	EnvAPIKey        = "AGENTMARK_API_KEY"
	EnvAppID         = "AGENTMARK_APP_ID"
	EnvEnvironment   = "AGENTMARK_ENVIRONMENT"
	EnvPRNumber      = "AGENTMARK_PR_NUMBER"
)

// Options configure a Provider. Every field is optional.
type Options struct {
	// Endpoint is the full OTLP/HTTP traces URL. Empty: $AGENTMARK_TRACE_ENDPOINT,
	// else BaseURL (or $AGENTMARK_BASE_URL) + "/v1/traces", else the local
	// dev server, http://localhost:9418/v1/traces.
	Endpoint string
	BaseURL  string
	// APIKey is sent raw as Authorization (cloud); AppID as
	// X-Agentmark-App-Id and as resource attribute agentmark.app_id.
	// Empty: $AGENTMARK_API_KEY, $AGENTMARK_APP_ID.
	APIKey string
	AppID  string
	// Environment and PRNumber select a cloud environment
	// (X-Agentmark-Environment, X-Agentmark-Pr-Number). Empty:
	// $AGENTMARK_ENVIRONMENT, $AGENTMARK_PR_NUMBER.
	Environment string
	PRNumber    string
	// Headers are added to every export request.
	Headers map[string]string
	// ServiceName is the resource's service.name ("agentmark-client").
	ServiceName string
	// ResourceAttributes are added to the resource.
	ResourceAttributes []attribute.KeyValue

	// Disabled makes a Provider that records nothing: helpers still run
	// the traced code, spans are no-ops.
	Disabled bool
	// DisableBatch exports every span when it ends (short scripts);
	// otherwise spans are batched and exported every BatchTimeout.
	DisableBatch bool
	// BatchTimeout is the longest a finished span waits before export
	// (default 1s).
	BatchTimeout time.Duration
	// ExportTimeout bounds one export request, retries included
	// (default 10s).
	ExportTimeout time.Duration

	// Masking redacts attributes before export (§H). HideInputs and
	// HideOutputs are also turned on by AGENTMARK_HIDE_INPUTS=true and
	// AGENTMARK_HIDE_OUTPUTS=true.
	Masking MaskingConfig

	// Exporter replaces the OTLP exporter (another backend, tests).
	Exporter sdktrace.SpanExporter
	// SpanProcessors are added after the exporting one (unmasked).
	SpanProcessors []sdktrace.SpanProcessor
	// ErrorLog receives the one warning about failed exports; nil:
	// os.Stderr; io.Discard silences it.
	ErrorLog io.Writer
}

// Provider is a tracer provider for AgentMark spans. Its zero value is
// not usable; build one with New, Init or Wrap. A nil *Provider is valid
// and records nothing.
type Provider struct {
	tp       oteltrace.TracerProvider
	sdk      *sdktrace.TracerProvider // nil unless built by New/Init
	tracer   oteltrace.Tracer
	endpoint string
	exp      *guardedExporter // nil unless exporting
	enabled  bool
}

// New builds a Provider from opts (see Options for the environment
// variables it reads). The OTLP exporter connects lazily: New does not
// fail when the endpoint is down.
func New(opts Options) (*Provider, error) {
	if opts.Disabled {
		tp := noop.NewTracerProvider()
		return &Provider{tp: tp, tracer: tp.Tracer(ScopeName)}, nil
	}
	endpoint, err := resolveEndpoint(opts)
	if err != nil {
		return nil, err
	}
	exp := opts.Exporter
	if exp == nil {
		timeout := opts.ExportTimeout
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		headers := map[string]string{}
		set := func(h, v, env string) {
			if v == "" {
				v = os.Getenv(env)
			}
			if v != "" {
				headers[h] = v
			}
		}
		set("Authorization", opts.APIKey, EnvAPIKey)
		set("X-Agentmark-App-Id", opts.AppID, EnvAppID)
		set("X-Agentmark-Environment", opts.Environment, EnvEnvironment)
		set("X-Agentmark-Pr-Number", opts.PRNumber, EnvPRNumber)
		for k, v := range opts.Headers {
			headers[k] = v
		}
		exp, err = otlptracehttp.New(context.Background(),
			otlptracehttp.WithEndpointURL(endpoint),
			otlptracehttp.WithHeaders(headers),
			otlptracehttp.WithTimeout(timeout),
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: true, InitialInterval: 250 * time.Millisecond,
				MaxInterval: 2 * time.Second, MaxElapsedTime: timeout}))
		if err != nil {
			return nil, fmt.Errorf("trace exporter: %w", err)
		}
	}
	log := opts.ErrorLog
	if log == nil {
		log = os.Stderr
	}
	g := &guardedExporter{next: exp, endpoint: endpoint, log: log}

	var proc sdktrace.SpanProcessor
	if opts.DisableBatch {
		proc = sdktrace.NewSimpleSpanProcessor(g)
	} else {
		bt := opts.BatchTimeout
		if bt <= 0 {
			bt = time.Second
		}
		proc = sdktrace.NewBatchSpanProcessor(g, sdktrace.WithBatchTimeout(bt))
	}
	mask := opts.Masking.withEnv()
	if mask.Log == nil {
		mask.Log = log
	}
	if mask.Enabled() {
		proc = NewMaskingProcessor(proc, mask)
	}

	appID := opts.AppID
	if appID == "" {
		appID = os.Getenv(EnvAppID)
	}
	svc := opts.ServiceName
	if svc == "" {
		svc = DefaultServiceName
	}
	rattrs := []attribute.KeyValue{attribute.String("service.name", svc),
		attribute.String("telemetry.sdk.language", "go"), attribute.String("telemetry.sdk.name", "agentmark")}
	if appID != "" {
		rattrs = append(rattrs, attribute.String(AttrAppID, appID))
	}
	rattrs = append(rattrs, opts.ResourceAttributes...)

	popts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(resource.NewSchemaless(rattrs...)),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(groupingProcessor{}),
		sdktrace.WithSpanProcessor(proc),
	}
	for _, sp := range opts.SpanProcessors {
		popts = append(popts, sdktrace.WithSpanProcessor(sp))
	}
	sdk := sdktrace.NewTracerProvider(popts...)
	return &Provider{tp: sdk, sdk: sdk, tracer: sdk.Tracer(ScopeName), endpoint: endpoint, exp: g, enabled: true}, nil
}

func resolveEndpoint(opts Options) (string, error) {
	ep := opts.Endpoint
	if ep == "" {
		if opts.BaseURL != "" {
			ep = strings.TrimRight(opts.BaseURL, "/") + TracesPath
		} else if v := os.Getenv(EnvTraceEndpoint); v != "" {
			ep = v
		} else if v := os.Getenv(EnvBaseURL); v != "" {
			ep = strings.TrimRight(v, "/") + TracesPath
		} else {
			ep = DefaultEndpoint
		}
	}
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("trace endpoint %q is not an http(s) URL", ep)
	}
	return ep, nil
}

var (
	defaultMu sync.RWMutex
	defaultP  *Provider
)

// Init builds a Provider with New and makes it the default one, used by
// the helpers and by prompt runs that are not given a provider.
func Init(ctx context.Context, opts Options) (*Provider, error) {
	p, err := New(opts)
	if err != nil {
		return nil, err
	}
	SetDefault(p)
	return p, nil
}

// SetDefault makes p the default provider (nil: none).
func SetDefault(p *Provider) {
	defaultMu.Lock()
	defaultP = p
	defaultMu.Unlock()
}

// Default is the provider set by Init or SetDefault, or nil.
func Default() *Provider {
	defaultMu.RLock()
	defer defaultMu.RUnlock()
	return defaultP
}

// Wrap makes a Provider of an existing OpenTelemetry tracer provider (your
// own pipeline). Flush and Shutdown flush and shut it down when it has
// those methods (like *sdktrace.TracerProvider). Grouping set with
// WithAgentMark is stamped on the spans this package starts.
func Wrap(tp oteltrace.TracerProvider) *Provider {
	p := &Provider{tp: tp, tracer: tp.Tracer(ScopeName), enabled: true}
	if s, ok := tp.(*sdktrace.TracerProvider); ok {
		p.sdk = s
	}
	return p
}

// Tracer is the provider's tracer (scope "agentmark").
func (p *Provider) Tracer() oteltrace.Tracer {
	if p == nil {
		return noop.NewTracerProvider().Tracer(ScopeName)
	}
	return p.tracer
}

// TracerProvider is the underlying OpenTelemetry tracer provider, for
// other instrumentation (spans it starts are grouped and masked too).
func (p *Provider) TracerProvider() oteltrace.TracerProvider {
	if p == nil {
		return noop.NewTracerProvider()
	}
	return p.tp
}

// Enabled reports whether p records spans.
func (p *Provider) Enabled() bool { return p != nil && p.enabled }

// Endpoint is the URL spans are exported to ("" when not exporting
// over OTLP/HTTP).
func (p *Provider) Endpoint() string {
	if p == nil {
		return ""
	}
	return p.endpoint
}

type flusher interface {
	ForceFlush(context.Context) error
}

// Flush exports the finished spans now. It returns an export failure that
// happened during the flush (the traced code is never affected) or ctx's
// error when it expires first.
func (p *Provider) Flush(ctx context.Context) error {
	if p == nil {
		return nil
	}
	var before int64
	if p.exp != nil {
		before = p.exp.failures.Load()
	}
	var err error
	if f, ok := p.tp.(flusher); ok {
		err = f.ForceFlush(ctx)
	}
	if p.exp != nil && p.exp.failures.Load() != before {
		err = errors.Join(err, p.exp.lastErr())
	}
	return err
}

// Shutdown flushes and stops p; spans started afterwards are dropped. If
// p is the default provider, it stops being it.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	defaultMu.Lock()
	if defaultP == p {
		defaultP = nil
	}
	defaultMu.Unlock()
	err := p.Flush(ctx)
	if s, ok := p.tp.(interface{ Shutdown(context.Context) error }); ok {
		err = errors.Join(err, s.Shutdown(ctx))
	}
	return err
}

// ExportError is the first export failure of p, or nil.
func (p *Provider) ExportError() error {
	if p == nil || p.exp == nil {
		return nil
	}
	return p.exp.firstErr()
}

// Flush flushes the default provider.
func Flush(ctx context.Context) error { return Default().Flush(ctx) }

// guardedExporter never lets an export failure escape: it records it,
// warns once, and reports success to the SDK (whose own error handler
// would log every failure).
type guardedExporter struct {
	next     sdktrace.SpanExporter
	endpoint string
	log      io.Writer
	failures atomic.Int64
	mu       sync.Mutex
	first    error
	last     error
}

func (g *guardedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := g.next.ExportSpans(ctx, spans)
	if err == nil {
		return nil
	}
	g.mu.Lock()
	warn := g.first == nil
	if warn {
		g.first = err
	}
	g.last = err
	g.mu.Unlock()
	g.failures.Add(1)
	if warn && g.log != nil {
		fmt.Fprintf(g.log, "⚠️  AgentMark: could not export traces to %s: %v (tracing continues; further failures are not reported)\n", g.endpoint, err)
	}
	return nil
}

func (g *guardedExporter) Shutdown(ctx context.Context) error { return g.next.Shutdown(ctx) }

func (g *guardedExporter) firstErr() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.first
}

func (g *guardedExporter) lastErr() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// groupingProcessor stamps the grouping of the parent context on spans
// that do not set those attributes themselves.
type groupingProcessor struct{}

func (groupingProcessor) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	g := GroupingFromContext(parent)
	if g.IsZero() {
		return
	}
	have := map[attribute.Key]bool{}
	for _, kv := range s.Attributes() {
		have[kv.Key] = true
	}
	for _, kv := range g.Attributes() {
		if !have[kv.Key] {
			s.SetAttributes(kv)
		}
	}
}

func (groupingProcessor) OnEnd(sdktrace.ReadOnlySpan)          {}
func (groupingProcessor) Shutdown(context.Context) error       { return nil }
func (groupingProcessor) ForceFlush(ctx context.Context) error { return nil }

// providerFor picks the provider of a span: explicit, the one of the
// enclosing AgentMark span, the default one, else OpenTelemetry's global
// provider (a no-op unless the application set one).
func providerFor(ctx context.Context, explicit *Provider) *Provider {
	if explicit != nil {
		return explicit
	}
	if p, ok := ctx.Value(providerKey{}).(*Provider); ok && p != nil {
		return p
	}
	if p := Default(); p != nil {
		return p
	}
	return globalProvider()
}

func globalProvider() *Provider {
	tp := otel.GetTracerProvider()
	return &Provider{tp: tp, tracer: tp.Tracer(ScopeName), enabled: true}
}

type providerKey struct{}

// ProviderFromContext is the provider of the AgentMark span active in
// ctx (set by Trace, Span, Start and prompt runs), or nil.
func ProviderFromContext(ctx context.Context) *Provider {
	p, _ := ctx.Value(providerKey{}).(*Provider)
	return p
}

// ContextWithProvider makes spans started under ctx use p.
func ContextWithProvider(ctx context.Context, p *Provider) context.Context {
	return context.WithValue(ctx, providerKey{}, p)
}
