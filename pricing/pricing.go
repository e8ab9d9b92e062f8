// Package pricing prices LLM calls: an embedded, versioned price table
// derived from the AgentMark model registry (models.json + its overrides,
// USD per token), loose model-name resolution, and custom prices from
// agentmark.json modelSchemas.
//
// prices.json is derived, not edited: regenerate it with
//
//	AGENTMARK_MODELS_JSON=/path/to/models.json AGENTMARK_MODEL_OVERRIDES_JSON=/path/to/model-overrides.json go generate ./pricing
//
// Cost follows the documented AgentMark formula
// (input_tokens × input_price + output_tokens × output_price): cached
// input tokens are part of the input count and reasoning tokens part of the
// output count, so each token is priced exactly once and costs agree with
// what the platform computes at ingest. CacheAwareCost additionally prices
// cached input tokens at the model's cache-read rate where one is known.
//
// An unknown model is never priced at $0: Lookup and Cost report ok=false
// so callers can flag the call as unpriced.
package pricing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/agentmark-go/agentmark/llm"
)

//go:generate go run gen.go prices.json

//go:embed prices.json
var pricesJSON []byte

// Price is a model's price in USD per token. CacheRead and CacheWrite are
// zero when the registry has no separate rate. There is no separate
// reasoning rate in the registry: reasoning tokens are output tokens.
type Price struct {
	Input      float64
	Output     float64
	CacheRead  float64
	CacheWrite float64
}

// Cost is the documented AgentMark cost of u at this price:
// InputTokens×Input + OutputTokens×Output (USD).
func (p Price) Cost(u llm.Usage) float64 {
	return float64(u.InputTokens)*p.Input + float64(u.OutputTokens)*p.Output
}

// CacheAwareCost is like Cost but prices the cached part of the input
// (u.CachedInputTokens, which is included in u.InputTokens) at the
// cache-read rate when the model has one. Tokens are never counted twice.
func (p Price) CacheAwareCost(u llm.Usage) float64 {
	cached := min(max(u.CachedInputTokens, 0), max(u.InputTokens, 0))
	if p.CacheRead == 0 || cached == 0 {
		return p.Cost(u)
	}
	return float64(u.InputTokens-cached)*p.Input + float64(cached)*p.CacheRead + float64(u.OutputTokens)*p.Output
}

// CustomCost is agentmark.json modelSchemas.<id>.cost: USD per UnitScale
// tokens (UnitScale 1000 = per 1K tokens, 1000000 = per 1M tokens).
type CustomCost struct {
	InputCost  float64 `json:"inputCost"`
	OutputCost float64 `json:"outputCost"`
	UnitScale  float64 `json:"unitScale"`
}

// Price converts c to a per-token price. A missing or non-positive
// UnitScale counts as 1 (the costs are per token).
func (c CustomCost) Price() Price {
	scale := c.UnitScale
	if scale <= 0 {
		scale = 1
	}
	return Price{Input: c.InputCost / scale, Output: c.OutputCost / scale}
}

// ParseModelSchemas reads the custom costs out of an agentmark.json
// "modelSchemas" object ({"<id>": {"label", "cost": {...}, "settings"}}).
// Entries without a cost are skipped.
func ParseModelSchemas(data []byte) (map[string]CustomCost, error) {
	var schemas map[string]struct {
		Cost *CustomCost `json:"cost"`
	}
	if err := json.Unmarshal(data, &schemas); err != nil {
		return nil, fmt.Errorf("modelSchemas: %w", err)
	}
	out := map[string]CustomCost{}
	for id, s := range schemas {
		if s.Cost != nil {
			out[id] = *s.Cost
		}
	}
	return out, nil
}

// Table is a price map with AgentMark's layered model-name resolution.
// It is safe for concurrent use.
type Table struct {
	prices  map[string]Price
	lower   map[string]string // lower-cased key -> key (smallest key wins)
	byLen   []string          // keys of length >= 4, longest first
	version string
	date    string
	custom  int

	mu   sync.Mutex
	memo map[string]memoEntry
}

type memoEntry struct {
	key string
	ok  bool
}

// memoLimit bounds the per-table resolution cache.
const memoLimit = 5000

type embedded struct {
	Source      string               `json:"source"`
	Version     string               `json:"version"`
	GeneratedAt string               `json:"generatedAt"`
	Prices      map[string][]float64 `json:"prices"`
}

var (
	defaultOnce  sync.Once
	defaultTable *Table
)

// Default returns the table built from the embedded registry snapshot.
// It is shared; derive custom tables with WithCustom.
func Default() *Table {
	defaultOnce.Do(func() {
		var e embedded
		if err := json.Unmarshal(pricesJSON, &e); err != nil {
			panic("pricing: embedded prices.json: " + err.Error())
		}
		prices := make(map[string]Price, len(e.Prices))
		for id, row := range e.Prices {
			var p Price
			for i, v := range row {
				switch i {
				case 0:
					p.Input = v
				case 1:
					p.Output = v
				case 2:
					p.CacheRead = v
				case 3:
					p.CacheWrite = v
				}
			}
			prices[id] = p
		}
		defaultTable = New(prices)
		defaultTable.version = e.Version
		defaultTable.date = e.GeneratedAt
	})
	return defaultTable
}

// New builds a table from a price map (model id -> per-token price).
func New(prices map[string]Price) *Table {
	t := &Table{prices: make(map[string]Price, len(prices)), memo: map[string]memoEntry{}}
	for id, p := range prices {
		t.prices[id] = p
	}
	t.index()
	return t
}

