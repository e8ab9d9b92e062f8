// Package templatedx renders TemplateDX templates: MDX documents with
// {expressions}, tag plugins (If, ForEach, Raw, ...) and imported
// components, compatible with AgentMark's @agentmark-ai/templatedx.
//
// The pipeline is Parse (MDX -> mdast, imports inlined) -> Transform
// (expressions evaluated, tag plugins run) -> markdown serialization.
package templatedx

import (
	"sort"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/expr"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Filter is a function callable from expressions: {upper(props.name)}.
type Filter = expr.Filter

// TagPlugin renders a registered tag. It receives the evaluated attributes
// and the tag's untransformed children, and returns the nodes that replace
// the tag.
type TagPlugin interface {
	Transform(props *jsvalue.Object, children []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error)
}

// TagFunc adapts a function to TagPlugin.
type TagFunc func(props *jsvalue.Object, children []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error)

// Transform implements TagPlugin.
func (f TagFunc) Transform(p *jsvalue.Object, c []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error) {
	return f(p, c, ctx)
}

// Compat selects upstream behaviours that we otherwise fix.
type Compat struct {
	// SharedIfFlag reproduces upstream TemplateDX's If chains: one
	// "condition met" flag per scope, so any If after a rendered branch in
	// the same scope is suppressed. By default every If starts a new chain.
	SharedIfFlag bool
}

// Engine holds the registered tags and filters. It is safe for concurrent
// renders once configured.
type Engine struct {
	tags    map[string]TagPlugin
	filters map[string]Filter
	compat  Compat
	// bodies and arrows cache parsed ForEach bodies and arrow functions by
	// source text.
	bodies textCache[parsedBody]
	arrows textCache[parsedArrow]
}

// Option configures an Engine.
type Option func(*Engine)

// WithoutBuiltins starts the engine with no tags and no filters.
func WithoutBuiltins() Option {
	return func(e *Engine) {
		e.tags = map[string]TagPlugin{}
		e.filters = map[string]Filter{}
	}
}

// WithCompat turns on upstream-compatible quirks.
func WithCompat(c Compat) Option { return func(e *Engine) { e.compat = c } }

// New returns an engine with the built-in tags (If, ElseIf, Else, ForEach,
// Raw) and filters (capitalize, upper, lower, truncate, abs, join, round,
// replace, urlencode, dump).
func New(opts ...Option) *Engine {
	e := &Engine{tags: map[string]TagPlugin{}, filters: map[string]Filter{}}
	for name, f := range expr.BuiltinFilters() {
		e.filters[name] = f
	}
	registerBuiltinTags(e)
	for _, o := range opts {
		o(e)
	}
	return e
}

// Clone returns an independent copy of the engine's registries.
func (e *Engine) Clone() *Engine {
	c := &Engine{tags: make(map[string]TagPlugin, len(e.tags)), filters: make(map[string]Filter, len(e.filters)), compat: e.compat}
	for k, v := range e.tags {
		c.tags[k] = v
	}
	for k, v := range e.filters {
		c.filters[k] = v
	}
	return c
}

// RegisterTag registers p under each of names.
func (e *Engine) RegisterTag(p TagPlugin, names ...string) {
	for _, n := range names {
		e.tags[n] = p
	}
}

// RemoveTag unregisters a tag.
func (e *Engine) RemoveTag(name string) { delete(e.tags, name) }

// Tag returns the plugin registered under name.
func (e *Engine) Tag(name string) (TagPlugin, bool) {
	p, ok := e.tags[name]
	return p, ok
}

// TagNames returns the registered tag names, sorted.
func (e *Engine) TagNames() []string {
	names := make([]string, 0, len(e.tags))
	for n := range e.tags {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RegisterFilter registers a filter function.
func (e *Engine) RegisterFilter(name string, f Filter) { e.filters[name] = f }

// RemoveFilter unregisters a filter.
func (e *Engine) RemoveFilter(name string) { delete(e.filters, name) }

// Filter returns the filter registered under name.
func (e *Engine) Filter(name string) (Filter, bool) {
	f, ok := e.filters[name]
	return f, ok
}

// FilterNames returns the registered filter names, sorted.
func (e *Engine) FilterNames() []string {
	names := make([]string, 0, len(e.filters))
	for n := range e.filters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
