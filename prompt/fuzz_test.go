package prompt

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// fuzzFiles are the components a fuzzed prompt may import.
var fuzzFiles = map[string]string{
	"/p/c.mdx":      "Hi {props.who}! {props.children}",
	"/p/list.mdx":   "<ForEach arr={props.xs}>\n  {(x) => (\n    <>\n    - {x}\n    </>\n  )}\n</ForEach>",
	"/p/nested.mdx": "import C from './c.mdx';\n\n<C who=\"n\">inner</C>",
}

func fuzzLoader(p string) (string, error) {
	if s, ok := fuzzFiles[p]; ok {
		return s, nil
	}
	return "", fmt.Errorf("file not found: %s", p)
}

const fuzzText = "---\nname: f\ntext_config:\n  model_name: m\n---\n\n"

var fuzzFormatSeeds = []struct{ src, props string }{
	{fuzzText + "<System>S {props.a}</System>\n\n<User>U</User>\n\n<Assistant>A</Assistant>\n", `{"a":1}`},
	{fuzzText + "<User>\n<If condition={props.on}>\nyes\n</If>\n<ElseIf condition={props.n > 1}>\nmid\n</ElseIf>\n<Else>\nno\n</Else>\n</User>\n", `{"on":true,"n":2}`},
	{fuzzText + "<User>\n<ForEach arr={props.xs}>\n  {(x, i) => (\n    <>\n    - {x} #{i}\n    </>\n  )}\n</ForEach>\n</User>\n", `{"xs":["a",{"b":1},null]}`},
	{fuzzText + "<User>\nlook\n<ImageAttachment image={props.img} mimeType=\"image/png\" />\n<FileAttachment data={props.d} mimeType={props.m} />\n</User>\n", `{"img":"https://e.com/a.png","d":"https://e.com/d.pdf","m":"application/pdf"}`},
	{fuzzText + "import C from './c.mdx';\nimport L from './list.mdx';\nimport N from './nested.mdx';\n\n<User>\n<C who={props.w}>kid *em*</C>\n<L xs={props.xs} />\n<N />\n</User>\n", `{"w":"x","xs":[1,2]}`},
	{fuzzText + "<User>{upper(props.s)} {truncate(props.s, 2)} {join(props.xs, \", \")} {dump(props)} {round(props.n, 1)}</User>\n", `{"s":"abc","xs":[1,2],"n":1.25}`},
	{fuzzText + "<User><Raw>{props.x} *y*</Raw>\n<ctx a={props.x}>t</ctx></User>\n", `{"x":"<b>"}`},
	{"---\nname: o\nobject_config:\n  model_name: m\n  schema:\n    type: object\n---\n\n<User>{props.q}</User>\n", `{"q":"*?"}`},
	{"---\nname: i\nimage_config:\n  model_name: m\n  size: 1024x1024\n---\n\n<ImagePrompt>\nA {props.animal}\n\n- one\n</ImagePrompt>\n", `{"animal":"cat"}`},
	{"---\nname: s\nspeech_config:\n  model_name: m\n  voice: nova\n---\n\n<System>Be {props.tone}</System>\n<SpeechPrompt>Say {props.t}</SpeechPrompt>\n", `{"tone":"calm","t":"hi"}`},
	{"---\nname: 5\ntext_config: 3\n---\n", `{}`},
	{"---\nname: [\n---\n", `{}`},
	{"no frontmatter <User>x</User>", `{}`},
	{fuzzText + "<User>{props.a.b.c} {props.missing()} {1/0} {'x' - 1}</User>\n", `null`},
	{fuzzText + "<User>\n<System>inner</System>\n</User>\n", `[]`},
	{fuzzText + "<User>{</User>\n", `"str"`},
	{"\uFEFF---\r\nname: crlf\r\ntext_config:\r\n  model_name: m\r\n---\r\n<User>a\r\nb</User>\r\n", `{}`},
}

// FuzzFormat: parsing and formatting any source with any props never
// panics; errors are real error values with a message; outputs are JSON.
func FuzzFormat(f *testing.F) {
	for _, s := range fuzzFormatSeeds {
		f.Add(s.src, s.props)
	}
	f.Fuzz(func(t *testing.T, src, propsJSON string) {
		defer watchdog(src)()
		tpl, err := Parse(src, Options{Path: "/p/main.prompt.mdx", Loader: fuzzLoader})
		if err != nil {
			checkErr(t, err)
			return
		}
		if tpl == nil {
			t.Fatal("nil template without error")
		}
		var props jsvalue.Value = jsvalue.NewObject()
		if v, err := jsvalue.ParseJSON([]byte(propsJSON)); err == nil {
			props = v
		}
		out, err := tpl.Format(props)
		if err != nil {
			checkErr(t, err)
			return
		}
		s, ok := jsvalue.Stringify(out)
		if !ok || !json.Valid([]byte(s)) {
			t.Fatalf("output is not JSON: %q", s)
		}
		again, err := tpl.Format(props)
		if err != nil {
			t.Fatalf("second format failed: %v", err)
		}
		if s2, _ := jsvalue.Stringify(again); s2 != s {
			t.Fatalf("format is not deterministic:\n%s\n%s", s, s2)
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
		t.Fatalf("typed nil error %T", err)
	}
	if err.Error() == "" {
		t.Fatalf("error %T without a message", err)
	}
	var ve *ValidationError
	if errors.As(err, &ve) && len(ve.Issues) == 0 {
		t.Fatalf("validation error without issues")
	}
}

// watchdog crashes the fuzzing process when one input runs far too long,
// so that the fuzzer records it (a hang is otherwise reported without the
// input).
func watchdog(src string) (stop func()) {
	timer := time.AfterFunc(20*time.Second, func() {
		panic(fmt.Sprintf("input ran longer than 20s: %q", src))
	})
	return func() { timer.Stop() }
}
