package prompt

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// BuiltLoader loads prompts compiled by `agentmark build` from a directory.
type BuiltLoader struct {
	Dir string
}

// builtFile is the part of a built prompt we read.
type builtFile struct {
	AST *mdast.Node `json:"ast"`
}

// LoadAST reads a built prompt. path may name the source or the output:
// "x.prompt.mdx", "x.prompt", "x" and "x.prompt.json" all find x.prompt.json.
func (l BuiltLoader) LoadAST(path string) (*mdast.Node, error) {
	if strings.ContainsRune(path, 0) {
		return nil, errors.New("Invalid path")
	}
	if filepath.IsAbs(path) || strings.HasPrefix(path, "/") {
		return nil, errors.New("Absolute paths are not allowed")
	}
	jsonPath := builtName(path)
	dir, err := filepath.Abs(l.Dir)
	if err != nil {
		return nil, err
	}
	full := filepath.Join(dir, filepath.FromSlash(jsonPath))
	if rel, err := filepath.Rel(dir, full); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, errors.New("Access denied: path outside allowed directory")
	}
	data, err := os.ReadFile(full)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("Pre-built prompt not found: %s. Run 'agentmark build' to compile your prompts.", jsonPath)
	}
	if err != nil {
		return nil, err
	}
	var bf builtFile
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("%s: invalid built prompt: %w", jsonPath, err)
	}
	if bf.AST == nil {
		return nil, fmt.Errorf("%s: built prompt has no \"ast\"", jsonPath)
	}
	return bf.AST, nil
}

// Load reads and loads a built prompt.
func (l BuiltLoader) Load(path string, opts Options) (*Template, error) {
	ast, err := l.LoadAST(path)
	if err != nil {
		return nil, err
	}
	if opts.Path == "" {
		opts.Path = path
	}
	return FromAST(ast, opts)
}

func builtName(p string) string {
	switch {
	case strings.HasSuffix(p, ".json"):
		return p
	case strings.HasSuffix(p, ".mdx"):
		return strings.TrimSuffix(p, ".mdx") + ".json"
	case strings.HasSuffix(p, ".prompt"):
		return p + ".json"
	}
	return p + ".prompt.json"
}
