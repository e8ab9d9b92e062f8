package mdx

import (
	"encoding/json"
	"os"
	"testing"
)

func TestDbg(t *testing.T) {
	src := os.Getenv("MDXSRC")
	if src == "" {
		t.Skip()
	}
	tree, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(tree, "", " ")
	os.WriteFile("/tmp/mdxdbg/out.json", b, 0o644)
}
