package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/build"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/scaffold"
	"github.com/agentmark-go/agentmark/templatedx"
)

const cliPrompt = "---\nname: hello\ntext_config:\n  model_name: m\ntest_settings:\n  props:\n    who: tester\n---\n" +
	"import Sig from './parts/sig.mdx';\n\n<User>\nHi {props.who}.\n\n<Sig />\n</User>\n"

func cliProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"agentmark.json":               `{"version":"2.0.0","agentmarkPath":"."}`,
		"agentmark/hello.prompt.mdx":   cliPrompt,
		"agentmark/parts/sig.mdx":      "Bye.",
		"agentmark/bad.prompt.mdx":     "---\nname: bad\ntext_config:\n  model_name: m\n---\n\n<User>\n{props.x +}\n</User>\n",
		"agentmark/data/rows.jsonl":    "{\"input\":{}}\n",
		"props.json":                   `{"who":"json-file"}`,
		"props.yaml":                   "who: yaml-file\n",
		"props.yml":                    "who: yml-file\n",
		"broken.json":                  `{"who":`,
		"broken.yaml":                  "who: [\n",
		"agentmark/notext.prompt.mdx":  "---\nname: notext\ntext_config:\n  model_name: m\ntest_settings:\n  props: null\n---\n\n<User>[{props.who}]</User>\n",
		"agentmark/noprops.prompt.mdx": "---\nname: noprops\ntext_config:\n  model_name: m\n---\n\n<User>[{props.who}]</User>\n",
	})
	return dir
}

// compactJSON re-encodes CLI JSON output compactly (keeping key order).
func compactJSON(t *testing.T, s string) string {
	t.Helper()
	v, err := jsvalue.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	c, _ := jsvalue.Stringify(v)
	return c
}

func helloOut(who string) string {
	return `{"name":"hello","messages":[{"role":"user","content":"Hi ` + who + `.\n\nBye."}],"text_config":{"model_name":"m"},"test_settings":{"props":{"who":"tester"}}}`
}

