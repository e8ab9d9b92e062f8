package sqlcore

import (
	"fmt"
	"strings"

	"github.com/agentmark-go/agentmark/store/filter"
)

// span string columns addressed by the filter language.
var spanStringCol = map[string]string{
	"model": "model", "user_id": "user_id", "session_id": "session_id", "trace_id": "trace_id",
	"prompt_name": "prompt_name", "input": "input", "output": "output", "props": "props",
	"semantic_kind": "semantic_kind",
}

var spanNumericCol = map[string]string{
	"latency_ms": "duration_ms", "cost": "cost", "prompt_tokens": "input_tokens", "completion_tokens": "output_tokens",
}

var traceNumericCol = map[string]string{
	"latency_ms": "latency_ms", "cost": "cost", "prompt_tokens": "input_tokens", "completion_tokens": "output_tokens",
}

var numOp = map[filter.Op]string{
	filter.Equals: "=", filter.NotEquals: "<>", filter.GT: ">", filter.GTE: ">=", filter.LT: "<", filter.LTE: "<=",
}

// negative operators and their positive form.
var positive = map[filter.Op]filter.Op{
	filter.NotEquals: filter.Equals, filter.NotContains: filter.Contains, filter.NotIn: filter.In,
	filter.DoesNotExist: filter.Exists,
}

// compileFilter returns the SQL condition of f for traces (alias t) or
// spans (alias s), "" for a nil filter.
func (b *builder) compileFilter(f *filter.Filter, trace bool) (string, error) {
	if f == nil {
		return "", nil
	}
	var ands []string
	for _, clause := range f.Clauses {
		var ors []string
		for _, p := range clause {
			var c string
			var err error
			if trace {
				c, err = b.tracePred(p)
			} else {
				c, err = b.spanPred(p, "s")
			}
			if err != nil {
				return "", err
			}
			ors = append(ors, c)
		}
		ands = append(ands, "("+strings.Join(ors, " OR ")+")")
	}
	return strings.Join(ands, " AND "), nil
}

// strOp is a string comparison on an expression.
func (b *builder) strOp(expr string, op filter.Op, values []string) string {
	switch op {
	case filter.Equals:
		return expr + " = " + b.arg(values[0])
	case filter.NotEquals:
		return expr + " <> " + b.arg(values[0])
	case filter.Contains:
		return b.d.Contains(expr, b.arg(values[0]))
	case filter.NotContains:
		return "NOT " + b.d.Contains(expr, b.arg(values[0]))
	case filter.StartsWith:
		ph := "CAST(" + b.arg(values[0]) + " AS TEXT)"
		return "substr(" + expr + ", 1, length(" + ph + ")) = " + ph
	case filter.EndsWith:
		ph := "CAST(" + b.arg(values[0]) + " AS TEXT)"
		return "(length(" + expr + ") >= length(" + ph + ") AND substr(" + expr + ", length(" + expr + ") - length(" + ph + ") + 1) = " + ph + ")"
	case filter.In, filter.NotIn:
		phs := make([]string, len(values))
		for i, v := range values {
			phs[i] = b.arg(v)
		}
		not := ""
		if op == filter.NotIn {
			not = "NOT "
		}
		return expr + " " + not + "IN (" + strings.Join(phs, ", ") + ")"
	}
	return "1=0"
}

func (b *builder) numOp(expr string, p filter.Predicate) string {
	switch p.Op {
	case filter.Between:
		return "(" + expr + " >= " + b.arg(p.Nums[0]) + " AND " + expr + " <= " + b.arg(p.Nums[1]) + ")"
	case filter.In, filter.NotIn:
		phs := make([]string, len(p.Nums))
		for i, v := range p.Nums {
			phs[i] = b.arg(v)
		}
		not := ""
		if p.Op == filter.NotIn {
			not = "NOT "
		}
		return expr + " " + not + "IN (" + strings.Join(phs, ", ") + ")"
	}
	return expr + " " + numOp[p.Op] + " " + b.arg(p.Nums[0])
}

