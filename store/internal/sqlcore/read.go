package sqlcore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func nsOf(t time.Time) int64 { return t.UnixNano() }

var traceSortCol = map[string]string{
	"": "t.start_ns", store.TraceSortName: "t.name", store.TraceSortStatus: "t.status_code",
	store.TraceSortLatency: "t.latency_ms", store.TraceSortCost: "t.cost", store.TraceSortTokens: "t.tokens",
	store.TraceSortStartTime: "t.start_ns",
}

func (b *builder) traceWhere(appID string, q store.TraceQuery) (string, error) {
	w := []string{"t.app_id = " + b.arg(appID)}
	if !q.From.IsZero() {
		w = append(w, "t.start_ns >= "+b.arg(nsOf(q.From)))
	}
	if !q.To.IsZero() {
		w = append(w, "t.start_ns <= "+b.arg(nsOf(q.To)))
	}
	switch q.Status {
	case "":
	case store.StatusOK:
		w = append(w, "t.status_code = 1")
	case store.StatusError:
		w = append(w, "t.status_code = 2")
	case store.StatusUnset:
		w = append(w, "t.status_code = 0")
	default:
		return "", &store.InvalidQueryError{Param: "status", Msg: fmt.Sprintf("must be OK or ERROR, got %q", q.Status)}
	}
	if q.UserID != "" {
		w = append(w, "t.trace_id IN (SELECT s.trace_id FROM spans s WHERE s.app_id = t.app_id AND s.user_id = "+b.arg(q.UserID)+")")
	}
	if q.SessionID != "" {
		w = append(w, "t.trace_id IN (SELECT s.trace_id FROM spans s WHERE s.app_id = t.app_id AND s.session_id = "+b.arg(q.SessionID)+")")
	}
	if q.Model != "" {
		w = append(w, b.d.JSONHasElem("t.models", b.arg(q.Model)))
	}
	for col, v := range map[string]string{
		"dataset_run_id": q.DatasetRunID, "experiment_key": q.ExperimentKey, "commit_sha": q.CommitSHA,
		"prompt_name": q.PromptName, "environment": q.Environment, "name": q.Name,
	} {
		if v != "" {
			w = append(w, "t."+col+" = "+b.arg(v))
		}
	}
	if len(q.Tags) > 0 {
		var ors []string
		for _, tag := range q.Tags {
			ors = append(ors, b.d.JSONHasElem("t.tags", b.arg(tag)))
		}
		w = append(w, "("+strings.Join(ors, " OR ")+")")
	}
	if q.Search != "" {
		ph := b.arg("%" + likeEscape(q.Search) + "%")
		w = append(w, "("+b.d.ILike("t.trace_id", ph)+" OR "+b.d.ILike("t.name", ph)+" OR "+
			b.d.ILike("t.input_preview", ph)+" OR "+b.d.ILike("t.output_preview", ph)+")")
	}
	f, err := store.ParseFilter(q.Filter)
	if err != nil {
		return "", err
	}
	c, err := b.compileFilter(f, true)
	if err != nil {
		return "", err
	}
	if c != "" {
		w = append(w, c)
	}
	return strings.Join(w, " AND "), nil
}

// ListTraces implements store.TraceReader.
func (c *Core) ListTraces(ctx context.Context, appID string, q store.TraceQuery) (store.Page[store.TraceSummary], error) {
	var page store.Page[store.TraceSummary]
	col, ok := traceSortCol[q.SortBy]
	if !ok {
		return page, &store.InvalidQueryError{Param: "sort_by", Msg: fmt.Sprintf("unknown sort field %q", q.SortBy)}
	}
	dir, err := order(q.SortOrder, store.Desc)
	if err != nil {
		return page, err
	}
	b := &builder{d: c.D}
	where, err := b.traceWhere(appID, q)
	if err != nil {
		return page, err
	}
	countArgs := append([]any(nil), b.args...)
	lim := b.arg(int64(limit(q.Limit, store.DefaultLimit, store.MaxLimit)))
	off := b.arg(int64(max(q.Offset, 0)))
	sql := "SELECT " + traceSelect + " FROM traces t WHERE " + where + " ORDER BY " + col + " " + dir +
		", t.trace_id " + dir + " LIMIT " + lim + " OFFSET " + off
	page.Items, err = queryAll(ctx, c.Q, sql, b.args, scanTrace)
	if err != nil {
		return page, err
	}
	if page.Items == nil {
		page.Items = []store.TraceSummary{}
	}
	if q.Offset <= 0 && len(page.Items) < limit(q.Limit, store.DefaultLimit, store.MaxLimit) {
		page.Total = int64(len(page.Items))
		return page, nil
	}
	page.Total, err = queryInt(ctx, c.Q, "SELECT COUNT(*) FROM traces t WHERE "+where, countArgs)
	return page, err
}

