package pricing_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/pricing"
)

func near(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func TestDefaultTableVersion(t *testing.T) {
	tb := pricing.Default()
	if got, want := tb.Version(), "model-registry 1.0.0 (2026-07-02T01:09:44.848Z)"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	if tb.Len() != 1407 {
		t.Errorf("Len() = %d, want 1407 priced models", tb.Len())
	}
	if pricing.Default() != tb {
		t.Error("Default() should return the shared table")
	}
}

func TestLookupDefault(t *testing.T) {
	tb := pricing.Default()
	cases := []struct {
		model string
		key   string // "" = unpriced
		price pricing.Price
	}{
		{"gpt-4o", "gpt-4o", pricing.Price{Input: 2.5e-6, Output: 1e-5, CacheRead: 1.25e-6}},
		{"openai/gpt-4o", "gpt-4o", pricing.Price{Input: 2.5e-6, Output: 1e-5, CacheRead: 1.25e-6}},
		{"  gpt-4o ", "gpt-4o", pricing.Price{Input: 2.5e-6, Output: 1e-5, CacheRead: 1.25e-6}},
		{"GPT-4O", "gpt-4o", pricing.Price{Input: 2.5e-6, Output: 1e-5, CacheRead: 1.25e-6}},
		{"gpt-4o-2024-08-06", "gpt-4o-2024-08-06", pricing.Price{Input: 2.5e-6, Output: 1e-5, CacheRead: 1.25e-6}},
		{"gpt-4o-mini-2099-01-01", "gpt-4o-mini", pricing.Price{Input: 1.5e-7, Output: 6e-7, CacheRead: 7.5e-8}},
		{"models/gemini-2.5-pro", "gemini-2.5-pro", pricing.Price{Input: 1.25e-6, Output: 1e-5, CacheRead: 1.25e-7}},
		{"gemini-2.5-pro-latest", "gemini-2.5-pro", pricing.Price{Input: 1.25e-6, Output: 1e-5, CacheRead: 1.25e-7}},
		{"claude-sonnet-4-20250514", "claude-sonnet-4-20250514", pricing.Price{Input: 3e-6, Output: 1.5e-5, CacheRead: 3e-7, CacheWrite: 3.75e-6}},
		{"anthropic/claude-sonnet-4-20250514", "claude-sonnet-4-20250514", pricing.Price{Input: 3e-6, Output: 1.5e-5, CacheRead: 3e-7, CacheWrite: 3.75e-6}},
		{"ft:gpt-4o-mini-2024-07-18:acme::abc123", "ft:gpt-4o-mini-2024-07-18", pricing.Price{Input: 3e-7, Output: 1.2e-6, CacheRead: 1.5e-7}},
		// model-overrides.json adds a price the registry lacks.
		{"anthropic.claude-opus-4-8", "anthropic.claude-opus-4-8", pricing.Price{Input: 5e-6, Output: 2.5e-5, CacheRead: 5e-7, CacheWrite: 6.25e-6}},
		// Overrides without pricing (ollama) stay unpriced.
		{"llama3.1", "", pricing.Price{}},
		{"my-own-model", "", pricing.Price{}},
		{"", "", pricing.Price{}},
	}
	for _, c := range cases {
		key, ok := tb.Resolve(c.model)
		if ok != (c.key != "") || key != c.key {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.model, key, ok, c.key)
			continue
		}
		p, ok := tb.Lookup(c.model)
		if ok != (c.key != "") || p != c.price {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", c.model, p, ok, c.price)
		}
	}
}

