package agentmark

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/build"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/templatedx"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

var sdkFiles = map[string]string{
	"greet.prompt.mdx": "---\nname: greet\ntext_config:\n  model_name: openai/gpt-4o\ntest_settings:\n  props:\n    name: Test\n    items: [a]\n---\n" +
		"import Sig from './parts/sig.mdx';\n\n<System>Be brief.</System>\n\n<User>\nHello {props.name}.\n\n<ForEach arr={props.items}>\n  {(x) => (\n    <>\n    - {x}\n    </>\n  )}\n</ForEach>\n\n<Sig />\n</User>\n",
	"parts/sig.mdx":         "Thanks.",
	"obj.prompt.mdx":        "---\nname: obj\nobject_config:\n  model_name: m\n  schema: {type: object}\n---\n\n<User>q</User>\n",
	"img.prompt.mdx":        "---\nname: img\nimage_config:\n  model_name: m\n---\n\n<ImagePrompt>a cat</ImagePrompt>\n",
	"talk.prompt.mdx":       "---\nname: talk\nspeech_config:\n  model_name: m\n---\n\n<SpeechPrompt>hi</SpeechPrompt>\n",
	"plain.prompt.mdx":      "---\nname: plain\ntext_config:\n  model_name: m\n---\n\n<User>{props.x}</User>\n",
	"custom.prompt.mdx":     "---\nname: custom\ntext_config:\n  model_name: m\n---\n\n<User>Say {shout(props.x)} <Stamp /></User>\n",
	"../outside.prompt.mdx": "---\nname: out\ntext_config:\n  model_name: m\n---\n",
}

func sdkProject(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "agentmark")
	for p, c := range sdkFiles {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// stringify is the compact JSON of a Format result, or the error text.
func stringify(o *jsvalue.Object, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	s, _ := jsvalue.Stringify(o)
	return s
}

const greetOut = `{"name":"greet","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello Ada.\n\n* tea\n* cake\n\nThanks."}],` +
	`"text_config":{"model_name":"openai/gpt-4o"},"test_settings":{"props":{"name":"Test","items":["a"]}}}`

func TestSourceAndBuiltDir(t *testing.T) {
	dir := sdkProject(t)
	out := filepath.Join(t.TempDir(), "dist")
	res, err := build.Project(build.Options{SourceDir: dir, OutDir: out})
	// The build knows no custom tags: only custom.prompt.mdx fails.
	if err != nil || len(res.Failed) != 1 || res.Failed[0].Path != "custom.prompt.mdx" {
		t.Fatalf("build: %+v %v", res, err)
	}
	props := map[string]any{"name": "Ada", "items": []string{"tea", "cake"}}
	for name, c := range map[string]*Client{
		"source": New(WithSourceDir(dir)),
		"built":  New(WithBuiltDir(out)),
	} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"greet.prompt.mdx"} {
				p, err := c.LoadTextPrompt(path)
				if err != nil {
					t.Fatal(err)
				}
				if p.Name() != "greet" || p.Template().Kind() != prompt.KindText {
					t.Errorf("name %q kind %q", p.Name(), p.Template().Kind())
				}
				if got := stringify(p.Format(props)); got != greetOut {
					t.Errorf("got  %s\nwant %s", got, greetOut)
				}
				// Struct props work too.
				type in struct {
					Name  string   `json:"name"`
					Items []string `json:"items"`
				}
				if got := stringify(p.Format(in{Name: "Ada", Items: []string{"tea", "cake"}})); got != greetOut {
					t.Errorf("struct props: %s", got)
				}
				ts := stringify(p.FormatWithTestProps())
				if !strings.Contains(ts, `"content":"Hello Test.\n\n* a\n\nThanks."`) {
					t.Errorf("FormatWithTestProps: %s", ts)
				}
			}
			if _, err := c.LoadObjectPrompt("obj.prompt.mdx"); err != nil {
				t.Errorf("object: %v", err)
			}
			if _, err := c.LoadImagePrompt("img.prompt.mdx"); err != nil {
				t.Errorf("image: %v", err)
			}
			if _, err := c.LoadSpeechPrompt("talk.prompt.mdx"); err != nil {
				t.Errorf("speech: %v", err)
			}
		})
	}
	// The built loader also finds prompts by short names.
	if _, err := New(WithBuiltDir(out)).LoadTextPrompt("greet"); err != nil {
		t.Errorf("short name: %v", err)
	}
}

