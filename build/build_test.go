package build

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/prompt/schemaref"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var projectFiles = map[string]string{
	"agentmark.json": `{"version":"2.0.0","agentmarkPath":"."}`,
	"outside.mdx":    "outside the prompt dir",
	"agentmark/greet.prompt.mdx": "---\nname: greet\ntext_config:\n  model_name: m\n---\n" +
		"import Sig from './components/sig.mdx';\n\n<System>Be kind.</System>\n\n<User>\nHello {props.name}.\n\n<Sig who={props.name} />\n</User>\n",
	"agentmark/components/sig.mdx": "Signed by {props.who}",
	// A component import relative to a prompt in a subdirectory.
	"agentmark/sub/loop.prompt.mdx": "---\nname: loop\ntext_config:\n  model_name: m\ntest_settings:\n  props:\n    items: [tea, cake]\n  dataset: data/set.jsonl\n---\n" +
		"import Sig from '../components/sig.mdx';\n\n<User>\nI bought:\n\n<ForEach arr={props.items}>\n  {(item, i) => (\n    <>\n    - {i}: {upper(item)}\n    </>\n  )}\n</ForEach>\n\n<Sig who=\"loop\" />\n</User>\n\n" +
		"<ForEach arr={props.items}>{(x) => (<>\n<Assistant>ok {x}</Assistant>\n</>)}</ForEach>\n",
	"agentmark/sub/obj.prompt.mdx":            "---\nname: obj\nobject_config:\n  model_name: m\n  schema:\n    $ref: ../schemas/out.json#/definitions/Out\n    description: dropped\ninput_schema:\n  $ref: ./in.json\n---\n\n<User>{props.q}</User>\n",
	"agentmark/sub/in.json":                   `{"type":"object","properties":{"q":{"type":"string"}}}`,
	"agentmark/schemas/out.json":              `{"definitions":{"Out":{"type":"object","properties":{"a":{"$ref":"./leaf.json"}}}}}`,
	"agentmark/schemas/leaf.json":             `{"type":"string"}`,
	"agentmark/img.prompt.mdx":                "---\nname: ''\nimage_config:\n  model_name: m\n  size: 1x1\n---\n\n<ImagePrompt>A {props.a}</ImagePrompt>\n",
	"agentmark/speech/talk.prompt.mdx":        "---\nname: talk\nspeech_config:\n  model_name: m\n---\n\n<System>calm</System>\n<SpeechPrompt>Say {props.w}</SpeechPrompt>\n",
	"agentmark/broken.prompt.mdx":             "---\nname: broken\ntext_config:\n  model_name: m\n---\n\n<User>{</User>\n",
	"agentmark/escape.prompt.mdx":             "---\nname: esc\ntext_config:\n  model_name: m\n---\nimport O from '../outside.mdx';\n\n<User><O /></User>\n",
	"agentmark/badref.prompt.mdx":             "---\nname: badref\nobject_config:\n  model_name: m\n  schema:\n    $ref: ./missing.json\n---\n\n<User>x</User>\n",
	"agentmark/data/set.jsonl":                "{\"input\":{\"items\":[\"x\"]}}\n",
	"agentmark/.hidden/skip.jsonl":            "{\"input\":{}}\n",
	"agentmark/node_modules/pkg/n.prompt.mdx": "not even a prompt",
	"agentmark/notes.md":                      "ignored",
}

func setup(t *testing.T) (root, src, out string) {
	t.Helper()
	root = t.TempDir()
	for p, c := range projectFiles {
		write(t, filepath.Join(root, filepath.FromSlash(p)), c)
	}
	return root, filepath.Join(root, "agentmark"), filepath.Join(root, "dist", "agentmark")
}

var fixedNow = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 3600)) }

const builtAt = "2024-05-06T06:08:09.000Z"

