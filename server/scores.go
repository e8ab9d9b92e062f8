package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/store"
)

const maxBatchScores = 1000

var scoreSources = []string{store.SourceExperiment, store.SourceAnnotation, store.SourceAPI}

// readJSONBody decodes the request body as a JSON value (400
// invalid_request_body when it is not JSON).
func readJSONBody(r *http.Request) (any, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, invalidBody(map[string]string{"_": "Could not read the request body"})
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, invalidBody(map[string]string{"_": "Required"})
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalidBody(map[string]string{"_": "Malformed JSON: " + err.Error()})
	}
	if dec.More() {
		return nil, invalidBody(map[string]string{"_": "Malformed JSON: trailing data"})
	}
	return v, nil
}

// scoreItem validates one score body; problems are keyed by field (with
// prefix, e.g. "scores.3.") and the first one's code is returned.
func scoreItem(v any, prefix string) (store.Score, map[string]string, string) {
	details := map[string]string{}
	code := codeInvalidBody
	m, ok := v.(map[string]any)
	if !ok {
		details[strings.TrimSuffix(prefix, ".")+orRoot(prefix)] = "Expected object, received " + jsonType(v)
		return store.Score{}, details, code
	}
	str := func(key string, required bool, alias ...string) string {
		val, present := m[key]
		for _, a := range alias {
			if !present {
				val, present = m[a]
			}
		}
		if !present || val == nil {
			if required {
				details[prefix+key] = "Required"
				if key == "resource_id" && code == codeInvalidBody && len(details) == 1 {
					code = "missing_required_field"
				}
			}
			return ""
		}
		s, ok := val.(string)
		if !ok {
			details[prefix+key] = "Expected string, received " + jsonType(val)
			return ""
		}
		s = strings.ReplaceAll(s, "\x00", "")
		if !utf8.ValidString(s) {
			details[prefix+key] = "String contains invalid UTF-8 (unpaired surrogate characters)."
			return ""
		}
		if required && s == "" {
			details[prefix+key] = "String must contain at least 1 character(s)"
		}
		return s
	}
	sc := store.Score{
		ResourceID: str("resource_id", true, "resourceId"),
		Name:       str("name", true),
		Label:      str("label", false),
		Reason:     str("reason", false),
		Source:     str("source", false),
		UserID:     str("user_id", false, "userId"),
	}
	switch val := m["score"].(type) {
	case nil:
		if _, present := m["score"]; present {
			details[prefix+"score"] = "Expected number, received null"
		} else {
			details[prefix+"score"] = "Required"
		}
	case json.Number:
		f, err := val.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			details[prefix+"score"] = "Number must be finite"
		}
		sc.Value = f
	default:
		details[prefix+"score"] = "Expected number, received " + jsonType(val)
	}
	if sc.Source != "" {
		if sc.Source == store.SourceEval {
			sc.Source = store.SourceExperiment
		}
		if !contains(scoreSources, sc.Source) {
			details[prefix+"source"] = fmt.Sprintf("Invalid enum value. Expected %s, received '%s'", quoteList(scoreSources), sc.Source)
		}
	}
	dt := str("data_type", false, "dataType")
	if dt != "" {
		if dt != "boolean" && dt != "numeric" && dt != "categorical" {
			details[prefix+"data_type"] = "Invalid dataType. Must be boolean, numeric, or categorical."
			if len(details) == 1 {
				code = "invalid_field_value"
			}
		}
		sc.DataType = dt
	}
	if len(details) > 0 {
		return store.Score{}, details, code
	}
	return sc, nil, ""
}

