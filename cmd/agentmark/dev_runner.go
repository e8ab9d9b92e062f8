package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agentmark-go/agentmark/project"
)

// Defaults of the user runner's supervision.
const (
	runnerReadyTimeout = 2 * time.Minute // first `go run` of a cold build can be slow
	runnerStopGrace    = 5 * time.Second
	runnerMinBackoff   = 250 * time.Millisecond
	runnerMaxBackoff   = 10 * time.Second
	runnerStableAfter  = 10 * time.Second // a run this long resets the backoff
)

// devRunnerCommand is the user runner command of the project: the
// --runner flag, else agentmark.json's "dev": {"runner": "..."}; "" means
// the built-in runner.
func devRunnerCommand(flag, root string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	b, err := os.ReadFile(filepath.Join(root, project.ConfigFile))
	if err != nil {
		return "", nil // LoadConfig reported a real problem already
	}
	var cfg struct {
		Dev *struct {
			Runner any `json:"runner"`
		} `json:"dev"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.Dev == nil || cfg.Dev.Runner == nil {
		return "", nil
	}
	s, ok := cfg.Dev.Runner.(string)
	if !ok {
		return "", fmt.Errorf("%s: \"dev.runner\" must be a command string", project.ConfigFile)
	}
	return strings.TrimSpace(s), nil
}

// runnerEnv is the environment of the user runner: the parent's, in local
// mode (no Cloud credentials), pointed at the dev API for prompts,
// datasets and traces, with the ports the dev entry flags also carry.
func runnerEnv(base []string, apiURL string, apiPort, webhookPort int) []string {
	drop := map[string]bool{"AGENTMARK_API_KEY": true, "AGENTMARK_APP_ID": true, "AGENTMARK_BASE_URL": true,
		"AGENTMARK_TRACE_ENDPOINT": true, "AGENTMARK_DEV_SERVER": true, "AGENTMARK_WEBHOOK_PORT": true,
		"AGENTMARK_API_SERVER_PORT": true, "AGENTMARK_API_PORT": true}
	env := make([]string, 0, len(base)+6)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	return append(env,
		"AGENTMARK_DEV_SERVER="+apiURL,
		"AGENTMARK_BASE_URL="+apiURL,
		"AGENTMARK_TRACE_ENDPOINT="+apiURL+"/v1/traces",
		"AGENTMARK_API_PORT="+strconv.Itoa(apiPort),
		"AGENTMARK_API_SERVER_PORT="+strconv.Itoa(apiPort),
		"AGENTMARK_WEBHOOK_PORT="+strconv.Itoa(webhookPort),
	)
}

// freePort checks that host:port can be bound (port 0: picks a free one)
// and returns the port; the user runner binds it next.
func freePort(host string, port int) (int, error) {
	ln, err := listen(host, port, "webhook server", "pass --webhook-port with a different port")
	if err != nil {
		return 0, err
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p, nil
}

// userRunner supervises the user's runner process (the Go dev entry).
type userRunner struct {
	command       string
	dir           string
	env           []string
	args          []string // dev entry flags appended to the command
	healthURL     string
	out, errOut   io.Writer // prefixed process output
	log           io.Writer // supervisor messages
	restartOnExit bool      // watch mode: restart a crashed runner (else dev exits with its code)
	readyTimeout  time.Duration
	grace         time.Duration

	restart   chan string // a reason: restart now
	readyOnce sync.Once
	ready     chan struct{} // closed when the runner first answers /health

	mu  sync.Mutex
	pid int // of the running process (tests)
}

func newUserRunner(command, dir string, env, args []string, healthURL string, out, errOut, log io.Writer, restartOnExit bool) *userRunner {
	return &userRunner{command: command, dir: dir, env: env, args: args, healthURL: healthURL,
		out: out, errOut: errOut, log: log, restartOnExit: restartOnExit,
		readyTimeout: runnerReadyTimeout, grace: runnerStopGrace,
		restart: make(chan string, 1), ready: make(chan struct{})}
}

// Restart asks for a restart (coalesced with one already pending).
func (r *userRunner) Restart(reason string) {
	select {
	case r.restart <- reason:
	default:
	}
}

// Pid is the process id of the running runner process, or 0.
func (r *userRunner) Pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}

type runnerProc struct {
	cmd  *exec.Cmd
	done chan error // the Wait result
}

func (r *userRunner) start() (*runnerProc, error) {
	cmd := runnerCommand(r.command, r.args)
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdout = r.out
	cmd.Stderr = r.errOut
	cmd.WaitDelay = r.grace
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &runnerProc{cmd: cmd, done: make(chan error, 1)}
	r.mu.Lock()
	r.pid = cmd.Process.Pid
	r.mu.Unlock()
	go func() { p.done <- cmd.Wait() }()
	return p, nil
}

// stop ends the process group: SIGTERM, then SIGKILL after the grace
// period (also for what the group leader leaves behind, e.g. the program
// `go run` started).
func (r *userRunner) stop(p *runnerProc) {
	pid := p.cmd.Process.Pid
	terminateGroup(p.cmd)
	deadline := time.Now().Add(r.grace)
	exited := false
	select {
	case <-p.done:
		exited = true
	case <-time.After(r.grace):
	}
	for groupAlive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	killGroup(p.cmd)
	if !exited {
		select {
		case <-p.done:
		case <-time.After(r.grace):
		}
	}
	r.mu.Lock()
	r.pid = 0
	r.mu.Unlock()
}

// waitHealthy polls GET /health until it answers 200 (closing ok) or ctx
// ends.
func (r *userRunner) waitHealthy(ctx context.Context, ok chan<- struct{}) {
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.healthURL, nil)
		if res, err := client.Do(req); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				close(ok)
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if c := ee.ExitCode(); c >= 0 {
			return c
		}
		return 1 // killed by a signal
	}
	if err != nil {
		return 1
	}
	return 0
}

// Run supervises the runner until ctx ends (then stops it and returns
// nil). Without restartOnExit an exit of the runner ends Run: nil for
// code 0, else an *exitError with its code.
func (r *userRunner) Run(ctx context.Context) error {
	backoff := runnerMinBackoff
	restarts := 0
	for {
		p, err := r.start()
		if err != nil {
			fmt.Fprintf(r.log, "Failed to start webhook server: %v\n", err)
			if !r.restartOnExit {
				return &exitError{code: 1, raw: true, err: fmt.Errorf("Failed to start webhook server: %v", err)}
			}
			if !r.sleep(ctx, backoff) {
				return nil
			}
			backoff = min(backoff*2, runnerMaxBackoff)
			continue
		}
		started := time.Now()
		hctx, hcancel := context.WithCancel(ctx)
		healthy := make(chan struct{})
		go r.waitHealthy(hctx, healthy)
		again := false
		for !again {
			select {
			case <-ctx.Done():
				hcancel()
				r.stop(p)
				return nil
			case reason := <-r.restart:
				hcancel()
				fmt.Fprintf(r.log, "↻ Restarting the runner (%s)\n", reason)
				r.stop(p)
				backoff = runnerMinBackoff
				again = true
			case <-healthy:
				healthy = nil
				r.readyOnce.Do(func() { close(r.ready) })
				if restarts > 0 {
					fmt.Fprintf(r.log, "✓ Runner ready on %s\n", strings.TrimSuffix(r.healthURL, "/health"))
				}
			case err := <-p.done:
				hcancel()
				r.mu.Lock()
				r.pid = 0
				r.mu.Unlock()
				killGroup(p.cmd) // anything the leader left behind
				if ctx.Err() != nil {
					return nil
				}
				code := exitCode(err)
				if !r.restartOnExit {
					if code == 0 {
						fmt.Fprintln(r.log, "\nWebhook server stopped")
						return nil
					}
					fmt.Fprintf(r.log, "\n❌ Webhook server exited with error code %d\nCheck the output above for error details\n", code)
					return &exitError{code: code, raw: true, err: fmt.Errorf("Webhook server exited with error code %d", code)}
				}
				if time.Since(started) > runnerStableAfter {
					backoff = runnerMinBackoff
				}
				fmt.Fprintf(r.log, "⚠️  Runner exited (%s); restarting in %v\n", describeExit(err), backoff)
				select {
				case <-ctx.Done():
					return nil
				case reason := <-r.restart:
					fmt.Fprintf(r.log, "↻ Restarting the runner (%s)\n", reason)
					backoff = runnerMinBackoff
				case <-time.After(backoff):
					backoff = min(backoff*2, runnerMaxBackoff)
				}
				again = true
			}
		}
		hcancel()
		restarts++
	}
}

func describeExit(err error) string {
	if err == nil {
		return "code 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() >= 0 {
		return "code " + strconv.Itoa(ee.ExitCode())
	}
	return err.Error()
}

func (r *userRunner) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-r.restart:
		return true
	case <-time.After(d):
		return true
	}
}

// lineWriter writes whole lines to w with a prefix, serialized by mu (the
// runner's stdout and stderr go through two of them).
type lineWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(l.prefix), l.buf[:i+1]...)
		l.buf = l.buf[i+1:]
		if _, err := l.w.Write(line); err != nil {
			return len(p), nil // the runner must not fail on our output
		}
	}
	if len(l.buf) > 64<<10 { // a very long line without newline: flush it
		l.w.Write(append([]byte(l.prefix), append(l.buf, '\n')...))
		l.buf = l.buf[:0]
	}
	return len(p), nil
}

// lockedWriter serializes writes to w (dev's output is written by the
// servers, the watcher and the runner supervisor).
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
