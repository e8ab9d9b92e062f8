package ui

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/store"
)

type experimentsData struct {
	Supported        bool
	Page             store.Page[store.ExperimentRun]
	Prev, Next       int
	HasPrev, HasNext bool
}

func (a *app) handleExperiments(w http.ResponseWriter, r *http.Request) {
	d := experimentsData{Supported: a.Experiments != nil}
	if a.Experiments != nil {
		q := r.URL.Query()
		off, _ := strconv.Atoi(q.Get("offset"))
		off = max(off, 0)
		page, err := a.Experiments.ListExperimentRuns(r.Context(), a.AppID, store.ExperimentRunQuery{Limit: 50, Offset: off,
			Search: strings.TrimSpace(q.Get("q")), PromptName: strings.TrimSpace(q.Get("prompt"))})
		if err != nil {
			a.storeError(w, r, err, "Experiments")
			return
		}
		d.Page = page
		d.HasPrev, d.Prev, d.Next = off > 0, max(off-50, 0), off+50
		d.HasNext = int64(d.Next) < page.Total
	}
	a.render(w, r, http.StatusOK, "experiments", "", view{Title: "Experiments", Nav: "experiments", Data: d})
}

// scoreAgg summarises one score name over a run.
type scoreAgg struct {
	Name     string
	Count    int
	Avg      float64
	Passed   int // scores >= 0.5 when every value is within [0, 1]
	Binary   bool
	PassRate float64
}

type experimentData struct {
	Run        store.ExperimentRun
	Items      []store.ExperimentItem
	ScoreNames []string
	Aggs       []scoreAgg
	Errors     int
	AvgLatency float64
	Cost       float64
}

