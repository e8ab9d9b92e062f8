package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

var (
	traceSorts   = []string{store.TraceSortName, store.TraceSortStatus, store.TraceSortLatency, store.TraceSortCost, store.TraceSortTokens, store.TraceSortStartTime}
	spanSorts    = []string{store.SpanSortStartTime, store.SpanSortLatency, store.SpanSortCost, store.SpanSortTokens, store.SpanSortName}
	sessionSorts = []string{store.SessionSortName, store.SessionSortStart, store.SessionSortEnd, store.SessionSortTraceCount,
		store.SessionSortTotalCost, store.SessionSortTotalTokens, store.SessionSortLatency}
	sortOrders = []string{"asc", "desc"}
)

// checkFilter parses a filter early so a bad one is a 400 whatever the
// store does with it.
func checkFilter(f string) error {
	if f == "" {
		return nil
	}
	_, err := store.ParseFilter(f)
	return err
}

func pathParam(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if strings.TrimSpace(v) == "" || len(v) > 512 || strings.ContainsRune(v, 0) {
		return "", &Error{Status: 400, Code: codeInvalidPath, Message: "Invalid path parameters",
			Details: map[string]string{name: "String must contain at least 1 character(s)"}}
	}
	return v, nil
}

func notFoundAs(err error, code, msg string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFoundErr(code, msg)
	}
	return err
}

// GET /v1/traces
func listTraces(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	tq := store.TraceQuery{
		Limit:         q.integer("limit", store.DefaultLimit, 1, store.MaxLimit),
		Offset:        q.integer("offset", 0, 0, 1<<31-1),
		From:          q.date("start_date", false),
		To:            q.date("end_date", true),
		SortBy:        q.enum("sort_by", traceSorts...),
		SortOrder:     store.SortOrder(q.enum("sort_order", sortOrders...)),
		Status:        q.enum("status", store.StatusOK, store.StatusError),
		UserID:        q.str("user_id"),
		Model:         q.str("model"),
		DatasetRunID:  q.str("dataset_run_id"),
		SessionID:     q.str("session_id"),
		Name:          q.str("name"),
		Tags:          q.list("tag"),
		CommitSHA:     q.str("commit_sha"),
		ExperimentKey: q.str("experiment_key"),
		PromptName:    q.str("prompt_name"),
		Environment:   q.str("environment"),
		Search:        q.str("search"),
		Filter:        q.str("filter"),
	}
	q.requireOrder("start_date", tq.From, tq.To)
	if err := q.err(); err != nil {
		return err
	}
	if err := checkFilter(tq.Filter); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	p, err := s.store.ListTraces(ctx, s.appID(r), tq)
	if err != nil {
		return err
	}
	items := make([]TraceJSON, len(p.Items))
	for i := range p.Items {
		items[i] = traceJSON(&p.Items[i])
	}
	return page(w, items, p.Total, tq.Limit, tq.Offset)
}

