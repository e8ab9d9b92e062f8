package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/store"
)

// Time range presets of the list pages.
var ranges = []struct{ Key, Label string }{
	{"1h", "Last hour"}, {"24h", "Last 24 hours"}, {"7d", "Last 7 days"}, {"30d", "Last 30 days"},
	{"90d", "Last 90 days"}, {"all", "All time"},
}

func rangeDur(key string) time.Duration {
	switch key {
	case "1h":
		return time.Hour
	case "24h":
		return 24 * time.Hour
	case "7d":
		return 7 * 24 * time.Hour
	case "30d":
		return 30 * 24 * time.Hour
	case "90d":
		return 90 * 24 * time.Hour
	}
	return 0
}

// timeBounds reads range / from / to (datetime-local or RFC 3339).
func (a *app) timeBounds(q url.Values) (from, to time.Time) {
	if d := rangeDur(q.Get("range")); d > 0 {
		from = a.Now().Add(-d)
	}
	parse := func(s string) time.Time {
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
				return t
			}
		}
		return time.Time{}
	}
	if s := q.Get("from"); s != "" {
		from = parse(s)
	}
	if s := q.Get("to"); s != "" {
		to = parse(s)
	}
	return from, to
}

var (
	metaKeyRe   = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,63}$`)
	scoreNameRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$`)
	numRe       = regexp.MustCompile(`^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$`)
)

func quoteDSL(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// traceQuery turns the filter form into a store query. Problems the user
// can fix come back as messages; the store reports bad DSL itself.
func (a *app) traceQuery(q url.Values) (store.TraceQuery, []string) {
	var tq store.TraceQuery
	var problems []string
	tq.Limit = 50
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= 500 {
		tq.Limit = n
	}
	tq.Offset, _ = strconv.Atoi(q.Get("offset"))
	tq.Offset = max(tq.Offset, 0)
	tq.From, tq.To = a.timeBounds(q)
	switch s := strings.ToUpper(q.Get("status")); s {
	case store.StatusOK, store.StatusError, store.StatusUnset:
		tq.Status = s
	}
	tq.Model = strings.TrimSpace(q.Get("model"))
	tq.UserID = strings.TrimSpace(q.Get("user"))
	tq.SessionID = strings.TrimSpace(q.Get("session"))
	tq.PromptName = strings.TrimSpace(q.Get("prompt"))
	tq.DatasetRunID = strings.TrimSpace(q.Get("run"))
	tq.Search = strings.TrimSpace(q.Get("q"))
	for _, t := range q["tag"] {
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				tq.Tags = append(tq.Tags, p)
			}
		}
	}
	var dsl []string
	if m := strings.TrimSpace(q.Get("meta")); m != "" {
		k, v, ok := strings.Cut(m, "=")
		k = strings.TrimSpace(k)
		switch {
		case !metaKeyRe.MatchString(k):
			problems = append(problems, "Metadata filter: use key=value with a key of letters, digits and _.")
		case !ok:
			dsl = append(dsl, "metadata."+k+" exists")
		default:
			dsl = append(dsl, "metadata."+k+" = "+quoteDSL(strings.TrimSpace(v)))
		}
	}
	num := func(param, field, op string) {
		s := strings.TrimSpace(q.Get(param))
		if s == "" {
			return
		}
		if !numRe.MatchString(s) {
			problems = append(problems, "“"+s+"” is not a number.")
			return
		}
		dsl = append(dsl, field+" "+op+" "+s)
	}
	num("cost_min", "cost", ">=")
	num("cost_max", "cost", "<=")
	num("lat_min", "latency_ms", ">=")
	num("lat_max", "latency_ms", "<=")
	if name := strings.TrimSpace(q.Get("score")); name != "" {
		if !scoreNameRe.MatchString(name) {
			problems = append(problems, "Score name: letters, digits, _ and - only.")
		} else {
			op := q.Get("score_op")
			switch op {
			case ">=", "<=", "=", ">", "<", "!=":
			default:
				op = ">="
			}
			v := strings.TrimSpace(q.Get("score_value"))
			if v == "" { // any score with that name
				op, v = ">=", "-1e308"
			}
			if numRe.MatchString(v) {
				dsl = append(dsl, "score__"+name+" "+op+" "+v)
			} else {
				problems = append(problems, "Score value must be a number.")
			}
		}
	}
	if f := strings.TrimSpace(q.Get("filter")); f != "" {
		dsl = append(dsl, f)
	}
	tq.Filter = strings.Join(dsl, " and ")
	switch s := q.Get("sort"); s {
	case store.TraceSortName, store.TraceSortStatus, store.TraceSortLatency, store.TraceSortCost, store.TraceSortTokens, store.TraceSortStartTime:
		tq.SortBy = s
	}
	if q.Get("order") == "asc" {
		tq.SortOrder = store.Asc
	} else {
		tq.SortOrder = store.Desc
	}
	return tq, problems
}

