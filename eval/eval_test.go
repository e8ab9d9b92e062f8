package eval

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
)

func js(t *testing.T, s string) jsvalue.Value {
	t.Helper()
	v, err := jsvalue.ParseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestHashRowInputGolden(t *testing.T) {
	cases := map[string]string{
		`{"a":1,"b":[2,3]}`: "55bed68470220de4",
		`{"b":[2,3],"a":1}`: "55bed68470220de4",
		`{"text":"Great!"}`: "1b9ba1342fe9cc66",
		`"hello"`:           "dcdd4ba1ec7623eb",
		`null`:              "5b9bc4ba528108e4",
		`{"x":"a😀b"}`:       "acc714413ff2bb87",
		`{"name":"café"}`:   "b34f8f0023f6d207",
		`1.5`:               "457d3818182e17b9",
		`[1,2,3]`:           "28bbee4398699f19",
	}
	for in, want := range cases {
		if got := HashRowInput(js(t, in)); got != want {
			t.Errorf("HashRowInput(%s) = %s, want %s", in, got, want)
		}
	}
	if HashRowInput(jsvalue.Undefined) != "5b9bc4ba528108e4" {
		t.Error("undefined")
	}
}

func TestIsRegression(t *testing.T) {
	f := Float
	if !IsRegression(f(0.5), f(1), f(0.1)) || IsRegression(f(0.9), f(1), f(0.1)) || IsRegression(f(0.5), f(1), nil) ||
		IsRegression(f(0.5), f(0), f(0)) || IsRegression(nil, f(1), f(0)) || IsRegression(f(2), f(1), f(0)) {
		t.Error("predicate")
	}
	// strict: a drop equal to the tolerance is not a regression
	if IsRegression(f(0.75), f(1), f(0.25)) {
		t.Error("strict")
	}
}

func TestGateAndPassRate(t *testing.T) {
	rows := []GateRow{
		{Index: 1, Input: js(t, `{"q":1}`), Evals: []Named{{Name: "a", Result: PassFail(true, "")}, {Name: "b", Result: Result{Score: Float(0.4)}}}},
		{Index: 2, Input: js(t, `{"q":2}`), Evals: []Named{{Name: "a", Result: PassFail(false, "no")}, {Name: "b", Result: Result{Score: Float(0.6)}}}},
		{Index: 3, Input: js(t, `{"q":3}`), Evals: []Named{{Name: "a", Result: PassFail(true, "")}}},
	}
	p, n, pct := PassRate(rows)
	if p != 2 || n != 3 || pct != 66 {
		t.Fatal(p, n, pct)
	}
	base := &Baseline{Resolved: &Resolved{RunID: "r0", TreeHash: "t0"}, Rows: []BaselineRow{
		{InputHash: HashRowInput(js(t, `{"q":2}`)), Scorer: "a", Score: 1},
		{InputHash: HashRowInput(js(t, `{"q":2}`)), Scorer: "b", Score: 0.61},
	}}
	g := EvaluateGate(rows, base, Float(0.1), []Threshold{{"b", 0.55}, {"a", 0.5}, {"missing", 1}})
	if g.Passed || g.RegressionFailures != 1 || g.BaselineRowsMatched != 1 || len(g.ScoreThresholdResults) != 2 || len(g.FailedScoreThresholds) != 1 ||
		g.FailedScoreThresholds[0].Scorer != "b" || g.FailedScoreThresholds[0].Count != 2 {
		t.Fatalf("%+v", g)
	}
	if !g.Evals[1][0].Regressed || g.Evals[1][1].Regressed || *g.Evals[1][0].BaselineScore != 1 {
		t.Fatalf("%+v", g.Evals[1])
	}
	// 29/100 → 28, like JavaScript's Math.floor(29/100*100).
	var many []GateRow
	for i := 0; i < 100; i++ {
		many = append(many, GateRow{Evals: []Named{{Name: "a", Result: PassFail(i < 29, "")}}})
	}
	if _, _, pct := PassRate(many); pct != 28 {
		t.Errorf("pct %d", pct)
	}
}

func TestJUnitEscapingAndLayout(t *testing.T) {
	rows := []GateRow{{Index: 1, Input: js(t, `{"q":"<a & 'b'>"}`), Output: "x]]>y\x01", ExpectedOutput: "z",
		Evals: []Named{{Name: "e\"1", Result: Result{Passed: Bool(false)}}}}, {Index: 2, Input: js(t, `{}`)}}
	var b strings.Builder
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
	if err := WriteJUnit(&b, JUnitReport{Suite: "s&<", Rows: rows, Timestamp: ts, Gate: EvaluateGate(rows, nil, nil, nil)}); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="s&amp;&lt;" tests="2" failures="1" time="0.000">
<testsuite name="s&amp;&lt;" tests="2" failures="1" errors="0" skipped="0" time="0.000" timestamp="2024-01-02T03:04:05.006Z">
<testcase classname="e&quot;1" name="row-1" time="0.000">
  <properties>
    <property name="scorer" value="e&quot;1"/>
    <property name="passed" value="false"/>
  </properties>
  <failure message="e&quot;1 did not pass" type="EvalFailure">
    <![CDATA[Input:     {"q":"<a & 'b'>"}
Actual:    x]]]]><![CDATA[>y
Expected:  z]]>
  </failure>