// TraceDetailJSON is GET /v1/traces/{traceId}.
type TraceDetailJSON struct {
	TraceJSON
	Input    *string           `json:"input,omitempty"`
	Output   *string           `json:"output,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
	Spans    []SpanJSON        `json:"spans"`
	Graph    *[]GraphNode      `json:"graph,omitempty"`
	Scores   *[]ScoreJSON      `json:"scores,omitempty"`
}

// traceIO derives the trace's input and output: the root span's, else the
// first GENERATION span's input and the last GENERATION span's output.
func traceIO(spans []span.Span) (in, out *string) {
	if len(spans) == 0 {
		return nil, nil
	}
	root := &spans[0]
	for i := range spans {
		if spans[i].ParentSpanID == "" {
			root = &spans[i]
			break
		}
	}
	usable := func(raw []byte) bool { return len(raw) > 0 && string(raw) != "null" && string(raw) != `""` }
	if usable(root.Input) {
		v := string(root.Input)
		in = &v
	} else {
		for i := range spans {
			if spans[i].Type == span.TypeGeneration && usable(spans[i].Input) {
				v := string(spans[i].Input)
				in = &v
				break
			}
		}
	}
	if root.Output != "" {
		v := root.Output
		out = &v
	} else {
		for i := len(spans) - 1; i >= 0; i-- {
			if spans[i].Type == span.TypeGeneration && spans[i].Output != "" {
				v := spans[i].Output
				out = &v
				break
			}
		}
	}
	return in, out
}

// GET /v1/traces/{traceId}
func getTrace(s *Server, w http.ResponseWriter, r *http.Request) error {
	id, err := pathParam(r, "traceId")
	if err != nil {
		return err
	}
	q := newQuery(r.URL.Query())
	fields := map[string]bool{}
	for _, f := range strings.Split(q.str("fields"), ",") {
		fields[strings.TrimSpace(f)] = true
	}
	if err := q.err(); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	t, err := s.store.GetTrace(ctx, app, id)
	if err != nil {
		return notFoundAs(err, "not_found", "Trace not found")
	}
	out := TraceDetailJSON{TraceJSON: traceJSON(&t.TraceSummary), Spans: make([]SpanJSON, len(t.Spans))}
	for i := range t.Spans {
		out.Spans[i] = spanJSON(&t.Spans[i], true)
	}
	out.Input, out.Output = traceIO(t.Spans)
	if md := publicMeta(t.Metadata); len(md) > 0 {
		out.Metadata = md
	}
	if fields["graph"] {
		g := graphOf(t.Spans)
		out.Graph = &g
	}
	if fields["scores"] {
		scores, err := s.traceScores(r, app, t)
		if err != nil {
			return err
		}
		out.Scores = &scores
	}
	return data(w, out)
}

// traceScores lists the scores on the trace and on each of its spans.
func (s *Server) traceScores(r *http.Request, app string, t *store.Trace) ([]ScoreJSON, error) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	ids := make([]string, 0, len(t.Spans)+1)
	ids = append(ids, t.ID)
	for i := range t.Spans {
		ids = append(ids, t.Spans[i].SpanID)
	}
	out := []ScoreJSON{}
	for _, rid := range ids {
		for offset := 0; ; {
			p, err := s.store.ListScores(ctx, app, store.ScoreQuery{ResourceID: rid, Limit: store.MaxLimit, Offset: offset})
			if err != nil {
				return nil, err
			}
			for i := range p.Items {
				out = append(out, scoreJSON(&p.Items[i]))
			}
			offset += len(p.Items)
			if len(p.Items) == 0 || int64(offset) >= p.Total {
				break
			}
		}
	}
	return out, nil
}

// GET /v1/traces/{traceId}/graph (deprecated)
func getTraceGraph(s *Server, w http.ResponseWriter, r *http.Request) error {
	id, err := pathParam(r, "traceId")
	if err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	spans, err := s.store.ListTraceSpans(ctx, s.appID(r), id)
	if errors.Is(err, store.ErrNotFound) {
		return data(w, []GraphNode{})
	} else if err != nil {
		return err
	}
	return data(w, graphOf(spans))
}

// GET /v1/traces/{traceId}/spans
func listTraceSpans(s *Server, w http.ResponseWriter, r *http.Request) error {
	id, err := pathParam(r, "traceId")
	if err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	spans, err := s.store.ListTraceSpans(ctx, s.appID(r), id)
	if err != nil {
		return notFoundAs(err, "not_found", "Trace not found")
	}
	out := make([]SpanJSON, len(spans))
	for i := range spans {
		out[i] = spanJSON(&spans[i], false)
	}
	return data(w, out)
}

// SpanIOJSON is GET /v1/traces/{traceId}/spans/{spanId}.
type SpanIOJSON struct {
	Input        string            `json:"input"`
	Output       string            `json:"output"`
	OutputObject *string           `json:"output_object"`
	ToolCalls    *string           `json:"tool_calls"`
	Metadata     map[string]string `json:"metadata"`
}

// GET /v1/traces/{traceId}/spans/{spanId}
func getSpanDetail(s *Server, w http.ResponseWriter, r *http.Request) error {
	tid, err := pathParam(r, "traceId")
	if err != nil {
		return err
	}
	sid, err := pathParam(r, "spanId")
	if err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	sp, err := s.store.GetSpan(ctx, s.appID(r), tid, sid)
	if err != nil {
		return notFoundAs(err, "not_found", "Span not found")
	}
	out := SpanIOJSON{Output: sp.Output, Metadata: publicMeta(sp.Metadata)}
	if len(sp.Input) > 0 && string(sp.Input) != "null" {
		out.Input = string(sp.Input)
	}
	if len(sp.OutputObject) > 0 && string(sp.OutputObject) != "null" {
		v := string(sp.OutputObject)
		out.OutputObject = &v
	}
	if len(sp.ToolCalls) > 0 && string(sp.ToolCalls) != "null" {
		v := string(sp.ToolCalls)
		out.ToolCalls = &v
	}
	return data(w, out)
}

// GET /v1/spans
func listSpans(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	sq := store.SpanQuery{
		Limit:         q.integer("limit", store.DefaultSpanLimit, 1, store.MaxSpanLimit),
		Offset:        q.integer("offset", 0, 0, 1<<31-1),
		TraceID:       q.str("trace_id"),
		Type:          q.enum("type", span.TypeSpan, span.TypeGeneration, span.TypeEvent),
		Status:        q.enum("status", store.StatusUnset, store.StatusOK, store.StatusError),
		Name:          q.str("name"),
		Model:         q.str("model"),
		MinDurationMs: q.optNumber("min_duration"),
		MaxDurationMs: q.optNumber("max_duration"),
		From:          q.datetime("start_date", false),
		To:            q.datetime("end_date", true),
		UserID:        q.str("user_id"),
		SessionID:     q.str("session_id"),
		PromptName:    q.str("prompt_name"),
		Environment:   q.str("environment"),
		Filter:        q.str("filter"),
		SortBy:        q.enum("sort_by", spanSorts...),
		SortOrder:     store.SortOrder(q.enum("sort_order", sortOrders...)),
	}
	q.requireOrder("start_date", sq.From, sq.To)
	if sq.MinDurationMs != nil && sq.MaxDurationMs != nil && *sq.MaxDurationMs < *sq.MinDurationMs {
		q.fail("min_duration", "min_duration must not exceed max_duration")
	}
	if err := q.err(); err != nil {
		return err
	}
	if err := checkFilter(sq.Filter); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	p, err := s.store.ListSpans(ctx, s.appID(r), sq)
	if err != nil {
		return err
	}
	out := make([]SpanJSON, len(p.Items))
	for i := range p.Items {
		out[i] = spanJSON(&p.Items[i], false)
	}
	return page(w, out, p.Total, sq.Limit, sq.Offset)
}

// RequestJSON is one LLM call of GET /v1/requests.
type RequestJSON struct {
	ID               string  `json:"id"`
	TenantID         string  `json:"tenant_id"`
	AppID            string  `json:"app_id"`
	Cost             float64 `json:"cost"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	LatencyMs        float64 `json:"latency_ms"`
	ModelUsed        string  `json:"model_used"`
	Status           string  `json:"status"`
	Input            string  `json:"input"`
	Output           *string `json:"output"`
	TS               string  `json:"ts"`
	UserID           string  `json:"user_id"`
	PromptName       string  `json:"prompt_name"`
	TraceID          string  `json:"trace_id"`
	StatusMessage    string  `json:"status_message"`
	Props            string  `json:"props"`
}

