package expr

import (
	"reflect"
	"testing"
)

var arrowCases = []struct {
	src    string
	params []string
	body   string
	err    string
}{
	{src: "(item, index) => (\n    <>\n      - {item.name} at {index}\n    </>\n  )", params: []string{"item", "index"}, body: "<>\n      - {item.name} at {index}\n    </>"},
	{src: "(item) => <>- {item}</>", params: []string{"item"}, body: "<>- {item}</>"},
	{src: "item => item", params: []string{"item"}, body: "item"},
	{src: "  (x) => (  y  )  ", params: []string{"x"}, body: "y"},
	{src: "(a, b, c) => x", params: []string{"a", "b", "c"}, body: "x"},
	{src: "(a, b,) => x", params: []string{"a", "b"}, body: "x"},
	{src: "( a /* first */ , b ) => x", params: []string{"a", "b"}, body: "x"},
	{src: "async (a) => x", params: []string{"a"}, body: "x"},
	{src: "async a => x", params: []string{"a"}, body: "x"},
	{src: "async => x", params: []string{"async"}, body: "x"},
	{src: "((x) => (y))", params: []string{"x"}, body: "y)"}, // text after the first =>, one paren pair stripped
	{src: "(x) => (a) (b)", params: []string{"x"}, body: "a) (b"},
	{src: "(x) => y => z", params: []string{"x"}, body: "y => z"},
	{src: "($_, été) => x", params: []string{"$_", "été"}, body: "x"},
	{src: "(x)=>{}", params: []string{"x"}, body: "{}"},
	{src: "() => x", err: ErrNoParams},
	{src: "( ) => x", err: ErrNoParams},
	{src: "({a}) => x", err: ErrParamNotSimple},
	{src: "([a]) => x", err: ErrParamNotSimple},
	{src: "(a = 1) => x", err: ErrParamNotSimple},
	{src: "(a, ...rest) => x", err: ErrParamNotSimple},
	{src: "(a = (1, 2)) => x", err: ErrParamNotSimple},
	{src: "(a = ')') => x", err: ErrParamNotSimple},
	{src: "not a function", err: ErrNotFunction},
	{src: "props.items", err: ErrNotFunction},
	{src: "function (x) { return x }", err: ErrNotFunction},
	{src: "(x)", err: ErrNotFunction},
	{src: "(x) + 1", err: ErrNotFunction},
	{src: "f(x) => y", err: ErrNotFunction},
	{src: "async(x)", err: ErrNotFunction},
	{src: "", err: ErrNotFunction},
	{src: "=> x", err: ErrNotFunction},
	{src: "(x", err: ErrNotFunction},
}

func TestParseArrow(t *testing.T) {
	for _, c := range arrowCases {
		a, err := ParseArrow(c.src)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: got %v, %v; want error %q", c.src, a, err, c.err)
			}
			if _, ok := err.(*Error); err != nil && !ok {
				t.Errorf("%q: error type %T", c.src, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if !reflect.DeepEqual(a.Params, c.params) || a.Body != c.body {
			t.Errorf("%q: got %q %q, want %q %q", c.src, a.Params, a.Body, c.params, c.body)
		}
	}
}
