package normalize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/span"
)

// vectorsDir finds ../shared/conformance/vectors next to the module root
// (or $AGENTMARK_CONFORMANCE_DIR).
func vectorsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("AGENTMARK_CONFORMANCE_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance", "vectors")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func loadVector(t *testing.T, name string, v any) {
	t.Helper()
	dir := vectorsDir(t)
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Skipf("conformance vector %s not available: %v", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func norm(scope string, name string, a map[string]any) span.Span {
	var n Normalizer
	return n.Normalize(map[string]any{"service.name": "agentmark-client"}, Scope{Name: scope},
		Raw{TraceID: "0123456789abcdef0123456789abcdef", SpanID: "0123456789abcdef", Name: name, Kind: 1, Attributes: a})
}

// grouping-attributes.json: the attributes a grouping produces are
// promoted to session / user / trace name / tags / metadata for ANY scope.
func TestConformanceGroupingAttributes(t *testing.T) {
	var vec struct {
		Cases []struct {
			Name  string `json:"name"`
			Input struct {
				SessionID   *string        `json:"sessionId"`
				SessionName *string        `json:"sessionName"`
				UserID      *string        `json:"userId"`
				TraceName   *string        `json:"traceName"`
				Tags        []string       `json:"tags"`
				Metadata    map[string]any `json:"metadata"`
			} `json:"input"`
			Expected map[string]string `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "grouping-attributes.json", &vec)
	if len(vec.Cases) == 0 {
		t.Fatal("no cases")
	}
	scopes := []string{"agentmark", "ai", "pydantic-ai", "default-tracer", "my.scope", "openinference.instrumentation"}
	for _, c := range vec.Cases {
		for _, scope := range scopes {
			a := map[string]any{}
			for k, v := range c.Expected {
				a[k] = v
			}
			if scope == "openinference.instrumentation" {
				a["openinference.span.kind"] = "CHAIN"
			}
			s := norm(scope, "work", a)
			str := func(p *string) string {
				if p == nil {
					return ""
				}
				return *p
			}
			what := c.Name + " [" + scope + "]"
			if s.SessionID != str(c.Input.SessionID) || s.SessionName != str(c.Input.SessionName) ||
				s.UserID != str(c.Input.UserID) || s.TraceName != str(c.Input.TraceName) {
				t.Errorf("%s: grouping = %q %q %q %q", what, s.SessionID, s.SessionName, s.UserID, s.TraceName)
			}
			if !reflect.DeepEqual(s.Tags, nilIfEmpty(c.Input.Tags)) {
				t.Errorf("%s: tags = %#v, want %#v", what, s.Tags, c.Input.Tags)
			}
			// Metadata: every non-null input value, String()-ed, compact JSON
			// for objects — i.e. exactly the expected agentmark.metadata.*.
			want := map[string]string{}
			for k, v := range c.Input.Metadata {
				if v == nil {
					continue
				}
				want[k] = c.Expected["agentmark.metadata."+k]
				if _, isStr := v.(string); isStr && want[k] != v {
					t.Errorf("%s: vector metadata %s = %q, input %v", what, k, want[k], v)
				}
			}
			if len(want) == 0 {
				want = nil
			}
			if !reflect.DeepEqual(s.Metadata, want) {
				t.Errorf("%s: metadata = %#v, want %#v", what, s.Metadata, want)
			}
		}
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// span-io.json: the WebhookRunner prompt span (scope agentmark) as the
// runner records it normalizes to the expected input / output / model /
// usage / classification.
func TestConformanceSpanIO(t *testing.T) {
	var vec struct {
		Cases []struct {
			Name         string `json:"name"`
			Kind         string `json:"kind"`
			ShouldStream bool   `json:"shouldStream"`
			Messages     []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
			Events []struct {
				Type    string          `json:"type"`
				Text    string          `json:"text"`
				Value   json.RawMessage `json:"value"`
				Error   string          `json:"error"`
				Reason  string          `json:"reason"`
				Usage   *struct{ InputTokens, OutputTokens int64 }
				Partial json.RawMessage `json:"partial"`
			} `json:"events"`
			Expected struct {
				Input  json.RawMessage `json:"input"`
				Output json.RawMessage `json:"output"`
				Model  string          `json:"model"`
				Usage  *struct {
					Input  int64 `json:"input"`
					Output int64 `json:"output"`
				} `json:"usage"`
				Classification struct {
					OperationName string `json:"operationName"`
					SpanKind      string `json:"spanKind"`
				} `json:"classification"`
			} `json:"expected"`
			Throws bool `json:"throws"`
		} `json:"cases"`
	}
	loadVector(t, "span-io.json", &vec)
	if len(vec.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range vec.Cases {
		// Emulate the runner: the attributes it records on the prompt span.
		msgs, _ := json.Marshal(c.Messages)
		a := map[string]any{
			"gen_ai.request.model":  c.Expected.Model,
			"gen_ai.operation.name": c.Expected.Classification.OperationName,
			"agentmark.span.kind":   c.Expected.Classification.SpanKind,
			"agentmark.input":       string(msgs),
			"agentmark.props":       `{}`,
		}
		var text strings.Builder
		var object json.RawMessage
		failed := false
		for _, e := range c.Events {
			switch e.Type {
			case "text-delta":
				text.WriteString(e.Text)
			case "object-final":
				object = e.Value
			case "finish":
				if e.Usage != nil {
					a["gen_ai.usage.input_tokens"] = e.Usage.InputTokens
					a["gen_ai.usage.output_tokens"] = e.Usage.OutputTokens
				}
			case "error":
				failed = true
			}
		}
		status := "1"
		if failed {
			status = "2"
		}
		// Non-streaming errors record no output; streaming records the
		// partial output.
		if !failed || c.ShouldStream {
			if object != nil {
				a["agentmark.output"] = string(object)
			} else {
				a["agentmark.output"] = text.String()
			}
		}
		var n Normalizer
		s := n.Normalize(nil, Scope{Name: "agentmark"}, Raw{TraceID: "t", SpanID: "s", Name: "prompt", StatusCode: status, Attributes: a})

		if s.Type != span.TypeGeneration || s.SemanticKind != c.Expected.Classification.SpanKind {
			t.Errorf("%s: type %s kind %s", c.Name, s.Type, s.SemanticKind)
		}
		if s.Model != c.Expected.Model {
			t.Errorf("%s: model %q", c.Name, s.Model)
		}
		if !jsonSame(s.Input, c.Expected.Input) {
			t.Errorf("%s: input %s, want %s", c.Name, s.Input, c.Expected.Input)
		}
		var wantOut any
		_ = json.Unmarshal(c.Expected.Output, &wantOut)
		switch w := wantOut.(type) {
		case nil:
			if s.Output != "" || s.OutputObject != nil {
				t.Errorf("%s: output %q / %s, want absent", c.Name, s.Output, s.OutputObject)
			}
		case string:
			if s.Output != w {
				t.Errorf("%s: output %q, want %q", c.Name, s.Output, w)
			}
		default:
			if !jsonSame(json.RawMessage(s.Output), c.Expected.Output) || !jsonSame(s.OutputObject, c.Expected.Output) {
				t.Errorf("%s: output %q / %s, want %s", c.Name, s.Output, s.OutputObject, c.Expected.Output)
			}
		}
		if u := c.Expected.Usage; u == nil {
			if s.InputTokens != 0 || s.OutputTokens != 0 || s.TotalTokens != 0 {
				t.Errorf("%s: usage %d/%d, want absent", c.Name, s.InputTokens, s.OutputTokens)
			}
		} else if s.InputTokens != u.Input || s.OutputTokens != u.Output || s.TotalTokens != u.Input+u.Output {
			t.Errorf("%s: usage %d/%d/%d", c.Name, s.InputTokens, s.OutputTokens, s.TotalTokens)
		}
		if c.Throws != (s.IsError() && !c.ShouldStream) {
			t.Errorf("%s: status %s (throws %v)", c.Name, s.StatusCode, c.Throws)
		}
	}
}

func jsonSame(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// finalize-usage.json.
func TestConformanceFinalizeUsage(t *testing.T) {
	var vec struct {
		Cases []struct {
			Name     string `json:"name"`
			Input    Usage  `json:"input"`
			Expected *Usage `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "finalize-usage.json", &vec)
	if len(vec.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range vec.Cases {
		got := FinalizeUsage(c.Input)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(c.Expected)
		if string(gb) != string(wb) {
			t.Errorf("%s: got %s, want %s", c.Name, gb, wb)
		}
	}
}

// normalize-error.json.
func TestConformanceNormalizeError(t *testing.T) {
	var vec struct {
		Cases []struct {
			Name     string `json:"name"`
			Input    any    `json:"input"`
			Expected string `json:"expected"`
		} `json:"cases"`
	}
	loadVector(t, "normalize-error.json", &vec)
	if len(vec.Cases) == 0 {
		t.Fatal("no cases")
	}
	names := make([]string, 0, len(vec.Cases))
	for _, c := range vec.Cases {
		names = append(names, c.Name)
		if got := ErrorMessage(c.Input); got != c.Expected {
			t.Errorf("%s: got %q, want %q", c.Name, got, c.Expected)
		}
	}
	sort.Strings(names)
	t.Logf("%d cases: %v", len(names), names)
}
