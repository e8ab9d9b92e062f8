package sqlcore

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"

	"github.com/agentmark-go/agentmark/span"
)

// RollupCheckBatches returns random span batches for differential tests of
// the incremental rollup: few traces spread over many batches, re-writes of
// spans with changed fields, parents arriving after (or never) their
// children, duplicates inside a batch, several roots, long unicode I/O.
func RollupCheckBatches(seed int64, batches int) [][]span.Span {
	r := rand.New(rand.NewSource(seed))
	pick := func(vs ...string) string { return vs[r.Intn(len(vs))] }
	out := make([][]span.Span, batches)
	for b := range out {
		n := 1 + r.Intn(30)
		for i := 0; i < n; i++ {
			tr := r.Intn(8)
			id := r.Intn(10)
			s := span.Span{
				TraceID: fmt.Sprintf("rt-%d", tr), SpanID: fmt.Sprintf("sp-%d", id),
				Type:        pick(span.TypeSpan, span.TypeGeneration),
				Name:        pick("root", "gen", "tool", "日本語 🚀"),
				StartTimeNs: int64(1e9 + r.Intn(5)*1e6), StatusCode: pick("0", "1", "2", ""),
				StatusMsg: pick("", "boom", "rate limited"), Model: pick("", "gpt-4o", "o3"),
				InputTokens: int64(r.Intn(3) * 10), OutputTokens: int64(r.Intn(3) * 5), TotalTokens: int64(r.Intn(2) * 40),
				Cost: float64(r.Intn(3)) * 0.125, SessionID: pick("", "", "s1", "s2"), SessionName: pick("", "Sess"),
				UserID: pick("", "u1", "u2"), TraceName: pick("", "", "Flow"), DatasetRunID: pick("", "run1"),
				DatasetRunName: pick("", "Run"), DatasetPath: pick("", "d.jsonl"), ExperimentKey: pick("", "e1"),
				PromptName: pick("", "p"), CommitSHA: pick("", "abc"), Environment: pick("", "prod"),
				Output: pick("", "null", "out", strings.Repeat("é🚀x", 80)),
			}
			s.EndTimeNs = s.StartTimeNs + int64(r.Intn(4))*1e6
			if id > 0 && r.Intn(4) > 0 {
				s.ParentSpanID = fmt.Sprintf("sp-%d", r.Intn(id))
			} else if r.Intn(4) == 0 {
				s.ParentSpanID = "missing"
			}
			if r.Intn(2) == 0 {
				s.Tags = []string{pick("a", "b", "ü"), pick("b", "c")}
			}
			if r.Intn(2) == 0 {
				s.Metadata = map[string]string{"k": pick("v", "w"), "z": "1"}
			}
			switch r.Intn(4) {
			case 0:
				s.Input = json.RawMessage(`[{"role":"user","content":"` + strings.Repeat("ñ", 100+r.Intn(100)) + `"}]`)
			case 1:
				s.Input = json.RawMessage(`null`)
			}
			out[b] = append(out[b], s)
		}
	}
	return out
}

// SnapshotTraces returns every traces row, formatted, ordered by key.
func SnapshotTraces(ctx context.Context, q Querier) ([]string, error) {
	cols := make([]string, len(TraceCols))
	for i, c := range TraceCols {
		cols[i] = "CAST(" + c + " AS TEXT)"
	}
	rows, err := q.Query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM traces ORDER BY app_id, trace_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]string, len(TraceCols))
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, strings.Join(vals, " | "))
	}
	return out, rows.Err()
}

// SnapshotSessions returns every sessions and trace_sessions row,
// formatted, ordered by key.
func SnapshotSessions(ctx context.Context, q Querier) ([]string, error) {
	var out []string
	for _, sql := range []string{
		"SELECT app_id, session_id, name, CAST(start_ns AS TEXT), CAST(end_ns AS TEXT), CAST(trace_count AS TEXT), " +
			"CAST(total_cost AS TEXT), CAST(total_tokens AS TEXT), CAST(latency_ms AS TEXT) FROM sessions ORDER BY app_id, session_id",
		"SELECT app_id, session_id, trace_id, '', '', '', '', '', '' FROM trace_sessions ORDER BY app_id, session_id, trace_id",
	} {
		rows, err := q.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			vals := make([]string, 9)
			dest := make([]any, len(vals))
			for i := range vals {
				dest[i] = &vals[i]
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, strings.Join(vals, " | "))
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SessionsRebuild returns the statements that rebuild the session tables
// from scratch: deletes, then the backfill INSERTs of the sessions
// migration (whose text is given).
func SessionsRebuild(migration string) []string {
	out := []string{"DELETE FROM sessions", "DELETE FROM trace_sessions"}
	for _, st := range strings.Split(migration, ";") {
		var keep []string
		for _, l := range strings.Split(st, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				keep = append(keep, l)
			}
		}
		st = strings.TrimSpace(strings.Join(keep, "\n"))
		if strings.HasPrefix(st, "INSERT INTO trace_sessions") || strings.HasPrefix(st, "INSERT INTO sessions") {
			out = append(out, st)
		}
	}
	return out
}
