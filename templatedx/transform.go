package templatedx

import (
	"errors"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/expr"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// RenderOptions are the inputs of one render.
type RenderOptions struct {
	// Props is the value of `props` (default: an empty object).
	Props jsvalue.Value
	// Globals are looked up when an identifier is not found in any scope.
	Globals *jsvalue.Object
	// State is handed to tag plugins as TagContext.State, for host data
	// that templates must not see (e.g. extracted messages).
	State any
}

// TagContext is what a tag plugin gets besides its props and children.
type TagContext struct {
	// Scope is the scope the tag is rendered in.
	Scope *Scope
	// TagName is the name the tag was used with.
	TagName string
	// Node is the tag's element node (for its position).
	Node *mdast.Node
	// State is RenderOptions.State.
	State any

	r *renderer
}

// Transform renders nodes in scope: expressions evaluated, tags run.
func (c *TagContext) Transform(nodes []*mdast.Node, scope *Scope) ([]*mdast.Node, error) {
	return c.r.nodes(nodes, scope)
}

// Engine returns the engine doing the render.
func (c *TagContext) Engine() *Engine { return c.r.eng }

type renderer struct {
	eng   *Engine
	state any
	// slab hands out the nodes the render creates, in chunks: a render
	// makes many of them and they all live as long as the result.
	slab []mdast.Node
	// lists hands out the child slices of rendered parents, likewise.
	lists []*mdast.Node
}

// nodeList returns an empty slice with capacity n carved from r.lists.
// Its capacity is exact, so appending past n reallocates instead of
// writing into a neighbour.
func (r *renderer) nodeList(n int) []*mdast.Node {
	if cap(r.lists)-len(r.lists) < n {
		// Chunks grow with the render, up to 1024 pointers.
		size := max(min(max(2*cap(r.lists), 16), 1024), n)
		r.lists = make([]*mdast.Node, 0, size)
	}
	start := len(r.lists)
	r.lists = r.lists[:start+n]
	return r.lists[start : start : start+n]
}

// newNode returns a pointer to a copy of n allocated from the slab.
func (r *renderer) newNode(n *mdast.Node) *mdast.Node {
	if len(r.slab) == cap(r.slab) {
		// Chunks grow with the render so small templates stay small.
		size := 2 * cap(r.slab)
		size = min(max(size, 16), 64)
		r.slab = make([]mdast.Node, 0, size)
	}
	r.slab = append(r.slab, *n)
	return &r.slab[len(r.slab)-1]
}

// Transform renders a parsed template. The input tree is not modified; the
// result shares unchanged leaf nodes with it.
func (e *Engine) Transform(root *mdast.Node, opts RenderOptions) (*mdast.Node, error) {
	props := opts.Props
	if props == nil || jsvalue.IsUndefined(props) {
		props = jsvalue.NewObject()
	}
	r := &renderer{eng: e, state: opts.State}
	scope := NewScope(props, opts.Globals)
	children, err := r.nodes(root.Children, scope)
	if err != nil {
		return nil, err
	}
	out := *root
	out.Children = children
	return &out, nil
}

func (r *renderer) nodes(nodes []*mdast.Node, scope *Scope) ([]*mdast.Node, error) {
	out := r.nodeList(len(nodes))
	for _, n := range nodes {
		var err error
		out, err = r.appendNode(out, n, scope)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendNode renders n and appends the resulting nodes to out.
func (r *renderer) appendNode(out []*mdast.Node, n *mdast.Node, scope *Scope) ([]*mdast.Node, error) {
	switch {
	case n.IsExpression():
		v, err := r.eval(n.Value, n.Position, scope)
		if err != nil {
			return out, err
		}
		return append(out, r.newNode(&mdast.Node{Type: mdast.Text, Value: expr.ToText(v), Position: n.Position})), nil
	case n.IsElement() && n.Name != nil:
		if p, ok := r.eng.tags[*n.Name]; ok {
			res, err := r.tag(p, n, scope)
			if err != nil {
				return out, err
			}
			return append(out, res...), nil
		}
	}
	if len(n.Children) == 0 {
		return append(out, n), nil
	}
	children, err := r.nodes(n.Children, scope)
	if err != nil {
		return out, err
	}
	c := r.newNode(n)
	c.Children = children
	return append(out, c), nil
}

func (r *renderer) tag(p TagPlugin, n *mdast.Node, scope *Scope) ([]*mdast.Node, error) {
	props, err := r.attributes(n, scope)
	if err != nil {
		return nil, err
	}
	ctx := &TagContext{Scope: scope, TagName: *n.Name, Node: n, State: r.state, r: r}
	out, err := p.Transform(props, n.Children, ctx)
	if err != nil {
		var te *Error
		if errors.As(err, &te) && te.Located() {
			return nil, err
		}
		return nil, errorAt(n.Position, "Error processing MDX JSX Element: %s", err.Error())
	}
	return out, nil
}

// attributes evaluates a registered tag's attributes in order: bare -> "",
// string -> itself, {expr} -> its value; spreads are rejected.
func (r *renderer) attributes(n *mdast.Node, scope *Scope) (*jsvalue.Object, error) {
	props := jsvalue.NewObject()
	for _, a := range n.Attributes {
		switch {
		case a.IsSpread():
			return nil, errorAt(posOr(a.Position, n.Position), "Unsupported attribute type in component %s.", *n.Name)
		case a.IsExpression():
			v, err := r.eval(*a.Expr, posOr(a.Position, n.Position), scope)
			if err != nil {
				return nil, err
			}
			props.Set(a.Name, v)
		case a.Value != nil:
			props.Set(a.Name, *a.Value)
		default:
			props.Set(a.Name, "")
		}
	}
	return props, nil
}

func (r *renderer) eval(src string, pos *mdast.Position, scope *Scope) (jsvalue.Value, error) {
	v, err := expr.Evaluate(src, scope, r.eng.Filter)
	if err != nil {
		return nil, errorAt(pos, "Error evaluating expression \"%s\": %s", src, err.Error())
	}
	return v, nil
}

func posOr(p, fallback *mdast.Position) *mdast.Position {
	if p != nil {
		return p
	}
	return fallback
}
