package prompt

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx"
)

const textHead = "---\nname: t\ntext_config:\n  model_name: m\n---\n\n"

// formatJSON parses src and formats it with props (JSON; "" for none),
// returning the compact JSON output.
func formatJSON(t *testing.T, src, props string) (string, error) {
	t.Helper()
	tpl, err := Parse(src, Options{Path: "p.prompt.mdx"})
	if err != nil {
		return "", err
	}
	var pv jsvalue.Value = jsvalue.NewObject()
	if props != "" {
		if pv, err = jsvalue.ParseJSON([]byte(props)); err != nil {
			t.Fatalf("props: %v", err)
		}
	}
	out, err := tpl.Format(pv)
	if err != nil {
		return "", err
	}
	s, _ := jsvalue.Stringify(out)
	return s, nil
}

type formatCase struct {
	name, src, props, want string
}

func runFormatCases(t *testing.T, tests []formatCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := formatJSON(t, tt.src, tt.props)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFormatShapes(t *testing.T) {
	runFormatCases(t, []formatCase{
		{"text with everything",
			"---\nname: math\ntext_config:\n  model_name: test-model\n  temperature: 0.5\n  tools: [calc, 'mcp://docs/*']\n  custom_key: {x: 1}\ninput_schema:\n  type: object\nextra: ignored\n" +
				"agentmark_meta:\n  commit_sha: abc\ntest_settings:\n  props:\n    userMessage: What is 2+2?\n  dataset: d.jsonl\n  evals: [e1]\n---\n\n" +
				"<System>You are a helpful math tutor.</System>\n\n<User>{props.userMessage}</User>\n\n<Assistant>Here's your answer!</Assistant>\n",
			`{"userMessage":"What is 2+2?"}`,
			`{"name":"math","messages":[{"role":"system","content":"You are a helpful math tutor."},{"role":"user","content":"What is 2+2?"},{"role":"assistant","content":"Here's your answer!"}],` +
				`"text_config":{"model_name":"test-model","temperature":0.5,"tools":["calc","mcp://docs/*"],"custom_key":{"x":1}},` +
				`"test_settings":{"props":{"userMessage":"What is 2+2?"},"dataset":"d.jsonl","evals":["e1"]},"agentmark_meta":{"commit_sha":"abc"}}`},
		{"text minimal: no test_settings key",
			textHead + "<User>hi</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"hi"}],"text_config":{"model_name":"m"}}`},
		{"text_config keeps frontmatter key order and YAML values",
			"---\nname: t\ntext_config:\n  top_k: 3\n  model_name: m\n  stop_sequences: [\"\\n\"]\n  ratio: 1:1\n  when: 2024-01-02\n---\n\n<User>x</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"x"}],"text_config":{"top_k":3,"model_name":"m","stop_sequences":["\n"],"ratio":"1:1","when":"2024-01-02T00:00:00.000Z"}}`},
		{"object",
			"---\nname: o\nobject_config:\n  model_name: m\n  schema:\n    type: object\n    properties:\n      a: {type: string}\n  schema_name: S\n---\n\n<System>sys</System>\n<User>{props.q}</User>\n",
			`{"q":"why"}`,
			`{"name":"o","messages":[{"role":"system","content":"sys"},{"role":"user","content":"why"}],"object_config":{"model_name":"m","schema":{"type":"object","properties":{"a":{"type":"string"}}},"schema_name":"S"}}`},
		{"image: prompt appended",
			"---\nname: t\nimage_config:\n  model_name: m\n  size: 1024x1024\n  aspect_ratio: 16:9\n  num_images: 2\n---\n\n<ImagePrompt>\nA {props.animal}\n\nsecond para\n</ImagePrompt>\n",
			`{"animal":"cat"}`,
			`{"name":"t","image_config":{"model_name":"m","size":"1024x1024","aspect_ratio":"16:9","num_images":2,"prompt":"A cat\n\nsecond para"}}`},
		{"image: prompt keeps its frontmatter position and is overwritten",
			"---\nname: t\nimage_config:\n  model_name: m\n  prompt: old\n  size: 1x1\n---\n\n<ImagePrompt>new</ImagePrompt>\n", "",
			`{"name":"t","image_config":{"model_name":"m","prompt":"new","size":"1x1"}}`},
		{"image: no ImagePrompt gives empty prompt, test_settings and meta copied",
			"---\nname: t\nimage_config:\n  model_name: m\ntest_settings:\n  props: {a: 1}\nagentmark_meta: {k: v}\n---\n\nignored text\n", "",
			`{"name":"t","image_config":{"model_name":"m","prompt":""},"test_settings":{"props":{"a":1}},"agentmark_meta":{"k":"v"}}`},
		{"image: first ImagePrompt only, lists serialized",
			"---\nname: t\nimage_config:\n  model_name: m\n---\n\n<ImagePrompt>\n- a\n- b\n</ImagePrompt>\n\n<ImagePrompt>second</ImagePrompt>\n", "",
			`{"name":"t","image_config":{"model_name":"m","prompt":"* a\n* b"}}`},
		{"speech: text and instructions appended",
			"---\nname: t\nspeech_config:\n  model_name: m\n  voice: nova\n---\n\n<SpeechPrompt>Say {props.w}</SpeechPrompt>\n", `{"w":"hi"}`,
			`{"name":"t","speech_config":{"model_name":"m","voice":"nova","text":"Say hi","instructions":""}}`},
		{"speech: frontmatter instructions overwritten in place by System",
			"---\nname: t\nspeech_config:\n  model_name: m\n  instructions: lost\n  text: old\n  voice: nova\n---\n\n<System>Be calm</System>\n<SpeechPrompt>Hello</SpeechPrompt>\n", "",
			`{"name":"t","speech_config":{"model_name":"m","instructions":"Be calm","text":"Hello","voice":"nova"}}`},
		{"speech: instructions lost without System; second System ignored",
			"---\nname: t\nspeech_config:\n  model_name: m\n  instructions: lost\ntest_settings:\n  evals: [e]\n---\n\n<SpeechPrompt>x</SpeechPrompt>\n", "",
			`{"name":"t","speech_config":{"model_name":"m","instructions":"","text":"x"},"test_settings":{"evals":["e"]}}`},
		{"speech: two Systems are fine, the first counts",
			"---\nname: t\nspeech_config:\n  model_name: m\n---\n\n<System>one</System>\n<System>two</System>\n", "",
			`{"name":"t","speech_config":{"model_name":"m","text":"","instructions":"one"}}`},
	})
}

func TestMessages(t *testing.T) {
	runFormatCases(t, []formatCase{
		{"zero messages", textHead + "just text, outside any message\n", "",
			`{"name":"t","messages":[],"text_config":{"model_name":"m"}}`},
		{"empty messages are kept", textHead + "<User></User>\n\n<Assistant />\n\n<User>\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":""},{"role":"assistant","content":""},{"role":"user","content":""}],"text_config":{"model_name":"m"}}`},
		{"assistant first is allowed", textHead + "<Assistant>a</Assistant>\n<User>u</User>\n<User>u2</User>\n", "",
			`{"name":"t","messages":[{"role":"assistant","content":"a"},{"role":"user","content":"u"},{"role":"user","content":"u2"}],"text_config":{"model_name":"m"}}`},
		{"text outside messages is dropped", textHead + "Outside text\n<User>U</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"U"}],"text_config":{"model_name":"m"}}`},
		{"markdown re-serialized", textHead + "<User>\n- a\n- _b_\n\nTitle\n=====\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"* a\n* *b*\n\n# Title"}],"text_config":{"model_name":"m"}}`},
		{"nested message tags in document order", textHead + "<User>\n<Assistant>x</Assistant>\nouter\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"outer"},{"role":"assistant","content":"x"}],"text_config":{"model_name":"m"}}`},
		{"messages inside If keep document order",
			textHead + "<If condition={true}>\n<System>S</System>\n\n<User>U</User>\n\n<User>U2</User>\n</If>\n\n<Assistant>A</Assistant>\n", "",
			`{"name":"t","messages":[{"role":"system","content":"S"},{"role":"user","content":"U"},{"role":"user","content":"U2"},{"role":"assistant","content":"A"}],"text_config":{"model_name":"m"}}`},
		{"messages from ForEach",
			textHead + "<ForEach arr={props.arr}>{(x) => (<>\n<User>{x}</User>\n<Assistant>re {x}</Assistant>\n</>)}</ForEach>\n", `{"arr":["a","b"]}`,
			`{"name":"t","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"re a"},{"role":"user","content":"b"},{"role":"assistant","content":"re b"}],"text_config":{"model_name":"m"}}`},
		{"conditional System first", textHead + "<If condition={props.sys}>\n<System>S</System>\n</If>\n<User>U</User>\n", `{"sys":false}`,
			`{"name":"t","messages":[{"role":"user","content":"U"}],"text_config":{"model_name":"m"}}`},
	})
}

func TestMessageErrors(t *testing.T) {
	for _, tt := range []struct{ name, body, props, want string }{
		{"System after User", "<User>u</User>\n\n<System>s</System>\n", "", "System message may only be the first message: s"},
		{"two Systems", "<System>s1</System>\n\n<System>s2</System>\n", "", "System message may only be the first message: s2"},
		{"System nested in User", "<User>\n<System>inner</System>\n</User>\n", "", "System message may only be the first message: inner"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Loading renders with empty props, so the error shows at Parse.
			_, err := Parse(textHead+tt.body, Options{Path: "p.prompt.mdx"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// A System that only comes late with some props fails at Format.
	tpl, err := Parse(textHead+"<User>u</User>\n<If condition={props.late}>\n<System>late</System>\n</If>\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Format(jsvalue.FromGo(map[string]any{"late": true})); err == nil || err.Error() != "System message may only be the first message: late" {
		t.Fatalf("got %v", err)
	}
}

func TestAttachments(t *testing.T) {
	runFormatCases(t, []formatCase{
		{"image and file parts",
			textHead + "<User>\nhello\n<ImageAttachment image=\"https://e.com/i.png\" />\n<FileAttachment data=\"https://e.com/d.pdf\" mimeType=\"application/pdf\" />\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":[{"type":"text","text":"hello"},{"type":"image","image":"https://e.com/i.png"},{"type":"file","data":"https://e.com/d.pdf","mimeType":"application/pdf"}]}],"text_config":{"model_name":"m"}}`},
		{"attachment only: empty text part, mimeType kept when truthy",
			textHead + "<User><ImageAttachment image=\"https://e.com/a.png\" mimeType=\"image/png\" /></User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"image","image":"https://e.com/a.png","mimeType":"image/png"}]}],"text_config":{"model_name":"m"}}`},
		{"empty mimeType dropped",
			textHead + "<User>x<ImageAttachment image=\"https://e.com/a.png\" mimeType=\"\" /></User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image","image":"https://e.com/a.png"}]}],"text_config":{"model_name":"m"}}`},
		{"attachments scoped to their User",
			textHead + "<User>first</User>\n\n<User>second<ImageAttachment image=\"https://e.com/b.png\" /></User>\n\n<User>third</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"first"},{"role":"user","content":[{"type":"text","text":"second"},{"type":"image","image":"https://e.com/b.png"}]},{"role":"user","content":"third"}],"text_config":{"model_name":"m"}}`},
		{"falsy props values are skipped",
			textHead + "<User>\nx\n<ImageAttachment image={props.img} />\n<FileAttachment data={props.d} mimeType=\"a/b\" />\n<FileAttachment data=\"https://e.com/f\" mimeType={props.m} />\n</User>\n",
			`{"img":"","d":0,"m":null}`,
			`{"name":"t","messages":[{"role":"user","content":"x"}],"text_config":{"model_name":"m"}}`},
		{"missing props values are skipped",
			textHead + "<User>x<ImageAttachment image={props.img} /></User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":"x"}],"text_config":{"model_name":"m"}}`},
		{"props values are not URL-checked at format time",
			textHead + "<User>x<ImageAttachment image={props.img} /></User>\n", `{"img":"not a url"}`,
			`{"name":"t","messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image","image":"not a url"}]}],"text_config":{"model_name":"m"}}`},
		{"attachments in a loop",
			textHead + "<User>\nx\n<ForEach arr={[\"image/jpeg\",\"image/png\"]}>{(item) => (<>\n<ImageAttachment image=\"https://e.com/loop.png\" mimeType={item}/>\n</>)}</ForEach>\n</User>\n", "",
			`{"name":"t","messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image","image":"https://e.com/loop.png","mimeType":"image/jpeg"},{"type":"image","image":"https://e.com/loop.png","mimeType":"image/png"}]}],"text_config":{"model_name":"m"}}`},
		{"attribute strings are literal",
			textHead + "<User><ImageAttachment image=\"https://e.com/{props.x}\" /></User>\n", `{"x":"y"}`,
			`{"name":"t","messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"image","image":"https://e.com/{props.x}"}]}],"text_config":{"model_name":"m"}}`},
	})
}

