package expr

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
)

func mustJSON(t testing.TB, s string) jsvalue.Value {
	t.Helper()
	v, err := jsvalue.ParseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// render evaluates src with props (JSON) and returns the §B.5 text, or the
// error message.
func render(t testing.TB, src, props string) string {
	t.Helper()
	scope := mapScope{"props": mustJSON(t, props)}
	v, err := Evaluate(src, scope, nil)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: error %T is not *Error", src, err)
		}
		return "ERR " + err.Error()
	}
	return ToText(v)
}

// specCases are the [verified] examples of spec §B.3, §B.4, §B.7 and §G.
var specCases = []struct{ src, props, want string }{
	// §B.3 selected JS-semantics results
	{`'a' + 1`, `{}`, "a1"},
	{`[1]+[2]`, `{}`, "12"},
	{`'5' * '2'`, `{}`, "10"},
	{`' 12 ' * 1`, `{}`, "12"},
	{`'0x10' * 1`, `{}`, "16"},
	{`'' * 1`, `{}`, "0"},
	{`'abc' * 2`, `{}`, "NaN"},
	{`1/0`, `{}`, "Infinity"},
	{`props.n % 0`, `{"n":5}`, "NaN"},
	{`-7 % 3`, `{}`, "-1"},
	{`7 % -3`, `{}`, "1"},
	{`10/3`, `{}`, "3.3333333333333335"},
	{`0.1+0.2`, `{}`, "0.30000000000000004"},
	{`1e21`, `{}`, "1e+21"},
	{`0.0000001`, `{}`, "1e-7"},
	{`0.000001`, `{}`, "0.000001"},
	{`-0`, `{}`, "0"},
	{`null == undefined`, `{}`, "true"},
	{`null == 0`, `{}`, "false"},
	{`'1' == 1`, `{}`, "true"},
	{`true == 1`, `{}`, "true"},
	{`props.a == props.b`, `{"a":[1],"b":1}`, "true"},
	{`'10' < '9'`, `{}`, "true"},
	{`10 < '9'`, `{}`, "false"},
	{`2 > 1 > 0`, `{}`, "true"},
	{`props.x || 'default'`, `{"x":0}`, "default"},
	{`props.missing && 'yes'`, `{}`, ""},
	{`props.u && 'yes'`, `{"u":null}`, "null"},
	{`!props.missing`, `{}`, "true"},
	{`upper()`, `{}`, "undefined"},
	{`capitalize`, `{}`, "undefined"},
	// number formatting
	{`123456789012345680000`, `{}`, "123456789012345680000"},
	{`5e-324`, `{}`, "5e-324"},
	{`1e-7`, `{}`, "1e-7"},
	{`2e21 / 2`, `{}`, "1e+21"},
	{`1e300 * 1e10`, `{}`, "Infinity"},
	{`0/0`, `{}`, "NaN"},
	// §B.3 errors
	{`props.name | upper`, `{}`, `ERR Operator "|" is not allowed.`},
	{`bogusFilter(props.name)`, `{}`, `ERR Filter "bogusFilter" is not registered.`},
	{`1 ? 2 : 3`, `{}`, "ERR Unsupported node type: ConditionalExpression"},
	{"`x`", `{}`, "ERR Failed to parse expression: \"`x`\""},
	{"  `x`  ", `{}`, "ERR Failed to parse expression: \"`x`\""},
	{`props.name.toUpperCase()`, `{"name":"a"}`, "ERR Only calls to registered filters are allowed."},
	{`~1`, `{}`, "ERR Unsupported operator: ~"},
	{`{[1+1]: 'x'}`, `{}`, "ERR Unsupported object key type: BinaryExpression"},
	{`[1,,2]`, `{}`, "ERR Cannot read properties of null (reading 'type')"},
	{`dump({a})`, `{}`, "{}"},
	{``, `{}`, "ERR Unsupported node type: Compound"},
	{`a, b`, `{}`, "ERR Unsupported node type: Compound"},
	{`a; b`, `{}`, "ERR Unsupported node type: Compound"},
	{`this`, `{}`, "ERR Unsupported node type: ThisExpression"},
	{`(a, b)`, `{}`, "ERR Unsupported node type: SequenceExpression"},
	{`1 === 1`, `{}`, `ERR Operator "===" is not allowed.`},
	{`1 !== 1`, `{}`, `ERR Operator "!==" is not allowed.`},
	{`a ?? b`, `{}`, `ERR Operator "??" is not allowed.`},
	{`2 ** 3`, `{}`, `ERR Operator "**" is not allowed.`},
	{`1 << bogus()`, `{}`, `ERR Operator "<<" is not allowed.`}, // checked before the operands
	{`(x) => x`, `{}`, `ERR Failed to parse expression: "(x) => x"`},
	{`new Foo()`, `{}`, `ERR Unsupported node type: Compound`}, // jsep: [Identifier new, Foo()]
	{`a = 1`, `{}`, `ERR Failed to parse expression: "a = 1"`},
	{`a // c`, `{}`, `ERR Failed to parse expression: "a // c"`},
	{`0x10`, `{}`, `ERR Failed to parse expression: "0x10"`},
	// §B.3 member access, §G 19-21
	{`props.name.length`, `{"name":"abc"}`, ""},
	{`props.s[0]`, `{"s":"abc"}`, ""},
	{`props.arr.length`, `{"arr":[1,2,3]}`, "3"},
	{`props.arr[-1]`, `{"arr":[1,2,3]}`, ""},
	{`props.o.toString`, `{"o":{}}`, ""},
	{`props.o.constructor`, `{"o":{}}`, ""},
	{`props.o.__proto__`, `{"o":{}}`, ""},
	{`props.arr.map`, `{"arr":[]}`, ""},
	{`props?.o?.a`, `{"o":{"a":1}}`, "1"},
	// §B.4
	{`props.a.b.c`, `{}`, ""},
	{`props.a.b.c`, `{"a":{"b":null}}`, ""},
	{`bogus`, `{}`, "undefined"},
	{`props.x`, `{"x":null}`, "null"},
	// §B.5
	{`[1,[2,3],{a:1},null]`, `{}`, "12,3[object Object]"},
	{`props.o`, `{"o":{"b":1,"2":0,"a":[1,null]}}`, `{"2":0,"b":1,"a":[1,null]}`},
	{`true`, `{}`, "true"},
	{`null`, `{}`, "null"},
	// §G 25-27
	{`{a: 1, a: 2}`, `{}`, `{"a":2}`},
	{`'\u0041'`, `{}`, "u0041"},
	{`'\x41'`, `{}`, "x41"},
	{`'a\nb\tc'`, `{}`, "a\nb\tc"},
	{`'\v\b\f\r'`, `{}`, "\v\b\f\r"},
	// §B.7 filters
	{`capitalize('élan')`, `{}`, "Élan"},
	{`capitalize(123)`, `{}`, "123"},
	{`capitalize('ß')`, `{}`, "SS"},
	{`upper('straße')`, `{}`, "STRASSE"},
	{`lower({A:1})`, `{}`, `{"A":1}`},
	{`lower('ΑΣ')`, `{}`, "ας"},
	{`truncate('truncate',4)`, `{}`, "trun..."},
	{`truncate('truncate')`, `{}`, "truncate..."},
	{`truncate('truncate',-1)`, `{}`, "..."},
	{`truncate('truncate',2.5)`, `{}`, "tr..."},
	{`dump(truncate('😀😀',1))`, `{}`, `"\ud83d..."`},
	{`abs('x')`, `{}`, "NaN"},
	{`abs(null)`, `{}`, "0"},
	{`abs(-3)`, `{}`, "3"},
	{`join([1,null,[2,3],'x'],'-')`, `{}`, "1--2,3-x"},
	{`join('abc')`, `{}`, "abc"},
	{`join(props.a)`, `{"a":[1,2]}`, "1, 2"},
	{`round(3.14)`, `{}`, "3"},
	{`round(1.005,2)`, `{}`, "1.01"},
	{`round(2.675,2)`, `{}`, "2.68"},
	{`round(-2.5)`, `{}`, "-2"},
	{`round('3.7')`, `{}`, "4"},
	{`round(1234,-2)`, `{}`, "NaN"},
	{`round()`, `{}`, "NaN"},
	{`replace('abc','','-')`, `{}`, "a-b-c"},
	{`replace('a b',' ')`, `{}`, "a,b"},
	{`replace('abc')`, `{}`, "abc"},
	{`replace('aXbX','X','-')`, `{}`, "a-b-"},
	{`urlencode("a b&c/d?e=é!*'()~")`, `{}`, "a%20b%26c%2Fd%3Fe%3D%C3%A9!*'()~"},
	{`urlencode(truncate('😀', 1))`, `{}`, "ERR URI malformed"},
	{`dump({a:1,b:[1,2],c:'hello'})`, `{}`, `{"a":1,"b":[1,2],"c":"hello"}`},
	{`dump(props.missing)`, `{}`, `""`},
	{`dump({a: undefined, b: null})`, `{}`, `{"b":null}`},
	{`dump(undefined)`, `{}`, "undefined"},
	{`dump('<>&')`, `{}`, `"<>&"`},
}

