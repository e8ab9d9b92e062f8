package ingest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark/ingest/normalize"
	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/postgres"
	"github.com/agentmark-go/agentmark/store/sqlite"
)

// End-to-end ingest throughput: OTLP protobuf body -> Decode -> Normalize ->
// WriteSpans, on realistic 100-span batches built from the recorded
// testdata. Every batch has fresh trace IDs (no re-writes), like live
// traffic. Run e.g.:
//
//	go test -run '^$' -bench 'Pipeline|IngestWrite' -benchtime 300x ./ingest/
//
// Serial runs one request at a time; Parallel runs GOMAXPROCS concurrent
// requests, as the HTTP server does (decode/normalize of one request
// overlaps the write of another).

// uniqueBatches makes 100-span protobuf bodies whose trace IDs are unique
// per (body, repetition of a recorded trace inside the body) and whose
// times move forward by 10 ms a body (as live traffic; identical
// timestamps in every batch would make the time indexes degenerate).
type uniqueBatches struct {
	tmpl ptrace.Traces
	seq  atomic.Uint64
	salt uint64
}

func newUniqueBatches(tb testing.TB) *uniqueBatches {
	td, err := Decode(batch100(tb), "application/x-protobuf", "")
	if err != nil {
		tb.Fatal(err)
	}
	var salt [8]byte
	rand.Read(salt[:])
	return &uniqueBatches{tmpl: td, salt: binary.LittleEndian.Uint64(salt[:])}
}

// next returns the next body.
func (u *uniqueBatches) next(tb testing.TB) []byte {
	n := u.seq.Add(1)
	seq := n ^ u.salt
	shift := pcommon.Timestamp(n * uint64(10*time.Millisecond))
	td := ptrace.NewTraces()
	u.tmpl.CopyTo(td)
	type key struct {
		t pcommon.TraceID
		s pcommon.SpanID
	}
	seen := map[key]uint64{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				kk := key{sp.TraceID(), sp.SpanID()}
				rep := seen[kk]
				seen[kk] = rep + 1
				id := sp.TraceID()
				binary.LittleEndian.PutUint64(id[8:], binary.LittleEndian.Uint64(id[8:])^seq^(rep*0x9e3779b97f4a7c15))
				sp.SetTraceID(id)
				sp.SetStartTimestamp(sp.StartTimestamp() + shift)
				sp.SetEndTimestamp(sp.EndTimestamp() + shift)
				for e := 0; e < sp.Events().Len(); e++ {
					ev := sp.Events().At(e)
					ev.SetTimestamp(ev.Timestamp() + shift)
				}
			}
		}
	}
	var m ptrace.ProtoMarshaler
	b, err := m.MarshalTraces(td)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// bodies returns n fresh bodies.
func (u *uniqueBatches) bodies(tb testing.TB, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = u.next(tb)
	}
	return out
}

func benchSQLite(b *testing.B) store.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchPostgresDSN() string {
	if dsn := os.Getenv("AGENTMARK_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"
}

// benchPostgres opens a store in a fresh schema (dropped at cleanup), or
// skips when Postgres is unreachable.
func benchPostgres(b *testing.B) store.Store {
	ctx := context.Background()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, benchPostgresDSN())
	if err != nil {
		b.Skipf("Postgres unreachable: %v", err)
	}
	conn.Close(ctx)
	r := make([]byte, 6)
	rand.Read(r)
	schema := "ingestbench_" + hex.EncodeToString(r)
	s, err := postgres.Open(ctx, benchPostgresDSN(), &postgres.Options{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		s.Close()
		if conn, err := pgx.Connect(ctx, benchPostgresDSN()); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			conn.Close(ctx)
		}
	})
	return s
}

var benchStores = []struct {
	name string
	open func(*testing.B) store.Store
}{
	{"sqlite", benchSQLite},
	{"postgres", benchPostgres},
}

// postgresCPU is the CPU time of the local postgres server processes
// (0 when /proc does not show them, e.g. a remote server).
func postgresCPU() time.Duration {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var ticks int64
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		i := strings.LastIndexByte(st, ')')
		if i < 0 || !strings.Contains(st[:i], "(postgres") {
			continue
		}
		f := strings.Fields(st[i+1:])
		if len(f) > 13 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ = 100
}

