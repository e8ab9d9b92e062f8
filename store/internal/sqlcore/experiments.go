package sqlcore

import (
	"context"
	"strings"

	"github.com/agentmark-go/agentmark/store"
)

// ListExperimentRuns implements store.ExperimentReader.
func (c *Core) ListExperimentRuns(ctx context.Context, appID string, q store.ExperimentRunQuery) (store.Page[store.ExperimentRun], error) {
	var page store.Page[store.ExperimentRun]
	b := &builder{d: c.D}
	w := []string{"t.app_id = " + b.arg(appID), "t.dataset_run_id <> ''"}
	if q.ExperimentKey != "" {
		w = append(w, "t.experiment_key = "+b.arg(q.ExperimentKey))
	}
	if q.DatasetPath != "" {
		w = append(w, "t.dataset_path = "+b.arg(q.DatasetPath))
	}
	if q.PromptName != "" {
		w = append(w, "t.prompt_name = "+b.arg(q.PromptName))
	}
	where := " WHERE " + strings.Join(w, " AND ")
	having := ""
	if q.Search != "" {
		ph := b.arg("%" + likeEscape(q.Search) + "%")
		having = " HAVING (" + c.D.ILike("t.dataset_run_id", ph) + " OR " + c.D.ILike("COALESCE(MIN(NULLIF(t.dataset_run_name, '')), '')", ph) + ")"
	}
	group := "SELECT t.dataset_run_id AS id, COALESCE(MIN(NULLIF(t.dataset_run_name, '')), '') AS name, " +
		"COALESCE(MIN(NULLIF(t.dataset_path, '')), '') AS dataset_path, COALESCE(MIN(NULLIF(t.experiment_key, '')), '') AS experiment_key, " +
		"COALESCE(MIN(NULLIF(t.prompt_name, '')), '') AS prompt_name, COALESCE(MIN(NULLIF(t.commit_sha, '')), '') AS commit_sha, " +
		"MIN(t.start_ns) AS start_ns, MAX(t.end_ns) AS end_ns, CAST(COUNT(*) AS BIGINT) AS trace_count, " +
		"CAST(SUM(CASE WHEN t.status_code = 2 THEN 1 ELSE 0 END) AS BIGINT) AS error_count, " +
		"CAST(SUM(t.cost) AS DOUBLE PRECISION) AS total_cost, CAST(SUM(t.tokens) AS BIGINT) AS total_tokens, " +
		"CAST(AVG(t.latency_ms) AS DOUBLE PRECISION) AS avg_latency FROM traces t" + where + " GROUP BY t.dataset_run_id" + having
	countArgs := append([]any(nil), b.args...)
	lim := limit(q.Limit, store.DefaultLimit, store.MaxLimit)
	sql := "SELECT id, name, dataset_path, experiment_key, prompt_name, commit_sha, start_ns, end_ns, trace_count, error_count, " +
		"total_cost, total_tokens, avg_latency FROM (" + group + ") r ORDER BY start_ns DESC, id DESC LIMIT " +
		b.arg(int64(lim)) + " OFFSET " + b.arg(int64(max(q.Offset, 0)))
	var err error
	page.Items, err = queryAll(ctx, c.Q, sql, b.args, func(r Rows) (store.ExperimentRun, error) {
		var x store.ExperimentRun
		var start, end int64
		err := r.Scan(&x.ID, &x.Name, &x.DatasetPath, &x.ExperimentKey, &x.PromptName, &x.CommitSHA, &start, &end,
			&x.TraceCount, &x.ErrorCount, &x.TotalCost, &x.TotalTokens, &x.AvgLatencyMs)
		x.Start, x.End = nsTime(start), nsTime(end)
		return x, err
	})
	if err != nil {
		return page, err
	}
	if page.Items == nil {
		page.Items = []store.ExperimentRun{}
	}
	if q.Offset <= 0 && len(page.Items) < lim {
		page.Total = int64(len(page.Items))
		return page, nil
	}
	page.Total, err = queryInt(ctx, c.Q, "SELECT CAST(COUNT(*) AS BIGINT) FROM ("+group+") r", countArgs)
	return page, err
}

// ListExperimentItems implements store.ExperimentReader.
func (c *Core) ListExperimentItems(ctx context.Context, appID, runID string) ([]store.ExperimentItem, error) {
	b := &builder{d: c.D}
	app, run := b.arg(appID), b.arg(runID)
	// ds picks, per trace, the earliest span carrying dataset fields.
	ds := func(col string) string {
		return "COALESCE((SELECT s." + col + " FROM spans s WHERE s.app_id = t.app_id AND s.trace_id = t.trace_id AND " +
			"(s.dataset_input <> '' OR s.dataset_expected_output <> '' OR s.dataset_item_name <> '') ORDER BY s.start_ns, s.span_id LIMIT 1), '')"
	}
	sql := "SELECT t.trace_id, " + ds("dataset_item_name") + ", " + ds("dataset_input") + ", " + ds("dataset_expected_output") + ", " +
		ds("output") + ", t.output_preview, t.status_code, t.status_message, t.start_ns, t.latency_ms, t.cost, t.tokens, CAST(t.models AS TEXT) " +
		"FROM traces t WHERE t.app_id = " + app + " AND t.dataset_run_id = " + run + " ORDER BY t.start_ns, t.trace_id"
	items, err := queryAll(ctx, c.Q, sql, b.args, func(r Rows) (store.ExperimentItem, error) {
		var x store.ExperimentItem
		var preview, models string
		var status int
		var start int64
		err := r.Scan(&x.TraceID, &x.ItemName, &x.Input, &x.ExpectedOutput, &x.Output, &preview, &status, &x.StatusMessage,
			&start, &x.LatencyMs, &x.Cost, &x.Tokens, &models)
		if x.Output == "" {
			x.Output = preview
		}
		x.Status = [...]string{store.StatusUnset, store.StatusOK, store.StatusError}[min(max(status, 0), 2)]
		x.Start = nsTime(start)
		var ms []string
		if jsonUnmarshal(models, &ms) == nil && len(ms) > 0 {
			x.Model = ms[0]
		}
		return x, err
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, store.ErrNotFound
	}
	idx := make(map[string]int, len(items))
	for i, it := range items {
		idx[it.TraceID] = i
	}
	b = &builder{d: c.D}
	app, run = b.arg(appID), b.arg(runID)
	sql = "WITH rt AS (SELECT trace_id FROM traces WHERE app_id = " + app + " AND dataset_run_id = " + run + "), " +
		"res AS (SELECT rt.trace_id AS tid, rt.trace_id AS rid FROM rt UNION ALL " +
		"SELECT s.trace_id AS tid, s.span_id AS rid FROM spans s JOIN rt ON s.app_id = " + app + " AND s.trace_id = rt.trace_id) " +
		"SELECT res.tid, sc.name, sc.value, sc.label, sc.reason FROM res JOIN scores sc ON sc.app_id = " + app +
		" AND sc.resource_id = res.rid ORDER BY sc.created_ns, sc.id"
	type row struct {
		tid string
		s   store.ItemScore
	}
	scores, err := queryAll(ctx, c.Q, sql, b.args, func(r Rows) (row, error) {
		var x row
		err := r.Scan(&x.tid, &x.s.Name, &x.s.Value, &x.s.Label, &x.s.Reason)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	for _, sc := range scores {
		if i, ok := idx[sc.tid]; ok {
			items[i].Scores = append(items[i].Scores, sc.s)
		}
	}
	return items, nil
}
