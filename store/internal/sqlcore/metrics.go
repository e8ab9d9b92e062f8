package sqlcore

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/store"
)

func sortBy[T any](xs []T, key func(T) string) {
	sort.SliceStable(xs, func(i, j int) bool { return key(xs[i]) < key(xs[j]) })
}

// acc accumulates the metrics of one group.
type acc struct {
	v      store.MetricValues
	lat    []float64
	users  map[string]bool
	models map[string]bool
	latSum float64
}

func newAcc() *acc { return &acc{users: map[string]bool{}, models: map[string]bool{}} }

type req struct {
	start               int64
	dur, cost           float64
	status              string
	tot, in, out        int64
	model, prompt, user string
}

func (a *acc) add(r *req) {
	a.v.Requests++
	if r.status == "2" {
		a.v.Errors++
	} else {
		a.v.Successes++
	}
	a.v.Cost += r.cost
	tok := r.tot
	if tok == 0 {
		tok = r.in + r.out
	}
	a.v.Tokens += tok
	a.v.InputTokens += r.in
	a.v.OutputTokens += r.out
	a.latSum += r.dur
	a.lat = append(a.lat, r.dur)
	if r.user != "" {
		a.users[r.user] = true
	}
	if r.model != "" {
		a.models[r.model] = true
	}
}

// percentile with linear interpolation between closest ranks of sorted xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	pos := p * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return xs[lo] + (xs[hi]-xs[lo])*(pos-float64(lo))
}

func (a *acc) done() store.MetricValues {
	v := a.v
	if v.Requests > 0 {
		v.ErrorRate = float64(v.Errors) / float64(v.Requests)
		v.AvgLatencyMs = a.latSum / float64(v.Requests)
	}
	sort.Float64s(a.lat)
	v.P50LatencyMs = percentile(a.lat, 0.50)
	v.P90LatencyMs = percentile(a.lat, 0.90)
	v.P95LatencyMs = percentile(a.lat, 0.95)
	v.P99LatencyMs = percentile(a.lat, 0.99)
	v.UniqueUsers = int64(len(a.users))
	v.ModelCount = int64(len(a.models))
	return v
}

// Metrics implements store.MetricsReader. It streams the matching
// GENERATION spans' numeric columns and aggregates in Go, so both backends
// compute identical numbers (percentiles included).
func (c *Core) Metrics(ctx context.Context, appID string, q store.MetricsQuery) (*store.Metrics, error) {
	bucket := q.Bucket
	if bucket <= 0 {
		bucket = time.Hour
	}
	b := &builder{d: c.D}
	w := []string{"s.app_id = " + b.arg(appID), "s.type = 'GENERATION'"}
	if !q.From.IsZero() {
		w = append(w, "s.start_ns >= "+b.arg(nsOf(q.From)))
	}
	if !q.To.IsZero() {
		w = append(w, "s.start_ns < "+b.arg(nsOf(q.To)))
	}
	for col, v := range map[string]string{"model": q.Model, "user_id": q.UserID, "prompt_name": q.PromptName, "environment": q.Environment} {
		if v != "" {
			w = append(w, "s."+col+" = "+b.arg(v))
		}
	}
	switch q.Status {
	case "":
	case store.StatusError:
		w = append(w, "s.status_code = '2'")
	case store.StatusOK:
		w = append(w, "s.status_code <> '2'")
	default:
		return nil, &store.InvalidQueryError{Param: "status", Msg: fmt.Sprintf("must be OK or ERROR, got %q", q.Status)}
	}
	sql := "SELECT s.start_ns, s.duration_ms, s.cost, s.status_code, s.total_tokens, s.input_tokens, s.output_tokens, s.model, s.prompt_name, s.user_id FROM spans s WHERE " +
		strings.Join(w, " AND ")
	rows, err := c.Q.Query(ctx, sql, b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	total := newAcc()
	buckets := map[int64]*acc{}
	byModel := map[string]*acc{}
	byPrompt := map[string]*acc{}
	get := func(m map[string]*acc, k string) *acc {
		a := m[k]
		if a == nil {
			a = newAcc()
			m[k] = a
		}
		return a
	}
	bn := bucket.Nanoseconds()
	for rows.Next() {
		var r req
		if err := rows.Scan(&r.start, &r.dur, &r.cost, &r.status, &r.tot, &r.in, &r.out, &r.model, &r.prompt, &r.user); err != nil {
			return nil, err
		}
		total.add(&r)
		k := r.start - ((r.start%bn)+bn)%bn
		a := buckets[k]
		if a == nil {
			a = newAcc()
			buckets[k] = a
		}
		a.add(&r)
		get(byModel, r.model).add(&r)
		get(byPrompt, r.prompt).add(&r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	m := &store.Metrics{Summary: total.done(), Series: []store.MetricsBucket{}}
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		m.Series = append(m.Series, store.MetricsBucket{Start: nsTime(k), MetricValues: buckets[k].done()})
	}
	m.ByModel = groups(byModel)
	m.ByPrompt = groups(byPrompt)
	return m, nil
}

func groups(m map[string]*acc) []store.GroupMetrics {
	out := make([]store.GroupMetrics, 0, len(m))
	for k, a := range m {
		out = append(out, store.GroupMetrics{Key: k, MetricValues: a.done()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Requests != out[j].Requests {
			return out[i].Requests > out[j].Requests
		}
		return out[i].Key < out[j].Key
	})
	return out
}
