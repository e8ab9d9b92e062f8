package server

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"sort"
	"strings"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/store"
)

// Experiments (api.md §B.9, cli-eval-deploy §E.8, §E.10): an experiment is
// a dataset run, the traces sharing a dataset run id. Field case is
// camelCase here, as upstream's.

const (
	defaultExperimentsLimit = 50
	maxExperimentsLimit     = 200
)

// ExperimentScoreJSON is one score name's aggregate over a run.
type ExperimentScoreJSON struct {
	Name  string  `json:"name"`
	Count int64   `json:"count"`
	Avg   float64 `json:"avg"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	// PassRate is the percentage of PASS among the PASS/FAIL labelled
	// scores (null when none is labelled so).
	PassRate *float64 `json:"passRate"`
}

// ExperimentSummaryJSON is the ExperimentSummary wire shape.
type ExperimentSummaryJSON struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	DatasetPath   string                `json:"datasetPath"`
	PromptName    string                `json:"promptName"`
	ExperimentKey string                `json:"experimentKey"`
	CommitSHA     string                `json:"commitSha"`
	Start         *string               `json:"start,omitempty"`
	End           *string               `json:"end,omitempty"`
	CreatedAt     *string               `json:"createdAt,omitempty"`
	ItemCount     int64                 `json:"itemCount"`
	ErrorCount    int64                 `json:"errorCount"`
	AvgLatencyMs  float64               `json:"avgLatencyMs"`
	TotalCost     float64               `json:"totalCost"`
	TotalTokens   int64                 `json:"totalTokens"`
	AvgScore      *float64              `json:"avgScore"`
	PassRate      *float64              `json:"passRate"`
	Scores        []ExperimentScoreJSON `json:"scores"`
}

// ExperimentItemScoreJSON is a score of an experiment item.
type ExperimentItemScoreJSON struct {
	Name   string  `json:"name"`
	Score  float64 `json:"score"`
	Label  string  `json:"label"`
	Reason string  `json:"reason"`
}

// ExperimentItemJSON is the ExperimentItem wire shape.
type ExperimentItemJSON struct {
	TraceID        string                    `json:"traceId"`
	ItemName       string                    `json:"itemName"`
	Input          json.RawMessage           `json:"input"`
	ExpectedOutput json.RawMessage           `json:"expectedOutput"`
	Output         json.RawMessage           `json:"output"`
	Status         string                    `json:"status"`
	StatusMessage  string                    `json:"statusMessage,omitempty"`
	LatencyMs      float64                   `json:"latencyMs"`
	Cost           float64                   `json:"cost"`
	Tokens         int64                     `json:"tokens"`
	Model          string                    `json:"model"`
	Scores         []ExperimentItemScoreJSON `json:"scores"`
}

// ExperimentDetailJSON is ExperimentSummary + items.
type ExperimentDetailJSON struct {
	ExperimentSummaryJSON
	Items []ExperimentItemJSON `json:"items"`
}

func (s *Server) experimentStores() (store.ExperimentReader, store.ExperimentScoreReader, error) {
	er, ok := s.store.(store.ExperimentReader)
	if !ok {
		return nil, nil, &Error{Status: 501, Code: "not_available_locally", Message: "This storage backend does not support experiments"}
	}
	sr, _ := s.store.(store.ExperimentScoreReader)
	return er, sr, nil
}

func summaryOf(run store.ExperimentRun, stats []store.RunScoreStat) ExperimentSummaryJSON {
	out := ExperimentSummaryJSON{ID: run.ID, Name: run.Name, DatasetPath: run.DatasetPath, PromptName: run.PromptName,
		ExperimentKey: run.ExperimentKey, CommitSHA: run.CommitSHA, ItemCount: run.TraceCount, ErrorCount: run.ErrorCount,
		AvgLatencyMs: math.Round(run.AvgLatencyMs), TotalCost: run.TotalCost, TotalTokens: run.TotalTokens,
		Scores: []ExperimentScoreJSON{}}
	if out.Name == "" {
		out.Name = run.ID
	}
	if !run.Start.IsZero() {
		st := isoTime(run.Start)
		out.Start, out.CreatedAt = &st, &st
	}
	if !run.End.IsZero() {
		e := isoTime(run.End)
		out.End = &e
	}
	var sum float64
	var n, passed, labelled int64
	for _, st := range stats {
		sj := ExperimentScoreJSON{Name: st.Name, Count: st.Count, Avg: st.Avg, Min: st.Min, Max: st.Max}
		if l := st.Passed + st.Failed; l > 0 {
			sj.PassRate = pct(st.Passed, l)
		}
		out.Scores = append(out.Scores, sj)
		sum += st.Avg * float64(st.Count)
		n += st.Count
		passed += st.Passed
		labelled += st.Passed + st.Failed
	}
	if n > 0 {
		avg := sum / float64(n)
		out.AvgScore = &avg
	}
	if labelled > 0 {
		out.PassRate = pct(passed, labelled)
	}
	return out
}

func pct(a, b int64) *float64 {
	v := math.Round(10000*float64(a)/float64(b)) / 100
	return &v
}

func listExperiments(s *Server, w http.ResponseWriter, r *http.Request) error {
	er, sr, err := s.experimentStores()
	if err != nil {
		return err
	}
	q := newQuery(r.URL.Query())
	eq := store.ExperimentRunQuery{
		Limit:         q.integer("limit", defaultExperimentsLimit, 1, maxExperimentsLimit),
		Offset:        q.integer("offset", 0, 0, 1<<31-1),
		PromptName:    q.str("prompt_name"),
		DatasetPath:   q.str("dataset_path"),
		ExperimentKey: q.str("experiment_key"),
		Search:        q.str("search"),
	}
	from, to := q.date("start_date", false), q.date("end_date", true)
	q.requireOrder("start_date", from, to)
	if err := q.err(); err != nil {
		return err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	pg, err := er.ListExperimentRuns(ctx, app, eq)
	if err != nil {
		return err
	}
	stats := map[string][]store.RunScoreStat{}
	if sr != nil && len(pg.Items) > 0 {
		ids := make([]string, len(pg.Items))
		for i, run := range pg.Items {
			ids[i] = run.ID
		}
		if stats, err = sr.ExperimentRunScores(ctx, app, ids); err != nil {
			return err
		}
	}
	items := make([]ExperimentSummaryJSON, 0, len(pg.Items))
	for _, run := range pg.Items {
		// start_date/end_date select runs by their start (page-local: the
		// store query has no date bounds).
		if (!from.IsZero() && run.Start.Before(from)) || (!to.IsZero() && run.Start.After(to)) {
			continue
		}
		items = append(items, summaryOf(run, stats[run.ID]))
	}
	return page(w, items, pg.Total, eq.Limit, eq.Offset)
}

// experimentDetail loads one run's summary and items.
func (s *Server) experimentDetail(r *http.Request, id string) (*ExperimentDetailJSON, []store.ExperimentItem, error) {
	er, sr, err := s.experimentStores()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	items, err := er.ListExperimentItems(ctx, app, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFoundErr("not_found", "Experiment not found")
	}
	if err != nil {
		return nil, nil, err
	}
	// The run's summary: the list filtered to this run.
	var run *store.ExperimentRun
	pg, err := er.ListExperimentRuns(ctx, app, store.ExperimentRunQuery{Search: id, Limit: store.MaxLimit})
	if err != nil {
		return nil, nil, err
	}
	for i := range pg.Items {
		if pg.Items[i].ID == id {
			run = &pg.Items[i]
			break
		}
	}
	if run == nil {
		run = runFromItems(id, items)
	}
	var stats []store.RunScoreStat
	if sr != nil {
		m, err := sr.ExperimentRunScores(ctx, app, []string{id})
		if err != nil {
			return nil, nil, err
		}
		stats = m[id]
	}
	out := &ExperimentDetailJSON{ExperimentSummaryJSON: summaryOf(*run, stats), Items: make([]ExperimentItemJSON, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, itemJSON(it))
	}
	return out, items, nil
}

func runFromItems(id string, items []store.ExperimentItem) *store.ExperimentRun {
	run := &store.ExperimentRun{ID: id, TraceCount: int64(len(items))}
	var lat float64
	for _, it := range items {
		if run.Start.IsZero() || it.Start.Before(run.Start) {
			run.Start = it.Start
		}
		run.TotalCost += it.Cost
		run.TotalTokens += it.Tokens
		lat += it.LatencyMs
		if it.Status == store.StatusError {
			run.ErrorCount++
		}
	}
	if len(items) > 0 {
		run.AvgLatencyMs = lat / float64(len(items))
	}
	return run
}

// ioJSON is stored text as JSON: the value itself when the text is JSON,
// else the text as a JSON string; null when empty.
func ioJSON(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func itemJSON(it store.ExperimentItem) ExperimentItemJSON {
	out := ExperimentItemJSON{TraceID: it.TraceID, ItemName: it.ItemName, Input: ioJSON(it.Input),
		ExpectedOutput: ioJSON(it.ExpectedOutput), Output: ioJSON(it.Output), Status: it.Status, StatusMessage: it.StatusMessage,
		LatencyMs: it.LatencyMs, Cost: it.Cost, Tokens: it.Tokens, Model: it.Model, Scores: []ExperimentItemScoreJSON{}}
	for _, sc := range it.Scores {
		out.Scores = append(out.Scores, ExperimentItemScoreJSON{Name: sc.Name, Score: sc.Value, Label: sc.Label, Reason: sc.Reason})
	}
	return out
}

func getExperiment(s *Server, w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("experimentId")
	if id == "" {
		return &Error{Status: 400, Code: codeInvalidPath, Message: "Invalid path parameters", Details: map[string]string{"experimentId": "Required"}}
	}
	d, _, err := s.experimentDetail(r, id)
	if err != nil {
		return err
	}
	return data(w, d)
}

// BaselineJSON is the GET /v1/experiments/baseline answer.
type BaselineJSON struct {
	Resolved *eval.Resolved     `json:"resolved"`
	Rows     []eval.BaselineRow `json:"rows"`
}

// inputHash is hashRowInput of a stored dataset input ("" when it is not
// JSON).
func inputHash(in string) (string, bool) {
	if strings.TrimSpace(in) == "" {
		return "", false
	}
	v, err := jsvalue.ParseJSON([]byte(in))
	if err != nil {
		return "", false
	}
	return eval.HashRowInput(v), true
}

func getExperimentBaseline(s *Server, w http.ResponseWriter, r *http.Request) error {
	er, sr, err := s.experimentStores()
	if err != nil {
		return err
	}
	q := newQuery(r.URL.Query())
	key := q.str("experiment_key")
	tree := q.str("tree_hash")
	commit := q.str("commit_sha")
	_ = q.str("dataset_path") // a soft signal only
	if key == "" {
		q.fail("experiment_key", "Required")
	}
	if tree == "" {
		tree = commit
	}
	if tree == "" {
		q.fail("tree_hash", "Required")
	}
	if err := q.err(); err != nil {
		return err
	}
	out := BaselineJSON{Rows: []eval.BaselineRow{}}
	if sr == nil {
		return data(w, out)
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	run, ok, err := sr.ResolveExperimentRun(ctx, app, key, tree)
	if err != nil {
		return err
	}
	if !ok {
		return data(w, out)
	}
	out.Resolved = &eval.Resolved{RunID: run.RunID, TreeHash: run.TreeHash, MatchedExactCommit: run.Exact}
	items, err := er.ListExperimentItems(ctx, app, run.RunID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for _, it := range items {
		h, ok := inputHash(it.Input)
		if !ok {
			continue
		}
		for _, sc := range it.Scores {
			if math.IsNaN(sc.Value) || math.IsInf(sc.Value, 0) {
				continue
			}
			out.Rows = append(out.Rows, eval.BaselineRow{InputHash: h, Scorer: sc.Name, Score: sc.Value})
		}
	}
	return data(w, out)
}

// ComparisonScoreJSON compares one scorer of a dataset row across runs.
type ComparisonScoreJSON struct {
	Name   string   `json:"name"`
	Base   *float64 `json:"base"`
	Head   *float64 `json:"head"`
	Delta  *float64 `json:"delta"`
	Status string   `json:"status"` // improved, regressed, unchanged, added, removed
}

// ComparisonItemJSON is one dataset row matched across two runs by input
// hash.
type ComparisonItemJSON struct {
	InputHash   string                `json:"inputHash"`
	ItemName    string                `json:"itemName"`
	Input       json.RawMessage       `json:"input"`
	BaseTraceID *string               `json:"baseTraceId"`
	HeadTraceID *string               `json:"headTraceId"`
	BaseOutput  json.RawMessage       `json:"baseOutput"`
	HeadOutput  json.RawMessage       `json:"headOutput"`
	Status      string                `json:"status"` // improved, regressed, unchanged, added, removed
	Scores      []ComparisonScoreJSON `json:"scores"`
}

// ComparisonJSON is the GET /v1/experiments/compare answer.
type ComparisonJSON struct {
	Base    ExperimentSummaryJSON `json:"base"`
	Head    ExperimentSummaryJSON `json:"head"`
	Summary map[string]int        `json:"summary"`
	Items   []ComparisonItemJSON  `json:"items"`
}

func compareExperiments(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	baseID, headID := q.str("base"), q.str("head")
	tol := q.optNumber("tolerance")
	if baseID == "" {
		q.fail("base", "Required")
	}
	if headID == "" {
		q.fail("head", "Required")
	}
	if err := q.err(); err != nil {
		return err
	}
	eps := 1e-9
	if tol != nil {
		eps = *tol
	}
	base, baseItems, err := s.experimentDetail(r, baseID)
	if err != nil {
		return err
	}
	head, headItems, err := s.experimentDetail(r, headID)
	if err != nil {
		return err
	}
	key := func(it store.ExperimentItem) string {
		if h, ok := inputHash(it.Input); ok {
			return h
		}
		return "item:" + it.ItemName
	}
	type pair struct {
		base, head *store.ExperimentItem
	}
	var order []string
	pairs := map[string]*pair{}
	for i := range baseItems {
		k := key(baseItems[i])
		if _, ok := pairs[k]; !ok {
			pairs[k] = &pair{base: &baseItems[i]}
			order = append(order, k)
		}
	}
	for i := range headItems {
		k := key(headItems[i])
		p, ok := pairs[k]
		if !ok {
			p = &pair{}
			pairs[k] = p
			order = append(order, k)
		}
		if p.head == nil {
			p.head = &headItems[i]
		}
	}
	out := ComparisonJSON{Base: base.ExperimentSummaryJSON, Head: head.ExperimentSummaryJSON,
		Summary: map[string]int{"improved": 0, "regressed": 0, "unchanged": 0, "added": 0, "removed": 0},
		Items:   make([]ComparisonItemJSON, 0, len(order))}
	latest := func(it *store.ExperimentItem) map[string]float64 {
		m := map[string]float64{}
		if it != nil {
			for _, sc := range it.Scores {
				m[sc.Name] = sc.Value // the newest score of a name wins
			}
		}
		return m
	}
	for _, k := range order {
		p := pairs[k]
		ci := ComparisonItemJSON{InputHash: k, BaseOutput: json.RawMessage("null"), HeadOutput: json.RawMessage("null"), Scores: []ComparisonScoreJSON{}}
		if strings.HasPrefix(k, "item:") {
			ci.InputHash = ""
		}
		src := p.head
		if src == nil {
			src = p.base
		}
		ci.ItemName, ci.Input = src.ItemName, ioJSON(src.Input)
		if p.base != nil {
			ci.BaseTraceID, ci.BaseOutput = strPtr(p.base.TraceID), ioJSON(p.base.Output)
		}
		if p.head != nil {
			ci.HeadTraceID, ci.HeadOutput = strPtr(p.head.TraceID), ioJSON(p.head.Output)
		}
		bs, hs := latest(p.base), latest(p.head)
		names := map[string]bool{}
		for n := range bs {
			names[n] = true
		}
		for n := range hs {
			names[n] = true
		}
		sorted := make([]string, 0, len(names))
		for n := range names {
			sorted = append(sorted, n)
		}
		sort.Strings(sorted)
		improved, regressed := false, false
		for _, n := range sorted {
			cs := ComparisonScoreJSON{Name: n}
			b, bok := bs[n]
			h, hok := hs[n]
			switch {
			case bok && hok:
				cs.Base, cs.Head = &b, &h
				d := h - b
				cs.Delta = &d
				switch {
				case d > eps:
					cs.Status, improved = "improved", true
				case d < -eps:
					cs.Status, regressed = "regressed", true
				default:
					cs.Status = "unchanged"
				}
			case bok:
				cs.Base, cs.Status = &b, "removed"
			default:
				cs.Head, cs.Status = &h, "added"
			}
			ci.Scores = append(ci.Scores, cs)
		}
		switch {
		case p.base == nil:
			ci.Status = "added"
		case p.head == nil:
			ci.Status = "removed"
		case regressed:
			ci.Status = "regressed"
		case improved:
			ci.Status = "improved"
		default:
			ci.Status = "unchanged"
		}
		out.Summary[ci.Status]++
		out.Items = append(out.Items, ci)
	}
	return data(w, out)
}
