package prompt

import (
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Issue is one schema violation: where (a path of keys and indexes) and what.
type Issue struct {
	Path    []any
	Message string
}

// ValidationError lists the schema violations of a prompt. Its text has the
// shape upstream's schema errors are reported in:
// ZodError: [{"path":["text_config","model_name"],"message":"Required"}]
type ValidationError struct {
	File   string
	Issues []Issue
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	b.WriteString("ZodError: [")
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"path":[`)
		for j, p := range is.Path {
			if j > 0 {
				b.WriteByte(',')
			}
			switch k := p.(type) {
			case int:
				b.WriteString(strconv.Itoa(k))
			case string:
				jsvalue.QuoteJSON(&b, k)
			}
		}
		b.WriteString(`],"message":`)
		jsvalue.QuoteJSON(&b, is.Message)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String()
}

// checker collects issues against a small schema vocabulary mirroring the
// upstream prompt schemas.
type checker struct{ issues []Issue }

func (c *checker) add(path []any, msg string) {
	c.issues = append(c.issues, Issue{Path: append([]any(nil), path...), Message: msg})
}

func at(path []any, k any) []any { return append(append([]any(nil), path...), k) }

// typeName is the name schema errors use for a value's type.
func typeName(v jsvalue.Value) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if math.IsNaN(t) {
			return "nan"
		}
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
	return "unknown"
}

// want checks v's type; absent values are "Required" unless optional.
func (c *checker) want(path []any, v jsvalue.Value, present bool, typ string, optional bool) bool {
	if !present || jsvalue.IsUndefined(v) {
		if !optional {
			c.add(path, "Required")
		}
		return false
	}
	if got := typeName(v); got != typ {
		c.add(path, "Expected "+typ+", received "+got)
		return false
	}
	return true
}

func (c *checker) field(path []any, obj *jsvalue.Object, key, typ string, optional bool) (jsvalue.Value, bool) {
	v, ok := obj.Get(key)
	return v, c.want(at(path, key), v, ok, typ, optional)
}

func (c *checker) stringArray(path []any, obj *jsvalue.Object, key string) {
	v, ok := c.field(path, obj, key, "array", true)
	if !ok {
		return
	}
	for i, e := range v.([]jsvalue.Value) {
		c.want(at(at(path, key), i), e, true, "string", false)
	}
}

// evalEntries checks test_settings.evals: an array whose entries are eval
// names or objects {name: string, ...params} (built-in evaluator
// parameters; an extension of upstream's string[]).
func (c *checker) evalEntries(path []any, ts *jsvalue.Object) {
	v, ok := c.field(path, ts, "evals", "array", true)
	if !ok {
		return
	}
	for i, e := range v.([]jsvalue.Value) {
		p := at(at(path, "evals"), i)
		if o, isObj := e.(*jsvalue.Object); isObj {
			c.field(p, o, "name", "string", false)
			continue
		}
		c.want(p, e, true, "string", false)
	}
}

func (c *checker) pattern(path []any, obj *jsvalue.Object, key string, re *regexp.Regexp) {
	if v, ok := c.field(path, obj, key, "string", true); ok && !re.MatchString(v.(string)) {
		c.add(at(path, key), "Invalid")
	}
}

func (c *checker) between(path []any, v float64, lo, hi float64) {
	if v < lo {
		c.add(path, "Number must be greater than or equal to "+jsvalue.NumberToString(lo))
	}
	if v > hi {
		c.add(path, "Number must be less than or equal to "+jsvalue.NumberToString(hi))
	}
}

var (
	sizePattern   = regexp.MustCompile(`^\d+x\d+$`)
	aspectPattern = regexp.MustCompile(`^\d+:\d+$`)
)

var modelNumberKeys = []string{"max_tokens", "temperature", "max_calls", "top_p", "top_k",
	"presence_penalty", "frequency_penalty", "seed", "max_retries"}

// checkFrontmatter validates fm against the schema of kind.
func checkFrontmatter(fm *jsvalue.Object, kind Kind) []Issue {
	c := &checker{}
	c.field(nil, fm, "name", "string", false)
	block := configKey(kind)
	cfg, ok := c.field(nil, fm, block, "object", false)
	if ok {
		c.config(kind, []any{block}, cfg.(*jsvalue.Object))
	}
	if ts, ok := c.field(nil, fm, "test_settings", "object", true); ok {
		c.testSettings([]any{"test_settings"}, ts.(*jsvalue.Object))
	}
	return c.issues
}

func (c *checker) config(kind Kind, path []any, cfg *jsvalue.Object) {
	c.field(path, cfg, "model_name", "string", false)
	switch kind {
	case KindText, KindObject:
		for _, k := range modelNumberKeys {
			c.field(path, cfg, k, "number", true)
		}
		c.stringArray(path, cfg, "stop_sequences")
		c.stringArray(path, cfg, "tools")
		if kind == KindText {
			c.toolChoice(at(path, "tool_choice"), cfg)
		} else {
			c.field(path, cfg, "schema", "object", false)
			c.field(path, cfg, "schema_name", "string", true)
			c.field(path, cfg, "schema_description", "string", true)
		}
	case KindImage:
		c.field(path, cfg, "num_images", "number", true)
		c.pattern(path, cfg, "size", sizePattern)
		c.pattern(path, cfg, "aspect_ratio", aspectPattern)
		c.field(path, cfg, "seed", "number", true)
	case KindSpeech:
		c.field(path, cfg, "voice", "string", true)
		c.field(path, cfg, "output_format", "string", true)
		c.field(path, cfg, "instructions", "string", true)
		c.field(path, cfg, "speed", "number", true)
	}
}

func (c *checker) toolChoice(path []any, cfg *jsvalue.Object) {
	v, ok := cfg.Get("tool_choice")
	if !ok || jsvalue.IsUndefined(v) {
		return
	}
	switch t := v.(type) {
	case string:
		if t == "auto" || t == "none" || t == "required" {
			return
		}
	case *jsvalue.Object:
		typ, _ := t.Get("type")
		if typ == "tool" {
			c.field(path, t, "tool_name", "string", false)
			return
		}
	}
	c.add(path, "Invalid input")
}

func (c *checker) testSettings(path []any, ts *jsvalue.Object) {
	if v, ok := ts.Get("props"); ok && v != nil && !jsvalue.IsUndefined(v) {
		c.want(at(path, "props"), v, true, "object", false)
	}
	c.field(path, ts, "dataset", "string", true)
	c.evalEntries(path, ts)
	c.field(path, ts, "experiment_key", "string", true)
	if v, ok := c.field(path, ts, "regression_tolerance", "number", true); ok {
		c.between(at(path, "regression_tolerance"), v.(float64), 0, 1)
	}
	if v, ok := c.field(path, ts, "score_thresholds", "object", true); ok {
		st := v.(*jsvalue.Object)
		for _, k := range st.Keys() {
			e, _ := st.Get(k)
			if c.want(at(at(path, "score_thresholds"), k), e, true, "number", false) {
				c.between(at(at(path, "score_thresholds"), k), e.(float64), 0, 1)
			}
		}
	}
}

// isURL approximates the WHATWG URL parser's acceptance: a scheme, and for
// the special schemes a host.
func isURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "ws", "wss":
		return u.Host != ""
	}
	return true
}
