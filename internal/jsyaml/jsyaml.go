// Package jsyaml decodes and encodes YAML exactly like js-yaml 4.1.0
// (`yaml.load` and `yaml.dump` with the DEFAULT_SCHEMA), which is what
// AgentMark uses for prompt frontmatter.
//
// The loader and dumper are faithful ports of js-yaml's lib/loader.js and
// lib/dumper.js (MIT License, see LICENSE.js-yaml), so scalar resolution
// (`010` → 10, `0o10` → 8, `1_000` → 1000, `yes` → "yes", `1:1` → "1:1",
// `.inf`, timestamps, …), merge keys, anchors, explicit tags, error messages
// and error positions all match the JavaScript library.
//
// Values are returned in the jsvalue model. Where js-yaml produces a
// JavaScript object that JSON cannot carry, Load returns what JSON.stringify
// would make of it:
//
//   - timestamps (`2024-01-02`, `2001-12-14t21:59:43.10-05:00`) are JavaScript
//     Dates; Load returns the ISO string Date.prototype.toJSON gives,
//     e.g. "2024-01-02T00:00:00.000Z" (a Date used as a mapping key becomes
//     its Date.prototype.toString text in UTC, e.g.
//     "Tue Jan 02 2024 00:00:00 GMT+0000 (Coordinated Universal Time)");
//   - `!!binary` values (Uint8Array) become objects {"0": byte, "1": byte, …};
//   - `.inf`, `-.inf` and `.nan` are the float64 values ±Inf and NaN
//     (jsvalue.Stringify writes them as null, like JSON.stringify).
//
// Aliases are expanded into independent copies (the result is always a
// tree); a recursive alias (`&a [*a]`), which js-yaml turns into a cyclic
// object that JSON.stringify rejects, is an error here.
package jsyaml

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Error is a YAML syntax or type error, with js-yaml's message.
//
// Line and Column are 1-based and count like js-yaml's mark (line+1,
// column+1): lines are separated by LF, CR or CRLF, and the column counts
// UTF-16 code units from the start of the line. They are 0 when the error
// has no position (e.g. more than one document). Offset is the byte offset
// of the position in the source given to Load (-1 when unknown).
type Error struct {
	Reason string
	Line   int
	Column int
	Offset int

	position int // UTF-16 index in the loader's input
}

// Error returns js-yaml's compact message: "reason (line:column)".
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("%s (%d:%d)", e.Reason, e.Line, e.Column)
}

func (e *Error) computeOffset(input []uint16, bom int) {
	p := e.position
	if p > len(input) {
		p = len(input)
	}
	if p < 0 {
		p = 0
	}
	e.Offset = bom + len(string(utf16.Decode(input[:p])))
}

// expansionBudget bounds alias expansion ("billion laughs" documents): a
// result may hold at most this many units (one per value plus one per 64
// bytes of strings and keys) beyond twice the source length, which no
// document without aliases can reach.
const expansionBudget = 1_000_000

// Load decodes a single YAML document like js-yaml's yaml.load(src).
// An empty stream (or one with only comments) yields jsvalue.Undefined.
func Load(src string) (jsvalue.Value, error) {
	docs, err := loadDocuments(src)
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return jsvalue.Undefined, nil
	case 1:
	default:
		return nil, &Error{Reason: "expected a single document in the stream, but found more", Offset: -1}
	}
	f := &finalizer{onStack: map[any]bool{}, budget: expansionBudget + 2*len(src)}
	v, err := f.convert(docs[0])
	if err != nil {
		return nil, err
	}
	return v, nil
}

type finalizer struct {
	onStack map[any]bool
	budget  int
}

func (f *finalizer) spend(n int) error {
	f.budget -= n
	if f.budget < 0 {
		return &Error{Reason: "document too large after alias expansion", Offset: -1}
	}
	return nil
}

func (f *finalizer) convert(v any) (jsvalue.Value, error) {
	cost := 1
	if s, ok := v.(string); ok {
		cost += len(s) / 64
	}
	if err := f.spend(cost); err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case *seqNode:
		if f.onStack[t] {
			return nil, &Error{Reason: "recursive alias: the document refers to itself (JSON cannot represent it)", Offset: -1}
		}
		f.onStack[t] = true
		out := make([]jsvalue.Value, len(t.items))
		for i, it := range t.items {
			c, err := f.convert(it)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		delete(f.onStack, t)
		return out, nil
	case *jsvalue.Object:
		if f.onStack[t] {
			return nil, &Error{Reason: "recursive alias: the document refers to itself (JSON cannot represent it)", Offset: -1}
		}
		f.onStack[t] = true
		out := jsvalue.NewObject()
		for _, k := range t.Keys() {
			if err := f.spend(len(k) / 64); err != nil {
				return nil, err
			}
			e, _ := t.Get(k)
			c, err := f.convert(e)
			if err != nil {
				return nil, err
			}
			out.Set(k, c)
		}
		delete(f.onStack, t)
		return out, nil
	case dateNode:
		return dateISO(t.ms), nil
	case binaryNode:
		out := jsvalue.NewObject()
		for i, b := range t.b {
			out.Set(strconv.Itoa(i), float64(b))
		}
		return out, nil
	}
	return v, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func validUTF8(b []byte) bool { return utf8.Valid(b) }

func decodeUTF16(u []uint16) string { return string(utf16.Decode(u)) }

// jsString is JavaScript's String(v) for loader values.
func jsString(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case float64:
		return jsvalue.NumberToString(t)
	case string:
		return t
	case dateNode:
		return dateString(t.ms)
	case binaryNode:
		parts := make([]string, len(t.b))
		for i, b := range t.b {
			parts[i] = strconv.Itoa(int(b))
		}
		return strings.Join(parts, ",")
	case *jsvalue.Object:
		return "[object Object]"
	}
	return fmt.Sprint(v)
}

func msTime(ms float64) time.Time {
	return time.UnixMilli(int64(math.Floor(ms))).UTC()
}

// dateISO is Date.prototype.toISOString.
func dateISO(ms float64) string {
	t := msTime(ms)
	y := t.Year()
	var ys string
	if y >= 0 && y <= 9999 {
		ys = fmt.Sprintf("%04d", y)
	} else if y < 0 {
		ys = fmt.Sprintf("-%06d", -y)
	} else {
		ys = fmt.Sprintf("+%06d", y)
	}
	return fmt.Sprintf("%s-%02d-%02dT%02d:%02d:%02d.%03dZ", ys, int(t.Month()), t.Day(),
		t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6)
}

// dateString is Date.prototype.toString in the UTC time zone.
func dateString(ms float64) string {
	t := msTime(ms)
	y := t.Year()
	var ys string
	if y < 0 {
		ys = fmt.Sprintf("-%06d", -y)
	} else {
		ys = fmt.Sprintf("%04d", y)
	}
	return fmt.Sprintf("%s %s %02d %s %02d:%02d:%02d GMT+0000 (Coordinated Universal Time)",
		t.Weekday().String()[:3], t.Month().String()[:3], t.Day(), ys, t.Hour(), t.Minute(), t.Second())
}
