package templatedx

import (
	"fmt"
	"path"
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
	"github.com/agentmark-go/agentmark/templatedx/mdx"
)

// ContentLoader reads an imported file by its resolved path. Hosts use it to
// confine imports (e.g. to the project directory).
type ContentLoader func(path string) (string, error)

// ParseOptions says where a template lives and how to read its imports.
type ParseOptions struct {
	// Path is the template's path; imports resolve relative to its
	// directory. Default: "/__PROMPTDX_IGNORE__.mdx" (upstream's name for
	// the main file).
	Path string
	// Loader reads imported components; without one, imports fail.
	Loader ContentLoader
}

// maxInlineDepth bounds component nesting.
const maxInlineDepth = 64

// Parse parses a template and bundles it: comments are stripped, imported
// components are read, tags are validated against the engine's registry and
// component usages are inlined. The result is self-contained: it needs no
// files to render, and crosses the wire as JSON.
func (e *Engine) Parse(src string, opts ParseOptions) (*mdast.Node, error) {
	file := opts.Path
	if file == "" {
		file = "/" + mainFileName
	}
	b := &bundler{eng: e, loader: opts.Loader, files: map[string]*componentFile{}}
	root, err := mdx.Parse(src)
	if err != nil {
		return nil, asError(err, file)
	}
	stripComments(root)
	ns, err := b.imports(root, file, []string{file})
	if err != nil {
		return nil, asError(err, file)
	}
	if err := e.validateTags(root.Children, ns); err != nil {
		return nil, asError(err, file)
	}
	children, err := b.inline(root.Children, ns, nil, nil, 0)
	if err != nil {
		return nil, asError(err, file)
	}
	out := *root
	out.Children = children
	return &out, nil
}

const mainFileName = "__PROMPTDX_IGNORE__.mdx"

type bundler struct {
	eng    *Engine
	loader ContentLoader
	// files caches processed component files by resolved path, so a
	// component imported from several places is read and parsed once.
	files map[string]*componentFile
}

// componentFile is a processed component: its top-level nodes and the
// components it imports itself (each file has its own namespace).
type componentFile struct {
	path  string
	nodes []*mdast.Node
	ns    namespace
}

type namespace map[string]*componentFile

// isComment reports whether an expression's value is a JS comment only.
func isComment(value string) bool {
	v := strings.TrimSpace(value)
	return strings.HasPrefix(v, "//") || (strings.HasPrefix(v, "/*") && strings.HasSuffix(v, "*/"))
}

// stripComments removes {/* comment */} and {// comment} expressions.
func stripComments(n *mdast.Node) {
	if len(n.Children) == 0 {
		return
	}
	kept := n.Children[:0]
	for _, c := range n.Children {
		if c.IsExpression() && isComment(c.Value) {
			continue
		}
		stripComments(c)
		kept = append(kept, c)
	}
	n.Children = kept
}

// imports reads the file's import statements, loads the imported
// components and removes the ESM nodes from root.
func (b *bundler) imports(root *mdast.Node, file string, stack []string) (namespace, error) {
	ns := namespace{}
	kept := root.Children[:0]
	for _, n := range root.Children {
		if n.Type != mdast.MdxjsEsm {
			kept = append(kept, n)
			continue
		}
		stmts, err := parseESM(n.Value, file)
		if err != nil {
			return nil, errorAt(n.Position, "%s", err.Error())
		}
		for _, s := range stmts {
			target := resolvePath(path.Dir(file), s.source)
			cf, err := b.load(target, s.source, stack)
			if err != nil {
				var te *Error
				if asTE(err, &te) {
					return nil, err
				}
				return nil, errorAt(n.Position, "%s", err.Error())
			}
			ns[s.local] = cf
		}
	}
	root.Children = kept
	return ns, nil
}

func asTE(err error, target **Error) bool {
	te, ok := err.(*Error)
	if ok {
		*target = te
	}
	return ok
}

func (b *bundler) load(target, source string, stack []string) (*componentFile, error) {
	for i, p := range stack {
		if p == target {
			chain := append(append([]string(nil), stack[i:]...), target)
			return nil, fmt.Errorf("Circular import detected: %s", strings.Join(chain, " -> "))
		}
	}
	if cf, ok := b.files[target]; ok {
		return cf, nil
	}
	if b.loader == nil {
		return nil, fmt.Errorf("Failed to load import %q: no content loader", source)
	}
	text, err := b.loader(target)
	if err != nil {
		return nil, fmt.Errorf("Failed to load import %q: %s", source, err.Error())
	}
	root, err := mdx.Parse(text)
	if err != nil {
		return nil, asError(err, target)
	}
	stripComments(root)
	ns, err := b.imports(root, target, append(stack, target))
	if err != nil {
		return nil, asError(err, target)
	}
	cf := &componentFile{path: target, nodes: root.Children, ns: ns}
	b.files[target] = cf
	return cf, nil
}

// resolvePath resolves an import source against the importer's directory
// with "/" separators: absolute paths are kept, "." is skipped, ".." pops
// (never above the root).
func resolvePath(dir, source string) string {
	s := strings.ReplaceAll(source, "\\", "/")
	if strings.HasPrefix(s, "/") || isWindowsAbs(s) {
		return s
	}
	d := strings.ReplaceAll(dir, "\\", "/")
	if isWindowsAbs(d) {
		return path.Join(d, s)
	}
	return path.Join("/", d, s)
}

func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '/' || p[2] == '\\') &&
		((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'))
}