func TestAttachmentErrors(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"in Assistant", "<User>u</User>\n<Assistant><ImageAttachment image=\"https://e.com/a.png\"/></Assistant>\n",
			"p.prompt.mdx:8:12: Error processing MDX JSX Element: ImageAttachment and FileAttachment tags must be inside User tag."},
		{"at top level after a User", "<User>u</User>\n\n<FileAttachment data=\"https://e.com/a\" mimeType=\"a/b\"/>\n",
			"p.prompt.mdx:9:1: Error processing MDX JSX Element: ImageAttachment and FileAttachment tags must be inside User tag."},
		{"in System", "<System><ImageAttachment image=\"https://e.com/a.png\"/></System>\n",
			"ImageAttachment and FileAttachment tags must be inside User tag."},
		{"image absent", "<User><ImageAttachment mimeType=\"image/png\" /></User>\n",
			"p.prompt.mdx:7:7: Error processing MDX JSX Element: ImageAttachment must contain an image prop"},
		{"file data absent", "<User><FileAttachment mimeType=\"a/b\" /></User>\n", "FileAttachment must contain data and mimeType props"},
		{"file mimeType absent", "<User><FileAttachment data=\"https://e.com/a\" /></User>\n", "FileAttachment must contain data and mimeType props"},
		{"literal image not a URL", "<System>s</System>\n<User>x<ImageAttachment image=\"not a url\" /></User>\n",
			`p.prompt.mdx: ZodError: [{"path":["messages",1,"content",1,"image"],"message":"Invalid url"}]`},
		{"literal data not a URL", "<User>x<FileAttachment data=\"nope\" mimeType=\"a/b\" /><ImageAttachment image=\"https:nohost\" /></User>\n",
			`p.prompt.mdx: ZodError: [{"path":["messages",0,"content",1,"data"],"message":"Invalid url"},{"path":["messages",0,"content",2,"image"],"message":"Invalid url"}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(textHead+tt.body, Options{Path: "p.prompt.mdx"})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.HasPrefix(tt.want, "p.prompt.mdx") {
				if err.Error() != tt.want {
					t.Fatalf("got  %v\nwant %s", err, tt.want)
				}
			} else if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// Other URL schemes are URLs.
	for _, u := range []string{"https://e.com/x", "data:image/png;base64,AAAA", "s3://bucket/key", "file:///tmp/x"} {
		if _, err := Parse(textHead+"<User><ImageAttachment image=\""+u+"\" /></User>\n", Options{}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestFrontmatterErrors(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"no frontmatter", "Hello\n\n<User>x</User>\n", 1, 1, "Prompt has no frontmatter: a prompt file must start with a `---` YAML block"},
		{"comment before frontmatter", "{/* c */}\n---\nname: a\ntext_config:\n  model_name: m\n---\n", 1, 1, "Prompt has no frontmatter"},
		{"empty file", "", 1, 1, "Prompt has no frontmatter"},
		{"empty frontmatter", "---\n---\n\n<User>x</User>\n", 1, 1, "Frontmatter is empty"},
		{"null frontmatter", "---\n~\n---\n", 1, 1, "Frontmatter is empty"},
		{"scalar frontmatter", "---\nfoo\n---\n", 1, 1, "Frontmatter must be a YAML mapping of keys to values"},
		{"list frontmatter", "---\n- a\n---\n", 1, 1, "Frontmatter must be a YAML mapping of keys to values"},
		{"bad indentation", "---\nname: a\ntext_config:\n  model_name: m\n  bad: : x\n---\n", 5, 8, "Invalid frontmatter: bad indentation of a mapping entry"},
		{"unclosed flow", "---\nname: [\n---\n", 3, 1, "Invalid frontmatter: unexpected end of the stream within a flow collection"},
		{"duplicate key", "---\nname: a\nname: b\n---\n", 3, 1, "Invalid frontmatter: duplicated mapping key"},
		{"tab indentation", "---\nname: a\ntext_config:\n\tmodel_name: m\n---\n", 4, 1, "Invalid frontmatter:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src, Options{Path: "dir/p.prompt.mdx"})
			var te *templatedx.Error
			if !errors.As(err, &te) {
				t.Fatalf("want *templatedx.Error, got %T %v", err, err)
			}
			if te.File != "dir/p.prompt.mdx" || te.Line != tt.line || te.Column != tt.col || !strings.HasPrefix(te.Message, tt.msg) {
				t.Errorf("got %s:%d:%d: %s\nwant %d:%d: %s", te.File, te.Line, te.Column, te.Message, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestTemplateAccessors(t *testing.T) {
	src := "---\nname: acc\ntext_config:\n  model_name: m\ntest_settings:\n  props: {a: 1}\n---\n\n<User>x</User>\n"
	tpl, err := Parse(src, Options{Path: "x/acc.prompt.mdx"})
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Name() != "acc" || tpl.Path() != "x/acc.prompt.mdx" || tpl.Kind() != KindText || tpl.AST() == nil {
		t.Errorf("accessors: %q %q %q", tpl.Name(), tpl.Path(), tpl.Kind())
	}
	if s, _ := jsvalue.Stringify(tpl.Config()); s != `{"model_name":"m"}` {
		t.Errorf("Config %s", s)
	}
	if s, _ := jsvalue.Stringify(tpl.TestSettings()); s != `{"props":{"a":1}}` {
		t.Errorf("TestSettings %s", s)
	}
	if s, _ := jsvalue.Stringify(tpl.Frontmatter()); !strings.HasPrefix(s, `{"name":"acc",`) {
		t.Errorf("Frontmatter %s", s)
	}
	tpl2, err := Parse(textHead, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tpl2.TestSettings() != nil {
		t.Error("TestSettings should be nil")
	}
	// FromAST reuses a parsed tree.
	tpl3, err := FromAST(tpl.AST(), Options{Path: "again"})
	if err != nil || tpl3.Name() != "acc" {
		t.Fatalf("FromAST: %v", err)
	}
	if _, err := FromAST(nil, Options{Path: "n"}); err == nil || err.Error() != "n: prompt AST must be a root node" {
		t.Errorf("FromAST(nil): %v", err)
	}
}

func TestRenderErrorsNameTheFile(t *testing.T) {
	tpl, err := Parse(textHead+"<User>\n{props.a.b}\n</User>\n", Options{Path: "dir/p.prompt.mdx"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Format(jsvalue.FromGo(map[string]any{"a": map[string]any{"b": 1}}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(textHead+"<User>\n{nofilter(1)}\n</User>\n", Options{Path: "dir/p.prompt.mdx"})
	var te *templatedx.Error
	if !errors.As(err, &te) || te.File != "dir/p.prompt.mdx" || te.Line != 8 {
		t.Fatalf("got %T %v", err, err)
	}
}

func TestCustomEngine(t *testing.T) {
	e := templatedx.New()
	e.RegisterFilter("shout", func(args []jsvalue.Value) (jsvalue.Value, error) {
		s, _ := args[0].(string)
		return strings.ToUpper(s) + "!", nil
	})
	tpl, err := Parse(textHead+"<User>{shout(props.x)}</User>\n", Options{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.Format(jsvalue.FromGo(map[string]any{"x": "hi"}))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := jsvalue.Stringify(out); !strings.Contains(s, `"content":"HI!"`) {
		t.Errorf("got %s", s)
	}
	// The base engine is not modified by the prompt tags.
	if _, ok := e.Tag("User"); ok {
		t.Error("prompt tags leaked into the caller's engine")
	}
}

func writeBuilt(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const builtAST = `{"ast":{"type":"root","children":[{"type":"yaml","value":"name: b\ntext_config:\n  model_name: m"},` +
	`{"type":"mdxJsxFlowElement","name":"User","attributes":[],"children":[{"type":"paragraph","children":[{"type":"text","value":"hi "},{"type":"mdxTextExpression","value":"props.n"}]}]}]},` +
	`"metadata":{"path":"x.prompt.mdx","kind":"text","name":"b","builtAt":"2024-01-01T00:00:00.000Z"}}`

func TestBuiltLoader(t *testing.T) {
	dir := t.TempDir()
	writeBuilt(t, dir, "x.prompt.json", builtAST)
	writeBuilt(t, dir, "sub/y.prompt.json", builtAST)
	writeBuilt(t, dir, "bad.prompt.json", "{not json")
	writeBuilt(t, dir, "noast.prompt.json", `{"metadata":{}}`)
	l := BuiltLoader{Dir: dir}
	for _, p := range []string{"x", "x.prompt", "x.prompt.mdx", "x.prompt.json", "sub/y", "sub/y.prompt.mdx", "sub/../x.prompt.mdx", "./x"} {
		tpl, err := l.Load(p, Options{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if tpl.Path() != p {
			t.Errorf("%s: path %q", p, tpl.Path())
		}
		out, err := tpl.Format(jsvalue.FromGo(map[string]any{"n": 3}))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if s, _ := jsvalue.Stringify(out); s != `{"name":"b","messages":[{"role":"user","content":"hi 3"}],"text_config":{"model_name":"m"}}` {
			t.Errorf("%s: %s", p, s)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{"a\x00b", "Invalid path"},
		{"/etc/passwd", "Absolute paths are not allowed"},
		{filepath.Join(dir, "x"), "Absolute paths are not allowed"},
		{"../x", "Access denied: path outside allowed directory"},
		{"sub/../../x", "Access denied: path outside allowed directory"},
		{"nope", "Pre-built prompt not found: nope.prompt.json. Run 'agentmark build' to compile your prompts."},
		{"sub/nope.prompt.mdx", "Pre-built prompt not found: sub/nope.prompt.json. Run 'agentmark build' to compile your prompts."},
		{"bad", "bad.prompt.json: invalid built prompt"},
		{"noast", `noast.prompt.json: built prompt has no "ast"`},
	} {
		_, err := l.Load(tt.path, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.path, err, tt.want)
		}
	}
}

func TestBuiltName(t *testing.T) {
	for in, want := range map[string]string{
		"a.prompt.mdx":  "a.prompt.json",
		"a.prompt":      "a.prompt.json",
		"a":             "a.prompt.json",
		"a.prompt.json": "a.prompt.json",
		"d/a.json":      "d/a.json",
		"c.mdx":         "c.json",
	} {
		if got := builtName(in); got != want {
			t.Errorf("builtName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Engines of discarded clients do not stay in the per-kind engine cache.
func TestKindEngineCacheReleasesEngines(t *testing.T) {
	engines := make([]*templatedx.Engine, 50)
	keys := make([]kindEngineKey, len(engines))
	for i := range engines {
		engines[i] = templatedx.New()
		keys[i] = kindEngineKey{weak.Make(engines[i]), KindText}
		if _, err := Parse(textHead+"<User>x</User>\n", Options{Engine: engines[i]}); err != nil {
			t.Fatal(err)
		}
	}
	cached := func() int {
		n := 0
		for _, k := range keys {
			if _, ok := kindEngines.Load(k); ok {
				n++
			}
		}
		return n
	}
	if n := cached(); n != len(keys) {
		t.Fatalf("%d of %d engines cached", n, len(keys))
	}
	runtime.KeepAlive(engines)
	engines = nil
	for i := 0; i < 50 && cached() > len(keys)/2; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := cached(); n > len(keys)/2 {
		t.Errorf("cache still holds %d of %d discarded engines", n, len(keys))
	}
}
