package mock

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// ValueForSchema returns a deterministic JSON value valid against the JSON
// Schema (property order follows the schema). Supported: type (including
// type lists), const, enum, default (when no enum/const), properties and
// required, additionalProperties, items/prefixItems with minItems/maxItems,
// minimum/maximum (exclusive too), multipleOf, minLength/maxLength,
// string formats (date-time, date, time, email, uri, uuid, ipv4, hostname),
// anyOf/oneOf (first branch), allOf (objects merged), local $ref (#/...).
// Patterns are not solved.
func ValueForSchema(schema json.RawMessage) (json.RawMessage, error) {
	if len(schema) == 0 {
		return json.RawMessage("{}"), nil
	}
	root, err := jsvalue.ParseJSON(schema)
	if err != nil {
		return nil, fmt.Errorf("mock: invalid JSON Schema: %w", err)
	}
	g := &gen{root: root}
	v := g.value(root, "", 0)
	s, _ := jsvalue.Stringify(v)
	return json.RawMessage(s), nil
}

type gen struct{ root jsvalue.Value }

func get(o *jsvalue.Object, k string) (jsvalue.Value, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.Get(k)
	if ok && jsvalue.IsUndefined(v) {
		return nil, false
	}
	return v, ok
}

func num(o *jsvalue.Object, k string) (float64, bool) {
	v, ok := get(o, k)
	f, isNum := v.(float64)
	return f, ok && isNum
}

func (g *gen) resolve(ref string) jsvalue.Value {
	if !strings.HasPrefix(ref, "#") {
		return nil
	}
	cur := g.root
	for _, seg := range strings.Split(strings.TrimPrefix(ref, "#"), "/") {
		if seg == "" {
			continue
		}
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		o, ok := cur.(*jsvalue.Object)
		if !ok {
			return nil
		}
		cur, _ = get(o, seg)
	}
	return cur
}

func (g *gen) value(s jsvalue.Value, name string, depth int) jsvalue.Value {
	o, ok := s.(*jsvalue.Object)
	if !ok || depth > 32 {
		if b, isBool := s.(bool); isBool && !b {
			return nil
		}
		return jsvalue.NewObject()
	}
	if ref, ok := get(o, "$ref"); ok {
		if r, isStr := ref.(string); isStr {
			if t := g.resolve(r); t != nil {
				return g.value(t, name, depth+1)
			}
		}
	}
	if c, ok := get(o, "const"); ok {
		return c
	}
	if e, ok := get(o, "enum"); ok {
		if list, isList := e.([]jsvalue.Value); isList && len(list) > 0 {
			return list[0]
		}
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := get(o, k); ok {
			if list, isList := alts.([]jsvalue.Value); isList && len(list) > 0 {
				// Prefer a non-null branch.
				for _, a := range list {
					if ao, isObj := a.(*jsvalue.Object); isObj {
						if t, _ := get(ao, "type"); t == "null" {
							continue
						}
					}
					return g.value(a, name, depth+1)
				}
				return g.value(list[0], name, depth+1)
			}
		}
	}
	if all, ok := get(o, "allOf"); ok {
		if list, isList := all.([]jsvalue.Value); isList && len(list) > 0 {
			var merged jsvalue.Value
			for _, a := range list {
				v := g.value(a, name, depth+1)
				mo, mIsObj := merged.(*jsvalue.Object)
				vo, vIsObj := v.(*jsvalue.Object)
				if mIsObj && vIsObj {
					for _, k := range vo.Keys() {
						x, _ := vo.Get(k)
						mo.Set(k, x)
					}
				} else if merged == nil {
					merged = v
				}
			}
			return merged
		}
	}
	if d, ok := get(o, "default"); ok {
		return d
	}
	typ := ""
	switch t, _ := get(o, "type"); tt := t.(type) {
	case string:
		typ = tt
	case []jsvalue.Value:
		for _, x := range tt {
			if s, isStr := x.(string); isStr && s != "null" {
				typ = s
				break
			}
		}
		if typ == "" && len(tt) > 0 {
			typ, _ = tt[0].(string)
		}
	}
	if typ == "" {
		switch {
		case o.Has("properties"):
			typ = "object"
		case o.Has("items") || o.Has("prefixItems"):
			typ = "array"
		case o.Has("minLength") || o.Has("maxLength") || o.Has("format"):
			typ = "string"
		case o.Has("minimum") || o.Has("maximum"):
			typ = "number"
		default:
			typ = "object"
		}
	}
	switch typ {
	case "null":
		return nil
	case "boolean":
		return true
	case "integer", "number":
		return number(o, typ == "integer")
	case "string":
		return str(o, name)
	case "array":
		return g.array(o, name, depth)
	}
	out := jsvalue.NewObject()
	if props, ok := get(o, "properties"); ok {
		if po, isObj := props.(*jsvalue.Object); isObj {
			for _, k := range po.Keys() {
				ps, _ := po.Get(k)
				out.Set(k, g.value(ps, k, depth+1))
			}
		}
	}
	// Required keys not described by properties.
	if req, ok := get(o, "required"); ok {
		if list, isList := req.([]jsvalue.Value); isList {
			for _, r := range list {
				if k, isStr := r.(string); isStr && !out.Has(k) {
					var ap jsvalue.Value
					ap, _ = get(o, "additionalProperties")
					if _, isObj := ap.(*jsvalue.Object); isObj {
						out.Set(k, g.value(ap, k, depth+1))
					} else {
						out.Set(k, "mock")
					}
				}
			}
		}
	}
	if mp, ok := num(o, "minProperties"); ok {
		for i := 0; float64(out.Len()) < mp; i++ {
			k := fmt.Sprintf("key%d", i+1)
			if !out.Has(k) {
				out.Set(k, "mock")
			}
		}
	}
	return out
}

