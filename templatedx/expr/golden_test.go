package expr

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// mapScope is a one-level scope for tests.
type mapScope map[string]jsvalue.Value

func (m mapScope) Lookup(name string) (jsvalue.Value, bool) {
	v, ok := m[name]
	return v, ok
}

type goldenCase struct {
	Src      string `json:"src"`
	Props    string `json:"props"`
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	TextJSON string `json:"textJSON"`
	Error    string `json:"error"`
	AST      any    `json:"ast"`
}

// astJSON renders a node in jsep's JSON shape (decoded as by encoding/json).
func astJSON(n Node) any {
	m := map[string]any{"type": n.Type()}
	switch t := n.(type) {
	case *Literal:
		v := t.Value
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			v = nil
		}
		m["value"], m["raw"] = v, t.Raw
	case *Identifier:
		m["name"] = t.Name
	case *MemberExpression:
		m["computed"], m["object"], m["property"] = t.Computed, astJSON(t.Object), astJSON(t.Property)
		if t.Optional {
			m["optional"] = true
		}
	case *CallExpression:
		m["callee"], m["arguments"] = astJSON(t.Callee), astList(t.Arguments)
		if t.Optional {
			m["optional"] = true
		}
	case *UnaryExpression:
		m["operator"], m["argument"], m["prefix"] = t.Operator, astJSON(t.Argument), true
	case *BinaryExpression:
		m["operator"], m["left"], m["right"] = t.Operator, astJSON(t.Left), astJSON(t.Right)
	case *ArrayExpression:
		m["elements"] = astList(t.Elements)
	case *ObjectExpression:
		m["properties"] = astList(t.Properties)
	case *Property:
		m["computed"], m["value"], m["shorthand"] = t.Computed, astJSON(t.Value), t.Shorthand
		switch t.Key.(type) {
		case nil:
		case nullNode:
			m["key"] = nil
		default:
			m["key"] = astJSON(t.Key)
		}
	case *ConditionalExpression:
		m["test"], m["consequent"], m["alternate"] = astJSON(t.Test), astJSON(t.Consequent), astJSON(t.Alternate)
	case *Compound:
		m["body"] = astList(t.Body)
	case *SequenceExpression:
		m["expressions"] = astList(t.Expressions)
	}
	return m
}

func astList(ns []Node) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		if n != nil {
			out[i] = astJSON(n)
		}
	}
	return out
}

func kindOf(v jsvalue.Value) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []jsvalue.Value:
		return "array"
	case *jsvalue.Object:
		return "object"
	}
	if jsvalue.IsUndefined(v) {
		return "undefined"
	}
	return "?"
}

// TestGolden compares against testdata/golden.json, produced by
// testdata/gen/gen.mjs in real JavaScript.
func TestGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Props map[string]json.RawMessage `json:"props"`
		Cases []goldenCase               `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	props := map[string]jsvalue.Value{}
	for name, raw := range file.Props {
		v, err := jsvalue.ParseJSON(raw)
		if err != nil {
			t.Fatal(err)
		}
		props[name] = v
	}
	failed := 0
	for _, c := range file.Cases {
		scope := mapScope{"props": props[c.Props]}
		v, err := Evaluate(c.Src, scope, nil)
		var got string
		want := c.Error
		if c.Error == "" {
			want = c.Kind + " " + c.Text
			if c.TextJSON != "" {
				want = c.Kind + " " + c.TextJSON
			}
		}
		switch {
		case err != nil:
			if _, ok := err.(*Error); !ok {
				t.Errorf("%q: error is %T, not *Error", c.Src, err)
			}
			got = err.Error()
		case c.TextJSON != "":
			var b strings.Builder
			jsvalue.QuoteJSON(&b, ToText(v))
			got = kindOf(v) + " " + b.String()
		default:
			got = kindOf(v) + " " + ToText(v)
		}
		if c.AST != nil {
			n, perr := Parse(c.Src)
			if perr != nil {
				t.Errorf("%q: parse error %v, jsep parsed it", c.Src, perr)
			} else if g := astJSON(n); !reflect.DeepEqual(g, c.AST) {
				gj, _ := json.Marshal(g)
				wj, _ := json.Marshal(c.AST)
				t.Errorf("%q: AST\n got  %s\n want %s", c.Src, gj, wj)
			}
		}
		if got != want {
			failed++
			if failed <= 60 {
				t.Errorf("%q (props %s):\n got  %q\n want %q", c.Src, c.Props, got, want)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d golden cases failed", failed, len(file.Cases))
	}
	t.Logf("%d golden cases", len(file.Cases))
}
