package trace_test

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark/llm"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// receiver is an OTLP/HTTP endpoint that decodes the protobuf bodies it
// is sent.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	ctypes []string
	hdrs   []http.Header
	status atomic.Int32 // answer status (0: 200)
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if st := r.status.Load(); st != 0 {
			http.Error(w, "nope", int(st))
			return
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.ctypes = append(r.ctypes, req.Header.Get("Content-Type"))
		r.hdrs = append(r.hdrs, req.Header.Clone())
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(200)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) endpoint() string { return r.srv.URL + "/v1/traces" }

// provider exports to r synchronously.
func (r *receiver) provider(t *testing.T, opts amtrace.Options) *amtrace.Provider {
	t.Helper()
	opts.Endpoint = r.endpoint()
	opts.DisableBatch = true
	if opts.ErrorLog == nil {
		opts.ErrorLog = io.Discard
	}
	p, err := amtrace.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	return p
}

type gotSpan struct {
	Name, TraceID, SpanID, Parent, Scope string
	Attrs                                map[string]any
	Resource                             map[string]any
	Status                               ptrace.StatusCode
	StatusMsg                            string
	Start, End                           int64
}

func attrMap(m pcommon.Map) map[string]any {
	out := map[string]any{}
	m.Range(func(k string, v pcommon.Value) bool {
		out[k] = v.AsRaw()
		return true
	})
	return out
}

// spans decodes every body received so far.
func (r *receiver) spans(t *testing.T) []gotSpan {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []gotSpan
	var um ptrace.ProtoUnmarshaler
	for i, b := range r.bodies {
		if r.ctypes[i] != "application/x-protobuf" {
			t.Errorf("content type %q", r.ctypes[i])
		}
		td, err := um.UnmarshalTraces(b)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			res := attrMap(rss.At(i).Resource().Attributes())
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				ss := sss.At(j)
				for k := 0; k < ss.Spans().Len(); k++ {
					sp := ss.Spans().At(k)
					g := gotSpan{Name: sp.Name(), TraceID: sp.TraceID().String(), SpanID: sp.SpanID().String(),
						Scope: ss.Scope().Name(), Attrs: attrMap(sp.Attributes()), Resource: res,
						Status: sp.Status().Code(), StatusMsg: sp.Status().Message(),
						Start: int64(sp.StartTimestamp()), End: int64(sp.EndTimestamp())}
					if !sp.ParentSpanID().IsEmpty() {
						g.Parent = sp.ParentSpanID().String()
					}
					out = append(out, g)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func (r *receiver) allBodies() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

func find(spans []gotSpan, pred func(gotSpan) bool) []gotSpan {
	var out []gotSpan
	for _, s := range spans {
		if pred(s) {
			out = append(out, s)
		}
	}
	return out
}

func named(spans []gotSpan, prefix string) []gotSpan {
	return find(spans, func(s gotSpan) bool { return strings.HasPrefix(s.Name, prefix) })
}

// loadVector reads a conformance vector: the shared copy next to the
// module (or $AGENTMARK_CONFORMANCE_DIR) when present, else testdata.
func loadVector(t *testing.T, name string, v any) {
	t.Helper()
	paths := []string{filepath.Join("testdata", name)}
	if d := os.Getenv("AGENTMARK_CONFORMANCE_DIR"); d != "" {
		paths = append([]string{filepath.Join(d, name)}, paths...)
	} else {
		paths = append([]string{filepath.Join("..", "..", "shared", "conformance", "vectors", name)}, paths...)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return
	}
	t.Fatalf("vector %s not found", name)
}

// scripted is a text provider that replays fixed events.
type scripted struct {
	events []map[string]any
	reqs   []*llm.TextRequest
	mu     sync.Mutex
}

func (p *scripted) Name() string { return "scripted" }

func (p *scripted) record(req *llm.TextRequest) {
	p.mu.Lock()
	c := *req
	p.reqs = append(p.reqs, &c)
	p.mu.Unlock()
}

func (p *scripted) Generate(ctx context.Context, req *llm.TextRequest) (*llm.TextResponse, error) {
	p.record(req)
	r := &llm.TextResponse{}
	for ev, err := range p.Stream(ctx, req) {
		if err != nil {
			return nil, err
		}
		switch ev.Type {
		case llm.EventTextDelta:
			r.Text += ev.TextDelta
		case llm.EventFinish:
			r.FinishReason, r.Usage = ev.FinishReason, ev.Usage
		}
	}
	return r, nil
}

func (p *scripted) Stream(ctx context.Context, req *llm.TextRequest) iter.Seq2[llm.StreamEvent, error] {
	return func(yield func(llm.StreamEvent, error) bool) {
		for _, ev := range p.events {
			var se llm.StreamEvent
			switch ev["type"] {
			case "text-delta":
				se = llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: ev["text"].(string)}
			case "object-delta":
				continue
			case "object-final":
				b, _ := json.Marshal(ev["value"])
				se = llm.StreamEvent{Type: llm.EventTextDelta, TextDelta: string(b)}
			case "finish":
				u := ev["usage"].(map[string]any)
				se = llm.StreamEvent{Type: llm.EventFinish, FinishReason: ev["reason"].(string),
					Usage: llm.Usage{InputTokens: int(u["inputTokens"].(float64)), OutputTokens: int(u["outputTokens"].(float64))}}
			case "error":
				yield(llm.StreamEvent{}, &providerError{ev["error"].(string)})
				return
			}
			if !yield(se, nil) {
				return
			}
		}
	}
}

type providerError struct{ msg string }

func (e *providerError) Error() string { return e.msg }
