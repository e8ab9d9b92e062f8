//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of dev and
// the reads of the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool, logs ...*syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, l := range logs {
				b.WriteString(l.String())
			}
			t.Fatalf("timed out waiting for %s\n%s", what, b.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type devRun struct {
	api, wh  string
	out, err *syncBuffer
	cancel   context.CancelFunc
	done     chan error
	runner   *userRunner
	stopped  bool
}

func startDev(t *testing.T, o devOptions, timeout time.Duration) *devRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &devRun{out: &syncBuffer{}, err: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan [2]string, 1)
	runners := make(chan *userRunner, 1)
	o.host, o.noUI = "127.0.0.1", true
	o.ready = func(a, w string) { ready <- [2]string{a, w} }
	o.onRunner = func(r *userRunner) { runners <- r }
	go func() { d.done <- runDev(ctx, o, d.out, d.err) }()
	t.Cleanup(func() {
		if !d.stopped {
			d.stop(t)
		}
	})
	select {
	case a := <-ready:
		d.api, d.wh = "http://"+a[0], "http://"+a[1]
	case err := <-d.done:
		t.Fatalf("dev exited: %v\n%s\n%s", err, d.out.String(), d.err.String())
	case <-time.After(timeout):
		t.Fatalf("dev did not start\n%s\n%s", d.out.String(), d.err.String())
	}
	select {
	case d.runner = <-runners:
	default:
	}
	return d
}

func (d *devRun) stop(t *testing.T) error {
	t.Helper()
	d.cancel()
	d.stopped = true
	select {
	case err := <-d.done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatalf("dev did not stop\n%s", d.err.String())
	}
	return nil
}

// runPromptRaw runs the prompt at rel (AST from the dev API) on the dev
// webhook port without streaming and returns the response body.
func runPromptRaw(t *testing.T, d *devRun, rel string) string {
	t.Helper()
	code, tpl := getJSON(t, d.api+"/v1/templates?path="+rel)
	if code != 200 {
		t.Fatalf("template %s: %d %v", rel, code, tpl)
	}
	body, _ := json.Marshal(map[string]any{"type": "prompt-run", "data": map[string]any{"ast": tpl["data"], "promptPath": rel,
		"options": map[string]any{"shouldStream": false}}})
	res, err := http.Post(d.wh, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("prompt-run: %v\n%s", err, d.err.String())
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return fmt.Sprintf("%d %s", res.StatusCode, b)
}

const toolPromptSrc = "---\nname: ask\ntext_config:\n  model_name: mock/echo\n  tools: [lookup]\n---\n\n<User>Find things</User>\n"

// userRunnerMain is the user's dev entry: a Go runner with its own tool
// and eval, writing its pid (for the test to kill it).
const userRunnerMain = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/runner"
)

