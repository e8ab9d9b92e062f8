package templatedx

import (
	"testing"

	"github.com/agentmark-go/agentmark/templatedx/markdown"
)

func BenchmarkZZStringifyLarge(b *testing.B) {
	src, props := benchTemplate(b, "large.mdx")
	e := New()
	ast, _ := e.Parse(src, ParseOptions{})
	tree, _ := e.Transform(ast, RenderOptions{Props: props})
	for b.Loop() {
		_ = markdown.Stringify(tree)
	}
}
func BenchmarkZZTransformLarge(b *testing.B) {
	src, props := benchTemplate(b, "large.mdx")
	e := New()
	ast, _ := e.Parse(src, ParseOptions{})
	for b.Loop() {
		_, _ = e.Transform(ast, RenderOptions{Props: props})
	}
}
