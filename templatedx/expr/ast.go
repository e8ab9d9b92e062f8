// Package expr is TemplateDX's expression language: a port of the jsep 1.4
// grammar (with the object-literal plugin and the built-in ternary plugin),
// the tree-walking evaluator with exact JavaScript coercion semantics, the
// built-in filters, and the text-level arrow-function reader used by ForEach.
//
// Values are jsvalue.Values. Errors produced while parsing or evaluating are
// *Error values whose Msg is the upstream inner message; the caller wraps it
// as `Error evaluating expression "<raw>": <msg>`.
package expr

import "github.com/agentmark-go/agentmark/jsvalue"

// Node is a parsed expression (a jsep AST node). The concrete types are the
// pointer types below; Type returns the jsep node type name.
type Node interface {
	Type() string
}

// Literal is a number, string, boolean or null literal.
type Literal struct {
	Value jsvalue.Value // float64, string, bool or nil
	Raw   string
}

// Identifier is a bare name.
type Identifier struct{ Name string }

// MemberExpression is a.b, a?.b or a[b].
type MemberExpression struct {
	Object   Node
	Property Node // *Identifier when !Computed
	Computed bool
	Optional bool
}

// CallExpression is callee(args...) or callee?.(args...).
type CallExpression struct {
	Callee    Node
	Arguments []Node
	Optional  bool
}

// UnaryExpression is a prefix -x, +x, !x or ~x.
type UnaryExpression struct {
	Operator string
	Argument Node
}

// BinaryExpression is left op right (also && and ||).
type BinaryExpression struct {
	Operator    string
	Left, Right Node
}

// ArrayExpression is [a, b]; a nil element is a hole ([1,,2]).
type ArrayExpression struct{ Elements []Node }

// ObjectExpression is {k: v, ...}. Properties are *Property, or another
// node when jsep's object plugin kept a bare expression ({1}, {a+b}).
type ObjectExpression struct{ Properties []Node }

// Property is one key: value pair. Key is nil when a computed key was
// written as an empty array ({[]: 1}).
type Property struct {
	Key, Value Node
	Computed   bool
	Shorthand  bool
}

// ConditionalExpression is test ? a : b (parses; evaluation rejects it).
type ConditionalExpression struct{ Test, Consequent, Alternate Node }

// Compound is several top-level expressions (a, b / a; b / a b) or none.
type Compound struct{ Body []Node }

// SequenceExpression is a parenthesized list (a, b).
type SequenceExpression struct{ Expressions []Node }

// ThisExpression is `this`.
type ThisExpression struct{}

func (*Literal) Type() string               { return "Literal" }
func (*Identifier) Type() string            { return "Identifier" }
func (*MemberExpression) Type() string      { return "MemberExpression" }
func (*CallExpression) Type() string        { return "CallExpression" }
func (*UnaryExpression) Type() string       { return "UnaryExpression" }
func (*BinaryExpression) Type() string      { return "BinaryExpression" }
func (*ArrayExpression) Type() string       { return "ArrayExpression" }
func (*ObjectExpression) Type() string      { return "ObjectExpression" }
func (*Property) Type() string              { return "Property" }
func (*ConditionalExpression) Type() string { return "ConditionalExpression" }
func (*Compound) Type() string              { return "Compound" }
func (*SequenceExpression) Type() string    { return "SequenceExpression" }
func (*ThisExpression) Type() string        { return "ThisExpression" }
