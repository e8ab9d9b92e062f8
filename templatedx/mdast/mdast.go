// Package mdast is the Markdown syntax tree TemplateDX works on: the unist /
// mdast node types plus the MDX node types, with the same field names and
// JSON shape as the JavaScript ecosystem (remark, mdast-util-mdx), so trees
// can cross the wire between our tools and upstream AgentMark's.
package mdast

// Node types.
const (
	Root               = "root"
	YAML               = "yaml"
	Heading            = "heading"
	Paragraph          = "paragraph"
	Text               = "text"
	Emphasis           = "emphasis"
	Strong             = "strong"
	InlineCode         = "inlineCode"
	Code               = "code"
	Blockquote         = "blockquote"
	List               = "list"
	ListItem           = "listItem"
	ThematicBreak      = "thematicBreak"
	Break              = "break"
	Link               = "link"
	Image              = "image"
	LinkReference      = "linkReference"
	ImageReference     = "imageReference"
	Definition         = "definition"
	HTML               = "html"
	MdxJsxFlowElement  = "mdxJsxFlowElement"
	MdxJsxTextElement  = "mdxJsxTextElement"
	MdxFlowExpression  = "mdxFlowExpression"
	MdxTextExpression  = "mdxTextExpression"
	MdxjsEsm           = "mdxjsEsm"
	MdxJsxAttribute    = "mdxJsxAttribute"
	MdxJsxExprAttr     = "mdxJsxExpressionAttribute"
	MdxJsxAttrValueExp = "mdxJsxAttributeValueExpression"
)

// Point is a place in the source: 1-based line and column, 0-based byte offset.
type Point struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// Position is the source span of a node.
type Position struct {
	Start Point `json:"start"`
	End   Point `json:"end"`
}

// Node is any mdast node. Only the fields that belong to Type are meaningful;
// JSON encoding writes exactly those (see json.go).
type Node struct {
	Type     string
	Children []*Node
	// Value: text, inlineCode, code, yaml, html, expressions, ESM.
	Value string
	// Depth: heading level 1-6.
	Depth int
	// List and listItem.
	Ordered bool
	Start   *int
	Spread  bool
	Checked *bool
	// Code.
	Lang *string
	Meta *string
	// Link, image, definition.
	URL   string
	Title *string
	Alt   *string
	// References and definitions.
	Identifier    string
	Label         *string
	ReferenceType string
	// JSX elements: Name is nil for fragments.
	Name       *string
	Attributes []*Attribute

	Position *Position
	// Data is kept verbatim for round trips (upstream puts data.estree on
	// expressions and ESM); nil when absent.
	Data []byte
}

// Attribute is a JSX attribute: mdxJsxAttribute (Name, and a string value,
// an expression value, or neither for a bare attribute) or
// mdxJsxExpressionAttribute (a spread `{...x}`, Expr holds its source).
type Attribute struct {
	Type string
	Name string
	// Value is the string value of name="..." (entities decoded).
	Value *string
	// Expr is the source text of name={...}, or of a spread attribute.
	Expr *string
	// ExprData is the data of the value expression (estree), kept verbatim.
	ExprData []byte
	Position *Position
	Data     []byte
}

// IsSpread reports whether a is a {...spread} attribute.
func (a *Attribute) IsSpread() bool { return a.Type == MdxJsxExprAttr }

// IsBare reports whether a is a bare attribute (`<X flag>`).
func (a *Attribute) IsBare() bool { return !a.IsSpread() && a.Value == nil && a.Expr == nil }

// IsExpression reports whether a has an {expression} value.
func (a *Attribute) IsExpression() bool { return !a.IsSpread() && a.Expr != nil }

// ElementName returns the JSX element name, "" for fragments.
func (n *Node) ElementName() string {
	if n.Name == nil {
		return ""
	}
	return *n.Name
}

// IsElement reports whether n is a JSX element (flow or text).
func (n *Node) IsElement() bool {
	return n.Type == MdxJsxFlowElement || n.Type == MdxJsxTextElement
}

// IsExpression reports whether n is an {expression} node.
func (n *Node) IsExpression() bool {
	return n.Type == MdxFlowExpression || n.Type == MdxTextExpression
}

// IsParent reports whether n's type holds children.
func IsParent(t string) bool {
	switch t {
	case Root, Heading, Paragraph, Emphasis, Strong, Blockquote, List, ListItem,
		Link, LinkReference, MdxJsxFlowElement, MdxJsxTextElement, "delete":
		return true
	}
	return false
}

// IsPhrasing reports whether nodes of type t are phrasing (inline) content.
func IsPhrasing(t string) bool {
	switch t {
	case Text, Emphasis, Strong, InlineCode, Break, Link, Image, LinkReference,
		ImageReference, MdxJsxTextElement, MdxTextExpression, "delete", "footnoteReference":
		return true
	}
	return false
}

// Str returns a pointer to s, for optional fields.
func Str(s string) *string { return &s }

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Children != nil {
		c.Children = make([]*Node, len(n.Children))
		for i, ch := range n.Children {
			c.Children[i] = ch.Clone()
		}
	}
	if n.Attributes != nil {
		c.Attributes = make([]*Attribute, len(n.Attributes))
		for i, a := range n.Attributes {
			ac := *a
			c.Attributes[i] = &ac
		}
	}
	if n.Position != nil {
		p := *n.Position
		c.Position = &p
	}
	return &c
}

// Walk calls fn for n and every descendant in pre-order; returning false
// from fn skips that node's children.
func Walk(n *Node, fn func(*Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	for _, c := range n.Children {
		Walk(c, fn)
	}
}
