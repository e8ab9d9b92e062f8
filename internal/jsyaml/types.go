package jsyaml

// Port of the scalar and collection types of js-yaml 4.1.0's DEFAULT_SCHEMA
// (lib/type/*.js, MIT License; see LICENSE.js-yaml).

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
)

type yamlType struct {
	tag       string
	kind      string // scalar, sequence, mapping
	resolve   func(data any) bool
	construct func(data any) any
}

func (t *yamlType) constructAny(data any) any { return t.construct(data) }

func always(any) bool    { return true }
func identity(d any) any { return d }

var (
	typeNull = &yamlType{tag: "tag:yaml.org,2002:null", kind: "scalar", resolve: resolveNull, construct: func(any) any { return nil }}
	typeBool = &yamlType{tag: "tag:yaml.org,2002:bool", kind: "scalar", resolve: resolveBool, construct: func(d any) any {
		s, _ := d.(string)
		return s == "true" || s == "True" || s == "TRUE"
	}}
	typeInt       = &yamlType{tag: "tag:yaml.org,2002:int", kind: "scalar", resolve: resolveInt, construct: constructInt}
	typeFloat     = &yamlType{tag: "tag:yaml.org,2002:float", kind: "scalar", resolve: resolveFloat, construct: constructFloat}
	typeTimestamp = &yamlType{tag: "tag:yaml.org,2002:timestamp", kind: "scalar", resolve: resolveTimestamp, construct: constructTimestamp}
	typeMerge     = &yamlType{tag: "tag:yaml.org,2002:merge", kind: "scalar", resolve: func(d any) bool {
		s, ok := d.(string)
		return d == nil || ok && s == "<<"
	}, construct: identity}
	typeStr = &yamlType{tag: "tag:yaml.org,2002:str", kind: "scalar", resolve: always, construct: func(d any) any {
		if d == nil {
			return ""
		}
		return d
	}}
	typeBinary = &yamlType{tag: "tag:yaml.org,2002:binary", kind: "scalar", resolve: resolveBinary, construct: constructBinary}
	typeSeq    = &yamlType{tag: "tag:yaml.org,2002:seq", kind: "sequence", resolve: always, construct: func(d any) any {
		if d == nil {
			return &seqNode{items: []any{}}
		}
		return d
	}}
	typeOmap  = &yamlType{tag: "tag:yaml.org,2002:omap", kind: "sequence", resolve: resolveOmap, construct: typeSeqConstruct}
	typePairs = &yamlType{tag: "tag:yaml.org,2002:pairs", kind: "sequence", resolve: resolvePairs, construct: constructPairs}
	typeMap   = &yamlType{tag: "tag:yaml.org,2002:map", kind: "mapping", resolve: always, construct: typeMapConstruct}
	typeSet   = &yamlType{tag: "tag:yaml.org,2002:set", kind: "mapping", resolve: resolveSet, construct: typeMapConstruct}
)

func typeSeqConstruct(d any) any {
	if d == nil {
		return &seqNode{items: []any{}}
	}
	return d
}

func typeMapConstruct(d any) any {
	if d == nil {
		return jsvalue.NewObject()
	}
	return d
}

// implicitTypes is DEFAULT_SCHEMA.compiledImplicit, in order.
var implicitTypes = []*yamlType{typeNull, typeBool, typeInt, typeFloat, typeTimestamp, typeMerge}

var allTypes = []*yamlType{typeNull, typeBool, typeInt, typeFloat, typeTimestamp, typeMerge,
	typeStr, typeSeq, typeMap, typeBinary, typeOmap, typePairs, typeSet}

// lookupType is state.typeMap[kind][tag] (the default schema has no multi types).
func lookupType(kind, tag string) *yamlType {
	for _, t := range allTypes {
		if t.tag == tag && (kind == "fallback" || t.kind == kind) {
			return t
		}
	}
	return nil
}

func resolveNull(d any) bool {
	if d == nil {
		return true
	}
	s, _ := d.(string)
	return s == "~" || s == "null" || s == "Null" || s == "NULL"
}

func resolveBool(d any) bool {
	s, ok := d.(string)
	if !ok {
		return false
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return true
	}
	return false
}