type tracesData struct {
	Page      store.Page[store.TraceSummary]
	Query     store.TraceQuery
	Problems  []string
	Ranges    any
	Range     string
	Newest    int64 // start ns of the newest trace shown (for the new-trace poll)
	Live      bool
	Prev      int
	Next      int
	HasPrev   bool
	HasNext   bool
	First     int
	Last      int
	Filtered  bool
	Models    []string
	Sort      string
	Order     string
	ScoreOps  []string
	Advanced  bool
	ShowingAt time.Time
}

func (a *app) handleTraces(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tq, problems := a.traceQuery(q)
	d := tracesData{Query: tq, Problems: problems, Ranges: ranges, Range: q.Get("range"),
		Sort: tq.SortBy, Order: string(tq.SortOrder), ScoreOps: []string{">=", "<=", "=", ">", "<", "!="},
		ShowingAt: a.Now()}
	if d.Sort == "" {
		d.Sort = store.TraceSortStartTime
	}
	for _, k := range []string{"status", "model", "user", "session", "prompt", "run", "q", "tag", "meta", "cost_min", "cost_max", "lat_min", "lat_max", "score", "filter", "range", "from", "to"} {
		if q.Get(k) != "" {
			d.Filtered = true
		}
	}
	d.Advanced = q.Get("meta") != "" || q.Get("cost_min") != "" || q.Get("cost_max") != "" || q.Get("lat_min") != "" ||
		q.Get("lat_max") != "" || q.Get("score") != "" || q.Get("filter") != "" || q.Get("prompt") != "" || q.Get("run") != "" ||
		q.Get("from") != "" || q.Get("to") != ""
	if len(problems) == 0 {
		page, err := a.Traces.ListTraces(r.Context(), a.AppID, tq)
		if err != nil {
			var msg string
			if fe := asFilterErr(err); fe != nil {
				msg = "Filter: " + fe.Msg
			} else if qe := asQueryErr(err); qe != nil {
				msg = qe.Error()
			}
			if msg == "" {
				a.storeError(w, r, err, "Traces")
				return
			}
			d.Problems = append(d.Problems, msg)
		} else {
			d.Page = page
		}
	}
	for _, t := range d.Page.Items {
		if t.Start.UnixNano() > d.Newest {
			d.Newest = t.Start.UnixNano()
		}
	}
	if d.Newest == 0 {
		d.Newest = a.Now().UnixNano()
	}
	d.Live = tq.Offset == 0 && (tq.SortBy == "" || tq.SortBy == store.TraceSortStartTime) && tq.SortOrder == store.Desc && tq.To.IsZero()
	d.HasPrev = tq.Offset > 0
	d.Prev = max(tq.Offset-tq.Limit, 0)
	d.Next = tq.Offset + tq.Limit
	d.HasNext = int64(d.Next) < d.Page.Total
	d.First = tq.Offset + 1
	d.Last = tq.Offset + len(d.Page.Items)
	block := ""
	if isHX(r) && r.Header.Get("HX-Target") == "trace-results" {
		block = "results"
	}
	a.render(w, r, http.StatusOK, "traces", block, view{Title: "Traces", Nav: "traces", Data: d})
}

// handleTracesNew answers the live poll: how many traces matching the
// current filters started after the newest one on screen.
func (a *app) handleTracesNew(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tq, problems := a.traceQuery(q)
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(problems) > 0 || after == 0 {
		return
	}
	from := time.Unix(0, after+1).UTC()
	if tq.From.Before(from) {
		tq.From = from
	}
	tq.Limit, tq.Offset = 1, 0
	page, err := a.Traces.ListTraces(r.Context(), a.AppID, tq)
	if err != nil || page.Total == 0 {
		return
	}
	a.render(w, r, http.StatusOK, "traces", "newbanner", view{Data: page.Total, Query: qWithout(q, "after")})
}

func qWithout(q url.Values, keys ...string) url.Values {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	for _, k := range keys {
		c.Del(k)
	}
	return c
}
