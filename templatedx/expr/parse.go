package expr

import (
	"strconv"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Parse trims src (JavaScript trim) and parses it with the jsep 1.4 grammar
// plus the object-literal plugin. A syntax error is an *Error with message
// `Failed to parse expression: "<trimmed src>"` (jsep's own description is
// in Error.Detail).
func Parse(src string) (Node, error) {
	trimmed := jsvalue.TrimSpace(src)
	p := &parser{s: trimmed}
	n, err := p.parse()
	if err != nil {
		return nil, &Error{Msg: `Failed to parse expression: "` + trimmed + `"`, Detail: err.Error()}
	}
	return n, nil
}

// maxDepth bounds parser recursion (JavaScript would overflow its stack on
// absurdly nested input; we report a parse error instead).
const maxDepth = 500

type parser struct {
	s     string
	i     int
	depth int
}

type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

func (p *parser) fail(msg string) {
	panic(&syntaxError{msg + " at character " + strconv.Itoa(p.i)})
}

func (p *parser) parse() (n Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*syntaxError)
			if !ok {
				panic(r)
			}
			n, err = nil, se
		}
	}()
	nodes := p.gobbleExpressions(-1)
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return &Compound{Body: nodes}, nil
}

// code is jsep's this.code: the code unit at the index, or -1 (NaN) past
// the end. We work on UTF-8 bytes: every byte of a non-ASCII character is
// >= 0x80, which jsep treats as an identifier character, so the grammar is
// unchanged.
func (p *parser) code() int {
	if p.i < len(p.s) {
		return int(p.s[p.i])
	}
	return -1
}

func (p *parser) char() string {
	if p.i < len(p.s) {
		return p.s[p.i : p.i+1]
	}
	return ""
}

func isDecimalDigit(c int) bool { return c >= '0' && c <= '9' }

func isIdentifierStart(c int) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80 || c == '$' || c == '_'
}

func isIdentifierPart(c int) bool { return isIdentifierStart(c) || isDecimalDigit(c) }

func (p *parser) gobbleSpaces() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail("Maximum nesting depth exceeded")
	}
}

func (p *parser) gobbleExpressions(until int) []Node {
	var nodes []Node
	for p.i < len(p.s) {
		ch := p.code()
		if ch == ';' || ch == ',' {
			p.i++
			continue
		}
		if node := p.gobbleExpression(); node != nil {
			nodes = append(nodes, node)
		} else if p.i < len(p.s) {
			if ch == until {
				break
			}
			p.fail(`Unexpected "` + p.char() + `"`)
		}
	}
	return nodes
}

// gobbleExpression is a binary expression followed by the ternary hook.
func (p *parser) gobbleExpression() Node {
	p.enter()
	defer func() { p.depth-- }()
	node := p.gobbleBinaryExpression()
	p.gobbleSpaces()
	// ternary plugin (after-expression hook)
	if node != nil && p.code() == '?' {
		p.i++
		consequent := p.gobbleExpression()
		if consequent == nil {
			p.fail("Expected expression")
		}
		p.gobbleSpaces()
		if p.code() != ':' {
			p.fail("Expected :")
		}
		p.i++
		alternate := p.gobbleExpression()
		if alternate == nil {
			p.fail("Expected expression")
		}
		node = &ConditionalExpression{Test: node, Consequent: consequent, Alternate: alternate}
	}
	return node
}

var binaryPrecedence = map[string]int{
	"||": 1, "??": 1,
	"&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "===": 6, "!==": 6,
	"<": 7, ">": 7, "<=": 7, ">=": 7,
	"<<": 8, ">>": 8, ">>>": 8,
	"+": 9, "-": 9,
	"*": 10, "/": 10, "%": 10,
	"**": 11,
}

// gobbleBinaryOp returns the longest binary operator at the index (after
// spaces), or "".
func (p *parser) gobbleBinaryOp() string {
	p.gobbleSpaces()
	for n := 3; n > 0; n-- {
		if p.i+n > len(p.s) {
			continue
		}
		op := p.s[p.i : p.i+n]
		if _, ok := binaryPrecedence[op]; ok {
			p.i += n
			return op
		}
	}
	return ""
}

type binop struct {
	op     string
	prec   int
	rightA bool
}

