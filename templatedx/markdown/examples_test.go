package markdown

import (
	"encoding/json"
	"testing"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Message-text behaviours from the spec (§B.9), as ToMarkdown + TrimJS.
func TestMessageExamples(t *testing.T) {
	cases := []struct{ name, tree, want string }{
		{"paragraph escapes",
			`{"type":"root","children":[{"type":"paragraph","children":[{"type":"text","value":"hi "},{"type":"text","value":"a*b_c<d>e{f}[g]"}]}]}`,
			`hi a\*b\_c\<d>e\{f}\[g]`},
		{"root phrasing: no phrasing construct",
			`{"type":"root","children":[{"type":"text","value":"hi "},{"type":"text","value":"a*b_c<d>e{f}[g]"}]}`,
			`hi a*b_c<d>e{f}[g]`},
		{"lone flow expression: only line-start escapes",
			`{"type":"root","children":[{"type":"text","value":"<b>x</b> & {y}"}]}`,
			`\<b>x</b> & {y}`},
		{"line-start list marker",
			`{"type":"root","children":[{"type":"text","value":"line1\nline2\n\n- item"}]}`,
			"line1\nline2\n\n\\- item"},
		{"glue",
			`{"type":"root","children":[{"type":"heading","depth":1,"children":[{"type":"text","value":"Title"}]},{"type":"text","value":"S"},{"type":"paragraph","children":[{"type":"text","value":"After"}]}]}`,
			`# TitleSAfter`},
		{"glue with list (peek switches the bullet)",
			`{"type":"root","children":[{"type":"text","value":"1"},{"type":"list","ordered":false,"start":null,"spread":false,"children":[{"type":"listItem","spread":false,"checked":null,"children":[{"type":"paragraph","children":[{"type":"text","value":"list after expr"}]}]}]}]}`,
			`1- list after expr`},
		{"trailing spaces",
			`{"type":"root","children":[{"type":"paragraph","children":[{"type":"text","value":"text "},{"type":"text","value":"  spaced  "}]}]}`,
			`text   spaced &#x20;`},
		{"nested xml",
			`{"type":"root","children":[{"type":"mdxJsxFlowElement","name":"outer","attributes":[],"children":[{"type":"mdxJsxFlowElement","name":"inner","attributes":[],"children":[{"type":"paragraph","children":[{"type":"mdxJsxTextElement","name":"deep","attributes":[],"children":[{"type":"text","value":"x"}]}]}]}]}]}`,
			"<outer>\n  <inner>\n    <deep>x</deep>\n  </inner>\n</outer>"},
		{"attributes and self-closing",
			`{"type":"root","children":[{"type":"mdxJsxFlowElement","name":"c","attributes":[{"type":"mdxJsxAttribute","name":"q","value":"say \"hi\""},{"type":"mdxJsxAttribute","name":"t","value":{"type":"mdxJsxAttributeValueExpression","value":"props.t"}},{"type":"mdxJsxAttribute","name":"flag","value":null},{"type":"mdxJsxExpressionAttribute","value":"...rest"}],"children":[]}]}`,
			`<c q="say &#x22;hi&#x22;" t={props.t} flag {...rest} />`},
	}
	for _, c := range cases {
		var root mdast.Node
		if err := json.Unmarshal([]byte(c.tree), &root); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := TrimJS(ToMarkdown(&root)); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}
