package schemaref

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// memLoader serves files from a map and records what was asked for.
type memLoader struct {
	files map[string]string
	asked []string
}

func (m *memLoader) load(p string) (string, error) {
	m.asked = append(m.asked, p)
	s, ok := m.files[p]
	if !ok {
		return "", fmt.Errorf("ENOENT: no such file %s", p)
	}
	return s, nil
}

func mustJSON(t *testing.T, s string) jsvalue.Value {
	t.Helper()
	v, err := jsvalue.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("ParseJSON(%s): %v", s, err)
	}
	return v
}

func js(v jsvalue.Value) string {
	s, _ := jsvalue.Stringify(v)
	return s
}

func TestResolve(t *testing.T) {
	files := map[string]string{
		"/p/schemas/user.json":       `{"type":"object","properties":{"name":{"type":"string"}},"definitions":{"Id":{"type":"integer"},"a/b":{"const":"slash"},"m~n":{"const":"tilde"},"~1":{"const":"literal ~1"}}}`,
		"/p/schemas/order.json":      `{"type":"object","properties":{"user":{"$ref":"./user.json"},"id":{"$ref":"user.json#/definitions/Id"},"local":{"$ref":"#/definitions/X"}}}`,
		"/p/schemas/deep/leaf.json":  `{"leaf":true,"up":{"$ref":"../user.json#/definitions/Id"}}`,
		"/p/schemas/mid.json":        `{"$ref":"deep/leaf.json"}`,
		"/p/arr.json":                `[1,2]`,
		"/p/str.json":                `"x"`,
		"/p/null.json":               `null`,
		"/p/bad.json":                `{"a":`,
		"/p/nested.json":             `{"a":{"b":[{"c":1}]}}`,
		"/p/a.json":                  `{"next":{"$ref":"./b.json"}}`,
		"/p/b.json":                  `{"next":{"$ref":"./a.json"}}`,
		"/p/self.json":               `{"defs":{"x":{"$ref":"#/defs/x"}},"me":{"$ref":"self.json#/me"}}`,
		"/p/frag.json":               `{"d":{"x":{"$ref":"frag.json#/d/y"},"y":{"$ref":"frag.json#/d/x"}}}`,
		"/abs/x.json":                `{"abs":1}`,
		"/p/weird name.json":         `{"ok":1}`,
		"/https:/example.com/s.json": `{"remote":"treated as a relative path"}`,
	}
	tests := []struct {
		name, in, want, err string
		base                string
	}{
		{name: "no refs", in: `{"type":"object","properties":{"a":{"type":"string"}}}`, want: `{"type":"object","properties":{"a":{"type":"string"}}}`},
		{name: "basic whole file", in: `{"$ref":"./schemas/user.json"}`, want: `{"type":"object","properties":{"name":{"type":"string"}},"definitions":{"Id":{"type":"integer"},"a/b":{"const":"slash"},"m~n":{"const":"tilde"},"~1":{"const":"literal ~1"}}}`},
		{name: "siblings dropped", in: `{"properties":{"u":{"$ref":"schemas/user.json#/definitions/Id","description":"dropped"}}}`, want: `{"properties":{"u":{"type":"integer"}}}`},
		{name: "fragment", in: `{"$ref":"./schemas/user.json#/properties/name"}`, want: `{"type":"string"}`},
		{name: "fragment ~1 escape", in: `{"$ref":"schemas/user.json#/definitions/a~1b"}`, want: `{"const":"slash"}`},
		{name: "fragment ~0 escape", in: `{"$ref":"schemas/user.json#/definitions/m~0n"}`, want: `{"const":"tilde"}`},
		{name: "fragment ~01 is ~1", in: `{"$ref":"schemas/user.json#/definitions/~01"}`, want: `{"const":"literal ~1"}`},
		{name: "empty pointer segments dropped", in: `{"$ref":"schemas/user.json#//definitions//Id/"}`, want: `{"type":"integer"}`},
		{name: "empty fragment", in: `{"$ref":"schemas/user.json#"}`, want: `{"type":"object","properties":{"name":{"type":"string"}},"definitions":{"Id":{"type":"integer"},"a/b":{"const":"slash"},"m~n":{"const":"tilde"},"~1":{"const":"literal ~1"}}}`},
		{name: "second hash ignored", in: `{"$ref":"schemas/user.json#/definitions/Id#ignored"}`, want: `{"type":"integer"}`},
		{name: "transitive relative to referencing file", in: `{"$ref":"schemas/order.json"}`, want: `{"type":"object","properties":{"user":{"type":"object","properties":{"name":{"type":"string"}},"definitions":{"Id":{"type":"integer"},"a/b":{"const":"slash"},"m~n":{"const":"tilde"},"~1":{"const":"literal ~1"}}},"id":{"type":"integer"},"local":{"$ref":"#/definitions/X"}}}`},
		{name: "transitive through subdirectories", in: `{"$ref":"schemas/mid.json"}`, want: `{"leaf":true,"up":{"type":"integer"}}`},
		{name: "local ref unchanged", in: `{"a":{"$ref":"#/definitions/A"},"b":{"$ref":"#"}}`, want: `{"a":{"$ref":"#/definitions/A"},"b":{"$ref":"#"}}`},
		{name: "local ref drops siblings", in: `{"$ref":"#/x","description":"d"}`, want: `{"$ref":"#/x"}`},
		{name: "non-string $ref is not a ref", in: `{"$ref":{"$ref":"nested.json#/a"},"x":[{"$ref":"nested.json#/a/b"}]}`, want: `{"$ref":{"b":[{"c":1}]},"x":[[{"c":1}]]}`},
		{name: "arrays element-wise", in: `[{"$ref":"nested.json#/a"},{"$ref":"str.json#"},3]`, err: `Schema $ref error: "/p/str.json" must be a JSON object`},
		{name: "arrays element-wise ok", in: `{"anyOf":[{"$ref":"nested.json#/a"},{"type":"null"}]}`, want: `{"anyOf":[{"b":[{"c":1}]},{"type":"null"}]}`},
		{name: "dotdot and dot normalised", in: `{"$ref":"./x/../schemas/./user.json#/definitions/Id"}`, want: `{"type":"integer"}`},
		{name: "dotdot never above root", in: `{"$ref":"../../../../abs/x.json"}`, want: `{"abs":1}`},
		{name: "absolute path kept", in: `{"$ref":"/abs/x.json"}`, want: `{"abs":1}`},
		{name: "backslashes normalised", in: `{"$ref":"schemas\\user.json#/definitions/Id"}`, want: `{"type":"integer"}`},
		{name: "url treated as relative path", in: `{"$ref":"https://example.com/s.json"}`, base: "/", want: `{"remote":"treated as a relative path"}`},
		{name: "spaces in names", in: `{"$ref":"weird name.json"}`, want: `{"ok":1}`},
		{name: "missing file", in: `{"$ref":"./nope.json"}`, err: `Schema $ref error: file not found "/p/nope.json" (referenced from "/p")`},
		{name: "missing transitive file reports referencing dir", in: `{"$ref":"schemas/deep/../order.json#/properties"}`, want: `{"user":{"type":"object","properties":{"name":{"type":"string"}},"definitions":{"Id":{"type":"integer"},"a/b":{"const":"slash"},"m~n":{"const":"tilde"},"~1":{"const":"literal ~1"}}},"id":{"type":"integer"},"local":{"$ref":"#/definitions/X"}}`},
		{name: "invalid JSON", in: `{"$ref":"bad.json"}`, err: `Schema $ref error: "/p/bad.json" is not valid JSON`},
		{name: "array root", in: `{"$ref":"arr.json"}`, err: `Schema $ref error: "/p/arr.json" must be a JSON object`},
		{name: "null root", in: `{"$ref":"null.json"}`, err: `Schema $ref error: "/p/null.json" must be a JSON object`},
		{name: "pointer not found", in: `{"$ref":"schemas/user.json#/definitions/Nope"}`, err: `Schema $ref error: JSON pointer "/definitions/Nope" not found in "/p/schemas/user.json"`},
		{name: "pointer through array unsupported", in: `{"$ref":"nested.json#/a/b/0"}`, err: `Schema $ref error: JSON pointer "/a/b/0" not found in "/p/nested.json"`},
		{name: "pointer through scalar", in: `{"$ref":"nested.json#/a/b/0/c/d"}`, err: `Schema $ref error: JSON pointer "/a/b/0/c/d" not found in "/p/nested.json"`},
		{name: "circular two files", in: `{"$ref":"./a.json"}`, err: `Schema $ref error: circular reference detected: /p/a.json -> /p/b.json -> /p/a.json`},
		{name: "circular self fragment", in: `{"$ref":"self.json#/me"}`, err: `Schema $ref error: circular reference detected: /p/self.json#/me -> /p/self.json#/me`},
		{name: "circular via fragments", in: `{"$ref":"frag.json#/d/x"}`, err: `Schema $ref error: circular reference detected: /p/frag.json#/d/x -> /p/frag.json#/d/y -> /p/frag.json#/d/x`},
		{name: "same file different fragments is fine", in: `{"a":{"$ref":"schemas/user.json#/definitions/Id"},"b":{"$ref":"schemas/user.json#/definitions/Id"}}`, want: `{"a":{"type":"integer"},"b":{"type":"integer"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &memLoader{files: files}
			base := tc.base
			if base == "" {
				base = "/p"
			}
			in := mustJSON(t, tc.in)
			before := js(in)
			got, err := Resolve(in, base, m.load)
			if js(in) != before {
				t.Errorf("input modified: %s", js(in))
			}
			if tc.err != "" {
				if err == nil {
					t.Fatalf("want error %q, got %s", tc.err, js(got))
				}
				if err.Error() != tc.err {
					t.Fatalf("error\n got %q\nwant %q", err.Error(), tc.err)
				}
				var re *Error
				if !errors.As(err, &re) {
					t.Errorf("error is %T, want *Error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if js(got) != tc.want {
				t.Errorf("\n got %s\nwant %s", js(got), tc.want)
			}
		})
	}
}

func TestMissingFileCause(t *testing.T) {
	m := &memLoader{files: map[string]string{"/p/s/a.json": `{"x":{"$ref":"../missing.json"}}`}}
	_, err := Resolve(mustJSON(t, `{"$ref":"s/a.json"}`), "/p", m.load)
	want := `Schema $ref error: file not found "/p/missing.json" (referenced from "/p/s")`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if !strings.Contains(errors.Unwrap(err).Error(), "ENOENT") {
		t.Errorf("cause lost: %v", errors.Unwrap(err))
	}
}

func chainFiles(n int) map[string]string {
	files := map[string]string{}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("/p/f%d.json", i)] = fmt.Sprintf(`{"next":{"$ref":"f%d.json"}}`, i+1)
	}
	files[fmt.Sprintf("/p/f%d.json", n)] = `{"end":true}`
	return files
}

func TestDepth(t *testing.T) {
	// 50 nested file refs resolve; the 51st is refused.
	m := &memLoader{files: chainFiles(MaxDepth - 1)}
	got, err := Resolve(mustJSON(t, `{"$ref":"f0.json"}`), "/p", m.load)
	if err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	if !strings.Contains(js(got), `"end":true`) || len(m.asked) != MaxDepth {
		t.Fatalf("got %s after %d loads", js(got), len(m.asked))
	}
	m = &memLoader{files: chainFiles(MaxDepth)}
	_, err = Resolve(mustJSON(t, `{"$ref":"f0.json"}`), "/p", m.load)
	if err == nil || err.Error() != "Schema $ref error: maximum resolution depth (50) exceeded" {
		t.Fatalf("got %v", err)
	}
}

func TestContainsRef(t *testing.T) {
	for in, want := range map[string]bool{
		`{}`:                              false,
		`{"type":"string"}`:               false,
		`{"$ref":"x.json"}`:               true,
		`{"$ref":"#/local"}`:              true,
		`{"$ref":5}`:                      false,
		`{"a":[{"b":{"$ref":"x"}}]}`:      true,
		`["$ref"]`:                        false,
		`{"description":"uses $ref"}`:     false,
		`[[{"properties":{"$ref":"y"}}]]`: true,
	} {
		if got := ContainsRef(mustJSON(t, in)); got != want {
			t.Errorf("ContainsRef(%s) = %v, want %v", in, got, want)
		}
	}
	if ContainsRef(nil) || ContainsRef(jsvalue.Undefined) || ContainsRef("x") {
		t.Error("scalars contain no ref")
	}
}

func TestResolvePath(t *testing.T) {
	for _, c := range [][3]string{
		{"/p/a", "./x.json", "/p/a/x.json"},
		{"/p/a", "x.json", "/p/a/x.json"},
		{"/p/a", "../x.json", "/p/x.json"},
		{"/p/a", "../../../x.json", "/x.json"},
		{"/p/a", "/abs/x.json", "/abs/x.json"},
		{"/p/a", `C:\abs\x.json`, `C:\abs\x.json`},
		{"/p/a", "C:/abs/x.json", "C:/abs/x.json"},
		{`C:\proj`, `sub\x.json`, "/C:/proj/sub/x.json"},
		{"/p//a/", ".//x.json", "/p/a/x.json"},
		{"rel/dir", "x.json", "/rel/dir/x.json"},
		{"/p", "https://h/x.json", "/p/https:/h/x.json"},
	} {
		if got := ResolvePath(c[0], c[1]); got != c[2] {
			t.Errorf("ResolvePath(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestDirLoader(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "project")
	outside := filepath.Join(tmp, "outside")
	for _, d := range []string{filepath.Join(root, "schemas"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "schemas", "ok.json"), `{"ok":true,"up":{"$ref":"../top.json"}}`)
	write(filepath.Join(root, "top.json"), `{"top":1}`)
	write(filepath.Join(root, "escape.json"), `{"$ref":"../outside/secret.json"}`)
	write(filepath.Join(outside, "secret.json"), `{"secret":1}`)
	symlinks := runtime.GOOS != "windows"
	if symlinks {
		if err := os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(root, "link.json")); err != nil {
			symlinks = false
		}
		if err := os.Symlink(outside, filepath.Join(root, "linkdir")); err != nil {
			symlinks = false
		}
		if err := os.Symlink(filepath.Join(root, "top.json"), filepath.Join(root, "inner-link.json")); err != nil {
			symlinks = false
		}
	}
	load := DirLoader(root)
	base := filepath.ToSlash(root)

	got, err := Resolve(mustJSON(t, `{"$ref":"schemas/ok.json"}`), base, load)
	if err != nil || js(got) != `{"ok":true,"up":{"top":1}}` {
		t.Fatalf("got %s, %v", js(got), err)
	}

	denied := []string{
		filepath.ToSlash(filepath.Join(outside, "secret.json")), // absolute outside
		base + "/../outside/secret.json",
	}
	for _, p := range denied {
		if _, err := load(p); !errors.Is(err, ErrAccessDenied) || err.Error() != "Access denied: path outside allowed directory" {
			t.Errorf("load(%q) = %v, want access denied", p, err)
		}
	}
	if _, err := load("../outside/secret.json"); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("relative escape: %v", err)
	}
	if _, err := load(base + "/a\x00b.json"); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("NUL: %v", err)
	}
	if s, err := load("top.json"); err != nil || s != `{"top":1}` {
		t.Errorf("relative inside: %q %v", s, err)
	}

	// Through Resolve, a denied path surfaces as "file not found" (the
	// upstream message) with the access error as its cause.
	_, err = Resolve(mustJSON(t, `{"$ref":"escape.json"}`), base, load)
	if err == nil || !errors.Is(err, ErrAccessDenied) ||
		err.Error() != fmt.Sprintf(`Schema $ref error: file not found %q (referenced from %q)`, filepath.ToSlash(tmp)+"/outside/secret.json", base) {
		t.Errorf("escape via transitive ref: %v", err)
	}
	// ".." segments never climb above "/" in ResolvePath, but an absolute
	// $ref is kept as is and the loader refuses it.
	_, err = Resolve(mustJSON(t, fmt.Sprintf(`{"$ref":%q}`, filepath.ToSlash(filepath.Join(outside, "secret.json")))), base, load)
	if !errors.Is(err, ErrAccessDenied) {
		t.Errorf("absolute ref outside: %v", err)
	}

	if symlinks {
		for _, p := range []string{base + "/link.json", base + "/linkdir/secret.json"} {
			if _, err := load(p); !errors.Is(err, ErrAccessDenied) {
				t.Errorf("symlink escape load(%q) = %v", p, err)
			}
		}
		if s, err := load(base + "/inner-link.json"); err != nil || s != `{"top":1}` {
			t.Errorf("symlink inside root: %q %v", s, err)
		}
	}
	if _, err := load(base + "/missing.json"); err == nil || errors.Is(err, ErrAccessDenied) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestDirLoaderSymlinkedRoot(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	tmp := t.TempDir()
	real := filepath.Join(tmp, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "s.json"), []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(tmp, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	// The root given through a symlink accepts both spellings of a path.
	load := DirLoader(link)
	for _, p := range []string{filepath.Join(link, "s.json"), filepath.Join(real, "s.json")} {
		if s, err := load(filepath.ToSlash(p)); err != nil || s != `{"a":1}` {
			t.Errorf("load(%q) = %q, %v", p, s, err)
		}
	}
}
