package sqlcore

import (
	"context"
	"strings"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// ExperimentRunScores implements store.ExperimentScoreReader.
func (c *Core) ExperimentRunScores(ctx context.Context, appID string, runIDs []string) (map[string][]store.RunScoreStat, error) {
	out := map[string][]store.RunScoreStat{}
	if len(runIDs) == 0 {
		return out, nil
	}
	b := &builder{d: c.D}
	app := b.arg(appID)
	ph := make([]string, len(runIDs))
	for i, id := range runIDs {
		ph[i] = b.arg(id)
	}
	sql := "SELECT t.dataset_run_id, sc.name, CAST(COUNT(*) AS BIGINT), CAST(AVG(sc.value) AS DOUBLE PRECISION), " +
		"CAST(MIN(sc.value) AS DOUBLE PRECISION), CAST(MAX(sc.value) AS DOUBLE PRECISION), " +
		"CAST(SUM(CASE WHEN UPPER(sc.label) = 'PASS' THEN 1 ELSE 0 END) AS BIGINT), " +
		"CAST(SUM(CASE WHEN UPPER(sc.label) = 'FAIL' THEN 1 ELSE 0 END) AS BIGINT) " +
		"FROM traces t JOIN scores sc ON sc.app_id = t.app_id AND sc.resource_id = t.trace_id " +
		"WHERE t.app_id = " + app + " AND t.dataset_run_id IN (" + strings.Join(ph, ", ") + ") " +
		"GROUP BY t.dataset_run_id, sc.name ORDER BY t.dataset_run_id, sc.name"
	type row struct {
		run string
		st  store.RunScoreStat
	}
	rows, err := queryAll(ctx, c.Q, sql, b.args, func(r Rows) (row, error) {
		var x row
		err := r.Scan(&x.run, &x.st.Name, &x.st.Count, &x.st.Avg, &x.st.Min, &x.st.Max, &x.st.Passed, &x.st.Failed)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.run] = append(out[r.run], r.st)
	}
	return out, nil
}

// ResolveExperimentRun implements store.ExperimentScoreReader.
func (c *Core) ResolveExperimentRun(ctx context.Context, appID, key, treeHash string) (store.ResolvedExperimentRun, bool, error) {
	b := &builder{d: c.D}
	app, k := b.arg(appID), b.arg(key)
	exact := "0"
	if treeHash != "" {
		exact = "CASE WHEN MAX(s.source_tree_hash) = " + b.arg(treeHash) + " THEN 1 ELSE 0 END"
	}
	sql := "SELECT s.dataset_run_id, COALESCE(MAX(s.source_tree_hash), ''), " + exact + " AS exact, MAX(s.start_ns) AS latest " +
		"FROM spans s WHERE s.app_id = " + app + " AND s.experiment_key = " + k + " AND s.dataset_run_id <> '' " +
		"GROUP BY s.dataset_run_id ORDER BY exact DESC, latest DESC, s.dataset_run_id DESC LIMIT 1"
	rows, err := queryAll(ctx, c.Q, sql, b.args, func(r Rows) (store.ResolvedExperimentRun, error) {
		var x store.ResolvedExperimentRun
		var ex, latest int64
		err := r.Scan(&x.RunID, &x.TreeHash, &ex, &latest)
		x.Exact = ex == 1
		return x, err
	})
	if err != nil || len(rows) == 0 {
		return store.ResolvedExperimentRun{}, false, err
	}
	return rows[0], true, nil
}

// FindSpan implements store.SpanFinder.
func (c *Core) FindSpan(ctx context.Context, appID, spanID string) (*span.Span, error) {
	b := &builder{d: c.D}
	sql := "SELECT " + SpanSelect(true) + " FROM spans s WHERE s.app_id = " + b.arg(appID) + " AND s.span_id = " +
		b.arg(spanID) + " ORDER BY s.start_ns, s.trace_id LIMIT 1"
	spans, err := queryAll(ctx, c.Q, sql, b.args, spanScanner(appID, true))
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, store.ErrNotFound
	}
	return &spans[0], nil
}