func (p *parser) gobbleBinaryExpression() Node {
	left := p.gobbleToken()
	if left == nil {
		return nil
	}
	op := p.gobbleBinaryOp()
	if op == "" {
		return left
	}
	right := p.gobbleToken()
	if right == nil {
		p.fail("Expected expression after " + op)
	}
	// stack holds nodes at even positions and operators at odd positions.
	nodes := []Node{left, right}
	ops := []binop{{op, binaryPrecedence[op], op == "**"}}
	for {
		op = p.gobbleBinaryOp()
		if op == "" {
			break
		}
		info := binop{op, binaryPrecedence[op], op == "**"}
		for len(ops) > 0 {
			prev := ops[len(ops)-1]
			var reduce bool
			if info.rightA && prev.rightA {
				reduce = info.prec > prev.prec
			} else {
				reduce = info.prec <= prev.prec
			}
			if !reduce {
				break
			}
			r := nodes[len(nodes)-1]
			l := nodes[len(nodes)-2]
			nodes = nodes[:len(nodes)-2]
			ops = ops[:len(ops)-1]
			nodes = append(nodes, &BinaryExpression{Operator: prev.op, Left: l, Right: r})
		}
		node := p.gobbleToken()
		if node == nil {
			p.fail("Expected expression after " + op)
		}
		ops = append(ops, info)
		nodes = append(nodes, node)
	}
	node := nodes[len(nodes)-1]
	for k := len(ops) - 1; k >= 0; k-- {
		node = &BinaryExpression{Operator: ops[k].op, Left: nodes[k], Right: node}
	}
	return node
}

func (p *parser) gobbleToken() Node {
	p.enter()
	defer func() { p.depth-- }()
	p.gobbleSpaces()
	if p.code() == '{' { // object plugin (gobble-token hook)
		return p.gobbleObject()
	}
	ch := p.code()
	if isDecimalDigit(ch) || ch == '.' {
		return p.gobbleNumericLiteral()
	}
	var node Node
	switch {
	case ch == '\'' || ch == '"':
		node = p.gobbleStringLiteral()
	case ch == '[':
		p.i++
		node = &ArrayExpression{Elements: p.gobbleArguments(']')}
	case ch == '-' || ch == '!' || ch == '~' || ch == '+':
		p.i++
		arg := p.gobbleToken()
		if arg == nil {
			p.fail("missing unaryOp argument")
		}
		return &UnaryExpression{Operator: string(rune(ch)), Argument: arg}
	case isIdentifierStart(ch):
		id := p.gobbleIdentifier()
		switch id.Name {
		case "true":
			node = &Literal{Value: true, Raw: "true"}
		case "false":
			node = &Literal{Value: false, Raw: "false"}
		case "null":
			node = &Literal{Value: nil, Raw: "null"}
		case "this":
			node = &ThisExpression{}
		default:
			node = id
		}
	case ch == '(':
		node = p.gobbleGroup()
	}
	if node == nil {
		return nil
	}
	return p.gobbleTokenProperty(node)
}

func (p *parser) gobbleTokenProperty(node Node) Node {
	p.gobbleSpaces()
	ch := p.code()
	for ch == '.' || ch == '[' || ch == '(' || ch == '?' {
		optional := false
		if ch == '?' {
			if p.i+1 >= len(p.s) || p.s[p.i+1] != '.' {
				break
			}
			optional = true
			p.i += 2
			p.gobbleSpaces()
			ch = p.code()
		}
		p.i++
		switch {
		case ch == '[':
			prop := p.gobbleExpression()
			if prop == nil {
				p.fail(`Unexpected "` + p.char() + `"`)
			}
			node = &MemberExpression{Object: node, Property: prop, Computed: true, Optional: optional}
			p.gobbleSpaces()
			if p.code() != ']' {
				p.fail("Unclosed [")
			}
			p.i++
		case ch == '(':
			node = &CallExpression{Callee: node, Arguments: p.gobbleArguments(')'), Optional: optional}
		case ch == '.' || optional:
			if optional {
				p.i--
			}
			p.gobbleSpaces()
			node = &MemberExpression{Object: node, Property: p.gobbleIdentifier(), Optional: optional}
		}
		p.gobbleSpaces()
		ch = p.code()
	}
	return node
}

func (p *parser) gobbleNumericLiteral() Node {
	start := p.i
	for isDecimalDigit(p.code()) {
		p.i++
	}
	if p.code() == '.' {
		p.i++
		for isDecimalDigit(p.code()) {
			p.i++
		}
	}
	if c := p.code(); c == 'e' || c == 'E' {
		p.i++
		if c := p.code(); c == '+' || c == '-' {
			p.i++
		}
		for isDecimalDigit(p.code()) {
			p.i++
		}
		if !isDecimalDigit(int(p.s[p.i-1])) {
			p.fail("Expected exponent (" + p.s[start:p.i] + p.char() + ")")
		}
	}
	number := p.s[start:p.i]
	if c := p.code(); isIdentifierStart(c) {
		p.fail("Variable names cannot start with a number (" + number + p.char() + ")")
	} else if c == '.' || number == "." {
		p.fail("Unexpected period")
	}
	return &Literal{Value: parseFloatPrefix(number), Raw: number}
}

