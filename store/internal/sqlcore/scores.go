package sqlcore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/agentmark-go/agentmark/store"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// ScoreCols are the scores table columns in argument / scan order.
var ScoreCols = []string{"app_id", "id", "resource_id", "name", "value", "label", "reason", "source", "user_id",
	"data_type", "environment", "created_ns"}

// PrepareScores fills defaults (ID, CreatedAt, Source) and returns the
// insert SQL and arguments.
func PrepareScores(d *Dialect, appID string, scores []store.Score) (string, []any, []string, error) {
	now := time.Now().UTC()
	ids := make([]string, len(scores))
	var args []any
	for i := range scores {
		s := &scores[i]
		if s.ID == "" {
			id, err := uuid.NewV7()
			if err != nil {
				return "", nil, nil, err
			}
			s.ID = id.String()
		}
		if s.CreatedAt.IsZero() {
			s.CreatedAt = now
		}
		if s.Source == "" {
			s.Source = store.SourceAPI
		}
		ids[i] = s.ID
		args = append(args, clean(appID), clean(s.ID), clean(s.ResourceID), clean(s.Name), s.Value, clean(s.Label),
			clean(s.Reason), clean(s.Source), clean(s.UserID), clean(s.DataType), clean(s.Environment), s.CreatedAt.UnixNano())
	}
	var b strings.Builder
	b.WriteString("INSERT INTO scores (" + strings.Join(ScoreCols, ", ") + ") VALUES ")
	n := 0
	for i := range scores {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range ScoreCols {
			if j > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(d.InsertPlaceholder(n))
		}
		b.WriteByte(')')
	}
	return b.String(), args, ids, nil
}

var scoreSelect = "sc.id, sc.resource_id, sc.name, sc.value, sc.label, sc.reason, sc.source, sc.user_id, sc.data_type, sc.environment, sc.created_ns"

func scanScore(r Rows) (store.Score, error) {
	var s store.Score
	var created int64
	err := r.Scan(&s.ID, &s.ResourceID, &s.Name, &s.Value, &s.Label, &s.Reason, &s.Source, &s.UserID, &s.DataType,
		&s.Environment, &created)
	s.CreatedAt = nsTime(created)
	return s, err
}

// GetScore implements store.ScoreStore.
func (c *Core) GetScore(ctx context.Context, appID, id string) (*store.Score, error) {
	b := &builder{d: c.D}
	sql := "SELECT " + scoreSelect + " FROM scores sc WHERE sc.app_id = " + b.arg(appID) + " AND sc.id = " + b.arg(id)
	ss, err := queryAll(ctx, c.Q, sql, b.args, scanScore)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, fmt.Errorf("score %q: %w", id, store.ErrNotFound)
	}
	return &ss[0], nil
}

// ListScores implements store.ScoreStore.
func (c *Core) ListScores(ctx context.Context, appID string, q store.ScoreQuery) (store.Page[store.Score], error) {
	var page store.Page[store.Score]
	b := &builder{d: c.D}
	app := b.arg(appID)
	w := []string{"sc.app_id = " + app}
	for col, v := range map[string]string{"resource_id": q.ResourceID, "name": q.Name, "source": q.Source} {
		if v != "" {
			w = append(w, "sc."+col+" = "+b.arg(v))
		}
	}
	if !q.From.IsZero() {
		w = append(w, "sc.created_ns >= "+b.arg(nsOf(q.From)))
	}
	if !q.To.IsZero() {
		w = append(w, "sc.created_ns <= "+b.arg(nsOf(q.To)))
	}
	switch q.ResourceType {
	case "":
	case "trace":
		w = append(w, "sc.resource_id IN (SELECT t.trace_id FROM traces t WHERE t.app_id = "+app+")")
	case "span":
		// scores whose resource is not a stored trace (span IDs are not
		// indexed on their own)
		w = append(w, "sc.resource_id NOT IN (SELECT t.trace_id FROM traces t WHERE t.app_id = "+app+")")
	default:
		return page, &store.InvalidQueryError{Param: "resource_type", Msg: fmt.Sprintf("must be trace or span, got %q", q.ResourceType)}
	}
	if q.SessionID != "" {
		sid := b.arg(q.SessionID)
		w = append(w, "(sc.resource_id IN (SELECT s.trace_id FROM spans s WHERE s.app_id = "+app+" AND s.session_id = "+sid+
			") OR sc.resource_id IN (SELECT s.span_id FROM spans s WHERE s.app_id = "+app+" AND s.session_id = "+sid+"))")
	}
	where := strings.Join(w, " AND ")
	countArgs := append([]any(nil), b.args...)
	lim := limit(q.Limit, store.DefaultLimit, store.MaxLimit)
	sql := "SELECT " + scoreSelect + " FROM scores sc WHERE " + where + " ORDER BY sc.created_ns DESC, sc.id DESC LIMIT " +
		b.arg(int64(lim)) + " OFFSET " + b.arg(int64(max(q.Offset, 0)))
	var err error
	page.Items, err = queryAll(ctx, c.Q, sql, b.args, scanScore)
	if err != nil {
		return page, err
	}
	if page.Items == nil {
		page.Items = []store.Score{}
	}
	if q.Offset <= 0 && len(page.Items) < lim {
		page.Total = int64(len(page.Items))
		return page, nil
	}
	page.Total, err = queryInt(ctx, c.Q, "SELECT COUNT(*) FROM scores sc WHERE "+where, countArgs)
	return page, err
}

// DeleteScoreSQL returns the delete statement of one score.
func DeleteScoreSQL(d *Dialect, appID, id string) (string, []any) {
	b := &builder{d: d}
	return "DELETE FROM scores WHERE app_id = " + b.arg(appID) + " AND id = " + b.arg(id), b.args
}

// ScoreNames implements store.ScoreStore.
func (c *Core) ScoreNames(ctx context.Context, appID string) ([]string, error) {
	b := &builder{d: c.D}
	names, err := queryAll(ctx, c.Q, "SELECT DISTINCT sc.name FROM scores sc WHERE sc.app_id = "+b.arg(appID), b.args,
		func(r Rows) (string, error) {
			var s string
			return s, r.Scan(&s)
		})
	if err != nil {
		return nil, err
	}
	if names == nil {
		names = []string{}
	}
	sortStrings(names)
	return names, nil
}

// ScoreAggregations implements store.ScoreStore.
func (c *Core) ScoreAggregations(ctx context.Context, appID string, q store.ScoreAggregationQuery) ([]store.ScoreAggregation, error) {
	b := &builder{d: c.D}
	w := []string{"sc.app_id = " + b.arg(appID)}
	if !q.From.IsZero() {
		w = append(w, "sc.created_ns >= "+b.arg(nsOf(q.From)))
	}
	if !q.To.IsZero() {
		w = append(w, "sc.created_ns <= "+b.arg(nsOf(q.To)))
	}
	sql := "SELECT sc.name, COUNT(*), CAST(AVG(sc.value) AS DOUBLE PRECISION), MIN(sc.value), MAX(sc.value) FROM scores sc WHERE " +
		strings.Join(w, " AND ") + " GROUP BY sc.name"
	aggs, err := queryAll(ctx, c.Q, sql, b.args, func(r Rows) (store.ScoreAggregation, error) {
		var a store.ScoreAggregation
		return a, r.Scan(&a.Name, &a.Count, &a.Avg, &a.Min, &a.Max)
	})
	if err != nil {
		return nil, err
	}
	if aggs == nil {
		aggs = []store.ScoreAggregation{}
	}
	sortBy(aggs, func(a store.ScoreAggregation) string { return a.Name })
	return aggs, nil
}