func main() {
	if err := os.WriteFile("runner.pid", []byte(fmt.Sprint(os.Getpid())), 0o644); err != nil {
		log.Fatal(err)
	}
	client := agentmark.New(
		agentmark.WithTool("lookup", "Look up", ` + "`" + `{"type":"object","properties":{"term":{"type":"string"}},"required":["term"]}` + "`" + `,
			func(ctx context.Context, args json.RawMessage) (any, error) { return "from-user-runner", nil }),
		agentmark.WithEval("user-eval", func(ctx context.Context, in agentmark.EvalParams) (agentmark.EvalResult, error) {
			return agentmark.EvalResult{Label: "ok"}, nil
		}))
	if err := runner.Main(client, os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}
`

// goRunnerProject is a dev project whose go.mod points at this repository
// (replace), with a runner program in cmd/runner.
func goRunnerProject(t *testing.T) string {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(repo, "go.mod")); err != nil || !strings.Contains(string(b), "module github.com/agentmark-go/agentmark\n") {
		t.Fatalf("repository root not found at %s: %v", repo, err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := devProject(t)
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/devproj\n\ngo 1.26.0\n\nrequire github.com/agentmark-go/agentmark v0.0.0\n\n" +
			"replace github.com/agentmark-go/agentmark => " + strconv.Quote(filepath.ToSlash(repo)) + "\n",
		"go.sum":                   string(sum),
		"cmd/runner/main.go":       userRunnerMain,
		"agentmark/ask.prompt.mdx": toolPromptSrc,
	})
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOWORK", "off")
	// Complete go.mod (-mod=mod) and warm the build cache before dev
	// watches the tree, so `go run` does not rewrite go.mod under it.
	build := exec.Command("go", "build", "-o", os.DevNull, "./cmd/runner")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the runner program: %v\n%s", err, out)
	}
	return dir
}

func readPid(t *testing.T, dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "runner.pid"))
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(string(b))
	return p
}

// alive reports a running (not zombie) process: an orphaned runner
// program is reaped by init, which a container may never do.
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err != nil || !bytes.Contains(st, []byte(") Z ")) && !bytes.Contains(st, []byte(") X "))
}

// `agentmark dev --runner "go run ./cmd/runner"`: the webhook port is the
// user's program (its tool and eval are used, its runs traced into the dev
// API); it is restarted when it dies and stopped with dev.
func TestDevUserRunner(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("compiles a Go runner program")
	}
	dir := goRunnerProject(t)
	d := startDev(t, devOptions{dir: dir, runner: "go run ./cmd/runner"}, 3*time.Minute)
	if d.runner == nil {
		t.Fatal("no user runner started")
	}
	if !strings.Contains(d.out.String(), "Runner:        go run ./cmd/runner") {
		t.Errorf("banner lacks the runner:\n%s", d.out.String())
	}

	got := runPromptRaw(t, d, "ask.prompt.mdx")
	if !strings.HasPrefix(got, "200 ") || !strings.Contains(got, "from-user-runner") {
		t.Fatalf("prompt-run not served by the user runner: %s\n%s", got, d.err.String())
	}
	res, err := http.Post(d.wh, "application/json", strings.NewReader(`{"type":"get-evals","data":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "user-eval") {
		t.Errorf("get-evals: %s", b)
	}
	// Its prompt run was traced into the dev API.
	waitFor(t, 10*time.Second, "the user runner's spans", func() bool {
		_, m := getJSON(t, d.api+"/v1/spans?type=GENERATION&model=echo")
		data, _ := m["data"].([]any)
		return len(data) > 0
	}, d.err)
	// Its output is prefixed.
	if !strings.Contains(d.err.String(), "[runner] AgentMark Go runner listening on") {
		t.Errorf("runner output not prefixed:\n%s", d.err.String())
	}

	// Killed: restarted (a new process), serving again.
	pid := readPid(t, dir)
	if !alive(pid) {
		t.Fatalf("runner pid %d not alive", pid)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "a restarted runner", func() bool {
		p := readPid(t, dir)
		if p == pid || !alive(p) {
			return false
		}
		res, err := http.Get(d.wh + "/health")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, d.out, d.err)
	if got := runPromptRaw(t, d, "ask.prompt.mdx"); !strings.Contains(got, "from-user-runner") {
		t.Fatalf("after restart: %s", got)
	}
	if !strings.Contains(d.err.String(), "Runner exited") {
		t.Errorf("no restart message:\n%s", d.err.String())
	}

	// A Go change restarts it.
	pid = readPid(t, dir)
	writeFiles(t, dir, map[string]string{"cmd/runner/extra.go": "package main\n\nconst extra = 1\n"})
	waitFor(t, time.Minute, "a runner restarted on a Go change", func() bool {
		p := readPid(t, dir)
		return p != pid && alive(p) && !alive(pid)
	}, d.out, d.err)
	if !strings.Contains(d.err.String(), "cmd/runner/extra.go changed") {
		t.Errorf("no Go change restart message:\n%s", d.err.String())
	}
	waitFor(t, time.Minute, "the runner healthy again", func() bool {
		res, err := http.Get(d.wh + "/health")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, d.err)

	// Shutdown stops it.
	pid = readPid(t, dir)
	if err := d.stop(t); err != nil {
		t.Errorf("dev: %v", err)
	}
	if alive(pid) {
		t.Errorf("runner %d still alive after dev stopped", pid)
	}
	if _, err := http.Get(d.wh + "/health"); err == nil {
		t.Error("webhook port still served after shutdown")
	}
}

// With --no-watch a runner that exits ends dev with its exit code; a
// runner command from agentmark.json's dev.runner is used.
func TestDevUserRunnerNoWatchExit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sh")
	}
	dir := devProject(t)
	writeFiles(t, dir, map[string]string{
		"agentmark.json": `{"version":"2.0.0","dev":{"runner":"echo started; exit 3; true"}}`,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	err := runDev(ctx, devOptions{host: "127.0.0.1", dir: dir, noUI: true, noWatch: true}, &out, &errb)
	var ee *exitError
	if err == nil || !errors.As(err, &ee) || ee.code != 3 {
		t.Fatalf("want exit code 3, got %v\n%s\n%s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "[runner] started") || !strings.Contains(errb.String(), "Webhook server exited with error code 3") {
		t.Errorf("output:\n%s\n%s", out.String(), errb.String())
	}
}

// The supervisor restarts a crashing runner with backoff and stops a
// process group (children included) with SIGTERM, then SIGKILL.
func TestUserRunnerSupervisor(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process groups")
	}
	dir := t.TempDir()
	var out, log syncBuffer
	mu := new(sync.Mutex)
	// Counts its starts; ignores SIGTERM (so the group is SIGKILLed) and
	// leaves a child behind in its group.
	script := `echo x >> starts; trap '' TERM; sleep 60 & echo $! > child.pid; if [ $(wc -l < starts) -lt 3 ]; then exit 1; fi; wait`
	r := newUserRunner(script, dir, os.Environ(), nil, "http://127.0.0.1:1/health",
		&lineWriter{mu: mu, w: &out, prefix: "[runner] "}, &lineWriter{mu: mu, w: &out, prefix: "[runner] "}, &log, true)
	r.grace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, 10*time.Second, "three starts", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "starts"))
		return strings.Count(string(b), "x") == 3 && r.Pid() != 0
	}, &log)
	if n := strings.Count(log.String(), "Runner exited (code 1)"); n != 2 {
		t.Errorf("want 2 restart messages:\n%s", log.String())
	}
	time.Sleep(100 * time.Millisecond)
	b, _ := os.ReadFile(filepath.Join(dir, "child.pid"))
	child, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !alive(child) {
		t.Fatalf("child %d not running", child)
	}
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("stop took %v", el)
	}
	waitFor(t, 2*time.Second, "the child killed", func() bool { return !alive(child) })
}

