package ui_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/store/sqlite"
	"github.com/agentmark-go/agentmark/ui"
	"github.com/agentmark-go/agentmark/ui/internal/demo"
)

func newServer(t testing.TB, seed int) (*httptest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db.sqlite"), &sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	proj := filepath.Join(dir, "project")
	if err := demo.Project(proj); err != nil {
		t.Fatal(err)
	}
	if seed > 0 {
		if err := demo.Seed(context.Background(), st, "app", time.Now(), seed); err != nil {
			t.Fatal(err)
		}
	}
	d := ui.FromStore(st, "app", proj)
	d.Logf = t.Logf
	srv := httptest.NewServer(ui.Handler(d))
	t.Cleanup(srv.Close)
	return srv, proj
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wellFormed checks the HTML parses as XML-ish markup after voiding the
// void elements: every tag closes, nesting is balanced.
func wellFormed(t *testing.T, path, body string) {
	t.Helper()
	s := body
	if i := strings.Index(s, "<html"); i >= 0 {
		s = s[i:]
	}
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: malformed HTML: %v", path, err)
			return
		}
		switch x := tok.(type) {
		case xml.StartElement:
			stack = append(stack, x.Name.Local)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != x.Name.Local {
				t.Errorf("%s: unbalanced </%s> (open: %v)", path, x.Name.Local, stack[max(0, len(stack)-3):])
				return
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Errorf("%s: unclosed elements %v", path, stack)
	}
}

var pages = []string{
	"/traces", "/traces?status=ERROR&sort=cost&order=asc", "/traces?q=refund&range=7d", "/traces?meta=env%3Dprod&cost_min=0.001&lat_max=5000",
	"/traces?score=correctness&score_op=%3E%3D&score_value=1", "/traces?tag=prod&model=gpt-4o&user=user-1",
	"/sessions", "/sessions?q=demo&sort=total_cost", "/dashboard", "/dashboard?range=all", "/dashboard?range=1h&model=o3",
	"/experiments", "/prompts", "/prompts/view?path=support-agent.prompt.mdx", "/prompts/view?path=classify.prompt.mdx",
}

func TestPagesEmptyStore(t *testing.T) {
	srv, _ := newServer(t, 0)
	for _, p := range pages {
		code, body := get(t, srv, p)
		if code != 200 {
			t.Errorf("%s: status %d", p, code)
		}
		wellFormed(t, p, body)
	}
	for _, p := range []string{"/traces", "/sessions", "/dashboard", "/experiments"} {
		if _, body := get(t, srv, p); !strings.Contains(body, `class="empty"`) {
			t.Errorf("%s: no empty state", p)
		}
	}
}

func TestPagesSeededStore(t *testing.T) {
	srv, _ := newServer(t, 60)
	extra := []string{"/traces/" + demo.BigTrace, "/traces/" + demo.ErrorTrace, "/sessions/" + demo.Session,
		"/experiments/" + demo.RunA, "/experiments/compare?run=" + demo.RunA + "&run=" + demo.RunB}
	for _, p := range append(append([]string{}, pages...), extra...) {
		code, body := get(t, srv, p)
		if code != 200 {
			t.Errorf("%s: status %d", p, code)
		}
		wellFormed(t, p, body)
	}
	_, body := get(t, srv, "/traces/"+demo.BigTrace)
	if n := strings.Count(body, `role="treeitem"`); n != 2000 {
		t.Errorf("big trace rows = %d", n)
	}
	_, body = get(t, srv, "/experiments/compare?run="+demo.RunA+"&run="+demo.RunB)
	if !strings.Contains(body, `class="regressed"`) || !strings.Contains(body, `class="improved"`) {
		t.Error("compare: no regressed/improved rows")
	}
}

func TestFilters(t *testing.T) {
	srv, _ := newServer(t, 60)
	_, body := get(t, srv, "/traces?status=ERROR")
	if strings.Count(body, `<span class="badge ok">`) != 0 || !strings.Contains(body, `<span class="badge err">Error</span>`) {
		t.Error("status filter let OK traces through")
	}
	_, body = get(t, srv, "/traces?q=zzz-no-such-text")
	if !strings.Contains(body, "No traces match") {
		t.Error("search: no empty state")
	}
	code, body := get(t, srv, "/traces?filter="+url.QueryEscape("cost >>> 1"))
	if code != 200 || !strings.Contains(body, `class="alert"`) {
		t.Errorf("bad filter: %d, no alert", code)
	}
	_, body = get(t, srv, "/traces?cost_min=abc")
	if !strings.Contains(body, "is not a number") {
		t.Error("bad number: no message")
	}
	_, body = get(t, srv, "/traces?run="+demo.RunB)
	if n := strings.Count(body, "<tr data-href"); n != 6 {
		t.Errorf("run filter rows = %d, want 6", n)
	}
}

func TestNotFoundAndErrors(t *testing.T) {
	srv, _ := newServer(t, 5)
	for _, p := range []string{"/traces/nope", "/sessions/nope", "/experiments/nope", "/nope", "/prompts/view?path=../../etc/passwd"} {
		code, body := get(t, srv, p)
		if code != 404 {
			t.Errorf("%s: status %d", p, code)
		}
		wellFormed(t, p, body)
	}
	if code, _ := get(t, srv, "/experiments/compare"); code != 400 {
		t.Errorf("compare without runs: %d", code)
	}
}

func TestSpanDetailFragment(t *testing.T) {
	srv, _ := newServer(t, 5)
	req, _ := http.NewRequest("GET", srv.URL+"/traces/"+demo.BigTrace+"/spans/root", nil)
	req.Header.Set("HX-Request", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(b), "<html") || !strings.Contains(string(b), "research-agent") {
		t.Fatalf("fragment: %d %q", resp.StatusCode, b)
	}
}

func TestAddToDataset(t *testing.T) {
	srv, proj := newServer(t, 5)
	post := func(ds string) int {
		resp, err := http.PostForm(srv.URL+"/traces/"+demo.ErrorTrace+"/dataset", url.Values{"dataset": {ds}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post("datasets/new.jsonl"); c != 200 {
		t.Fatalf("status %d", c)
	}
	post("datasets/new.jsonl")
	b, err := os.ReadFile(filepath.Join(proj, "datasets", "new.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 2 || !strings.Contains(string(b), `"question":"Cancel my subscription"`) {
		t.Errorf("dataset = %q", b)
	}
	for _, bad := range []string{"../outside.jsonl", "/tmp/x.jsonl", "datasets/x.txt"} {
		if c := post(bad); c != 400 {
			t.Errorf("%s: status %d", bad, c)
		}
	}
}

func TestStaticCacheBusting(t *testing.T) {
	srv, _ := newServer(t, 0)
	_, body := get(t, srv, "/traces")
	i := strings.Index(body, "/static/")
	j := strings.Index(body[i:], `"`)
	u := body[i : i+j]
	resp, err := http.Get(srv.URL + u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: %d %q", u, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestPlaygroundRun(t *testing.T) {
	srv, _ := newServer(t, 0)
	resp, err := http.PostForm(srv.URL+"/prompts/run", url.Values{"path": {"support-agent.prompt.mdx"}, "props": {`{"question":"ping pong"}`}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s := string(b)
	i := strings.Index(s, "/prompts/stream/")
	if i < 0 {
		t.Fatalf("no stream URL in %q", s)
	}
	id := s[i+len("/prompts/stream/") : i+len("/prompts/stream/")+24]
	_, stream := get(t, srv, "/prompts/stream/"+id)
	if !strings.Contains(stream, "event: chunk") || !strings.Contains(stream, "pong") || !strings.Contains(stream, "event: done") {
		t.Errorf("stream = %q", stream)
	}
}