func isHexCode(c byte) bool { return isHexDigit(c) }
func isOctCode(c byte) bool { return c >= '0' && c <= '7' }
func isDecCode(c byte) bool { return c >= '0' && c <= '9' }

func resolveInt(d any) bool {
	data, ok := d.(string)
	if !ok {
		return false
	}
	max := len(data)
	if max == 0 {
		return false
	}
	at := func(i int) byte { // data[i], 0 for undefined
		if i < max {
			return data[i]
		}
		return 0
	}
	index := 0
	hasDigits := false
	ch := at(index)
	if ch == '-' || ch == '+' {
		index++
		ch = at(index)
	}
	if ch == '0' {
		if index+1 == max {
			return true
		}
		index++
		ch = at(index)
		var digit func(byte) bool
		switch ch {
		case 'b':
			digit = func(c byte) bool { return c == '0' || c == '1' }
		case 'x':
			digit = isHexCode
		case 'o':
			digit = isOctCode
		}
		if digit != nil {
			index++
			for ; index < max; index++ {
				ch = data[index]
				if ch == '_' {
					continue
				}
				if !digit(ch) {
					return false
				}
				hasDigits = true
			}
			return hasDigits && ch != '_'
		}
	}
	if ch == '_' {
		return false
	}
	for ; index < max; index++ {
		ch = data[index]
		if ch == '_' {
			continue
		}
		if !isDecCode(ch) {
			return false
		}
		hasDigits = true
	}
	if !hasDigits || ch == '_' {
		return false
	}
	return true
}

func parseIntRadix(digits string, base int) float64 {
	if base == 10 {
		f, _ := strconv.ParseFloat(digits, 64)
		return f
	}
	n, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return math.NaN()
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	return f
}

func constructInt(d any) any {
	value, _ := d.(string)
	value = strings.ReplaceAll(value, "_", "")
	sign := 1.0
	if value != "" && (value[0] == '-' || value[0] == '+') {
		if value[0] == '-' {
			sign = -1
		}
		value = value[1:]
	}
	if value == "0" {
		return 0.0
	}
	if len(value) >= 2 && value[0] == '0' {
		switch value[1] {
		case 'b':
			return sign * parseIntRadix(value[2:], 2)
		case 'x':
			return sign * parseIntRadix(value[2:], 16)
		case 'o':
			return sign * parseIntRadix(value[2:], 8)
		}
	}
	return sign * parseIntRadix(value, 10)
}

var floatPattern = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)

func resolveFloat(d any) bool {
	data, ok := d.(string)
	if !ok {
		return false
	}
	if !floatPattern.MatchString(data) || data[len(data)-1] == '_' {
		return false
	}
	return true
}

func constructFloat(d any) any {
	value, _ := d.(string)
	value = strings.ToLower(strings.ReplaceAll(value, "_", ""))
	sign := 1.0
	if value != "" && value[0] == '-' {
		sign = -1
	}
	if value != "" && (value[0] == '+' || value[0] == '-') {
		value = value[1:]
	}
	switch value {
	case ".inf":
		return sign * math.Inf(1)
	case ".nan":
		return math.NaN()
	}
	return sign * jsParseFloat(value)
}

var decimalPrefix = regexp.MustCompile(`^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?`)

