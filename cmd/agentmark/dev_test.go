package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/runner"
)

const devPrompt = "---\nname: hello\ntext_config:\n  model_name: mock/echo\ntest_settings:\n  props:\n    who: dev\n---\n\n<User>Hi {props.who}</User>\n"

func devProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"agentmark.json":             `{"version":"2.0.0","scores":{"ok":{"type":"boolean"}}}`,
		"agentmark/hello.prompt.mdx": devPrompt,
		"agentmark/rows.jsonl":       "{\"input\":{\"who\":\"a\"}}\n",
	})
	return dir
}

func otlpBody(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ingest", "testdata", "aisdk-v5-generate-text.pb"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

func postOTLP(t *testing.T, base string, body []byte) {
	t.Helper()
	res, err := http.Post(base+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("ingest: %d %s", res.StatusCode, b)
	}
}

// `agentmark dev` in process: serves the API over the project with SQLite
// in .agentmark/traces.db within a second, runs prompts on the webhook port
// with their spans traced into the API, and stops on cancel.
func TestDevInProcess(t *testing.T) {
	dir := devProject(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan [2]string, 1)
	var out, errb bytes.Buffer
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- runDev(ctx, devOptions{host: "127.0.0.1", dir: dir, appPort: 0,
			ready: func(a, w string) { ready <- [2]string{a, w} }}, &out, &errb)
	}()
	var addrs [2]string
	select {
	case addrs = <-ready:
	case err := <-done:
		t.Fatalf("dev exited: %v\n%s\n%s", err, out.String(), errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("dev did not start")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("serving after %v (want < 1 s)", el)
	}
	api, wh := "http://"+addrs[0], "http://"+addrs[1]
	// The web UI is served on the app port and reads the same store.
	appURL := regexp.MustCompile(`App:\s+(http://\S+)`).FindStringSubmatch(out.String())
	if appURL == nil {
		t.Fatalf("no App URL in:\n%s", out.String())
	}
	if resp, err := http.Get(appURL[1] + "/traces"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("UI /traces: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code, m := getJSON(t, api+"/health"); code != 200 || m["status"] != "ok" {
		t.Fatalf("health %d %v", code, m)
	}
	if _, err := os.Stat(filepath.Join(dir, ".agentmark", "traces.db")); err != nil {
		t.Errorf("no .agentmark/traces.db: %v", err)
	}
	for _, want := range []string{"API:", "Webhook:", "App:", "traces.db (SQLite)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}

	postOTLP(t, api, otlpBody(t))
	if _, m := getJSON(t, api+"/v1/traces"); len(m["data"].([]any)) != 1 {
		t.Errorf("traces %v", m)
	}
	if code, m := getJSON(t, api+"/v1/score-configs"); code != 200 || len(m["data"].([]any)) != 1 {
		t.Errorf("score configs %d %v", code, m)
	}

	// Run the prompt on the webhook port with the AST the API serves; the
	// run's spans come back into the API.
	code, tpl := getJSON(t, api+"/v1/templates?path=hello.prompt.mdx")
	if code != 200 {
		t.Fatalf("template %d %v", code, tpl)
	}
	stream := false
	run, err := runner.NewClient(wh).RunPrompt(ctx, runner.PromptRunData{AST: tpl["data"], PromptPath: "hello.prompt.mdx",
		Options: &runner.PromptRunOptions{ShouldStream: &stream}})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range run.Chunks() {
		if err != nil {
			t.Fatal(err)
		}
	}
	run.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, m := getJSON(t, api+"/v1/spans?type=GENERATION&model=echo")
		if n := len(m["data"].([]any)); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the runner's spans never reached the API: %v\n%s", m, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("dev: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dev did not stop")
	}
	if !strings.Contains(out.String(), "Servers stopped.") {
		t.Errorf("no shutdown message:\n%s", out.String())
	}
	if _, err := http.Get(api + "/health"); err == nil {
		t.Error("API still serving after shutdown")
	}
}

func TestDevErrors(t *testing.T) {
	// No project.
	err := runDev(context.Background(), devOptions{host: "127.0.0.1", dir: t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "agentmark.json not found") {
		t.Errorf("no project: %v", err)
	}
	// Port in use.
	dir := devProject(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan [2]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runDev(ctx, devOptions{host: "127.0.0.1", dir: dir, ready: func(a, w string) { ready <- [2]string{a, w} }}, io.Discard, io.Discard)
	}()
	addrs := <-ready
	port := addrs[0][strings.LastIndex(addrs[0], ":")+1:]
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	err = runDev(context.Background(), devOptions{host: "127.0.0.1", dir: devProject(t), apiPort: p}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already in use") || report(io.Discard, err) != 1 {
		t.Errorf("port in use: %v", err)
	}
	cancel()
	<-done
}

var apiURLRe = regexp.MustCompile(`API:\s+(http://\S+)`)

// startDevBinary runs the built binary and returns its API URL.
func startDevBinary(t *testing.T, bin, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "dev", "--api-port", "0", "--webhook-port", "0", "--host", "127.0.0.1", "--no-ui")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AGENTMARK_API_PORT=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if m := apiURLRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(20 * time.Second):
		t.Fatalf("dev binary did not start: %s", stderr.String())
	}
	return nil, ""
}

// End to end: build the binary, ingest, kill -9 right after the 200,
// restart: the acknowledged trace is there.
func TestDevBinaryKill9Durability(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "agentmark")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := devProject(t)
	cmd, api := startDevBinary(t, bin, dir)
	postOTLP(t, api, otlpBody(t))
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	cmd2, api2 := startDevBinary(t, bin, dir)
	code, m := getJSON(t, api2+"/v1/traces")
	if code != 200 || len(m["data"].([]any)) != 1 || m["data"].([]any)[0].(map[string]any)["span_count"] != 5.0 {
		t.Fatalf("after kill -9 and restart: %d %v", code, m)
	}
	// Graceful stop on SIGTERM.
	cmd2.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- cmd2.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("no exit after SIGTERM")
	}
}
