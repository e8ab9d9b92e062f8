package project

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// realDir resolves symlinks in a temp dir (macOS /var -> /private/var).
func realDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFindRoot(t *testing.T) {
	root := realDir(t)
	write(t, filepath.Join(root, ConfigFile), `{"version":"2.0.0","agentmarkPath":"."}`)
	deep := filepath.Join(root, "agentmark", "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{root, deep, filepath.Join(root, "agentmark")} {
		got, ok := FindRoot(d)
		if !ok || got != root {
			t.Errorf("FindRoot(%s) = %q, %v; want %q", d, got, ok, root)
		}
	}
	// A directory named agentmark.json does not count.
	other := realDir(t)
	if err := os.MkdirAll(filepath.Join(other, "x", ConfigFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, ok := FindRoot(filepath.Join(other, "x")); ok && strings.HasPrefix(got, other) {
		t.Errorf("FindRoot found a directory named %s: %s", ConfigFile, got)
	}
	// The nearest config wins.
	write(t, filepath.Join(root, "agentmark", "a", ConfigFile), `{}`)
	if got, _ := FindRoot(deep); got != filepath.Join(root, "agentmark", "a") {
		t.Errorf("nearest root: %s", got)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"$schema":"x","version":"2.0.0","mdxVersion":"1.0","agentmarkPath":"src","builtInModels":["openai/gpt-4o","a/b"],"unknown":{"k":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "2.0.0" || c.MdxVersion != "1.0" || c.AgentmarkPath != "src" || strings.Join(c.BuiltInModels, ",") != "openai/gpt-4o,a/b" {
		t.Errorf("config: %+v", c)
	}
	if v, ok := c.Get("unknown"); !ok || v == nil {
		t.Error("unknown keys must be kept in Raw")
	}
	if _, ok := c.Get("absent"); ok {
		t.Error("Get(absent)")
	}
	for _, tt := range []struct{ in, want string }{
		{`{"version":`, "agentmark.json is not valid JSON: "},
		{``, "agentmark.json is not valid JSON: "},
		{`{"a":1} trailing`, "agentmark.json is not valid JSON: "},
		{`[1,2]`, "agentmark.json is not a JSON object"},
		{`"str"`, "agentmark.json is not a JSON object"},
		{`null`, "agentmark.json is not a JSON object"},
		{`{"version":2}`, `agentmark.json: "version" must be a string`},
		{`{"agentmarkPath":["."]}`, `agentmark.json: "agentmarkPath" must be a string`},
		{`{"builtInModels":"a"}`, `agentmark.json: "builtInModels" must be an array of strings`},
		{`{"builtInModels":["a",1]}`, `agentmark.json: "builtInModels" must be an array of strings`},
		{`{"version":1,"mdxVersion":2}`, `agentmark.json: "version" must be a string; "mdxVersion" must be a string`},
	} {
		_, err := ParseConfig([]byte(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want prefix %q", tt.in, err, tt.want)
		}
		if strings.HasSuffix(tt.want, ": ") && err != nil && len(err.Error()) == len(tt.want) {
			t.Errorf("%q: JSON error without detail", tt.in)
		}
	}
	// Minimal configs are fine (unknown / missing keys tolerated).
	if c, err := ParseConfig([]byte(`{}`)); err != nil || c.AgentmarkPath != "" || c.BuiltInModels != nil {
		t.Errorf("empty config: %+v %v", c, err)
	}
}

func TestLoadConfig(t *testing.T) {
	root := t.TempDir()
	if _, err := LoadConfig(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing config: %v", err)
	}
	write(t, filepath.Join(root, ConfigFile), `{"version":"2.0.0","agentmarkPath":"."`)
	if _, err := LoadConfig(root); err == nil || !strings.HasPrefix(err.Error(), "agentmark.json is not valid JSON: ") {
		t.Errorf("invalid config: %v", err)
	}
	write(t, filepath.Join(root, ConfigFile), `{"version":"2.0.0","agentmarkPath":"."}`)
	c, err := LoadConfig(root)
	if err != nil || c.Version != "2.0.0" {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestPromptDir(t *testing.T) {
	root := filepath.Join(string(filepath.Separator)+"proj", "root")
	abs := filepath.Join(string(filepath.Separator)+"elsewhere", "x")
	for _, tt := range []struct{ path, want string }{
		{"", filepath.Join(root, "agentmark")},
		{".", filepath.Join(root, "agentmark")},
		{"src", filepath.Join(root, "src", "agentmark")},
		{"./src/", filepath.Join(root, "src", "agentmark")},
		{"../up", filepath.Join(root, "..", "up", "agentmark")},
		{abs, filepath.Join(abs, "agentmark")},
	} {
		c := &Config{AgentmarkPath: tt.path}
		if got := c.PromptDir(root); got != tt.want {
			t.Errorf("PromptDir(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestConfine(t *testing.T) {
	root := realDir(t)
	outside := realDir(t)
	write(t, filepath.Join(root, "a", "b.mdx"), "B")
	write(t, filepath.Join(outside, "secret.mdx"), "S")
	ok := []struct{ in, want string }{
		{"a/b.mdx", filepath.Join(root, "a", "b.mdx")},
		{"a/../a/b.mdx", filepath.Join(root, "a", "b.mdx")},
		{"./a/b.mdx", filepath.Join(root, "a", "b.mdx")},
		{"new/file.mdx", filepath.Join(root, "new", "file.mdx")},
		{filepath.Join(root, "a", "b.mdx"), filepath.Join(root, "a", "b.mdx")},
		{".", root},
	}
	for _, tt := range ok {
		got, err := Confine(root, filepath.FromSlash(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("Confine(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, want string }{
		{"../x.mdx", ErrOutside.Error()},
		{"a/../../x.mdx", ErrOutside.Error()},
		{"..", ErrOutside.Error()},
		{filepath.Join(outside, "secret.mdx"), ErrOutside.Error()},
		{"a\x00b", "Invalid path"},
	}
	for _, tt := range bad {
		_, err := Confine(root, filepath.FromSlash(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Confine(%q): got %v, want %q", tt.in, err, tt.want)
		}
	}
	// A sibling whose name starts with the root's name is outside.
	if _, err := Confine(root, root+"-evil/x"); !errors.Is(err, ErrOutside) {
		t.Errorf("prefix sibling: %v", err)
	}
}

func TestConfineSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	root := realDir(t)
	outside := realDir(t)
	write(t, filepath.Join(outside, "secret.mdx"), "S")
	write(t, filepath.Join(root, "in.mdx"), "I")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(outside, "secret.mdx"), filepath.Join(root, "file-link.mdx")))
	must(os.Symlink(outside, filepath.Join(root, "dir-link")))
	must(os.Symlink(filepath.Join(root, "in.mdx"), filepath.Join(root, "ok-link.mdx")))
	for _, p := range []string{"file-link.mdx", "dir-link/secret.mdx", "dir-link/new.mdx", "dir-link/new/deeper.mdx", "dir-link/a/b/c.mdx"} {
		if _, err := Confine(root, p); !errors.Is(err, ErrOutside) {
			t.Errorf("Confine(%q): %v, want ErrOutside", p, err)
		}
	}
	if got, err := Confine(root, "ok-link.mdx"); err != nil || got != filepath.Join(root, "in.mdx") {
		t.Errorf("inner symlink: %q %v", got, err)
	}
	// A dangling link pointing outside cannot be read through.
	must(os.Symlink(filepath.Join(outside, "nowhere"), filepath.Join(root, "dangling")))
	if _, err := FileLoader(root)("dangling/x.mdx"); err == nil {
		t.Error("read through a dangling link")
	}
	// A root reached through a symlink works.
	linkRoot := filepath.Join(realDir(t), "link-root")
	must(os.Symlink(root, linkRoot))
	if got, err := Confine(linkRoot, "in.mdx"); err != nil || got != filepath.Join(root, "in.mdx") {
		t.Errorf("symlinked root: %q %v", got, err)
	}
	load := FileLoader(root)
	if _, err := load("dir-link/secret.mdx"); err == nil || err.Error() != "Access denied: import path outside allowed directory" {
		t.Errorf("FileLoader through symlink: %v", err)
	}
}

func TestFileLoader(t *testing.T) {
	root := realDir(t)
	outside := realDir(t)
	write(t, filepath.Join(root, "components", "c.mdx"), "Component")
	write(t, filepath.Join(outside, "secret.mdx"), "S")
	load := FileLoader(root)
	for _, p := range []string{"components/c.mdx", filepath.ToSlash(filepath.Join(root, "components", "c.mdx")), "components/../components/c.mdx"} {
		if got, err := load(p); err != nil || got != "Component" {
			t.Errorf("load(%q) = %q, %v", p, got, err)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"../x.mdx", "Access denied: import path outside allowed directory"},
		{filepath.ToSlash(filepath.Join(outside, "secret.mdx")), "Access denied: import path outside allowed directory"},
		{"components/missing.mdx", "file not found: components/missing.mdx"},
		{"c\x00.mdx", "Invalid path"},
	} {
		if _, err := load(tt.in); err == nil || err.Error() != tt.want {
			t.Errorf("load(%q): got %v, want %q", tt.in, err, tt.want)
		}
	}
	// Reading a directory fails with an error, not a panic.
	if _, err := load("components"); err == nil {
		t.Error("loading a directory should fail")
	}
}

func TestRootFor(t *testing.T) {
	root := realDir(t)
	write(t, filepath.Join(root, ConfigFile), `{}`)
	file := filepath.Join(root, "agentmark", "sub", "p.prompt.mdx")
	write(t, file, "x")
	if got := RootFor(file); got != root {
		t.Errorf("RootFor in project = %q, want %q", got, root)
	}
	// Outside any project and outside the working directory: the file's dir.
	lone := realDir(t)
	f2 := filepath.Join(lone, "p.prompt.mdx")
	write(t, f2, "x")
	if _, inProject := FindRoot(lone); !inProject {
		wd, _ := os.Getwd()
		if !within(wd, f2) {
			if got := RootFor(f2); got != lone {
				t.Errorf("RootFor lone file = %q, want %q", got, lone)
			}
		}
	}
}
