package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/agentmark-go/agentmark/internal/jsyaml"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/templatedx"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// Parsing engines by prompt kind: the tags are registered only so the
// parser accepts them (templates are served as trees, never rendered here).
var templateEngines = func() map[string]*templatedx.Engine {
	noop := templatedx.TagFunc(func(_ *jsvalue.Object, c []*mdast.Node, _ *templatedx.TagContext) ([]*mdast.Node, error) {
		return c, nil
	})
	mk := func(tags ...string) *templatedx.Engine {
		e := templatedx.New()
		e.RegisterTag(noop, tags...)
		return e
	}
	return map[string]*templatedx.Engine{
		"language": mk("System", "Assistant", "User", "ImageAttachment", "FileAttachment"),
		"image":    mk("ImagePrompt"),
		"speech":   mk("System", "SpeechPrompt"),
	}
}()

// engineFor picks the parser: ?promptKind=image|speech, else the kind the
// frontmatter declares, else the language one.
func engineFor(kind string, src []byte) *templatedx.Engine {
	switch kind {
	case "image", "speech":
		return templateEngines[kind]
	case "text", "object":
		return templateEngines["language"]
	}
	fm := frontmatterRe.Find(src)
	switch {
	case bytes.Contains(fm, []byte("image_config")):
		return templateEngines["image"]
	case bytes.Contains(fm, []byte("speech_config")):
		return templateEngines["speech"]
	}
	return templateEngines["language"]
}

// gitHead is the commit of root's git checkout ("" outside git). It reads
// .git directly (HEAD, loose refs, packed-refs; worktrees included).
func gitHead(root string) string {
	dir := root
	var gitDir string
	for {
		p := filepath.Join(dir, ".git")
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				gitDir = p
			} else if b, err := os.ReadFile(p); err == nil {
				line := strings.TrimSpace(string(b))
				if rest, ok := strings.CutPrefix(line, "gitdir:"); ok {
					gitDir = strings.TrimSpace(rest)
					if !filepath.IsAbs(gitDir) {
						gitDir = filepath.Join(dir, gitDir)
					}
				}
			}
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	if gitDir == "" {
		return ""
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	h := strings.TrimSpace(string(head))
	ref, isRef := strings.CutPrefix(h, "ref:")
	if !isRef {
		return validSHA(h)
	}
	ref = strings.TrimSpace(ref)
	common := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = c
	}
	for _, d := range []string{gitDir, common} {
		if b, err := os.ReadFile(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			return validSHA(strings.TrimSpace(string(b)))
		}
	}
	if b, err := os.ReadFile(filepath.Join(common, "packed-refs")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if sha, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok && name == ref {
				return validSHA(sha)
			}
		}
	}
	return ""
}

var shaRe = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

func validSHA(s string) string {
	if shaRe.MatchString(s) {
		return s
	}
	return ""
}

// GET /v1/config
func getConfig(s *Server, w http.ResponseWriter, r *http.Request) error {
	if s.cfg.ProjectRoot == "" {
		return notFoundErr("config_not_found", "Config not found")
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.ProjectRoot, project.ConfigFile))
	if err != nil {
		return notFoundErr("config_not_found", "Config not found")
	}
	var cfg map[string]any
	if json.Unmarshal(b, &cfg) != nil || cfg == nil {
		return notFoundErr("config_not_found", "Config not found")
	}
	var sha *string
	if h := gitHead(s.cfg.ProjectRoot); h != "" {
		sha = &h
	}
	return data(w, map[string]any{"commit_sha": sha, "config": cfg})
}

