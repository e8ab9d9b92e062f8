package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/ingest/normalize"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/span"
)

// testPricer prices a few models per token (like the registry's gpt-4o
// 2.5e-6 / 1e-5).
type testPricer map[string][2]float64

func (p testPricer) Cost(model string, u llm.Usage) (float64, bool) {
	pr, ok := p[model]
	if !ok {
		return 0, false
	}
	return pr[0]*float64(u.InputTokens) + pr[1]*float64(u.OutputTokens), true
}

var pricer = testPricer{
	"gpt-4o":      {2.5e-6, 1e-5},
	"gpt-4o-mini": {1.5e-7, 6e-7},
}

// loadFile decodes and normalizes a recorded testdata body.
func loadFile(t *testing.T, name string) Result {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	ct, ce := "application/json", ""
	base := strings.TrimSuffix(name, ".gz")
	if base != name {
		ce = "gzip"
	}
	if strings.HasSuffix(base, ".pb") {
		ct = "application/x-protobuf"
	}
	res, err := Process(body, ct, ce, &normalize.Normalizer{Pricer: pricer})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(res.Rejected) > 0 {
		t.Fatalf("%s: rejected %+v", name, res.Rejected)
	}
	return res
}

// named returns the spans with the given name, in order.
func named(spans []span.Span, name string) []span.Span {
	var out []span.Span
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func one1(t *testing.T, spans []span.Span, name string) span.Span {
	t.Helper()
	got := named(spans, name)
	if len(got) != 1 {
		t.Fatalf("want 1 span %q, got %d", name, len(got))
	}
	return got[0]
}

// jsonEq compares a JSON document with a Go value by meaning.
func jsonEq(t *testing.T, what string, got json.RawMessage, want any) {
	t.Helper()
	var g any
	if len(got) > 0 {
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: bad JSON %s: %v", what, got, err)
		}
	}
	wb, _ := json.Marshal(want)
	var w any
	_ = json.Unmarshal(wb, &w)
	gb, _ := json.Marshal(g)
	wb, _ = json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestDumpTestdata(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip("set DUMP=<file> to print normalized spans")
	}
	res := loadFile(t, os.Getenv("DUMP"))
	for _, s := range res.Spans {
		s.ResourceAttributes, s.SpanAttributes = nil, nil
		b, _ := json.MarshalIndent(s, "", "  ")
		t.Logf("%s", b)
	}
}