func (b *builder) tagsOp(col string, p filter.Predicate) string {
	switch p.Op {
	case filter.Equals:
		return b.d.JSONHasElem(col, b.arg(p.Values[0]))
	case filter.NotEquals:
		return "NOT " + b.d.JSONHasElem(col, b.arg(p.Values[0]))
	case filter.Contains:
		return b.d.JSONElemContains(col, b.arg(p.Values[0]))
	case filter.In, filter.NotIn:
		var ors []string
		for _, v := range p.Values {
			ors = append(ors, b.d.JSONHasElem(col, b.arg(v)))
		}
		c := "(" + strings.Join(ors, " OR ") + ")"
		if p.Op == filter.NotIn {
			return "NOT " + c
		}
		return c
	}
	return "1=0"
}

func statusCodes(v string) string {
	switch v {
	case "OK":
		return "'1'"
	case "ERROR":
		return "'2'"
	default:
		return "'0', ''"
	}
}

// spanPred is a predicate on one span row aliased a.
func (b *builder) spanPred(p filter.Predicate, a string) (string, error) {
	switch p.Kind {
	case filter.KindString:
		return b.strOp(a+"."+spanStringCol[p.Field], p.Op, p.Values), nil
	case filter.KindNumeric:
		return b.numOp(a+"."+spanNumericCol[p.Field], p), nil
	case filter.KindStatus:
		c := a + ".status_code IN (" + statusCodes(p.Values[0]) + ")"
		if p.Op == filter.NotEquals {
			c = "NOT " + c
		}
		return c, nil
	case filter.KindTags:
		return b.tagsOp(a+".tags", p), nil
	case filter.KindMetadata:
		key := b.arg(b.d.MetaKeyArg(p.Key))
		switch p.Op {
		case filter.Exists:
			return b.d.JSONHasKey(a+".metadata", key), nil
		case filter.DoesNotExist:
			return "NOT " + b.d.JSONHasKey(a+".metadata", key), nil
		}
		expr := "COALESCE(" + b.d.JSONGet(a+".metadata", key) + ", '')"
		c := b.strOp(expr, p.Op, p.Values)
		if _, neg := positive[p.Op]; neg {
			// a missing key is "not equal" / "does not contain"
			return c, nil
		}
		return "(" + b.d.JSONHasKey(a+".metadata", key) + " AND " + c + ")", nil
	case filter.KindScore:
		return "EXISTS (SELECT 1 FROM scores sc WHERE sc.app_id = " + a + ".app_id AND sc.resource_id = " + a +
			".span_id AND sc.name = " + b.arg(p.Key) + " AND " + b.numOp("sc.value", p) + ")", nil
	}
	return "", fmt.Errorf("unsupported filter field %q", p.Field)
}

// tracePred is a predicate on a trace row aliased t.
func (b *builder) tracePred(p filter.Predicate) (string, error) {
	switch p.Kind {
	case filter.KindNumeric:
		return b.numOp("t."+traceNumericCol[p.Field], p), nil
	case filter.KindStatus:
		code := map[string]string{"OK": "1", "ERROR": "2"}[p.Values[0]]
		if code == "" {
			code = "0"
		}
		if p.Op == filter.NotEquals {
			return "t.status_code <> " + code, nil
		}
		return "t.status_code = " + code, nil
	case filter.KindTags:
		return b.tagsOp("t.tags", p), nil
	case filter.KindScore:
		name := b.arg(p.Key)
		return "EXISTS (SELECT 1 FROM scores sc WHERE sc.app_id = t.app_id AND sc.name = " + name +
			" AND (sc.resource_id = t.trace_id OR sc.resource_id IN (SELECT s2.span_id FROM spans s2 WHERE s2.app_id = t.app_id AND s2.trace_id = t.trace_id)) AND " +
			b.numOp("sc.value", p) + ")", nil
	}
	if p.Field == "trace_id" {
		return b.strOp("t.trace_id", p.Op, p.Values), nil
	}
	// any span of the trace matches; negative operators: no span matches
	// the positive form.
	q := p
	not := ""
	if pos, neg := positive[p.Op]; neg {
		q.Op, not = pos, "NOT "
	}
	c, err := b.spanPred(q, "s")
	if err != nil {
		return "", err
	}
	return not + "EXISTS (SELECT 1 FROM spans s WHERE s.app_id = t.app_id AND s.trace_id = t.trace_id AND " + c + ")", nil
}
