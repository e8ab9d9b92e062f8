package templatedx

import (
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/expr"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
	"github.com/agentmark-go/agentmark/templatedx/mdx"
)

func registerBuiltinTags(e *Engine) {
	e.RegisterTag(TagFunc(conditional), "If", "ElseIf", "Else")
	e.RegisterTag(TagFunc(forEach), "ForEach")
	e.RegisterTag(TagFunc(raw), "Raw")
}

// conditional implements If / ElseIf / Else. A chain lives in the scope the
// tags are rendered in: If opens it, and ElseIf/Else render only while no
// earlier branch of the chain rendered. Only the boolean true renders.
func conditional(props *jsvalue.Object, children []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error) {
	s := ctx.Scope
	isIf := ctx.TagName == "If"
	if isIf && !ctx.r.eng.compat.SharedIfFlag {
		s.ifChain = noChain // every If starts a new chain
	}
	if s.ifChain == chainMet {
		return nil, nil
	}
	render := true
	if ctx.TagName != "Else" {
		cond, _ := props.Get("condition")
		render = cond == true
	}
	if !render {
		s.ifChain = chainOpen
		return nil, nil
	}
	s.ifChain = chainMet
	return ctx.Transform(children, s.Child())
}

// forEach renders its single arrow-function child once per element of arr.
func forEach(props *jsvalue.Object, children []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error) {
	if len(children) != 1 {
		return nil, errorAt(ctx.Node.Position, "ForEach expects exactly one child function.")
	}
	fn := children[0]
	if fn.Type != mdast.MdxFlowExpression {
		return nil, errorAt(posOr(fn.Position, ctx.Node.Position), "ForEach expects a function as its child.")
	}
	arrow, err := ctx.r.eng.parseArrow(fn.Value)
	if err != nil {
		return nil, errorAt(posOr(fn.Position, ctx.Node.Position), "%s", err.Error())
	}
	body, err := ctx.r.eng.forEachBody(arrow.Body, fn.Position)
	if err != nil {
		return nil, err
	}
	arrV, _ := props.Get("arr")
	items, _ := arrV.([]jsvalue.Value)

	out := make([]*mdast.Node, 0, len(items)*len(body))
	allLists := true
	for i, item := range items {
		scope := ctx.Scope.Child()
		scope.Set(arrow.Params[0], item)
		if len(arrow.Params) > 1 {
			scope.Set(arrow.Params[1], float64(i))
		}
		nodes, err := ctx.Transform(body, scope)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			if n.Type != mdast.List && n.Type != mdast.ListItem {
				allLists = false
			}
		}
		out = append(out, nodes...)
	}
	if !allLists {
		return out, nil
	}
	// Every item produced list content (vacuously true for no items): merge
	// it into one tight bullet list, the way upstream does.
	size := 0
	for _, n := range out {
		if n.Type == mdast.List {
			size += len(n.Children)
		} else {
			size++
		}
	}
	list := &mdast.Node{Type: mdast.List, Children: make([]*mdast.Node, 0, size)}
	for _, n := range out {
		if n.Type == mdast.List {
			list.Children = append(list.Children, n.Children...)
		} else {
			list.Children = append(list.Children, n)
		}
	}
	return []*mdast.Node{list}, nil
}

type parsedArrow struct {
	arrow expr.Arrow
	err   error
}

type parsedBody struct {
	nodes []*mdast.Node
	err   error // parse error, located at the ForEach child by the caller
}

// parseArrow is expr.ParseArrow, cached by source text (the result is
// never modified).
func (e *Engine) parseArrow(src string) (expr.Arrow, error) {
	p := e.arrows.get(src, func() parsedArrow {
		arrow, err := expr.ParseArrow(src)
		return parsedArrow{arrow, err}
	})
	return p.arrow, p.err
}

// forEachBody parses an arrow-function body as a fresh MDX document and
// unwraps top-level fragments. Parsed bodies are cached by source text; they
// are never modified by rendering.
func (e *Engine) forEachBody(src string, pos *mdast.Position) ([]*mdast.Node, error) {
	p := e.bodies.get(src, func() parsedBody {
		root, err := mdx.Parse(src)
		if err != nil {
			return parsedBody{err: err}
		}
		return parsedBody{nodes: unwrapFragments(root.Children)}
	})
	if p.err != nil {
		// The body's positions are relative to the body text: report the
		// ForEach child's position instead, with the parser's message.
		return nil, errorAt(pos, "%s", asError(p.err, "").Message)
	}
	return p.nodes, nil
}

func unwrapFragments(nodes []*mdast.Node) []*mdast.Node {
	var out []*mdast.Node
	for _, n := range nodes {
		if n.Type == mdast.MdxJsxFlowElement && n.Name == nil {
			out = append(out, unwrapFragments(n.Children)...)
			continue
		}
		out = append(out, n)
	}
	return out
}

// raw renders its children untransformed, as Markdown text.
func raw(_ *jsvalue.Object, children []*mdast.Node, ctx *TagContext) ([]*mdast.Node, error) {
	text := markdown.ToMarkdown(&mdast.Node{Type: mdast.Root, Children: children})
	return []*mdast.Node{{Type: mdast.Text, Value: text, Position: ctx.Node.Position}}, nil
}
