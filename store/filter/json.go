package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// parseJSON reads the JSON forms:
//
//	[ {field, operator, value?} | {or: [leaf...]} ... ]        (AND of clauses)
//	{op: "and"|"or", exprs: [ {field, op, value?} | {op:"or", exprs:[...]} ]}
//	{field, operator|op, value?}                                 (one leaf)
func parseJSON(s string) (*Filter, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		off := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = max(0, int(se.Offset)-1)
		}
		return nil, errf(off, "invalid JSON filter: %v", err)
	}
	if dec.More() {
		return nil, errf(int(dec.InputOffset()), "trailing data after JSON filter")
	}
	j := &jsonParser{}
	var f Filter
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			c, err := j.clause(item)
			if err != nil {
				return nil, err
			}
			f.Clauses = append(f.Clauses, c)
		}
	case map[string]any:
		if _, ok := x["exprs"]; ok {
			op, _ := x["op"].(string)
			exprs, ok := x["exprs"].([]any)
			if !ok {
				return nil, errf(0, "exprs must be an array")
			}
			switch strings.ToLower(op) {
			case "and", "":
				for _, item := range exprs {
					c, err := j.clause(item)
					if err != nil {
						return nil, err
					}
					f.Clauses = append(f.Clauses, c)
				}
			case "or":
				c, err := j.clause(x)
				if err != nil {
					return nil, err
				}
				f.Clauses = append(f.Clauses, c)
			default:
				return nil, errf(0, "unknown group op %q", op)
			}
		} else {
			c, err := j.clause(x)
			if err != nil {
				return nil, err
			}
			f.Clauses = append(f.Clauses, c)
		}
	default:
		return nil, errf(0, "JSON filter must be an array or an object")
	}
	if len(f.Clauses) == 0 {
		return nil, nil
	}
	return &f, nil
}

type jsonParser struct{ n int }

// clause reads a leaf or an OR group of leaves.
func (j *jsonParser) clause(v any) ([]Predicate, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errf(0, "filter item must be an object")
	}
	var group []any
	if or, ok := m["or"]; ok {
		g, ok := or.([]any)
		if !ok {
			return nil, errf(0, "or must be an array")
		}
		group = g
	} else if op, _ := m["op"].(string); strings.EqualFold(op, "or") || strings.EqualFold(op, "and") {
		g, ok := m["exprs"].([]any)
		if !ok {
			return nil, errf(0, "exprs must be an array")
		}
		if strings.EqualFold(op, "and") {
			return nil, errf(0, "nested 'and' groups are not supported")
		}
		group = g
	}
	if group != nil {
		if len(group) == 0 {
			return nil, errf(0, "empty or group")
		}
		var out []Predicate
		for _, g := range group {
			gm, ok := g.(map[string]any)
			if !ok {
				return nil, errf(0, "filter item must be an object")
			}
			p, err := j.leaf(gm)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	p, err := j.leaf(m)
	if err != nil {
		return nil, err
	}
	return []Predicate{p}, nil
}

func (j *jsonParser) leaf(m map[string]any) (Predicate, error) {
	for k := range m {
		switch k {
		case "field", "operator", "op", "value":
		default:
			return Predicate{}, errf(0, "unknown key %q in filter leaf", k)
		}
	}
	field, _ := m["field"].(string)
	if field == "" || len(field) > 128 {
		return Predicate{}, errf(0, "leaf needs a field (1 to 128 characters)")
	}
	op, _ := m["operator"].(string)
	if op == "" {
		op, _ = m["op"].(string)
	}
	if op == "" {
		return Predicate{}, errf(0, "leaf %q needs an operator", field)
	}
	var values []string
	if raw, ok := m["value"]; ok && raw != nil {
		switch x := raw.(type) {
		case []any:
			if len(x) > MaxInValues {
				return Predicate{}, errf(0, "at most %d values", MaxInValues)
			}
			for _, e := range x {
				s, err := scalar(e)
				if err != nil {
					return Predicate{}, err
				}
				values = append(values, s)
			}
		default:
			s, err := scalar(x)
			if err != nil {
				return Predicate{}, err
			}
			values = []string{s}
		}
	}
	j.n++
	if j.n > MaxPredicates {
		return Predicate{}, errf(0, "too many predicates (max %d)", MaxPredicates)
	}
	return newPredicate(field, op, values, 0)
}

func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return fmt.Sprint(x), nil
	default:
		return "", errf(0, "filter values must be strings or numbers")
	}
}
