package mdx

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/evanw/esbuild/pkg/api"
)

// JavaScript validation of expressions and ESM, standing in for acorn.
//
// A cheap scanner rejects values with unbalanced brackets or unterminated
// literals (acorn rejects those too) and accepts empty/comment-only values;
// a small recursive-descent parser accepts common simple expressions
// (member paths, literals, calls, operator chains); everything else goes to
// esbuild's parser (JSX enabled).

type jsError struct {
	msg   string // "" means "Could not parse expression with acorn"
	pos   int    // byte offset in the value
	fatal bool   // thrown at once (spread checks), not retried at a later `}`
	off   int    // source offset, filled by the caller
}

// validateExpr checks an expression value; nil means valid.
//
// Verdicts are cached by (kind, value): the check is a pure function of
// both, and templates are parsed again and again with the same
// expressions. A cached error is handed out as a copy because callers fill
// in its position.
func validateExpr(val string, kind exprKind) *jsError {
	key := verdictKey{val: val, kind: kind}
	if v, ok := verdictCache.Load(key); ok {
		if e := v.(*jsError); e != nil {
			c := *e
			return &c
		}
		return nil
	}
	err := checkExpr(val, kind)
	if verdictCount.Add(1) > verdictLimit {
		verdictCache.Clear()
		verdictCount.Store(1)
	}
	// Clone the key: val usually points into the whole source text.
	key.val = strings.Clone(val)
	if err != nil {
		c := *err
		verdictCache.Store(key, &c)
	} else {
		verdictCache.Store(key, (*jsError)(nil))
	}
	return err
}

type verdictKey struct {
	val  string
	kind exprKind
}

// verdictLimit bounds the verdict cache; it is emptied when full.
const verdictLimit = 8192

var (
	verdictCache sync.Map // verdictKey -> *jsError (nil: valid)
	verdictCount atomic.Int64
)

// checkExpr is validateExpr without the cache.
func checkExpr(val string, kind exprKind) *jsError {
	bal, empty, _ := jsScan(val)
	if empty && bal {
		if kind == exprFlow || kind == exprText {
			return nil
		}
		return &jsError{msg: "Unexpected empty expression", pos: 0, fatal: true}
	}
	if !bal && strings.IndexByte(val, '<') < 0 {
		// JSX text can hold quotes and slashes: only trust the scanner
		// without it.
		return &jsError{pos: -1}
	}
	if kind == exprSpread {
		return validateSpread(val)
	}
	valid, invalid := miniCheck(val)
	if valid {
		return nil
	}
	if invalid {
		return &jsError{pos: -1}
	}
	return cachedEsbuildExpr(val)
}

// esbuild verdicts are cached: templates are parsed again and again.
var (
	exprCacheMu sync.Mutex
	exprCache   = map[string]bool{}
)

func cachedEsbuildExpr(val string) *jsError {
	exprCacheMu.Lock()
	ok, hit := exprCache[val]
	exprCacheMu.Unlock()
	if hit {
		if ok {
			return nil
		}
		return &jsError{pos: -1}
	}
	err := esbuildExpr(val)
	exprCacheMu.Lock()
	if len(exprCache) < 4096 {
		exprCache[val] = err == nil
	}
	exprCacheMu.Unlock()
	return err
}

// exprErrorPos finds where acorn would report the error in val.
func exprErrorPos(val string, kind exprKind) int {
	if strings.IndexByte(val, '<') < 0 {
		if bal, _, pos := jsScan(val); !bal {
			return pos
		}
	}
	if end, ok := miniPrefix(val); ok {
		return end
	}
	src := val
	if kind == exprSpread {
		src = "{" + val + "}"
	}
	e := esbuildExpr(src)
	if e == nil {
		return len(val)
	}
	if kind == exprSpread {
		e.pos--
	}
	return e.pos
}

