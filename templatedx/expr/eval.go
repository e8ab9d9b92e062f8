package expr

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Error is an expression parse or evaluation error. Msg is the upstream
// inner message (e.g. `Operator "|" is not allowed.`); callers wrap it as
// `Error evaluating expression "<raw>": <Msg>`.
type Error struct {
	Msg    string
	Detail string // for parse errors: jsep's description, e.g. `Unexpected "=" at character 2`
}

func (e *Error) Error() string { return e.Msg }

func errorf(msg string) error { return &Error{Msg: msg} }

// Scope resolves identifiers. Lookup reports false for unknown names (which
// evaluate to undefined).
type Scope interface {
	Lookup(name string) (jsvalue.Value, bool)
}

// Filter is a registered filter function; it receives the evaluated
// arguments (possibly none).
type Filter func(args []jsvalue.Value) (jsvalue.Value, error)

// FilterLookup finds a registered filter by name.
type FilterLookup func(name string) (Filter, bool)

var builtinLookup FilterLookup = func() FilterLookup {
	m := BuiltinFilters()
	return func(name string) (Filter, bool) {
		f, ok := m[name]
		return f, ok
	}
}()

// Eval evaluates a parsed expression. A nil scope has no names; nil filters
// means the built-in filters.
func Eval(n Node, scope Scope, filters FilterLookup) (jsvalue.Value, error) {
	if filters == nil {
		filters = builtinLookup
	}
	e := evaluator{scope: scope, filters: filters}
	return e.eval(n)
}

// The parse cache: the same templates render again and again. It is
// cleared wholesale when it grows past cacheLimit entries.
const cacheLimit = 4096

var (
	cache     sync.Map // string -> cached
	cacheSize atomic.Int64
)

type cached struct {
	node Node
	err  error
}

// Evaluate parses src (cached) and evaluates it.
func Evaluate(src string, scope Scope, filters FilterLookup) (jsvalue.Value, error) {
	var c *cached
	if v, ok := cache.Load(src); ok {
		c = v.(*cached)
	} else {
		n, err := Parse(src)
		c = &cached{node: n, err: err}
		if cacheSize.Add(1) > cacheLimit {
			cache.Clear()
			cacheSize.Store(1)
		}
		cache.Store(src, c)
	}
	if c.err != nil {
		return nil, c.err
	}
	return Eval(c.node, scope, filters)
}

type evaluator struct {
	scope   Scope
	filters FilterLookup
}

