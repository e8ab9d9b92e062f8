package prompt

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/agentmark-go/agentmark/internal/jsyaml"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Options configure how prompts are parsed and rendered.
type Options struct {
	// Path is the prompt file's path; component imports resolve from its
	// directory and errors name it.
	Path string
	// Loader reads imported components. Nil: imports fail.
	Loader templatedx.ContentLoader
	// Engine supplies custom tags and filters; nil means the built-ins.
	// The prompt tags (System, User, ...) are added to a copy of it.
	Engine *templatedx.Engine
}

// Template is a parsed, validated prompt.
type Template struct {
	ast    *mdast.Node
	path   string
	fm     *jsvalue.Object
	kind   Kind
	engine *templatedx.Engine
}

var defaultEngine = templatedx.New()

// kindEngines caches, per base engine, the engine of each prompt kind. The
// base is held weakly and its entries are dropped when it is collected, so
// short-lived clients (each with its own engine) do not pile up here.
var kindEngines sync.Map // key kindEngineKey -> *templatedx.Engine

type kindEngineKey struct {
	base weak.Pointer[templatedx.Engine]
	kind Kind
}

func engineFor(base *templatedx.Engine, k Kind) *templatedx.Engine {
	if base == nil {
		base = defaultEngine
	}
	if k == KindObject {
		k = KindText // same tags
	}
	key := kindEngineKey{weak.Make(base), k}
	if e, ok := kindEngines.Load(key); ok {
		return e.(*templatedx.Engine)
	}
	e := base.Clone()
	registerPromptTags(e, k)
	actual, loaded := kindEngines.LoadOrStore(key, e)
	if !loaded && base != defaultEngine {
		runtime.AddCleanup(base, func(key kindEngineKey) { kindEngines.Delete(key) }, key)
	}
	return actual.(*templatedx.Engine)
}

// Parse parses prompt source, bundles its components and validates it the
// way loading a prompt does: frontmatter against the kind's schema, and one
// render with empty props.
func Parse(src string, opts Options) (*Template, error) {
	engine := engineFor(opts.Engine, engineKindFromSource(src))
	ast, err := engine.Parse(src, templatedx.ParseOptions{Path: opts.Path, Loader: opts.Loader})
	if err != nil {
		return nil, err
	}
	return load(ast, opts)
}

// FromAST loads a prompt from an already parsed tree (a built prompt, or one
// received over the wire).
func FromAST(ast *mdast.Node, opts Options) (*Template, error) {
	if ast == nil || ast.Type != mdast.Root {
		return nil, fmt.Errorf("%sprompt AST must be a root node", prefix(opts.Path))
	}
	return load(ast, opts)
}