func orRoot(prefix string) string {
	if prefix == "" {
		return "_"
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// POST /v1/scores
func createScore(s *Server, w http.ResponseWriter, r *http.Request) error {
	v, err := readJSONBody(r)
	if err != nil {
		return err
	}
	sc, details, _ := scoreItem(v, "")
	if details != nil {
		return invalidBody(details)
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	ids, err := s.store.CreateScores(ctx, s.appID(r), []store.Score{sc})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{
		"data": map[string]string{"id": ids[0]}, "id": ids[0], "message": "Score created successfully"})
}

type batchResult struct {
	Status   string  `json:"status"`
	ID       string  `json:"id,omitempty"`
	ClientID *string `json:"client_id,omitempty"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// POST /v1/scores/batch
func createScoresBatch(s *Server, w http.ResponseWriter, r *http.Request) error {
	v, err := readJSONBody(r)
	if err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidBody(map[string]string{"_": "Expected object, received " + jsonType(v)})
	}
	items, ok := m["scores"].([]any)
	switch {
	case !ok && m["scores"] == nil:
		return invalidBody(map[string]string{"scores": "Required"})
	case !ok:
		return invalidBody(map[string]string{"scores": "Expected array, received " + jsonType(m["scores"])})
	case len(items) == 0:
		return invalidBody(map[string]string{"scores": "Array must contain at least 1 element(s)"})
	case len(items) > maxBatchScores:
		return &Error{Status: 413, Code: "payload_too_large",
			Message: fmt.Sprintf("Batch size %d exceeds max of %d", len(items), maxBatchScores)}
	}
	results := make([]batchResult, len(items))
	var valid []store.Score
	var validIdx []int
	for i, it := range items {
		if im, ok := it.(map[string]any); ok {
			if cid, ok := im["client_id"].(string); ok && len(cid) <= 128 {
				results[i].ClientID = &cid
			}
		}
		sc, details, code := scoreItem(it, "")
		if details != nil {
			keys := make([]string, 0, len(details))
			for k := range details {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			msg := keys[0] + ": " + details[keys[0]]
			if code == "missing_required_field" {
				msg = "resource_id is required"
			} else if code == "invalid_field_value" {
				msg = details["data_type"]
			}
			results[i].Status = "error"
			results[i].Error = &struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			}{code, msg}
			continue
		}
		valid = append(valid, sc)
		validIdx = append(validIdx, i)
	}
	if len(valid) > 0 {
		ctx, cancel := reqCtx(r)
		defer cancel()
		ids, err := s.store.CreateScores(ctx, s.appID(r), valid)
		if err != nil {
			return err
		}
		for j, i := range validIdx {
			results[i].Status = "success"
			results[i].ID = ids[j]
		}
	}
	status := http.StatusCreated
	switch {
	case len(valid) == 0:
		status = http.StatusBadRequest
	case len(valid) < len(items):
		status = http.StatusMultiStatus
	}
	return writeJSON(w, status, map[string]any{"data": map[string]any{
		"results": results,
		"summary": map[string]int{"total": len(items), "succeeded": len(valid), "failed": len(items) - len(valid)},
	}})
}

// GET /v1/scores
func listScores(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	sq := store.ScoreQuery{
		Limit:        q.integer("limit", store.DefaultLimit, 1, store.MaxLimit),
		Offset:       q.integer("offset", 0, 0, 1<<31-1),
		From:         q.date("start_date", false),
		To:           q.date("end_date", true),
		ResourceID:   q.str("resource_id"),
		ResourceType: q.enum("resource_type", "trace", "span"),
		Name:         q.str("name"),
		Source:       q.enum("source", store.SourceExperiment, store.SourceAnnotation, store.SourceAPI, store.SourceEval),
		SessionID:    q.str("session_id"),
	}
	q.requireOrder("start_date", sq.From, sq.To)
	if err := q.err(); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	p, err := s.store.ListScores(ctx, s.appID(r), sq)
	if err != nil {
		return err
	}
	out := make([]ScoreJSON, len(p.Items))
	for i := range p.Items {
		out[i] = scoreJSON(&p.Items[i])
	}
	return page(w, out, p.Total, sq.Limit, sq.Offset)
}

// GET /v1/scores/{scoreId}
func getScore(s *Server, w http.ResponseWriter, r *http.Request) error {
	id, err := pathParam(r, "scoreId")
	if err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	sc, err := s.store.GetScore(ctx, s.appID(r), id)
	if err != nil {
		return notFoundAs(err, "not_found", "Score not found")
	}
	return data(w, scoreJSON(sc))
}

// DELETE /v1/scores/{scoreId}
func deleteScore(s *Server, w http.ResponseWriter, r *http.Request) error {
	id, err := pathParam(r, "scoreId")
	if err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if err := s.store.DeleteScore(ctx, s.appID(r), id); err != nil {
		return notFoundAs(err, "not_found", "Score not found")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/scores/names
func scoreNames(s *Server, w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := reqCtx(r)
	defer cancel()
	names, err := s.store.ScoreNames(ctx, s.appID(r))
	if err != nil {
		return err
	}
	if names == nil {
		names = []string{}
	}
	return data(w, names)
}

// ScoreAggregationJSON is one row of GET /v1/scores/aggregations.
type ScoreAggregationJSON struct {
	Name     string  `json:"name"`
	AvgScore float64 `json:"avg_score"`
	Count    int64   `json:"count"`
	MinScore float64 `json:"min_score"`
	MaxScore float64 `json:"max_score"`
}

// GET /v1/scores/aggregations
func scoreAggregations(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	aq := store.ScoreAggregationQuery{From: q.date("start_date", false), To: q.date("end_date", true)}
	q.requireOrder("start_date", aq.From, aq.To)
	if err := q.err(); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	aggs, err := s.store.ScoreAggregations(ctx, s.appID(r), aq)
	if err != nil {
		return err
	}
	out := make([]ScoreAggregationJSON, len(aggs))
	for i, a := range aggs {
		out[i] = ScoreAggregationJSON{Name: a.Name, AvgScore: a.Avg, Count: a.Count, MinScore: a.Min, MaxScore: a.Max}
	}
	return data(w, out)
}

// ScoreConfigJSON is a score config from agentmark.json "scores".
type ScoreConfigJSON struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	CommitSHA   string          `json:"commit_sha"`
	DataType    string          `json:"data_type"`
	Min         *float64        `json:"min,omitempty"`
	Max         *float64        `json:"max,omitempty"`
	Categories  []scoreCategory `json:"categories,omitempty"`
}

type scoreCategory struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// scoreConfigs reads the project's score configs (invalid entries
// skipped), sorted by name.
func (s *Server) scoreConfigs() ([]ScoreConfigJSON, error) {
	out := []ScoreConfigJSON{}
	if s.cfg.ProjectRoot == "" {
		return out, nil
	}
	raw, err := os.ReadFile(filepath.Join(s.cfg.ProjectRoot, "agentmark.json"))
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	var cfg struct {
		Scores map[string]json.RawMessage `json:"scores"`
	}
	if json.Unmarshal(raw, &cfg) != nil {
		return out, nil
	}
	sha := gitHead(s.cfg.ProjectRoot)
	for name, rawEntry := range cfg.Scores {
		var e struct {
			Type        string          `json:"type"`
			Description *string         `json:"description"`
			Min         *float64        `json:"min"`
			Max         *float64        `json:"max"`
			Categories  []scoreCategory `json:"categories"`
		}
		if name == "" || json.Unmarshal(rawEntry, &e) != nil {
			continue
		}
		c := ScoreConfigJSON{ID: "local:" + name, Name: name, CommitSHA: sha, DataType: e.Type}
		if e.Description != nil {
			c.Description = *e.Description
		}
		switch e.Type {
		case "boolean":
		case "numeric":
			c.Min, c.Max = e.Min, e.Max
		case "categorical":
			ok := len(e.Categories) > 0
			for _, cat := range e.Categories {
				if cat.Label == "" {
					ok = false
				}
			}
			if !ok {
				continue
			}
			c.Categories = e.Categories
		default:
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// GET /v1/score-configs
func listScoreConfigs(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	limit := q.integer("limit", store.DefaultLimit, 1, store.MaxLimit)
	offset := q.integer("offset", 0, 0, 1<<31-1)
	if err := q.err(); err != nil {
		return err
	}
	all, err := s.scoreConfigs()
	if err != nil {
		return err
	}
	lo := min(offset, len(all))
	hi := min(lo+limit, len(all))
	return page(w, all[lo:hi], int64(len(all)), limit, offset)
}

// GET /v1/score-configs/{name}
func getScoreConfig(s *Server, w http.ResponseWriter, r *http.Request) error {
	name, err := pathParam(r, "name")
	if err != nil {
		return err
	}
	all, err := s.scoreConfigs()
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.Name == name {
			return data(w, c)
		}
	}
	return notFoundErr("score_config_not_found", fmt.Sprintf("Score config '%s' not found", name))
}