func (t *Table) index() {
	t.lower = make(map[string]string, len(t.prices))
	t.byLen = t.byLen[:0]
	for id := range t.prices {
		l := strings.ToLower(id)
		if prev, ok := t.lower[l]; !ok || id < prev {
			t.lower[l] = id
		}
		if len(id) >= 4 {
			t.byLen = append(t.byLen, id)
		}
	}
	sort.Slice(t.byLen, func(i, j int) bool {
		a, b := t.byLen[i], t.byLen[j]
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return a < b
	})
}

// WithCustom returns a copy of t with custom prices (agentmark.json
// modelSchemas costs) merged over it; custom ids take part in the same
// layered resolution as registry ids.
func (t *Table) WithCustom(custom map[string]CustomCost) *Table {
	prices := make(map[string]Price, len(t.prices)+len(custom))
	for id, p := range t.prices {
		prices[id] = p
	}
	for id, c := range custom {
		prices[id] = c.Price()
	}
	n := New(prices)
	n.version, n.date, n.custom = t.version, t.date, t.custom+len(custom)
	return n
}

// Version describes the table's source: the registry version and its
// generation date, plus the number of custom prices merged in, e.g.
// "model-registry 1.0.0 (2026-07-02T01:09:44.848Z)".
func (t *Table) Version() string {
	v := "model-registry " + t.version
	if t.version == "" {
		v = "custom"
	}
	if t.date != "" {
		v += " (" + t.date + ")"
	}
	if t.custom > 0 && t.version != "" {
		v += fmt.Sprintf(" + %d custom", t.custom)
	}
	return v
}

// Len is the number of priced model ids.
func (t *Table) Len() int { return len(t.prices) }

// Lookup resolves model to a price (see Resolve).
func (t *Table) Lookup(model string) (Price, bool) {
	key, ok := t.Resolve(model)
	if !ok {
		return Price{}, false
	}
	return t.prices[key], true
}

// Cost prices one call's usage with the documented formula (Price.Cost).
// ok is false when the model has no known price: the call is unpriced, not
// free.
func (t *Table) Cost(model string, u llm.Usage) (usd float64, ok bool) {
	p, ok := t.Lookup(model)
	if !ok {
		return 0, false
	}
	return p.Cost(u), true
}

// CacheAwareCost is Cost with cached input priced at the cache-read rate
// (Price.CacheAwareCost).
func (t *Table) CacheAwareCost(model string, u llm.Usage) (usd float64, ok bool) {
	p, ok := t.Lookup(model)
	if !ok {
		return 0, false
	}
	return p.CacheAwareCost(u), true
}

var (
	regionPrefix    = regexp.MustCompile(`^(us|eu|ap|apac|jp|au|ca|sa|us-gov|global)\.`)
	versionSuffixes = []*regexp.Regexp{
		regexp.MustCompile(`-\d{4}-\d{2}-\d{2}$`),
		regexp.MustCompile(`-\d{8}$`),
		regexp.MustCompile(`@\d{8}$`),
		regexp.MustCompile(`@\d{3}$`),
		regexp.MustCompile(`-latest$`),
	}
)

// Resolve maps a model name to the table key that prices it:
//
//  1. the exact key;
//  2. candidates, breadth first from the trimmed name and deduplicated:
//     "ft:<base>:..." gives "ft:<base>" and "<base>"; the text after the
//     last "/" ("openai/gpt-4o", "models/gemini-2.5-pro"); the name without
//     a region prefix ("us.", "eu.", "apac.", "global.", ...); the name
//     without a version suffix ("-2024-08-06", "-20240806", "@20240806",
//     "@001", "-latest"). Each candidate is tried exactly, then
//     case-insensitively;
//  3. the longest key (at least 4 characters) that a candidate starts
//     with, followed by one of "-:@./_" ("gpt-4o-mini-2099-01-01" ->
//     "gpt-4o-mini").
//
// Results are memoized per table.
func (t *Table) Resolve(model string) (string, bool) {
	if _, ok := t.prices[model]; ok {
		return model, true
	}
	t.mu.Lock()
	e, hit := t.memo[model]
	t.mu.Unlock()
	if hit {
		return e.key, e.ok
	}
	key, ok := t.resolve(model)
	t.mu.Lock()
	if len(t.memo) >= memoLimit {
		clear(t.memo)
	}
	t.memo[model] = memoEntry{key, ok}
	t.mu.Unlock()
	return key, ok
}

func (t *Table) resolve(model string) (string, bool) {
	cands := Candidates(model)
	for _, c := range cands {
		if _, ok := t.prices[c]; ok {
			return c, true
		}
		if k, ok := t.lower[strings.ToLower(c)]; ok {
			return k, true
		}
	}
	for _, k := range t.byLen {
		for _, c := range cands {
			if len(c) > len(k) && strings.HasPrefix(c, k) && strings.IndexByte("-:@./_", c[len(k)]) >= 0 {
				return k, true
			}
		}
	}
	return "", false
}

// Candidates lists the names tried for model, in order (step 2 of
// Resolve).
func Candidates(model string) []string {
	first := strings.TrimSpace(model)
	if first == "" {
		return nil
	}
	seen := map[string]bool{first: true}
	out := []string{first}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := 0; i < len(out); i++ {
		id := out[i]
		if rest, ok := strings.CutPrefix(id, "ft:"); ok {
			base, _, _ := strings.Cut(rest, ":")
			if base != "" {
				add("ft:" + base)
				add(base)
			}
		}
		if j := strings.LastIndexByte(id, '/'); j >= 0 {
			add(id[j+1:])
		}
		if loc := regionPrefix.FindStringIndex(id); loc != nil {
			add(id[loc[1]:])
		}
		for _, re := range versionSuffixes {
			if loc := re.FindStringIndex(id); loc != nil {
				add(id[:loc[0]])
			}
		}
	}
	return out
}
