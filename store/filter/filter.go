// Package filter parses the filter language of the trace, span and request
// lists (`filter=` query parameter):
//
//	filter    = clause ( "and" clause )*
//	clause    = predicate | "(" predicate ( "or" predicate )* ")"
//	predicate = field operator [ value ]
//	operator  = "=" | "!=" | ">" | ">=" | "<" | "<=" | "contains" | "not contains"
//	          | "starts with" | "ends with" | "exists" | "does not exist"
//	value     = bare-token | "double-quoted string"
//
// Keywords and word operators are case-insensitive; the alias vocabulary
// (equals, notEquals, not_equals, like, startsWith, lt, gte, doesNotExist...)
// is accepted too. A value that starts with '[' or '{' is read as the JSON
// form instead: an array of leaves {field, operator, value} and
// {or: [leaf...]} groups, or {op:"and"|"or", exprs:[...]} with leaves
// {field, op, value} (op eq, neq, gt, ...).
//
// Parse never panics; every error is an *Error carrying the byte offset of
// the problem, meant for a 400 invalid_filter response.
package filter

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Limits.
const (
	MaxPredicates = 20  // leaf predicates per filter, groups included
	MaxValueLen   = 500 // characters per value
	MaxInValues   = 50  // values of in / notIn
)

// Op is a canonical operator.
type Op string

// Operators.
const (
	Equals       Op = "equals"
	NotEquals    Op = "notEquals"
	Contains     Op = "contains"
	NotContains  Op = "notContains"
	StartsWith   Op = "startsWith"
	EndsWith     Op = "endsWith"
	GT           Op = "gt"
	GTE          Op = "gte"
	LT           Op = "lt"
	LTE          Op = "lte"
	Exists       Op = "exists"
	DoesNotExist Op = "doesNotExist"
	In           Op = "in"
	NotIn        Op = "notIn"
	Between      Op = "between"
)

// Kind is the kind of a field, which decides the operators it accepts.
type Kind int

// Field kinds.
const (
	KindString Kind = iota
	KindNumeric
	KindStatus
	KindTags
	KindMetadata
	KindScore
)

func (k Kind) String() string {
	return [...]string{"string", "numeric", "status", "tags", "metadata", "score"}[k]
}

// Static fields and their kinds.
var staticFields = map[string]Kind{
	"model": KindString, "user_id": KindString, "session_id": KindString, "trace_id": KindString,
	"prompt_name": KindString, "input": KindString, "output": KindString, "props": KindString,
	"semantic_kind": KindString,
	"latency_ms":    KindNumeric, "cost": KindNumeric, "prompt_tokens": KindNumeric, "completion_tokens": KindNumeric,
	"status": KindStatus,
	"tags":   KindTags,
}

// Legacy field aliases.
var fieldAliases = map[string]string{"model_used": "model", "user": "user_id", "latency": "latency_ms"}

// Operators accepted by each kind.
var kindOps = map[Kind][]Op{
	KindString:   {Equals, NotEquals, Contains, NotContains, StartsWith, EndsWith, In, NotIn},
	KindNumeric:  {Equals, NotEquals, GT, GTE, LT, LTE, In, NotIn, Between},
	KindStatus:   {Equals, NotEquals},
	KindTags:     {Equals, NotEquals, Contains, In, NotIn},
	KindMetadata: {Equals, NotEquals, Contains, NotContains, StartsWith, EndsWith, Exists, DoesNotExist, In, NotIn},
	KindScore:    {Equals, NotEquals, GT, GTE, LT, LTE, Between},
}

// Operator aliases (lower-cased), the internal vocabulary plus the JSON
// form's short names.
var opAliases = map[string]Op{
	"equals": Equals, "=": Equals, "==": Equals, "eq": Equals,
	"notequals": NotEquals, "not_equals": NotEquals, "!=": NotEquals, "neq": NotEquals, "ne": NotEquals,
	"contains": Contains, "like": Contains,
	"notcontains": NotContains, "not_contains": NotContains,
	"startswith": StartsWith, "starts_with": StartsWith,
	"endswith": EndsWith, "ends_with": EndsWith,
	"gt": GT, ">": GT, "gte": GTE, ">=": GTE, "lt": LT, "<": LT, "lte": LTE, "<=": LTE,
	"exists": Exists, "doesnotexist": DoesNotExist, "does_not_exist": DoesNotExist,
	"in": In, "notin": NotIn, "not_in": NotIn, "between": Between,
}

var (
	metadataKeyRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,63}$`)
	scoreNameRe   = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$`)
	numberRe      = regexp.MustCompile(`^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$`)
)

// Filter is a conjunction of clauses; each clause is a disjunction of
// predicates (a single predicate when not parenthesized).
type Filter struct {
	Clauses [][]Predicate
}

// Predicate is one validated leaf.
type Predicate struct {
	Field  string // canonical field: a static field, "metadata" or "score"
	Key    string // metadata key or score name
	Kind   Kind
	Op     Op
	Values []string  // one value; several for in/notIn; two for between; none for exists
	Nums   []float64 // Values parsed, for numeric and score kinds
	Offset int       // byte offset of the predicate in the source
}