func aggregate(items []store.ExperimentItem) ([]string, []scoreAgg) {
	m := map[string]*scoreAgg{}
	for _, it := range items {
		for _, s := range it.Scores {
			ag := m[s.Name]
			if ag == nil {
				ag = &scoreAgg{Name: s.Name, Binary: true}
				m[s.Name] = ag
			}
			ag.Count++
			ag.Avg += s.Value
			if s.Value < 0 || s.Value > 1 {
				ag.Binary = false
			}
			if s.Value >= 0.5 {
				ag.Passed++
			}
		}
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	aggs := make([]scoreAgg, 0, len(names))
	for _, n := range names {
		ag := m[n]
		ag.Avg /= float64(ag.Count)
		ag.PassRate = float64(ag.Passed) / float64(ag.Count)
		aggs = append(aggs, *ag)
	}
	return names, aggs
}

// scoreOf is the last score of the item named name.
func scoreOf(it store.ExperimentItem, name string) (store.ItemScore, bool) {
	for i := len(it.Scores) - 1; i >= 0; i-- {
		if it.Scores[i].Name == name {
			return it.Scores[i], true
		}
	}
	return store.ItemScore{}, false
}

func (a *app) loadRun(r *http.Request, id string) (*experimentData, error) {
	if a.Experiments == nil {
		return nil, store.ErrNotFound
	}
	items, err := a.Experiments.ListExperimentItems(r.Context(), a.AppID, id)
	if err != nil {
		return nil, err
	}
	page, err := a.Experiments.ListExperimentRuns(r.Context(), a.AppID, store.ExperimentRunQuery{Search: id, Limit: 50})
	if err != nil {
		return nil, err
	}
	d := &experimentData{Items: items, Run: store.ExperimentRun{ID: id}}
	for _, run := range page.Items {
		if run.ID == id {
			d.Run = run
		}
	}
	d.ScoreNames, d.Aggs = aggregate(items)
	for _, it := range items {
		if it.Status == store.StatusError {
			d.Errors++
		}
		d.AvgLatency += it.LatencyMs
		d.Cost += it.Cost
	}
	if len(items) > 0 {
		d.AvgLatency /= float64(len(items))
	}
	return d, nil
}

func (a *app) handleExperiment(w http.ResponseWriter, r *http.Request) {
	d, err := a.loadRun(r, r.PathValue("id"))
	if err != nil {
		a.storeError(w, r, err, "Experiment run")
		return
	}
	title := d.Run.Name
	if title == "" {
		title = d.Run.ID
	}
	a.render(w, r, http.StatusOK, "experiment", "", view{Title: "Experiment " + title, Nav: "experiments", Data: d})
}

type cmpCell struct {
	Item  *store.ExperimentItem
	Score map[string]string
}

type cmpRow struct {
	Key, Input, Expected string
	A, B                 *store.ExperimentItem
	Scores               []cmpScore
	Regressed, Improved  bool
	StatusChange         string
}

type cmpScore struct {
	Name       string
	A, B       string
	HasA, HasB bool
	Delta      float64
	Class      string // worse, better, same
}

type compareData struct {
	A, B       *experimentData
	Rows       []cmpRow
	AggDeltas  []cmpScore
	Regressed  int
	Improved   int
	ScoreNames []string
	Runs       []store.ExperimentRun
}

// itemKey matches items of two runs: the dataset item name, else the input.
func itemKey(it store.ExperimentItem) string {
	if it.ItemName != "" {
		return "name:" + it.ItemName
	}
	var v any
	if json.Unmarshal([]byte(it.Input), &v) == nil {
		b, _ := json.Marshal(v) // canonical key order
		return "input:" + string(b)
	}
	return "input:" + it.Input
}

func (a *app) handleCompare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := q["run"]
	if len(ids) < 2 {
		ids = []string{q.Get("a"), q.Get("b")}
	}
	if len(ids) < 2 || ids[0] == "" || ids[1] == "" {
		a.errorPage(w, r, http.StatusBadRequest, "Pick two runs", "Select two experiment runs on the Experiments page to compare them.")
		return
	}
	da, err := a.loadRun(r, ids[0])
	if err != nil {
		a.storeError(w, r, err, "Experiment run")
		return
	}
	db, err := a.loadRun(r, ids[1])
	if err != nil {
		a.storeError(w, r, err, "Experiment run")
		return
	}
	d := compareData{A: da, B: db}
	names := map[string]bool{}
	for _, n := range append(append([]string{}, da.ScoreNames...), db.ScoreNames...) {
		names[n] = true
	}
	for n := range names {
		d.ScoreNames = append(d.ScoreNames, n)
	}
	sort.Strings(d.ScoreNames)
	idx := map[string]int{}
	for i := range da.Items {
		it := &da.Items[i]
		k := itemKey(*it)
		if _, dup := idx[k]; dup {
			continue
		}
		idx[k] = len(d.Rows)
		d.Rows = append(d.Rows, cmpRow{Key: k, Input: it.Input, Expected: it.ExpectedOutput, A: it})
	}
	for i := range db.Items {
		it := &db.Items[i]
		k := itemKey(*it)
		if j, ok := idx[k]; ok && d.Rows[j].B == nil {
			d.Rows[j].B = it
			continue
		}
		idx[k] = len(d.Rows)
		d.Rows = append(d.Rows, cmpRow{Key: k, Input: it.Input, Expected: it.ExpectedOutput, B: it})
	}
	for i := range d.Rows {
		row := &d.Rows[i]
		for _, n := range d.ScoreNames {
			c := cmpScore{Name: n, Class: "same"}
			var sa, sb store.ItemScore
			if row.A != nil {
				sa, c.HasA = scoreOf(*row.A, n)
			}
			if row.B != nil {
				sb, c.HasB = scoreOf(*row.B, n)
			}
			c.A, c.B = fmtScore(sa.Value), fmtScore(sb.Value)
			if c.HasA && c.HasB {
				c.Delta = sb.Value - sa.Value
				switch {
				case c.Delta < -1e-9:
					c.Class = "worse"
					row.Regressed = true
				case c.Delta > 1e-9:
					c.Class = "better"
					row.Improved = true
				}
			}
			row.Scores = append(row.Scores, c)
		}
		if row.A != nil && row.B != nil && row.A.Status != row.B.Status {
			row.StatusChange = row.A.Status + " → " + row.B.Status
			if row.B.Status == store.StatusError {
				row.Regressed = true
			} else if row.A.Status == store.StatusError {
				row.Improved = true
			}
		}
		if row.Regressed {
			d.Regressed++
		} else if row.Improved {
			d.Improved++
		}
	}
	aggA := map[string]scoreAgg{}
	for _, ag := range da.Aggs {
		aggA[ag.Name] = ag
	}
	aggB := map[string]scoreAgg{}
	for _, ag := range db.Aggs {
		aggB[ag.Name] = ag
	}
	for _, n := range d.ScoreNames {
		x, okA := aggA[n]
		y, okB := aggB[n]
		c := cmpScore{Name: n, HasA: okA, HasB: okB, A: strconv.FormatFloat(x.Avg, 'f', 3, 64), B: strconv.FormatFloat(y.Avg, 'f', 3, 64), Class: "same"}
		if okA && okB {
			c.Delta = y.Avg - x.Avg
			if c.Delta < -1e-9 {
				c.Class = "worse"
			} else if c.Delta > 1e-9 {
				c.Class = "better"
			}
		}
		d.AggDeltas = append(d.AggDeltas, c)
	}
	a.render(w, r, http.StatusOK, "compare", "", view{Title: "Compare runs", Nav: "experiments", Data: d})
}