func (e *evaluator) eval(n Node) (jsvalue.Value, error) {
	switch t := n.(type) {
	case *Literal:
		return t.Value, nil
	case *Identifier:
		if e.scope != nil {
			if v, ok := e.scope.Lookup(t.Name); ok {
				return normalize(v), nil
			}
		}
		return jsvalue.Undefined, nil
	case *MemberExpression:
		return e.member(t)
	case *BinaryExpression:
		return e.binary(t)
	case *UnaryExpression:
		arg, err := e.eval(t.Argument)
		if err != nil {
			return nil, err
		}
		switch t.Operator {
		case "-":
			return -ToNumber(arg), nil
		case "+":
			return ToNumber(arg), nil
		case "!":
			return !Truthy(arg), nil
		}
		return nil, errorf("Unsupported operator: " + t.Operator)
	case *CallExpression:
		return e.call(t)
	case *ArrayExpression:
		out := make([]jsvalue.Value, len(t.Elements), len(t.Elements)+1) // +1: distinct identity even when empty
		for i, el := range t.Elements {
			if el == nil {
				return nil, errorf("Cannot read properties of null (reading 'type')")
			}
			v, err := e.eval(el)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *ObjectExpression:
		obj := jsvalue.NewObject()
		for _, p := range t.Properties {
			prop, ok := p.(*Property)
			if !ok {
				return nil, errorf("Cannot read properties of undefined (reading 'type')")
			}
			var key string
			switch k := prop.Key.(type) {
			case *Identifier:
				key = k.Name
			case *Literal:
				key = ToString(k.Value)
			case nil:
				return nil, errorf("Cannot read properties of undefined (reading 'type')")
			case nullNode:
				return nil, errorf("Cannot read properties of null (reading 'type')")
			default:
				return nil, errorf("Unsupported object key type: " + k.Type())
			}
			v, err := e.eval(prop.Value)
			if err != nil {
				return nil, err
			}
			obj.Set(key, v)
		}
		return obj, nil
	case nil:
		return nil, errorf("Cannot read properties of null (reading 'type')")
	}
	return nil, errorf("Unsupported node type: " + n.Type())
}

// member is a.b / a[b]: only own properties of non-null objects and arrays
// (plus an array's length); anything missing, and undefined values, are "".
func (e *evaluator) member(t *MemberExpression) (jsvalue.Value, error) {
	obj, err := e.eval(t.Object)
	if err != nil {
		return nil, err
	}
	var v jsvalue.Value
	var ok bool
	if !t.Computed {
		// a.name: no key conversion (and no allocation).
		name := t.Property.(*Identifier).Name
		switch o := obj.(type) {
		case *jsvalue.Object:
			v, ok = o.Get(name)
		case []jsvalue.Value:
			if name == "length" {
				return float64(len(o)), nil
			}
			// other names are never array indices (identifiers start with a non-digit)
		default:
			return "", nil
		}
	} else {
		key, err := e.eval(t.Property)
		if err != nil {
			return nil, err
		}
		switch o := obj.(type) {
		case *jsvalue.Object:
			ks, isStr := key.(string)
			if !isStr {
				ks = ToString(key)
			}
			v, ok = o.Get(ks)
		case []jsvalue.Value:
			v, ok = arrayProp(o, key)
		default:
			return "", nil
		}
	}
	if ok {
		v = normalize(v)
	}
	if !ok || jsvalue.IsUndefined(v) {
		return "", nil
	}
	return v, nil
}

func arrayProp(a []jsvalue.Value, key jsvalue.Value) (jsvalue.Value, bool) {
	if f, ok := key.(float64); ok {
		// ToPropertyKey(f) is a canonical index exactly when f is an
		// integer in range (-0 prints as "0").
		if f >= 0 && f < float64(len(a)) && f == math.Trunc(f) {
			return a[int(f)], true
		}
		return nil, false
	}
	ks := ToString(key)
	if ks == "length" {
		return float64(len(a)), true
	}
	if ks == "" || len(ks) > 10 || (len(ks) > 1 && ks[0] == '0') {
		return nil, false
	}
	i, err := strconv.Atoi(ks)
	if err != nil || i < 0 || i >= len(a) || ks[0] == '+' || ks[0] == '-' {
		return nil, false
	}
	return a[i], true
}

func (e *evaluator) binary(t *BinaryExpression) (jsvalue.Value, error) {
	switch t.Operator {
	case "&&", "||":
		l, err := e.eval(t.Left)
		if err != nil {
			return nil, err
		}
		if Truthy(l) == (t.Operator == "||") {
			return l, nil
		}
		return e.eval(t.Right)
	case "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=":
	default:
		return nil, errorf(`Operator "` + t.Operator + `" is not allowed.`)
	}
	l, err := e.eval(t.Left)
	if err != nil {
		return nil, err
	}
	r, err := e.eval(t.Right)
	if err != nil {
		return nil, err
	}
	switch t.Operator {
	case "+":
		return add(l, r), nil
	case "-":
		return ToNumber(l) - ToNumber(r), nil
	case "*":
		return ToNumber(l) * ToNumber(r), nil
	case "/":
		return ToNumber(l) / ToNumber(r), nil
	case "%":
		return math.Mod(ToNumber(l), ToNumber(r)), nil
	case "==":
		return LooseEqual(l, r), nil
	case "!=":
		return !LooseEqual(l, r), nil
	}
	return compare(t.Operator, l, r), nil
}

func (e *evaluator) call(t *CallExpression) (jsvalue.Value, error) {
	id, ok := t.Callee.(*Identifier)
	if !ok {
		return nil, errorf("Only calls to registered filters are allowed.")
	}
	f, ok := e.filters(id.Name)
	if !ok || f == nil {
		return nil, errorf(`Filter "` + id.Name + `" is not registered.`)
	}
	args := make([]jsvalue.Value, len(t.Arguments))
	for i, a := range t.Arguments {
		v, err := e.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	v, err := f(args)
	if err != nil {
		return nil, err
	}
	return normalize(v), nil
}
