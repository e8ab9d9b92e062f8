package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/postgres"
	"github.com/agentmark-go/agentmark/store/sqlite"
)

// pgDSN is the Postgres the tests use: $AGENTMARK_TEST_POSTGRES, else the
// local trust-auth server.
func pgDSN() string {
	if dsn := os.Getenv("AGENTMARK_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"
}

// openBackend opens a fresh store of the named backend (a temp SQLite file,
// or a random Postgres schema dropped at cleanup). Postgres is skipped when
// unreachable, unless CI=true.
func openBackend(t testing.TB, backend string) store.Store {
	t.Helper()
	ctx := context.Background()
	switch backend {
	case "sqlite":
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "traces.db"), &sqlite.Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	case "postgres":
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, pgDSN())
		if err == nil {
			err = conn.Ping(cctx)
			conn.Close(cctx)
		}
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("Postgres unreachable at %s (CI=true): %v", pgDSN(), err)
			}
			t.Skipf("Postgres unreachable at %s: %v", pgDSN(), err)
		}
		b := make([]byte, 6)
		rand.Read(b)
		schema := "servertest_" + hex.EncodeToString(b)
		s, err := postgres.Open(ctx, pgDSN(), &postgres.Options{Schema: schema, MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			s.Close()
			if conn, err := pgx.Connect(ctx, pgDSN()); err == nil {
				conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
				conn.Close(ctx)
			}
		})
		return s
	}
	t.Fatalf("unknown backend %s", backend)
	return nil
}

var backends = []string{"sqlite", "postgres"}

// forEachBackend runs fn once per store backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			fn(t, newHarness(t, openBackend(t, b), nil))
		})
	}
}

const testAgentmarkJSON = `{
  "version": "2.0.0",
  "mdxVersion": "1.0",
  "builtInModels": ["mock/echo"],
  "modelSchemas": {"mock/echo": {"label": "Echo", "cost": {"inputCost": 1, "outputCost": 2, "unitScale": 1000}}},
  "scores": {
    "tone": {"type": "categorical", "description": "Tone", "categories": [{"label": "good", "value": 1}, {"label": "bad", "value": 0}]},
    "accuracy": {"type": "boolean", "description": "Correct?"},
    "helpfulness": {"type": "numeric", "min": 1, "max": 5},
    "broken": {"type": "categorical", "categories": []},
    "weird": {"type": "nope"}
  }
}`

var testProjectFiles = map[string]string{
	"agentmark.json":                     testAgentmarkJSON,
	"agentmark/ask.prompt.mdx":           "---\nname: ask\ntext_config:\n  model_name: mock/echo\nagentmark_meta:\n  owner: team\n---\n\n<User>Find {props.q}</User>\n",
	"agentmark/nested/two.prompt.mdx":    "---\nname: two\ntext_config:\n  model_name: mock/echo\n---\n\n<User>two</User>\n",
	"agentmark/dup.prompt.mdx":           "---\nname: ask\ntext_config:\n  model_name: mock/echo\n---\n\n<User>dup</User>\n",
	"agentmark/withimport.prompt.mdx":    "---\nname: wi\ntext_config:\n  model_name: mock/echo\n---\n\nimport Part from './part.mdx';\n\n<User><Part /></User>\n",
	"agentmark/part.mdx":                 "a shared part\n",
	"agentmark/escape.prompt.mdx":        "---\nname: esc\ntext_config:\n  model_name: mock/echo\n---\n\nimport Secret from '../secret.mdx';\n\n<User><Secret /></User>\n",
	"agentmark/bad.prompt.mdx":           "---\nname: bad\ntext_config:\n  model_name: mock/echo\n---\n\n<User>{props.</User>\n",
	"agentmark/data.jsonl":               "{\"input\":{\"q\":\"a\"},\"expected_output\":\"A\"}\n\n{\"input\":{\"q\":\"b\"}}\n",
	"agentmark/templates/fallback.jsonl": "{\"input\":{\"q\":\"fb\"}}\n",
	"secret.mdx":                         "top secret\n",
	".git/HEAD":                          "ref: refs/heads/main\n",
	".git/refs/heads/main":               "0123456789abcdef0123456789abcdef01234567\n",
}

func writeProject(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range testProjectFiles {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

type harness struct {
	t    testing.TB
	srv  *Server
	http *httptest.Server
	root string
	st   store.Store
}

func newHarness(t testing.TB, st store.Store, tweak func(*Config)) *harness {
	t.Helper()
	root := writeProject(t)
	cfg := Config{Store: st, ProjectRoot: root, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: srv, http: hs, root: root, st: st}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r *resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body not a JSON object: %v\n%s", r.status, err, r.body)
	}
	return m
}

func (r *resp) data(t testing.TB) map[string]any {
	t.Helper()
	d, ok := r.json(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", r.body)
	}
	return d
}

func (r *resp) list(t testing.TB) []any {
	t.Helper()
	d, ok := r.json(t)["data"].([]any)
	if !ok {
		t.Fatalf("no data array: %s", r.body)
	}
	return d
}

func (r *resp) errCode(t testing.TB) string {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.body)
	}
	if _, ok := e["message"].(string); !ok {
		t.Fatalf("error without message: %s", r.body)
	}
	return e["code"].(string)
}

func (h *harness) do(method, path string, body []byte, headers ...string) *resp {
	h.t.Helper()
	req, err := http.NewRequest(method, h.http.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &resp{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) get(path string, headers ...string) *resp {
	return h.do("GET", path, nil, headers...)
}

// ok asserts a status.
func (h *harness) expect(r *resp, status int) *resp {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ingestFile posts a recorded OTLP body with the right headers.
func (h *harness) ingestFile(name string, headers ...string) *resp {
	h.t.Helper()
	body := testdata(h.t, name)
	hdr := []string{"Content-Type", "application/x-protobuf"}
	switch {
	case strings.HasSuffix(name, ".json"):
		hdr = []string{"Content-Type", "application/json"}
	case strings.HasSuffix(name, ".pb.gz"):
		hdr = append(hdr, "Content-Encoding", "gzip")
	}
	return h.do("POST", "/v1/traces", body, append(hdr, headers...)...)
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func strs(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
