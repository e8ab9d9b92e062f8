package templatedx

import "github.com/agentmark-go/agentmark/jsvalue"

// Scope is a variable scope of a render: props at the root, ForEach item and
// index variables and plugin variables below. Lookups walk up to the root
// and then fall back to the render's globals.
type Scope struct {
	parent  *Scope
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
	return &Scope{vars: map[string]jsvalue.Value{"props": props}, globals: globals}
}

// Child returns a new scope whose lookups fall back to s.
func (s *Scope) Child() *Scope {
	return &Scope{parent: s, globals: s.globals}
}

// Set defines a variable in this scope.
func (s *Scope) Set(name string, v jsvalue.Value) {
	if s.vars == nil {
		s.vars = map[string]jsvalue.Value{}
	}
	s.vars[name] = v
}

// Lookup finds a variable in this scope, its ancestors, then the globals.
func (s *Scope) Lookup(name string) (jsvalue.Value, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	if s.globals != nil {
		return s.globals.Get(name)
	}
	return nil, false
}