// jsParseFloat is parseFloat for the strings floatPattern admits.
func jsParseFloat(s string) float64 {
	m := decimalPrefix.FindString(s)
	if m == "" {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(m, 64) // overflow gives ±Inf, as in JavaScript
	return f
}

var (
	dateRegexp      = regexp.MustCompile(`^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$`)
	timestampRegexp = regexp.MustCompile(`^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?$`)
)

func resolveTimestamp(d any) bool {
	data, ok := d.(string)
	if !ok {
		return false
	}
	return dateRegexp.MatchString(data) || timestampRegexp.MatchString(data)
}

func num(s string) int { n, _ := strconv.Atoi(s); return n }

// dateUTC is Date.UTC (years 0-99 mean 1900-1999; fields overflow).
func dateUTC(year, month, day, hour, minute, second, ms int) float64 {
	if year >= 0 && year <= 99 {
		year += 1900
	}
	t := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	t = t.AddDate(0, month, day-1)
	return float64(t.UnixMilli()) + float64(hour)*3600000 + float64(minute)*60000 + float64(second)*1000 + float64(ms)
}

func constructTimestamp(d any) any {
	data, _ := d.(string)
	m := dateRegexp.FindStringSubmatch(data)
	if m == nil {
		m = timestampRegexp.FindStringSubmatch(data)
	}
	if m == nil {
		return nil
	}
	year, month, day := num(m[1]), num(m[2])-1, num(m[3])
	if len(m) < 5 || m[4] == "" {
		return dateNode{ms: dateUTC(year, month, day, 0, 0, 0, 0)}
	}
	hour, minute, second := num(m[4]), num(m[5]), num(m[6])
	fraction := 0
	if m[7] != "" {
		f := m[7]
		if len(f) > 3 {
			f = f[:3]
		}
		for len(f) < 3 {
			f += "0"
		}
		fraction = num(f)
	}
	delta := 0
	if m[9] != "" {
		tzHour := num(m[10])
		tzMinute := 0
		if m[11] != "" {
			tzMinute = num(m[11])
		}
		delta = (tzHour*60 + tzMinute) * 60000
		if m[9] == "-" {
			delta = -delta
		}
	}
	ms := dateUTC(year, month, day, hour, minute, second, fraction)
	return dateNode{ms: ms - float64(delta)}
}

const base64Map = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r"

func resolveBinary(d any) bool {
	data, ok := d.(string)
	if !ok {
		return false
	}
	bitlen := 0
	for _, r := range data {
		code := -1
		if r < 128 {
			code = strings.IndexByte(base64Map, byte(r))
		}
		if code > 64 {
			continue
		}
		if code < 0 {
			return false
		}
		bitlen += 6
	}
	return bitlen%8 == 0
}

func constructBinary(d any) any {
	data, _ := d.(string)
	input := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '=' {
			return -1
		}
		return r
	}, data)
	max := len(input)
	var bits int32
	result := []byte{}
	for idx := 0; idx < max; idx++ {
		if idx%4 == 0 && idx != 0 {
			result = append(result, byte(bits>>16), byte(bits>>8), byte(bits))
		}
		bits = bits<<6 | int32(strings.IndexByte(base64Map, input[idx]))
	}
	switch (max % 4) * 6 {
	case 0:
		result = append(result, byte(bits>>16), byte(bits>>8), byte(bits))
	case 18:
		result = append(result, byte(bits>>10), byte(bits>>2))
	case 12:
		result = append(result, byte(bits>>4))
	}
	return binaryNode{b: result}
}

func resolveOmap(d any) bool {
	if d == nil {
		return true
	}
	seq, ok := d.(*seqNode)
	if !ok {
		return false
	}
	seen := map[string]bool{}
	for _, p := range seq.items {
		obj, ok := p.(*jsvalue.Object)
		if !ok || obj.Len() != 1 {
			return false
		}
		k := obj.Keys()[0]
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func resolvePairs(d any) bool {
	if d == nil {
		return true
	}
	seq, ok := d.(*seqNode)
	if !ok {
		return false
	}
	for _, p := range seq.items {
		obj, ok := p.(*jsvalue.Object)
		if !ok || obj.Len() != 1 {
			return false
		}
	}
	return true
}

func constructPairs(d any) any {
	res := &seqNode{items: []any{}}
	seq, ok := d.(*seqNode)
	if !ok {
		return res
	}
	for _, p := range seq.items {
		obj := p.(*jsvalue.Object)
		k := obj.Keys()[0]
		v, _ := obj.Get(k)
		res.items = append(res.items, &seqNode{items: []any{k, v}})
	}
	return res
}

func resolveSet(d any) bool {
	if d == nil {
		return true
	}
	obj, ok := d.(*jsvalue.Object)
	if !ok {
		return false
	}
	for _, k := range obj.Keys() {
		if v, _ := obj.Get(k); v != nil {
			return false
		}
	}
	return true
}
