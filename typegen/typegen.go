// Package typegen generates TypeScript and Go types for a project's prompts
// (`agentmark generate-types`): one input type per prompt from its
// input_schema, one output type from its kind (object prompts: from
// object_config.schema), and, in TypeScript, the AgentmarkTypes map that
// types a client by prompt path.
//
// JSON Schema support is what prompt schemas use in practice: type (also
// type arrays, for nullable values), properties/required,
// additionalProperties, items (and tuples), enum, const, anyOf, oneOf,
// allOf, nullable (OpenAPI) and local $refs (#/definitions/..., #/$defs/...).
// Anything else (format, patterns, ranges, not, if/then/else, remote $refs
// that were not inlined) does not narrow the type.
package typegen

import (
	"sort"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/prompt"
)

// Prompt is what type generation needs to know about one prompt.
type Prompt struct {
	// Path is the prompt's path relative to the prompts directory,
	// slash-separated, e.g. "math/addition.prompt.mdx".
	Path string
	// Kind is the prompt kind.
	Kind prompt.Kind
	// InputSchema is the frontmatter input_schema (nil or Undefined when
	// absent), with external $refs already inlined.
	InputSchema jsvalue.Value
	// OutputSchema is object_config.schema for object prompts (nil
	// otherwise).
	OutputSchema jsvalue.Value
}

// sortedPrompts returns a copy of prompts ordered by path.
func sortedPrompts(prompts []Prompt) []Prompt {
	ps := append([]Prompt(nil), prompts...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
	return ps
}

// Key is a prompt's path without the .prompt.mdx suffix ("math/addition").
func Key(path string) string {
	return strings.TrimSuffix(path, ".prompt.mdx")
}

// InterfaceName is the TypeScript type name of a prompt path, upstream's
// rule: the path without .prompt.mdx, each "/" segment split into words on
// "-", "_" and before capital letters, each word capitalised, characters
// other than ASCII letters and digits removed, segments joined by "$"
// ("math/addition.prompt.mdx" -> "Math$Addition",
// "customer-support/reply_v2" -> "CustomerSupport$ReplyV2"). A name that
// would start with a digit gets a leading "_"; an empty one is "Prompt".
func InterfaceName(path string) string {
	name := strings.Join(nameSegments(path), "$")
	if strings.Trim(name, "$") == "" {
		return "Prompt"
	}
	if name[0] >= '0' && name[0] <= '9' {
		name = "_" + name
	}
	return name
}

// GoName is the Go type name of a prompt path: the segments of
// InterfaceName joined without "$" ("math/addition" -> "MathAddition"). A
// name that would start with a digit gets a "Prompt" prefix.
func GoName(path string) string {
	name := strings.Join(nameSegments(path), "")
	if name == "" {
		return "Prompt"
	}
	if name[0] >= '0' && name[0] <= '9' {
		name = "Prompt" + name
	}
	return name
}

func nameSegments(path string) []string {
	segs := strings.Split(Key(path), "/")
	out := make([]string, len(segs))
	for i, seg := range segs {
		var b strings.Builder
		for _, w := range splitWords(seg) {
			b.WriteString(capitalize(w))
		}
		out[i] = keepAlnum(b.String())
	}
	return out
}

// splitWords splits on "-" and "_" and before each capital letter.
func splitWords(s string) []string {
	var words []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_':
			words = append(words, s[start:i])
			start = i + 1
		case c >= 'A' && c <= 'Z' && i > start:
			words = append(words, s[start:i])
			start = i
		}
	}
	return append(words, s[start:])
}

func capitalize(w string) string {
	if w == "" {
		return ""
	}
	if c := w[0]; c >= 'a' && c <= 'z' {
		return string(c-'a'+'A') + w[1:]
	}
	return w
}

