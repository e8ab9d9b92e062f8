package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Judge runs an LLM-judge prompt (a .prompt.mdx path) with props and
// returns its answer: a string (text prompts) or a decoded object. The
// caller (CLI, SDK) supplies it; package eval does not run models.
type Judge func(ctx context.Context, promptPath string, props map[string]any) (any, error)

// Env is what built-in evaluators may need from the caller.
type Env struct {
	// Schema is the prompt's object_config.schema (json_schema's default).
	Schema json.RawMessage
	// Judge runs llm_judge prompts; nil: llm_judge is an error.
	Judge Judge
}

// Registry maps eval names to functions. Registered functions take
// precedence over the built-ins of the same name.
type Registry struct {
	funcs map[string]Func
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{funcs: map[string]Func{}} }

// Register adds fn under name.
func (r *Registry) Register(name string, fn Func) { r.funcs[name] = fn }

// Lookup returns a registered (not built-in) function.
func (r *Registry) Lookup(name string) (Func, bool) {
	if r == nil {
		return nil, false
	}
	f, ok := r.funcs[name]
	return f, ok
}

// Names are the registered names, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.funcs))
	for k := range r.funcs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BuiltinNames are the built-in evaluators.
var BuiltinNames = []string{"contains", "exact_match", "json_schema", "json_valid", "llm_judge", "numeric", "regex"}

// Resolve returns the function for a spec: a registered function (called
// with the spec's Args in Params.Args), else a built-in configured from the
// spec's arguments. ok is false for an unknown name; err reports bad
// built-in arguments (a regex that does not compile, ...).
func (r *Registry) Resolve(s Spec, env Env) (fn Func, ok bool, err error) {
	if f, found := r.Lookup(s.Name); found {
		args := s.Args
		return func(ctx context.Context, p Params) (Result, error) {
			p.Args = args
			return f(ctx, p)
		}, true, nil
	}
	f, err := Builtin(s, env)
	if f == nil && err == nil {
		return nil, false, nil
	}
	return f, true, err
}

// Builtin returns the built-in evaluator named s.Name (nil, nil when there
// is none):
//
//   - exact_match: the trimmed output equals the trimmed expected output
//     (objects compared as JSON values).
//   - contains {value?, ignore_case?}: the output contains value (default:
//     the expected output).
//   - regex {pattern, flags?}: the output matches pattern (Go RE2 syntax;
//     flags "i", "m", "s").
//   - json_valid: the output is JSON (object prompts always are).
//   - json_schema {schema?}: the output validates against schema (default:
//     the prompt's object schema).
//   - numeric {tolerance?}: the output and expected output are numbers
//     within tolerance (default 0).
//   - llm_judge {prompt, threshold?}: runs the judge prompt with props
//     {input, output, expected_output, expectedOutput}; the judge answers
//     {score?, passed?, reason?, label?} (or a number, or true/false/pass/
//     fail as text). Without passed, passed = score >= threshold (0.5).
func Builtin(s Spec, env Env) (Func, error) {
	a := s.Args
	switch s.Name {
	case "exact_match":
		return exactMatch, nil
	case "contains":
		value, hasValue := a["value"]
		ic, _ := a["ignore_case"].(bool)
		return func(ctx context.Context, p Params) (Result, error) {
			want := p.ExpectedOutput
			if hasValue {
				want = value
			}
			needle, out := Stringify(want), Stringify(p.Output)
			if ic {
				needle, out = strings.ToLower(needle), strings.ToLower(out)
			}
			if strings.Contains(out, needle) {
				return PassFail(true, ""), nil
			}
			return PassFail(false, fmt.Sprintf("Output does not contain %q", Stringify(want))), nil
		}, nil
	case "regex":
		pat, _ := a["pattern"].(string)
		if pat == "" {
			return nil, errors.New(`regex: "pattern" is required`)
		}
		if fl, _ := a["flags"].(string); fl != "" {
			var keep []rune
			for _, c := range fl {
				if strings.ContainsRune("ims", c) {
					keep = append(keep, c)
				}
			}
			if len(keep) > 0 {
				pat = "(?" + string(keep) + ")" + pat
			}
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, fmt.Errorf("regex: %v", err)
		}
		return func(ctx context.Context, p Params) (Result, error) {
			if re.MatchString(Stringify(p.Output)) {
				return PassFail(true, ""), nil
			}
			return PassFail(false, fmt.Sprintf("Output does not match /%s/", re.String())), nil
		}, nil
	case "json_valid":
		return func(ctx context.Context, p Params) (Result, error) {
			if _, err := asJSON(p.Output); err != nil {
				return PassFail(false, "Output is not valid JSON: "+err.Error()), nil
			}
			return PassFail(true, ""), nil
		}, nil
	case "json_schema":
		schema := env.Schema
		if sv, ok := a["schema"]; ok && sv != nil {
			b, err := json.Marshal(sv)
			if err != nil {
				return nil, fmt.Errorf("json_schema: %v", err)
			}
			schema = b
		}
		if len(schema) == 0 {
			return nil, errors.New(`json_schema: no "schema" given and the prompt has no object schema`)
		}
		sch, err := compileSchema(schema)
		if err != nil {
			return nil, fmt.Errorf("json_schema: %v", err)
		}
		return func(ctx context.Context, p Params) (Result, error) {
			v, err := asJSON(p.Output)
			if err != nil {
				return PassFail(false, "Output is not valid JSON: "+err.Error()), nil
			}
			if err := sch.Validate(v); err != nil {
				return PassFail(false, "Schema validation failed: "+oneLine(err.Error())), nil
			}
			return PassFail(true, ""), nil
		}, nil
	case "numeric":
		tol := 0.0
		if t, ok := a["tolerance"]; ok {
			f, ok := t.(float64)
			if !ok || f < 0 {
				return nil, errors.New(`numeric: "tolerance" must be a non-negative number`)
			}
			tol = f
		}
		return func(ctx context.Context, p Params) (Result, error) {
			got, ok1 := asNumber(p.Output)
			want, ok2 := asNumber(p.ExpectedOutput)
			if !ok1 {
				return PassFail(false, fmt.Sprintf("Output %q is not a number", Stringify(p.Output))), nil
			}
			if !ok2 {
				return PassFail(false, fmt.Sprintf("Expected output %q is not a number", Stringify(p.ExpectedOutput))), nil
			}
			if math.Abs(got-want) <= tol+1e-12 {
				return PassFail(true, ""), nil
			}
			return PassFail(false, fmt.Sprintf("Expected %s ± %s, got %s", fmtNum(want), fmtNum(tol), fmtNum(got))), nil
		}, nil
	case "llm_judge":
		path, _ := a["prompt"].(string)
		if path == "" {
			return nil, errors.New(`llm_judge: "prompt" (the judge .prompt.mdx path) is required`)
		}
		threshold := 0.5
		if t, ok := a["threshold"].(float64); ok {
			threshold = t
		}
		return func(ctx context.Context, p Params) (Result, error) {
			if env.Judge == nil {
				return Result{}, errors.New("llm_judge: no judge runner configured")
			}
			props := map[string]any{"input": p.Input, "output": p.Output,
				"expected_output": p.ExpectedOutput, "expectedOutput": p.ExpectedOutput}
			ans, err := env.Judge(ctx, path, props)
			if err != nil {
				return Result{}, fmt.Errorf("llm_judge %s: %w", path, err)
			}
			return judgeResult(ans, threshold)
		}, nil
	}
	return nil, nil
}

