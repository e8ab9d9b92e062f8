// Package eval scores experiment outputs: Go eval functions registered by
// name, built-in declarative evaluators usable from test_settings.evals
// without code, score configs from agentmark.json, the run-level gates
// (pass rate, regressions against a baseline, per-scorer thresholds) and
// the JUnit report (cli-eval-deploy §E).
package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Params are the inputs of an eval.
type Params struct {
	// Input is the dataset row's input (the prompt's props), decoded with
	// encoding/json conventions (map[string]any, []any, float64, ...).
	// Upstream's runner passes the formatted messages here; they are in
	// Messages.
	Input any
	// Messages are the formatted prompt messages ([{role, content}]).
	Messages any
	// Output is the model's answer: a string for text prompts, the decoded
	// object for object prompts.
	Output any
	// ExpectedOutput is the row's expected_output (nil when absent).
	ExpectedOutput any
	// Metadata is the row's metadata (nil when absent).
	Metadata any
	// Args are the parameters of the test_settings.evals entry
	// ({name: x, ...args}); empty for a bare name.
	Args map[string]any
}

// Result is an eval's verdict. Every field is optional: Passed (when set)
// counts toward the pass rate, Score feeds score thresholds and
// regressions.
type Result struct {
	Score  *float64 `json:"score,omitempty"`
	Passed *bool    `json:"passed,omitempty"`
	Label  string   `json:"label,omitempty"`
	Reason string   `json:"reason,omitempty"`
	// DataType is the score config type ("boolean", "numeric",
	// "categorical") when agentmark.json has a config of that name.
	DataType string `json:"dataType,omitempty"`
	// Extra keys pass through to the wire.
	Extra map[string]any `json:"-"`
}

// Func is an eval function.
type Func func(ctx context.Context, p Params) (Result, error)

// Float returns &f (for Result.Score).
func Float(f float64) *float64 { return &f }

// Bool returns &b (for Result.Passed).
func Bool(b bool) *bool { return &b }

// PassFail is a boolean verdict: score 1 or 0, with a reason.
func PassFail(ok bool, reason string) Result {
	s := 0.0
	if ok {
		s = 1
	}
	return Result{Score: &s, Passed: &ok, Reason: reason}
}

// Named is a Result with its eval's name (the wire's {name, ...result}).
type Named struct {
	Name string
	Result
}

// MarshalJSON writes {"name", "score"?, "passed"?, "label"?, "reason"?, extras...}.
func (n Named) MarshalJSON() ([]byte, error) {
	o := jsvalue.NewObject()
	o.Set("name", n.Name)
	if n.Score != nil {
		o.Set("score", *n.Score)
	}
	if n.Passed != nil {
		o.Set("passed", *n.Passed)
	}
	if n.Label != "" {
		o.Set("label", n.Label)
	}
	if n.Reason != "" {
		o.Set("reason", n.Reason)
	}
	if n.DataType != "" {
		o.Set("dataType", n.DataType)
	}
	keys := make([]string, 0, len(n.Extra))
	for k := range n.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !o.Has(k) {
			o.Set(k, jsvalue.FromGo(n.Extra[k]))
		}
	}
	s, _ := jsvalue.Stringify(o)
	return []byte(s), nil
}

// UnmarshalJSON reads a wire eval object; unknown keys go to Extra.
func (n *Named) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*n = Named{}
	for k, v := range m {
		switch k {
		case "name":
			n.Name, _ = v.(string)
		case "score":
			if f, ok := v.(float64); ok {
				n.Score = &f
			}
		case "passed":
			if b, ok := v.(bool); ok {
				n.Passed = &b
			}
		case "label":
			n.Label, _ = v.(string)
		case "reason":
			n.Reason, _ = v.(string)
		case "dataType":
			n.DataType, _ = v.(string)
		default:
			if n.Extra == nil {
				n.Extra = map[string]any{}
			}
			n.Extra[k] = v
		}
	}
	return nil
}

// Spec is one entry of test_settings.evals: a name, or {name, ...args}.
type Spec struct {
	Name string
	Args map[string]any
}

// ParseSpecs reads test_settings.evals (nil/undefined: none). Entries that
// are neither a string nor an object with a string name are errors.
func ParseSpecs(v jsvalue.Value) ([]Spec, error) {
	if v == nil || jsvalue.IsUndefined(v) {
		return nil, nil
	}
	arr, ok := v.([]jsvalue.Value)
	if !ok {
		return nil, fmt.Errorf("test_settings.evals must be an array")
	}
	var out []Spec
	for i, e := range arr {
		switch t := e.(type) {
		case string:
			out = append(out, Spec{Name: t})
		case *jsvalue.Object:
			nv, _ := t.Get("name")
			name, ok := nv.(string)
			if !ok || name == "" {
				return nil, fmt.Errorf("test_settings.evals[%d]: name must be a string", i)
			}
			args := map[string]any{}
			for _, k := range t.Keys() {
				if k == "name" {
					continue
				}
				a, _ := t.Get(k)
				args[k] = ToGo(a)
			}
			out = append(out, Spec{Name: name, Args: args})
		default:
			return nil, fmt.Errorf("test_settings.evals[%d] must be a string or an object with a name", i)
		}
	}
	return out, nil
}

// ToGo converts a jsvalue to encoding/json-style Go data.
func ToGo(v jsvalue.Value) any {
	if v == nil || jsvalue.IsUndefined(v) {
		return nil
	}
	s, ok := jsvalue.Stringify(v)
	if !ok {
		return nil
	}
	var out any
	if json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return out
}

// Stringify renders a value the way upstream's tables and JUnit do:
// strings raw, everything else as compact JSON, nil as "".
func Stringify(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.RawMessage:
		return compactJSON(t)
	}
	if jv, ok := v.(*jsvalue.Object); ok {
		s, _ := jsvalue.Stringify(jv)
		return s
	}
	if jsvalue.IsUndefined(v) {
		return ""
	}
	s, ok := jsvalue.Stringify(jsvalue.FromGo(v))
	if !ok {
		return ""
	}
	return s
}

func compactJSON(raw json.RawMessage) string {
	v, err := jsvalue.ParseJSON(raw)
	if err != nil {
		return strings.TrimSpace(string(raw))
	}
	s, _ := jsvalue.Stringify(v)
	return s
}
