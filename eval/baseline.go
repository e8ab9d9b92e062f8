package eval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// BaselineSource finds the baseline of an experiment for the regression
// gate: the run of experimentKey at treeHash, else the most recent prior
// run (Resolved.MatchedExactCommit false). No run: a Baseline with a nil
// Resolved and no rows, and a nil error.
type BaselineSource interface {
	Baseline(ctx context.Context, experimentKey, treeHash, datasetPath string) (*Baseline, error)
}

// RunRecord is a finished experiment run, for persisting.
type RunRecord struct {
	RunID          string        `json:"runId"`
	RunName        string        `json:"runName"`
	ExperimentKey  string        `json:"experimentKey"`
	TreeHash       string        `json:"treeHash"`
	DatasetPath    string        `json:"datasetPath,omitempty"`
	PromptName     string        `json:"promptName,omitempty"`
	CreatedAt      time.Time     `json:"createdAt"`
	Rows           []BaselineRow `json:"rows"`
	PassRate       *int          `json:"passRate,omitempty"`
	RowsTotal      int           `json:"rowsTotal"`
	RowsWithErrors int           `json:"rowsWithErrors"`
}

// Recorder persists experiment results. This is the seam for the store:
// the CLI and SDK call RecordRun once per finished run. FileStore is the
// local implementation until the store/API can take experiment runs (an
// adapter over the store goes here: implement Recorder and
// BaselineSource over it).
type Recorder interface {
	RecordRun(ctx context.Context, run RunRecord) error
}

// BaselineRows turns gate rows into baseline rows (numeric scores only).
func BaselineRows(rows []GateRow) []BaselineRow {
	var out []BaselineRow
	for _, r := range rows {
		h := r.hash()
		for _, e := range r.Evals {
			if e.Score != nil {
				out = append(out, BaselineRow{InputHash: h, Scorer: e.Name, Score: *e.Score})
			}
		}
	}
	return out
}

// FileStore keeps experiment runs as JSON files under Dir (by default
// <project>/.agentmark/experiments): <Dir>/<sha256(key)[:16]>/<createdAt>-<runId>.json.
// It is both a Recorder and a BaselineSource, resolving baselines like the
// API does (exact tree hash first, then the latest run).
type FileStore struct {
	Dir string
	// Keep bounds the runs kept per experiment key (0: 50).
	Keep int
}

func (s FileStore) keyDir(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.Dir, hex.EncodeToString(sum[:8]))
}

// RecordRun implements Recorder.
func (s FileStore) RecordRun(ctx context.Context, run RunRecord) error {
	if run.ExperimentKey == "" {
		return errors.New("experiment run without an experiment key")
	}
	dir := s.keyDir(run.ExperimentKey)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if run.Rows == nil {
		run.Rows = []BaselineRow{}
	}
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return err
	}
	name := run.CreatedAt.UTC().Format("20060102T150405.000000000Z") + "-" + sanitize(run.RunID) + ".json"
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	keep := s.Keep
	if keep <= 0 {
		keep = 50
	}
	files, _ := s.runFiles(run.ExperimentKey)
	for len(files) > keep {
		os.Remove(files[0])
		files = files[1:]
	}
	return nil
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// runFiles lists a key's run files, oldest first.
func (s FileStore) runFiles(key string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(s.keyDir(key), "*.json"))
	sort.Strings(m)
	return m, err
}

// Baseline implements BaselineSource.
func (s FileStore) Baseline(ctx context.Context, key, treeHash, datasetPath string) (*Baseline, error) {
	files, err := s.runFiles(key)
	if err != nil {
		return nil, err
	}
	var best *RunRecord
	exact := false
	for i := len(files) - 1; i >= 0; i-- {
		b, err := os.ReadFile(files[i])
		if err != nil {
			continue
		}
		var r RunRecord
		if json.Unmarshal(b, &r) != nil || r.ExperimentKey != key {
			continue
		}
		if treeHash != "" && r.TreeHash == treeHash {
			best, exact = &r, true
			break
		}
		if best == nil {
			rr := r
			best = &rr
		}
	}
	if best == nil {
		return &Baseline{Rows: []BaselineRow{}}, nil
	}
	return &Baseline{Resolved: &Resolved{RunID: best.RunID, TreeHash: best.TreeHash, MatchedExactCommit: exact}, Rows: best.Rows}, nil
}

// HTTPBaseline fetches GET <BaseURL>/v1/experiments/baseline (the local
// API server or AgentMark Cloud; cli-eval-deploy §A.3 step 6).
type HTTPBaseline struct {
	BaseURL string
	APIKey  string // sent raw in Authorization (no "Bearer")
	AppID   string
	Client  *http.Client
}

// BaselineHTTPError is a non-2xx answer.
type BaselineHTTPError struct{ Status int }

func (e *BaselineHTTPError) Error() string {
	if e.Status == 401 || e.Status == 403 {
		return fmt.Sprintf("HTTP %d — check AGENTMARK_API_KEY", e.Status)
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// Baseline implements BaselineSource.
func (h HTTPBaseline) Baseline(ctx context.Context, key, treeHash, datasetPath string) (*Baseline, error) {
	q := "experiment_key=" + url.QueryEscape(key) + "&tree_hash=" + url.QueryEscape(treeHash)
	if datasetPath != "" {
		q += "&dataset_path=" + url.QueryEscape(datasetPath)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(h.BaseURL, "/")+"/v1/experiments/baseline?"+q, nil)
	if err != nil {
		return nil, err
	}
	if h.APIKey != "" {
		req.Header.Set("Authorization", h.APIKey)
	}
	if h.AppID != "" {
		req.Header.Set("X-Agentmark-App-Id", h.AppID)
	}
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("unreachable — %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, &BaselineHTTPError{resp.StatusCode}
	}
	var body struct {
		Data struct {
			Resolved *Resolved        `json:"resolved"`
			Rows     []map[string]any `json:"rows"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("unreachable — %v", err)
	}
	out := &Baseline{Resolved: body.Data.Resolved, Rows: []BaselineRow{}}
	for _, r := range body.Data.Rows {
		h, ok1 := r["inputHash"].(string)
		sc, ok2 := r["scorer"].(string)
		v, ok3 := r["score"].(float64)
		if ok1 && ok2 && ok3 {
			out.Rows = append(out.Rows, BaselineRow{InputHash: h, Scorer: sc, Score: v})
		}
	}
	return out, nil
}