// GET /v1/requests (GENERATION spans)
func listRequests(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	sq := store.SpanQuery{
		Type:        span.TypeGeneration,
		Limit:       q.integer("limit", store.DefaultLimit, 1, store.MaxSpanLimit),
		Offset:      q.integer("offset", 0, 0, 1<<31-1),
		From:        q.datetime("start_date", false),
		To:          q.datetime("end_date", true),
		Status:      q.enum("status", store.StatusOK, store.StatusError),
		UserID:      q.str("user_id"),
		ModelEquals: q.str("model"),
		PromptName:  q.str("prompt_name"),
		SortBy:      q.enum("sort_by", spanSorts...),
		SortOrder:   store.SortOrder(q.enum("sort_order", sortOrders...)),
		Filter:      q.str("filter"),
		IncludeIO:   true,
	}
	if err := q.err(); err != nil {
		return err
	}
	if err := checkFilter(sq.Filter); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	p, err := s.store.ListSpans(ctx, app, sq)
	if err != nil {
		return err
	}
	out := make([]RequestJSON, len(p.Items))
	for i := range p.Items {
		sp := &p.Items[i]
		rq := RequestJSON{ID: sp.SpanID, TenantID: app, AppID: app, Cost: sp.Cost, PromptTokens: sp.InputTokens,
			CompletionTokens: sp.OutputTokens, LatencyMs: sp.DurationMs(), ModelUsed: sp.Model, Status: statusName(sp.StatusCode),
			TS: isoTime(nsTime(sp.StartTimeNs)), UserID: sp.UserID, PromptName: sp.PromptName, TraceID: sp.TraceID,
			StatusMessage: sp.StatusMsg, Props: sp.Props}
		if len(sp.Input) > 0 && string(sp.Input) != "null" {
			rq.Input = string(sp.Input)
		}
		switch {
		case sp.Output != "":
			rq.Output = &sp.Output
		case len(sp.OutputObject) > 0 && string(sp.OutputObject) != "null":
			v := string(sp.OutputObject)
			rq.Output = &v
		}
		out[i] = rq
	}
	return page(w, out, p.Total, sq.Limit, sq.Offset)
}

