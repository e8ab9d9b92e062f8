package trace

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Masker redacts one attribute value. It must be safe for concurrent use.
// A Masker that panics makes the span it was masking be dropped
// (fail-closed): unmasked data never leaves the process.
type Masker func(string) string

// Redacted replaces hidden inputs and outputs.
const Redacted = "[REDACTED]"

// Environment variables that hide every input or output attribute value
// when set to "true" (observe spec §H.2).
const (
	EnvHideInputs  = "AGENTMARK_HIDE_INPUTS"
	EnvHideOutputs = "AGENTMARK_HIDE_OUTPUTS"
)

// InputKeys are the input attributes: hidden by HideInputs, passed to the
// Masker. Upstream's list (§H.1) plus agentmark.input and agentmark.props,
// which upstream leaves unmasked (§K) although the prompt span carries
// the rendered messages and the props in them.
var InputKeys = []string{
	"gen_ai.request.input", "gen_ai.request.tool_calls", "agentmark.request.input",
	"agentmark.dataset_input", "ai.prompt", "ai.prompt.messages", "ai.prompt.tools",
	"ai.prompt.toolChoice", "ai.toolCall.args", "gen_ai.input.messages",
	"gen_ai.system_instructions", "gen_ai.tool.definitions", "gen_ai.tool.call.arguments",
	"gen_ai.prompt", "gen_ai.tool.input",
	AttrInput, AttrProps,
}

// OutputKeys are the output attributes: hidden by HideOutputs, passed to
// the Masker. Upstream's list plus agentmark.output.
var OutputKeys = []string{
	"gen_ai.response.output", "gen_ai.response.output_object", "agentmark.response.output",
	"ai.response.text", "ai.response.toolCalls", "ai.response.object", "ai.result.text",
	"ai.result.toolCalls", "ai.result.object", "ai.toolCall.result", "gen_ai.output.messages",
	"gen_ai.tool.call.result", "gen_ai.completion", "gen_ai.tool.output",
	AttrOutput,
}

var (
	inputSet  = toSet(InputKeys)
	outputSet = toSet(OutputKeys)
)

func toSet(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// MaskingConfig configures PII masking before export (§H).
type MaskingConfig struct {
	// Mask, when set, is applied to every input, output and
	// agentmark.metadata.* string attribute (after hiding).
	Mask Masker
	// HideInputs / HideOutputs replace input / output values with
	// "[REDACTED]". New and Init also turn them on when
	// AGENTMARK_HIDE_INPUTS / AGENTMARK_HIDE_OUTPUTS is "true".
	HideInputs  bool
	HideOutputs bool
	// Log receives the warning of a dropped span; nil: os.Stderr.
	Log io.Writer
}

// Enabled reports whether c masks anything.
func (c MaskingConfig) Enabled() bool { return c.Mask != nil || c.HideInputs || c.HideOutputs }

// withEnv turns on hiding from the environment.
func (c MaskingConfig) withEnv() MaskingConfig {
	if os.Getenv(EnvHideInputs) == "true" {
		c.HideInputs = true
	}
	if os.Getenv(EnvHideOutputs) == "true" {
		c.HideOutputs = true
	}
	return c
}

// NewMaskingProcessor wraps next: spans are masked per cfg when they end,
// then handed to next. Only span attributes are masked (not events,
// resource attributes, status messages or names); model names, token
// counts and ids are never touched.
func NewMaskingProcessor(next sdktrace.SpanProcessor, cfg MaskingConfig) sdktrace.SpanProcessor {
	return &maskingProcessor{next: next, cfg: cfg}
}

type maskingProcessor struct {
	next sdktrace.SpanProcessor
	cfg  MaskingConfig
	mu   sync.Mutex // serializes warnings
}

func (m *maskingProcessor) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	m.next.OnStart(parent, s)
}

func (m *maskingProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	attrs, err := MaskAttributes(s.Attributes(), m.cfg)
	if err != nil {
		m.mu.Lock()
		w := m.cfg.Log
		if w == nil {
			w = os.Stderr
		}
		fmt.Fprintf(w, "[agentmark] Masking error — span dropped: %v\n", err)
		m.mu.Unlock()
		return
	}
	m.next.OnEnd(maskedSpan{ReadOnlySpan: s, attrs: attrs})
}

