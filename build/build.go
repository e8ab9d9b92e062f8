// Package build compiles a project's prompts into self-contained JSON
// (`agentmark build`): each prompt's bundled tree with components inlined
// and schema $refs resolved, plus the datasets and a manifest.
package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/internal/jsyaml"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/prompt/schemaref"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Options say what to build and where.
type Options struct {
	// SourceDir holds the prompts (the project's agentmark/ directory).
	SourceDir string
	// OutDir receives the built files.
	OutDir string
	// Now stamps builtAt (default time.Now).
	Now func() time.Time
}

// Result reports each prompt: built, or failed with its error.
type Result struct {
	Built    []string
	Failed   []Failure
	Datasets []string
}

// Failure is a prompt that could not be built.
type Failure struct {
	Path string
	Err  error
}

// Output is the JSON written for one prompt.
type Output struct {
	AST      *mdast.Node `json:"ast"`
	Metadata Metadata    `json:"metadata"`
}

// Metadata describes a built prompt.
type Metadata struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	BuiltAt string `json:"builtAt"`
}

// Manifest lists the built prompts.
type Manifest struct {
	Version string          `json:"version"`
	BuiltAt string          `json:"builtAt"`
	Prompts []ManifestEntry `json:"prompts"`
}

// ManifestEntry maps a source prompt to its output file.
type ManifestEntry struct {
	Path       string `json:"path"`
	OutputPath string `json:"outputPath"`
}

// Project builds every *.prompt.mdx under SourceDir. A prompt that fails is
// reported in the result and skipped; the others are still written.
func Project(opts Options) (*Result, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	builtAt := now().UTC().Format("2006-01-02T15:04:05.000Z")
	if st, err := os.Stat(opts.SourceDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("AgentMark directory not found: %s. Check your agentmark.json configuration.", opts.SourceDir)
	}
	prompts, datasets, err := scan(opts.SourceDir)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	manifest := Manifest{Version: "1.0", BuiltAt: builtAt, Prompts: []ManifestEntry{}}
	for _, rel := range prompts {
		outRel := strings.TrimSuffix(rel, ".mdx") + ".json"
		if err := buildOne(opts, rel, outRel, builtAt); err != nil {
			res.Failed = append(res.Failed, Failure{Path: rel, Err: err})
			continue
		}
		res.Built = append(res.Built, rel)
		manifest.Prompts = append(manifest.Prompts, ManifestEntry{Path: rel, OutputPath: outRel})
	}
	for _, rel := range datasets {
		if err := copyFile(filepath.Join(opts.SourceDir, rel), filepath.Join(opts.OutDir, rel)); err != nil {
			return res, err
		}
		res.Datasets = append(res.Datasets, rel)
	}
	if err := writeJSON(filepath.Join(opts.OutDir, "manifest.json"), manifest); err != nil {
		return res, err
	}
	return res, nil
}

// scan lists prompts and datasets (relative, slash-separated, sorted),
// skipping node_modules and, for datasets, dot-directories.
func scan(dir string) (prompts, datasets []string, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(rel, ".prompt.mdx"):
			prompts = append(prompts, rel)
		case strings.HasSuffix(rel, ".jsonl") && !hasDotSegment(rel):
			datasets = append(datasets, rel)
		}
		return nil
	})
	sort.Strings(prompts)
	sort.Strings(datasets)
	return prompts, datasets, err
}

func hasDotSegment(rel string) bool {
	for _, s := range strings.Split(rel, "/") {
		if strings.HasPrefix(s, ".") {
			return true
		}
	}
	return false
}

func buildOne(opts Options, rel, outRel, builtAt string) error {
	abs := filepath.Join(opts.SourceDir, filepath.FromSlash(rel))
	src, err := os.ReadFile(abs)
	if err != nil {
		return err
	}
	tpl, err := prompt.Parse(string(src), prompt.Options{
		Path:   filepath.ToSlash(abs),
		Loader: project.FileLoader(opts.SourceDir),
	})
	if err != nil {
		return err
	}
	ast, err := resolveSchemaRefs(tpl, filepath.Dir(abs), opts.SourceDir)
	if err != nil {
		return err
	}
	out := Output{
		AST:      Compress(ast),
		Metadata: Metadata{Path: rel, Kind: string(tpl.Kind()), Name: tpl.Name(), BuiltAt: builtAt},
	}
	if out.Metadata.Name == "" {
		out.Metadata.Name = strings.TrimSuffix(filepath.Base(rel), ".prompt.mdx")
	}
	return writeJSON(filepath.Join(opts.OutDir, filepath.FromSlash(outRel)), out)
}

// resolveSchemaRefs inlines $refs of input_schema and object_config.schema
// and writes the frontmatter back into the tree's yaml node.
func resolveSchemaRefs(tpl *prompt.Template, dir, root string) (*mdast.Node, error) {
	fm := tpl.Frontmatter()
	changed := false
	resolve := func(v jsvalue.Value) (jsvalue.Value, error) {
		if !schemaref.ContainsRef(v) {
			return v, nil
		}
		changed = true
		return schemaref.Resolve(v, filepath.ToSlash(dir), schemaref.DirLoader(root))
	}
	fm = fm.Clone()
	if v, ok := fm.Get("input_schema"); ok {
		r, err := resolve(v)
		if err != nil {
			return nil, err
		}
		fm.Set("input_schema", r)
	}
	if cfgV, ok := fm.Get("object_config"); ok {
		if cfg, isObj := cfgV.(*jsvalue.Object); isObj {
			if v, ok := cfg.Get("schema"); ok {
				r, err := resolve(v)
				if err != nil {
					return nil, err
				}
				cfg = cfg.Clone()
				cfg.Set("schema", r)
				fm.Set("object_config", cfg)
			}
		}
	}
	ast := tpl.AST()
	if !changed {
		return ast, nil
	}
	root2 := *ast
	root2.Children = append([]*mdast.Node(nil), ast.Children...)
	for i, n := range root2.Children {
		if n.Type == mdast.YAML {
			y := *n
			y.Value = strings.TrimSpace(jsyaml.Dump(fm))
			root2.Children[i] = &y
			break
		}
	}
	return &root2, nil
}

// Compress drops positions and parser data from a tree (what upstream's
// build does); our renderer needs neither.
func Compress(n *mdast.Node) *mdast.Node {
	c := *n
	c.Position = nil
	c.Data = nil
	if n.Attributes != nil {
		c.Attributes = make([]*mdast.Attribute, len(n.Attributes))
		for i, a := range n.Attributes {
			ac := *a
			ac.Position, ac.Data, ac.ExprData = nil, nil, nil
			c.Attributes[i] = &ac
		}
	}
	if n.Children != nil {
		c.Children = make([]*mdast.Node, len(n.Children))
		for i, ch := range n.Children {
			c.Children[i] = Compress(ch)
		}
	}
	return &c
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ErrNoConfig is returned when the working directory has no agentmark.json.
var ErrNoConfig = errors.New("agentmark.json not found in current directory. Run this command from your AgentMark project root, or run `agentmark init` to scaffold one.")