// GET /v1/sessions
func listSessions(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	sq := store.SessionQuery{
		Limit:     q.integer("limit", store.DefaultLimit, 1, store.MaxLimit),
		Offset:    q.integer("offset", 0, 0, 1<<31-1),
		From:      q.datetime("start_date", false),
		To:        q.datetime("end_date", true),
		Search:    q.str("search"),
		UserID:    q.str("user_id"),
		SortBy:    q.enum("sort_by", sessionSorts...),
		SortOrder: store.SortOrder(q.enum("sort_order", sortOrders...)),
	}
	q.requireOrder("start_date", sq.From, sq.To)
	if err := q.err(); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	p, err := s.store.ListSessions(ctx, s.appID(r), sq)
	if err != nil {
		return err
	}
	out := make([]SessionJSON, len(p.Items))
	for i := range p.Items {
		out[i] = sessionJSON(&p.Items[i])
	}
	return page(w, out, p.Total, sq.Limit, sq.Offset)
}

// SessionTraceJSON is one trace of GET /v1/sessions/{sessionId}/traces.
type SessionTraceJSON struct {
	TraceJSON
	Spans []SpanJSON `json:"spans"`
}

// GET /v1/sessions/{sessionId}/traces (deprecated)
func listSessionTraces(s *Server, w http.ResponseWriter, r *http.Request) error {
	id, err := pathParam(r, "sessionId")
	if err != nil {
		return err
	}
	q := newQuery(r.URL.Query())
	limit := q.integer("limit", store.DefaultLimit, 1, store.MaxLimit)
	offset := q.integer("offset", 0, 0, 1<<31-1)
	if err := q.err(); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	p, err := s.store.ListSessionTraces(ctx, app, id, limit, offset)
	if err != nil {
		return notFoundAs(err, "not_found", "Session not found")
	}
	out := make([]SessionTraceJSON, len(p.Items))
	for i := range p.Items {
		spans, err := s.store.ListTraceSpans(ctx, app, p.Items[i].ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st := SessionTraceJSON{TraceJSON: traceJSON(&p.Items[i]), Spans: make([]SpanJSON, len(spans))}
		for j := range spans {
			st.Spans[j] = spanJSON(&spans[j], false)
		}
		out[i] = st
	}
	return page(w, out, p.Total, limit, offset)
}
