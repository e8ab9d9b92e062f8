package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/agentmark-go/agentmark/store"
)

// GET /health
func health(_ *Server, w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Capabilities is GET /v1/capabilities (no envelope).
type Capabilities struct {
	Target    string          `json:"target"`
	URL       string          `json:"url"`
	Endpoints map[string]bool `json:"endpoints"`
}

// GET /v1/capabilities
func capabilities(s *Server, w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, Capabilities{Target: "local", URL: s.baseURL(r), Endpoints: map[string]bool{
		"traces": true, "spans": true, "sessions": true, "scores": true, "score_analytics": true, "metrics": true,
		"experiments": true, "datasets": true, "prompts": true, "runs": false, "pricing": true,
	}})
}

// PriceJSON is one model of GET /v1/pricing (USD per 1,000 tokens).
type PriceJSON struct {
	PromptPrice     float64 `json:"promptPrice"`
	CompletionPrice float64 `json:"completionPrice"`
}

type pricingCache struct {
	once sync.Once
	body []byte
}

// GET /v1/pricing
func getPricing(s *Server, w http.ResponseWriter, _ *http.Request) error {
	s.pricing.once.Do(func() {
		out := map[string]PriceJSON{}
		for id, p := range s.prices.Prices() {
			if p.Input == 0 && p.Output == 0 {
				continue
			}
			out[id] = PriceJSON{PromptPrice: p.Input * 1000, CompletionPrice: p.Output * 1000}
		}
		s.pricing.body = append(mustJSON(out), '\n')
	})
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writeRaw(w, http.StatusOK, s.pricing.body)
	return nil
}

// MetricsSummaryJSON is the summary of GET /v1/metrics.
type MetricsSummaryJSON struct {
	TotalRequests int64   `json:"total_requests"`
	SuccessCount  int64   `json:"success_count"`
	ErrorCount    int64   `json:"error_count"`
	TotalCost     float64 `json:"total_cost"`
	TotalTokens   int64   `json:"total_tokens"`
	InputTokens   int64   `json:"input_tokens"`
	OutputTokens  int64   `json:"output_tokens"`
	AvgLatencyMs  float64 `json:"avg_latency_ms"`
	UniqueUsers   int64   `json:"unique_users"`

	AvgCostPerRequest         *float64 `json:"avg_cost_per_request,omitempty"`
	AvgInputTokensPerRequest  *float64 `json:"avg_input_tokens_per_request,omitempty"`
	AvgOutputTokensPerRequest *float64 `json:"avg_output_tokens_per_request,omitempty"`
	AvgTotalTokensPerRequest  *float64 `json:"avg_total_tokens_per_request,omitempty"`
	ModelCount                *int64   `json:"model_count,omitempty"`

	// Additive.
	ErrorRate    float64 `json:"error_rate"`
	P50LatencyMs float64 `json:"p50_latency_ms"`
	P90LatencyMs float64 `json:"p90_latency_ms"`
	P95LatencyMs float64 `json:"p95_latency_ms"`
	P99LatencyMs float64 `json:"p99_latency_ms"`
}

// MetricsPointJSON is one hourly bucket.
type MetricsPointJSON struct {
	Date         string  `json:"date"`
	Hour         int     `json:"hour"`
	Requests     int64   `json:"requests"`
	Successes    int64   `json:"successes"`
	Errors       int64   `json:"errors"`
	Cost         float64 `json:"cost"`
	Tokens       int64   `json:"tokens"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	AvgLatencyMs float64 `json:"avg_latency_ms"`
	UniqueUsers  int64   `json:"unique_users"`
}

// MetricsGroupJSON is the metrics of one model or prompt (additive).
type MetricsGroupJSON struct {
	Key          string  `json:"key"`
	Requests     int64   `json:"requests"`
	Errors       int64   `json:"errors"`
	Cost         float64 `json:"cost"`
	Tokens       int64   `json:"tokens"`
	AvgLatencyMs float64 `json:"avg_latency_ms"`
	P95LatencyMs float64 `json:"p95_latency_ms"`
}

func summaryJSON(v store.MetricValues, extended bool) MetricsSummaryJSON {
	out := MetricsSummaryJSON{TotalRequests: v.Requests, SuccessCount: v.Successes, ErrorCount: v.Errors, TotalCost: v.Cost,
		TotalTokens: v.Tokens, InputTokens: v.InputTokens, OutputTokens: v.OutputTokens, AvgLatencyMs: v.AvgLatencyMs,
		UniqueUsers: v.UniqueUsers, ErrorRate: v.ErrorRate, P50LatencyMs: v.P50LatencyMs, P90LatencyMs: v.P90LatencyMs,
		P95LatencyMs: v.P95LatencyMs, P99LatencyMs: v.P99LatencyMs}
	if extended {
		per := func(x float64) *float64 {
			r := 0.0
			if v.Requests > 0 {
				r = x / float64(v.Requests)
			}
			return &r
		}
		out.AvgCostPerRequest = per(v.Cost)
		out.AvgInputTokensPerRequest = per(float64(v.InputTokens))
		out.AvgOutputTokensPerRequest = per(float64(v.OutputTokens))
		out.AvgTotalTokensPerRequest = per(float64(v.Tokens))
		mc := v.ModelCount
		out.ModelCount = &mc
	}
	return out
}

func groupsJSON(gs []store.GroupMetrics) []MetricsGroupJSON {
	out := make([]MetricsGroupJSON, len(gs))
	for i, g := range gs {
		out[i] = MetricsGroupJSON{Key: g.Key, Requests: g.Requests, Errors: g.Errors, Cost: g.Cost, Tokens: g.Tokens,
			AvgLatencyMs: g.AvgLatencyMs, P95LatencyMs: g.P95LatencyMs}
	}
	return out
}

// GET /v1/metrics
func getMetrics(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	mq := store.MetricsQuery{
		From:        q.datetime("start_date", false),
		To:          q.datetime("end_date", true),
		Model:       q.str("model"),
		UserID:      q.str("user_id"),
		PromptName:  q.str("prompt_name"),
		Environment: q.str("environment"),
		Status:      q.enum("status", store.StatusOK, store.StatusError),
		Bucket:      time.Hour,
	}
	extended := q.boolean("extended")
	if q.v.Get("start_date") == "" {
		q.fail("start_date", "Required")
	}
	if q.v.Get("end_date") == "" {
		q.fail("end_date", "Required")
	}
	q.requireOrder("start_date", mq.From, mq.To)
	if err := q.err(); err != nil {
		return err
	}
	if !mq.To.IsZero() {
		mq.To = mq.To.Add(time.Nanosecond) // the store's To is exclusive; end_date is inclusive
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	m, err := s.store.Metrics(ctx, s.appID(r), mq)
	if err != nil {
		return err
	}
	series := make([]MetricsPointJSON, len(m.Series))
	for i, b := range m.Series {
		t := b.Start.UTC()
		series[i] = MetricsPointJSON{Date: t.Format("2006-01-02"), Hour: t.Hour(), Requests: b.Requests, Successes: b.Successes,
			Errors: b.Errors, Cost: b.Cost, Tokens: b.Tokens, InputTokens: b.InputTokens, OutputTokens: b.OutputTokens,
			AvgLatencyMs: b.AvgLatencyMs, UniqueUsers: b.UniqueUsers}
	}
	return data(w, map[string]any{
		"summary":     summaryJSON(m.Summary, extended),
		"time_series": series,
		"by_model":    groupsJSON(m.ByModel),
		"by_prompt":   groupsJSON(m.ByPrompt),
	})
}