func TestSpecExamples(t *testing.T) {
	for _, c := range specCases {
		if got := render(t, c.src, c.props); got != c.want {
			t.Errorf("%s with %s: got %q, want %q", c.src, c.props, got, c.want)
		}
	}
}

func TestParseErrorDetail(t *testing.T) {
	_, err := Parse(" a = 1 ")
	var e *Error
	if !errors.As(err, &e) || e.Msg != `Failed to parse expression: "a = 1"` || !strings.Contains(e.Detail, `Unexpected "="`) {
		t.Fatalf("got %#v", err)
	}
}

func TestDeepNesting(t *testing.T) {
	src := strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000)
	if _, err := Parse(src); err == nil || !strings.HasPrefix(err.Error(), "Failed to parse expression") {
		t.Fatalf("got %v", err)
	}
	if v, err := Evaluate(strings.Repeat("-", 50)+"1", nil, nil); err != nil || v != 1.0 {
		t.Fatalf("got %v %v", v, err)
	}
}

func TestScopeAndFilters(t *testing.T) {
	scope := mapScope{
		"props": mustJSON(t, `{"name":"x"}`),
		"item":  map[string]any{"n": 2}, // non-canonical Go values are normalized
		"count": 3,
	}
	v, err := Evaluate("item.n * count", scope, nil)
	if err != nil || v != 6.0 {
		t.Fatalf("got %v %v", v, err)
	}
	// nil scope: every name is undefined.
	if v, err := Evaluate("foo", nil, nil); err != nil || !jsvalue.IsUndefined(v) {
		t.Fatalf("got %v %v", v, err)
	}
	// custom registry: only what it has.
	custom := func(name string) (Filter, bool) {
		if name == "twice" {
			return func(args []jsvalue.Value) (jsvalue.Value, error) { return ToNumber(arg(args, 0)) * 2, nil }, true
		}
		return nil, false
	}
	if v, err := Evaluate("twice(props.name.length + 4)", scope, custom); err != nil || v != 8.0 {
		t.Fatalf("got %v %v", v, err)
	}
	if _, err := Evaluate("upper('a')", scope, custom); err == nil || err.Error() != `Filter "upper" is not registered.` {
		t.Fatalf("got %v", err)
	}
	// filter errors pass through unchanged
	failing := func(string) (Filter, bool) {
		return func([]jsvalue.Value) (jsvalue.Value, error) { return nil, errors.New("boom") }, true
	}
	if _, err := Evaluate("f(1)", nil, failing); err == nil || err.Error() != "boom" {
		t.Fatalf("got %v", err)
	}
	if got := len(BuiltinFilters()); got != 10 {
		t.Fatalf("%d builtins", got)
	}
}