func (c *Core) traceSummary(ctx context.Context, appID, traceID string) (*store.TraceSummary, error) {
	b := &builder{d: c.D}
	sql := "SELECT " + traceSelect + " FROM traces t WHERE t.app_id = " + b.arg(appID) + " AND t.trace_id = " + b.arg(traceID)
	ts, err := queryAll(ctx, c.Q, sql, b.args, scanTrace)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("trace %q: %w", traceID, store.ErrNotFound)
	}
	return &ts[0], nil
}

func (c *Core) traceSpans(ctx context.Context, appID, traceID string, heavy bool) ([]span.Span, error) {
	b := &builder{d: c.D}
	sql := "SELECT " + SpanSelect(heavy) + " FROM spans s WHERE s.app_id = " + b.arg(appID) + " AND s.trace_id = " +
		b.arg(traceID) + " ORDER BY s.start_ns, s.span_id"
	return queryAll(ctx, c.Q, sql, b.args, spanScanner(appID, heavy))
}

func spanScanner(appID string, heavy bool) func(Rows) (span.Span, error) {
	return func(r Rows) (span.Span, error) {
		x := spanScan{heavy: heavy}
		if err := r.Scan(x.dest()...); err != nil {
			return span.Span{}, err
		}
		return x.finish(appID), nil
	}
}

// GetTrace implements store.TraceReader.
func (c *Core) GetTrace(ctx context.Context, appID, traceID string) (*store.Trace, error) {
	sum, err := c.traceSummary(ctx, appID, traceID)
	if err != nil {
		return nil, err
	}
	spans, err := c.traceSpans(ctx, appID, traceID, true)
	if err != nil {
		return nil, err
	}
	return &store.Trace{TraceSummary: *sum, Spans: spans}, nil
}

// ListTraceSpans implements store.TraceReader.
func (c *Core) ListTraceSpans(ctx context.Context, appID, traceID string) ([]span.Span, error) {
	spans, err := c.traceSpans(ctx, appID, traceID, false)
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("trace %q: %w", traceID, store.ErrNotFound)
	}
	return spans, nil
}

// GetSpan implements store.TraceReader.
func (c *Core) GetSpan(ctx context.Context, appID, traceID, spanID string) (*span.Span, error) {
	b := &builder{d: c.D}
	sql := "SELECT " + SpanSelect(true) + " FROM spans s WHERE s.app_id = " + b.arg(appID) + " AND s.trace_id = " +
		b.arg(traceID) + " AND s.span_id = " + b.arg(spanID)
	spans, err := queryAll(ctx, c.Q, sql, b.args, spanScanner(appID, true))
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("span %q in trace %q: %w", spanID, traceID, store.ErrNotFound)
	}
	return &spans[0], nil
}

var spanSortCol = map[string]string{
	"": "s.start_ns", store.SpanSortStartTime: "s.start_ns", store.SpanSortLatency: "s.duration_ms",
	store.SpanSortCost: "s.cost", store.SpanSortTokens: "s.total_tokens", store.SpanSortName: "s.name",
}