func load(ast *mdast.Node, opts Options) (*Template, error) {
	fm, err := frontmatter(ast, opts.Path)
	if err != nil {
		return nil, err
	}
	kind, err := kindOf(fm)
	if err != nil {
		return nil, fmt.Errorf("%s%w", prefix(opts.Path), err)
	}
	if issues := checkFrontmatter(fm, kind); len(issues) > 0 {
		return nil, &ValidationError{File: opts.Path, Issues: issues}
	}
	t := &Template{ast: ast, path: opts.Path, fm: fm, kind: kind, engine: engineFor(opts.Engine, kind)}
	// Loading renders once with empty props: templates that cannot render
	// without props fail here, and literal attachment URLs are checked.
	out, err := t.Format(jsvalue.NewObject())
	if err != nil {
		return nil, err
	}
	if issues := checkAttachmentURLs(out); len(issues) > 0 {
		return nil, &ValidationError{File: opts.Path, Issues: issues}
	}
	return t, nil
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

// frontmatter decodes the first yaml node of the tree.
func frontmatter(ast *mdast.Node, path string) (*jsvalue.Object, error) {
	for _, n := range ast.Children {
		if n.Type != mdast.YAML {
			continue
		}
		v, err := jsyaml.Load(n.Value)
		if err != nil {
			var ye *jsyaml.Error
			if errors.As(err, &ye) && n.Position != nil {
				// The YAML starts on the line after the opening ---.
				return nil, &templatedx.Error{Message: "Invalid frontmatter: " + ye.Reason, File: path,
					Line: n.Position.Start.Line + ye.Line, Column: ye.Column}
			}
			return nil, &templatedx.Error{Message: "Invalid frontmatter: " + err.Error(), File: path}
		}
		if v == nil || jsvalue.IsUndefined(v) {
			return nil, &templatedx.Error{Message: "Frontmatter is empty: a prompt needs a name and one of text_config, object_config, image_config or speech_config", File: path,
				Line: posLine(n), Column: 1}
		}
		obj, ok := v.(*jsvalue.Object)
		if !ok {
			return nil, &templatedx.Error{Message: "Frontmatter must be a YAML mapping of keys to values", File: path,
				Line: posLine(n), Column: 1}
		}
		return obj, nil
	}
	return nil, &templatedx.Error{Message: "Prompt has no frontmatter: a prompt file must start with a `---` YAML block (name and one of text_config, object_config, image_config or speech_config)", File: path, Line: 1, Column: 1}
}

func posLine(n *mdast.Node) int {
	if n.Position == nil {
		return 0
	}
	return n.Position.Start.Line
}

// AST is the bundled template tree (components inlined).
func (t *Template) AST() *mdast.Node { return t.ast }

// Kind is the prompt kind.
func (t *Template) Kind() Kind { return t.kind }

// Path is the prompt's path, as given when parsing.
func (t *Template) Path() string { return t.path }

// Name is the frontmatter name.
func (t *Template) Name() string {
	n, _ := t.fm.Get("name")
	s, _ := n.(string)
	return s
}

// Frontmatter is the decoded frontmatter (do not modify).
func (t *Template) Frontmatter() *jsvalue.Object { return t.fm }

// Config is the kind's config block (text_config, ...).
func (t *Template) Config() *jsvalue.Object {
	v, _ := t.fm.Get(configKey(t.kind))
	o, _ := v.(*jsvalue.Object)
	return o
}

// TestSettings is the test_settings block, or nil.
func (t *Template) TestSettings() *jsvalue.Object {
	v, _ := t.fm.Get("test_settings")
	o, _ := v.(*jsvalue.Object)
	return o
}

// Format renders the prompt with props into the neutral, provider-agnostic
// request: {name, messages, text_config|object_config, test_settings?,
// agentmark_meta?} for text and object prompts, {name, image_config} and
// {name, speech_config} for the others.
func (t *Template) Format(props jsvalue.Value) (*jsvalue.Object, error) {
	st := &extraction{}
	if _, err := t.engine.Transform(t.ast, templatedx.RenderOptions{Props: props, State: st}); err != nil {
		var te *templatedx.Error
		if errors.As(err, &te) && te.File == "" && t.path != "" {
			c := *te
			c.File = t.path
			return nil, &c
		}
		return nil, err
	}
	out := jsvalue.NewObject()
	out.Set("name", t.Name())
	block := configKey(t.kind)
	cfg := t.Config()
	switch t.kind {
	case KindImage:
		c := cfg.Clone()
		c.Set("prompt", st.first("ImagePrompt"))
		out.Set(block, c)
	case KindSpeech:
		c := cfg.Clone()
		c.Set("text", st.first("SpeechPrompt"))
		c.Set("instructions", st.first("System"))
		out.Set(block, c)
	default:
		msgs, err := st.messages()
		if err != nil {
			return nil, err
		}
		out.Set("messages", msgs)
		out.Set(block, cfg)
	}
	if ts, ok := t.fm.Get("test_settings"); ok && !jsvalue.IsUndefined(ts) {
		out.Set("test_settings", ts)
	}
	if meta, ok := t.fm.Get("agentmark_meta"); ok && !jsvalue.IsUndefined(meta) {
		out.Set("agentmark_meta", meta)
	}
	return out, nil
}

// checkAttachmentURLs requires literal attachment images and file data to
// be URLs (values from props are only known at format time).
func checkAttachmentURLs(out *jsvalue.Object) []Issue {
	c := &checker{}
	msgs, _ := out.Get("messages")
	list, _ := msgs.([]jsvalue.Value)
	for i, m := range list {
		content, _ := m.(*jsvalue.Object).Get("content")
		parts, _ := content.([]jsvalue.Value)
		for j, p := range parts {
			po := p.(*jsvalue.Object)
			for _, key := range []string{"image", "data"} {
				v, ok := po.Get(key)
				if !ok {
					continue
				}
				if s, isStr := v.(string); !isStr || !isURL(s) {
					c.add([]any{"messages", i, "content", j, key}, "Invalid url")
				}
			}
		}
	}
	return c.issues
}
