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
	// ready, when set, receives the bound API and webhook addresses once
	// both listen (tests).
	ready func(api, webhook string)
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
	f.BoolVar(&o.noWatch, "no-watch", false, "accepted for compatibility (the Go runner needs no watcher)")
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
	whLn, err := listen(o.host, o.webhookPort, "webhook server", "pass --webhook-port with a different port")
	if err != nil {
		apiLn.Close()
		return err
	}
	var appLn net.Listener
	if !o.noUI {
		if appLn, err = listen(o.host, o.appPort, "web UI", "pass --app-port with a different port"); err != nil {
			apiLn.Close()
			whLn.Close()
			return err
		}
	}
	apiPort := apiLn.Addr().(*net.TCPAddr).Port
	whPort := whLn.Addr().(*net.TCPAddr).Port
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
	errc := make(chan error, 3)
	go func() { errc <- api.Serve(apiLn) }()
	go func() { errc <- hook.Serve(whLn) }()
	var appSrv *http.Server
	appURL := ""
	if appLn != nil {
		deps := ui.FromStore(st, server.DefaultAppID, root)
		deps.PromptDir = promptDir
		appSrv = &http.Server{Handler: ui.Handler(deps), ReadHeaderTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		appURL = "http://localhost:" + strconv.Itoa(appLn.Addr().(*net.TCPAddr).Port)
		go func() { errc <- appSrv.Serve(appLn) }()
	}

	rule := strings.Repeat("═", 70)
	fmt.Fprintf(stdout, "%s\n🚀 AgentMark Development Servers Running\n%s\n\n", rule, rule)
	fmt.Fprintf(stdout, "  API:           %s\n", apiURL)
	fmt.Fprintf(stdout, "  Webhook:       %s\n", whURL)
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
		o.ready(apiLn.Addr().String(), whLn.Addr().String())
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	fmt.Fprintln(stdout, "\nShutting down servers...")
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
	return nil
}
