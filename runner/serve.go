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
	"syscall"
	"time"

	"github.com/agentmark-go/agentmark"
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

// Main is the body of a Go dev entry (what `agentmark dev` spawns, like
// the TypeScript and Python runners): it parses --webhook-port (default
// 9417) and --api-server-port from args (os.Args[1:] when nil), reads
// datasets from the dev API server when its port is given (or
// $AGENTMARK_DEV_SERVER is set), verifies signatures when
// $AGENTMARK_WEBHOOK_SECRET is set, binds 127.0.0.1 and serves until
// SIGINT/SIGTERM.
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
	port := fs.Int("webhook-port", DefaultPort, "runner port")
	apiPort := fs.Int("api-server-port", 0, "AgentMark API server port (datasets)")
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
	all = append(all, opts...)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "AgentMark Go runner listening on http://%s\n", addr)
	return ServeListener(ctx, ln, client, all...)
}
