package eval

import (
	"fmt"
	"math"
	"strings"

	"github.com/agentmark-go/agentmark/eval/dataset"
	"github.com/agentmark-go/agentmark/jsvalue"
)

// HashRowInput is upstream's hashRowInput (§E.8): FNV-1a 64 over the UTF-16
// code units of the canonical JSON of v (keys sorted), 16 hex chars.
func HashRowInput(v jsvalue.Value) string {
	var b strings.Builder
	dataset.StableStringify(&b, v)
	h := uint64(0xcbf29ce484222325)
	for _, u := range jsvalue.ToUTF16(b.String()) {
		h ^= uint64(u)
		h *= 0x100000001b3
	}
	return fmt.Sprintf("%016x", h)
}

// IsRegression is upstream's isRegression: score and baseline known,
// baseline > 0, and the fractional drop exceeds the tolerance (strictly).
func IsRegression(score, baseline, tolerance *float64) bool {
	if score == nil || baseline == nil || tolerance == nil || *baseline <= 0 {
		return false
	}
	return (*baseline-*score) / *baseline > *tolerance
}

// Baseline is a resolved baseline run and its per-(row × scorer) scores.
type Baseline struct {
	Resolved *Resolved     `json:"resolved"`
	Rows     []BaselineRow `json:"rows"`
}

// Resolved identifies the baseline run.
type Resolved struct {
	RunID              string `json:"runId"`
	TreeHash           string `json:"treeHash"`
	MatchedExactCommit bool   `json:"matchedExactCommit"`
}

// BaselineRow is one baseline score.
type BaselineRow struct {
	InputHash string  `json:"inputHash"`
	Scorer    string  `json:"scorer"`
	Score     float64 `json:"score"`
}

// Threshold is a run-level minimum mean score for a scorer.
type Threshold struct {
	Scorer string
	Min    float64
}

// ThresholdResult is a scorer's mean against its threshold.
type ThresholdResult struct {
	Scorer    string  `json:"scorer"`
	Mean      float64 `json:"mean"`
	Threshold float64 `json:"threshold"`
	Count     int     `json:"count"`
}

// Failed reports mean < threshold.
func (t ThresholdResult) Failed() bool { return t.Mean < t.Threshold }

// GateRow is one completed experiment row, for the gates and JUnit.
type GateRow struct {
	Index int // 1-based arrival index
	// InputHash is HashRowInput(Input); computed from Input when empty
	// (callers that drop Input to save memory set it).
	InputHash      string
	Input          jsvalue.Value
	Output         any
	ExpectedOutput any
	Evals          []Named
}

func (r GateRow) hash() string {
	if r.InputHash != "" {
		return r.InputHash
	}
	return HashRowInput(r.Input)
}

// GateEval is an eval of a row with its baseline comparison.
type GateEval struct {
	Named
	BaselineScore *float64 `json:"baselineScore,omitempty"`
	Regressed     bool     `json:"regressed"`
}

// GateResult is evaluateExperimentGate's verdict.
type GateResult struct {
	Passed                bool              `json:"passed"`
	RegressionFailures    int               `json:"regressionFailures"`
	ScoreThresholdResults []ThresholdResult `json:"scoreThresholdResults"`
	FailedScoreThresholds []ThresholdResult `json:"failedScoreThresholds"`
	RegressionTolerance   *float64          `json:"regressionTolerance,omitempty"`
	Resolved              *Resolved         `json:"resolved"`
	BaselineRowsMatched   int               `json:"baselineRowsMatched"`
	// Evals holds, per row (same order as the input rows), its evals with
	// baseline scores and regression flags.
	Evals [][]GateEval `json:"-"`
}

// EvaluateGate computes the regression and score-threshold gates (§E.8).
// baseline and tolerance may be nil.
func EvaluateGate(rows []GateRow, baseline *Baseline, tolerance *float64, thresholds []Threshold) GateResult {
	g := GateResult{RegressionTolerance: tolerance, ScoreThresholdResults: []ThresholdResult{}, FailedScoreThresholds: []ThresholdResult{}}
	base := map[string]float64{}
	hashes := map[string]bool{}
	if baseline != nil {
		g.Resolved = baseline.Resolved
		for _, r := range baseline.Rows {
			base[r.InputHash+"::"+r.Scorer] = r.Score
			hashes[r.InputHash] = true
		}
	}
	for _, row := range rows {
		h := row.hash()
		if hashes[h] {
			g.BaselineRowsMatched++
		}
		evs := make([]GateEval, len(row.Evals))
		for i, e := range row.Evals {
			ge := GateEval{Named: e}
			if bs, ok := base[h+"::"+e.Name]; ok {
				ge.BaselineScore = Float(bs)
			}
			ge.Regressed = IsRegression(e.Score, ge.BaselineScore, tolerance)
			if ge.Regressed {
				g.RegressionFailures++
			}
			evs[i] = ge
		}
		g.Evals = append(g.Evals, evs)
	}
	for _, t := range thresholds {
		sum, n := 0.0, 0
		for _, row := range rows {
			for _, e := range row.Evals {
				if e.Name == t.Scorer && e.Score != nil {
					sum += *e.Score
					n++
				}
			}
		}
		if n == 0 {
			continue
		}
		r := ThresholdResult{Scorer: t.Scorer, Mean: sum / float64(n), Threshold: t.Min, Count: n}
		g.ScoreThresholdResults = append(g.ScoreThresholdResults, r)
		if r.Failed() {
			g.FailedScoreThresholds = append(g.FailedScoreThresholds, r)
		}
	}
	g.Passed = g.RegressionFailures == 0 && len(g.FailedScoreThresholds) == 0
	return g
}

// PassRate counts (row × eval) pairs with a boolean passed: how many
// passed, how many counted, and the CLI's Math.floor(passed/total*100) in
// float64 arithmetic (so 29/100 gives 28, as upstream; 0 when total is 0).
func PassRate(rows []GateRow) (passed, total, pct int) {
	for _, r := range rows {
		for _, e := range r.Evals {
			if e.Passed != nil {
				total++
				if *e.Passed {
					passed++
				}
			}
		}
	}
	if total > 0 {
		pct = int(math.Floor(float64(passed) / float64(total) * 100))
	}
	return
}
