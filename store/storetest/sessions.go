package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
	"github.com/agentmark-go/agentmark/store/internal/sqlcore"
)

// expectSessions computes the sessions (without Tags/UserIDs) the stored
// spans define, from the stored trace summaries: a trace belongs to every
// session some span of it carries.
func expectSessions(t *testing.T, s store.Store, spans map[[2]string]span.Span) (map[string]store.Session, map[string][]string) {
	t.Helper()
	members := map[string]map[string]bool{} // session -> traces
	for k, sp := range spans {
		if sp.SessionID == "" || sp.SessionID == "null" {
			continue
		}
		if members[sp.SessionID] == nil {
			members[sp.SessionID] = map[string]bool{}
		}
		members[sp.SessionID][k[0]] = true
	}
	tp, err := s.ListTraces(ctx(), app, store.TraceQuery{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	traces := map[string]store.TraceSummary{}
	for _, tr := range tp.Items {
		traces[tr.ID] = tr
	}
	minNonEmpty := func(vs []string) string {
		out := ""
		for _, v := range vs {
			if v != "" && (out == "" || v < out) {
				out = v
			}
		}
		return out
	}
	want := map[string]store.Session{}
	ids := map[string][]string{}
	for sid, ts := range members {
		se := store.Session{ID: sid}
		var sn, pn, tn []string
		first := true
		for tid := range ts {
			tr, ok := traces[tid]
			if !ok {
				t.Fatalf("trace %s of session %s not listed", tid, sid)
			}
			ids[sid] = append(ids[sid], tid)
			if first || tr.Start.Before(se.Start) {
				se.Start = tr.Start
			}
			if first || tr.End.After(se.End) {
				se.End = tr.End
			}
			first = false
			se.TraceCount++
			se.TotalCost += tr.Cost
			se.TotalTokens += tr.Tokens
			se.LatencyMs = max(se.LatencyMs, tr.LatencyMs)
			sn, pn, tn = append(sn, tr.SessionName), append(pn, tr.PromptName), append(tn, tr.Name)
		}
		se.Name = minNonEmpty(sn)
		if se.Name == "" {
			se.Name = minNonEmpty(pn)
		}
		if se.Name == "" {
			se.Name = minNonEmpty(tn)
		}
		sort.Slice(ids[sid], func(i, j int) bool {
			a, b := traces[ids[sid][i]], traces[ids[sid][j]]
			if !a.Start.Equal(b.Start) {
				return a.Start.Before(b.Start)
			}
			return a.ID < b.ID
		})
		want[sid] = se
	}
	return want, ids
}

// checkSessions compares ListSessions and ListSessionTraces with the
// sessions the stored spans define.
func checkSessions(t *testing.T, s store.Store, spans map[[2]string]span.Span, what string) {
	t.Helper()
	want, wantIDs := expectSessions(t, s, spans)
	p, err := s.ListSessions(ctx(), app, store.SessionQuery{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if int(p.Total) != len(want) || len(p.Items) != len(want) {
		t.Errorf("%s: %d sessions (total %d), want %d", what, len(p.Items), p.Total, len(want))
	}
	for _, got := range p.Items {
		w, ok := want[got.ID]
		if !ok {
			t.Errorf("%s: unexpected session %q: %+v", what, got.ID, got)
			continue
		}
		if got.Name != w.Name || !got.Start.Equal(w.Start) || !got.End.Equal(w.End) || got.TraceCount != w.TraceCount ||
			!near(got.TotalCost, w.TotalCost) || got.TotalTokens != w.TotalTokens || !near(got.LatencyMs, w.LatencyMs) {
			t.Errorf("%s: session %q = %+v\nwant %+v", what, got.ID, got, w)
		}
	}
	for sid, tids := range wantIDs {
		tp, err := s.ListSessionTraces(ctx(), app, sid, store.MaxLimit, 0)
		if err != nil {
			t.Errorf("%s: ListSessionTraces(%q): %v", what, sid, err)
			continue
		}
		eqIDs(t, what+": traces of "+sid, traceIDs(tp.Items), tids...)
	}
}

func testSessionSummary(t *testing.T, s store.Store) {
	stored := map[[2]string]span.Span{}
	write := func(what string, batch ...span.Span) {
		t.Helper()
		if err := s.WriteSpans(ctx(), app, batch); err != nil {
			t.Fatal(err)
		}
		for _, sp := range batch {
			stored[[2]string{sp.TraceID, sp.SpanID}] = sp
		}
		checkSessions(t, s, stored, what)
	}
	mk := func(trace, id, parent, typ, sess string, start time.Duration, cost float64) span.Span {
		return span.Span{TraceID: trace, SpanID: id, ParentSpanID: parent, Type: typ, Name: trace + "-" + id,
			StartTimeNs: at(start), EndTimeNs: at(start + ms(100)), SessionID: sess, Cost: cost, TotalTokens: int64(cost * 100),
			UserID: "user-" + trace}
	}
	gen := span.TypeGeneration
	a1 := mk("ta", "a1", "", span.TypeSpan, "sa", 0, 0)
	a2 := mk("ta", "a2", "a1", gen, "sa", ms(10), 1)
	b1 := mk("tb", "b1", "", span.TypeSpan, "sb", time.Minute, 0)
	b2 := mk("tb", "b2", "b1", gen, "sb", time.Minute+ms(10), 2)
	b1.SessionName = "Beta"
	write("first batch", a1, a2, b1, b2)

	// later batch: a new trace joins sa, trace ta joins sb too
	c1 := mk("tc", "c1", "", gen, "sa", time.Hour, 0.5)
	a3 := mk("ta", "a3", "a1", gen, "sb", ms(20), 0.25)
	write("later batch", c1, a3)
	p, err := s.ListSessions(ctx(), app, store.SessionQuery{SortBy: store.SessionSortTotalCost})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 2 || p.Items[0].ID != "sb" || p.Items[0].TraceCount != 2 || !near(p.Items[0].TotalCost, 3.25) ||
		p.Items[1].ID != "sa" || p.Items[1].TraceCount != 2 || !near(p.Items[1].TotalCost, 1.75) {
		t.Errorf("two sessions sharing a trace: %+v", p.Items)
	}

	// re-write: ta moves cost, a2 drops its session (a1 still carries sa)
	a2.Cost, a2.SessionID = 3, ""
	write("re-write cost", a2)
	// a1 moves from sa to sb: ta leaves sa
	a1.SessionID = "sb"
	write("re-write session", a1)
	p, err = s.ListSessions(ctx(), app, store.SessionQuery{UserID: "user-ta"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].ID != "sb" {
		t.Errorf("sessions of user-ta after ta left sa: %+v", p.Items)
	}
	// the last trace leaves sa: the session is gone
	c1.SessionID = "null"
	write("session emptied", c1)
	if _, err := s.ListSessionTraces(ctx(), app, "sa", 0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ListSessionTraces of an emptied session: %v", err)
	}
	// a duplicate re-write changes nothing
	write("idempotent", a1, a2, a3, b1, b2, c1)

	// random batches: re-writes, late parents, several sessions per trace
	clear(stored)
	for i, batch := range sqlcore.RollupCheckBatches(7, 40) {
		for j := range batch {
			batch[j].TraceID = "r" + batch[j].TraceID
		}
		if err := s.WriteSpans(ctx(), app, batch); err != nil {
			t.Fatal(err)
		}
		// the batch is deduplicated last-wins, like the store
		for _, sp := range batch {
			stored[[2]string{sp.TraceID, sp.SpanID}] = sp
		}
		if i%5 == 4 {
			all := map[[2]string]span.Span{}
			for k, v := range stored {
				all[k] = v
			}
			for _, sp := range []span.Span{a1, a2, a3, b1, b2, c1} {
				all[[2]string{sp.TraceID, sp.SpanID}] = sp
			}
			checkSessions(t, s, all, fmt.Sprintf("random batch %d", i))
		}
	}
}