// ListSpans implements store.SpanReader.
func (c *Core) ListSpans(ctx context.Context, appID string, q store.SpanQuery) (store.Page[span.Span], error) {
	var page store.Page[span.Span]
	col, ok := spanSortCol[q.SortBy]
	if !ok {
		return page, &store.InvalidQueryError{Param: "sort_by", Msg: fmt.Sprintf("unknown sort field %q", q.SortBy)}
	}
	dir, err := order(q.SortOrder, store.Desc)
	if err != nil {
		return page, err
	}
	b := &builder{d: c.D}
	w := []string{"s.app_id = " + b.arg(appID)}
	eq := func(col, v string) {
		if v != "" {
			w = append(w, "s."+col+" = "+b.arg(v))
		}
	}
	eq("trace_id", q.TraceID)
	eq("type", q.Type)
	eq("model", q.ModelEquals)
	eq("user_id", q.UserID)
	eq("session_id", q.SessionID)
	eq("prompt_name", q.PromptName)
	eq("environment", q.Environment)
	switch q.Status {
	case "":
	case store.StatusOK, store.StatusError, store.StatusUnset:
		w = append(w, "s.status_code IN ("+statusCodes(q.Status)+")")
	default:
		return page, &store.InvalidQueryError{Param: "status", Msg: fmt.Sprintf("must be UNSET, OK or ERROR, got %q", q.Status)}
	}
	if q.Name != "" {
		w = append(w, c.D.Contains("s.name", b.arg(q.Name)))
	}
	if q.Model != "" {
		w = append(w, c.D.Contains("s.model", b.arg(q.Model)))
	}
	if q.MinDurationMs != nil {
		w = append(w, "s.duration_ms >= "+b.arg(*q.MinDurationMs))
	}
	if q.MaxDurationMs != nil {
		w = append(w, "s.duration_ms <= "+b.arg(*q.MaxDurationMs))
	}
	if !q.From.IsZero() {
		w = append(w, "s.start_ns >= "+b.arg(nsOf(q.From)))
	}
	if !q.To.IsZero() {
		w = append(w, "s.start_ns <= "+b.arg(nsOf(q.To)))
	}
	f, err := store.ParseFilter(q.Filter)
	if err != nil {
		return page, err
	}
	fc, err := b.compileFilter(f, false)
	if err != nil {
		return page, err
	}
	if fc != "" {
		w = append(w, fc)
	}
	where := strings.Join(w, " AND ")
	countArgs := append([]any(nil), b.args...)
	lim := limit(q.Limit, store.DefaultSpanLimit, store.MaxSpanLimit)
	sql := "SELECT " + SpanSelect(q.IncludeIO) + " FROM spans s WHERE " + where + " ORDER BY " + col + " " + dir +
		", s.trace_id " + dir + ", s.span_id " + dir + " LIMIT " + b.arg(int64(lim)) + " OFFSET " + b.arg(int64(max(q.Offset, 0)))
	page.Items, err = queryAll(ctx, c.Q, sql, b.args, spanScanner(appID, q.IncludeIO))
	if err != nil {
		return page, err
	}
	if page.Items == nil {
		page.Items = []span.Span{}
	}
	if q.Offset <= 0 && len(page.Items) < lim {
		page.Total = int64(len(page.Items))
		return page, nil
	}
	page.Total, err = queryInt(ctx, c.Q, "SELECT COUNT(*) FROM spans s WHERE "+where, countArgs)
	return page, err
}

var sessionSortCol = map[string]string{
	"": "start_ns", store.SessionSortName: "name", store.SessionSortStart: "start_ns", store.SessionSortEnd: "end_ns",
	store.SessionSortTraceCount: "trace_count", store.SessionSortTotalCost: "total_cost",
	store.SessionSortTotalTokens: "total_tokens", store.SessionSortLatency: "latency_ms",
}

// ListSessions implements store.SessionReader.
func (c *Core) ListSessions(ctx context.Context, appID string, q store.SessionQuery) (store.Page[store.Session], error) {
	var page store.Page[store.Session]
	col, ok := sessionSortCol[q.SortBy]
	if !ok {
		return page, &store.InvalidQueryError{Param: "sort_by", Msg: fmt.Sprintf("unknown sort field %q", q.SortBy)}
	}
	dir, err := order(q.SortOrder, store.Desc)
	if err != nil {
		return page, err
	}
	b := &builder{d: c.D}
	app := b.arg(appID)
	w := []string{"app_id = " + app}
	if q.UserID != "" {
		w = append(w, "session_id IN (SELECT ts.session_id FROM trace_sessions ts WHERE ts.app_id = "+app+
			" AND ts.trace_id IN (SELECT u.trace_id FROM spans u WHERE u.app_id = "+app+" AND u.user_id = "+b.arg(q.UserID)+"))")
	}
	if !q.From.IsZero() {
		w = append(w, "start_ns >= "+b.arg(nsOf(q.From)))
	}
	if !q.To.IsZero() {
		w = append(w, "start_ns <= "+b.arg(nsOf(q.To)))
	}
	if q.Search != "" {
		ph := b.arg("%" + likeEscape(q.Search) + "%")
		w = append(w, "("+c.D.ILike("session_id", ph)+" OR "+c.D.ILike("name", ph)+")")
	}
	where := " WHERE " + strings.Join(w, " AND ")
	countArgs := append([]any(nil), b.args...)
	lim := limit(q.Limit, store.DefaultLimit, store.MaxLimit)
	sql := "SELECT session_id, name, start_ns, end_ns, trace_count, total_cost, total_tokens, latency_ms FROM sessions" + where +
		" ORDER BY " + col + " " + dir + ", session_id " + dir + " LIMIT " + b.arg(int64(lim)) + " OFFSET " + b.arg(int64(max(q.Offset, 0)))
	page.Items, err = queryAll(ctx, c.Q, sql, b.args, func(r Rows) (store.Session, error) {
		var s store.Session
		var start, end int64
		err := r.Scan(&s.ID, &s.Name, &start, &end, &s.TraceCount, &s.TotalCost, &s.TotalTokens, &s.LatencyMs)
		s.Start, s.End = nsTime(start), nsTime(end)
		return s, err
	})
	if err != nil {
		return page, err
	}
	if page.Items == nil {
		page.Items = []store.Session{}
	}
	if err := c.sessionTags(ctx, appID, page.Items); err != nil {
		return page, err
	}
	if q.Offset <= 0 && len(page.Items) < lim {
		page.Total = int64(len(page.Items))
		return page, nil
	}
	page.Total, err = queryInt(ctx, c.Q, "SELECT COUNT(*) FROM sessions"+where, countArgs)
	return page, err
}

