package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/agentmark-go/agentmark"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// DefaultPort is the runner's port in `agentmark dev` (--webhook-port).
const DefaultPort = 9417

// Serve listens on addr (e.g. "127.0.0.1:9417") and serves the runner for
// client until ctx is done, then shuts down gracefully (in-flight jobs
// get 5 seconds).
func Serve(ctx context.Context, addr string, client *agentmark.Client, opts ...Option) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, client, opts...)
}

// ServeListener is Serve on an open listener.
func ServeListener(ctx context.Context, ln net.Listener, client *agentmark.Client, opts ...Option) error {
	srv := &http.Server{Handler: Handler(client, opts...), ReadHeaderTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		case <-done:
		}
	}()
	err := srv.Serve(ln)
	close(done)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Main is the body of a Go dev entry (what `agentmark dev --runner`
// spawns, like the TypeScript and Python runners): it parses
// --webhook-port (default $AGENTMARK_WEBHOOK_PORT, else 9417) and
// --api-server-port (default $AGENTMARK_API_SERVER_PORT) from args
// (os.Args[1:] when nil), reads datasets from the dev API server when its
// port is given (or $AGENTMARK_DEV_SERVER is set), verifies signatures
// when $AGENTMARK_WEBHOOK_SECRET is set, binds 127.0.0.1 and serves until
// SIGINT/SIGTERM.
//
// Tracing: when no default trace provider is set (trace.Init) and
// $AGENTMARK_TRACE_ENDPOINT, $AGENTMARK_BASE_URL or $AGENTMARK_DEV_SERVER
// is set (`agentmark dev` sets all three), Main installs a default
// provider exporting to that endpoint (in that order; the dev server's
// /v1/traces last), so prompt runs and experiments are traced into the
// dev API; it is flushed when Main returns.
//
//	func main() {
//		client := agentmark.New(agentmark.WithTool(...), agentmark.WithEval(...))
//		if err := runner.Main(client, nil); err != nil {
//			log.Fatal(err)
//		}
//	}
func Main(client *agentmark.Client, args []string, opts ...Option) error {
	if args == nil {
		args = os.Args[1:]
	}
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	port := fs.Int("webhook-port", envPort("AGENTMARK_WEBHOOK_PORT", DefaultPort), "runner port")
	apiPort := fs.Int("api-server-port", envPort("AGENTMARK_API_SERVER_PORT", 0), "AgentMark API server port (datasets)")
	host := fs.String("host", "127.0.0.1", "address to bind")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var all []Option
	if *apiPort > 0 {
		all = append(all, WithAPIServer("http://localhost:"+strconv.Itoa(*apiPort)))
	} else if dev := os.Getenv("AGENTMARK_DEV_SERVER"); dev != "" {
		all = append(all, WithAPIServer(dev))
	}
	if secret := os.Getenv("AGENTMARK_WEBHOOK_SECRET"); secret != "" {
		all = append(all, WithSecret(secret))
	}
	all = append(all, WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if tp, err := devTracing(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "AgentMark Go runner: tracing disabled: %v\n", err)
	} else if tp != nil {
		all = append(all, WithTracer(TraceTracer(tp)))
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = tp.Shutdown(sctx)
			amtrace.SetDefault(nil)
		}()
	}
	all = append(all, opts...)
	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "AgentMark Go runner listening on http://%s\n", addr)
	return ServeListener(ctx, ln, client, all...)
}

// envPort reads a port number from the environment variable name, else def.
func envPort(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if p, err := strconv.Atoi(v); err == nil && p >= 0 {
			return p
		}
	}
	return def
}

// devTracing installs the default trace provider of Main (see Main), or
// returns nil when one is set already or no endpoint is configured.
func devTracing(ctx context.Context) (*amtrace.Provider, error) {
	if amtrace.Default() != nil {
		return nil, nil
	}
	opts := amtrace.Options{BatchTimeout: 200 * time.Millisecond}
	switch {
	case os.Getenv(amtrace.EnvTraceEndpoint) != "", os.Getenv(amtrace.EnvBaseURL) != "":
	case os.Getenv("AGENTMARK_DEV_SERVER") != "":
		opts.Endpoint = strings.TrimRight(os.Getenv("AGENTMARK_DEV_SERVER"), "/") + amtrace.TracesPath
	default:
		return nil, nil
	}
	return amtrace.Init(ctx, opts)
}