func keepAlnum(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// assignNames gives each prompt (sorted by path) a unique base name that
// leaves base+suffix free for every suffix. Names are claimed in name
// order, so "a" keeps "AIn" when another prompt is called "a-in" (which
// becomes "AIn2").
func assignNames(nm *namer, ps []Prompt, nameOf func(string) string, suffixes ...string) []string {
	order := make([]int, len(ps))
	bases := make([]string, len(ps))
	for i, p := range ps {
		order[i] = i
		bases[i] = nameOf(p.Path)
	}
	sort.SliceStable(order, func(a, b int) bool { return bases[order[a]] < bases[order[b]] })
	names := make([]string, len(ps))
	for _, i := range order {
		names[i] = nm.group(bases[i], suffixes...)
	}
	return names
}

// namer hands out unique identifiers.
type namer struct{ used map[string]bool }

func newNamer(reserved ...string) *namer {
	n := &namer{used: map[string]bool{}}
	for _, r := range reserved {
		n.used[r] = true
	}
	return n
}

// group reserves base+suffix for every suffix, adding a number to base
// (2, 3, ...) until none of them is taken. It returns the chosen base.
func (n *namer) group(base string, suffixes ...string) string {
	for i := 1; ; i++ {
		cand := base
		if i > 1 {
			cand = base + itoa(i)
		}
		free := true
		for _, s := range suffixes {
			if n.used[cand+s] {
				free = false
				break
			}
		}
		if free {
			for _, s := range suffixes {
				n.used[cand+s] = true
			}
			return cand
		}
	}
}

// name reserves base, or base2, base3, ...
func (n *namer) name(base string) string { return n.group(base, "") }

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// schema helpers shared by both generators.

// isAbsent reports a missing schema.
func isAbsent(v jsvalue.Value) bool { return v == nil || jsvalue.IsUndefined(v) }

// get reads a schema keyword (nil schema or non-object: absent).
func get(s jsvalue.Value, key string) (jsvalue.Value, bool) {
	o, ok := s.(*jsvalue.Object)
	if !ok {
		return nil, false
	}
	v, ok := o.Get(key)
	if ok && jsvalue.IsUndefined(v) {
		return nil, false
	}
	return v, ok
}

func getObj(s jsvalue.Value, key string) *jsvalue.Object {
	v, _ := get(s, key)
	o, _ := v.(*jsvalue.Object)
	return o
}

func getArr(s jsvalue.Value, key string) ([]jsvalue.Value, bool) {
	v, ok := get(s, key)
	a, isArr := v.([]jsvalue.Value)
	return a, ok && isArr
}

func getStr(s jsvalue.Value, key string) string {
	v, _ := get(s, key)
	str, _ := v.(string)
	return str
}

// types lists the schema's "type" (a string or an array of strings).
func schemaTypes(s jsvalue.Value) []string {
	v, ok := get(s, "type")
	if !ok {
		return nil
	}
	switch t := v.(type) {
	case string:
		return []string{t}
	case []jsvalue.Value:
		var out []string
		for _, e := range t {
			if str, ok := e.(string); ok {
				out = append(out, str)
			}
		}
		return out
	}
	return nil
}

func requiredSet(s jsvalue.Value) (map[string]bool, []string) {
	set := map[string]bool{}
	var order []string
	arr, _ := getArr(s, "required")
	for _, e := range arr {
		if str, ok := e.(string); ok && !set[str] {
			set[str] = true
			order = append(order, str)
		}
	}
	return set, order
}

// looksLikeObject: no type, but object keywords.
func looksLikeObject(s jsvalue.Value) bool {
	for _, k := range []string{"properties", "additionalProperties", "patternProperties", "required"} {
		if _, ok := get(s, k); ok {
			return true
		}
	}
	return false
}

func looksLikeArray(s jsvalue.Value) bool {
	for _, k := range []string{"items", "prefixItems"} {
		if _, ok := get(s, k); ok {
			return true
		}
	}
	return false
}

// refResolver follows local $refs ("#/..." JSON pointers) within a root
// schema, refusing cycles.
type refResolver struct {
	root  jsvalue.Value
	stack map[string]bool
}

// enter resolves s's local $ref. It returns the target and a leave func;
// ok is false for refs it cannot follow (remote, missing, cyclic).
func (r *refResolver) enter(ref string) (target jsvalue.Value, leave func(), ok bool) {
	if r.stack[ref] || !strings.HasPrefix(ref, "#") {
		return nil, nil, false
	}
	t, found := pointer(r.root, strings.TrimPrefix(ref, "#"))
	if !found {
		return nil, nil, false
	}
	if r.stack == nil {
		r.stack = map[string]bool{}
	}
	r.stack[ref] = true
	return t, func() { delete(r.stack, ref) }, true
}

// pointer evaluates a JSON pointer ("/definitions/a").
func pointer(v jsvalue.Value, p string) (jsvalue.Value, bool) {
	if p == "" {
		return v, true
	}
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(unescapeURI(tok), "~1", "/"), "~0", "~")
		switch t := v.(type) {
		case *jsvalue.Object:
			next, ok := t.Get(tok)
			if !ok {
				return nil, false
			}
			v = next
		case []jsvalue.Value:
			i := 0
			for _, c := range tok {
				if c < '0' || c > '9' {
					return nil, false
				}
				i = i*10 + int(c-'0')
			}
			if tok == "" || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func unescapeURI(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