func TestFormat(t *testing.T) {
	dir := cliProject(t)
	p := "agentmark/hello.prompt.mdx"
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no props", []string{"format", p}, helloOut("")},
		{"--props", []string{"format", p, "--props", `{"who":"Ada"}`}, helloOut("Ada")},
		{"--props=", []string{"format", "--props={\"who\":\"Eq\"}", p}, helloOut("Eq")},
		{"--props-file json", []string{"format", p, "--props-file", "props.json"}, helloOut("json-file")},
		{"--props-file yaml", []string{"format", p, "--props-file", "props.yaml"}, helloOut("yaml-file")},
		{"--props-file yml", []string{"format", p, "--props-file", "props.yml"}, helloOut("yml-file")},
		{"--test-props", []string{"format", p, "--test-props"}, helloOut("tester")},
		{"absolute path", []string{"format", filepath.Join(dir, "agentmark", "hello.prompt.mdx"), "--props", `{"who":"abs"}`}, helloOut("abs")},
		{"--test-props with null props", []string{"format", "agentmark/notext.prompt.mdx", "--test-props"},
			`{"name":"notext","messages":[{"role":"user","content":"\\[]"}],"text_config":{"model_name":"m"},"test_settings":{"props":null}}`},
		{"--test-props without test_settings", []string{"format", "agentmark/noprops.prompt.mdx", "--test-props"},
			`{"name":"noprops","messages":[{"role":"user","content":"\\[]"}],"text_config":{"model_name":"m"}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, dir, tt.args...)
			if err != nil {
				t.Fatalf("error: %v\nstderr: %s", err, stderr)
			}
			if got := compactJSON(t, stdout); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !strings.HasPrefix(stdout, "{\n  \"name\"") || !strings.HasSuffix(stdout, "}\n") {
				t.Errorf("output is not 2-space indented JSON with a final newline: %q", stdout)
			}
		})
	}
}

func TestFormatErrors(t *testing.T) {
	dir := cliProject(t)
	p := "agentmark/hello.prompt.mdx"
	for _, tt := range []struct {
		name string
		args []string
		want string // prefix of the error text
	}{
		{"props and props-file", []string{"format", p, "--props", "{}", "--props-file", "props.json"}, "use either --props or --props-file, not both"},
		{"test-props and props", []string{"format", p, "--test-props", "--props", "{}"}, "--test-props cannot be combined with --props or --props-file"},
		{"test-props and props-file", []string{"format", p, "--test-props", "--props-file", "props.json"}, "--test-props cannot be combined with --props or --props-file"},
		{"conflict checked before the file is read", []string{"format", "missing.prompt.mdx", "--test-props", "--props", "{}"}, "--test-props cannot be combined"},
		{"invalid JSON props", []string{"format", p, "--props", `{"who":`}, "--props is not valid JSON: "},
		{"invalid JSON props file", []string{"format", p, "--props-file", "broken.json"}, "broken.json is not valid JSON: "},
		{"invalid YAML props file", []string{"format", p, "--props-file", "broken.yaml"}, "broken.yaml: "},
		{"missing props file", []string{"format", p, "--props-file", "nope.json"}, "open nope.json"},
		{"missing prompt", []string{"format", "agentmark/nope.prompt.mdx"}, "open "},
		{"no argument", []string{"format"}, "accepts 1 arg(s), received 0"},
		{"two arguments", []string{"format", p, p}, "accepts 1 arg(s), received 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := runCLI(t, dir, tt.args...)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want prefix %q", err, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout on error: %q", stdout)
			}
		})
	}
}

func TestFormatLocatedError(t *testing.T) {
	dir := cliProject(t)
	_, _, err := runCLI(t, dir, "format", "agentmark/bad.prompt.mdx")
	var te *templatedx.Error
	if !errors.As(err, &te) {
		t.Fatalf("want a located template error, got %T %v", err, err)
	}
	wantFile := filepath.ToSlash(filepath.Join(dir, "agentmark", "bad.prompt.mdx"))
	if te.File != wantFile || te.Line != 8 || te.Column < 1 {
		t.Errorf("location %s:%d:%d, want %s:8", te.File, te.Line, te.Column, wantFile)
	}
	if !strings.HasPrefix(err.Error(), wantFile+":8:") {
		t.Errorf("message %q does not start with file:line:col", err.Error())
	}
	// A validation error names the file too.
	writeFiles(t, dir, map[string]string{"agentmark/noname.prompt.mdx": "---\ntext_config:\n  model_name: m\n---\n"})
	_, _, err = runCLI(t, dir, "format", "agentmark/noname.prompt.mdx")
	if err == nil || !strings.HasSuffix(err.Error(), `noname.prompt.mdx: ZodError: [{"path":["name"],"message":"Required"}]`) {
		t.Errorf("validation error: %v", err)
	}
}

func TestBuildCommand(t *testing.T) {
	dir := cliProject(t)
	_, stderr, err := runCLI(t, dir, "build")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || err.Error() != "1 prompt(s) failed to build" {
		t.Fatalf("got %T %v", err, err)
	}
	for _, want := range []string{"  ✓ hello.prompt.mdx\n", "  ✓ noprops.prompt.mdx\n", "  ✗ bad.prompt.mdx: ", "Built 3 prompt(s), 1 failed, 1 dataset(s) copied to " + filepath.Join("dist", "agentmark")} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	out := filepath.Join(dir, "dist", "agentmark")
	for _, f := range []string{"manifest.json", "hello.prompt.json", "notext.prompt.json", "noprops.prompt.json", "data/rows.jsonl"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(f))); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "bad.prompt.json")); err == nil {
		t.Error("failed prompt was written")
	}
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(compactJSON(t, string(manifest)), `"prompts":[{"path":"hello.prompt.mdx","outputPath":"hello.prompt.json"},{"path":"noprops.prompt.mdx","outputPath":"noprops.prompt.json"},{"path":"notext.prompt.mdx","outputPath":"notext.prompt.json"}]`) {
		t.Errorf("manifest %s", manifest)
	}

	// Success, with --out.
	if err := os.Remove(filepath.Join(dir, "agentmark", "bad.prompt.mdx")); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = runCLI(t, dir, "build", "--out", "other")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "other", "hello.prompt.json")); err != nil {
		t.Error(err)
	}
	_, _, err = runCLI(t, dir, "build", "-o", filepath.Join(dir, "abs-out"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "abs-out", "manifest.json")); err != nil {
		t.Error(err)
	}
}

func TestBuildCommandErrors(t *testing.T) {
	empty := t.TempDir()
	if _, _, err := runCLI(t, empty, "build"); !errors.Is(err, build.ErrNoConfig) {
		t.Errorf("no config: %v", err)
	}
	bad := t.TempDir()
	writeFiles(t, bad, map[string]string{"agentmark.json": `{"version":`})
	if _, _, err := runCLI(t, bad, "build"); err == nil || !strings.HasPrefix(err.Error(), "agentmark.json is not valid JSON: ") {
		t.Errorf("invalid config: %v", err)
	}
	writeFiles(t, bad, map[string]string{"agentmark.json": `[]`})
	if _, _, err := runCLI(t, bad, "build"); err == nil || err.Error() != "agentmark.json is not a JSON object" {
		t.Errorf("non-object config: %v", err)
	}
	noDir := t.TempDir()
	writeFiles(t, noDir, map[string]string{"agentmark.json": `{"version":"2.0.0","agentmarkPath":"src"}`})
	if _, _, err := runCLI(t, noDir, "build"); err == nil || err.Error() != "AgentMark directory not found: "+filepath.Join(noDir, "src", "agentmark")+". Check your agentmark.json configuration." {
		t.Errorf("missing prompt dir: %v", err)
	}
	if _, _, err := runCLI(t, noDir, "build", "extra"); err == nil {
		t.Error("build takes no arguments")
	}
}

func TestInitThenFormat(t *testing.T) {
	parent := t.TempDir()
	stdout, _, err := runCLI(t, parent, "init", "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"agentmark.json", ".gitignore", scaffold.ExamplePrompt, "agentmark/customer-support.jsonl"} {
		if _, err := os.Stat(filepath.Join(parent, "demo", filepath.FromSlash(f))); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
		if !strings.Contains(stdout, "  created "+filepath.Join("demo", filepath.FromSlash(f))+"\n") {
			t.Errorf("stdout lacks created %s:\n%s", f, stdout)
		}
	}
	if !strings.Contains(stdout, "agentmark format "+filepath.Join("demo", filepath.FromSlash(scaffold.ExamplePrompt))) {
		t.Errorf("no next step:\n%s", stdout)
	}

	out, _, err := runCLI(t, parent, "format", filepath.Join("demo", filepath.FromSlash(scaffold.ExamplePrompt)), "--test-props")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"customer-support","messages":[` +
		`{"role":"system","content":"You are a friendly support agent for **Acme Cloud**. Answer in at most three sentences.\n\nAda is on the Pro plan: offer priority escalation."},` +
		`{"role":"user","content":"Earlier conversations:\n\n* Asked about billing last week\n\nQuestion: How do I export my traces?"}],` +
		`"text_config":{"model_name":"mock/echo","temperature":0.2,"max_tokens":400},` +
		`"test_settings":{"props":{"customer":"Ada","plan":"pro","question":"How do I export my traces?","history":["Asked about billing last week"]},"dataset":"customer-support.jsonl","evals":["exact_match"]}}`
	if got := compactJSON(t, out); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// The scaffolded project builds cleanly.
	if _, stderr, err := runCLI(t, filepath.Join(parent, "demo"), "build"); err != nil {
		t.Errorf("build of the scaffold: %v\n%s", err, stderr)
	}

	// A second init keeps files; --overwrite replaces them.
	cfg := filepath.Join(parent, "demo", "agentmark.json")
	if err := os.WriteFile(cfg, []byte(`{"mine":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err = runCLI(t, parent, "init", "demo")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "  kept    "+filepath.Join("demo", "agentmark.json")) {
		t.Errorf("no kept line:\n%s", stdout)
	}
	if data, _ := os.ReadFile(cfg); string(data) != `{"mine":true}` {
		t.Errorf("init overwrote agentmark.json: %s", data)
	}
	if _, _, err := runCLI(t, parent, "init", "demo", "--overwrite"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(cfg); string(data) == `{"mine":true}` {
		t.Error("--overwrite kept agentmark.json")
	}
	// init in the current directory.
	here := t.TempDir()
	if _, _, err := runCLI(t, here, "init"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(here, "agentmark.json")); err != nil {
		t.Error(err)
	}
	if _, _, err := runCLI(t, here, "init", "a", "b"); err == nil {
		t.Error("init takes at most one argument")
	}
}

func TestVersion(t *testing.T) {
	stdout, _, err := runCLI(t, t.TempDir(), "--version")
	if err != nil {
		t.Fatal(err)
	}
	if want := "agentmark version " + versionString() + "\n"; stdout != want {
		t.Errorf("got %q, want %q", stdout, want)
	}
	if versionString() == "" {
		t.Error("empty version")
	}
	old := version
	version = "1.2.3"
	defer func() { version = old }()
	if versionString() != "1.2.3" {
		t.Errorf("ldflags version ignored: %s", versionString())
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, _, err := runCLI(t, t.TempDir(), "nope"); err == nil || !strings.Contains(err.Error(), `unknown command "nope"`) {
		t.Errorf("got %v", err)
	}
}

func TestExitError(t *testing.T) {
	e := &exitError{code: 3, err: errors.New("boom")}
	var wrapped error = e
	var ee *exitError
	if !errors.As(wrapped, &ee) || ee.code != 3 || e.Error() != "boom" {
		t.Errorf("exitError: %+v", ee)
	}
}
