package agentmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"sort"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/prompt/schemaref"
)

// Result is the outcome of running a prompt: Text (text prompts), Object
// (object prompts, validated against the schema), Images or Audio, the
// steps of the tool loop, total usage and the finish reason.
type Result = llm.Result

// Event is one event of a streamed run (text deltas, tool calls and
// results, step ends, the final object).
type Event = llm.Event

// ToolHandler runs a tool with the model's JSON arguments.
type ToolHandler = llm.ToolHandler

// WithTool registers a Go tool that prompts name in text_config.tools /
// object_config.tools. schema is the JSON Schema of the arguments object:
// a json.RawMessage, []byte, string, or any value encoding/json accepts
// (nil: no arguments).
func WithTool(name, description string, schema any, handler ToolHandler) Option {
	return func(c *Client) {
		var params json.RawMessage
		switch s := schema.(type) {
		case nil:
		case json.RawMessage:
			params = s
		case []byte:
			params = s
		case string:
			params = json.RawMessage(s)
		default:
			b, err := json.Marshal(s)
			if err != nil {
				c.optErr = errors.Join(c.optErr, fmt.Errorf("tool %q: schema: %w", name, err))
				return
			}
			params = b
		}
		if params != nil && !json.Valid(params) {
			c.optErr = errors.Join(c.optErr, fmt.Errorf("tool %q: schema is not valid JSON", name))
			return
		}
		c.tools[name] = llm.Tool{Name: name, Description: description, Parameters: params, Execute: handler}
	}
}

// WithTools registers ready llm.Tools by their names.
func WithTools(tools ...llm.Tool) Option {
	return func(c *Client) {
		for _, t := range tools {
			c.tools[t.Name] = t
		}
	}
}

// WithToolSource resolves mcp:// tool URIs (an llm/mcp client).
func WithToolSource(ts llm.ToolSource) Option { return func(c *Client) { c.toolSource = ts } }

// WithRegistry replaces the model registry.
func WithRegistry(r *llm.Registry) Option { return func(c *Client) { c.registry = r } }

// WithProvider registers a provider instance under name, so that
// model_name "name/model" uses it.
func WithProvider(name string, p llm.Provider) Option {
	return func(c *Client) { c.registry.AddProvider(name, p) }
}

// WithProviderConfig defines a named provider endpoint, e.g. an
// OpenAI-compatible server: WithProviderConfig("local",
// llm.ProviderConfig{Type: "openai", BaseURL: "http://127.0.0.1:8080/v1"}).
func WithProviderConfig(name string, cfg llm.ProviderConfig) Option {
	return func(c *Client) { c.registry.ConfigureProvider(name, cfg) }
}

// WithModelProvider maps a bare model name to a provider name.
func WithModelProvider(model, provider string) Option {
	return func(c *Client) { c.registry.MapModel(model, provider) }
}

// WithProjectConfig applies the "providers" and "modelProviders" keys of
// an agentmark.json file (a missing file is fine).
func WithProjectConfig(path string) Option {
	return func(c *Client) {
		if err := c.registry.LoadProjectConfig(path); err != nil {
			c.optErr = errors.Join(c.optErr, err)
		}
	}
}

// WithOutputDir writes generated images and audio into dir (Result.Files
// lists the paths). Without it, media stay in memory only.
func WithOutputDir(dir string) Option { return func(c *Client) { c.outputDir = dir } }

// WithEval registers an eval function by name.
func WithEval(name string, fn EvalFunc) Option { return func(c *Client) { c.evals[name] = fn } }

// Eval returns a registered eval function.
func (c *Client) Eval(name string) (EvalFunc, bool) {
	f, ok := c.evals[name]
	return f, ok
}

// Evals lists the registered eval names, sorted.
func (c *Client) Evals() []string {
	out := make([]string, 0, len(c.evals))
	for k := range c.evals {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Registry is the client's model registry.
func (c *Client) Registry() *llm.Registry { return c.registry }

// Err reports an invalid option (a bad tool schema, an unreadable
// agentmark.json); Run returns it too.
func (c *Client) Err() error { return c.optErr }

func (c *Client) generator() *llm.Generator {
	return &llm.Generator{Registry: c.registry, Tools: c.tools, ToolSource: c.toolSource, OutputDir: c.outputDir}
}

// Call renders the prompt with props into an llm.Call (schema $refs
// resolved against the prompt's directory).
func (p *Prompt) Call(props any) (*llm.Call, error) {
	out, err := p.Format(props)
	if err != nil {
		return nil, err
	}
	if err := p.resolveRefs(out); err != nil {
		return nil, err
	}
	return llm.CallFromFormatted(out)
}

func (p *Prompt) resolveRefs(out *jsvalue.Object) error {
	v, ok := out.Get("object_config")
	cfg, isObj := v.(*jsvalue.Object)
	if !ok || !isObj {
		return nil
	}
	sch, ok := cfg.Get("schema")
	if !ok || !schemaref.ContainsRef(sch) {
		return nil
	}
	dir := filepath.Dir(filepath.FromSlash(p.tpl.Path()))
	if sl, isSrc := p.client.loader.(SourceLoader); isSrc {
		root, err := filepath.Abs(sl.Dir)
		if err != nil {
			return err
		}
		r, err := schemaref.Resolve(sch, filepath.ToSlash(dir), schemaref.DirLoader(root))
		if err != nil {
			return err
		}
		cfg = cfg.Clone()
		cfg.Set("schema", r)
		out.Set("object_config", cfg)
	}
	return nil
}

// Run renders the prompt with props and runs it: text (with the tool
// loop), object (parsed and validated), image or speech.
func (p *Prompt) Run(ctx context.Context, props any) (*Result, error) {
	if p.client.optErr != nil {
		return nil, p.client.optErr
	}
	call, err := p.Call(props)
	if err != nil {
		return nil, err
	}
	ctx, run := p.client.startRun(ctx, p, call, props, false)
	gen := p.client.generator()
	gen.Observer = run.Observer()
	res, err := gen.Run(ctx, call, nil)
	run.End(res, err)
	return res, err
}

// Stream is a streamed run. Range over Events; Result is set once the
// events are exhausted without error.
type Stream struct {
	events iter.Seq2[Event, error]
	result *Result
}

// Events yields the run's events. Breaking out of the loop cancels the run.
func (s *Stream) Events() iter.Seq2[Event, error] { return s.events }

// Result is the final result, after Events has been consumed.
func (s *Stream) Result() *Result { return s.result }

// Stream renders the prompt with props and runs it with streaming model
// calls.
func (p *Prompt) Stream(ctx context.Context, props any) *Stream {
	s := &Stream{}
	s.events = func(yield func(Event, error) bool) {
		if p.client.optErr != nil {
			yield(Event{}, p.client.optErr)
			return
		}
		call, err := p.Call(props)
		if err != nil {
			yield(Event{}, err)
			return
		}
		stopped := errors.New("stream consumer stopped")
		ctx, run := p.client.startRun(ctx, p, call, props, true)
		gen := p.client.generator()
		gen.Observer = run.Observer()
		res, err := gen.Run(ctx, call, func(ev Event) error {
			run.OnEvent(ev)
			if !yield(ev, nil) {
				return stopped
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, stopped) {
				run.StopStream()
			} else {
				run.End(nil, err)
				yield(Event{}, err)
			}
			return
		}
		run.End(res, nil)
		s.result = res
	}
	return s
}