</testcase>
<testcase classname="no-eval" name="row-2" time="0.000"/>
</testsuite>
</testsuites>
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestParseSpecs(t *testing.T) {
	specs, err := ParseSpecs(js(t, `["exact_match",{"name":"regex","pattern":"^a"}]`))
	if err != nil || len(specs) != 2 || specs[1].Name != "regex" || specs[1].Args["pattern"] != "^a" {
		t.Fatal(specs, err)
	}
	for _, bad := range []string{`[1]`, `[{"pattern":"x"}]`, `"x"`} {
		if _, err := ParseSpecs(js(t, bad)); err == nil {
			t.Errorf("%s: want error", bad)
		}
	}
}

func run(t *testing.T, name string, args map[string]any, env Env, p Params) Result {
	t.Helper()
	reg := NewRegistry()
	fn, ok, err := reg.Resolve(Spec{Name: name, Args: args}, env)
	if !ok || err != nil {
		t.Fatalf("%s: %v %v", name, ok, err)
	}
	r, err := fn(context.Background(), p)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func passed(r Result) bool { return r.Passed != nil && *r.Passed }

func TestBuiltins(t *testing.T) {
	env := Env{Schema: json.RawMessage(`{"type":"object","required":["n"],"properties":{"n":{"type":"number"}}}`)}
	check := func(want bool, name string, args map[string]any, p Params) {
		t.Helper()
		r := run(t, name, args, env, p)
		if passed(r) != want {
			t.Errorf("%s %v %+v: passed=%v (%s)", name, args, p, passed(r), r.Reason)
		}
	}
	check(true, "exact_match", nil, Params{Output: " yes\n", ExpectedOutput: "yes"})
	check(false, "exact_match", nil, Params{Output: "no", ExpectedOutput: "yes"})
	check(true, "exact_match", nil, Params{Output: map[string]any{"b": 1.0, "a": 2.0}, ExpectedOutput: map[string]any{"a": 2.0, "b": 1.0}})
	check(true, "exact_match", nil, Params{Output: `{"a":1}`, ExpectedOutput: map[string]any{"a": 1.0}})
	check(true, "contains", nil, Params{Output: "the cat sat", ExpectedOutput: "cat"})
	check(true, "contains", map[string]any{"value": "SAT", "ignore_case": true}, Params{Output: "the cat sat"})
	check(false, "contains", map[string]any{"value": "dog"}, Params{Output: "the cat sat"})
	check(true, "regex", map[string]any{"pattern": `^\d+$`}, Params{Output: "123"})
	check(true, "regex", map[string]any{"pattern": `^abc`, "flags": "i"}, Params{Output: "ABCd"})
	check(false, "regex", map[string]any{"pattern": `^\d+$`}, Params{Output: "12a"})
	check(true, "json_valid", nil, Params{Output: `{"a":[1]}`})
	check(false, "json_valid", nil, Params{Output: `{"a":`})
	check(true, "json_schema", nil, Params{Output: map[string]any{"n": 1.0}})
	check(false, "json_schema", nil, Params{Output: `{"n":"x"}`})
	check(true, "json_schema", map[string]any{"schema": map[string]any{"type": "string"}}, Params{Output: `"s"`})
	check(true, "numeric", map[string]any{"tolerance": 0.5}, Params{Output: "3.4", ExpectedOutput: 3.0})
	check(false, "numeric", nil, Params{Output: "3.4", ExpectedOutput: "3"})
	check(false, "numeric", nil, Params{Output: "abc", ExpectedOutput: "3"})
	judge := func(ans any) Env {
		return Env{Judge: func(ctx context.Context, path string, props map[string]any) (any, error) {
			if path != "j.prompt.mdx" || props["output"] != "o" {
				t.Errorf("judge args %s %v", path, props)
			}
			return ans, nil
		}}
	}
	for ans, want := range map[any]bool{"0.9": true, "0.1": false, "PASS": true, `{"passed":false,"score":1}`: false} {
		r := run(t, "llm_judge", map[string]any{"prompt": "j.prompt.mdx"}, judge(ans), Params{Output: "o"})
		if passed(r) != want {
			t.Errorf("judge %v: %+v", ans, r)
		}
	}
	r := run(t, "llm_judge", map[string]any{"prompt": "j.prompt.mdx", "threshold": 0.95}, judge(map[string]any{"score": 0.9, "reason": "close"}), Params{Output: "o"})
	if passed(r) || *r.Score != 0.9 || r.Reason != "close" {
		t.Errorf("%+v", r)
	}
	// Bad arguments and unknown names.
	reg := NewRegistry()
	if _, ok, err := reg.Resolve(Spec{Name: "regex", Args: map[string]any{"pattern": "("}}, env); !ok || err == nil {
		t.Error("bad regex accepted")
	}
	if _, ok, _ := reg.Resolve(Spec{Name: "nope"}, env); ok {
		t.Error("unknown eval resolved")
	}
	if _, _, err := reg.Resolve(Spec{Name: "json_schema"}, Env{}); err == nil {
		t.Error("json_schema without schema")
	}
	// A registered function wins over the built-in and sees the args.
	reg.Register("exact_match", func(ctx context.Context, p Params) (Result, error) {
		return Result{Label: p.Args["x"].(string)}, nil
	})
	fn, _, _ := reg.Resolve(Spec{Name: "exact_match", Args: map[string]any{"x": "mine"}}, env)
	if r, _ := fn(context.Background(), Params{}); r.Label != "mine" {
		t.Error("registered eval did not win")
	}
}

func TestNamedJSON(t *testing.T) {
	n := Named{Name: "e", Result: Result{Score: Float(1), Passed: Bool(true), Extra: map[string]any{"z": 1}}}
	b, _ := json.Marshal(n)
	if string(b) != `{"name":"e","score":1,"passed":true,"z":1}` {
		t.Fatal(string(b))
	}
	var back Named
	if err := json.Unmarshal(b, &back); err != nil || back.Name != "e" || *back.Score != 1 || !*back.Passed || back.Extra["z"] != 1.0 {
		t.Fatal(back, err)
	}
}

func TestScoreConfigs(t *testing.T) {
	cfgs := ParseScoreConfigs([]byte(`{"ok":{"type":"boolean"},"num":{"type":"numeric","min":0,"max":1},
		"cat":{"type":"categorical","categories":[{"label":"good","value":1},{"label":"bad","value":0}]},
		"nocat":{"type":"categorical","categories":[]},"weird":{"type":"x"}}`))
	if len(cfgs) != 3 {
		t.Fatal(cfgs)
	}
	r := Result{Score: Float(2)}
	if p := cfgs["num"].Check(&r); len(p) != 1 || r.DataType != "numeric" {
		t.Error(p)
	}
	r = Result{Label: "good"}
	if p := cfgs["cat"].Check(&r); len(p) != 0 || *r.Score != 1 {
		t.Error(p)
	}
	r = Result{Label: "meh"}
	if p := cfgs["cat"].Check(&r); len(p) != 1 {
		t.Error(p)
	}
	r = Result{Score: Float(0.5)}
	if p := cfgs["ok"].Check(&r); len(p) != 1 {
		t.Error(p)
	}
}

func TestFileStoreBaseline(t *testing.T) {
	s := FileStore{Dir: t.TempDir(), Keep: 3}
	ctx := context.Background()
	b, err := s.Baseline(ctx, "k", "t1", "")
	if err != nil || b.Resolved != nil {
		t.Fatal(b, err)
	}
	now := time.Now()
	for i, tree := range []string{"t1", "t2", "t3", "t4"} {
		if err := s.RecordRun(ctx, RunRecord{RunID: "run-" + tree, ExperimentKey: "k", TreeHash: tree, CreatedAt: now.Add(time.Duration(i) * time.Second),
			Rows: []BaselineRow{{InputHash: "h", Scorer: "a", Score: float64(i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ = s.Baseline(ctx, "k", "t2", "")
	if b.Resolved == nil || b.Resolved.RunID != "run-t2" || !b.Resolved.MatchedExactCommit || b.Rows[0].Score != 1 {
		t.Fatalf("%+v", b)
	}
	b, _ = s.Baseline(ctx, "k", "t1", "") // pruned (Keep 3): falls back to the latest
	if b.Resolved.RunID != "run-t4" || b.Resolved.MatchedExactCommit {
		t.Fatalf("%+v", b.Resolved)
	}
	if b, _ := s.Baseline(ctx, "other", "t4", ""); b.Resolved != nil {
		t.Fatal("key isolation")
	}
}

func TestHTTPBaseline(t *testing.T) {
	var q, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, auth = r.URL.RawQuery, r.Header.Get("Authorization")
		if r.URL.Query().Get("experiment_key") == "deny" {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{"data":{"resolved":{"runId":"r","treeHash":"t","matchedExactCommit":true},"rows":[{"inputHash":"h","scorer":"a","score":0.5},{"inputHash":"h"},{"scorer":"x","inputHash":"y","score":"bad"}]}}`))
	}))
	defer srv.Close()
	h := HTTPBaseline{BaseURL: srv.URL + "/", APIKey: "sk_agentmark_x"}
	b, err := h.Baseline(context.Background(), "./a b.mdx", "t", "d.jsonl")
	if err != nil || len(b.Rows) != 1 || b.Resolved.RunID != "r" || q != "experiment_key=.%2Fa+b.mdx&tree_hash=t&dataset_path=d.jsonl" || auth != "sk_agentmark_x" {
		t.Fatal(b, err, q, auth)
	}
	if _, err := h.Baseline(context.Background(), "deny", "t", ""); err == nil || err.Error() != "HTTP 401 — check AGENTMARK_API_KEY" {
		t.Fatal(err)
	}
}
