package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Arrow is a ForEach child function read from its expression text.
type Arrow struct {
	Params []string // simple identifiers; at least one
	Body   string   // body text per §B.6.3 step 3
}

// The ForEach child-function errors (exact upstream messages).
const (
	ErrNotFunction     = "ForEach expects a function as its child."
	ErrParamNotSimple  = "Only simple identifiers are supported as function parameters."
	ErrNoParams        = "Function must have at least one parameter."
	arrowToken         = "=>"
	maxArrowParenDepth = 1000
)

// ParseArrow reads an arrow function from the text of a flow expression
// (the part between the braces), without a JavaScript parser: the text must
// be an arrow function, optionally async and optionally wrapped in
// parentheses, whose parameters are plain identifiers. The body is the
// text after the first "=>", trimmed, with one pair of enclosing
// parentheses removed and trimmed again. Errors are *Error values.
func ParseArrow(src string) (Arrow, error) {
	s := jsvalue.TrimSpace(src)
	params, ok := arrowParams(s, 0)
	if !ok {
		return Arrow{}, errorf(ErrNotFunction)
	}
	if len(params) == 0 {
		return Arrow{}, errorf(ErrNoParams)
	}
	for i, p := range params {
		name, ok := simpleIdentifier(p)
		if !ok {
			return Arrow{}, errorf(ErrParamNotSimple)
		}
		params[i] = name
	}
	_, after, _ := strings.Cut(s, arrowToken)
	body := jsvalue.TrimSpace(after)
	if len(body) >= 2 && body[0] == '(' && body[len(body)-1] == ')' {
		body = jsvalue.TrimSpace(body[1 : len(body)-1])
	}
	return Arrow{Params: params, Body: body}, nil
}

// arrowParams recognises `[async] ident =>` or `[async] ( params ) =>` at the
// start of s (after white space and comments), also inside one or more
// wrapping parentheses. It returns the raw parameter texts.
func arrowParams(s string, depth int) ([]string, bool) {
	if depth > maxArrowParenDepth {
		return nil, false
	}
	i := skipTrivia(s, 0)
	if i >= len(s) {
		return nil, false
	}
	// `async` prefix (but `async => x` has a parameter named async).
	if name, j := readIdent(s, i); name == "async" {
		k := skipTrivia(s, j)
		if k < len(s) && (s[k] == '(' || k > j && isIdentStartAt(s, k)) {
			i = k
		}
	}
	if s[i] == '(' {
		end, ok := matchParen(s, i)
		if !ok {
			return nil, false
		}
		k := skipTrivia(s, end+1)
		if strings.HasPrefix(s[k:], arrowToken) {
			return splitParams(s[i+1 : end]), true
		}
		// A parenthesized expression: `((x) => y)`.
		if skipTrivia(s, end+1) == len(s) {
			return arrowParams(s[i+1:end], depth+1)
		}
		return nil, false
	}
	name, j := readIdent(s, i)
	if name == "" {
		return nil, false
	}
	k := skipTrivia(s, j)
	if strings.HasPrefix(s[k:], arrowToken) {
		return []string{name}, true
	}
	return nil, false
}

// skipTrivia skips JavaScript white space and comments.
func skipTrivia(s string, i int) int {
	for i < len(s) {
		if strings.HasPrefix(s[i:], "//") {
			nl := strings.IndexAny(s[i:], "\n\r")
			if nl < 0 {
				return len(s)
			}
			i += nl
			continue
		}
		if strings.HasPrefix(s[i:], "/*") {
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return len(s)
			}
			i += 2 + end + 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !jsvalue.IsSpace(r) {
			return i
		}
		i += size
	}
	return i
}

func isIdentStartAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isIDStart(r)
}

func isIDStart(r rune) bool {
	return r == '$' || r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
}

func isIDPart(r rune) bool {
	return isIDStart(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue) || r == 0x200C || r == 0x200D
}

// readIdent reads an identifier name at s[i:].
func readIdent(s string, i int) (string, int) {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if j == i && !isIDStart(r) || j > i && !isIDPart(r) {
			break
		}
		j += size
	}
	return s[i:j], j
}

// matchParen returns the index of the ')' closing the '(' at s[open],
// skipping strings, template literals, comments and nested brackets.
func matchParen(s string, open int) (int, bool) {
	var stack []byte
	for i := open; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != opener(c) {
				return 0, false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i, true
			}
		case '"', '\'', '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return 0, false
			}
			i = j
		case '/':
			if k := skipTrivia(s, i); k != i {
				i = k - 1
			}
		}
	}
	return 0, false
}

// splitParams splits a parameter list on top-level commas; a trailing comma
// is allowed.
func splitParams(list string) []string {
	var out []string
	depth := 0
	start := 0
	for i := 0; i < len(list); i++ {
		switch list[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '"', '\'', '`':
			q := list[i]
			for i++; i < len(list) && list[i] != q; i++ {
				if list[i] == '\\' {
					i++
				}
			}
		case ',':
			if depth == 0 {
				out = append(out, list[start:i])
				start = i + 1
			}
		}
	}
	if last := list[start:]; skipTrivia(last, 0) < len(last) {
		out = append(out, last)
	}
	return out
}

// simpleIdentifier returns the name when a parameter text (with surrounding
// white space and comments) is a plain identifier.
func simpleIdentifier(p string) (string, bool) {
	i := skipTrivia(p, 0)
	name, j := readIdent(p, i)
	if name == "" || skipTrivia(p, j) != len(p) {
		return "", false
	}
	return name, true
}

func opener(c byte) byte {
	switch c {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}
