package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/runner"
	"github.com/agentmark-go/agentmark/server"
	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/postgres"
	"github.com/agentmark-go/agentmark/store/sqlite"
	amtrace "github.com/agentmark-go/agentmark/trace"
	"github.com/agentmark-go/agentmark/ui"
)

type devOptions struct {
	apiPort     int
	webhookPort int
	appPort     int
	host        string
	db          string
	noUI        bool
	noForward   bool
	noWatch     bool
	dir         string // project directory (default: the working directory)
	runner      string // user runner command (--runner; else agentmark.json dev.runner)
	// ready, when set, receives the bound API and webhook addresses once
	// both listen (tests).
	ready func(api, webhook string)
	// onRunner, when set, receives the user runner's supervisor (tests).
	onRunner func(*userRunner)
}

func devCmd() *cobra.Command {
	o := devOptions{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the local API server (traces, prompts, datasets) and the prompt runner",
		Long: `Start the AgentMark development servers for the project around the working
directory (the nearest agentmark.json):

  API      http://localhost:<api-port>      OTLP trace ingestion (POST /v1/traces),
                                             traces, spans, sessions, scores, metrics,
                                             prompts and datasets (/v1/templates)
  Webhook  http://localhost:<webhook-port>  the prompt runner (run-prompt, run-experiment)

The webhook port is served by the built-in runner (your prompts, no custom
tools or evals), or by your own Go program when a runner command is set with
--runner or agentmark.json {"dev": {"runner": "go run ./cmd/runner"}}: a main
package calling runner.Main with a client that registers your tools and
evals. dev starts it in the project root with --webhook-port=<port>
--api-server-port=<port> appended, waits for GET /health, prefixes its
output with [runner], restarts it when it exits and when Go files change,
and stops it on exit. Prompt files are re-read on every request; changes
are logged. --no-watch disables the file watcher (and a runner exit then
stops dev with its exit code).

Traces are stored in .agentmark/traces.db (SQLite) and survive restarts; use
--db postgres://... to store them in PostgreSQL instead. Ctrl-C stops both.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("api-port") {
				if v := os.Getenv("AGENTMARK_API_PORT"); v != "" {
					p, err := strconv.Atoi(v)
					if err != nil {
						return fmt.Errorf("AGENTMARK_API_PORT=%q is not a port number", v)
					}
					o.apiPort = p
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDev(ctx, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.apiPort, "api-port", server.DefaultPort, "API server port (also $AGENTMARK_API_PORT)")
	f.IntVar(&o.webhookPort, "webhook-port", runner.DefaultPort, "webhook (prompt runner) port")
	f.IntVar(&o.appPort, "app-port", 3000, "web UI port")
	f.StringVar(&o.host, "host", "localhost", "address to bind")
	f.StringVar(&o.db, "db", "", "trace store: a postgres:// URL, or a SQLite file (default .agentmark/traces.db)")
	f.BoolVar(&o.noUI, "no-ui", false, "do not start the UI")
	f.BoolVar(&o.noForward, "no-forward", false, "do not forward traces to AgentMark Cloud")
	f.BoolVar(&o.noWatch, "no-watch", false, "do not watch files (no runner restart on Go changes; a runner exit stops dev)")
	f.StringVar(&o.runner, "runner", "", `command of your Go runner program (e.g. "go run ./cmd/runner"; default: agentmark.json dev.runner, else the built-in runner)`)
	return cmd
}

// openStore opens the trace store named by db (default: the project's
// .agentmark/traces.db) and describes it.
func openStore(ctx context.Context, root, db string) (store.Store, string, error) {
	switch {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		s, err := postgres.Open(ctx, db, nil)
		if err != nil {
			return nil, "", fmt.Errorf("cannot open the Postgres store: %w", err)
		}
		return s, "PostgreSQL " + redactDSN(db), nil
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(db, "sqlite://"), "sqlite:")
		if path == "" {
			path = filepath.Join(root, ".agentmark", "traces.db")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, "", err
		}
		s, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			return nil, "", fmt.Errorf("cannot open the SQLite store: %w", err)
		}
		shown := path
		if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
			shown = rel
		}
		return s, shown + " (SQLite)", nil
	}
}

// redactDSN hides a password in a connection URL.
func redactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	cred := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(cred, ":"); ok {
		return dsn[:scheme+3] + user + ":***" + dsn[at:]
	}
	return dsn
}

func listen(host string, port int, what, envHint string) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &exitError{code: 1, raw: true, err: fmt.Errorf("Port %d is already in use. Stop the existing server or %s.", port, envHint)}
		}
		return nil, &exitError{code: 1, raw: true, err: fmt.Errorf("Failed to start %s: %v", what, err)}
	}
	return ln, nil
}

func runDev(ctx context.Context, o devOptions, stdout, stderr io.Writer) error {
	stdout = lockedWriter{mu: new(sync.Mutex), w: stdout}
	stderr = lockedWriter{mu: new(sync.Mutex), w: stderr}
	dir := o.dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		dir = wd
	}
	root, ok := project.FindRoot(dir)
	if !ok {
		return &exitError{code: 1, raw: true, err: errors.New("Error: agentmark.json not found in this directory or any parent.\nRun `agentmark init` to create a project, or cd into one.")}
	}
	cfg, err := project.LoadConfig(root)
	if err != nil {
		return err
	}
	promptDir := cfg.PromptDir(root)
	runnerCmd, err := devRunnerCommand(o.runner, root)
	if err != nil {
		return &exitError{code: 1, err: err}
	}

	st, storeDesc, err := openStore(ctx, root, o.db)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	defer st.Close()

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	writers := 1 // SQLite has a single writer; concurrent requests are group-committed
	if strings.HasPrefix(storeDesc, "PostgreSQL") {
		writers = 4
	}
	srv, err := server.New(server.Config{Store: st, ProjectRoot: root, PromptDir: promptDir, Logger: logger, Writers: writers})
	if err != nil {
		return err
	}

	apiLn, err := listen(o.host, o.apiPort, "API server", "set AGENTMARK_API_PORT to a different port")
	if err != nil {
		return err
	}
	var whLn net.Listener
	whPort := 0
	if runnerCmd == "" {
		whLn, err = listen(o.host, o.webhookPort, "webhook server", "pass --webhook-port with a different port")
	} else {
		whPort, err = freePort("127.0.0.1", o.webhookPort) // runner.Main binds 127.0.0.1
	}
	if err != nil {
		apiLn.Close()
		return err
	}
	closeWh := func() {
		if whLn != nil {
			whLn.Close()
		}
	}
	var appLn net.Listener
	if !o.noUI {
		if appLn, err = listen(o.host, o.appPort, "web UI", "pass --app-port with a different port"); err != nil {
			apiLn.Close()
			closeWh()
			return err
		}
	}
	apiPort := apiLn.Addr().(*net.TCPAddr).Port
	whAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(whPort))
	if whLn != nil {
		whPort = whLn.Addr().(*net.TCPAddr).Port
		whAddr = whLn.Addr().String()
	}
	apiURL := "http://localhost:" + strconv.Itoa(apiPort)
	whURL := "http://localhost:" + strconv.Itoa(whPort)

	// The runner's prompt runs are traced into our own API server.
	tp, err := amtrace.New(amtrace.Options{Endpoint: "http://" + apiLn.Addr().String() + "/v1/traces", ErrorLog: stderr,
		BatchTimeout: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	clientOpts := []agentmark.Option{
		agentmark.WithSourceDir(promptDir),
		agentmark.WithProjectConfig(filepath.Join(root, project.ConfigFile)),
		agentmark.WithTracing(tp),
		agentmark.WithOutputDir(filepath.Join(root, ".agentmark-outputs")),
	}
	if len(cfg.BuiltInModels) > 0 {
		clientOpts = append(clientOpts, agentmark.WithBuiltInModels(cfg.BuiltInModels...))
	}
	runnerOpts := []runner.Option{runner.WithTracer(runner.TraceTracer(tp)), runner.WithDatasetDir(promptDir), runner.WithLogger(logger)}
	if secret := os.Getenv("AGENTMARK_WEBHOOK_SECRET"); secret != "" {
		runnerOpts = append(runnerOpts, runner.WithSecret(secret))
	}
	wh := runner.Handler(agentmark.New(clientOpts...), runnerOpts...)
	// Playground runs in the UI use the default tracer: trace them into our API too.
	amtrace.SetDefault(tp)

	api := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	hook := &http.Server{Handler: wh, ReadHeaderTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	var serveErr, runnerErr error
	runnerStopped := runnerCmd == ""
	errc := make(chan error, 4)
	go func() { errc <- api.Serve(apiLn) }()
	if whLn != nil {
		go func() { errc <- hook.Serve(whLn) }()
	}
	var appSrv *http.Server
	appURL := ""
	if appLn != nil {
		deps := ui.FromStore(st, server.DefaultAppID, root)
		deps.PromptDir = promptDir
		appSrv = &http.Server{Handler: ui.Handler(deps), ReadHeaderTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		appURL = "http://localhost:" + strconv.Itoa(appLn.Addr().(*net.TCPAddr).Port)
		go func() { errc <- appSrv.Serve(appLn) }()
	}

	// The file watcher: prompt changes are logged (prompts are read per
	// request, see watchChanged), Go changes restart the user runner.
	var ur *userRunner
	var watcher *fileWatcher
	if !o.noWatch {
		watcher, err = newFileWatcher(root, func(paths []string) {
			onDevChanges(classifyChanges(root, promptDir, paths), ur, stdout)
		}, func(err error) { fmt.Fprintf(stderr, "file watcher: %v\n", err) })
		if err != nil {
			fmt.Fprintf(stderr, "⚠️  Not watching files: %v\n", err)
		}
	}
	runnerDone := make(chan error, 1)
	failedEarly := false
	rctx, stopRunner := context.WithCancel(context.Background())
	defer stopRunner()
	if runnerCmd != "" {
		mu := new(sync.Mutex)
		ur = newUserRunner(runnerCmd, root,
			runnerEnv(os.Environ(), apiURL, apiPort, whPort),
			[]string{"--webhook-port=" + strconv.Itoa(whPort), "--api-server-port=" + strconv.Itoa(apiPort)},
			"http://"+whAddr+"/health",
			&lineWriter{mu: mu, w: stdout, prefix: "[runner] "}, &lineWriter{mu: mu, w: stderr, prefix: "[runner] "},
			stderr, !o.noWatch)
		if o.onRunner != nil {
			o.onRunner(ur)
		}
		fmt.Fprintf(stdout, "Starting runner: %s\n", runnerCmd)
		go func() { runnerDone <- ur.Run(rctx) }()
		select {
		case <-ur.ready:
		case err := <-runnerDone:
			if err == nil {
				err = &exitError{code: 1, raw: true, err: errors.New("❌ Webhook server failed to start")}
			}
			failedEarly = true
			runnerDone <- err
		case <-ctx.Done():
		case <-time.After(ur.readyTimeout):
			fmt.Fprintf(stderr, "⚠️  The runner is not answering %s after %v; still waiting\n", ur.healthURL, ur.readyTimeout)
		}
	}
	stopWatch := func() {
		if watcher != nil {
			watcher.Close()
		}
	}

	if !failedEarly {
		rule := strings.Repeat("═", 70)
		fmt.Fprintf(stdout, "%s\n🚀 AgentMark Development Servers Running\n%s\n\n", rule, rule)
		fmt.Fprintf(stdout, "  API:           %s\n", apiURL)
		fmt.Fprintf(stdout, "  Webhook:       %s\n", whURL)
		if runnerCmd != "" {
			fmt.Fprintf(stdout, "  Runner:        %s\n", runnerCmd)
		}
		if o.noUI {
			fmt.Fprintf(stdout, "  App:           disabled (--no-ui)\n")
		} else {
			fmt.Fprintf(stdout, "  App:           %s\n", appURL)
		}
		fmt.Fprintf(stdout, "\n  Project:       %s\n", root)
		fmt.Fprintf(stdout, "  Prompts:       %s\n", promptDir)
		fmt.Fprintf(stdout, "  Traces:        %s\n", storeDesc)
		fmt.Fprintf(stdout, "  Send traces:   OTLP/HTTP to %s/v1/traces\n", apiURL)
		fmt.Fprintf(stdout, "\nPress Ctrl+C in this terminal to stop the servers\n")
		if o.ready != nil {
			o.ready(apiLn.Addr().String(), whAddr)
		}
	}

	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	case runnerErr = <-runnerDone:
		runnerStopped = true
	}
	fmt.Fprintln(stdout, "\nShutting down servers...")
	stopWatch()
	if !runnerStopped {
		// Stop the runner first: it flushes its spans into the API.
		stopRunner()
		runnerErr = <-runnerDone
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hook.Shutdown(sctx)
	if appSrv != nil {
		_ = appSrv.Shutdown(sctx)
	}
	_ = tp.Shutdown(sctx) // flush the runner's spans into the API before it stops
	if err := api.Shutdown(sctx); err != nil {
		api.Close()
	}
	if err := st.Close(); err != nil {
		fmt.Fprintf(stderr, "closing the store: %v\n", err)
	}
	fmt.Fprintln(stdout, "Servers stopped.")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return runnerErr
}

// onDevChanges reacts to a debounced batch of file changes. Nothing
// caches parsed prompts across requests (/v1/templates, the UI and the
// built-in runner's loader read and parse the file each time; templatedx's
// and package prompt's caches are keyed by content or engine), so a
// changed prompt or component is picked up by the next request: the
// change is only logged. Go changes restart the user runner.
func onDevChanges(c devChanges, ur *userRunner, out io.Writer) {
	for _, p := range c.prompts {
		fmt.Fprintf(out, "prompt changed: %s\n", p)
	}
	if c.config {
		fmt.Fprintf(out, "%s changed: restart agentmark dev to apply server settings\n", project.ConfigFile)
	}
	if len(c.goFiles) > 0 && ur != nil {
		reason := c.goFiles[0] + " changed"
		if len(c.goFiles) > 1 {
			reason = fmt.Sprintf("%s and %d more changed", c.goFiles[0], len(c.goFiles)-1)
		}
		ur.Restart(reason)
	}
}
