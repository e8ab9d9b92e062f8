package scaffold

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
)

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "proj")
	res, err := Write(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	written := append([]string(nil), res.Written...)
	sort.Strings(written)
	want := []string{".gitignore", "agentmark.json", "agentmark/customer-support.jsonl", ExamplePrompt}
	sort.Strings(want)
	if strings.Join(written, ",") != strings.Join(want, ",") || len(res.Kept) != 0 {
		t.Errorf("written %v kept %v", res.Written, res.Kept)
	}
	cfg, err := project.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Version != "2.0.0" || cfg.PromptDir(dir) != filepath.Join(dir, "agentmark") {
		t.Errorf("config %+v", cfg)
	}

	res, err = Write(dir, Options{})
	if err != nil || len(res.Written) != 0 || len(res.Kept) != len(want) {
		t.Errorf("second write: %+v %v", res, err)
	}
	res, err = Write(dir, Options{Overwrite: true})
	if err != nil || len(res.Written) != len(want) {
		t.Errorf("overwrite: %+v %v", res, err)
	}
}

// The example prompt loads and renders every row of its dataset, with
// readable message text.
func TestExampleRendersDataset(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ExamplePrompt)))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := prompt.Parse(string(src), prompt.Options{Path: ExamplePrompt})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "agentmark", "customer-support.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{
		`[{"role":"system","content":"You are a friendly support agent for **Acme Cloud**. Answer in at most three sentences.\n\nAda is on the Pro plan: offer priority escalation."},{"role":"user","content":"Question: How do I export my traces?"}]`,
		`[{"role":"system","content":"You are a friendly support agent for **Acme Cloud**. Answer in at most three sentences.\n\nLin is on the Free plan: point to the documentation first."},{"role":"user","content":"Earlier conversations:\n\n* Asked about pricing\n\nQuestion: Where are the docs?"}]`,
	}
	sc := bufio.NewScanner(f)
	i := 0
	for ; sc.Scan(); i++ {
		row, err := jsvalue.ParseJSON(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		in, _ := row.(*jsvalue.Object).Get("input")
		out, err := tpl.Format(in)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		msgs, _ := out.Get("messages")
		got, _ := jsvalue.Stringify(msgs)
		if i < len(want) && got != want[i] {
			t.Errorf("row %d:\ngot  %s\nwant %s", i, got, want[i])
		}
	}
	if i != len(want) {
		t.Errorf("%d rows, want %d", i, len(want))
	}
}