// Value is the first value ("" when there is none).
func (p Predicate) Value() string {
	if len(p.Values) == 0 {
		return ""
	}
	return p.Values[0]
}

// Num is the first numeric value.
func (p Predicate) Num() float64 {
	if len(p.Nums) == 0 {
		return 0
	}
	return p.Nums[0]
}

// Predicates returns every leaf predicate.
func (f *Filter) Predicates() []Predicate {
	if f == nil {
		return nil
	}
	var out []Predicate
	for _, c := range f.Clauses {
		out = append(out, c...)
	}
	return out
}

// Error is a filter error located at a byte offset.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("filter: offset %d: %s", e.Offset, e.Msg) }

func errf(off int, format string, a ...any) *Error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, a...)}
}

// Parse parses a filter. An empty or blank string gives (nil, nil).
func Parse(s string) (*Filter, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, nil
	}
	if t[0] == '[' || t[0] == '{' {
		return parseJSON(s)
	}
	p := &parser{src: s}
	if err := p.lex(); err != nil {
		return nil, err
	}
	f, err := p.parse()
	if err != nil {
		return nil, err
	}
	return f, nil
}

// newPredicate validates a leaf.
func newPredicate(field, opName string, values []string, off int) (Predicate, error) {
	p := Predicate{Offset: off}
	f := field
	if a, ok := fieldAliases[f]; ok {
		f = a
	}
	switch {
	case strings.HasPrefix(f, "metadata."):
		key := f[len("metadata."):]
		if !metadataKeyRe.MatchString(key) {
			return p, errf(off, "invalid metadata key %q (letters, digits and _, up to 64, not starting with a digit)", key)
		}
		p.Field, p.Key, p.Kind = "metadata", key, KindMetadata
	case strings.HasPrefix(f, "score__"):
		name := f[len("score__"):]
		if !scoreNameRe.MatchString(name) {
			return p, errf(off, "invalid score name %q", name)
		}
		p.Field, p.Key, p.Kind = "score", name, KindScore
	default:
		k, ok := staticFields[f]
		if !ok {
			return p, errf(off, "unknown field %q", field)
		}
		p.Field, p.Kind = f, k
	}
	op, ok := opAliases[strings.ToLower(opName)]
	if !ok {
		return p, errf(off, "unknown operator %q", opName)
	}
	allowed := false
	for _, o := range kindOps[p.Kind] {
		if o == op {
			allowed = true
			break
		}
	}
	if !allowed {
		return p, errf(off, "operator %s is not supported on %s field %q", op, p.Kind, field)
	}
	p.Op = op
	switch op {
	case Exists, DoesNotExist:
		if len(values) != 0 {
			return p, errf(off, "operator %s takes no value", op)
		}
	case In, NotIn:
		if len(values) < 1 || len(values) > MaxInValues {
			return p, errf(off, "operator %s takes 1 to %d values", op, MaxInValues)
		}
	case Between:
		if len(values) != 2 {
			return p, errf(off, "operator between takes exactly 2 values")
		}
	default:
		if len(values) != 1 {
			return p, errf(off, "operator %s takes one value", op)
		}
	}
	for _, v := range values {
		if len([]rune(v)) > MaxValueLen {
			return p, errf(off, "value longer than %d characters", MaxValueLen)
		}
	}
	switch p.Kind {
	case KindNumeric, KindScore:
		for _, v := range values {
			if !numberRe.MatchString(v) {
				return p, errf(off, "field %q needs a number, got %q", field, v)
			}
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return p, errf(off, "field %q: number %q out of range", field, v)
			}
			p.Nums = append(p.Nums, n)
		}
	case KindStatus:
		for i, v := range values {
			switch strings.ToUpper(v) {
			case "OK", "SUCCESS":
				values[i] = "OK"
			case "ERROR", "FAIL":
				values[i] = "ERROR"
			case "UNSET":
				values[i] = "UNSET"
			default:
				return p, errf(off, "status must be OK or ERROR, got %q", v)
			}
		}
	}
	p.Values = values
	return p, nil
}

// ---- string DSL ----

type tokKind int

const (
	tWord   tokKind = iota // bare token
	tString                // quoted string
	tSym                   // = != > >= < <=
	tLParen
	tRParen
)

type token struct {
	kind tokKind
	text string
	off  int
}

type parser struct {
	src  string
	toks []token
	pos  int
	n    int // predicates so far
}

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			p.toks = append(p.toks, token{tLParen, "(", i})
			i++
		case c == ')':
			p.toks = append(p.toks, token{tRParen, ")", i})
			i++
		case c == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return errf(start, "unterminated quoted string")
			}
			p.toks = append(p.toks, token{tString, b.String(), start})
		case c == '=' || c == '!' || c == '<' || c == '>':
			start := i
			if i+1 < len(s) && s[i+1] == '=' {
				i += 2
			} else {
				i++
			}
			sym := s[start:i]
			if sym == "!" {
				return errf(start, "unexpected '!' (did you mean '!=')")
			}
			p.toks = append(p.toks, token{tSym, sym, start})
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\n\r()\"=!<>", rune(s[i])) {
				i++
			}
			p.toks = append(p.toks, token{tWord, s[start:i], start})
		}
	}
	return nil
}

