package agentmark

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// This file holds the hooks the runner protocol (package runner) needs:
// loading prompts of any kind, from a path or from an AST received over
// the wire, and running an already rendered call.

// Loader is the client's prompt loader (SourceLoader, BuiltLoader, or a
// custom one).
func (c *Client) Loader() Loader { return c.loader }

// LoadPrompt loads a prompt of any kind by path.
func (c *Client) LoadPrompt(path string) (*Prompt, error) {
	tpl, err := c.loader.LoadPrompt(path, prompt.Options{Engine: c.engine})
	if err != nil {
		return nil, err
	}
	return c.wrap(tpl)
}

// PromptFromAST loads a prompt of any kind from a parsed tree: a built
// prompt's "ast", or the data.ast of a runner job (upstream's trees load
// too, with or without data.estree on expressions). path, when known,
// names the prompt in errors. The client's custom tags and filters apply.
func (c *Client) PromptFromAST(ast *mdast.Node, path string) (*Prompt, error) {
	tpl, err := prompt.FromAST(ast, prompt.Options{Engine: c.engine, Path: path})
	if err != nil {
		return nil, err
	}
	return c.wrap(tpl)
}

func (c *Client) wrap(tpl *prompt.Template) (*Prompt, error) {
	if len(c.builtInModels) > 0 {
		m, _ := tpl.Config().Get("model_name")
		name, _ := m.(string)
		if !slices.Contains(c.builtInModels, name) {
			return nil, fmt.Errorf("model_name %q is not in builtInModels. Run agentmark pull-models to add it.", name)
		}
	}
	return &Prompt{tpl: tpl, client: c}, nil
}

// Execute runs a call rendered from this prompt (see Call), traced like
// Run and Stream (props, when non-nil, are recorded as the run's props).
// With onEvent nil, model calls are not streamed; with it set, they are
// and every event is passed to it (an error from onEvent stops the run
// with that error). It returns the run's trace id ("" when not traced).
func (p *Prompt) Execute(ctx context.Context, call *llm.Call, props any, onEvent func(Event) error) (*Result, string, error) {
	if p.client.optErr != nil {
		return nil, "", p.client.optErr
	}
	if call == nil {
		return nil, "", errors.New("agentmark: nil call")
	}
	ctx, run := p.client.startRun(ctx, p, call, props, onEvent != nil)
	gen := p.client.generator()
	gen.Observer = run.Observer()
	var cb func(Event) error
	if onEvent != nil {
		cb = func(ev Event) error {
			run.OnEvent(ev)
			return onEvent(ev)
		}
	}
	res, err := gen.Run(ctx, call, cb)
	run.End(res, err)
	return res, run.TraceID(), err
}
