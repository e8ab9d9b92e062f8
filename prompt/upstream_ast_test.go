package prompt

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Upstream's trees (with and without data.estree) must load and render the
// same as our own parse of the source, ForEach included.
func TestUpstreamASTs(t *testing.T) {
	src, err := os.ReadFile("testdata/upstream/foreach.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	props, _ := jsvalue.ParseJSON([]byte(`{"topic":"tea","items":["green","black"]}`))
	own, err := Parse(string(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := own.Format(props)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := jsvalue.Stringify(want)
	const expected = `{"name":"upstream-ast","messages":[{"role":"system","content":"You help with **tea**."},` +
		`{"role":"user","content":"Several items:\n\n* 0: GREEN\n* 1: BLACK\n\n<context kind=\"x\">\n  tea\n</context>"}],` +
		`"text_config":{"model_name":"gpt-4o"}}`
	if wantJSON != expected {
		t.Fatalf("own parse renders\n%s\nwant\n%s", wantJSON, expected)
	}
	for _, file := range []string{"foreach.ast.json", "foreach.compressed.json"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/upstream/" + file)
			if err != nil {
				t.Fatal(err)
			}
			var ast mdast.Node
			if err := json.Unmarshal(data, &ast); err != nil {
				t.Fatal(err)
			}
			tpl, err := FromAST(&ast, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Format(props)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := jsvalue.Stringify(got); s != expected {
				t.Errorf("got\n%s\nwant\n%s", s, expected)
			}
		})
	}
}

// Our trees round-trip through JSON unchanged.
func TestASTJSONRoundTrip(t *testing.T) {
	src, _ := os.ReadFile("testdata/upstream/foreach.prompt.mdx")
	tpl, err := Parse(string(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := json.Marshal(tpl.AST())
	if err != nil {
		t.Fatal(err)
	}
	var back mdast.Node
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatal(err)
	}
	second, _ := json.Marshal(&back)
	if string(first) != string(second) {
		t.Errorf("round trip changed the tree:\n%s\n%s", first, second)
	}
}
