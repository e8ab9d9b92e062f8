package mdx

import "strings"

// simpleExpr is a fast path for validation: it returns true only for
// values it fully understands as a valid JavaScript expression (member
// paths, literals, calls, unary/binary/conditional operators, array and
// simple object literals, templates). false means "ask the real parser".
func simpleExpr(s string) bool {
	ok, _ := miniCheck(s)
	return ok
}

// miniCheck returns (true, _) for a valid expression, (false, true) when
// the value certainly is not one (it ends where more is required), and
// (false, false) when unsure.
func miniCheck(s string) (valid, invalid bool) {
	m := &mini{s: s}
	m.space()
	if !m.expr(0) {
		return false, m.i >= len(m.s)
	}
	m.space()
	return m.i == len(m.s), false
}

type mini struct {
	s string
	i int
}

func (m *mini) space() {
	for m.i < len(m.s) {
		switch m.s[m.i] {
		case ' ', '\t', '\n', '\r':
			m.i++
		default:
			return
		}
	}
}

func (m *mini) peek() byte {
	if m.i < len(m.s) {
		return m.s[m.i]
	}
	return 0
}

func (m *mini) eat(tok string) bool {
	if len(m.s)-m.i >= len(tok) && m.s[m.i:m.i+len(tok)] == tok {
		m.i += len(tok)
		m.space()
		return true
	}
	return false
}

var miniBinops = []string{
	">>>", "===", "!==", "**", "==", "!=", "<=", ">=", "&&", "||", "??", "<<", ">>",
	"+", "-", "*", "/", "%", "<", ">", "&", "|", "^",
}

var miniReserved = map[string]bool{
	"break": true, "case": true, "catch": true, "class": true, "const": true, "continue": true,
	"debugger": true, "default": true, "delete": true, "do": true, "else": true, "export": true,
	"extends": true, "finally": true, "for": true, "function": true, "if": true, "import": true,
	"in": true, "instanceof": true, "new": true, "return": true, "super": true, "switch": true,
	"throw": true, "try": true, "var": true, "void": true, "while": true, "with": true,
	"yield": true, "let": true, "static": true, "enum": true, "await": true, "implements": true,
	"package": true, "protected": true, "interface": true, "private": true, "public": true,
	"typeof": true, "async": true,
}

// expr parses a conditional expression (no assignment, no comma).
func (m *mini) expr(depth int) bool {
	if depth > 50 {
		return false
	}
	if !m.binary(depth) {
		return false
	}
	if m.peek() == '?' && !(m.i+1 < len(m.s) && (m.s[m.i+1] == '?' || m.s[m.i+1] == '.')) {
		m.i++
		m.space()
		if !m.expr(depth+1) || !m.eat(":") {
			return false
		}
		return m.expr(depth + 1)
	}
	return true
}

func (m *mini) binary(depth int) bool {
	if !m.unary(depth) {
		return false
	}
	for {
		op := ""
		for _, o := range miniBinops {
			if len(m.s)-m.i >= len(o) && m.s[m.i:m.i+len(o)] == o {
				op = o
				break
			}
		}
		if op == "" {
			return true
		}
		// `=>`, `=`, `**=` etc. are not handled here.
		next := m.i + len(op)
		if next < len(m.s) && m.s[next] == '=' && op != "<" && op != ">" && op != "==" && op != "!=" {
			return false
		}
		if (op == "<" || op == ">") && next < len(m.s) && m.s[next] == '=' {
			op += "="
		}
		m.i += len(op)
		m.space()
		if !m.unary(depth) {
			return false
		}
	}
}

func (m *mini) unary(depth int) bool {
	switch m.peek() {
	case '!', '~':
		m.i++
		m.space()
		return m.unary(depth + 1)
	case '-', '+':
		if m.i+1 < len(m.s) && m.s[m.i+1] == m.s[m.i] {
			return false
		}
		m.i++
		m.space()
		return m.unary(depth + 1)
	}
	return m.postfix(depth)
}

func (m *mini) postfix(depth int) bool {
	if !m.primary(depth) {
		return false
	}
	for {
		switch m.peek() {
		case '.':
			m.i++
			m.space()
			if !m.ident(true) {
				return false
			}
		case '?':
			if !(m.i+1 < len(m.s) && m.s[m.i+1] == '.') {
				return true
			}
			if m.i+2 < len(m.s) && m.s[m.i+2] >= '0' && m.s[m.i+2] <= '9' {
				return true
			}
			m.i += 2
			m.space()
			if !m.ident(true) {
				return false
			}
		case '[':
			m.i++
			m.space()
			if !m.expr(depth+1) || !m.eat("]") {
				return false
			}
		case '(':
			m.i++
			m.space()
			if !m.list(')', depth) {
				return false
			}
		default:
			return true
		}
	}
}