// templatePath validates ?path= and resolves it inside the prompt
// directory. It returns the cleaned relative path and the absolute file.
func (s *Server) templatePath(r *http.Request) (string, string, error) {
	vals := r.URL.Query()["path"]
	if len(vals) != 1 || vals[0] == "" {
		return "", "", invalidQuery(map[string]string{"path": "Path query parameter must be a single string value"})
	}
	p := vals[0]
	if strings.ContainsRune(p, 0) {
		return "", "", invalidQuery(map[string]string{"path": "Invalid path"})
	}
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || filepath.VolumeName(p) != "" {
		return "", "", &Error{Status: 400, Code: codeInvalidQuery, Message: "Absolute paths are not allowed",
			Details: map[string]string{"path": "Absolute paths are not allowed"}}
	}
	slashed := strings.ReplaceAll(p, `\`, "/")
	for strings.HasPrefix(slashed, "./") {
		slashed = slashed[2:]
	}
	for _, seg := range strings.Split(slashed, "/") {
		if seg == ".." {
			return "", "", &Error{Status: 400, Code: codeInvalidQuery, Message: "Invalid path: path traversal detected",
				Details: map[string]string{"path": "Invalid path: path traversal detected"}}
		}
	}
	rel := path.Clean(slashed)
	if strings.HasPrefix(rel, "/") || rel == "." {
		return "", "", &Error{Status: 400, Code: codeInvalidQuery, Message: "Invalid path: path traversal detected",
			Details: map[string]string{"path": "Invalid path: path traversal detected"}}
	}
	if !strings.HasSuffix(rel, ".mdx") && !strings.HasSuffix(rel, ".jsonl") {
		return "", "", invalidQuery(map[string]string{"path": "Path must end in .mdx or .jsonl"})
	}
	if s.promptDir == "" {
		return "", "", notFoundErr("not_found", "File not found")
	}
	full, err := project.Confine(s.promptDir, filepath.FromSlash(rel))
	if err != nil {
		return "", "", &Error{Status: 403, Code: "forbidden", Message: "Access denied: path outside allowed directory"}
	}
	return rel, full, nil
}

// GET /v1/templates
func getTemplate(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	kind := q.enum("promptKind", "text", "object", "image", "speech")
	format := q.enum("format", "json")
	rel, full, err := s.templatePath(r)
	if err != nil {
		return err
	}
	if err := q.err(); err != nil {
		return err
	}
	if strings.HasSuffix(rel, ".jsonl") {
		return s.serveDataset(w, r, rel, full, format)
	}
	src, err := os.ReadFile(full)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isDirErr(full) {
			return notFoundErr("not_found", "File not found")
		}
		return err
	}
	ast, err := engineFor(kind, src).Parse(string(src), templatedx.ParseOptions{
		Path:   filepath.ToSlash(full),
		Loader: project.FileLoader(s.promptDir),
	})
	if err != nil {
		return &Error{Status: 400, Code: "template_parse_error", Message: "Failed to parse template: " + err.Error()}
	}
	if sha := gitHead(s.promptDir); sha != "" {
		stampCommit(ast, sha)
	}
	return data(w, ast)
}

func isDirErr(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// stampCommit sets agentmark_meta.commit_sha in the tree's frontmatter.
func stampCommit(ast *mdast.Node, sha string) {
	for _, n := range ast.Children {
		if n.Type != mdast.YAML {
			continue
		}
		v, err := jsyaml.Load(n.Value)
		if err != nil {
			return
		}
		obj, ok := v.(*jsvalue.Object)
		if !ok {
			return
		}
		meta, _ := obj.Get("agentmark_meta")
		mo, ok := meta.(*jsvalue.Object)
		if ok {
			mo = mo.Clone()
		} else {
			mo = jsvalue.NewObject()
		}
		mo.Set("commit_sha", sha)
		obj.Set("agentmark_meta", mo)
		n.Value = strings.TrimRight(jsyaml.Dump(obj), "\n")
		return
	}
}

// serveDataset answers a .jsonl path: a bare JSON array of rows, or the raw
// NDJSON when the client asks for it.
func (s *Server) serveDataset(w http.ResponseWriter, r *http.Request, rel, full, format string) error {
	f, err := os.Open(full)
	if err != nil || isDirErr(full) {
		if f != nil {
			f.Close()
		}
		alt, aerr := project.Confine(s.promptDir, filepath.Join("templates", path.Base(rel)))
		if aerr != nil {
			return notFoundErr("not_found", "Dataset not found")
		}
		f, err = os.Open(alt)
		if err != nil || isDirErr(alt) {
			if f != nil {
				f.Close()
			}
			return notFoundErr("not_found", "Dataset not found")
		}
	}
	defer f.Close()
	if strings.Contains(r.Header.Get("Accept"), "application/x-ndjson") && format != "json" {
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, f)
		return nil
	}
	var rows []json.RawMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !json.Valid(b) {
			return &Error{Status: 500, Code: "internal_error", Message: fmt.Sprintf("Failed to read dataset: line %d is not valid JSON", line)}
		}
		rows = append(rows, append(json.RawMessage(nil), b...))
	}
	if err := sc.Err(); err != nil {
		return &Error{Status: 500, Code: "internal_error", Message: "Failed to read dataset", Err: err}
	}
	if rows == nil {
		rows = []json.RawMessage{}
	}
	return writeJSON(w, http.StatusOK, rows)
}

var frontmatterRe = regexp.MustCompile(`(?s)\A\s*---\r?\n(.*?)\r?\n---`)

// promptName reads the frontmatter name from the first 4 KB of a file.
func promptName(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := io.ReadFull(f, buf)
	m := frontmatterRe.FindSubmatch(buf[:n])
	if m == nil {
		return ""
	}
	v, err := jsyaml.Load(string(m[1]))
	if err != nil {
		return ""
	}
	if o, ok := v.(*jsvalue.Object); ok {
		if name, ok := o.Get("name"); ok {
			if s, ok := name.(string); ok {
				return s
			}
		}
	}
	return ""
}

// GET /v1/prompts
func listPrompts(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	name := q.str("name")
	if _, present := r.URL.Query()["name"]; present && (name == "" || len(name) > 255) {
		q.fail("name", "String must contain between 1 and 255 character(s)")
	}
	if err := q.err(); err != nil {
		return err
	}
	paths := []string{}
	if s.promptDir != "" {
		_ = filepath.WalkDir(s.promptDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if p != s.promptDir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(d.Name(), ".prompt.mdx") {
				return nil
			}
			if name != "" && promptName(p) != name {
				return nil
			}
			if rel, err := filepath.Rel(s.promptDir, p); err == nil {
				paths = append(paths, filepath.ToSlash(rel))
			}
			return nil
		})
	}
	sort.Strings(paths)
	return data(w, map[string]any{"paths": paths})
}
