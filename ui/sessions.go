package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/store"
)

type sessionsData struct {
	Page             store.Page[store.Session]
	Ranges           any
	Range            string
	Sort, Order      string
	Prev, Next       int
	HasPrev, HasNext bool
	First, Last      int
	Filtered         bool
}

var sessionSorts = map[string]bool{store.SessionSortName: true, store.SessionSortStart: true, store.SessionSortEnd: true,
	store.SessionSortTraceCount: true, store.SessionSortTotalCost: true, store.SessionSortTotalTokens: true, store.SessionSortLatency: true}

func (a *app) handleSessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sq := store.SessionQuery{Limit: 50, Search: strings.TrimSpace(q.Get("q")), UserID: strings.TrimSpace(q.Get("user"))}
	sq.Offset, _ = strconv.Atoi(q.Get("offset"))
	sq.Offset = max(sq.Offset, 0)
	sq.From, sq.To = a.timeBounds(q)
	if s := q.Get("sort"); sessionSorts[s] {
		sq.SortBy = s
	}
	sq.SortOrder = store.Desc
	if q.Get("order") == "asc" {
		sq.SortOrder = store.Asc
	}
	page, err := a.Sessions.ListSessions(r.Context(), a.AppID, sq)
	if err != nil {
		a.storeError(w, r, err, "Sessions")
		return
	}
	d := sessionsData{Page: page, Ranges: ranges, Range: q.Get("range"), Sort: sq.SortBy, Order: string(sq.SortOrder),
		HasPrev: sq.Offset > 0, Prev: max(sq.Offset-sq.Limit, 0), Next: sq.Offset + sq.Limit,
		First: sq.Offset + 1, Last: sq.Offset + len(page.Items), Filtered: sq.Search != "" || sq.UserID != "" || !sq.From.IsZero()}
	if d.Sort == "" {
		d.Sort = store.SessionSortStart
	}
	d.HasNext = int64(d.Next) < page.Total
	a.render(w, r, http.StatusOK, "sessions", "", view{Title: "Sessions", Nav: "sessions", Data: d})
}

type sessionData struct {
	ID               string
	Name             string
	Traces           store.Page[store.TraceSummary]
	Cost             float64
	Tokens           int64
	Errors           int
	Prev, Next       int
	HasPrev, HasNext bool
}

func (a *app) handleSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	off = max(off, 0)
	const lim = 100
	page, err := a.Sessions.ListSessionTraces(r.Context(), a.AppID, id, lim, off)
	if err != nil {
		a.storeError(w, r, err, "Session")
		return
	}
	d := sessionData{ID: id, Traces: page, HasPrev: off > 0, Prev: max(off-lim, 0), Next: off + lim}
	d.HasNext = int64(d.Next) < page.Total
	for _, t := range page.Items {
		d.Cost += t.Cost
		d.Tokens += t.Tokens
		if t.Status == store.StatusError {
			d.Errors++
		}
		if d.Name == "" && t.SessionName != "" {
			d.Name = t.SessionName
		}
	}
	a.render(w, r, http.StatusOK, "session", "", view{Title: "Session " + id, Nav: "sessions", Data: d})
}

type turnData struct {
	TraceID string
	User    []chatMsg // the last user message of the root input
	Output  string
	Err     string
}

// handleSessionTurn lazy-loads one conversation turn: the last user
// message of the trace's root input and the root output.
func (a *app) handleSessionTurn(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("traceID")
	spans, err := a.Traces.ListTraceSpans(r.Context(), a.AppID, tid)
	if err != nil || len(spans) == 0 {
		a.render(w, r, http.StatusOK, "session", "turn", view{Data: turnData{TraceID: tid, Err: "Trace not found."}})
		return
	}
	root := spans[0].SpanID
	for _, s := range spans {
		if s.ParentSpanID == "" {
			root = s.SpanID
			break
		}
	}
	s, err := a.Traces.GetSpan(r.Context(), a.AppID, tid, root)
	if err != nil {
		a.render(w, r, http.StatusOK, "session", "turn", view{Data: turnData{TraceID: tid, Err: "Span not found."}})
		return
	}
	d := turnData{TraceID: tid, Output: s.Output}
	if d.Output == "" && len(s.OutputObject) > 0 {
		d.Output, _ = jsonPretty(s.OutputObject)
	}
	if msgs, ok := parseMessages(s.Input); ok {
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Role == "user" {
				d.User = msgs[i : i+1]
				break
			}
		}
	}
	if s.IsError() {
		d.Err = s.StatusMsg
		if d.Err == "" {
			d.Err = "error"
		}
	}
	a.render(w, r, http.StatusOK, "session", "turn", view{Data: d})
}
