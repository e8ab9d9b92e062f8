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
		indent = spaces(len(jsxIndent) * s.jsxDepth())
	}
	if flow {
		s.enter(cJsxFlow)
	} else {
		s.enter(cJsxText)
	}
	mark := len(s.parts)
	s.push(indent)
	s.push("<")
	s.push(name)

	// The reference throws for fragments with attributes; we print them.
	ownLines := false
	if len(n.Attributes) > 0 {
		attrs := jsxAttributes(n.Attributes)
		oneLine := strings.Join(attrs, " ")
		ownLines = flow && strings.ContainsAny(oneLine, "\r\n")
		switch {
		case ownLines:
			s.push("\n")
			for i, a := range attrs {
				if i > 0 {
					s.push("\n")
				}
				s.push(indent)
				s.push(jsxIndent)
				s.push(a)
			}
			s.push("\n")
			s.push(indent)
		case oneLine != "":
			s.push(" ")
			s.push(oneLine)
		}
	}
	if selfClosing {
		if !ownLines {
			s.push(" ")
		}
		s.push("/")
	}
	s.push(">")
	if len(n.Children) > 0 {
		if flow {
			s.push("\n")
			s.jsxContainerFlowParts(n)
			s.push("\n")
		} else {
			s.push(s.containerPhrasing(n, info{before: ">", after: "<"}))
		}
	}
	if !selfClosing {
		s.push(indent)
		s.push("</")
		s.push(name)
		s.push(">")
	}
	s.exit()
	return s.join(mark)
}

// jsxContainerFlowParts is the JSX variant of containerFlow, pushing its
// pieces: children are always separated by a blank line and non-element
// children are indented.
func (s *state) jsxContainerFlowParts(parent *mdast.Node) {
	children := parent.Children
	indent := spaces(len(jsxIndent) * s.jsxDepth())
	s.indexStack = append(s.indexStack, -1)
	top := len(s.indexStack) - 1
	for i, child := range children {
		s.indexStack[top] = i
		result := s.handle(child, parent, info{before: "\n", after: "\n"})
		if child.Type == mdast.MdxJsxFlowElement || indent == "" {
			s.push(result)
		} else {
			s.pushIndented(result, indent, "", indent)
		}
		if child.Type != mdast.List {
			s.bulletLastUsed = ""
		}
		if i < len(children)-1 {
			s.push("\n\n")
		}
	}
	s.indexStack = s.indexStack[:top]
}