func TestProject(t *testing.T) {
	_, src, out := setup(t)
	res, err := Project(Options{SourceDir: src, OutDir: out, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	wantBuilt := []string{"greet.prompt.mdx", "img.prompt.mdx", "speech/talk.prompt.mdx", "sub/loop.prompt.mdx", "sub/obj.prompt.mdx"}
	if !reflect.DeepEqual(res.Built, wantBuilt) {
		t.Errorf("built %v, want %v", res.Built, wantBuilt)
	}
	failed := map[string]string{}
	for _, f := range res.Failed {
		failed[f.Path] = f.Err.Error()
	}
	if len(failed) != 3 {
		t.Errorf("failed: %v", failed)
	}
	if e := failed["broken.prompt.mdx"]; !strings.Contains(e, "broken.prompt.mdx:8:1: Unexpected end of file in expression") {
		t.Errorf("broken: %q (want a located error)", e)
	}
	if e := failed["escape.prompt.mdx"]; !strings.Contains(e, "Access denied") {
		t.Errorf("escape: %q", e)
	}
	if e := failed["badref.prompt.mdx"]; !strings.Contains(e, "Schema $ref error: file not found") {
		t.Errorf("badref: %q", e)
	}
	if !reflect.DeepEqual(res.Datasets, []string{"data/set.jsonl"}) {
		t.Errorf("datasets %v", res.Datasets)
	}

	// The output tree.
	var files []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	wantFiles := []string{"data/set.jsonl", "greet.prompt.json", "img.prompt.json", "manifest.json", "speech/talk.prompt.json", "sub/loop.prompt.json", "sub/obj.prompt.json"}
	if !reflect.DeepEqual(files, wantFiles) {
		t.Errorf("output files %v\nwant %v", files, wantFiles)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "data", "set.jsonl")); string(data) != projectFiles["agentmark/data/set.jsonl"] {
		t.Errorf("dataset copy: %q", data)
	}

	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantManifest := `{"version":"1.0","builtAt":"` + builtAt + `","prompts":[` +
		`{"path":"greet.prompt.mdx","outputPath":"greet.prompt.json"},` +
		`{"path":"img.prompt.mdx","outputPath":"img.prompt.json"},` +
		`{"path":"speech/talk.prompt.mdx","outputPath":"speech/talk.prompt.json"},` +
		`{"path":"sub/loop.prompt.mdx","outputPath":"sub/loop.prompt.json"},` +
		`{"path":"sub/obj.prompt.mdx","outputPath":"sub/obj.prompt.json"}]}`
	if got := compact(t, manifest); got != wantManifest {
		t.Errorf("manifest %s\nwant     %s", got, wantManifest)
	}
	if !strings.HasPrefix(string(manifest), "{\n  \"version\"") {
		t.Errorf("manifest is not 2-space indented JSON: %s", manifest)
	}

	// Metadata.
	for rel, want := range map[string]Metadata{
		"greet.prompt.json":       {Path: "greet.prompt.mdx", Kind: "text", Name: "greet", BuiltAt: builtAt},
		"img.prompt.json":         {Path: "img.prompt.mdx", Kind: "image", Name: "img", BuiltAt: builtAt},
		"speech/talk.prompt.json": {Path: "speech/talk.prompt.mdx", Kind: "speech", Name: "talk", BuiltAt: builtAt},
		"sub/loop.prompt.json":    {Path: "sub/loop.prompt.mdx", Kind: "text", Name: "loop", BuiltAt: builtAt},
		"sub/obj.prompt.json":     {Path: "sub/obj.prompt.mdx", Kind: "object", Name: "obj", BuiltAt: builtAt},
	} {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			AST      map[string]any `json:"ast"`
			Metadata Metadata       `json:"metadata"`
		}
		if err := json.Unmarshal(data, &o); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if o.Metadata != want {
			t.Errorf("%s metadata %+v, want %+v", rel, o.Metadata, want)
		}
		if o.AST["type"] != "root" {
			t.Errorf("%s: ast is not a root", rel)
		}
		// Compressed: no positions, no parser data, no imports left.
		for _, bad := range []string{`"position"`, `"estree"`, `"data"`, `mdxjsEsm`, `import `} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s contains %s", rel, bad)
			}
		}
	}
}

func compact(t *testing.T, data []byte) string {
	t.Helper()
	v, err := jsvalue.ParseJSON(data)
	if err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	s, _ := jsvalue.Stringify(v)
	return s
}

