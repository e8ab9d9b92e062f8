package ui

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/store"
)

type dashData struct {
	Ranges          any
	Range           string
	M               *store.Metrics
	Bucket          time.Duration
	Cost, Tokens    template.HTML
	Requests        template.HTML
	Latency, ErrCht template.HTML
	MaxModelCost    float64
	MaxPromptReq    float64
	Empty           bool
	Model, Prompt   string
}

// bucketFor picks a time-series bucket giving at most ~60 bars.
func bucketFor(span time.Duration) time.Duration {
	for _, b := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour,
		6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		if span/b <= 60 {
			return b
		}
	}
	return 30 * 24 * time.Hour
}

func (a *app) handleDashboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rng := q.Get("range")
	if rng == "" {
		rng = "7d"
		q.Set("range", rng)
	}
	from, to := a.timeBounds(q)
	end := to
	if end.IsZero() {
		end = a.Now()
	}
	mq := store.MetricsQuery{From: from, To: to, Model: strings.TrimSpace(q.Get("model")), PromptName: strings.TrimSpace(q.Get("prompt"))}
	if from.IsZero() {
		// All time: size the buckets from the data's extent.
		all, err := a.Metrics.Metrics(r.Context(), a.AppID, store.MetricsQuery{Bucket: 30 * 24 * time.Hour, Model: mq.Model, PromptName: mq.PromptName})
		if err != nil {
			a.storeError(w, r, err, "Metrics")
			return
		}
		if len(all.Series) > 0 {
			from = all.Series[0].Start
		} else {
			from = end.Add(-24 * time.Hour)
		}
	}
	mq.Bucket = bucketFor(end.Sub(from))
	m, err := a.Metrics.Metrics(r.Context(), a.AppID, mq)
	if err != nil {
		a.storeError(w, r, err, "Metrics")
		return
	}
	d := dashData{Ranges: ranges, Range: rng, M: m, Bucket: mq.Bucket, Empty: m.Summary.Requests == 0, Model: mq.Model, Prompt: mq.PromptName}
	axis := timeAxis{From: from.Truncate(mq.Bucket), To: end, Bucket: mq.Bucket}
	pts := func(f func(b store.MetricsBucket) float64) []point {
		out := make([]point, len(m.Series))
		for i, b := range m.Series {
			out[i] = point{T: b.Start, V: f(b)}
		}
		return out
	}
	d.Cost = barChart(axis, []series{{Name: "Cost", Class: "s1", Points: pts(func(b store.MetricsBucket) float64 { return b.Cost })}}, fmtCost)
	d.Tokens = barChart(axis, []series{
		{Name: "Input tokens", Class: "s1", Points: pts(func(b store.MetricsBucket) float64 { return float64(b.InputTokens) })},
		{Name: "Output tokens", Class: "s2", Points: pts(func(b store.MetricsBucket) float64 { return float64(b.OutputTokens) })},
	}, func(f float64) string { return fmtInt(int64(f)) })
	d.Requests = barChart(axis, []series{
		{Name: "Successful", Class: "s1", Points: pts(func(b store.MetricsBucket) float64 { return float64(b.Successes) })},
		{Name: "Errors", Class: "s3", Points: pts(func(b store.MetricsBucket) float64 { return float64(b.Errors) })},
	}, func(f float64) string { return fmtInt(int64(f)) })
	d.Latency = lineChart(axis, []series{
		{Name: "p50", Class: "s1", Points: pts(func(b store.MetricsBucket) float64 { return b.P50LatencyMs })},
		{Name: "p90", Class: "s2", Points: pts(func(b store.MetricsBucket) float64 { return b.P90LatencyMs })},
		{Name: "p99", Class: "s3", Points: pts(func(b store.MetricsBucket) float64 { return b.P99LatencyMs })},
	}, fmtDur)
	d.ErrCht = lineChart(axis, []series{
		{Name: "Error rate", Class: "s3", Points: pts(func(b store.MetricsBucket) float64 { return b.ErrorRate * 100 })},
	}, func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" })
	for _, g := range m.ByModel {
		d.MaxModelCost = math.Max(d.MaxModelCost, g.Cost)
	}
	for _, g := range m.ByPrompt {
		d.MaxPromptReq = math.Max(d.MaxPromptReq, float64(g.Requests))
	}
	a.render(w, r, http.StatusOK, "dashboard", "", view{Title: "Dashboard", Nav: "dashboard", Query: q, Data: d})
}
