// Command serve seeds a fresh SQLite store and a demo project, then serves
// the UI on a loopback port for the browser tests:
//
//	go run ./ui/e2e/serve -addr 127.0.0.1:3917 [-empty] [-traces 300]
//
// It prints "READY http://addr" once listening.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/agentmark-go/agentmark/store/sqlite"
	"github.com/agentmark-go/agentmark/ui"
	"github.com/agentmark-go/agentmark/ui/internal/demo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	empty := flag.Bool("empty", false, "serve an empty store")
	n := flag.Int("traces", 300, "ordinary traces to seed")
	flag.Parse()
	dir, err := os.MkdirTemp("", "agentmark-ui-e2e-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "traces.db"), &sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	proj := filepath.Join(dir, "project")
	if err := demo.Project(proj); err != nil {
		log.Fatal(err)
	}
	if !*empty {
		if err := demo.Seed(ctx, st, "local", time.Now(), *n); err != nil {
			log.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("READY http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, ui.Handler(ui.FromStore(st, "local", proj))))
}
