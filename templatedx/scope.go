package templatedx

import "github.com/agentmark-go/agentmark/jsvalue"

// Scope is a variable scope of a render: props at the root, ForEach item and
// index variables and plugin variables below. Lookups walk up to the root
// and then fall back to the render's globals.
type Scope struct {
	parent *Scope
	// The first few variables live inline (a ForEach scope holds one or
	// two, the root scope only props); more go to vars. A name is in one
	// place only.
	names   [2]string
	vals    [2]jsvalue.Value
	n       int
	vars    map[string]jsvalue.Value
	globals *jsvalue.Object
	// ifChain is the state of the current If/ElseIf/Else chain in this scope.
	ifChain chainState
}

type chainState uint8

const (
	noChain chainState = iota
	chainOpen
	chainMet
)

// NewScope returns a root scope holding props, with globals as fallback.
func NewScope(props jsvalue.Value, globals *jsvalue.Object) *Scope {
	return &Scope{names: [2]string{"props"}, vals: [2]jsvalue.Value{props}, n: 1, globals: globals}
}

// Child returns a new scope whose lookups fall back to s.
func (s *Scope) Child() *Scope {
	return &Scope{parent: s, globals: s.globals}
}

// Set defines a variable in this scope.
func (s *Scope) Set(name string, v jsvalue.Value) {
	for i := 0; i < s.n; i++ {
		if s.names[i] == name {
			s.vals[i] = v
			return
		}
	}
	if s.vars == nil && s.n < len(s.names) {
		s.names[s.n], s.vals[s.n] = name, v
		s.n++
		return
	}
	if s.vars == nil {
		s.vars = map[string]jsvalue.Value{}
	}
	s.vars[name] = v
}

// get looks name up in this scope only.
func (s *Scope) get(name string) (jsvalue.Value, bool) {
	for i := 0; i < s.n; i++ {
		if s.names[i] == name {
			return s.vals[i], true
		}
	}
	if s.vars != nil {
		v, ok := s.vars[name]
		return v, ok
	}
	return nil, false
}

// Lookup finds a variable in this scope, its ancestors, then the globals.
func (s *Scope) Lookup(name string) (jsvalue.Value, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.get(name); ok {
			return v, true
		}
	}
	if s.globals != nil {
		return s.globals.Get(name)
	}
	return nil, false
}
