package prompt

import (
	"fmt"
	"strings"
	"testing"
)

// Regressions found by differential testing against upstream
// (internal/difftest).
func TestDifftestComponentFrontmatterInMessage(t *testing.T) {
	comps := map[string]string{"/p/item.md": "---\nname: inner\n---\nBody\n"}
	load := func(p string) (string, error) {
		if s, ok := comps[p]; ok {
			return s, nil
		}
		return "", fmt.Errorf("not found: %s", p)
	}
	// Upstream serializes message text without the frontmatter extension,
	// so a component's own frontmatter inside a message is an error...
	src := textHead + "import Item from './item.md';\n\n<User>\n<Item />\n</User>\n"
	_, err := Parse(src, Options{Path: "/p/main.prompt.mdx", Loader: load})
	if err == nil || !strings.Contains(err.Error(), "Cannot handle unknown node `yaml`") {
		t.Fatalf("got %v, want the upstream yaml error", err)
	}
	// ...and outside any message it is dropped with the rest.
	src = textHead + "import Item from './item.md';\n\n<Item />\n\n<User>\nx\n</User>\n"
	if _, err := Parse(src, Options{Path: "/p/main.prompt.mdx", Loader: load}); err != nil {
		t.Fatal(err)
	}
}

func TestDifftestFormatRegressions(t *testing.T) {
	runFormatCases(t, []formatCase{
		// emphasis: the rule of 3 looks at what is left of a run
		{"emphasis remaining sizes", textHead + "<User>\n__em_ x **b**_**\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"**em* x **b***\\*\\*"}],"text_config":{"model_name":"m"}}`},
		// an empty list item cannot interrupt a paragraph, even nested
		{"nested empty item after paragraph", textHead + "<User>\n1) a\n   - 1)\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"1. a\n   * 1\\)"}],"text_config":{"model_name":"m"}}`},
	})
}
