// Package jsvalue holds JSON-shaped values with JavaScript semantics.
//
// Prompt props, frontmatter and expression results all behave as JavaScript
// values upstream, and their key order is visible in the JSON we emit, so a
// plain map[string]any (which Go's encoding/json sorts) is not enough.
//
// A Value is one of:
//
//	Undefined        JavaScript undefined
//	nil              null
//	bool
//	float64          every JavaScript number
//	string
//	[]Value          arrays
//	*Object          objects, with JavaScript property order
package jsvalue

import (
	"sort"
	"strconv"
)

// Value is any of the dynamic types listed in the package comment.
type Value = any

type undefined struct{}

// Undefined is JavaScript's undefined.
var Undefined Value = undefined{}

// IsUndefined reports whether v is Undefined.
func IsUndefined(v Value) bool {
	_, ok := v.(undefined)
	return ok
}

// Object is a JavaScript object: string keys with the property order
// JavaScript gives them (array-index keys ascending, then insertion order).
type Object struct {
	keys []string // insertion order
	vals []Value  // vals[i] is the value of keys[i]
	// index maps a key to its position; it is built only for objects with
	// more than smallObject properties (small ones are scanned).
	index map[string]int
}

const smallObject = 8

// NewObject returns an empty object.
func NewObject() *Object { return &Object{} }

// Len is the number of properties.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// find returns the position of key, or -1.
func (o *Object) find(key string) int {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range o.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// Get returns the property and whether it exists.
func (o *Object) Get(key string) (Value, bool) {
	if o == nil {
		return nil, false
	}
	if i := o.find(key); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Has reports whether the property exists.
func (o *Object) Has(key string) bool {
	_, ok := o.Get(key)
	return ok
}

// Set adds or replaces a property; a replaced property keeps its position.
func (o *Object) Set(key string, v Value) {
	if i := o.find(key); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
	switch {
	case o.index != nil:
		o.index[key] = len(o.keys) - 1
	case len(o.keys) > smallObject:
		o.reindex()
	}
}

// reindex rebuilds the key index (or drops it for a small object).
func (o *Object) reindex() {
	if len(o.keys) <= smallObject {
		o.index = nil
		return
	}
	o.index = make(map[string]int, len(o.keys))
	for i, k := range o.keys {
		o.index[k] = i
	}
}

// Delete removes a property.
func (o *Object) Delete(key string) {
	i := o.find(key)
	if i < 0 {
		return
	}
	o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i:i], o.vals[i+1:]...)
	if o.index != nil {
		o.reindex()
	}
}

// Keys returns the property names in JavaScript enumeration order:
// canonical array indices ascending first, then the others in insertion order.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	var idx []string
	for _, k := range o.keys {
		if isArrayIndex(k) {
			idx = append(idx, k)
		}
	}
	if len(idx) == 0 {
		return append([]string(nil), o.keys...)
	}
	sort.Slice(idx, func(i, j int) bool {
		a, _ := strconv.ParseUint(idx[i], 10, 32)
		b, _ := strconv.ParseUint(idx[j], 10, 32)
		return a < b
	})
	out := idx
	for _, k := range o.keys {
		if !isArrayIndex(k) {
			out = append(out, k)
		}
	}
	return out
}

// Clone returns a shallow copy.
func (o *Object) Clone() *Object {
	c := &Object{keys: append([]string(nil), o.keys...), vals: append([]Value(nil), o.vals...)}
	c.reindex()
	return c
}

// isArrayIndex reports whether k is a canonical numeric string below 2^32-1.
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}
