// Package agentmark is the Go SDK for AgentMark: load .prompt.mdx prompts
// (from source files or from `agentmark build` output), format them into
// provider-neutral requests, and run them against a model.
//
//	client := agentmark.New(agentmark.WithSourceDir("agentmark"))
//	p, err := client.LoadTextPrompt("greeting.prompt.mdx")
//	req, err := p.Format(map[string]any{"name": "Ada"})
//	res, err := p.Run(ctx, map[string]any{"name": "Ada"})
//	fmt.Println(res.Text, res.Usage.TotalTokens)
//
// Models resolve through an llm.Registry (model_name "provider/model" or a
// mapped bare name); OpenAI, OpenAI-compatible servers, Anthropic, Gemini
// and the offline mock provider are built in. Tools are registered with
// WithTool; MCP tools come from WithToolSource.
package agentmark

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	_ "github.com/agentmark-go/agentmark/llm/providers" // built-in providers
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/templatedx"
)

// Loader finds prompts by path.
type Loader interface {
	LoadPrompt(path string, opts prompt.Options) (*prompt.Template, error)
}

// SourceLoader reads .prompt.mdx files under Dir; imports stay inside Dir.
type SourceLoader struct{ Dir string }

// LoadPrompt implements Loader.
func (l SourceLoader) LoadPrompt(path string, opts prompt.Options) (*prompt.Template, error) {
	full, err := project.Confine(l.Dir, filepath.FromSlash(path))
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	opts.Path = filepath.ToSlash(full)
	opts.Loader = project.FileLoader(l.Dir)
	return prompt.Parse(string(src), opts)
}

// BuiltLoader reads prompts compiled by `agentmark build` under Dir.
type BuiltLoader struct{ Dir string }

// LoadPrompt implements Loader.
func (l BuiltLoader) LoadPrompt(path string, opts prompt.Options) (*prompt.Template, error) {
	return prompt.BuiltLoader{Dir: l.Dir}.Load(path, opts)
}

// Client loads prompts with one configuration: loader, custom tags and
// filters, and the allowed models.
type Client struct {
	loader        Loader
	engine        *templatedx.Engine
	builtInModels []string

	registry   *llm.Registry
	tools      map[string]llm.Tool
	toolSource llm.ToolSource
	evals      map[string]EvalFunc
	outputDir  string
	optErr     error
	tracing    clientTracing
}

// Option configures a Client.
type Option func(*Client)

// WithLoader sets how prompts are found.
func WithLoader(l Loader) Option { return func(c *Client) { c.loader = l } }

// WithSourceDir loads .prompt.mdx files from dir.
func WithSourceDir(dir string) Option { return WithLoader(SourceLoader{Dir: dir}) }

// WithBuiltDir loads prompts built by `agentmark build` into dir.
func WithBuiltDir(dir string) Option { return WithLoader(BuiltLoader{Dir: dir}) }

// WithFilter registers a template filter, callable as {name(x, ...)}.
func WithFilter(name string, f templatedx.Filter) Option {
	return func(c *Client) { c.engine.RegisterFilter(name, f) }
}

// WithTag registers a custom tag plugin under the given names.
func WithTag(p templatedx.TagPlugin, names ...string) Option {
	return func(c *Client) { c.engine.RegisterTag(p, names...) }
}

// WithBuiltInModels restricts model_name to the listed models.
func WithBuiltInModels(models ...string) Option {
	return func(c *Client) { c.builtInModels = models }
}

// New returns a client. Without a loader, prompts load from ./agentmark.
func New(opts ...Option) *Client {
	c := &Client{engine: templatedx.New(), loader: SourceLoader{Dir: "agentmark"},
		registry: llm.NewRegistry(), tools: map[string]llm.Tool{}, evals: map[string]EvalFunc{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Prompt is a loaded prompt of a known kind.
type Prompt struct {
	tpl    *prompt.Template
	client *Client
}

// Template is the underlying parsed prompt.
func (p *Prompt) Template() *prompt.Template { return p.tpl }

// Name is the prompt's frontmatter name.
func (p *Prompt) Name() string { return p.tpl.Name() }

// Format renders the prompt with props (a map, a struct, or a
// *jsvalue.Object) into the neutral request.
func (p *Prompt) Format(props any) (*jsvalue.Object, error) {
	return p.tpl.Format(jsvalue.FromGo(props))
}

// FormatWithTestProps renders with test_settings.props (or no props).
func (p *Prompt) FormatWithTestProps() (*jsvalue.Object, error) {
	var props jsvalue.Value = jsvalue.NewObject()
	if ts := p.tpl.TestSettings(); ts != nil {
		if v, ok := ts.Get("props"); ok && v != nil {
			props = v
		}
	}
	return p.tpl.Format(props)
}

// LoadTextPrompt loads a prompt that must have a text_config.
func (c *Client) LoadTextPrompt(path string) (*Prompt, error) { return c.load(path, prompt.KindText) }

// LoadObjectPrompt loads a prompt that must have an object_config.
func (c *Client) LoadObjectPrompt(path string) (*Prompt, error) {
	return c.load(path, prompt.KindObject)
}

// LoadImagePrompt loads a prompt that must have an image_config.
func (c *Client) LoadImagePrompt(path string) (*Prompt, error) { return c.load(path, prompt.KindImage) }

// LoadSpeechPrompt loads a prompt that must have a speech_config.
func (c *Client) LoadSpeechPrompt(path string) (*Prompt, error) {
	return c.load(path, prompt.KindSpeech)
}

func (c *Client) load(path string, kind prompt.Kind) (*Prompt, error) {
	tpl, err := c.loader.LoadPrompt(path, prompt.Options{Engine: c.engine})
	if err != nil {
		return nil, err
	}
	if tpl.Kind() != kind {
		return nil, &prompt.ValidationError{File: tpl.Path(), Issues: []prompt.Issue{{Path: []any{prompt.ConfigKey(kind)}, Message: "Required"}}}
	}
	if len(c.builtInModels) > 0 {
		m, _ := tpl.Config().Get("model_name")
		name, _ := m.(string)
		if !slices.Contains(c.builtInModels, name) {
			return nil, fmt.Errorf("model_name %q is not in builtInModels. Run agentmark pull-models to add it.", name)
		}
	}
	return &Prompt{tpl: tpl, client: c}, nil
}