// sessionTags fills Tags and UserIDs of a page of sessions.
func (c *Core) sessionTags(ctx context.Context, appID string, sessions []store.Session) error {
	if len(sessions) == 0 {
		return nil
	}
	b := &builder{d: c.D}
	app := b.arg(appID)
	phs := make([]string, len(sessions))
	idx := map[string]int{}
	for i := range sessions {
		phs[i] = b.arg(sessions[i].ID)
		idx[sessions[i].ID] = i
	}
	sql := "SELECT ts.session_id, t.tags, t.user_id FROM trace_sessions ts JOIN traces t ON t.app_id = ts.app_id" +
		" AND t.trace_id = ts.trace_id WHERE ts.app_id = " + app + " AND ts.session_id IN (" + strings.Join(phs, ", ") +
		") ORDER BY t.start_ns, t.trace_id"
	type row struct{ sid, tags, user string }
	rows, err := queryAll(ctx, c.Q, sql, b.args, func(r Rows) (row, error) {
		var x row
		return x, r.Scan(&x.sid, &x.tags, &x.user)
	})
	if err != nil {
		return err
	}
	for _, x := range rows {
		s := &sessions[idx[x.sid]]
		var tags []string
		if x.tags != "" && x.tags != "[]" {
			_ = jsonUnmarshal(x.tags, &tags)
		}
		for _, t := range tags {
			if !contains(s.Tags, t) {
				s.Tags = append(s.Tags, t)
			}
		}
		if x.user != "" && !contains(s.UserIDs, x.user) {
			s.UserIDs = append(s.UserIDs, x.user)
		}
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// ListSessionTraces implements store.SessionReader.
func (c *Core) ListSessionTraces(ctx context.Context, appID, sessionID string, lim, offset int) (store.Page[store.TraceSummary], error) {
	var page store.Page[store.TraceSummary]
	b := &builder{d: c.D}
	// The membership table holds exactly the traces some span of which
	// carries a (valid) session ID.
	members := "SELECT ts.trace_id FROM trace_sessions ts WHERE ts.app_id = t.app_id AND ts.session_id = "
	if !validSession(sessionID) {
		members = "SELECT s.trace_id FROM spans s WHERE s.app_id = t.app_id AND s.session_id = "
	}
	where := "t.app_id = " + b.arg(appID) + " AND t.trace_id IN (" + members + b.arg(sessionID) + ")"
	countArgs := append([]any(nil), b.args...)
	total, err := queryInt(ctx, c.Q, "SELECT COUNT(*) FROM traces t WHERE "+where, countArgs)
	if err != nil {
		return page, err
	}
	if total == 0 {
		return page, fmt.Errorf("session %q: %w", sessionID, store.ErrNotFound)
	}
	sql := "SELECT " + traceSelect + " FROM traces t WHERE " + where + " ORDER BY t.start_ns ASC, t.trace_id ASC LIMIT " +
		b.arg(int64(limit(lim, store.DefaultLimit, store.MaxLimit))) + " OFFSET " + b.arg(int64(max(offset, 0)))
	page.Items, err = queryAll(ctx, c.Q, sql, b.args, scanTrace)
	if page.Items == nil {
		page.Items = []store.TraceSummary{}
	}
	page.Total = total
	return page, err
}

func sortStrings(xs []string) { sort.Strings(xs) }
