package filter

import (
	"errors"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	cases := []struct {
		in   string
		want string // clauses rendered as field/key op values, "|" between OR members, ";" between clauses
	}{
		{`metadata.env = "prod" and status = ERROR`, `metadata/env equals [prod];status equals [ERROR]`},
		{`cost > 0.01 and latency_ms <= 2000`, `cost gt [0.01];latency_ms lte [2000]`},
		{`(model = "gpt-4o" or model = "o3") and status = ERROR`, `model equals [gpt-4o]|model equals [o3];status equals [ERROR]`},
		{`metadata.debug_screenshot_url exists`, `metadata/debug_screenshot_url exists []`},
		{`metadata.x does not exist`, `metadata/x doesNotExist []`},
		{`input contains "hello world" AND output not contains bye`, `input contains [hello world];output notContains [bye]`},
		{`prompt_name starts with sup and trace_id ends with ff`, `prompt_name startsWith [sup];trace_id endsWith [ff]`},
		{`tags = prod and tags != beta and tags contains pr`, `tags equals [prod];tags notEquals [beta];tags contains [pr]`},
		{`score__accuracy >= .5`, `score/accuracy gte [.5]`},
		{`status = success`, `status equals [OK]`},
		{`status = FAIL`, `status equals [ERROR]`},
		{`cost>1e-3`, `cost gt [1e-3]`},
		{`model_used = x and user = u and latency > 5`, `model equals [x];user_id equals [u];latency_ms gt [5]`},
		{`model notEquals "a \"q\" b"`, `model notEquals [a "q" b]`},
		{`input contains "日本語 ✓"`, `input contains [日本語 ✓]`},
		{`semantic_kind = llm`, `semantic_kind equals [llm]`},
		{`[{"field":"model","operator":"in","value":["a","b"]},{"or":[{"field":"cost","operator":"between","value":[1,2]},{"field":"status","operator":"equals","value":"OK"}]}]`,
			`model in [a b];cost between [1 2]|status equals [OK]`},
		{`{"op":"and","exprs":[{"field":"model","op":"eq","value":"gpt-4o"},{"field":"cost","op":"gt","value":0.5}]}`,
			`model equals [gpt-4o];cost gt [0.5]`},
		{`{"field":"metadata.k","operator":"exists"}`, `metadata/k exists []`},
	}
	for _, c := range cases {
		f, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := render(f); got != c.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func render(f *Filter) string {
	var cl []string
	for _, c := range f.Clauses {
		var ps []string
		for _, p := range c {
			name := p.Field
			if p.Key != "" {
				name += "/" + p.Key
			}
			ps = append(ps, name+" "+string(p.Op)+" ["+strings.Join(p.Values, " ")+"]")
		}
		cl = append(cl, strings.Join(ps, "|"))
	}
	return strings.Join(cl, ";")
}

func TestParseEmpty(t *testing.T) {
	for _, s := range []string{"", "   ", "[]"} {
		f, err := Parse(s)
		if err != nil || f != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", s, f, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in     string
		offset int
		msg    string
	}{
		{`bogus = 1`, 0, "unknown field"},
		{`model = x or model = y`, 10, "only allowed inside parentheses"},
		{`model = `, 8, "expected a value"},
		{`model`, 5, "expected an operator"},
		{`model ~ x`, 6, "unknown operator"},
		{`cost > abc`, 0, "needs a number"},
		{`cost contains 1`, 0, "not supported"},
		{`status = maybe`, 0, "status must be"},
		{`(model = a or (model = b))`, 14, "nested parentheses"},
		{`(model = a or model = b`, 0, "unclosed"},
		{`(model = a and model = b)`, 11, "'and' is not allowed"},
		{`model = "abc`, 8, "unterminated"},
		{`model = a and`, 13, "expected a predicate"},
		{`model = a model = b`, 10, "expected 'and'"},
		{`metadata.9bad = x`, 0, "invalid metadata key"},
		{`metadata.k exists x`, 18, "expected 'and'"},
		{`score__a b = 1`, 9, "unknown operator"},
		{`model ! x`, 6, "did you mean"},
		{`model = a and )`, 14, "expected a field name"},
		{`[{"field":"model","operator":"gt","value":"x"}]`, 0, "not supported"},
		{`[{"field":"model","operator":"equals","value":"x","extra":1}]`, 0, "unknown key"},
		{`{bad json`, 1, "invalid JSON"},
		{`model = ` + strings.Repeat("x", 501), 0, "longer than"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("Parse(%q) = %v; want *Error", c.in, err)
			continue
		}
		if fe.Offset != c.offset || !strings.Contains(fe.Msg, c.msg) {
			t.Errorf("Parse(%q) = offset %d %q; want offset %d containing %q", c.in, fe.Offset, fe.Msg, c.offset, c.msg)
		}
	}
}

func TestMaxPredicates(t *testing.T) {
	parts := make([]string, MaxPredicates)
	for i := range parts {
		parts[i] = "cost > 1"
	}
	if _, err := Parse(strings.Join(parts, " and ")); err != nil {
		t.Fatalf("%d predicates: %v", MaxPredicates, err)
	}
	if _, err := Parse(strings.Join(append(parts, "cost > 2"), " and ")); err == nil {
		t.Fatalf("%d predicates accepted", MaxPredicates+1)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`metadata.env = "prod" and status = ERROR`,
		`(model = "gpt-4o" or model = "o3") and cost > 0.01`,
		`metadata.x does not exist`, `input starts with "a\"b"`, `score__q-1 between 1`,
		`[{"field":"model","operator":"in","value":["a"]}]`, `{"op":"and","exprs":[]}`, `((`, `"`, `!`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("non-*Error error %T: %v", err, err)
			}
			if fe.Offset < 0 || fe.Offset > len(s) {
				t.Fatalf("offset %d outside input of length %d", fe.Offset, len(s))
			}
			return
		}
		if flt == nil {
			return
		}
		if n := len(flt.Predicates()); n == 0 || n > MaxPredicates {
			t.Fatalf("%d predicates", n)
		}
		for _, p := range flt.Predicates() {
			if p.Op == "" || p.Field == "" {
				t.Fatalf("incomplete predicate %+v", p)
			}
			if (p.Kind == KindNumeric || p.Kind == KindScore) && len(p.Nums) != len(p.Values) {
				t.Fatalf("numeric predicate without numbers %+v", p)
			}
		}
	})
}
