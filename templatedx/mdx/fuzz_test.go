package mdx

import (
	"errors"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

func FuzzParse(f *testing.F) {
	for _, g := range loadGoldens(f) {
		f.Add(g.Src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tree, err := Parse(src)
		body := strings.TrimPrefix(src, "\uFEFF")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error", err)
			}
			if strings.HasPrefix(e.Message, "internal MDX parser error") {
				t.Fatalf("internal error: %v", e)
			}
			if e.Line < 1 || e.Column < 1 || e.Offset < 0 || e.Offset > len(body) {
				t.Fatalf("bad error place: %+v", e)
			}
			if lines := strings.Count(body, "\n") + strings.Count(body, "\r") + 1; e.Line > lines {
				t.Fatalf("error line %d beyond %d lines", e.Line, lines)
			}
			return
		}
		if tree == nil || tree.Type != mdast.Root {
			t.Fatal("no root")
		}
		mdast.Walk(tree, func(n *mdast.Node) bool {
			p := n.Position
			if p == nil {
				t.Fatalf("%s without position", n.Type)
			}
			if p.Start.Offset < 0 || p.End.Offset > len(body) || p.Start.Offset > p.End.Offset {
				t.Fatalf("%s: bad position %+v (len %d)", n.Type, p, len(body))
			}
			return true
		})
	})
}
