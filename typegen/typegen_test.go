package typegen

import (
	"flag"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/prompt"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func loadFixtures(t *testing.T) []Prompt {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "prompts.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsvalue.ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	var ps []Prompt
	for _, e := range v.([]jsvalue.Value) {
		o := e.(*jsvalue.Object)
		path, _ := o.Get("path")
		kind, _ := o.Get("kind")
		in, _ := o.Get("input_schema")
		out, _ := o.Get("output_schema")
		ps = append(ps, Prompt{Path: path.(string), Kind: prompt.Kind(kind.(string)), InputSchema: in, OutputSchema: out})
	}
	return ps
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the generated output (run go test -update and review the diff):\n%s", name, got)
	}
}

func TestTypeScriptGolden(t *testing.T) {
	golden(t, "prompts.ts.golden", TypeScript(loadFixtures(t)))
}

func TestGoGolden(t *testing.T) {
	golden(t, "prompts.go.golden", Go(loadFixtures(t), "agentmarktypes"))
}

func TestDeterministicOrder(t *testing.T) {
	ps := loadFixtures(t)
	rev := make([]Prompt, len(ps))
	for i, p := range ps {
		rev[len(ps)-1-i] = p
	}
	if TypeScript(ps) != TypeScript(rev) {
		t.Error("TypeScript output depends on input order")
	}
	if Go(ps, "x") != Go(rev, "x") {
		t.Error("Go output depends on input order")
	}
}

func TestInterfaceName(t *testing.T) {
	cases := map[string]string{
		"math/addition.prompt.mdx":             "Math$Addition",
		"customer-support.prompt.mdx":          "CustomerSupport",
		"customer-support/reply_v2.prompt.mdx": "CustomerSupport$ReplyV2",
		"images/myLogo.prompt.mdx":             "Images$MyLogo",
		"a/b/c.prompt.mdx":                     "A$B$C",
		"v1.2/x y.prompt.mdx":                  "V12$Xy",
		"1st.prompt.mdx":                       "_1st",
		"日本.prompt.mdx":                        "Prompt",
	}
	for in, want := range cases {
		if got := InterfaceName(in); got != want {
			t.Errorf("InterfaceName(%q) = %q, want %q", in, got, want)
		}
	}
	goCases := map[string]string{
		"math/addition.prompt.mdx": "MathAddition",
		"1st.prompt.mdx":           "Prompt1st",
		"a-b/c_d.prompt.mdx":       "ABCD",
	}
	for in, want := range goCases {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGoFieldName(t *testing.T) {
	cases := map[string]string{
		"first_name": "FirstName", "userId": "UserID", "2fa": "X2fa", "sent-at": "SentAt",
		"URLPath": "URLPath", "": "Field", "weird key": "WeirdKey", "html": "HTML",
	}
	for in, want := range cases {
		if got := goFieldName(in); got != want {
			t.Errorf("goFieldName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypeScriptEmpty(t *testing.T) {
	got := TypeScript(nil)
	if !strings.Contains(got, "export default interface AgentmarkTypes {}") {
		t.Errorf("empty project: %s", got)
	}
}

func TestTypeScriptShapes(t *testing.T) {
	obj := func(pairs ...any) *jsvalue.Object {
		o := jsvalue.NewObject()
		for i := 0; i < len(pairs); i += 2 {
			o.Set(pairs[i].(string), jsvalue.FromGo(pairs[i+1]))
		}
		return o
	}
	cases := []struct {
		schema jsvalue.Value
		want   string
	}{
		{obj("type", "string"), "export type XIn = string;"},
		{obj("type", []string{"string", "null"}), "export type XIn = string | null;"},
		{obj("enum", []any{"a", 1.0, nil, true}), `export type XIn = "a" | 1 | null | true;`},
		{obj("const", "x\"y"), `export type XIn = "x\"y";`},
		{obj("type", "array", "items", obj("anyOf", []any{obj("type", "string"), obj("type", "number")})), "export type XIn = (string | number)[];"},
		{obj("type", "array"), "export type XIn = any[];"},
		{obj("allOf", []any{obj("type", "string"), obj("minLength", 1.0)}), "export type XIn = string;"},
		{obj("type", "object", "additionalProperties", false), "export interface XIn {\n  [key: string]: never;\n}"},
		{true, "export type XIn = any;"},
		{false, "export type XIn = never;"},
		{obj("$ref", "#/definitions/missing"), "export type XIn = any;"},
		{obj("$ref", "other.json"), "export type XIn = any;"},
	}
	for _, c := range cases {
		got := TypeScript([]Prompt{{Path: "x.prompt.mdx", Kind: prompt.KindText, InputSchema: c.schema}})
		if !strings.Contains(got, c.want) {
			s, _ := jsvalue.Stringify(c.schema)
			t.Errorf("schema %s: want %q in\n%s", s, c.want, got)
		}
	}
}

// TestGoOutputTypeChecks type-checks the generated Go file with go/types.
func TestGoOutputTypeChecks(t *testing.T) {
	src := Go(loadFixtures(t), "agentmarktypes")
	typeCheck(t, src)
	// Edge cases: an empty project and odd names still compile.
	typeCheck(t, Go(nil, "p"))
	typeCheck(t, Go([]Prompt{{Path: "1/2-3.prompt.mdx", Kind: prompt.KindSpeech}, {Path: "1/2_3.prompt.mdx", Kind: prompt.KindImage}}, "p"))
}

func typeCheck(t *testing.T, src string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("generated Go does not parse: %v\n%s", err, src)
	}
	conf := types.Config{Importer: importer.Default()}
	if _, err := conf.Check(f.Name.Name, fset, []*ast.File{f}, nil); err != nil {
		t.Fatalf("generated Go does not type-check: %v\n%s", err, src)
	}
}

// TestGoOutputBuilds builds and vets the generated package in a temporary
// module, with a round trip through encoding/json.
func TestGoOutputBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/gen\n\ngo 1.22\n")
	write("agentmarktypes/types.go", Go(loadFixtures(t), "agentmarktypes"))
	write("agentmarktypes/types_test.go", `package agentmarktypes

import (
	"encoding/json"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := `+"`"+`{"customer_question":"hi","tier":"pro","urgent":false,"history":[{"role":"user","content":"x","sent-at":"2026-01-01"}]}`+"`"+`
	var v CustomerSupportReplyV2In
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.Tier != CustomerSupportReplyV2InTierPro || v.Urgent == nil || *v.Urgent {
		t.Fatalf("%+v", v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Fatalf("round trip: %s", out)
	}
}
`)
	for _, args := range [][]string{{"vet", "./..."}, {"test", "./..."}} {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
