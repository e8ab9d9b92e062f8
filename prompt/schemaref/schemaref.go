// Package schemaref resolves JSON-Schema `$ref`s that point into other JSON
// files, the way AgentMark's build does for `input_schema` and
// `object_config.schema` (spec §C.6).
//
// Rules:
//   - Arrays are resolved element by element; an object with a string `$ref`
//     is replaced as a whole by the referenced value (sibling keys such as
//     `description` are dropped); other objects are resolved key by key.
//   - A ref is split at its first `#` into a file path and a fragment (text
//     after a second `#` is ignored). A ref with an empty file path (`#/...`,
//     `#`) is kept as `{"$ref": ref}`.
//   - The file path is resolved against the base directory as §B.8 imports
//     are: absolute paths (`/…`, `C:\…`) are kept; otherwise base and path are
//     split on `/` (backslashes count as `/`), `.` and empty segments are
//     dropped, `..` pops (never above the root), and the result is joined
//     with `/` behind a leading `/`.
//   - The fragment is an RFC 6901 pointer (`~1` → `/`, then `~0` → `~`; empty
//     segments dropped); every step must be an object with that key (array
//     indices are not supported).
//   - The referenced value is resolved in turn, relative to the directory of
//     its own file. A ref already on the current chain (compared as
//     `path#fragment`) is a cycle; chains longer than 50 are refused.
//
// Every referenced file is parsed afresh, so the result never shares
// structure with the input or between refs. Confinement to the project
// directory is the Loader's job; DirLoader provides it.
package schemaref

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Loader returns the text of the file at path (a path produced by the
// resolution rules above).
type Loader func(path string) (string, error)

// MaxDepth is the longest chain of nested file references.
const MaxDepth = 50

// Error is a resolution failure. Message is the exact upstream message
// ("Schema $ref error: ..."); Err is the underlying cause, if any (the
// loader's error for "file not found", the JSON syntax error for
// "is not valid JSON").
type Error struct {
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

func errorf(cause error, format string, args ...any) error {
	return &Error{Message: "Schema $ref error: " + fmt.Sprintf(format, args...), Err: cause}
}

// ContainsRef reports whether v contains, at any depth, an object whose
// `$ref` property is a string.
func ContainsRef(v jsvalue.Value) bool {
	switch t := v.(type) {
	case []jsvalue.Value:
		for _, e := range t {
			if ContainsRef(e) {
				return true
			}
		}
	case *jsvalue.Object:
		if r, ok := t.Get("$ref"); ok {
			if _, isStr := r.(string); isStr {
				return true
			}
		}
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			if ContainsRef(e) {
				return true
			}
		}
	}
	return false
}

// Resolve returns v with every file `$ref` replaced by the value it points
// to. baseDir is the directory of the prompt file; load reads referenced
// files. v itself is not modified.
func Resolve(v jsvalue.Value, baseDir string, load Loader) (jsvalue.Value, error) {
	r := &resolver{load: load}
	return r.value(v, baseDir)
}

type resolver struct {
	load  Loader
	chain []string
}

func (r *resolver) value(v jsvalue.Value, baseDir string) (jsvalue.Value, error) {
	switch t := v.(type) {
	case []jsvalue.Value:
		out := make([]jsvalue.Value, len(t))
		for i, e := range t {
			c, err := r.value(e, baseDir)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case *jsvalue.Object:
		if ref, ok := t.Get("$ref"); ok {
			if s, isStr := ref.(string); isStr {
				return r.ref(s, baseDir)
			}
		}
		out := jsvalue.NewObject()
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			c, err := r.value(e, baseDir)
			if err != nil {
				return nil, err
			}
			out.Set(k, c)
		}
		return out, nil
	}
	return v, nil
}

func (r *resolver) ref(ref, baseDir string) (jsvalue.Value, error) {
	parts := strings.Split(ref, "#")
	filePath := parts[0]
	fragment := ""
	if len(parts) > 1 {
		fragment = parts[1]
	}
	if filePath == "" {
		o := jsvalue.NewObject()
		o.Set("$ref", ref)
		return o, nil
	}
	resolved := ResolvePath(baseDir, filePath)
	key := resolved
	if fragment != "" {
		key += "#" + fragment
	}
	for _, k := range r.chain {
		if k == key {
			return nil, errorf(nil, "circular reference detected: %s", strings.Join(append(append([]string(nil), r.chain...), key), " -> "))
		}
	}
	if len(r.chain) >= MaxDepth {
		return nil, errorf(nil, "maximum resolution depth (%d) exceeded", MaxDepth)
	}

	text, err := r.load(resolved)
	if err != nil {
		return nil, errorf(err, "file not found %q (referenced from %q)", resolved, baseDir)
	}
	doc, err := jsvalue.ParseJSON([]byte(text))
	if err != nil {
		return nil, errorf(err, "%q is not valid JSON", resolved)
	}
	if _, ok := doc.(*jsvalue.Object); !ok {
		return nil, errorf(nil, "%q must be a JSON object", resolved)
	}
	target, ok := pointer(doc, fragment)
	if !ok {
		return nil, errorf(nil, "JSON pointer %q not found in %q", fragment, resolved)
	}

	r.chain = append(r.chain, key)
	defer func() { r.chain = r.chain[:len(r.chain)-1] }()
	return r.value(target, dirname(resolved))
}

// pointer evaluates an RFC 6901 fragment against doc (objects only).
func pointer(doc jsvalue.Value, ptr string) (jsvalue.Value, bool) {
	cur := doc
	for _, seg := range strings.Split(ptr, "/") {
		if seg == "" {
			continue
		}
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		obj, ok := cur.(*jsvalue.Object)
		if !ok {
			return nil, false
		}
		next, ok := obj.Get(seg)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// IsAbs reports whether p is absolute in the sense of §B.8: it starts with
// `/` or a drive letter followed by `:\` or `:/`.
func IsAbs(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && isLetter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ResolvePath resolves p against baseDir with the §B.8 rules.
func ResolvePath(baseDir, p string) string {
	if IsAbs(p) {
		return p
	}
	all := strings.ReplaceAll(baseDir+"/"+p, "\\", "/")
	var stack []string
	for _, seg := range strings.Split(all, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		default:
			stack = append(stack, seg)
		}
	}
	return "/" + strings.Join(stack, "/")
}

func dirname(p string) string {
	i := strings.LastIndexAny(p, "/\\")
	switch {
	case i < 0:
		return "."
	case i == 0:
		return "/"
	}
	return p[:i]
}

// ErrAccessDenied is returned by DirLoader for paths outside its root.
var ErrAccessDenied = errors.New("Access denied: path outside allowed directory")

// DirLoader reads files below root. A path that, once cleaned and with
// symlinks followed, lies outside root is refused with ErrAccessDenied.
// Relative paths are taken relative to root.
func DirLoader(root string) Loader {
	return func(p string) (string, error) {
		if strings.ContainsRune(p, 0) {
			return "", ErrAccessDenied
		}
		rootAbs, err := filepath.Abs(root)
		if err != nil {
			return "", err
		}
		rootReal, err := filepath.EvalSymlinks(rootAbs)
		if err != nil {
			return "", err
		}
		fp := filepath.FromSlash(p)
		if !filepath.IsAbs(fp) {
			fp = filepath.Join(rootAbs, fp)
		}
		fp = filepath.Clean(fp)
		if !within(rootAbs, fp) && !within(rootReal, fp) {
			return "", ErrAccessDenied
		}
		real, err := filepath.EvalSymlinks(fp)
		if err != nil {
			return "", err
		}
		if !within(rootReal, real) {
			return "", ErrAccessDenied
		}
		data, err := os.ReadFile(real)
		if err != nil {
			return "", err
		}
		return string(data), nil
	}
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
