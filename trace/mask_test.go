package trace_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentmark-go/agentmark/llm"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

func TestPiiMaskerPatterns(t *testing.T) {
	all := amtrace.NewPiiMasker(amtrace.PiiMaskerConfig{Email: true, Phone: true, SSN: true, CreditCard: true, IPAddress: true,
		Custom: []amtrace.CustomPattern{{Pattern: regexp.MustCompile(`MRN-\d+`), Replacement: "[MEDICAL_RECORD]"}}})
	for in, want := range map[string]string{
		"mail user@example.com now":           "mail [EMAIL] now",
		"call (555) 123-4567":                 "call [PHONE]",
		"ssn 123-45-6789":                     "ssn [SSN]",
		"card 4111 1111 1111 1111":            "card [CREDIT_CARD]",
		"card 4111-1111-1111-1111 ok":         "card [CREDIT_CARD] ok",
		"from 192.168.1.100":                  "from [IP_ADDRESS]",
		"patient MRN-123456":                  "patient [MEDICAL_RECORD]",
		"nothing here":                        "nothing here",
		"a@b.co and c@d.org, 123-45-6789 too": "[EMAIL] and [EMAIL], [SSN] too",
	} {
		if got := all(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
	// Off by default; custom patterns alone work.
	none := amtrace.NewPiiMasker(amtrace.PiiMaskerConfig{})
	if none("user@example.com 123-45-6789") != "user@example.com 123-45-6789" {
		t.Error("patterns on by default")
	}
	custom := amtrace.NewPiiMasker(amtrace.PiiMaskerConfig{Custom: []amtrace.CustomPattern{{Pattern: regexp.MustCompile(`ACCT-[A-Z0-9]+`), Replacement: "[ACCOUNT_ID]"}}})
	if got := custom("ACCT-9Z and user@example.com"); got != "[ACCOUNT_ID] and user@example.com" {
		t.Error(got)
	}
}

func TestMaskAttributes(t *testing.T) {
	attrs := []attribute.KeyValue{
		attribute.String("gen_ai.request.input", "in a@b.co"),
		attribute.String("gen_ai.response.output", "out a@b.co"),
		attribute.String("agentmark.metadata.email", "a@b.co"),
		attribute.String("gen_ai.request.model", "a@b.co"),
		attribute.Int("gen_ai.usage.input_tokens", 5),
		attribute.StringSlice("ai.prompt.messages", []string{"x a@b.co", "y"}),
	}
	orig := append([]attribute.KeyValue(nil), attrs...)
	mask := amtrace.NewPiiMasker(amtrace.PiiMaskerConfig{Email: true})
	var seen []string
	got, err := amtrace.MaskAttributes(attrs, amtrace.MaskingConfig{HideInputs: true, Mask: func(s string) string {
		seen = append(seen, s)
		return mask(s)
	}})
	if err != nil {
		t.Fatal(err)
	}
	m := kvMap(got)
	want := map[string]string{"gen_ai.request.input": "[REDACTED]", "gen_ai.response.output": "out [EMAIL]",
		"agentmark.metadata.email": "[EMAIL]", "gen_ai.request.model": "a@b.co", "gen_ai.usage.input_tokens": "5",
		"ai.prompt.messages": `["[REDACTED]","[REDACTED]"]`}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	// The mask sees the already-suppressed value.
	if seen[0] != "[REDACTED]" {
		t.Errorf("mask saw %q first", seen[0])
	}
	if orig[0].Value.AsString() != "in a@b.co" || attrs[5].Value.AsStringSlice()[0] != "x a@b.co" {
		t.Error("input attributes modified")
	}
	if _, err := amtrace.MaskAttributes(attrs, amtrace.MaskingConfig{Mask: func(string) string { panic("bad") }}); err == nil {
		t.Error("panic not reported")
	}
}

// Masking happens before export, on prompt runs and helper spans, with
// hiding from the environment and a custom mask; a panicking mask drops
// only its span.
func TestMaskingBeforeExport(t *testing.T) {
	t.Setenv(amtrace.EnvHideInputs, "true")
	t.Setenv(amtrace.EnvHideOutputs, "")
	rc := newReceiver(t)
	var log bytes.Buffer
	p := rc.provider(t, amtrace.Options{ErrorLog: &log, Masking: amtrace.MaskingConfig{Mask: func(s string) string {
		if strings.Contains(s, "explode") {
			panic("mask failure")
		}
		return amtrace.NewPiiMasker(amtrace.PiiMaskerConfig{Email: true, SSN: true})(s)
	}}})
	msgs := []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "my ssn is 123-45-6789"}}}}
	_, err := runScripted(t, p, llm.KindText, false, msgs, []map[string]any{
		{"type": "text-delta", "text": "mail me at user@example.com"},
		{"type": "finish", "reason": "stop", "usage": map[string]any{"inputTokens": 3.0, "outputTokens": 5.0}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := amtrace.ContextWithProvider(context.Background(), p)
	amtrace.Span(ctx, "helper", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		s.SetInput("in user@example.com")
		s.SetOutput("out 123-45-6789")
		s.SetMetadata("contact", "user@example.com")
		return 0, nil
	})
	amtrace.Span(ctx, "dropped", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		s.SetOutput("explode")
		return 0, nil
	})
	amtrace.Span(ctx, "after", func(ctx context.Context, s *amtrace.SpanCtx) (int, error) {
		s.SetOutput("fine")
		return 0, nil
	})
	spans := rc.spans(t)
	prompt := named(spans, "vector")[0].Attrs
	gen := named(spans, "chat ")[0].Attrs
	for k, v := range map[string]any{
		"agentmark.input": "[REDACTED]", "agentmark.props": "[REDACTED]", "agentmark.output": "mail me at [EMAIL]",
		"gen_ai.usage.input_tokens": int64(3), "gen_ai.request.model": "test", "agentmark.prompt_name": "vector",
	} {
		if prompt[k] != v {
			t.Errorf("prompt %s = %v, want %v", k, prompt[k], v)
		}
	}
	if gen["gen_ai.request.input"] != "[REDACTED]" || gen["gen_ai.response.output"] != "mail me at [EMAIL]" || gen["gen_ai.response.model"] != "test" {
		t.Errorf("generation %v", gen)
	}
	h := named(spans, "helper")[0].Attrs
	if h["agentmark.request.input"] != "[REDACTED]" || h["gen_ai.request.input"] != "[REDACTED]" ||
		h["agentmark.response.output"] != "out [SSN]" || h["agentmark.metadata.contact"] != "[EMAIL]" {
		t.Errorf("helper %v", h)
	}
	if len(named(spans, "dropped")) != 0 || len(named(spans, "after")) != 1 {
		t.Errorf("fail-closed: dropped %d after %d", len(named(spans, "dropped")), len(named(spans, "after")))
	}
	if !strings.Contains(log.String(), "Masking error — span dropped") {
		t.Errorf("log %q", log.String())
	}
	for _, b := range rc.allBodies() {
		if bytes.Contains(b, []byte("user@example.com")) || bytes.Contains(b, []byte("123-45-6789")) {
			t.Error("PII left the process")
		}
	}
}