func number(o *jsvalue.Object, integer bool) jsvalue.Value {
	lo, hasLo := num(o, "minimum")
	if x, ok := num(o, "exclusiveMinimum"); ok {
		step := 1.0
		if !integer {
			step = 0.5
		}
		if !hasLo || x+step > lo {
			lo, hasLo = x+step, true
			if integer {
				lo = math.Floor(x) + 1
			}
		}
	}
	hi, hasHi := num(o, "maximum")
	if x, ok := num(o, "exclusiveMaximum"); ok {
		step := 1.0
		if !integer {
			step = 0.5
		}
		if !hasHi || x-step < hi {
			hi, hasHi = x-step, true
			if integer {
				hi = math.Ceil(x) - 1
			}
		}
	}
	v := 1.0
	if hasLo && v < lo {
		v = lo
	}
	if hasHi && v > hi {
		v = hi
		if hasLo && hi < lo {
			v = lo
		}
	}
	if integer {
		v = math.Ceil(v)
		if hasHi && v > hi {
			v = math.Floor(hi)
		}
	}
	if m, ok := num(o, "multipleOf"); ok && m > 0 {
		k := math.Ceil(v / m)
		v = k * m
		if hasHi && v > hi {
			v = (k - 1) * m
		}
	}
	return v
}

var formats = map[string]string{
	"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00Z",
	"email": "user@example.com", "uri": "https://example.com", "url": "https://example.com",
	"uri-reference": "https://example.com", "iri": "https://example.com",
	"uuid": "00000000-0000-4000-8000-000000000000", "ipv4": "127.0.0.1", "ipv6": "::1",
	"hostname": "example.com", "duration": "P1D",
}

func str(o *jsvalue.Object, name string) jsvalue.Value {
	if f, ok := get(o, "format"); ok {
		if s, isStr := f.(string); isStr {
			if v, known := formats[s]; known {
				return v
			}
		}
	}
	s := "mock"
	if name != "" {
		s = "mock " + name
	}
	runes := []rune(s)
	if mn, ok := num(o, "minLength"); ok {
		for float64(len(runes)) < mn {
			runes = append(runes, 'x')
		}
	}
	if mx, ok := num(o, "maxLength"); ok && float64(len(runes)) > mx {
		runes = runes[:int(max(mx, 0))]
	}
	return string(runes)
}

func (g *gen) array(o *jsvalue.Object, name string, depth int) jsvalue.Value {
	out := []jsvalue.Value{}
	if pi, ok := get(o, "prefixItems"); ok {
		if list, isList := pi.([]jsvalue.Value); isList {
			for _, s := range list {
				out = append(out, g.value(s, name, depth+1))
			}
		}
	}
	n := 1.0
	if mn, ok := num(o, "minItems"); ok {
		n = mn
	}
	if mx, ok := num(o, "maxItems"); ok && n > mx {
		n = mx
	}
	items, hasItems := get(o, "items")
	if b, isBool := items.(bool); isBool && !b {
		return out
	}
	if !hasItems && len(out) > 0 {
		return out
	}
	for float64(len(out)) < n {
		out = append(out, g.value(items, name, depth+1))
	}
	if uniq, _ := get(o, "uniqueItems"); uniq == true && len(out) > 1 {
		// Make items distinct when they are strings or numbers.
		for i := range out {
			switch v := out[i].(type) {
			case string:
				out[i] = fmt.Sprintf("%s %d", v, i+1)
			case float64:
				out[i] = v + float64(i)
			}
		}
	}
	return out
}