func (m *maskingProcessor) Shutdown(ctx context.Context) error   { return m.next.Shutdown(ctx) }
func (m *maskingProcessor) ForceFlush(ctx context.Context) error { return m.next.ForceFlush(ctx) }

// maskedSpan is a finished span with replaced attributes.
type maskedSpan struct {
	sdktrace.ReadOnlySpan
	attrs []attribute.KeyValue
}

func (s maskedSpan) Attributes() []attribute.KeyValue { return s.attrs }

// MaskAttributes returns attrs masked per cfg (a new slice; attrs is not
// modified). A panicking Masker is reported as an error.
func MaskAttributes(attrs []attribute.KeyValue, cfg MaskingConfig) (out []attribute.KeyValue, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("%v", p)
		}
	}()
	out = make([]attribute.KeyValue, len(attrs))
	for i, kv := range attrs {
		out[i] = kv
		k := string(kv.Key)
		in, outp := inputSet[k], outputSet[k]
		meta := strings.HasPrefix(k, AttrMetadataPrefix)
		if !in && !outp && !meta {
			continue
		}
		one := func(v string) string {
			if in && cfg.HideInputs || outp && cfg.HideOutputs {
				v = Redacted
			}
			if cfg.Mask != nil {
				v = cfg.Mask(v)
			}
			return v
		}
		switch kv.Value.Type() {
		case attribute.STRING:
			out[i] = attribute.String(k, one(kv.Value.AsString()))
		case attribute.STRINGSLICE:
			vs := kv.Value.AsStringSlice()
			for j := range vs {
				vs[j] = one(vs[j])
			}
			out[i] = attribute.StringSlice(k, vs)
		}
	}
	return out, nil
}

// PiiMaskerConfig selects the built-in PII patterns (all off by default)
// and custom patterns, which run after them in order.
type PiiMaskerConfig struct {
	Email      bool
	Phone      bool
	SSN        bool
	CreditCard bool
	IPAddress  bool
	Custom     []CustomPattern
}

// CustomPattern replaces every match of Pattern with Replacement
// (regexp.ReplaceAllString syntax: $1 refers to a group).
type CustomPattern struct {
	Pattern     *regexp.Regexp
	Replacement string
}

// Built-in PII patterns (§H.2).
var (
	EmailPattern      = regexp.MustCompile(`[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}`)
	PhonePattern      = regexp.MustCompile(`(\+?1[-.\s]?)?\(?\d{3}\)?[-.\s]?\d{3}[-.\s]?\d{4}`)
	SSNPattern        = regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)
	CreditCardPattern = regexp.MustCompile(`\b\d{4}[-\s]?\d{4}[-\s]?\d{4}[-\s]?\d{4}\b`)
	IPAddressPattern  = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
)

// NewPiiMasker builds a Masker from the enabled patterns, applied most
// specific first: credit card, SSN, email, phone, IP address, then the
// custom patterns in order.
func NewPiiMasker(cfg PiiMaskerConfig) Masker {
	var ps []CustomPattern
	add := func(on bool, re *regexp.Regexp, repl string) {
		if on {
			ps = append(ps, CustomPattern{re, repl})
		}
	}
	add(cfg.CreditCard, CreditCardPattern, "[CREDIT_CARD]")
	add(cfg.SSN, SSNPattern, "[SSN]")
	add(cfg.Email, EmailPattern, "[EMAIL]")
	add(cfg.Phone, PhonePattern, "[PHONE]")
	add(cfg.IPAddress, IPAddressPattern, "[IP_ADDRESS]")
	for _, c := range cfg.Custom {
		if c.Pattern != nil {
			ps = append(ps, c)
		}
	}
	return func(s string) string {
		for _, p := range ps {
			s = p.Pattern.ReplaceAllString(s, p.Replacement)
		}
		return s
	}
}
