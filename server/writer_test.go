package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/span"
)

// recordingWriter stores batches, slowly, and fails any batch holding a
// span named "poison".
type recordingWriter struct {
	mu      sync.Mutex
	batches [][]span.Span
	calls   atomic.Int64
}

func (w *recordingWriter) WriteSpans(_ context.Context, _ string, spans []span.Span) error {
	w.calls.Add(1)
	time.Sleep(5 * time.Millisecond)
	for _, s := range spans {
		if s.Name == "poison" {
			return errors.New("constraint failed")
		}
	}
	w.mu.Lock()
	w.batches = append(w.batches, spans)
	w.mu.Unlock()
	return nil
}

func TestGroupWriter(t *testing.T) {
	// Concurrent requests are coalesced into fewer transactions.
	rw := &recordingWriter{}
	g := newGroupWriter(rw, 1, 1000)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := g.write("app", []span.Span{{TraceID: "t", SpanID: fmt.Sprint(i)}}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if n := len(rw.batches); n >= 40 || n == 0 {
		t.Errorf("no group commit: %d batches for 40 requests", n)
	}

	// A failing merged write is retried request by request.
	rw = &recordingWriter{}
	g = newGroupWriter(rw, 1, 1000)
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("s%d", i)
			if i == 17 {
				name = "poison"
			}
			errs[i] = g.write("app", []span.Span{{TraceID: "t", SpanID: fmt.Sprint(i), Name: name}, {TraceID: "t", SpanID: fmt.Sprint(i, "b"), Name: name}})
		}(i)
	}
	wg.Wait()
	stored := map[string]int{}
	for _, b := range rw.batches {
		for _, s := range b {
			stored[s.Name]++
		}
	}
	for i, err := range errs {
		name := fmt.Sprintf("s%d", i)
		if i == 17 {
			if err == nil || stored["poison"] != 0 {
				t.Errorf("poison request: %v, stored %d", err, stored["poison"])
			}
			continue
		}
		if err != nil || stored[name] != 2 {
			t.Errorf("request %d: %v, stored %d", i, err, stored[name])
		}
	}
	// A request's spans are never split across transactions.
	for _, b := range rw.batches {
		count := map[string]int{}
		for _, s := range b {
			count[s.Name]++
		}
		for n, c := range count {
			if c != 2 {
				t.Errorf("request %s split: %d spans in one batch", n, c)
			}
		}
	}
}