// list parses comma-separated expressions up to end (trailing comma ok).
func (m *mini) list(end byte, depth int) bool {
	for {
		if m.peek() == end {
			m.i++
			m.space()
			return true
		}
		if m.eat("...") {
		}
		if !m.expr(depth + 1) {
			return false
		}
		if m.peek() == ',' {
			m.i++
			m.space()
			continue
		}
		if m.peek() != end {
			return false
		}
	}
}

func (m *mini) ident(allowReserved bool) bool {
	start := m.i
	for m.i < len(m.s) {
		c := m.s[m.i]
		if c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (m.i > start && c >= '0' && c <= '9') {
			m.i++
			continue
		}
		break
	}
	if m.i == start {
		return false
	}
	if m.i < len(m.s) && m.s[m.i] >= 0x80 {
		return false
	}
	if !allowReserved && miniReserved[m.s[start:m.i]] {
		return false
	}
	m.space()
	return true
}

func (m *mini) primary(depth int) bool {
	c := m.peek()
	switch {
	case c == '(':
		if m.arrowParams() {
			return m.arrowBody(depth)
		}
		m.i++
		m.space()
		if !m.expr(depth+1) || !m.eat(")") {
			return false
		}
		return !(m.peek() == '=' && m.i+1 < len(m.s) && m.s[m.i+1] == '>')
	case c == '<':
		return m.jsxElement(depth)
	case c == '[':
		m.i++
		m.space()
		return m.list(']', depth)
	case c == '{':
		m.i++
		m.space()
		for {
			if m.peek() == '}' {
				m.i++
				m.space()
				return true
			}
			if m.eat("...") {
				if !m.expr(depth + 1) {
					return false
				}
			} else {
				switch k := m.peek(); {
				case k == '"' || k == '\'':
					if !m.str() {
						return false
					}
				case k >= '0' && k <= '9':
					if !m.num() {
						return false
					}
				default:
					if !m.ident(true) {
						return false
					}
				}
				if !m.eat(":") {
					return false
				}
				if !m.expr(depth + 1) {
					return false
				}
			}
			if m.peek() == ',' {
				m.i++
				m.space()
				continue
			}
			if m.peek() != '}' {
				return false
			}
		}
	case c == '"' || c == '\'':
		return m.str()
	case c == '`':
		return m.template(depth)
	case c >= '0' && c <= '9' || (c == '.' && m.i+1 < len(m.s) && m.s[m.i+1] >= '0' && m.s[m.i+1] <= '9'):
		return m.num()
	default:
		start := m.i
		if !m.ident(false) {
			return false
		}
		_ = start
		if m.peek() == '=' && m.i+1 < len(m.s) && m.s[m.i+1] == '>' {
			m.i += 2
			m.space()
			return m.arrowBody(depth)
		}
		return true
	}
}

func (m *mini) str() bool {
	q := m.s[m.i]
	for j := m.i + 1; j < len(m.s); j++ {
		switch m.s[j] {
		case '\\':
			if j+1 < len(m.s) && (m.s[j+1] == '\n' || m.s[j+1] == '\r' || m.s[j+1] == 'u' || m.s[j+1] == 'x' || (m.s[j+1] >= '0' && m.s[j+1] <= '9')) {
				return false
			}
			j++
		case '\n', '\r':
			return false
		case q:
			m.i = j + 1
			m.space()
			return true
		}
	}
	return false
}

func (m *mini) template(depth int) bool {
	for j := m.i + 1; j < len(m.s); j++ {
		switch m.s[j] {
		case '\\':
			if j+1 < len(m.s) && (m.s[j+1] == 'u' || m.s[j+1] == 'x' || (m.s[j+1] >= '0' && m.s[j+1] <= '9')) {
				return false
			}
			j++
		case '`':
			m.i = j + 1
			m.space()
			return true
		case '$':
			if j+1 < len(m.s) && m.s[j+1] == '{' {
				m.i = j + 2
				m.space()
				if !m.expr(depth+1) || m.peek() != '}' {
					return false
				}
				j = m.i
			}
		}
	}
	return false
}

