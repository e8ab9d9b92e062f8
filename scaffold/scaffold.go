// Package scaffold writes a new AgentMark project (`agentmark init`).
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed files
var files embed.FS

// Options control what happens to files that already exist.
type Options struct {
	// Overwrite replaces existing files; otherwise they are kept.
	Overwrite bool
}

// Result lists what was written and what was kept.
type Result struct {
	Written []string
	Kept    []string
}

// Write creates the project in dir: agentmark.json, an example prompt and
// its dataset under agentmark/, and a .gitignore.
func Write(dir string, opts Options) (*Result, error) {
	res := &Result{}
	err := fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, "files/")
		if rel == "gitignore" {
			rel = ".gitignore" // embed skips dot files
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(target); err == nil && !opts.Overwrite {
			res.Kept = append(res.Kept, rel)
			return nil
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
		res.Written = append(res.Written, rel)
		return nil
	})
	return res, err
}

// ExamplePrompt is the example prompt's path inside a new project.
const ExamplePrompt = "agentmark/customer-support.prompt.mdx"