// Built prompts render exactly like their sources (ForEach included,
// although the built tree has no parser data), and $refs are inlined.
func TestBuiltRendersLikeSource(t *testing.T) {
	_, src, out := setup(t)
	if _, err := Project(Options{SourceDir: src, OutDir: out, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	built := prompt.BuiltLoader{Dir: out}
	for _, tt := range []struct{ rel, props, want string }{
		{"greet.prompt.mdx", `{"name":"Ada"}`,
			`{"name":"greet","messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"Hello Ada.\n\nSigned by Ada"}],"text_config":{"model_name":"m"}}`},
		{"sub/loop.prompt.mdx", `{"items":["tea","cake"]}`,
			`{"name":"loop","messages":[{"role":"user","content":"I bought:\n\n* 0: TEA\n* 1: CAKE\n\nSigned by loop"},{"role":"assistant","content":"ok tea"},{"role":"assistant","content":"ok cake"}],` +
				`"text_config":{"model_name":"m"},"test_settings":{"props":{"items":["tea","cake"]},"dataset":"data/set.jsonl"}}`},
		{"img.prompt.mdx", `{"a":"cat"}`, `{"name":"","image_config":{"model_name":"m","size":"1x1","prompt":"A cat"}}`},
		{"speech/talk.prompt.mdx", `{"w":"hi"}`, `{"name":"talk","speech_config":{"model_name":"m","text":"Say hi","instructions":"calm"}}`},
	} {
		t.Run(tt.rel, func(t *testing.T) {
			props, err := jsvalue.ParseJSON([]byte(tt.props))
			if err != nil {
				t.Fatal(err)
			}
			abs := filepath.Join(src, filepath.FromSlash(tt.rel))
			text, err := os.ReadFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			fromSrc, err := prompt.Parse(string(text), prompt.Options{Path: abs, Loader: project.FileLoader(src)})
			if err != nil {
				t.Fatal(err)
			}
			fromBuilt, err := built.Load(tt.rel, prompt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, err := fromSrc.Format(props)
			if err != nil {
				t.Fatal(err)
			}
			b, err := fromBuilt.Format(props)
			if err != nil {
				t.Fatalf("built: %v", err)
			}
			sa, _ := jsvalue.Stringify(a)
			sb, _ := jsvalue.Stringify(b)
			if sa != tt.want {
				t.Errorf("source  %s\nwant    %s", sa, tt.want)
			}
			if sb != sa {
				t.Errorf("built   %s\nsource  %s", sb, sa)
			}
		})
	}

	obj, err := built.Load("sub/obj", prompt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out2, err := obj.Format(jsvalue.FromGo(map[string]any{"q": "why"}))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := jsvalue.Stringify(out2)
	want := `{"name":"obj","messages":[{"role":"user","content":"why"}],"object_config":{"model_name":"m","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}`
	if s != want {
		t.Errorf("object from build %s\nwant %s", s, want)
	}
	in, _ := obj.Frontmatter().Get("input_schema")
	if s, _ := jsvalue.Stringify(in); s != `{"type":"object","properties":{"q":{"type":"string"}}}` {
		t.Errorf("input_schema %s", s)
	}
	if schemaref.ContainsRef(obj.Frontmatter()) {
		t.Error("built frontmatter still has $refs")
	}
}

func TestProjectErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	_, err := Project(Options{SourceDir: missing, OutDir: filepath.Join(dir, "out")})
	if err == nil || err.Error() != "AgentMark directory not found: "+missing+". Check your agentmark.json configuration." {
		t.Errorf("missing dir: %v", err)
	}
	file := filepath.Join(dir, "file")
	write(t, file, "x")
	if _, err := Project(Options{SourceDir: file, OutDir: filepath.Join(dir, "out")}); err == nil || !strings.HasPrefix(err.Error(), "AgentMark directory not found") {
		t.Errorf("file as dir: %v", err)
	}
	// An empty project builds an empty manifest.
	empty := filepath.Join(dir, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := Project(Options{SourceDir: empty, OutDir: filepath.Join(dir, "out2"), Now: fixedNow})
	if err != nil || len(res.Built)+len(res.Failed) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out2", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := compact(t, data); got != `{"version":"1.0","builtAt":"`+builtAt+`","prompts":[]}` {
		t.Errorf("empty manifest %s", got)
	}
	if !errors.Is(ErrNoConfig, ErrNoConfig) || !strings.HasPrefix(ErrNoConfig.Error(), "agentmark.json not found in current directory.") {
		t.Errorf("ErrNoConfig: %v", ErrNoConfig)
	}
}

func TestHasDotSegment(t *testing.T) {
	for p, want := range map[string]bool{"a/b.jsonl": false, ".a/b.jsonl": true, "a/.b/c.jsonl": true, ".x.jsonl": true, "a.b/c.jsonl": false} {
		if got := hasDotSegment(p); got != want {
			t.Errorf("hasDotSegment(%q) = %v", p, got)
		}
	}
}