func (m *mini) num() bool {
	start := m.i
	digits := func() int {
		n := 0
		for m.i < len(m.s) && m.s[m.i] >= '0' && m.s[m.i] <= '9' {
			m.i++
			n++
		}
		return n
	}
	n := digits()
	if n > 1 && m.s[start] == '0' {
		return false // legacy octal and friends
	}
	if m.peek() == '.' {
		m.i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if c := m.peek(); c == 'e' || c == 'E' {
		m.i++
		if c := m.peek(); c == '+' || c == '-' {
			m.i++
		}
		if digits() == 0 {
			return false
		}
	}
	if c := m.peek(); isIdentByte(c) || c == '.' {
		return false
	}
	m.space()
	return true
}

// miniPrefix finds where acorn reports "Unexpected content after
// expression": it parses the longest expression prefix and succeeds when
// the next token certainly cannot continue it.
func miniPrefix(s string) (int, bool) {
	m := &mini{s: s}
	m.space()
	start := m.i
	if m.i < len(s) && (s[m.i] == ')' || s[m.i] == ']' || s[m.i] == '}' || s[m.i] == ',' || s[m.i] == ';') {
		return m.i, true
	}
	if !m.expr(0) || m.i == start {
		return 0, false
	}
	end := m.i
	for end > start && (s[end-1] == ' ' || s[end-1] == '\t' || s[end-1] == '\n' || s[end-1] == '\r') {
		end--
	}
	if m.i >= len(s) {
		return 0, false
	}
	c := s[m.i]
	if isIdentByte(c) || c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == ';' || (c == '.' && m.i+1 < len(s) && isDigit(s[m.i+1])) {
		return end, true
	}
	return 0, false
}

// arrowParams consumes `(a, b) =>` (simple identifiers only); on no match
// it consumes nothing.
func (m *mini) arrowParams() bool {
	save := m.i
	m.i++
	m.space()
	for m.peek() != ')' {
		if !m.ident(false) {
			m.i = save
			return false
		}
		if m.peek() == ',' {
			m.i++
			m.space()
			continue
		}
		if m.peek() != ')' {
			m.i = save
			return false
		}
	}
	m.i++
	m.space()
	if !m.eat("=>") {
		m.i = save
		return false
	}
	return true
}

// arrowBody parses an expression body (block bodies go to the real parser).
func (m *mini) arrowBody(depth int) bool {
	if m.peek() == '{' {
		return false
	}
	return m.expr(depth + 1)
}

func (m *mini) jsxName() bool {
	start := m.i
	for m.i < len(m.s) {
		c := m.s[m.i]
		if c == '_' || c == '$' || c == '-' || c == '.' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (m.i > start && c >= '0' && c <= '9') {
			m.i++
			continue
		}
		break
	}
	return m.i > start && !(m.i < len(m.s) && m.s[m.i] >= 0x80)
}

// jsxElement parses a JSX element or fragment at `<`.
func (m *mini) jsxElement(depth int) bool {
	if depth > 50 {
		return false
	}
	m.i++ // <
	m.space()
	name := ""
	if m.peek() != '>' {
		start := m.i
		if !m.jsxName() {
			return false
		}
		name = m.s[start:m.i]
		m.space()
		for m.peek() != '>' && m.peek() != '/' {
			if m.i >= len(m.s) {
				return false
			}
			if m.peek() == '{' {
				m.i++
				m.space()
				if !m.eat("...") || !m.expr(depth+1) || !m.eat("}") {
					return false
				}
				continue
			}
			if !m.jsxName() {
				return false
			}
			m.space()
			if m.eat("=") {
				switch m.peek() {
				case '"', '\'':
					q := m.s[m.i]
					k := strings.IndexByte(m.s[m.i+1:], q)
					if k < 0 {
						m.i = len(m.s)
						return false
					}
					m.i += k + 2
					m.space()
				case '{':
					m.i++
					m.space()
					if !m.expr(depth+1) || !m.eat("}") {
						return false
					}
				default:
					return false
				}
			}
		}
		if m.peek() == '/' {
			m.i++
			m.space()
			return m.eat(">")
		}
	}
	m.i++ // >
	// Children.
	for {
		if m.i >= len(m.s) {
			return false
		}
		switch m.s[m.i] {
		case '<':
			if m.i+1 < len(m.s) && m.s[m.i+1] == '/' {
				m.i += 2
				m.space()
				start := m.i
				if name != "" && !m.jsxName() {
					return false
				}
				if m.s[start:m.i] != name {
					return false
				}
				m.space()
				return m.eat(">")
			}
			if !m.jsxElement(depth + 1) {
				return false
			}
		case '{':
			m.i++
			m.space()
			if m.peek() == '}' {
				m.i++
				continue
			}
			if !m.expr(depth+1) || m.peek() != '}' {
				return false
			}
			m.i++
		case '>', '}':
			return false
		default:
			m.i++
		}
	}
}