func exactMatch(ctx context.Context, p Params) (Result, error) {
	out, exp := p.Output, p.ExpectedOutput
	ok := strings.TrimSpace(Stringify(out)) == strings.TrimSpace(Stringify(exp))
	if !ok {
		// Structured values compare as JSON (key order insensitive).
		if a, err1 := asJSON(out); err1 == nil {
			if b, err2 := asJSON(exp); err2 == nil {
				_, s1 := a.(string)
				_, s2 := b.(string)
				if !s1 && !s2 {
					ok = jsonEqual(a, b)
				}
			}
		}
	}
	if ok {
		return PassFail(true, ""), nil
	}
	return PassFail(false, fmt.Sprintf("Expected %q, got %q", trunc(Stringify(exp), 200), trunc(Stringify(out), 200))), nil
}

func trunc(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// asJSON decodes a string output as JSON (structured outputs are already
// values) into jsonschema's representation.
func asJSON(v any) (any, error) {
	var raw []byte
	switch t := v.(type) {
	case string:
		raw = []byte(strings.TrimSpace(t))
	case json.RawMessage:
		raw = t
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	return jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func asNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		s := strings.TrimSpace(strings.ReplaceAll(t, ",", ""))
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func compileSchema(schema json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(schema)))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mem://schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("mem://schema.json")
}

// judgeResult reads a judge's answer.
func judgeResult(ans any, threshold float64) (Result, error) {
	if s, ok := ans.(string); ok {
		t := strings.TrimSpace(s)
		t = strings.TrimPrefix(strings.TrimSuffix(t, "```"), "```json")
		t = strings.TrimSpace(t)
		var v any
		if json.Unmarshal([]byte(t), &v) == nil {
			ans = v
		} else {
			switch strings.ToLower(strings.Trim(t, ".!\"' ")) {
			case "pass", "passed", "true", "yes":
				return PassFail(true, ""), nil
			case "fail", "failed", "false", "no":
				return PassFail(false, ""), nil
			}
			return Result{}, fmt.Errorf("llm_judge: cannot read a score from the judge's answer %q", trunc(t, 200))
		}
	}
	var r Result
	switch t := ans.(type) {
	case float64:
		r.Score = &t
	case bool:
		return PassFail(t, ""), nil
	case map[string]any:
		if s, ok := t["score"].(float64); ok {
			r.Score = &s
		}
		if p, ok := t["passed"].(bool); ok {
			r.Passed = &p
		}
		r.Label, _ = t["label"].(string)
		r.Reason, _ = t["reason"].(string)
	default:
		return Result{}, fmt.Errorf("llm_judge: unexpected judge answer %s", trunc(Stringify(ans), 200))
	}
	if r.Passed == nil && r.Score != nil {
		r.Passed = Bool(*r.Score >= threshold)
	}
	if r.Score == nil && r.Passed == nil {
		return Result{}, errors.New("llm_judge: the judge's answer has neither score nor passed")
	}
	return r, nil
}
