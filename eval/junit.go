package eval

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// JUnitReport is the input of WriteJUnit (§E.9).
type JUnitReport struct {
	Suite             string // frontmatter name || file basename
	PromptPath        string // upstream puts the frontmatter name here
	CommitSHA         string // source tree hash
	BaselineCommitSHA string // resolved baseline tree hash
	RunID             string
	Timestamp         time.Time
	Rows              []GateRow
	Gate              GateResult
}

type junitCase struct {
	classname, name string
	props           [][2]string
	failMsg         string
	failType        string
	failBody        string
	failed          bool
}

// WriteJUnit writes the JUnit XML document: one testcase per (row × eval)
// in row order (a row without evals: one passing "no-eval" case), then one
// "run-threshold" case per scorer threshold.
func WriteJUnit(w io.Writer, r JUnitReport) error {
	var cases []junitCase
	tol := r.Gate.RegressionTolerance
	for i, row := range r.Rows {
		var evs []GateEval
		if i < len(r.Gate.Evals) {
			evs = r.Gate.Evals[i]
		} else {
			for _, e := range row.Evals {
				evs = append(evs, GateEval{Named: e})
			}
		}
		name := "row-" + strconv.Itoa(row.Index)
		if len(evs) == 0 {
			cases = append(cases, junitCase{classname: "no-eval", name: name})
			continue
		}
		for _, e := range evs {
			c := junitCase{classname: e.Name, name: name}
			c.props = append(c.props, [2]string{"scorer", e.Name})
			if e.Score != nil {
				c.props = append(c.props, [2]string{"score", num(*e.Score)})
			}
			if e.BaselineScore != nil {
				c.props = append(c.props, [2]string{"baseline_score", num(*e.BaselineScore)})
			}
			if e.Passed != nil {
				c.props = append(c.props, [2]string{"passed", strconv.FormatBool(*e.Passed)})
			}
			if e.Label != "" {
				c.props = append(c.props, [2]string{"label", e.Label})
			}
			if tol != nil {
				c.props = append(c.props, [2]string{"regression_tolerance", num(*tol)})
			}
			c.props = appendIf(c.props, "commit_sha", r.CommitSHA)
			c.props = appendIf(c.props, "baseline_commit_sha", r.BaselineCommitSHA)
			c.props = appendIf(c.props, "run_id", r.RunID)
			c.props = appendIf(c.props, "prompt_path", r.PromptPath)
			if (e.Passed != nil && !*e.Passed) || e.Regressed {
				c.failed = true
				c.failType = "EvalFailure"
				var drop float64
				if e.Regressed {
					drop = (*e.BaselineScore - *e.Score) / *e.BaselineScore * 100
					c.failMsg = e.Name + " regressed " + strconv.FormatFloat(drop, 'f', 1, 64) + "% vs baseline (tolerance " + strconv.FormatFloat(*tol*100, 'f', 1, 64) + "%)"
				} else if e.Reason != "" {
					c.failMsg = e.Reason
				} else {
					c.failMsg = e.Name + " did not pass"
				}
				var b strings.Builder
				line := func(label, v string) {
					b.WriteString(label)
					b.WriteString(strings.Repeat(" ", max(0, 11-len(label))))
					b.WriteString(v)
					b.WriteString("\n")
				}
				line("Input:", Stringify(row.Input))
				line("Actual:", Stringify(row.Output))
				line("Expected:", Stringify(row.ExpectedOutput))
				if e.Reason != "" {
					line("Reason:", e.Reason)
				}
				if e.Score != nil {
					line("Score:", num(*e.Score))
				}
				if e.BaselineScore != nil {
					line("Baseline:", num(*e.BaselineScore))
				}
				if e.Regressed {
					line("Drop:", strconv.FormatFloat(drop, 'f', 1, 64)+"% (tolerance "+strconv.FormatFloat(*tol*100, 'f', 1, 64)+"%)")
				}
				c.failBody = strings.TrimSuffix(b.String(), "\n")
			}
			cases = append(cases, c)
		}
	}
	for _, t := range r.Gate.ScoreThresholdResults {
		c := junitCase{classname: t.Scorer, name: "run-threshold"}
		c.props = [][2]string{{"scorer", t.Scorer}, {"mean_score", num(t.Mean)}, {"threshold", num(t.Threshold)},
			{"sample_count", strconv.Itoa(t.Count)}}
		c.props = appendIf(c.props, "commit_sha", r.CommitSHA)
		if t.Failed() {
			c.failed = true
			c.failType = "ThresholdFailure"
			c.failMsg = t.Scorer + " mean " + strconv.FormatFloat(t.Mean, 'f', 3, 64) + " below threshold " + num(t.Threshold)
			c.failBody = "mean=" + num(t.Mean) + " threshold=" + num(t.Threshold) + " n=" + strconv.Itoa(t.Count)
		}
		cases = append(cases, c)
	}
	failures := 0
	for _, c := range cases {
		if c.failed {
			failures++
		}
	}
	ts := r.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	T, F := strconv.Itoa(len(cases)), strconv.Itoa(failures)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<testsuites name="` + attr(r.Suite) + `" tests="` + T + `" failures="` + F + `" time="0.000">` + "\n")
	b.WriteString(`<testsuite name="` + attr(r.Suite) + `" tests="` + T + `" failures="` + F + `" errors="0" skipped="0" time="0.000" timestamp="` +
		ts.UTC().Format("2006-01-02T15:04:05.000Z") + `">` + "\n")
	for _, c := range cases {
		b.WriteString(`<testcase classname="` + attr(c.classname) + `" name="` + attr(c.name) + `" time="0.000"`)
		if len(c.props) == 0 && !c.failed {
			b.WriteString("/>\n")
			continue
		}
		b.WriteString(">\n")
		if len(c.props) > 0 {
			b.WriteString("  <properties>\n")
			for _, p := range c.props {
				b.WriteString(`    <property name="` + attr(p[0]) + `" value="` + attr(p[1]) + `"/>` + "\n")
			}
			b.WriteString("  </properties>\n")
		}
		if c.failed {
			b.WriteString(`  <failure message="` + attr(c.failMsg) + `" type="` + c.failType + `">` + "\n")
			b.WriteString("    " + cdata(c.failBody) + "\n")
			b.WriteString("  </failure>\n")
		}
		b.WriteString("</testcase>\n")
	}
	b.WriteString("</testsuite>\n</testsuites>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func appendIf(p [][2]string, k, v string) [][2]string {
	if v == "" {
		return p
	}
	return append(p, [2]string{k, v})
}

func num(f float64) string { return jsvalue.NumberToString(f) }

// stripInvalidXML drops characters XML 1.0 does not allow.
func stripInvalidXML(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}

var attrReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func attr(s string) string { return attrReplacer.Replace(stripInvalidXML(s)) }

func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(stripInvalidXML(s), "]]>", "]]]]><![CDATA[>") + "]]>"
}