func TestToNumber(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		in   jsvalue.Value
		want float64
	}{
		{"", 0}, {"  ", 0}, {" 12 ", 12}, {"\u00a012\ufeff", 12}, {"0x10", 16}, {"0X1f", 31}, {"0o17", 15}, {"0b101", 5},
		{"-0x10", nan}, {"0x", nan}, {"Infinity", math.Inf(1)}, {"-Infinity", math.Inf(-1)}, {"inf", nan},
		{"1_0", nan}, {"0x1p3", nan}, {"1e3", 1000}, {".5", 0.5}, {"5.", 5}, {"+5", 5}, {"1e", nan}, {"\u0085 1", nan},
		{"0x20000000000001", 9007199254740992}, {"1e400", math.Inf(1)}, {"NaN", nan}, {"nan", nan},
		{jsvalue.Undefined, nan}, {nil, 0}, {true, 1}, {false, 0}, {[]jsvalue.Value{}, 0},
		{[]jsvalue.Value{" 7 "}, 7}, {[]jsvalue.Value{1.0, 2.0}, nan}, {jsvalue.NewObject(), nan},
	}
	for _, c := range cases {
		got := ToNumber(c.in)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("ToNumber(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got := ToNumber("-0"); got != 0 || !math.Signbit(got) {
		t.Errorf("ToNumber(-0) = %v", got)
	}
}

