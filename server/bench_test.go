package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark/store/sqlite"
)

// otlpBatch builds one OTLP/protobuf export of n spans: traces of 10 spans
// (an agent root, LLM calls with model, tokens and I/O, tool calls).
func otlpBatch(b testing.TB, seq, n int) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("agentmark")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Second)
	var tid pcommon.TraceID
	var root pcommon.SpanID
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			binary.BigEndian.PutUint64(tid[:8], uint64(seq)+1)
			binary.BigEndian.PutUint64(tid[8:], uint64(i)+1)
		}
		var sid pcommon.SpanID
		binary.BigEndian.PutUint32(sid[:4], uint32(seq)+1)
		binary.BigEndian.PutUint32(sid[4:], uint32(i)+1)
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		start := base.Add(time.Duration(i) * time.Millisecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(120 * time.Millisecond)))
		sp.Status().SetCode(ptrace.StatusCodeOk)
		a := sp.Attributes()
		switch {
		case i%10 == 0:
			root = sid
			sp.SetName("handle-request")
			a.PutStr("agentmark.session_id", fmt.Sprintf("s-%d", seq%50))
			a.PutStr("agentmark.user_id", fmt.Sprintf("u-%d", seq%20))
			a.PutStr("agentmark.trace_name", "handle-request")
			a.PutStr("agentmark.metadata.feature", "bench")
		case i%3 == 0:
			sp.SetParentSpanID(root)
			sp.SetName("execute_tool lookup")
			a.PutStr("gen_ai.operation.name", "execute_tool")
			a.PutStr("gen_ai.tool.name", "lookup")
		default:
			sp.SetParentSpanID(root)
			sp.SetName("chat gpt-4o-mini")
			a.PutStr("gen_ai.operation.name", "chat")
			a.PutStr("gen_ai.request.model", "gpt-4o-mini")
			a.PutInt("gen_ai.usage.input_tokens", 120)
			a.PutInt("gen_ai.usage.output_tokens", 45)
			a.PutStr("agentmark.input", `[{"role":"user","content":"What is the weather in Paris today?"}]`)
			a.PutStr("agentmark.output", "It is sunny in Paris.")
		}
	}
	var m ptrace.ProtoMarshaler
	body, err := m.MarshalTraces(td)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkIngestHTTP: OTLP/protobuf batches of 100 spans POSTed
// concurrently to POST /v1/traces over loopback, decoded, normalized,
// priced and written durably into SQLite; reports spans/s.
//
//	go test -run '^$' -bench IngestHTTP -benchtime 300x ./server/
func BenchmarkIngestHTTP(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sqlite-"+sync+"/batch=100", func(b *testing.B) {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "traces.db"), &sqlite.Options{Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			srv, err := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			const batch = 100
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = otlpBatch(b, i, batch)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var next atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					res, err := client.Post(hs.URL+"/v1/traces", "application/x-protobuf", bytes.NewReader(bodies[i]))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
			el := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N*batch)/el.Seconds(), "spans/s")
		})
	}
}
