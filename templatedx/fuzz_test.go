package templatedx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

var fuzzRenderFiles = files{
	"/p/c.mdx":    "Hi {props.who}! {props.children}",
	"/p/fm.mdx":   "---\nk: v\n---\n\n# Title {props.t}",
	"/p/loop.mdx": "import C from './c.mdx';\n\n<ForEach arr={props.xs}>\n  {(x) => (\n    <>\n    <C who={x} />\n    </>\n  )}\n</ForEach>",
	"/p/self.mdx": "import S from './self.mdx';\n\n<S />",
}

var fuzzRenderProps = func() jsvalue.Value {
	v, err := jsvalue.ParseJSON([]byte(`{"s":"a*b_c straße 😀","n":2.5,"on":true,"xs":[1,"two",null,{"k":"v"},[3]],"o":{"k":"v"},"nul":null,"e":""}`))
	if err != nil {
		panic(err)
	}
	return v
}()

// FuzzRender: parse + transform + serialize never panics, errors are
// *Error with a message, and a rendered tree serializes.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"Hello {props.s}!",
		"---\nname: x\n---\n\n# H {props.n}\n\n* a\n* b\n\n> q {props.o.k}",
		"<If condition={props.on}>\nyes\n</If>\n<ElseIf condition={props.n > 1}>\nmid\n</ElseIf>\n<Else>\nno\n</Else>",
		"<ForEach arr={props.xs}>\n  {(x, i) => (\n    <>\n    - {x} #{i}\n    </>\n  )}\n</ForEach>",
		"<ForEach arr={props.xs}>{(x) => <>{x}</>}</ForEach>",
		"<Raw>{props.x} *y*</Raw>",
		"import C from './c.mdx';\nimport F from './fm.mdx';\nimport L from './loop.mdx';\n\n<C who={props.s}>kid</C>\n<F t=\"t\" />\n<L xs={props.xs} />",
		"import S from './self.mdx';\n\n<S />",
		"<ctx a={props.s}>\n  <inner>{props.n}</inner>\n</ctx>",
		"a {/* c */} b `code {x}` [l](http://x) ![i](y) **{props.s}** _{props.e}_",
		"```js\n{props.s}\n```\n\n    indented {x}\n\n---\n\nSetext\n===",
		"{upper(props.s)} {truncate(props.s, 3)} {join(props.xs, '-')} {dump(props.o)} {replace(props.s, 'a', 'b')} {urlencode(props.s)} {abs(-props.n)} {capitalize(props.e)}",
		"{props.xs.length > 2 ? 'many' : 'few'} {props.nul ?? 'd'} {!props.on && 'x'} {[1,2].length} {{a:1}.a} {props.s + 1}",
		"<If condition={true}>\n- a\n</If>\n<If condition={true}>\n- b\n</If>",
		"<>\nfrag {props.n}\n</>",
		"<Unknown />",
		"{",
		"<If condition={props.on}>",
		"line1  \nline2\\\nline3 &amp; &#x41; \\* \\_",
		"1. a\n2. b\n   - c\n\n| t | u |\n|---|---|\n| 1 | 2 |",
	} {
		f.Add(s)
	}
	e := New()
	f.Fuzz(func(t *testing.T, src string) {
		timer := time.AfterFunc(20*time.Second, func() {
			panic(fmt.Sprintf("input ran longer than 20s: %q", src))
		})
		defer timer.Stop()
		ast, err := e.Parse(src, ParseOptions{Path: "/p/main.mdx", Loader: fuzzRenderFiles.load})
		if err != nil {
			checkFuzzErr(t, err)
			return
		}
		out, err := e.Transform(ast, RenderOptions{Props: fuzzRenderProps})
		if err != nil {
			checkFuzzErr(t, err)
			return
		}
		if out == nil || out.Type != mdast.Root {
			t.Fatal("transform returned no root")
		}
		_ = markdown.Stringify(out)
		_ = markdown.ToMarkdown(out)
	})
}

func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("error is %T, not *Error: %v", err, err)
	}
	if te == nil || strings.TrimSpace(te.Message) == "" {
		t.Fatalf("error without message: %#v", te)
	}
}