func TestToStringAndTruthy(t *testing.T) {
	obj := jsvalue.NewObject()
	obj.Set("a", 1.0)
	cases := []struct {
		in        jsvalue.Value
		str, text string
		truthy    bool
	}{
		{jsvalue.Undefined, "undefined", "undefined", false},
		{nil, "null", "null", false},
		{true, "true", "true", true},
		{0.0, "0", "0", false},
		{math.Copysign(0, -1), "0", "0", false},
		{math.NaN(), "NaN", "NaN", false},
		{"", "", "", false},
		{"0", "0", "0", true},
		{[]jsvalue.Value{}, "", "", true},
		{[]jsvalue.Value{1.0, nil, jsvalue.Undefined, []jsvalue.Value{2.0, 3.0}}, "1,,,2,3", "12,3", true},
		{obj, "[object Object]", `{"a":1}`, true},
		{42, "42", "42", true}, // Go int: normalized
	}
	for _, c := range cases {
		if got := ToString(c.in); got != c.str {
			t.Errorf("ToString(%#v) = %q, want %q", c.in, got, c.str)
		}
		if got := ToText(c.in); got != c.text {
			t.Errorf("ToText(%#v) = %q, want %q", c.in, got, c.text)
		}
		if got := Truthy(c.in); got != c.truthy {
			t.Errorf("Truthy(%#v) = %v", c.in, got)
		}
	}
}

func TestLooseEqual(t *testing.T) {
	a := []jsvalue.Value{1.0}
	o := jsvalue.NewObject()
	cases := []struct {
		a, b jsvalue.Value
		want bool
	}{
		{nil, jsvalue.Undefined, true}, {jsvalue.Undefined, jsvalue.Undefined, true}, {nil, 0.0, false},
		{nil, false, false}, {"1", 1.0, true}, {true, 1.0, true}, {true, "1", true}, {"", 0.0, true},
		{a, a, true}, {a, []jsvalue.Value{1.0}, false}, {a, 1.0, true}, {a, "1", true}, {a, true, true},
		{o, o, true}, {o, jsvalue.NewObject(), false}, {o, "[object Object]", true}, {o, nil, false},
		{math.NaN(), math.NaN(), false}, {0.0, math.Copysign(0, -1), true},
		{[]jsvalue.Value{}, "", true}, {[]jsvalue.Value{}, false, true},
	}
	for _, c := range cases {
		if got := LooseEqual(c.a, c.b); got != c.want {
			t.Errorf("LooseEqual(%#v, %#v) = %v", c.a, c.b, got)
		}
		if got := LooseEqual(c.b, c.a); got != c.want {
			t.Errorf("LooseEqual(%#v, %#v) = %v (swapped)", c.b, c.a, got)
		}
	}
}

func TestLoneSurrogates(t *testing.T) {
	hi := jsvalue.FromUTF16([]uint16{0xD83D})
	scope := mapScope{"hi": hi, "pair": "😀", "pua": "\ue000", "props": mustJSON(t, "[]")}
	cases := []struct{ src, want string }{
		{"pua > hi", "true"},   // U+E000 > U+D83D by code unit
		{"pair < pua", "true"}, // 😀 is D83D DE00 < E000
		{"hi < pair", "true"},  // prefix
		{"replace(pair, '', '-')", "\xed\xa0\xbd-\xed\xb8\x80"},
		{"upper(hi + 'a')", hi + "A"},
		{"capitalize(hi + 'a')", hi + "a"},
		{"truncate(pair + pair, 3)", "😀" + hi + "..."},
		{"replace(pair + 'x', hi, '-')", "-" + jsvalue.FromUTF16([]uint16{0xDE00}) + "x"}, // splits the pair, as JS does
		{"[] == []", "false"},
		{"props == props", "true"},
	}
	for _, c := range cases {
		v, err := Evaluate(c.src, scope, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := ToText(v); got != c.want {
			t.Errorf("%s: got %q want %q", c.src, got, c.want)
		}
	}
}