// cpuMeter is a CPU-time reading, to report spans per CPU-second of this
// process ("spans/cpu-s") and, for Postgres, of this process plus the
// server ("spans/total-cpu-s"): stable on a loaded machine, unlike spans/s.
type cpuMeter struct{ self, pg time.Duration }

func startCPU() cpuMeter {
	pg := postgresCPU() // first: its /proc scan is not the process's work
	return cpuMeter{cpuTime(), pg}
}

// runPipeline feeds b.N bodies (generated with the timer stopped, in
// chunks to keep memory bounded) through fn, serially or from GOMAXPROCS
// goroutines, and reports spans/s.
func runPipeline(b *testing.B, parallel, withPG bool, fn func(body []byte) int) {
	u := newUniqueBatches(b)
	const chunk = 64
	b.ReportAllocs()
	b.ResetTimer()
	var spans atomic.Int64
	var cpu time.Duration
	var pgCPU time.Duration
	for done := 0; done < b.N; done += chunk {
		n := min(chunk, b.N-done)
		b.StopTimer()
		bodies := u.bodies(b, n)
		m := startCPU()
		b.StartTimer()
		func() {
			defer func() {
				cpu += cpuTime() - m.self
				if withPG {
					pgCPU += postgresCPU() - m.pg
				}
			}()
			if !parallel {
				for _, body := range bodies {
					spans.Add(int64(fn(body)))
				}
				return
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			for w := 0; w < max(2, runtime.GOMAXPROCS(0)); w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= len(bodies) {
							return
						}
						spans.Add(int64(fn(bodies[i])))
					}
				}()
			}
			wg.Wait()
		}()
	}
	b.ReportMetric(float64(spans.Load())/b.Elapsed().Seconds(), "spans/s")
	if cpu > 0 {
		b.ReportMetric(float64(spans.Load())/cpu.Seconds(), "spans/cpu-s")
		if pgCPU > 0 {
			b.ReportMetric(float64(spans.Load())/(cpu+pgCPU).Seconds(), "spans/total-cpu-s")
		}
	}
}

func processBody(b *testing.B, n *normalize.Normalizer, body []byte) []span.Span {
	res, err := Process(body, "application/x-protobuf", "", n)
	if err != nil || len(res.Spans) != 100 {
		b.Fatalf("process: %v (%d spans)", err, len(res.Spans))
	}
	return res.Spans
}

// BenchmarkPipeline: decode + normalize + write of 100-span batches.
func BenchmarkPipeline(b *testing.B) {
	n := &normalize.Normalizer{Pricer: pricer}
	b.Run("none/serial", func(b *testing.B) {
		runPipeline(b, false, false, func(body []byte) int { return len(processBody(b, n, body)) })
	})
	for _, st := range benchStores {
		for _, par := range []bool{false, true} {
			name := st.name + "/serial"
			if par {
				name = st.name + "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				s := st.open(b)
				ctx := context.Background()
				runPipeline(b, par, st.name == "postgres", func(body []byte) int {
					spans := processBody(b, n, body)
					if err := s.WriteSpans(ctx, "bench-app", spans); err != nil {
						b.Fatal(err)
					}
					return len(spans)
				})
			})
		}
	}
}

// BenchmarkIngestWrite: WriteSpans alone, of the same batches normalized
// beforehand (timer stopped).
func BenchmarkIngestWrite(b *testing.B) {
	n := &normalize.Normalizer{Pricer: pricer}
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			ctx := context.Background()
			u := newUniqueBatches(b)
			b.ReportAllocs()
			b.ResetTimer()
			spans := 0
			var cpu, pgCPU time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				batch := processBody(b, n, u.next(b))
				m := startCPU()
				b.StartTimer()
				if err := s.WriteSpans(ctx, "bench-app", batch); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - m.self
				if st.name == "postgres" {
					pgCPU += postgresCPU() - m.pg
				}
				spans += len(batch)
				b.StartTimer()
			}
			b.ReportMetric(float64(spans)/b.Elapsed().Seconds(), "spans/s")
			b.ReportMetric(float64(spans)/cpu.Seconds(), "spans/cpu-s")
			if pgCPU > 0 {
				b.ReportMetric(float64(spans)/(cpu+pgCPU).Seconds(), "spans/total-cpu-s")
			}
		})
	}
}
