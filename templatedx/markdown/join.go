package markdown

import (
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// containerFlow serializes the children of a flow parent, joined by blank
// lines or by the list join rules.
func (s *state) containerFlow(parent *mdast.Node) string {
	mark := len(s.parts)
	s.containerFlowParts(parent)
	return s.join(mark)
}

// containerFlowParts is containerFlow pushing its pieces.
func (s *state) containerFlowParts(parent *mdast.Node) {
	children := parent.Children
	s.indexStack = append(s.indexStack, -1)
	top := len(s.indexStack) - 1
	for i, child := range children {
		s.indexStack[top] = i
		s.push(s.handle(child, parent, info{before: "\n", after: "\n"}))
		if child.Type != mdast.List {
			s.bulletLastUsed = ""
		}
		if i < len(children)-1 {
			s.push(s.between(child, children[i+1], parent))
		}
	}
	s.indexStack = s.indexStack[:top]
}

// between is the join between two flow siblings (joinDefaults; fenced code
// is never indented here, so the indented-code rule never applies).
func (s *state) between(left, right, parent *mdast.Node) string {
	if parent.Type == mdast.List || parent.Type == mdast.ListItem {
		if left.Type == mdast.Paragraph &&
			(right.Type == mdast.Paragraph || right.Type == mdast.Definition ||
				(right.Type == mdast.Heading && formatHeadingAsSetext(right))) {
			return "\n\n"
		}
		if parent.Spread {
			return "\n\n"
		}
		return "\n"
	}
	return "\n\n"
}

// containerPhrasing serializes the children of a phrasing parent flush
// together, giving each the characters around it as context.
func (s *state) containerPhrasing(parent *mdast.Node, in info) string {
	children := parent.Children
	if len(children) == 0 {
		return ""
	}
	// The results are the pieces above mark, one per child (empty ones
	// too: the rules below look at the previous result).
	mark := len(s.parts)
	before := in.before
	encodeAfter := ""
	s.indexStack = append(s.indexStack, -1)
	top := len(s.indexStack) - 1
	for i, child := range children {
		s.indexStack[top] = i
		var after string
		if i+1 < len(children) {
			after = s.peek(children[i+1], parent)
		} else {
			after = in.after
		}
		// html right after an eol would become flow html: use a space.
		if len(s.parts) > mark && (before == "\r" || before == "\n") && child.Type == mdast.HTML {
			last := s.parts[len(s.parts)-1]
			switch {
			case strings.HasSuffix(last, "\r\n"):
				last = last[:len(last)-2] + " "
			case strings.HasSuffix(last, "\n"), strings.HasSuffix(last, "\r"):
				last = last[:len(last)-1] + " "
			}
			s.parts[len(s.parts)-1] = last
			before = " "
		}
		value := s.handle(child, parent, info{before: before, after: after})
		if encodeAfter != "" && sameFirstUnit(value, encodeAfter) {
			value = s.encodeFirstUnit(value)
		}
		attn := s.attn
		s.attn = attention{}
		encodeAfter = ""
		if attn.set {
			if len(s.parts) > mark && attn.before {
				last := s.parts[len(s.parts)-1]
				if before == lastChar(last) {
					if before == "" {
						// The reference encodes charCodeAt of an empty
						// string (NaN).
						s.parts[len(s.parts)-1] = "&#xNAN;"
					} else {
						s.parts[len(s.parts)-1] = s.encodeLastUnit(last)
					}
				}
			}
			if attn.after {
				encodeAfter = after
			}
		}
		s.parts = append(s.parts, value)
		before = lastChar(value)
	}
	s.indexStack = s.indexStack[:top]
	return s.join(mark)
}