func esbuildExpr(val string) *jsError {
	res := api.Transform("("+val+"\n)", api.TransformOptions{Loader: api.LoaderJSX, LogLevel: api.LogLevelSilent})
	msgs := res.Errors
	if len(msgs) == 0 {
		// esbuild only warns about `>` and `}` in JSX text; acorn-jsx
		// rejects them.
		for _, w := range res.Warnings {
			if strings.HasSuffix(w.Text, "is not valid inside a JSX element") {
				msgs = append(msgs, w)
				break
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	loc := msgs[0].Location
	pos := len(val)
	if loc != nil {
		pos = lineColToOffset(val, loc.Line, loc.Column, 1)
	}
	return &jsError{pos: pos}
}

// lineColToOffset maps an esbuild location (1-based line, 0-based byte
// column) in "("+val+... back to an offset in val.
func lineColToOffset(val string, line, col, shift int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(val[off:], '\n')
		if i < 0 {
			return len(val)
		}
		off += i + 1
	}
	if line == 1 {
		col -= shift
	}
	off += col
	if off < 0 {
		off = 0
	}
	if off > len(val) {
		off = len(val)
	}
	return off
}

func validateSpread(val string) *jsError {
	// Skip leading whitespace and comments.
	i := skipJSSpace(val, 0)
	if !strings.HasPrefix(val[i:], "...") {
		if esbuildExpr("{"+val+"}") != nil {
			return &jsError{pos: -1}
		}
		return &jsError{msg: "Unexpected `Property` in code: only spread elements are supported", pos: i, fatal: true}
	}
	if esbuildExpr("{"+val+"}") != nil {
		return &jsError{pos: -1}
	}
	// A second property after a top-level comma.
	if k := topLevelComma(val); k >= 0 {
		j := skipJSSpace(val, k+1)
		if j < len(val) {
			return &jsError{msg: "Unexpected extra content in spread: only a single spread is supported", pos: j, fatal: true}
		}
	}
	return nil
}

func skipJSSpace(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "//"):
			k := strings.IndexAny(s[i:], "\n\r")
			if k < 0 {
				return len(s)
			}
			i += k
		case strings.HasPrefix(s[i:], "/*"):
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return len(s)
			}
			i += k + 4
		default:
			return i
		}
	}
	return i
}

// topLevelComma returns the offset of the first comma outside brackets,
// strings and comments, or -1.
func topLevelComma(s string) int {
	res := -1
	jsWalk(s, func(i int, c byte, depth int) bool {
		if c == ',' && depth == 0 {
			res = i
			return false
		}
		return true
	})
	return res
}

// jsScan reports whether brackets balance and literals/comments terminate
// (balanced), and whether s holds only whitespace and comments (empty).
func jsScan(s string) (balanced, empty bool, failPos int) {
	empty = true
	ok, pos := jsWalk(s, func(i int, c byte, depth int) bool {
		empty = false
		return true
	})
	return ok, empty, pos
}

// jsWalk calls fn for each significant character outside strings,
// templates and comments (strings and templates count as one character
// at their start) with the bracket depth before it. It returns false when
// brackets do not balance or something is unterminated.
func jsWalk(s string, fn func(i int, c byte, depth int) bool) (bool, int) {
	var stack []byte // open brackets; '`' marks a template `${`, 'B' a block's `{`
	regexOK := true
	var prevTok string // the last significant token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			k := strings.IndexAny(s[i:], "\n\r")
			if k < 0 {
				i = len(s)
			} else {
				i += k
			}
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return false, i
			}
			i += k + 4
			continue
		}
		if !fn(i, c, len(stack)) {
			return true, -1
		}
		// prev is the significant token before this one (identifiers and
		// `=>` whole, other tokens by their first byte).
		prev := prevTok
		switch {
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			prevTok = s[i:j]
		case c == '=' && i+1 < len(s) && s[i+1] == '>':
			prevTok = "=>"
		case c == '>' && prev == "=>" && i > 0 && s[i-1] == '=':
			// the second byte of `=>`
		default:
			prevTok = string(c)
		}
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == c {
					break
				}
				if s[j] == '\n' || s[j] == '\r' {
					return false, i
				}
			}
			if j >= len(s) {
				return false, i
			}
			i = j + 1
			regexOK = false
		case c == '`':
			j, ok := templateEnd(s, i+1, &stack)
			if !ok {
				return false, i
			}
			i = j
			regexOK = false
		case c == '/' && regexOK:
			j := i + 1
			inClass := false
			for ; j < len(s); j++ {
				switch s[j] {
				case '\\':
					j++
					continue
				case '[':
					inClass = true
				case ']':
					inClass = false
				case '\n', '\r':
					return false, i
				}
				if s[j] == '/' && !inClass {
					break
				}
			}
			if j >= len(s) {
				return false, i
			}
			i = j + 1
			for i < len(s) && isIdentByte(s[i]) {
				i++
			}
			regexOK = false
		case c == '(' || c == '[' || c == '{':
			open := c
			// A `{` after `)`, `=>`, `;` or else/try/do/finally opens a
			// block; anywhere else in an expression, an object literal.
			if c == '{' && (prev == ")" || prev == "=>" || prev == ";" || prev == "else" || prev == "try" || prev == "do" || prev == "finally") {
				open = 'B'
			}
			stack = append(stack, open)
			i++
			regexOK = true
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 {
				return false, i
			}
			open := stack[len(stack)-1]
			if open == '`' && c == '}' {
				// End of a template substitution: continue the template.
				stack = stack[:len(stack)-1]
				j, ok := templateEnd(s, i+1, &stack)
				if !ok {
					return false, len(s)
				}
				i = j
				regexOK = false
				continue
			}
			if (c == ')' && open != '(') || (c == ']' && open != '[') || (c == '}' && open != '{' && open != 'B') {
				return false, i
			}
			stack = stack[:len(stack)-1]
			i++
			// After a block a regex may start; after an object literal, `/`
			// divides.
			regexOK = open == 'B'
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			w := s[i:j]
			regexOK = w == "return" || w == "typeof" || w == "instanceof" || w == "in" || w == "of" ||
				w == "new" || w == "delete" || w == "void" || w == "throw" || w == "case" || w == "do" || w == "else" || w == "yield" || w == "await"
			i = j
		default:
			regexOK = !(c == '.' && false)
			if c >= 0x80 {
				regexOK = false
			}
			i++
		}
	}
	if len(stack) > 0 {
		return false, len(s)
	}
	return true, -1
}