func TestDevRunnerConfig(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"agentmark.json": `{"dev":{"runner":"  go run ./cmd/runner "}}`})
	if c, err := devRunnerCommand("", dir); err != nil || c != "go run ./cmd/runner" {
		t.Errorf("config: %q %v", c, err)
	}
	if c, _ := devRunnerCommand("./bin/runner", dir); c != "./bin/runner" {
		t.Errorf("flag wins: %q", c)
	}
	writeFiles(t, dir, map[string]string{"agentmark.json": `{"dev":{"runner":["go","run"]}}`})
	if _, err := devRunnerCommand("", dir); err == nil {
		t.Error("non-string dev.runner accepted")
	}
	writeFiles(t, dir, map[string]string{"agentmark.json": `{"version":"2.0.0"}`})
	if c, err := devRunnerCommand("", dir); err != nil || c != "" {
		t.Errorf("no runner: %q %v", c, err)
	}

	env := runnerEnv([]string{"PATH=/bin", "AGENTMARK_API_KEY=k", "AGENTMARK_APP_ID=a", "AGENTMARK_BASE_URL=https://x"}, "http://localhost:5", 5, 6)
	joined := "\n" + strings.Join(env, "\n") + "\n"
	for _, want := range []string{"PATH=/bin", "AGENTMARK_DEV_SERVER=http://localhost:5", "AGENTMARK_BASE_URL=http://localhost:5",
		"AGENTMARK_TRACE_ENDPOINT=http://localhost:5/v1/traces", "AGENTMARK_API_SERVER_PORT=5", "AGENTMARK_WEBHOOK_PORT=6"} {
		if !strings.Contains(joined, "\n"+want+"\n") {
			t.Errorf("env lacks %s: %v", want, env)
		}
	}
	for _, gone := range []string{"AGENTMARK_API_KEY=", "AGENTMARK_APP_ID=", "AGENTMARK_BASE_URL=https://x"} {
		if strings.Contains(joined, "\n"+gone) {
			t.Errorf("env keeps %s: %v", gone, env)
		}
	}
}

func TestLineWriter(t *testing.T) {
	var b bytes.Buffer
	w := &lineWriter{mu: new(sync.Mutex), w: &b, prefix: "[r] "}
	io.WriteString(w, "a\nb")
	io.WriteString(w, "c\n\nd")
	if b.String() != "[r] a\n[r] bc\n[r] \n" {
		t.Errorf("%q", b.String())
	}
}

