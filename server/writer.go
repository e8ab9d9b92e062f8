package server

import (
	"context"
	"sync"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// groupWriter coalesces concurrent ingest requests into fewer, larger store
// transactions (group commit): while one write is in flight, the requests
// that arrive queue up, and the next write takes all of them (same app, up
// to maxSpans) at once. Every request still gets its own answer only after
// the transaction holding its spans committed, and a request's spans are
// always in a single transaction. When a merged write fails, each request
// is retried alone, so one bad request never fails the others.
type groupWriter struct {
	st       store.SpanWriter
	maxSpans int
	timeout  time.Duration
	reqs     chan *writeReq
	once     sync.Once
	writers  int
}

type writeReq struct {
	app   string
	spans []span.Span
	done  chan error
}

func newGroupWriter(st store.SpanWriter, writers, maxSpans int) *groupWriter {
	if writers < 1 {
		writers = 1
	}
	return &groupWriter{st: st, maxSpans: maxSpans, timeout: 30 * time.Second, reqs: make(chan *writeReq, 1024), writers: writers}
}

// write stores spans durably (or returns the store's error).
func (g *groupWriter) write(app string, spans []span.Span) error {
	g.once.Do(func() {
		for i := 0; i < g.writers; i++ {
			go g.loop()
		}
	})
	r := &writeReq{app: app, spans: spans, done: make(chan error, 1)}
	g.reqs <- r
	return <-r.done
}

func (g *groupWriter) loop() {
	var carry *writeReq
	for {
		first := carry
		carry = nil
		if first == nil {
			first = <-g.reqs
		}
		group := []*writeReq{first}
		n := len(first.spans)
	drain:
		for n < g.maxSpans {
			select {
			case r := <-g.reqs:
				if r.app != first.app || n+len(r.spans) > g.maxSpans {
					carry = r
					break drain
				}
				group = append(group, r)
				n += len(r.spans)
			default:
				break drain
			}
		}
		g.flush(group, n)
	}
}

func (g *groupWriter) flush(group []*writeReq, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	if len(group) == 1 {
		group[0].done <- g.st.WriteSpans(ctx, group[0].app, group[0].spans)
		return
	}
	all := make([]span.Span, 0, n)
	for _, r := range group {
		all = append(all, r.spans...)
	}
	if err := g.st.WriteSpans(ctx, group[0].app, all); err == nil {
		for _, r := range group {
			r.done <- nil
		}
		return
	}
	for _, r := range group {
		r.done <- g.st.WriteSpans(ctx, r.app, r.spans)
	}
}