func TestCandidates(t *testing.T) {
	cases := map[string][]string{
		"gpt-4o":                          {"gpt-4o"},
		"openai/gpt-4o-2024-08-06":        {"openai/gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "openai/gpt-4o", "gpt-4o"},
		"ft:gpt-4o:org:name:id":           {"ft:gpt-4o:org:name:id", "ft:gpt-4o", "gpt-4o"},
		"us.anthropic.claude-x-20240101":  {"us.anthropic.claude-x-20240101", "anthropic.claude-x-20240101", "us.anthropic.claude-x", "anthropic.claude-x"},
		"us-gov.model":                    {"us-gov.model", "model"},
		"accounts/fireworks/models/llama": {"accounts/fireworks/models/llama", "llama"},
		"text-bison@001":                  {"text-bison@001", "text-bison"},
		"claude-3-opus@20240229":          {"claude-3-opus@20240229", "claude-3-opus"},
		"gemini-pro-latest":               {"gemini-pro-latest", "gemini-pro"},
		" ":                               nil,
	}
	for in, want := range cases {
		if got := pricing.Candidates(in); !slices.Equal(got, want) {
			t.Errorf("Candidates(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveLayers(t *testing.T) {
	tb := pricing.New(map[string]pricing.Price{
		"base":         {Input: 1, Output: 1},
		"base-mini":    {Input: 2, Output: 2},
		"Mixed-Case":   {Input: 3, Output: 3},
		"abc":          {Input: 4, Output: 4}, // too short for the prefix fallback
		"vendor/model": {Input: 5, Output: 5},
	})
	cases := map[string]string{
		"base":                 "base",
		"base-mini-2099-01-01": "base-mini", // version suffix, then exact
		"base-mini-v2":         "base-mini", // longest boundary prefix
		"base.v2":              "base",
		"base_v2":              "base",
		"base:free":            "base",
		"base@x":               "base",
		"based":                "", // no boundary after the prefix
		"mixed-case":           "Mixed-Case",
		"MIXED-CASE-20240101":  "Mixed-Case",
		"mixed-case-x":         "", // the prefix fallback is case-sensitive
		"abc-1":                "",
		"abc/def":              "", // "def" is not a key, "abc" too short
		"vendor/model":         "vendor/model",
		"x/vendor/model":       "", // only the text after the last "/" is tried
	}
	for in, want := range cases {
		got, ok := tb.Resolve(in)
		if got != want || ok != (want != "") {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, ok, want)
		}
		// Memoized answers agree.
		if again, _ := tb.Resolve(in); again != got {
			t.Errorf("memoized Resolve(%q) = %q, want %q", in, again, got)
		}
	}
}

func TestCost(t *testing.T) {
	tb := pricing.Default()
	cases := []struct {
		model string
		u     llm.Usage
		want  float64
		cache float64 // CacheAwareCost
	}{
		// 1000×2.5e-6 + 500×1e-5
		{"gpt-4o", llm.Usage{InputTokens: 1000, OutputTokens: 500}, 0.0075, 0.0075},
		// cached tokens are part of the input count: priced once
		{"openai/gpt-4o", llm.Usage{InputTokens: 1000, OutputTokens: 500, CachedInputTokens: 400}, 0.0075, 600*2.5e-6 + 400*1.25e-6 + 500*1e-5},
		// reasoning tokens are output tokens
		{"o3", llm.Usage{InputTokens: 100, OutputTokens: 2000, ReasoningTokens: 1500}, 100*2e-6 + 2000*8e-6, 100*2e-6 + 2000*8e-6},
		{"claude-sonnet-4-20250514", llm.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}, 18, 18},
		{"claude-sonnet-4-20250514", llm.Usage{InputTokens: 10_000, OutputTokens: 0, CachedInputTokens: 8_000}, 0.03, 2000*3e-6 + 8000*3e-7},
		{"gemini-2.0-flash", llm.Usage{InputTokens: 12345, OutputTokens: 678}, 12345*1e-7 + 678*4e-7, 12345*1e-7 + 678*4e-7},
		{"gpt-4o", llm.Usage{}, 0, 0},
	}
	for _, c := range cases {
		got, ok := tb.Cost(c.model, c.u)
		if !ok || !near(got, c.want) {
			t.Errorf("Cost(%q, %+v) = %v, %v; want %v", c.model, c.u, got, ok, c.want)
		}
		got, ok = tb.CacheAwareCost(c.model, c.u)
		if !ok || !near(got, c.cache) {
			t.Errorf("CacheAwareCost(%q, %+v) = %v, %v; want %v", c.model, c.u, got, ok, c.cache)
		}
	}
	if got, ok := tb.Cost("llama3.1", llm.Usage{InputTokens: 10, OutputTokens: 10}); ok || got != 0 {
		t.Errorf("unknown model: Cost = %v, %v; want 0, false (unpriced)", got, ok)
	}
	// No cache-read rate: the cache-aware cost falls back to the input rate.
	p := pricing.Price{Input: 1e-6, Output: 2e-6}
	if got := p.CacheAwareCost(llm.Usage{InputTokens: 10, OutputTokens: 5, CachedInputTokens: 8}); !near(got, 2e-5) {
		t.Errorf("CacheAwareCost without cache rate = %v", got)
	}
	// Cached > input (bad provider data) never prices negative input.
	p.CacheRead = 5e-7
	if got := p.CacheAwareCost(llm.Usage{InputTokens: 10, CachedInputTokens: 20}); !near(got, 5e-6) {
		t.Errorf("CacheAwareCost clamps cached tokens: %v", got)
	}
}

func TestCustom(t *testing.T) {
	schemas, err := pricing.ParseModelSchemas([]byte(`{
		"my-fine-tuned-model": {"label": "Mine", "cost": {"inputCost": 0.005, "outputCost": 0.015, "unitScale": 1000}},
		"per-million": {"cost": {"inputCost": 0.01, "outputCost": 0.03, "unitScale": 1000000}},
		"gpt-4o": {"cost": {"inputCost": 1, "outputCost": 2, "unitScale": 1000000}},
		"per-token": {"cost": {"inputCost": 0.04, "outputCost": 0}},
		"no-cost": {"label": "settings only", "settings": {}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(schemas) != 4 {
		t.Fatalf("ParseModelSchemas kept %d entries, want 4 (entries without cost skipped)", len(schemas))
	}
	base := pricing.Default()
	tb := base.WithCustom(schemas)
	if got, want := tb.Version(), "model-registry 1.0.0 (2026-07-02T01:09:44.848Z) + 4 custom"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	cases := []struct {
		model string
		u     llm.Usage
		want  float64
	}{
		// (0.005×1000 + 0.015×2000)/1000
		{"my-fine-tuned-model", llm.Usage{InputTokens: 1000, OutputTokens: 2000}, 0.035},
		// custom ids use the same layered resolution
		{"acme/my-fine-tuned-model-2025-01-01", llm.Usage{InputTokens: 1000, OutputTokens: 2000}, 0.035},
		{"per-million", llm.Usage{InputTokens: 1_000_000, OutputTokens: 2_000_000}, 0.07},
		// custom prices win over the registry
		{"gpt-4o", llm.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}, 3},
		// missing unitScale: cost per token
		{"per-token", llm.Usage{InputTokens: 3, OutputTokens: 7}, 0.12},
		// registry models still priced
		{"gpt-4o-mini", llm.Usage{InputTokens: 1_000_000}, 0.15},
	}
	for _, c := range cases {
		got, ok := tb.Cost(c.model, c.u)
		if !ok || !near(got, c.want) {
			t.Errorf("custom Cost(%q) = %v, %v; want %v", c.model, got, ok, c.want)
		}
	}
	if _, ok := tb.Lookup("no-cost"); ok {
		t.Error("a model schema without cost must stay unpriced")
	}
	// The base table is unchanged.
	if got, _ := base.Cost("gpt-4o", llm.Usage{InputTokens: 1_000_000}); !near(got, 2.5) {
		t.Errorf("WithCustom modified the default table: gpt-4o = %v", got)
	}
	if _, err := pricing.ParseModelSchemas([]byte(`[1]`)); err == nil || !strings.Contains(err.Error(), "modelSchemas") {
		t.Errorf("ParseModelSchemas([1]) error = %v", err)
	}
	if v := pricing.New(nil).Version(); v != "custom" {
		t.Errorf("New(nil).Version() = %q", v)
	}
}

func TestConcurrentResolve(t *testing.T) {
	tb := pricing.Default().WithCustom(nil)
	done := make(chan bool)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 200; j++ {
				tb.Lookup("openai/gpt-4o-2024-08-06")
				tb.Lookup("unknown-model-x")
			}
			done <- true
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}

func BenchmarkLookupMiss(b *testing.B) {
	tb := pricing.Default()
	for i := 0; i < b.N; i++ {
		tb.Lookup("unknown-model-x")
	}
}