func (p *parser) peek() *token {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

func (p *parser) end() int { return len(p.src) }

func (p *parser) isWord(t *token, w string) bool {
	return t != nil && t.kind == tWord && strings.EqualFold(t.text, w)
}

func (p *parser) parse() (*Filter, error) {
	f := &Filter{}
	for {
		c, err := p.clause()
		if err != nil {
			return nil, err
		}
		f.Clauses = append(f.Clauses, c)
		t := p.peek()
		if t == nil {
			return f, nil
		}
		if p.isWord(t, "and") {
			p.pos++
			if p.peek() == nil {
				return nil, errf(p.end(), "expected a predicate after 'and'")
			}
			continue
		}
		if p.isWord(t, "or") {
			return nil, errf(t.off, "'or' is only allowed inside parentheses")
		}
		return nil, errf(t.off, "expected 'and', found %q", t.text)
	}
}

func (p *parser) clause() ([]Predicate, error) {
	t := p.peek()
	if t == nil {
		return nil, errf(p.end(), "expected a predicate")
	}
	if t.kind != tLParen {
		pr, err := p.predicate()
		if err != nil {
			return nil, err
		}
		return []Predicate{pr}, nil
	}
	open := t.off
	p.pos++
	var out []Predicate
	for {
		if t := p.peek(); t != nil && t.kind == tLParen {
			return nil, errf(t.off, "nested parentheses are not supported")
		}
		pr, err := p.predicate()
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
		t := p.peek()
		switch {
		case t == nil:
			return nil, errf(open, "unclosed '('")
		case t.kind == tRParen:
			p.pos++
			return out, nil
		case p.isWord(t, "or"):
			p.pos++
		case p.isWord(t, "and"):
			return nil, errf(t.off, "'and' is not allowed inside parentheses (use 'or')")
		default:
			return nil, errf(t.off, "expected 'or' or ')', found %q", t.text)
		}
	}
}

// operator reads an operator: a symbol or one to three words.
func (p *parser) operator() (string, int, error) {
	t := p.peek()
	if t == nil {
		return "", p.end(), errf(p.end(), "expected an operator")
	}
	off := t.off
	if t.kind == tSym {
		p.pos++
		return t.text, off, nil
	}
	if t.kind != tWord {
		return "", off, errf(off, "expected an operator, found %q", t.text)
	}
	w := strings.ToLower(t.text)
	next := func(want string) bool {
		if p.pos+1 < len(p.toks) && p.isWord(&p.toks[p.pos+1], want) {
			return true
		}
		return false
	}
	switch w {
	case "not":
		if next("contains") {
			p.pos += 2
			return "notContains", off, nil
		}
		return "", off, errf(off, "expected 'not contains'")
	case "starts", "ends":
		if next("with") {
			p.pos += 2
			return w + "With", off, nil
		}
		return "", off, errf(off, "expected '%s with'", w)
	case "does":
		if next("not") && p.pos+2 < len(p.toks) && p.isWord(&p.toks[p.pos+2], "exist") {
			p.pos += 3
			return "doesNotExist", off, nil
		}
		return "", off, errf(off, "expected 'does not exist'")
	}
	if _, ok := opAliases[w]; ok {
		p.pos++
		return w, off, nil
	}
	return "", off, errf(off, "unknown operator %q", t.text)
}

func (p *parser) predicate() (Predicate, error) {
	t := p.peek()
	if t == nil {
		return Predicate{}, errf(p.end(), "expected a field name")
	}
	if t.kind != tWord {
		return Predicate{}, errf(t.off, "expected a field name, found %q", t.text)
	}
	if p.isWord(t, "and") || p.isWord(t, "or") {
		return Predicate{}, errf(t.off, "expected a field name, found %q", t.text)
	}
	field, off := t.text, t.off
	p.pos++
	opName, opOff, err := p.operator()
	if err != nil {
		return Predicate{}, err
	}
	op := opAliases[strings.ToLower(opName)]
	var values []string
	if op != Exists && op != DoesNotExist {
		v := p.peek()
		if v == nil {
			return Predicate{}, errf(p.end(), "expected a value after %q", opName)
		}
		if v.kind != tWord && v.kind != tString {
			return Predicate{}, errf(v.off, "expected a value, found %q", v.text)
		}
		values = []string{v.text}
		p.pos++
	}
	p.n++
	if p.n > MaxPredicates {
		return Predicate{}, errf(off, "too many predicates (max %d)", MaxPredicates)
	}
	pr, err := newPredicate(field, opName, values, off)
	if err != nil {
		var e *Error
		if ok := asErr(err, &e); ok && strings.HasPrefix(e.Msg, "unknown operator") {
			e.Offset = opOff
		}
		return Predicate{}, err
	}
	return pr, nil
}

func asErr(err error, e **Error) bool {
	x, ok := err.(*Error)
	if ok {
		*e = x
	}
	return ok
}
