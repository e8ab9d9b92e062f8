package expr

import (
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
)

func fuzzSeeds(f *testing.F) {
	for _, c := range specCases {
		f.Add(c.src)
	}
	for _, c := range arrowCases {
		f.Add(c.src)
	}
	for _, s := range []string{"{a:1 b:2}", "[,]", "{[]: 1}", "{[,]: 1}", "a?.[0]", "a?.(1)", ".e5", "'\\", "((((1))))",
		"{a: {b: [1, {c: 'x'}]}}.a.b[1].c", "truncate(props.s, props.n)", "round(props.n, props.d)"} {
		f.Add(s)
	}
}

// FuzzParse: the parser never panics, and whatever parses evaluates
// without panicking.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error type %T", err)
			}
			return
		}
		if n == nil {
			t.Fatal("nil node without error")
		}
		_, _ = Eval(n, nil, nil)
		_, _ = ParseArrow(src)
	})
}

var fuzzProps = func() jsvalue.Value {
	v, err := jsvalue.ParseJSON([]byte(`{"s":"straße 😀","n":2.5,"d":-1,"arr":[1,"2",null,[3]],"o":{"k":"v","1":true},"nul":null,"e":""}`))
	if err != nil {
		panic(err)
	}
	return v
}()

// FuzzEvaluate: evaluation (through the cache) never panics, results are
// well-formed values that render, and errors are *Error.
func FuzzEvaluate(f *testing.F) {
	fuzzSeeds(f)
	scope := mapScope{"props": fuzzProps, "item": "x", "index": 0.0}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := Evaluate(src, scope, nil)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error type %T", err)
			}
			return
		}
		_ = ToText(v)
		_ = ToString(v)
		_ = ToNumber(v)
		_ = Truthy(v)
		_ = LooseEqual(v, v)
	})
}