func TestWrongKind(t *testing.T) {
	c := New(WithSourceDir(sdkProject(t)))
	for _, tt := range []struct {
		load func(string) (*Prompt, error)
		path string
		want string
	}{
		{c.LoadTextPrompt, "obj.prompt.mdx", `ZodError: [{"path":["text_config"],"message":"Required"}]`},
		{c.LoadObjectPrompt, "plain.prompt.mdx", `ZodError: [{"path":["object_config"],"message":"Required"}]`},
		{c.LoadImagePrompt, "talk.prompt.mdx", `ZodError: [{"path":["image_config"],"message":"Required"}]`},
		{c.LoadSpeechPrompt, "img.prompt.mdx", `ZodError: [{"path":["speech_config"],"message":"Required"}]`},
	} {
		_, err := tt.load(tt.path)
		var ve *prompt.ValidationError
		if !errors.As(err, &ve) || !strings.HasSuffix(err.Error(), tt.path+": "+tt.want) {
			t.Errorf("%s: got %v, want ...%s: %s", tt.path, err, tt.path, tt.want)
		}
	}
}

func TestLoaderErrors(t *testing.T) {
	dir := sdkProject(t)
	c := New(WithSourceDir(dir))
	if _, err := c.LoadTextPrompt("../outside.prompt.mdx"); err == nil || err.Error() != "Access denied: path outside allowed directory" {
		t.Errorf("escape: %v", err)
	}
	if _, err := c.LoadTextPrompt("missing.prompt.mdx"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	b := New(WithBuiltDir(t.TempDir()))
	if _, err := b.LoadTextPrompt("greet.prompt.mdx"); err == nil || err.Error() != "Pre-built prompt not found: greet.prompt.json. Run 'agentmark build' to compile your prompts." {
		t.Errorf("built missing: %v", err)
	}
}

func TestBuiltInModels(t *testing.T) {
	dir := sdkProject(t)
	c := New(WithSourceDir(dir), WithBuiltInModels("anthropic/claude", "mock/echo"))
	_, err := c.LoadTextPrompt("greet.prompt.mdx")
	if err == nil || err.Error() != `model_name "openai/gpt-4o" is not in builtInModels. Run agentmark pull-models to add it.` {
		t.Errorf("got %v", err)
	}
	if _, err := New(WithSourceDir(dir), WithBuiltInModels("openai/gpt-4o")).LoadTextPrompt("greet.prompt.mdx"); err != nil {
		t.Errorf("allowed model: %v", err)
	}
	// An empty list allows every model.
	if _, err := New(WithSourceDir(dir), WithBuiltInModels()).LoadTextPrompt("greet.prompt.mdx"); err != nil {
		t.Errorf("empty list: %v", err)
	}
}

func TestFilterAndTag(t *testing.T) {
	dir := sdkProject(t)
	stamp := templatedx.TagFunc(func(_ *jsvalue.Object, _ []*mdast.Node, _ *templatedx.TagContext) ([]*mdast.Node, error) {
		return []*mdast.Node{{Type: mdast.Text, Value: "stamped"}}, nil
	})
	c := New(
		WithFilter("shout", func(args []jsvalue.Value) (jsvalue.Value, error) {
			s, _ := args[0].(string)
			return strings.ToUpper(s) + "!", nil
		}),
		WithTag(stamp, "Stamp"),
		WithSourceDir(dir),
	)
	p, err := c.LoadTextPrompt("custom.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	got := stringify(p.Format(map[string]any{"x": "hey"}))
	if want := `{"name":"custom","messages":[{"role":"user","content":"Say HEY! stamped"}],"text_config":{"model_name":"m"}}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Without them the prompt does not load.
	if _, err := New(WithSourceDir(dir)).LoadTextPrompt("custom.prompt.mdx"); err == nil {
		t.Error("unregistered filter/tag should fail")
	}
	// Each client has its own engine.
	if _, err := New(WithSourceDir(dir), WithTag(stamp, "Stamp")).LoadTextPrompt("custom.prompt.mdx"); err == nil || !strings.Contains(err.Error(), "shout") {
		t.Errorf("filter leaked between clients: %v", err)
	}
}

func TestFormatWithTestPropsWithout(t *testing.T) {
	c := New(WithSourceDir(sdkProject(t)))
	p, err := c.LoadTextPrompt("plain.prompt.mdx")
	if err != nil {
		t.Fatal(err)
	}
	if got := stringify(p.FormatWithTestProps()); got != `{"name":"plain","messages":[{"role":"user","content":""}],"text_config":{"model_name":"m"}}` {
		t.Errorf("got %s", got)
	}
}

type mapLoader map[string]string

func (m mapLoader) LoadPrompt(path string, opts prompt.Options) (*prompt.Template, error) {
	src, ok := m[path]
	if !ok {
		return nil, os.ErrNotExist
	}
	opts.Path = path
	return prompt.Parse(src, opts)
}

func TestWithLoader(t *testing.T) {
	c := New(WithLoader(mapLoader{"x": "---\nname: x\ntext_config:\n  model_name: m\n---\n<User>{props.a}</User>\n"}))
	p, err := c.LoadTextPrompt("x")
	if err != nil {
		t.Fatal(err)
	}
	if got := stringify(p.Format(nil)); got != `{"name":"x","messages":[{"role":"user","content":""}],"text_config":{"model_name":"m"}}` {
		t.Errorf("nil props: %s", got)
	}
	if _, err := c.LoadTextPrompt("y"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