// parseFloatPrefix is JavaScript parseFloat on the text jsep collected
// (digits, optional fraction, optional exponent).
func parseFloatPrefix(s string) float64 {
	if s[0] == '.' && (len(s) < 2 || !isDecimalDigit(int(s[1]))) {
		return nan // ".e5"
	}
	f, _ := strconv.ParseFloat(s, 64) // overflow gives ±Inf, like JS
	return f
}

func (p *parser) gobbleStringLiteral() Node {
	start := p.i
	quote := p.s[p.i]
	p.i++
	var b []byte
	closed := false
	for p.i < len(p.s) {
		ch := p.s[p.i]
		p.i++
		if ch == quote {
			closed = true
			break
		}
		if ch != '\\' {
			b = append(b, ch)
			continue
		}
		if p.i >= len(p.s) {
			break // "\" at the end: charAt gives "", the loop ends unclosed
		}
		ch = p.s[p.i]
		p.i++
		switch ch {
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'v':
			b = append(b, '\v')
		default:
			b = append(b, ch)
		}
	}
	if !closed {
		p.fail(`Unclosed quote after "` + string(b) + `"`)
	}
	return &Literal{Value: string(b), Raw: p.s[start:p.i]}
}

func (p *parser) gobbleIdentifier() *Identifier {
	start := p.i
	if !isIdentifierStart(p.code()) {
		p.fail("Unexpected " + p.char())
	}
	p.i++
	for p.i < len(p.s) && isIdentifierPart(int(p.s[p.i])) {
		p.i++
	}
	return &Identifier{Name: p.s[start:p.i]}
}

// gobbleArguments reads call arguments or array elements up to term; array
// holes are nil elements.
func (p *parser) gobbleArguments(term byte) []Node {
	args := []Node{}
	closed := false
	separators := 0
	for p.i < len(p.s) {
		p.gobbleSpaces()
		ch := p.code()
		switch {
		case ch == int(term):
			closed = true
			p.i++
			if term == ')' && separators > 0 && separators >= len(args) {
				p.fail("Unexpected token )")
			}
		case ch == ',':
			p.i++
			separators++
			if separators != len(args) {
				if term == ')' {
					p.fail("Unexpected token ,")
				}
				for len(args) < separators {
					args = append(args, nil)
				}
			}
		case len(args) != separators && separators != 0:
			p.fail("Expected comma")
		default:
			node := p.gobbleExpression()
			if node == nil {
				p.fail("Expected comma")
			}
			if _, ok := node.(*Compound); ok {
				p.fail("Expected comma")
			}
			args = append(args, node)
		}
		if closed {
			break
		}
	}
	if !closed {
		p.fail("Expected " + string(term))
	}
	return args
}

func (p *parser) gobbleGroup() Node {
	p.i++
	nodes := p.gobbleExpressions(')')
	if p.code() != ')' {
		p.fail("Unclosed (")
	}
	p.i++
	switch len(nodes) {
	case 0:
		return nil
	case 1:
		return nodes[0]
	}
	return &SequenceExpression{Expressions: nodes}
}

// gobbleObject is @jsep-plugin/object 1.2.2.
func (p *parser) gobbleObject() Node {
	p.i++
	props := []Node{}
	for p.i < len(p.s) {
		p.gobbleSpaces()
		if p.code() == '}' {
			p.i++
			return p.gobbleTokenProperty(&ObjectExpression{Properties: props})
		}
		key := p.gobbleExpression()
		if key == nil {
			break
		}
		p.gobbleSpaces()
		_, isIdent := key.(*Identifier)
		switch c := p.code(); {
		case isIdent && (c == ',' || c == '}'):
			props = append(props, &Property{Key: key, Value: key, Shorthand: true})
		case c == ':':
			p.i++
			value := p.gobbleExpression()
			if value == nil {
				p.fail("unexpected object property")
			}
			prop := &Property{Key: key, Value: value}
			if arr, ok := key.(*ArrayExpression); ok {
				prop.Computed = true
				prop.Key = nil
				if len(arr.Elements) > 0 {
					prop.Key = arr.Elements[0]
					if prop.Key == nil {
						prop.Key = nullNode{}
					}
				}
			}
			props = append(props, prop)
			p.gobbleSpaces()
		default:
			props = append(props, key)
		}
		if p.code() == ',' {
			p.i++
		}
	}
	p.fail("missing }")
	return nil
}

// nullNode is a computed key taken from an array hole ({[,]: 1}).
type nullNode struct{}

func (nullNode) Type() string { return "null" }