// Hot reload: a changed prompt file or imported component is served by
// the next /v1/templates request and run by the runner with the new
// content; the watcher logs the change (also for an atomic
// rename-over-save and a file in a new directory).
func TestDevHotReload(t *testing.T) {
	dir := devProject(t)
	writeFiles(t, dir, map[string]string{
		"agentmark/greet.prompt.mdx": "---\nname: greet\ntext_config:\n  model_name: mock/echo\n---\n\nimport Part from './part.mdx';\n\n<User>Hello v1 <Part /></User>\n",
		"agentmark/part.mdx":         "component-one",
	})
	d := startDev(t, devOptions{dir: dir}, 10*time.Second)
	if got := runPromptRaw(t, d, "greet.prompt.mdx"); !strings.Contains(got, "Hello v1") || !strings.Contains(got, "component-one") {
		t.Fatalf("first run: %s", got)
	}

	// Edit in place.
	writeFiles(t, dir, map[string]string{"agentmark/greet.prompt.mdx": "---\nname: greet\ntext_config:\n  model_name: mock/echo\n---\n\nimport Part from './part.mdx';\n\n<User>Hello v2 <Part /></User>\n"})
	if got := runPromptRaw(t, d, "greet.prompt.mdx"); !strings.Contains(got, "Hello v2") {
		t.Fatalf("after edit: %s", got)
	}
	waitFor(t, 5*time.Second, "prompt changed log", func() bool {
		return strings.Contains(d.out.String(), "prompt changed: agentmark/greet.prompt.mdx")
	}, d.out)

	// Atomic save of the component: write a temp file, rename it over.
	tmp := filepath.Join(dir, "agentmark", ".part.mdx.tmp")
	if err := os.WriteFile(tmp, []byte("component-two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "agentmark", "part.mdx")); err != nil {
		t.Fatal(err)
	}
	code, tpl := getJSON(t, d.api+"/v1/templates?path=greet.prompt.mdx")
	if b, _ := json.Marshal(tpl); code != 200 || !strings.Contains(string(b), "component-two") {
		t.Fatalf("/v1/templates after the component changed: %d %s", code, b)
	}
	if got := runPromptRaw(t, d, "greet.prompt.mdx"); !strings.Contains(got, "component-two") {
		t.Fatalf("run after the component changed: %s", got)
	}
	waitFor(t, 5*time.Second, "component changed log", func() bool {
		return strings.Contains(d.out.String(), "prompt changed: agentmark/part.mdx")
	}, d.out)

	// A prompt in a new directory is watched and served.
	writeFiles(t, dir, map[string]string{"agentmark/sub/deep/new.prompt.mdx": "---\nname: new\ntext_config:\n  model_name: mock/echo\n---\n\n<User>Brand new</User>\n"})
	if got := runPromptRaw(t, d, "sub/deep/new.prompt.mdx"); !strings.Contains(got, "Brand new") {
		t.Fatalf("new prompt: %s", got)
	}
	waitFor(t, 5*time.Second, "new prompt log", func() bool {
		return strings.Contains(d.out.String(), "prompt changed: agentmark/sub/deep/new.prompt.mdx")
	}, d.out)
	writeFiles(t, dir, map[string]string{"agentmark/sub/deep/new.prompt.mdx": "---\nname: new\ntext_config:\n  model_name: mock/echo\n---\n\n<User>Changed again</User>\n"})
	waitFor(t, 5*time.Second, "a change in the new directory", func() bool {
		return strings.Count(d.out.String(), "prompt changed: agentmark/sub/deep/new.prompt.mdx") >= 2
	}, d.out)
	if strings.Contains(d.out.String(), ".part.mdx.tmp") {
		t.Errorf("temp file reported as a prompt:\n%s", d.out.String())
	}
	if err := d.stop(t); err != nil {
		t.Errorf("dev: %v", err)
	}
}

// The watcher debounces a burst of writes into one batch.
func TestFileWatcherDebounce(t *testing.T) {
	dir := t.TempDir()
	batches := make(chan []string, 10)
	fw, err := newFileWatcher(dir, func(p []string) { batches <- p }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	for i := range 5 {
		writeFiles(t, dir, map[string]string{"a.go": fmt.Sprint("package a // ", i), "b.mdx": "x", "x.swp": "junk"})
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case b := <-batches:
		if len(b) != 2 || filepath.Base(b[0]) != "a.go" || filepath.Base(b[1]) != "b.mdx" {
			t.Errorf("batch %v", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no batch")
	}
	select {
	case b := <-batches:
		t.Errorf("second batch %v", b)
	case <-time.After(300 * time.Millisecond):
	}
	c := classifyChanges(dir, filepath.Join(dir, "agentmark"), []string{filepath.Join(dir, "x.go"), filepath.Join(dir, "go.mod"),
		filepath.Join(dir, "agentmark", "p.prompt.mdx"), filepath.Join(dir, "README.md"), filepath.Join(dir, "agentmark.json")})
	if len(c.goFiles) != 2 || len(c.prompts) != 1 || c.prompts[0] != "agentmark/p.prompt.mdx" || !c.config {
		t.Errorf("classify %+v", c)
	}
}