// templateEnd scans template characters from i; it returns the offset
// after the closing backtick, or after `${` (pushing '`' on the stack).
func templateEnd(s string, i int, stack *[]byte) (int, bool) {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '`':
			return i + 1, true
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				*stack = append(*stack, '`')
				return i + 2, true
			}
		}
	}
	return i, false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80
}

// esmIncomplete reports whether ESM code fails only because it ends too
// early (acorn's "swallow" case), so a blank line does not end it.
func esmIncomplete(code string) bool {
	bal, _, _ := jsScan(code)
	return !bal
}

// validateESM checks import/export code; it returns nil or an error at a
// byte offset in code.
func validateESM(code string) *jsError {
	res := api.Transform(code, api.TransformOptions{Loader: api.LoaderJSX, Format: api.FormatESModule, LogLevel: api.LogLevelSilent})
	if len(res.Errors) == 0 {
		return nil
	}
	loc := res.Errors[0].Location
	pos := len(code)
	if loc != nil {
		pos = lineColToOffset(code, loc.Line, loc.Column, 0)
	}
	return &jsError{msg: "Could not parse import/exports with acorn", pos: pos}
}

// esmStatementError finds a top-level statement that is not an
// import/export in syntactically valid ESM code (approximating acorn's AST
// check with a token scan and automatic semicolon insertion at newlines).
func esmStatementError(code string) *jsError {
	var prev byte // last significant character at depth 0 ('s' for a string)
	newline := false
	lastEnd := 0
	atStart := true
	var res *jsError
	jsWalk(code, func(i int, c byte, depth int) bool {
		if strings.ContainsAny(code[lastEnd:i], "\n\r") {
			newline = true
		}
		start := atStart
		if depth == 0 && !start && newline && (isIdentByte(c) && !isDigit(c)) &&
			(prev == 's' || prev == ')' || prev == ']' || prev == '}' || isIdentByte(prev)) {
			w := code[i:]
			if k := strings.IndexFunc(w, func(r rune) bool {
				return !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}); k >= 0 {
				w = w[:k]
			}
			start = w != "from" && w != "as"
		}
		if start {
			w := code[i:]
			if k := strings.IndexFunc(w, func(r rune) bool {
				return !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}); k >= 0 {
				w = w[:k]
			}
			if w != "import" && w != "export" {
				typ := "ExpressionStatement"
				switch w {
				case "const", "let", "var":
					typ = "VariableDeclaration"
				case "function", "async":
					typ = "FunctionDeclaration"
				case "class":
					typ = "ClassDeclaration"
				case "if":
					typ = "IfStatement"
				case "for":
					typ = "ForStatement"
				case "while":
					typ = "WhileStatement"
				case "return":
					typ = "ReturnStatement"
				case "throw":
					typ = "ThrowStatement"
				case "try":
					typ = "TryStatement"
				}
				if c == '{' {
					typ = "BlockStatement"
				}
				res = &jsError{msg: "Unexpected `" + typ + "` in code: only import/exports are supported", pos: i}
				return false
			}
		}
		atStart = depth == 0 && c == ';'
		if depth == 0 {
			switch {
			case c == '"' || c == '\'' || c == '`':
				prev = 's'
			default:
				prev = c
			}
		}
		newline = false
		lastEnd = i + 1
		return true
	})
	return res
}
