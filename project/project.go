// Package project finds an AgentMark project on disk and reads its
// agentmark.json, and gives confined access to the project's files.
package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// ConfigFile is the project configuration file name.
const ConfigFile = "agentmark.json"

// Config is agentmark.json. Raw keeps every key (unknown keys are tolerated).
type Config struct {
	Version       string
	AgentmarkPath string
	MdxVersion    string
	BuiltInModels []string
	Raw           *jsvalue.Object
}

// FindRoot walks up from dir to the nearest directory holding
// agentmark.json.
func FindRoot(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil && !st.IsDir() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// LoadConfig reads <root>/agentmark.json.
func LoadConfig(root string) (*Config, error) {
	data, err := os.ReadFile(filepath.Join(root, ConfigFile))
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

// ParseConfig decodes agentmark.json content.
func ParseConfig(data []byte) (*Config, error) {
	v, err := jsvalue.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("agentmark.json is not valid JSON: %s", err.Error())
	}
	obj, ok := v.(*jsvalue.Object)
	if !ok {
		return nil, errors.New("agentmark.json is not a JSON object")
	}
	c := &Config{Raw: obj}
	var problems []string
	str := func(key string, dst *string) {
		if x, ok := obj.Get(key); ok {
			if s, isStr := x.(string); isStr {
				*dst = s
			} else {
				problems = append(problems, fmt.Sprintf("%q must be a string", key))
			}
		}
	}
	str("version", &c.Version)
	str("agentmarkPath", &c.AgentmarkPath)
	str("mdxVersion", &c.MdxVersion)
	if x, ok := obj.Get("builtInModels"); ok {
		arr, isArr := x.([]jsvalue.Value)
		if !isArr {
			problems = append(problems, `"builtInModels" must be an array of strings`)
		}
		for _, m := range arr {
			s, isStr := m.(string)
			if !isStr {
				problems = append(problems, `"builtInModels" must be an array of strings`)
				break
			}
			c.BuiltInModels = append(c.BuiltInModels, s)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("agentmark.json: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// PromptDir is where the project's prompts live: <root>/<agentmarkPath>/agentmark.
func (c *Config) PromptDir(root string) string {
	p := c.AgentmarkPath
	if p == "" {
		p = "."
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return filepath.Join(p, "agentmark")
}

// Get returns a raw top-level key of agentmark.json.
func (c *Config) Get(key string) (jsvalue.Value, bool) { return c.Raw.Get(key) }

// ErrOutside is returned for paths that leave the allowed directory.
var ErrOutside = errors.New("Access denied: path outside allowed directory")

// Confine resolves p (absolute, or relative to root) and checks that it
// stays inside root, following symlinks.
func Confine(root, p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", errors.New("Invalid path")
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(absRoot); err == nil {
		absRoot = r
	}
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(absRoot, full)
	}
	resolved := resolveExisting(filepath.Clean(full))
	if !within(absRoot, resolved) {
		return "", ErrOutside
	}
	return resolved, nil
}

// resolveExisting follows the symlinks of the longest existing prefix of
// p (p itself may not exist yet, nor some of its parents).
func resolveExisting(p string) string {
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// FileLoader returns a content loader for component imports that reads
// files under root only.
func FileLoader(root string) func(string) (string, error) {
	return func(p string) (string, error) {
		full, err := Confine(root, filepath.FromSlash(p))
		if err != nil {
			if errors.Is(err, ErrOutside) {
				return "", errors.New("Access denied: import path outside allowed directory")
			}
			return "", err
		}
		data, err := os.ReadFile(full)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("file not found: %s", p)
			}
			return "", err
		}
		return string(data), nil
	}
}

// RootFor picks the directory a prompt file's imports are confined to: the
// project root (nearest agentmark.json), else the working directory when
// the file is inside it, else the file's own directory.
func RootFor(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.Dir(file)
	}
	if root, ok := FindRoot(filepath.Dir(abs)); ok {
		return root
	}
	if wd, err := os.Getwd(); err == nil && within(wd, abs) {
		return wd
	}
	return filepath.Dir(abs)
}
