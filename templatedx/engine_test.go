package templatedx

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// files is an in-memory content loader.
type files map[string]string

func (f files) load(p string) (string, error) {
	if s, ok := f[p]; ok {
		return s, nil
	}
	return "", fmt.Errorf("ENOENT: no such file %s", p)
}

func render(t *testing.T, e *Engine, src string, props string, fs files) (string, error) {
	t.Helper()
	ast, err := e.Parse(src, ParseOptions{Path: "/p/main.mdx", Loader: fs.load})
	if err != nil {
		return "", err
	}
	var pv jsvalue.Value = jsvalue.NewObject()
	if props != "" {
		if pv, err = jsvalue.ParseJSON([]byte(props)); err != nil {
			t.Fatalf("props: %v", err)
		}
	}
	out, err := e.Transform(ast, RenderOptions{Props: pv})
	if err != nil {
		return "", err
	}
	return markdown.Stringify(out), nil
}

func mustRender(t *testing.T, e *Engine, src, props string, fs files) string {
	t.Helper()
	out, err := render(t, e, src, props, fs)
	if err != nil {
		t.Fatalf("render %q: %v", src, err)
	}
	return out
}

func TestRenderCases(t *testing.T) {
	tests := []struct {
		name, src, props, want string
	}{
		{"expression in paragraph", "Hello {props.name}!", `{"name":"Ada"}`, "Hello Ada!\n"},
		{"missing member is empty", "a{props.x.y}b", ``, "ab\n"},
		{"unknown identifier", "{nope}", ``, "undefined\n"},
		{"filter", "{upper(props.s)} {truncate(props.s, 2)}", `{"s":"abc"}`, "ABC ab...\n"},
		{"if true", "<If condition={props.on}>\nyes\n</If>\n<Else>\nno\n</Else>", `{"on":true}`, "yes\n"},
		{"if non-boolean is false", "<If condition={props.on}>\nyes\n</If>\n<Else>\nno\n</Else>", `{"on":"true"}`, "no\n"},
		{"elseif chain", "<If condition={false}>\nA\n</If>\n<ElseIf condition={true}>\nB\n</ElseIf>\n<Else>\nC\n</Else>", ``, "B\n"},
		{"independent ifs both render", "<If condition={true}>\nA\n</If>\n\n<If condition={true}>\nB\n</If>", ``, "A\n\nB\n"},
		{"orphan else renders", "<Else>\nE\n</Else>", ``, "E\n"},
		{"inline if", "Status: <If condition={props.on}>on</If><Else>off</Else>.", `{"on":false}`, "Status: off.\n"},
		{"foreach list merges", "<ForEach arr={props.xs}>\n  {(x, i) => (\n    <>\n    - {x} #{i}\n    </>\n  )}\n</ForEach>", `{"xs":["a","b"]}`, "* a #0\n* b #1\n"},
		{"foreach empty gives nothing", "Before\n\n<ForEach arr={props.none}>\n  {(x) => (<>\n- {x}\n</>)}\n</ForEach>\n\nAfter", ``, "Before\n\n\n\nAfter\n"},
		{"foreach paragraphs", "<ForEach arr={[1,2]}>\n  {(n) => (\n    <>\n    Item {n}\n    </>\n  )}\n</ForEach>", ``, "Item 1\n\nItem 2\n"},
		{"raw keeps source", "<Raw>{props.x} *y*</Raw>", `{"x":1}`, "\\{props.x} \\*y\\*\n"},
		{"comments stripped", "a {/* hidden */} b\n\n{/* gone */}\n\nc", ``, "a  b\n\nc\n"},
		{"xml passthrough", "<context>\n{props.a}\n</context>", `{"a":"x"}`, "<context>\n  x\n</context>\n"},
		{"passthrough attrs not evaluated", "<ctx t={props.a}>hi</ctx>", `{"a":"x"}`, "<ctx t={props.a}>hi</ctx>\n"},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustRender(t, e, tt.src, tt.props, nil); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompatSharedIfFlag(t *testing.T) {
	src := "<If condition={true}>\nA\n</If>\n\n<If condition={true}>\nB\n</If>"
	if got := mustRender(t, New(WithCompat(Compat{SharedIfFlag: true})), src, "", nil); got != "A\n" {
		t.Errorf("compat: got %q", got)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
		line, col       int
	}{
		{"bad operator", "\n\nx {props.a | upper}", `Error evaluating expression "props.a | upper": Operator "|" is not allowed.`, 3, 3},
		{"unknown filter", "{nope(1)}", `Error evaluating expression "nope(1)": Filter "nope" is not registered.`, 1, 1},
		{"unsupported tag", "<Bogus>x</Bogus>", "Unsupported tag '<Bogus>'. Only native MDX elements, and registered tags are supported. Registered tags: Else, ElseIf, ForEach, If, Raw.", 1, 1},
		{"foreach not a function", "<ForEach arr={[1]}>\nnot a function\n</ForEach>", "ForEach expects a function as its child.", 2, 1},
		{"spread on a tag", "<If {...props}>x</If>", "Unsupported attribute type in component If.", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(t, New(), tt.src, "", nil)
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if te.Message != tt.want {
				t.Errorf("message %q, want %q", te.Message, tt.want)
			}
			if te.Line != tt.line || (tt.col > 0 && te.Column != tt.col) {
				t.Errorf("at %d:%d, want %d:%d", te.Line, te.Column, tt.line, tt.col)
			}
		})
	}
}

func TestComponents(t *testing.T) {
	fs := files{
		"/p/greet.mdx":        "Hello {props.name}{props.punct}",
		"/p/section.mdx":      "### {props.title}\n\n{props.children}",
		"/p/c/leaf.mdx":       "leaf {props.v}",
		"/p/c/a.mdx":          "import Leaf from './leaf.mdx';\n\nA: <Leaf v=\"1\" />",
		"/p/c/b.mdx":          "import Leaf from './leaf.mdx';\n\nB: <Leaf v=\"2\" />",
		"/p/tone.mdx":         "<If condition={props.tone == \"formal\"}>\nDear sir\n</If>\n<Else>\nHi\n</Else>",
		"/p/loop1.mdx":        "import L from './loop2.mdx';\n\n<L />",
		"/p/loop2.mdx":        "import L from './loop1.mdx';\n\n<L />",
		"/p/single-quote.mdx": "T: {props.t}",
	}
	tests := []struct{ name, src, props, want string }{
		{"literal prop", "import G from './greet.mdx';\n\n<G name=\"Ada\" punct=\"!\" />", ``, "Hello Ada!\n"},
		{"expression prop", "import G from './greet.mdx';\n\n<G name={props.who} />", `{"who":"Lin","punct":"?"}`, "Hello Lin\n"},
		{"children", "import S from './section.mdx';\n\n<S title=\"Context\">\nThe user is {props.role}.\n</S>", `{"role":"admin"}`, "### Context\n\nThe user is admin.\n"},
		{"imported twice renders twice", "import A from './c/a.mdx';\nimport B from './c/b.mdx';\n\n<A />\n\n<B />", ``, "A: leaf 1\n\nB: leaf 2\n"},
		{"tag attributes see component props", "import T from './tone.mdx';\n\n<T tone=\"formal\" />", `{"tone":"casual"}`, "Dear sir\n"},
		{"single-quoted expression prop", "import Q from './single-quote.mdx';\n\n<Q t={'x'} />", ``, "T: x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustRender(t, New(), tt.src, tt.props, fs); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	errs := []struct{ name, src, want string }{
		{"circular", "import L from './loop1.mdx';\n\n<L />", "Circular import detected: /p/loop1.mdx -> /p/loop2.mdx -> /p/loop1.mdx"},
		{"named import", "import {x} from './greet.mdx';\n\nx", "Only default imports are supported. Invalid import in /p/main.mdx: import {x} from './greet.mdx';"},
		{"export", "export const a = 1;\n\nx", "Exports are not supported. Found in /p/main.mdx: export const a = 1;"},
		{"missing file", "import M from './missing.mdx';\n\n<M />", `Failed to load import "./missing.mdx": ENOENT: no such file /p/missing.mdx`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(t, New(), tt.src, "", fs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCustomFilterAndTag(t *testing.T) {
	e := New()
	e.RegisterFilter("shout", func(args []jsvalue.Value) (jsvalue.Value, error) {
		return strings.ToUpper(fmt.Sprint(args[0])) + "!", nil
	})
	e.RegisterTag(TagFunc(func(props *jsvalue.Object, children []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error) {
		return ctx.Transform(children, ctx.Scope)
	}), "Box")
	if got := mustRender(t, e, "<Box>{shout(props.a)}</Box>", `{"a":"hi"}`, nil); got != "HI!\n" {
		t.Errorf("got %q", got)
	}
}
