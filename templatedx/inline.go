package templatedx

import (
	"regexp"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/expr"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
	"github.com/agentmark-go/agentmark/templatedx/mdx"
)

// Component inlining.
//
// A component usage <Card title="x" n={props.count}>kids</Card> is replaced
// by the component file's nodes, with `props.NAME` inside the component's
// expressions replaced by the usage's attribute source text. The result is a
// self-contained tree that any TemplateDX renderer (ours or upstream's) can
// render with the root props only.
//
// Unlike upstream, props are isolated: a `props.NAME` the usage does not
// pass becomes "" (what a missing member evaluates to) instead of silently
// reading the root props, and attributes of registered tags inside the
// component (<If condition={props.x}>) see the component's props too.

// rawProps maps a prop name to the JavaScript source of its value.
type rawProps map[string]string

var propRef = regexp.MustCompile(`props\.(\w+)`)

// inline replaces component usages in nodes. props is nil at the top level
// (outside any component); children are the current usage's children.
func (b *bundler) inline(nodes []*mdast.Node, ns namespace, props rawProps, children []*mdast.Node, depth int) ([]*mdast.Node, error) {
	if depth > maxInlineDepth {
		return nil, errorAt(nil, "Components nested more than %d deep", maxInlineDepth)
	}
	if props == nil && len(ns) == 0 {
		// Nothing to inline: no component is in scope (so no usage, and
		// no arrow body using one) and no props to substitute. The walk
		// below would only copy the parent nodes.
		if nodes == nil {
			return []*mdast.Node{}, nil
		}
		return nodes, nil
	}
	out := make([]*mdast.Node, 0, len(nodes))
	for _, n := range nodes {
		res, err := b.inlineNode(n, ns, props, children, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func (b *bundler) inlineNode(n *mdast.Node, ns namespace, props rawProps, children []*mdast.Node, depth int) ([]*mdast.Node, error) {
	if n.IsElement() && n.Name != nil {
		if cf, ok := ns[*n.Name]; ok {
			return b.expand(n, cf, ns, props, children, depth)
		}
	}
	if n.IsExpression() && usesComponent(n.Value, ns) {
		if c, ok := b.inlineInArrow(n, ns, props, depth); ok {
			return []*mdast.Node{c}, nil
		}
	}
	if props != nil && n.IsExpression() {
		if n.Value == "props.children" {
			return []*mdast.Node{mergeIntoParagraph(children, n.Position)}, nil
		}
		if strings.Contains(n.Value, "props.") {
			c := *n
			c.Value = substitute(n.Value, props)
			c.Data = nil // any estree no longer matches the text
			if lit, ok := literalText(c.Value); ok {
				// Like upstream, a prop that is a plain string or number
				// becomes text. It renders the same, but in a ForEach body
				// that is re-serialized it is text, not an expression.
				return []*mdast.Node{{Type: mdast.Text, Value: lit, Position: n.Position}}, nil
			}
			return []*mdast.Node{&c}, nil
		}
		return []*mdast.Node{n}, nil
	}
	if len(n.Children) == 0 && !(props != nil && n.IsElement()) {
		return []*mdast.Node{n}, nil
	}
	c := *n
	if props != nil && n.IsElement() && n.Name != nil {
		if _, isTag := b.eng.tags[*n.Name]; isTag {
			c.Attributes = substituteAttributes(n.Attributes, props)
		}
	}
	kids, err := b.inline(n.Children, ns, props, children, depth)
	if err != nil {
		return nil, err
	}
	c.Children = kids
	return []*mdast.Node{&c}, nil
}

var jsxName = regexp.MustCompile(`<([A-Za-z_$][\w$.:-]*)`)

// usesComponent reports whether an expression's text holds a usage of a
// component (`<Name`), e.g. in a ForEach body.
func usesComponent(src string, ns namespace) bool {
	if len(ns) == 0 || !strings.Contains(src, "<") {
		return false
	}
	for _, m := range jsxName.FindAllStringSubmatch(src, -1) {
		if _, ok := ns[m[1]]; ok {
			return true
		}
	}
	return false
}

// inlineInArrow inlines components used in the body of an arrow-function
// expression (a ForEach child), as upstream does: the body is parsed as
// MDX, components are inlined (usage attributes as props, no children),
// and the expression text is rewritten with the result in a fragment.
// ok is false when the text is not such a function or does not parse; the
// expression is then left as it is.
func (b *bundler) inlineInArrow(n *mdast.Node, ns namespace, props rawProps, depth int) (*mdast.Node, bool) {
	arrow, err := expr.ParseArrow(n.Value)
	if err != nil {
		return nil, false
	}
	head, _, found := strings.Cut(n.Value, "=>")
	if !found {
		return nil, false
	}
	root, err := mdx.Parse(arrow.Body)
	if err != nil {
		return nil, false
	}
	stripComments(root)
	nodes, err := b.inline(root.Children, ns, props, nil, depth+1)
	if err != nil {
		return nil, false
	}
	if !(len(nodes) == 1 && nodes[0].Type == mdast.MdxJsxFlowElement && nodes[0].Name == nil) {
		nodes = []*mdast.Node{{Type: mdast.MdxJsxFlowElement, Children: nodes}}
	}
	body := markdown.ToMarkdown(&mdast.Node{Type: mdast.Root, Children: nodes})
	c := *n
	c.Value = strings.TrimSpace(head) + " => (\n" + strings.TrimRight(body, "\n") + "\n)"
	c.Data = nil
	return &c, true
}

// expand inlines one component usage.
func (b *bundler) expand(use *mdast.Node, cf *componentFile, ns namespace, props rawProps, children []*mdast.Node, depth int) ([]*mdast.Node, error) {
	usage := rawProps{}
	for _, a := range use.Attributes {
		switch {
		case a.IsSpread():
			return nil, errorAt(posOr(a.Position, use.Position), "Only literal attribute values are supported. Invalid attribute in component %s.", *use.Name)
		case a.IsExpression():
			src := *a.Expr
			if props != nil {
				src = substitute(src, props)
			}
			usage[a.Name] = src
		case a.Value != nil:
			usage[a.Name] = quoteJS(*a.Value)
		default:
			usage[a.Name] = `""`
		}
	}
	// The usage's children belong to the caller: inline them in its context.
	kids, err := b.inline(use.Children, ns, props, children, depth+1)
	if err != nil {
		return nil, err
	}
	return b.inline(cf.nodes, cf.ns, usage, kids, depth+1)
}

// substitute replaces props.NAME references with the usage's source text
// (parenthesised, so operators keep their meaning) or "" when not passed.
func substitute(src string, props rawProps) string {
	return propRef.ReplaceAllStringFunc(src, func(m string) string {
		name := m[len("props."):]
		v, ok := props[name]
		if !ok {
			return `""`
		}
		if isSimpleOperand(v) {
			return v
		}
		return "(" + v + ")"
	})
}

// isSimpleOperand reports whether src can be spliced without parentheses.
func isSimpleOperand(src string) bool {
	if src == "" {
		return false
	}
	if src[0] == '"' || src[0] == '\'' {
		return true
	}
	for _, r := range src {
		if !(r == '.' || r == '_' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func substituteAttributes(attrs []*mdast.Attribute, props rawProps) []*mdast.Attribute {
	out := make([]*mdast.Attribute, len(attrs))
	for i, a := range attrs {
		if a.IsExpression() && strings.Contains(*a.Expr, "props.") {
			c := *a
			s := substitute(*a.Expr, props)
			c.Expr = &s
			c.ExprData = nil
			out[i] = &c
			continue
		}
		out[i] = a
	}
	return out
}

// mergeIntoParagraph puts a usage's children into one paragraph, the way
// upstream renders {props.children}: paragraphs and lists are unwrapped and
// consecutive blocks are separated by a newline.
func mergeIntoParagraph(children []*mdast.Node, pos *mdast.Position) *mdast.Node {
	p := &mdast.Node{Type: mdast.Paragraph, Position: pos, Children: []*mdast.Node{}}
	for i, c := range children {
		if i > 0 {
			p.Children = append(p.Children, &mdast.Node{Type: mdast.Text, Value: "\n"})
		}
		if c.Type == mdast.Paragraph || c.Type == mdast.List {
			p.Children = append(p.Children, c.Children...)
		} else {
			p.Children = append(p.Children, c)
		}
	}
	return p
}

var literalRe = regexp.MustCompile(`^(?:".*"|\d+(?:\.\d+)?)$`)

// literalText returns the text of an expression that is a JSON string or
// number literal.
func literalText(src string) (string, bool) {
	if !literalRe.MatchString(src) {
		return "", false
	}
	v, err := jsvalue.ParseJSON([]byte(src))
	if err != nil {
		return "", false
	}
	return expr.ToText(v), true
}

// quoteJS returns s as a JavaScript string literal.
func quoteJS(s string) string {
	q, _ := jsvalue.Stringify(s)
	return q
}
