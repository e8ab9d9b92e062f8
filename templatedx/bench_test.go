package templatedx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
)

// The benchmark templates are shared with bench/render (the side-by-side
// comparison with upstream).
func benchTemplate(b *testing.B, name string) (string, jsvalue.Value) {
	b.Helper()
	dir := filepath.Join("..", "bench", "render")
	src, err := os.ReadFile(filepath.Join(dir, "templates", name))
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "props.json"))
	if err != nil {
		b.Fatal(err)
	}
	props, err := jsvalue.ParseJSON(data)
	if err != nil {
		b.Fatal(err)
	}
	return string(src), props
}

func benchmarkParse(b *testing.B, name string) {
	src, _ := benchTemplate(b, name)
	e := New()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := e.Parse(src, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkRender(b *testing.B, name string) {
	src, props := benchTemplate(b, name)
	e := New()
	ast, err := e.Parse(src, ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		tree, err := e.Transform(ast, RenderOptions{Props: props})
		if err != nil {
			b.Fatal(err)
		}
		_ = markdown.Stringify(tree)
	}
}

func benchmarkAll(b *testing.B, name string) {
	src, props := benchTemplate(b, name)
	e := New()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		ast, err := e.Parse(src, ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		tree, err := e.Transform(ast, RenderOptions{Props: props})
		if err != nil {
			b.Fatal(err)
		}
		_ = markdown.Stringify(tree)
	}
}

func BenchmarkParseTypical(b *testing.B)  { benchmarkParse(b, "typical.mdx") }
func BenchmarkParseLarge(b *testing.B)    { benchmarkParse(b, "large.mdx") }
func BenchmarkRenderTypical(b *testing.B) { benchmarkRender(b, "typical.mdx") }
func BenchmarkRenderLarge(b *testing.B)   { benchmarkRender(b, "large.mdx") }

// BenchmarkTypical is parse + transform + stringify, what bench/render
// compares with upstream.
func BenchmarkTypical(b *testing.B) { benchmarkAll(b, "typical.mdx") }
func BenchmarkLarge(b *testing.B)   { benchmarkAll(b, "large.mdx") }
