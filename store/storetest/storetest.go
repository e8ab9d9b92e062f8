// Package storetest is the conformance suite every store.Store backend
// runs: storetest.Run(t, newStore).
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// NewStore returns a fresh, empty store; the suite closes it.
type NewStore func(t *testing.T) store.Store

const app = "app-a"

// Run runs the conformance suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"Idempotent", testIdempotent},
		{"LastWriteWins", testLastWriteWins},
		{"AppScoping", testAppScoping},
		{"TraceRollup", testTraceRollup},
		{"OrphansAcrossBatches", testOrphans},
		{"TraceFilters", testTraceFilters},
		{"TraceFilterDSL", testTraceFilterDSL},
		{"TraceSort", testTraceSort},
		{"TracePagination", testTracePagination},
		{"InvalidQueries", testInvalidQueries},
		{"Spans", testSpans},
		{"SpanFilterDSL", testSpanFilterDSL},
		{"Sessions", testSessions},
		{"SessionSummary", testSessionSummary},
		{"Scores", testScores},
		{"ScoreConflictAtomic", testScoreConflict},
		{"Metrics", testMetrics},
		{"ConcurrentWriters", testConcurrentWriters},
		{"LargeValues", testLargeValues},
		{"Unicode", testUnicode},
		{"EmptyAndInvalidBatch", testEmptyBatch},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			defer s.Close()
			tc.fn(t, s)
		})
	}
}

func ctx() context.Context { return context.Background() }

func seed(t *testing.T, s store.Store) {
	t.Helper()
	if err := s.WriteSpans(ctx(), app, Fixture()); err != nil {
		t.Fatalf("WriteSpans: %v", err)
	}
}

func seedScores(t *testing.T, s store.Store) []string {
	t.Helper()
	ids, err := s.CreateScores(ctx(), app, FixtureScores())
	if err != nil {
		t.Fatalf("CreateScores: %v", err)
	}
	return ids
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func traceIDs(ts []store.TraceSummary) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func spanIDs(ss []span.Span) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.SpanID
	}
	return out
}

func listTraces(t *testing.T, s store.Store, q store.TraceQuery) []string {
	t.Helper()
	p, err := s.ListTraces(ctx(), app, q)
	if err != nil {
		t.Fatalf("ListTraces(%+v): %v", q, err)
	}
	if int(p.Total) < len(p.Items) {
		t.Fatalf("ListTraces(%+v): total %d < page %d", q, p.Total, len(p.Items))
	}
	return traceIDs(p.Items)
}

func eqIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// normJSON makes JSON comparable regardless of backend formatting.
func normJSON(r json.RawMessage) string {
	if len(r) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(r, &v); err != nil {
		return "invalid:" + string(r)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func compareSpan(t *testing.T, got, want span.Span, heavy bool) {
	t.Helper()
	want.AppID = app
	// JSON fields are compared semantically.
	for _, f := range []struct {
		name string
		g, w json.RawMessage
	}{{"Settings", got.Settings, want.Settings}} {
		if normJSON(f.g) != normJSON(f.w) {
			t.Errorf("span %s %s = %s, want %s", want.SpanID, f.name, f.g, f.w)
		}
	}
	got.Settings, want.Settings = nil, nil
	if heavy {
		for _, f := range []struct {
			name string
			g, w json.RawMessage
		}{{"Input", got.Input, want.Input}, {"OutputObject", got.OutputObject, want.OutputObject}, {"ToolCalls", got.ToolCalls, want.ToolCalls}} {
			if normJSON(f.g) != normJSON(f.w) {
				t.Errorf("span %s %s = %s, want %s", want.SpanID, f.name, f.g, f.w)
			}
		}
		// raw attributes go through JSON (numbers become float64)
		for _, f := range []struct {
			name string
			g, w any
		}{{"ResourceAttributes", got.ResourceAttributes, want.ResourceAttributes},
			{"SpanAttributes", got.SpanAttributes, want.SpanAttributes},
			{"Events", got.Events, want.Events}, {"Links", got.Links, want.Links}} {
			gj, _ := json.Marshal(f.g)
			wj, _ := json.Marshal(f.w)
			if string(gj) != string(wj) {
				t.Errorf("span %s %s = %s, want %s", want.SpanID, f.name, gj, wj)
			}
		}
	} else {
		want.Output, want.DatasetExpectedOutput, want.DatasetInput = "", "", ""
		if got.Input != nil || got.OutputObject != nil || got.ToolCalls != nil || got.SpanAttributes != nil || got.Events != nil {
			t.Errorf("span %s: light read returned heavy fields", want.SpanID)
		}
	}
	got.Input, got.OutputObject, got.ToolCalls, got.ResourceAttributes, got.SpanAttributes, got.Events, got.Links = nil, nil, nil, nil, nil, nil, nil
	want.Input, want.OutputObject, want.ToolCalls, want.ResourceAttributes, want.SpanAttributes, want.Events, want.Links = nil, nil, nil, nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("span %s:\n got %s\nwant %s", want.SpanID, gj, wj)
	}
}

func fixtureSpan(id string) span.Span {
	for _, s := range Fixture() {
		if s.SpanID == id {
			return s
		}
	}
	panic("no fixture span " + id)
}

func testRoundTrip(t *testing.T, s store.Store) {
	seed(t, s)
	tr, err := s.GetTrace(ctx(), app, TraceSupport)
	if err != nil {
		t.Fatal(err)
	}
	eqIDs(t, "GetTrace spans", spanIDs(tr.Spans), "s1-root", "s1-gen1", "s1-gen2")
	for _, sp := range tr.Spans {
		compareSpan(t, sp, fixtureSpan(sp.SpanID), true)
	}
	light, err := s.ListTraceSpans(ctx(), app, TraceSupport)
	if err != nil {
		t.Fatal(err)
	}
	eqIDs(t, "ListTraceSpans", spanIDs(light), "s1-root", "s1-gen1", "s1-gen2")
	for _, sp := range light {
		compareSpan(t, sp, fixtureSpan(sp.SpanID), false)
	}
	for _, id := range []string{"s1-root", "s1-gen1", "s1-gen2"} {
		sp, err := s.GetSpan(ctx(), app, TraceSupport, id)
		if err != nil {
			t.Fatal(err)
		}
		compareSpan(t, *sp, fixtureSpan(id), true)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	seed(t, s)
	if _, err := s.GetTrace(ctx(), app, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetTrace unknown: %v", err)
	}
	if _, err := s.ListTraceSpans(ctx(), app, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ListTraceSpans unknown: %v", err)
	}
	if _, err := s.GetSpan(ctx(), app, TraceSupport, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSpan unknown span: %v", err)
	}
	if _, err := s.GetSpan(ctx(), app, TraceChat, "s1-root"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSpan in wrong trace: %v", err)
	}
	if _, err := s.ListSessionTraces(ctx(), app, "nope", 0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ListSessionTraces unknown: %v", err)
	}
	if _, err := s.GetScore(ctx(), app, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetScore unknown: %v", err)
	}
	if err := s.DeleteScore(ctx(), app, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteScore unknown: %v", err)
	}
}

func testIdempotent(t *testing.T, s store.Store) {
	seed(t, s)
	seed(t, s)
	// duplicates inside one batch too
	dup := Fixture()
	if err := s.WriteSpans(ctx(), app, append(dup, dup...)); err != nil {
		t.Fatal(err)
	}
	p, err := s.ListSpans(ctx(), app, store.SpanQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 8 || len(p.Items) != 8 {
		t.Errorf("after 4 writes of the fixture: %d spans (total %d), want 8", len(p.Items), p.Total)
	}
	tp, err := s.ListTraces(ctx(), app, store.TraceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if tp.Total != 4 {
		t.Errorf("traces total = %d, want 4", tp.Total)
	}
	for _, tr := range tp.Items {
		if tr.ID == TraceSupport && (tr.SpanCount != 3 || !near(tr.Cost, 0.011)) {
			t.Errorf("rewritten trace rollup: span_count %d cost %v", tr.SpanCount, tr.Cost)
		}
	}
	sess, err := s.ListSessions(ctx(), app, store.SessionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, se := range sess.Items {
		if se.ID == "s1" && (se.TraceCount != 2 || !near(se.TotalCost, 0.511)) {
			t.Errorf("session s1 after rewrites: %+v", se)
		}
	}
}

func testLastWriteWins(t *testing.T, s store.Store) {
	seed(t, s)
	sp := fixtureSpan("s1-gen1")
	sp.Cost, sp.Model, sp.Output = 1.25, "gpt-5", "rewritten"
	if err := s.WriteSpans(ctx(), app, []span.Span{sp}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSpan(ctx(), app, TraceSupport, "s1-gen1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Cost != 1.25 || got.Model != "gpt-5" || got.Output != "rewritten" {
		t.Errorf("rewritten span = cost %v model %q output %q", got.Cost, got.Model, got.Output)
	}
	tr, err := s.GetTrace(ctx(), app, TraceSupport)
	if err != nil {
		t.Fatal(err)
	}
	if !near(tr.Cost, 1.251) || !slices.Equal(tr.Models, []string{"gpt-5", "gpt-4o-mini"}) {
		t.Errorf("rollup after rewrite: cost %v models %v", tr.Cost, tr.Models)
	}
}

func testAppScoping(t *testing.T, s store.Store) {
	seed(t, s)
	seedScores(t, s)
	// app B: the same trace IDs with different data
	other := Fixture()
	for i := range other {
		other[i].Cost *= 100
		other[i].SessionID = "b-" + other[i].SessionID
	}
	other = other[:3]
	if err := s.WriteSpans(ctx(), "app-b", other); err != nil {
		t.Fatal(err)
	}
	bp, err := s.ListSpans(ctx(), "app-b", store.SpanQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if bp.Total != 3 {
		t.Errorf("app-b spans = %d, want 3", bp.Total)
	}
	ap, err := s.ListSpans(ctx(), app, store.SpanQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if ap.Total != 8 {
		t.Errorf("app-a spans = %d, want 8", ap.Total)
	}
	for _, sp := range ap.Items {
		if sp.AppID != app || strings.HasPrefix(sp.SessionID, "b-") {
			t.Errorf("app-a sees %+v", sp)
		}
	}
	tr, err := s.GetTrace(ctx(), app, TraceChat)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Cost != 0.5 {
		t.Errorf("app-a trace cost %v (app-b data leaked?)", tr.Cost)
	}
	if _, err := s.GetTrace(ctx(), "app-c", TraceChat); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("app-c GetTrace: %v", err)
	}
	for _, id := range spanIDs(bp.Items) {
		if _, err := s.GetSpan(ctx(), "app-c", "x", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("app-c GetSpan: %v", err)
		}
	}
	sess, err := s.ListSessions(ctx(), app, store.SessionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, se := range sess.Items {
		if strings.HasPrefix(se.ID, "b-") {
			t.Errorf("app-a sees app-b session %s", se.ID)
		}
	}
	if p, _ := s.ListScores(ctx(), "app-b", store.ScoreQuery{}); p.Total != 0 {
		t.Errorf("app-b sees %d scores", p.Total)
	}
	if names, _ := s.ScoreNames(ctx(), "app-b"); len(names) != 0 {
		t.Errorf("app-b score names %v", names)
	}
	m, err := s.Metrics(ctx(), "app-c", store.MetricsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Summary.Requests != 0 {
		t.Errorf("app-c metrics requests = %d", m.Summary.Requests)
	}
	// deleting a score of app-a through app-b fails
	ids, _ := s.CreateScores(ctx(), app, []store.Score{{ResourceID: "x", Name: "n", Value: 1}})
	if err := s.DeleteScore(ctx(), "app-b", ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cross-app delete: %v", err)
	}
	if _, err := s.GetScore(ctx(), app, ids[0]); err != nil {
		t.Errorf("score deleted through another app: %v", err)
	}
}

func testTraceRollup(t *testing.T, s store.Store) {
	seed(t, s)
	p, err := s.ListTraces(ctx(), app, store.TraceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	eqIDs(t, "default order", traceIDs(p.Items), TraceUnicode, TraceTool, TraceChat, TraceSupport)
	if p.Total != 4 {
		t.Errorf("total = %d", p.Total)
	}
	by := map[string]store.TraceSummary{}
	for _, tr := range p.Items {
		by[tr.ID] = tr
	}
	sup := by[TraceSupport]
	want := store.TraceSummary{
		ID: TraceSupport, Name: "Support Flow", Status: store.StatusOK, Start: T0, End: T0.Add(ms(1000)),
		LatencyMs: 1000, Cost: 0.011, Tokens: 165, InputTokens: 110, OutputTokens: 55, SpanCount: 3, ErrorCount: 1,
		Tags: []string{"prod", "beta"}, Models: []string{"gpt-4o", "gpt-4o-mini"},
		InputPreview: `[{"role":"user","content":"hello world"}]`, OutputPreview: "hi there", HasInput: true, HasOutput: true,
		SessionID: "s1", SessionName: "Support Session", UserID: "u1", PromptName: "support", CommitSHA: "abc",
		Environment: "production", Metadata: map[string]string{"env": "prod", "tier": "gold"},
	}
	sup.InputPreview = strings.ReplaceAll(sup.InputPreview, `": "`, `":"`) // tolerate JSON spacing
	if !near(sup.Cost, want.Cost) {
		t.Errorf("cost %v want %v", sup.Cost, want.Cost)
	}
	sup.Cost = want.Cost
	if !reflect.DeepEqual(sup, want) {
		t.Errorf("support rollup:\n got %+v\nwant %+v", sup, want)
	}
	chat := by[TraceChat]
	if chat.Name != "chat" || chat.Status != store.StatusError || chat.StatusMessage != "boom" || chat.Cost != 0.5 ||
		chat.Tokens != 1500 || chat.DatasetRunID != "run1" || chat.DatasetRunName != "Run One" ||
		chat.DatasetPath != "data/set.jsonl" || chat.ExperimentKey != "exp1" || chat.HasInput || chat.HasOutput {
		t.Errorf("chat rollup: %+v", chat)
	}
	tool := by[TraceTool]
	if tool.Status != store.StatusUnset || !near(tool.Cost, 0.2) || tool.Tokens != 0 || tool.LatencyMs != 10 || len(tool.Tags) != 0 || len(tool.Models) != 0 {
		t.Errorf("tool rollup: %+v", tool)
	}
	uni := by[TraceUnicode]
	if uni.Name != "日本語トレース 🚀" || !near(uni.Cost, 0.05) || uni.UserID != "u3" || uni.OutputPreview != "出力 ✓" ||
		!slices.Equal(uni.Tags, []string{"ünïcödé"}) || uni.Metadata["ключ"] != "значение ✓" {
		t.Errorf("unicode rollup: %+v", uni)
	}
	tr, err := s.GetTrace(ctx(), app, TraceSupport)
	if err != nil {
		t.Fatal(err)
	}
	if tr.SpanCount != 3 || tr.Name != "Support Flow" {
		t.Errorf("GetTrace summary %+v", tr.TraceSummary)
	}
}

func testOrphans(t *testing.T, s store.Store) {
	// the children arrive first: the trace is listed with an orphan root
	var root, kids []span.Span
	for _, sp := range Fixture() {
		if sp.TraceID != TraceSupport {
			continue
		}
		if sp.ParentSpanID == "" {
			root = append(root, sp)
		} else {
			kids = append(kids, sp)
		}
	}
	if err := s.WriteSpans(ctx(), app, kids); err != nil {
		t.Fatal(err)
	}
	tr, err := s.GetTrace(ctx(), app, TraceSupport)
	if err != nil {
		t.Fatal(err)
	}
	if tr.SpanCount != 2 || tr.Name != "generate" || tr.LatencyMs != 500 {
		t.Errorf("orphan-only rollup: %+v", tr.TraceSummary)
	}
	if err := s.WriteSpans(ctx(), app, root); err != nil {
		t.Fatal(err)
	}
	tr, err = s.GetTrace(ctx(), app, TraceSupport)
	if err != nil {
		t.Fatal(err)
	}
	if tr.SpanCount != 3 || tr.Name != "Support Flow" || tr.LatencyMs != 1000 || tr.Status != store.StatusOK {
		t.Errorf("completed rollup: %+v", tr.TraceSummary)
	}
}

func testTraceFilters(t *testing.T, s store.Store) {
	seed(t, s)
	cases := []struct {
		q    store.TraceQuery
		want []string
	}{
		{store.TraceQuery{Status: store.StatusOK}, []string{TraceUnicode, TraceSupport}},
		{store.TraceQuery{Status: store.StatusError}, []string{TraceChat}},
		{store.TraceQuery{Status: store.StatusUnset}, []string{TraceTool}},
		{store.TraceQuery{UserID: "u1"}, []string{TraceTool, TraceSupport}},
		{store.TraceQuery{UserID: "u3"}, []string{TraceUnicode}},
		{store.TraceQuery{Model: "gpt-4o"}, []string{TraceSupport}},
		{store.TraceQuery{Model: "gpt"}, nil},
		{store.TraceQuery{SessionID: "s1"}, []string{TraceChat, TraceSupport}},
		{store.TraceQuery{DatasetRunID: "run1"}, []string{TraceChat}},
		{store.TraceQuery{ExperimentKey: "exp1"}, []string{TraceChat}},
		{store.TraceQuery{CommitSHA: "abc"}, []string{TraceSupport}},
		{store.TraceQuery{PromptName: "support"}, []string{TraceSupport}},
		{store.TraceQuery{Environment: "production"}, []string{TraceSupport}},
		{store.TraceQuery{Name: "chat"}, []string{TraceChat}},
		{store.TraceQuery{Name: "cha"}, nil},
		{store.TraceQuery{Tags: []string{"exp", "ünïcödé"}}, []string{TraceUnicode, TraceChat}},
		{store.TraceQuery{Tags: []string{"beta"}}, []string{TraceSupport}},
		{store.TraceQuery{Search: "HELLO"}, []string{TraceSupport}},
		{store.TraceQuery{Search: "トレース"}, []string{TraceUnicode}},
		{store.TraceQuery{Search: "trace-03"}, []string{TraceTool}},
		{store.TraceQuery{Search: "%"}, nil},
		{store.TraceQuery{From: T0.Add(30 * time.Minute), To: T0.Add(2 * time.Hour)}, []string{TraceTool, TraceChat}},
		{store.TraceQuery{From: T0.Add(3 * time.Hour)}, []string{TraceUnicode}},
		{store.TraceQuery{UserID: "u1", Status: store.StatusOK}, []string{TraceSupport}},
	}
	for _, c := range cases {
		eqIDs(t, fmt.Sprintf("ListTraces(%+v)", c.q), listTraces(t, s, c.q), c.want...)
	}
}

func testTraceFilterDSL(t *testing.T, s store.Store) {
	seed(t, s)
	seedScores(t, s)
	cases := []struct {
		f    string
		want []string
	}{
		{`cost > 0.1`, []string{TraceTool, TraceChat}},
		{`cost < 0.02`, []string{TraceSupport}},
		{`latency_ms >= 1000`, []string{TraceChat, TraceSupport}},
		{`status = ERROR`, []string{TraceChat}},
		{`status = SUCCESS`, []string{TraceUnicode, TraceSupport}},
		{`metadata.env = prod`, []string{TraceSupport}},
		{`metadata.env != prod`, []string{TraceUnicode, TraceTool, TraceChat}},
		{`metadata.env starts with stag`, []string{TraceChat}},
		{`metadata.debug exists`, []string{TraceTool}},
		{`metadata.env does not exist`, []string{TraceUnicode, TraceTool}},
		{`(model = "o3" or model = "claude-3")`, []string{TraceUnicode, TraceChat}},
		{`model != gpt-4o`, []string{TraceUnicode, TraceTool, TraceChat}},
		{`model contains mini`, []string{TraceSupport}},
		{`tags = prod`, []string{TraceChat, TraceSupport}},
		{`tags != prod`, []string{TraceUnicode, TraceTool}},
		{`tags contains "cöd"`, []string{TraceUnicode}},
		{`input contains world`, []string{TraceSupport}},
		{`input contains World`, nil},
		{`output starts with "hi"`, []string{TraceSupport}},
		{`output ends with "✓"`, []string{TraceUnicode}},
		{`output not contains "gen out"`, []string{TraceUnicode, TraceTool, TraceChat}},
		{`semantic_kind = tool`, []string{TraceTool}},
		{`props = "{\"q\":\"x\"}"`, []string{TraceChat}},
		{`score__accuracy > 0.5`, []string{TraceSupport}},
		{`score__accuracy < 0.5`, []string{TraceSupport}},
		{`score__helpfulness >= 3`, []string{TraceChat}},
		{`score__missing > 0`, nil},
		{`trace_id = ` + TraceChat, []string{TraceChat}},
		{`prompt_tokens > 500`, []string{TraceChat}},
		{`completion_tokens = 55`, []string{TraceSupport}},
		{`user_id ends with "3"`, []string{TraceUnicode}},
		{`session_id = s2 and status = OK`, []string{TraceUnicode}},
		{`metadata.env = prod and status = ERROR`, nil},
		{`(status = ERROR or cost > 0.1) and latency_ms < 100`, []string{TraceTool}},
		{`[{"field":"model","operator":"in","value":["o3","claude-3"]}]`, []string{TraceUnicode, TraceChat}},
		{`{"op":"and","exprs":[{"field":"cost","op":"gt","value":0.1}]}`, []string{TraceTool, TraceChat}},
		{`[{"field":"cost","operator":"between","value":[0.01,0.1]}]`, []string{TraceUnicode, TraceSupport}},
	}
	for _, c := range cases {
		eqIDs(t, "filter "+c.f, listTraces(t, s, store.TraceQuery{Filter: c.f}), c.want...)
	}
}

func testTraceSort(t *testing.T, s store.Store) {
	seed(t, s)
	cases := []struct {
		by   string
		ord  store.SortOrder
		want []string
	}{
		{store.TraceSortCost, store.Asc, []string{TraceSupport, TraceUnicode, TraceTool, TraceChat}},
		{store.TraceSortCost, store.Desc, []string{TraceChat, TraceTool, TraceUnicode, TraceSupport}},
		{store.TraceSortLatency, store.Asc, []string{TraceTool, TraceUnicode, TraceSupport, TraceChat}},
		{store.TraceSortTokens, store.Desc, []string{TraceChat, TraceSupport, TraceUnicode, TraceTool}},
		{store.TraceSortName, store.Asc, []string{TraceSupport, TraceChat, TraceTool, TraceUnicode}},
		{store.TraceSortStatus, store.Asc, []string{TraceTool, TraceSupport, TraceUnicode, TraceChat}},
		{store.TraceSortStatus, store.Desc, []string{TraceChat, TraceUnicode, TraceSupport, TraceTool}},
		{store.TraceSortStartTime, store.Asc, []string{TraceSupport, TraceChat, TraceTool, TraceUnicode}},
		{"", "", []string{TraceUnicode, TraceTool, TraceChat, TraceSupport}},
	}
	for _, c := range cases {
		eqIDs(t, fmt.Sprintf("sort %s %s", c.by, c.ord), listTraces(t, s, store.TraceQuery{SortBy: c.by, SortOrder: c.ord}), c.want...)
	}
}

func testTracePagination(t *testing.T, s store.Store) {
	// 60 traces, many with equal start times and costs: pages must tile the list.
	var spans []span.Span
	for i := 0; i < 60; i++ {
		spans = append(spans, span.Span{
			TraceID: fmt.Sprintf("p-%03d", i), SpanID: "root", Type: span.TypeGeneration, Name: "n",
			StartTimeNs: at(time.Duration(i/7) * time.Second), EndTimeNs: at(time.Duration(i/7)*time.Second + ms(5)),
			Cost: float64(i % 3), StatusCode: "1",
		})
	}
	if err := s.WriteSpans(ctx(), app, spans); err != nil {
		t.Fatal(err)
	}
	for _, sortBy := range []string{"", store.TraceSortCost, store.TraceSortName} {
		full := listTraces(t, s, store.TraceQuery{Limit: 100, SortBy: sortBy})
		if len(full) != 60 {
			t.Fatalf("full list %d", len(full))
		}
		var paged []string
		for off := 0; off < 60; off += 7 {
			p, err := s.ListTraces(ctx(), app, store.TraceQuery{Limit: 7, Offset: off, SortBy: sortBy})
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != 60 {
				t.Errorf("page total %d, want 60", p.Total)
			}
			paged = append(paged, traceIDs(p.Items)...)
		}
		if !slices.Equal(paged, full) {
			t.Errorf("sort %q: pages do not tile the list:\n%v\n%v", sortBy, paged, full)
		}
	}
	p, err := s.ListTraces(ctx(), app, store.TraceQuery{Limit: 10, Offset: 100})
	if err != nil || len(p.Items) != 0 || p.Total != 60 {
		t.Errorf("past the end: %d items total %d err %v", len(p.Items), p.Total, err)
	}
	p, _ = s.ListTraces(ctx(), app, store.TraceQuery{})
	if len(p.Items) != store.DefaultLimit {
		t.Errorf("default limit page = %d", len(p.Items))
	}
	sp, err := s.ListSpans(ctx(), app, store.SpanQuery{Limit: 25, Offset: 50})
	if err != nil || len(sp.Items) != 10 || sp.Total != 60 {
		t.Errorf("span page: %d items total %d err %v", len(sp.Items), sp.Total, err)
	}
}

func testInvalidQueries(t *testing.T, s store.Store) {
	seed(t, s)
	for _, f := range []string{`bogus = 1`, `cost > x`, `model = a or model = b`, `(`, `{"field":1}`} {
		_, err := s.ListTraces(ctx(), app, store.TraceQuery{Filter: f})
		var fe *store.InvalidFilterError
		if !errors.As(err, &fe) {
			t.Errorf("ListTraces filter %q: %v, want *InvalidFilterError", f, err)
		}
		_, err = s.ListSpans(ctx(), app, store.SpanQuery{Filter: f})
		if !errors.As(err, &fe) {
			t.Errorf("ListSpans filter %q: %v, want *InvalidFilterError", f, err)
		}
	}
	var qe *store.InvalidQueryError
	if _, err := s.ListTraces(ctx(), app, store.TraceQuery{SortBy: "drop table"}); !errors.As(err, &qe) {
		t.Errorf("bad trace sort: %v", err)
	}
	if _, err := s.ListTraces(ctx(), app, store.TraceQuery{SortOrder: "sideways"}); !errors.As(err, &qe) {
		t.Errorf("bad sort order: %v", err)
	}
	if _, err := s.ListSessions(ctx(), app, store.SessionQuery{SortBy: "x"}); !errors.As(err, &qe) {
		t.Errorf("bad session sort: %v", err)
	}
	if _, err := s.ListSpans(ctx(), app, store.SpanQuery{Status: "MAYBE"}); !errors.As(err, &qe) {
		t.Errorf("bad span status: %v", err)
	}
	if _, err := s.ListScores(ctx(), app, store.ScoreQuery{ResourceType: "banana"}); !errors.As(err, &qe) {
		t.Errorf("bad resource type: %v", err)
	}
}

func testSpans(t *testing.T, s store.Store) {
	seed(t, s)
	ls := func(q store.SpanQuery) []string {
		t.Helper()
		p, err := s.ListSpans(ctx(), app, q)
		if err != nil {
			t.Fatalf("ListSpans(%+v): %v", q, err)
		}
		return spanIDs(p.Items)
	}
	f := func(v float64) *float64 { return &v }
	all := []string{"s4-gen", "s4-root", "s3-child", "s3-root", "s2-root", "s1-gen2", "s1-gen1", "s1-root"}
	eqIDs(t, "all spans", ls(store.SpanQuery{}), all...)
	cases := []struct {
		q    store.SpanQuery
		want []string
	}{
		{store.SpanQuery{TraceID: TraceSupport}, []string{"s1-gen2", "s1-gen1", "s1-root"}},
		{store.SpanQuery{Type: span.TypeGeneration}, []string{"s4-gen", "s2-root", "s1-gen2", "s1-gen1"}},
		{store.SpanQuery{Status: store.StatusError}, []string{"s2-root", "s1-gen2"}},
		{store.SpanQuery{Status: store.StatusUnset}, []string{"s3-child", "s3-root"}},
		{store.SpanQuery{Name: "chat"}, []string{"s2-root"}},
		{store.SpanQuery{Name: "Chat"}, nil},
		{store.SpanQuery{Model: "gpt"}, []string{"s1-gen2", "s1-gen1"}},
		{store.SpanQuery{ModelEquals: "gpt-4o"}, []string{"s1-gen1"}},
		{store.SpanQuery{MinDurationMs: f(500)}, []string{"s2-root", "s1-gen1", "s1-root"}},
		{store.SpanQuery{MaxDurationMs: f(10)}, []string{"s3-child", "s3-root"}},
		{store.SpanQuery{From: T0.Add(time.Hour), To: T0.Add(2 * time.Hour)}, []string{"s3-root", "s2-root"}},
		{store.SpanQuery{UserID: "u1"}, []string{"s3-root", "s1-root"}},
		{store.SpanQuery{SessionID: "s1"}, []string{"s2-root", "s1-root"}},
		{store.SpanQuery{PromptName: "support"}, []string{"s1-gen1", "s1-root"}},
		{store.SpanQuery{Environment: "production"}, []string{"s1-root"}},
		{store.SpanQuery{Type: span.TypeGeneration, SortBy: store.SpanSortCost, SortOrder: store.Asc}, []string{"s1-gen2", "s1-gen1", "s4-gen", "s2-root"}},
		{store.SpanQuery{Type: span.TypeGeneration, SortBy: store.SpanSortLatency}, []string{"s2-root", "s1-gen1", "s1-gen2", "s4-gen"}},
		{store.SpanQuery{Type: span.TypeGeneration, SortBy: store.SpanSortTokens, SortOrder: store.Asc}, []string{"s1-gen2", "s4-gen", "s1-gen1", "s2-root"}},
		{store.SpanQuery{Limit: 3, Offset: 2}, all[2:5]},
	}
	for _, c := range cases {
		eqIDs(t, fmt.Sprintf("ListSpans(%+v)", c.q), ls(c.q), c.want...)
	}
	p, err := s.ListSpans(ctx(), app, store.SpanQuery{TraceID: TraceSupport, IncludeIO: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range p.Items {
		compareSpan(t, sp, fixtureSpan(sp.SpanID), true)
	}
	p, err = s.ListSpans(ctx(), app, store.SpanQuery{TraceID: TraceSupport})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range p.Items {
		compareSpan(t, sp, fixtureSpan(sp.SpanID), false)
	}
}

func testSpanFilterDSL(t *testing.T, s store.Store) {
	seed(t, s)
	seedScores(t, s)
	cases := []struct {
		f    string
		want []string
	}{
		{`cost >= 0.05`, []string{"s4-gen", "s3-child", "s2-root"}},
		{`latency_ms = 500`, []string{"s1-gen1"}},
		{`status = ERROR`, []string{"s2-root", "s1-gen2"}},
		{`model != gpt-4o and model starts with gpt`, []string{"s1-gen2"}},
		{`metadata.env exists`, []string{"s2-root", "s1-root"}},
		{`metadata.tier = gold`, []string{"s1-root"}},
		{`tags = beta`, []string{"s1-gen1"}},
		{`score__accuracy < 0.5`, []string{"s1-gen1"}},
		{`semantic_kind = llm and prompt_tokens >= 100`, []string{"s2-root", "s1-gen1"}},
		{`output contains "出力"`, []string{"s4-gen"}},
	}
	for _, c := range cases {
		p, err := s.ListSpans(ctx(), app, store.SpanQuery{Filter: c.f})
		if err != nil {
			t.Errorf("filter %q: %v", c.f, err)
			continue
		}
		eqIDs(t, "span filter "+c.f, spanIDs(p.Items), c.want...)
	}
}

func testSessions(t *testing.T, s store.Store) {
	seed(t, s)
	p, err := s.ListSessions(ctx(), app, store.SessionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2 || len(p.Items) != 2 {
		t.Fatalf("sessions: %+v", p)
	}
	s2, s1 := p.Items[0], p.Items[1]
	if s1.ID != "s1" || s2.ID != "s2" {
		t.Fatalf("order: %s, %s", s2.ID, s1.ID)
	}
	if s1.Name != "Support Session" || !s1.Start.Equal(T0) || !s1.End.Equal(T0.Add(time.Hour+ms(2000))) ||
		s1.TraceCount != 2 || !near(s1.TotalCost, 0.511) || s1.TotalTokens != 1665 || s1.LatencyMs != 2000 ||
		!slices.Equal(s1.Tags, []string{"prod", "beta", "exp"}) || !slices.Equal(s1.UserIDs, []string{"u1", "u2"}) {
		t.Errorf("s1 = %+v", s1)
	}
	if s2.Name != "日本語トレース 🚀" || s2.TraceCount != 1 || !near(s2.TotalCost, 0.05) || !slices.Equal(s2.Tags, []string{"ünïcödé"}) {
		t.Errorf("s2 = %+v", s2)
	}
	ids := func(q store.SessionQuery) []string {
		t.Helper()
		p, err := s.ListSessions(ctx(), app, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range p.Items {
			out = append(out, x.ID)
		}
		return out
	}
	eqIDs(t, "sessions by trace_count", ids(store.SessionQuery{SortBy: store.SessionSortTraceCount}), "s1", "s2")
	eqIDs(t, "sessions by cost asc", ids(store.SessionQuery{SortBy: store.SessionSortTotalCost, SortOrder: store.Asc}), "s2", "s1")
	eqIDs(t, "sessions by name asc", ids(store.SessionQuery{SortBy: store.SessionSortName, SortOrder: store.Asc}), "s1", "s2")
	eqIDs(t, "sessions search", ids(store.SessionQuery{Search: "SUPPORT"}), "s1")
	eqIDs(t, "sessions search id", ids(store.SessionQuery{Search: "s2"}), "s2")
	eqIDs(t, "sessions user", ids(store.SessionQuery{UserID: "u3"}), "s2")
	eqIDs(t, "sessions user u2", ids(store.SessionQuery{UserID: "u2"}), "s1")
	eqIDs(t, "sessions from", ids(store.SessionQuery{From: T0.Add(time.Hour)}), "s2")
	eqIDs(t, "sessions page", ids(store.SessionQuery{Limit: 1, Offset: 1}), "s1")
	pg, err := s.ListSessions(ctx(), app, store.SessionQuery{Limit: 1})
	if err != nil || pg.Total != 2 {
		t.Errorf("session page total %d err %v", pg.Total, err)
	}
	tp, err := s.ListSessionTraces(ctx(), app, "s1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	eqIDs(t, "session traces", traceIDs(tp.Items), TraceSupport, TraceChat)
	if tp.Total != 2 {
		t.Errorf("session traces total %d", tp.Total)
	}
}

func testScores(t *testing.T, s store.Store) {
	seed(t, s)
	ids := seedScores(t, s)
	if len(ids) != 3 || ids[0] == "" || ids[0] == ids[1] {
		t.Fatalf("ids %v", ids)
	}
	sc, err := s.GetScore(ctx(), app, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	want := FixtureScores()[1]
	want.ID = ids[1]
	if !sc.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("created_at %v want %v", sc.CreatedAt, want.CreatedAt)
	}
	sc.CreatedAt = want.CreatedAt
	if !reflect.DeepEqual(*sc, want) {
		t.Errorf("GetScore:\n got %+v\nwant %+v", *sc, want)
	}
	// defaults
	before := time.Now().Add(-time.Second)
	did, err := s.CreateScores(ctx(), app, []store.Score{{ResourceID: "s4-gen", Name: "tone", Value: 1, Label: "😀"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.GetScore(ctx(), app, did[0])
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != store.SourceAPI || d.CreatedAt.Before(before) || d.Label != "😀" {
		t.Errorf("defaults: %+v", d)
	}
	list := func(q store.ScoreQuery) []string {
		t.Helper()
		p, err := s.ListScores(ctx(), app, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range p.Items {
			out = append(out, x.ID)
		}
		return out
	}
	eqIDs(t, "all scores newest first", list(store.ScoreQuery{}), did[0], ids[2], ids[1], ids[0])
	eqIDs(t, "by resource", list(store.ScoreQuery{ResourceID: TraceSupport}), ids[0])
	eqIDs(t, "by name", list(store.ScoreQuery{Name: "accuracy"}), ids[1], ids[0])
	eqIDs(t, "by source", list(store.ScoreQuery{Source: store.SourceAnnotation}), ids[1])
	eqIDs(t, "traces", list(store.ScoreQuery{ResourceType: "trace"}), ids[2], ids[0])
	eqIDs(t, "spans", list(store.ScoreQuery{ResourceType: "span"}), did[0], ids[1])
	eqIDs(t, "session", list(store.ScoreQuery{SessionID: "s1"}), ids[2], ids[0])
	eqIDs(t, "dates", list(store.ScoreQuery{From: T0.Add(90 * time.Second), To: T0.Add(150 * time.Second)}), ids[1])
	eqIDs(t, "page", list(store.ScoreQuery{Limit: 2, Offset: 1}), ids[2], ids[1])
	names, err := s.ScoreNames(ctx(), app)
	if err != nil || !slices.Equal(names, []string{"accuracy", "helpfulness", "tone"}) {
		t.Errorf("names %v %v", names, err)
	}
	aggs, err := s.ScoreAggregations(ctx(), app, store.ScoreAggregationQuery{To: T0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(aggs) != 2 || aggs[0].Name != "accuracy" || aggs[0].Count != 2 || !near(aggs[0].Avg, 0.65) ||
		aggs[0].Min != 0.4 || aggs[0].Max != 0.9 || aggs[1].Name != "helpfulness" || aggs[1].Avg != 3 {
		t.Errorf("aggregations %+v", aggs)
	}
	if err := s.DeleteScore(ctx(), app, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetScore(ctx(), app, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted score: %v", err)
	}
	if err := s.DeleteScore(ctx(), app, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func testScoreConflict(t *testing.T, s store.Store) {
	ids, err := s.CreateScores(ctx(), app, []store.Score{{ID: "fixed", ResourceID: "r", Name: "n", Value: 1}})
	if err != nil || ids[0] != "fixed" {
		t.Fatalf("%v %v", ids, err)
	}
	_, err = s.CreateScores(ctx(), app, []store.Score{{ResourceID: "r", Name: "other", Value: 1}, {ID: "fixed", ResourceID: "r", Name: "n", Value: 2}})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate id: %v", err)
	}
	p, _ := s.ListScores(ctx(), app, store.ScoreQuery{})
	if p.Total != 1 {
		t.Errorf("failed batch persisted something: %d scores", p.Total)
	}
	// the same ID in another app is fine
	if _, err := s.CreateScores(ctx(), "app-b", []store.Score{{ID: "fixed", ResourceID: "r", Name: "n", Value: 1}}); err != nil {
		t.Errorf("same id in other app: %v", err)
	}
}

func testMetrics(t *testing.T, s store.Store) {
	seed(t, s)
	m, err := s.Metrics(ctx(), app, store.MetricsQuery{From: T0, To: T0.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	v := m.Summary
	if v.Requests != 4 || v.Errors != 2 || v.Successes != 2 || !near(v.ErrorRate, 0.5) || !near(v.Cost, 0.561) ||
		v.Tokens != 1685 || v.InputTokens != 1122 || v.OutputTokens != 563 || !near(v.AvgLatencyMs, 710) ||
		!near(v.P50LatencyMs, 400) || !near(v.P90LatencyMs, 1550) || !near(v.P99LatencyMs, 1955) ||
		v.UniqueUsers != 2 || v.ModelCount != 4 {
		t.Errorf("summary %+v", v)
	}
	if len(m.Series) != 3 || !m.Series[0].Start.Equal(T0) || m.Series[0].Requests != 2 || !near(m.Series[0].Cost, 0.011) ||
		!m.Series[1].Start.Equal(T0.Add(time.Hour)) || m.Series[1].Errors != 1 || !m.Series[2].Start.Equal(T0.Add(3*time.Hour)) {
		t.Errorf("series %+v", m.Series)
	}
	var models []string
	for _, g := range m.ByModel {
		models = append(models, g.Key)
	}
	eqIDs(t, "by model", models, "claude-3", "gpt-4o", "gpt-4o-mini", "o3")
	if len(m.ByPrompt) != 2 || m.ByPrompt[0].Key != "" || m.ByPrompt[0].Requests != 3 || m.ByPrompt[1].Key != "support" {
		t.Errorf("by prompt %+v", m.ByPrompt)
	}
	day, err := s.Metrics(ctx(), app, store.MetricsQuery{From: T0, To: T0.Add(24 * time.Hour), Bucket: 24 * time.Hour})
	if err != nil || len(day.Series) != 1 || day.Series[0].Requests != 4 {
		t.Errorf("daily series %+v %v", day.Series, err)
	}
	for _, c := range []struct {
		q    store.MetricsQuery
		reqs int64
	}{
		{store.MetricsQuery{Model: "o3"}, 1},
		{store.MetricsQuery{Status: store.StatusError}, 2},
		{store.MetricsQuery{Status: store.StatusOK}, 2},
		{store.MetricsQuery{From: T0.Add(time.Hour), To: T0.Add(4 * time.Hour)}, 2},
		{store.MetricsQuery{From: T0.Add(time.Hour), To: T0.Add(3 * time.Hour)}, 1},
		{store.MetricsQuery{UserID: "u2"}, 1},
		{store.MetricsQuery{PromptName: "support"}, 1},
	} {
		m, err := s.Metrics(ctx(), app, c.q)
		if err != nil || m.Summary.Requests != c.reqs {
			t.Errorf("Metrics(%+v) requests = %d (%v), want %d", c.q, m.Summary.Requests, err, c.reqs)
		}
	}
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	// 8 writers, each writing one span of each of 20 shared traces per batch.
	const writers, traces, rounds = 8, 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				var batch []span.Span
				for tr := 0; tr < traces; tr++ {
					batch = append(batch, span.Span{
						TraceID: fmt.Sprintf("c-%02d", tr), SpanID: fmt.Sprintf("w%d-r%d", w, r), ParentSpanID: "root",
						Type: span.TypeGeneration, Name: "gen", StartTimeNs: at(ms(w*10 + r)), EndTimeNs: at(ms(w*10 + r + 5)),
						Cost: 1, StatusCode: "1",
					})
				}
				if err := s.WriteSpans(ctx(), app, batch); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	p, err := s.ListTraces(ctx(), app, store.TraceQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != traces {
		t.Fatalf("traces = %d", p.Total)
	}
	for _, tr := range p.Items {
		if tr.SpanCount != writers*rounds || tr.Cost != writers*rounds {
			t.Errorf("trace %s: span_count %d cost %v, want %d (lost rollup update)", tr.ID, tr.SpanCount, tr.Cost, writers*rounds)
		}
	}
}

func testLargeValues(t *testing.T, s store.Store) {
	big := strings.Repeat("x", 2<<20)
	input, _ := json.Marshal([]map[string]string{{"role": "user", "content": strings.Repeat("é", 1<<20)}})
	sp := span.Span{
		TraceID: "big", SpanID: "big", Type: span.TypeGeneration, Name: "big", StartTimeNs: at(0), EndTimeNs: at(ms(1)),
		Input: input, Output: big, SpanAttributes: map[string]any{"blob": big},
		Metadata: map[string]string{"long": strings.Repeat("m", 100000)},
	}
	if err := s.WriteSpans(ctx(), app, []span.Span{sp}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSpan(ctx(), app, "big", "big")
	if err != nil {
		t.Fatal(err)
	}
	if got.Output != big || normJSON(got.Input) != normJSON(input) || got.SpanAttributes["blob"] != big || got.Metadata["long"] != sp.Metadata["long"] {
		t.Errorf("large values did not round-trip (output %d bytes)", len(got.Output))
	}
	tr, err := s.GetTrace(ctx(), app, "big")
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(tr.OutputPreview)); n != 160 {
		t.Errorf("output preview %d chars, want 160", n)
	}
	if n := len([]rune(tr.InputPreview)); n != 160 {
		t.Errorf("input preview %d chars, want 160", n)
	}
}

func testUnicode(t *testing.T, s store.Store) {
	sp := span.Span{
		TraceID: "ü-trace-✓", SpanID: "span-🚀", Type: span.TypeSpan, Name: "naïve \"quoted\" 'x' \\ 名前",
		StartTimeNs: at(0), EndTimeNs: at(ms(3)), UserID: "usér", SessionID: "séssion 🌍",
		Metadata: map[string]string{"emoji": "🎉", "quote": `"'`, "ключ": "v"}, Tags: []string{"標籤", "emoji 🎉"},
		Output: "nul\x00byte and bad utf8 \xff end", StatusMsg: "ошибка",
	}
	if err := s.WriteSpans(ctx(), app, []span.Span{sp}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSpan(ctx(), app, sp.TraceID, sp.SpanID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != sp.Name || got.UserID != sp.UserID || got.SessionID != sp.SessionID || got.StatusMsg != sp.StatusMsg ||
		!reflect.DeepEqual(got.Metadata, sp.Metadata) || !slices.Equal(got.Tags, sp.Tags) {
		t.Errorf("unicode round-trip: %+v", got)
	}
	if got.Output != "nulbyte and bad utf8 \uFFFD end" {
		t.Errorf("sanitized output = %q", got.Output)
	}
	eqIDs(t, "unicode tag", listTraces(t, s, store.TraceQuery{Tags: []string{"emoji 🎉"}}), sp.TraceID)
	eqIDs(t, "unicode metadata filter", listTraces(t, s, store.TraceQuery{Filter: `metadata.emoji = "🎉"`}), sp.TraceID)
	eqIDs(t, "unicode session", listTraces(t, s, store.TraceQuery{SessionID: "séssion 🌍"}), sp.TraceID)
	eqIDs(t, "unicode name contains", listTraces(t, s, store.TraceQuery{Search: "名前"}), sp.TraceID)
	p, err := s.ListSessions(ctx(), app, store.SessionQuery{Search: "🌍"})
	if err != nil || len(p.Items) != 1 {
		t.Errorf("unicode session search: %+v %v", p, err)
	}
}

func testEmptyBatch(t *testing.T, s store.Store) {
	if err := s.WriteSpans(ctx(), app, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	bad := []span.Span{{TraceID: "ok", SpanID: "ok", StartTimeNs: 1, EndTimeNs: 2}, {TraceID: "", SpanID: "x"}}
	if err := s.WriteSpans(ctx(), app, bad); err == nil {
		t.Errorf("batch with an empty trace ID accepted")
	}
	if p, _ := s.ListSpans(ctx(), app, store.SpanQuery{}); p.Total != 0 {
		t.Errorf("rejected batch partly stored: %d spans", p.Total)
	}
	p, err := s.ListTraces(ctx(), app, store.TraceQuery{})
	if err != nil || p.Total != 0 || p.Items == nil {
		t.Errorf("empty store list: %+v %v", p, err)
	}
	m, err := s.Metrics(ctx(), app, store.MetricsQuery{})
	if err != nil || m.Summary.Requests != 0 || m.Series == nil {
		t.Errorf("empty metrics %+v %v", m, err)
	}
}

func testClosed(t *testing.T, s store.Store) {
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteSpans(ctx(), app, Fixture()); err == nil {
		t.Errorf("write after Close succeeded")
	}
	if _, err := s.ListTraces(ctx(), app, store.TraceQuery{}); err == nil {
		t.Errorf("read after Close succeeded")
	}
}
