package markdown

import (
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

const jsxIndent = "  "

// jsxDepth counts the enclosing flow JSX elements up to the nearest list
// item or block quote (which indent their content themselves).
func (s *state) jsxDepth() int {
	depth := 0
	for i := len(s.stack) - 1; i >= 0; i-- {
		switch s.stack[i] {
		case cBlockquote, cListItem:
			return depth
		case cJsxFlow:
			depth++
		}
	}
	return depth
}

// jsxAttributes serializes the attributes of an element.
func jsxAttributes(attrs []*mdast.Attribute) []string {
	out := make([]string, 0, len(attrs))
	for _, a := range attrs {
		switch {
		case a.IsSpread():
			out = append(out, "{"+deref(a.Expr)+"}")
		case a.Expr != nil:
			out = append(out, a.Name+"={"+*a.Expr+"}")
		case a.Value != nil:
			out = append(out, a.Name+`="`+strings.ReplaceAll(*a.Value, `"`, "&#x22;")+`"`)
		default:
			out = append(out, a.Name)
		}
	}
	return out
}

// jsxElement serializes mdxJsxFlowElement and mdxJsxTextElement nodes.
func (s *state) jsxElement(n *mdast.Node) string {
	flow := n.Type == mdast.MdxJsxFlowElement
	name := n.ElementName()
	selfClosing := n.Name != nil && len(n.Children) == 0
	indent := ""
	if flow {
		indent = strings.Repeat(jsxIndent, s.jsxDepth())
	}
	if flow {
		s.enter(cJsxFlow)
	} else {
		s.enter(cJsxText)
	}
	var b strings.Builder
	b.WriteString(indent)
	b.WriteByte('<')
	b.WriteString(name)

	// The reference throws for fragments with attributes; we print them.
	attrs := jsxAttributes(n.Attributes)
	oneLine := strings.Join(attrs, " ")
	ownLines := flow && strings.ContainsAny(oneLine, "\r\n")
	switch {
	case ownLines:
		b.WriteByte('\n')
		for i, a := range attrs {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(indent)
			b.WriteString(jsxIndent)
			b.WriteString(a)
		}
		b.WriteByte('\n')
		b.WriteString(indent)
	case oneLine != "":
		b.WriteByte(' ')
		b.WriteString(oneLine)
	}
	if selfClosing {
		if !ownLines {
			b.WriteByte(' ')
		}
		b.WriteByte('/')
	}
	b.WriteByte('>')
	if len(n.Children) > 0 {
		if flow {
			b.WriteByte('\n')
			b.WriteString(s.jsxContainerFlow(n))
			b.WriteByte('\n')
		} else {
			b.WriteString(s.containerPhrasing(n, info{before: ">", after: "<"}))
		}
	}
	if !selfClosing {
		b.WriteString(indent)
		b.WriteString("</")
		b.WriteString(name)
		b.WriteByte('>')
	}
	s.exit()
	return b.String()
}

// jsxContainerFlow is the JSX variant of containerFlow: children are always
// separated by a blank line and non-element children are indented.
func (s *state) jsxContainerFlow(parent *mdast.Node) string {
	children := parent.Children
	indent := strings.Repeat(jsxIndent, s.jsxDepth())
	var b strings.Builder
	s.indexStack = append(s.indexStack, -1)
	top := len(s.indexStack) - 1
	for i, child := range children {
		s.indexStack[top] = i
		result := s.handle(child, parent, info{before: "\n", after: "\n"})
		if child.Type == mdast.MdxJsxFlowElement || indent == "" {
			b.WriteString(result)
		} else {
			b.WriteString(indentLines(result, func(b *strings.Builder, line string, _ int, blank bool) {
				if !blank {
					b.WriteString(indent)
				}
				b.WriteString(line)
			}))
		}
		if child.Type != mdast.List {
			s.bulletLastUsed = ""
		}
		if i < len(children)-1 {
			b.WriteString("\n\n")
		}
	}
	s.indexStack = s.indexStack[:top]
	return b.String()
}
