package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
)

// rowOut is one finished dataset row, from the in-process runner or a
// runner's {type:"dataset"} chunk.
type rowOut struct {
	input    jsvalue.Value
	expected jsvalue.Value // Undefined when absent
	output   any           // string, json.RawMessage, other; nil: none
	evals    []eval.Named
	tokens   *int
	traceID  string
	runID    string
}

// experimentOutput renders rows as they arrive (cli-eval-deploy §A.3 step
// 9) and keeps what the gates and the JUnit report need.
type experimentOutput struct {
	stdout, stderr io.Writer
	format         string
	truncate       int
	evalEnabled    bool

	runID    string
	header   []string
	evalCols []string
	widths   []int
	n        int // dataset rows so far (arrival index)
	errors   int
	rows     []eval.GateRow
	jsonRows []jsvalue.Value
	progress *progress
}

func newExperimentOutput(stdout, stderr io.Writer, a *experimentArgs, evalEnabled bool) *experimentOutput {
	o := &experimentOutput{stdout: stdout, stderr: stderr, format: a.format, truncate: a.truncate, evalEnabled: evalEnabled}
	if showProgress(stdout, stderr) {
		o.progress = &progress{w: stderr}
	}
	return o
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// showProgress: a progress bar only on an interactive terminal, never in CI.
func showProgress(stdout, stderr io.Writer) bool {
	if os.Getenv("CI") != "" {
		return false
	}
	return isTerminal(stdout) && isTerminal(stderr)
}

type progress struct {
	w           io.Writer
	total, done int
	errs        int
	shown       bool
}

func (p *progress) clear() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
}

func (p *progress) draw() {
	if p == nil {
		return
	}
	var line string
	if p.total > 0 {
		const width = 30
		fill := min(width, p.done*width/p.total)
		line = fmt.Sprintf("Running experiment [%s%s] %d/%d rows", strings.Repeat("█", fill), strings.Repeat("░", width-fill), p.done, p.total)
	} else {
		line = fmt.Sprintf("Running experiment: %d rows", p.done)
	}
	if p.errs > 0 {
		line += fmt.Sprintf(" (%d failed)", p.errs)
	}
	fmt.Fprint(p.w, "\r\x1b[2K"+line)
	p.shown = true
}

func (o *experimentOutput) warn(msg string) {
	o.progress.clear()
	fmt.Fprintln(o.stderr, msg)
	o.progress.draw()
}

// rowError reports a failed row (stderr "❌ <msg>"); the run goes on.
func (o *experimentOutput) rowError(msg string) {
	o.errors++
	if o.progress != nil {
		o.progress.errs++
		o.progress.done++
	}
	o.warn("❌ " + msg)
}

func inputCell(v jsvalue.Value) string {
	if v == nil || jsvalue.IsUndefined(v) {
		return "{}"
	}
	s, _ := jsvalue.Stringify(v)
	return s
}

func expectedCell(v jsvalue.Value) string {
	if v == nil || jsvalue.IsUndefined(v) {
		return "N/A"
	}
	if s, ok := v.(string); ok {
		return s
	}
	s, _ := jsvalue.Stringify(v)
	return s
}

func outputCell(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case []string:
		return strings.Join(t, ", ")
	}
	return eval.Stringify(v)
}

func toFixed2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// evalCell formats an eval like upstream: PASS/FAIL (score - reason), or
// score/label/reason parts, or N/A.
func evalCell(e *eval.Named) string {
	if e == nil {
		return "N/A"
	}
	if e.Passed != nil {
		s := "FAIL"
		if *e.Passed {
			s = "PASS"
		}
		if e.Score != nil || e.Reason != "" {
			in := ""
			if e.Score != nil {
				in = toFixed2(*e.Score)
			}
			if e.Reason != "" {
				in += " - " + e.Reason
			}
			s += " (" + in + ")"
		}
		return s
	}
	var parts []string
	if e.Score != nil {
		parts = append(parts, "score: "+toFixed2(*e.Score))
	}
	if e.Label != "" {
		parts = append(parts, "label: "+e.Label)
	}
	if e.Reason != "" {
		parts = append(parts, "reason: "+e.Reason)
	}
	if len(parts) == 0 {
		return "N/A"
	}
	return strings.Join(parts, ", ")
}

func truncateCell(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func csvCell(s string) string {
	if strings.ContainsAny(s, ",\n\"") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func (o *experimentOutput) row(r rowOut) {
	if o.runID == "" {
		o.runID = r.runID
	}
	o.n++
	if o.header == nil {
		o.header = []string{"#", "Input", "AI Result", "Expected Output"}
		if o.evalEnabled {
			for _, e := range r.evals {
				o.evalCols = append(o.evalCols, e.Name)
			}
			o.header = append(o.header, o.evalCols...)
		}
	}
	gr := eval.GateRow{Index: o.n, InputHash: eval.HashRowInput(r.input), Evals: r.evals}
	if o.format == "junit" {
		gr.Input, gr.Output = r.input, r.output
		if !jsvalue.IsUndefined(r.expected) {
			gr.ExpectedOutput = r.expected
		}
	}
	o.rows = append(o.rows, gr)

	cells := []string{strconv.Itoa(o.n), inputCell(r.input), outputCell(r.output), expectedCell(r.expected)}
	for _, name := range o.evalCols {
		var found *eval.Named
		for i := range r.evals {
			if r.evals[i].Name == name {
				found = &r.evals[i]
				break
			}
		}
		cells = append(cells, evalCell(found))
	}
	if o.progress != nil {
		o.progress.done++
	}
	o.progress.clear()
	switch o.format {
	case "table":
		for i := 1; i <= 3; i++ {
			cells[i] = truncateCell(cells[i], o.truncate)
		}
		o.tableRow(cells)
	case "csv":
		if o.n == 1 {
			o.csvLine(o.header)
		}
		o.csvLine(cells)
	case "json", "jsonl":
		obj := jsvalue.NewObject()
		for i, h := range o.header {
			obj.Set(h, cells[i])
		}
		if o.format == "jsonl" {
			s, _ := jsvalue.Stringify(obj)
			fmt.Fprintln(o.stdout, s)
		} else {
			o.jsonRows = append(o.jsonRows, obj)
		}
	}
	o.progress.draw()
}

func (o *experimentOutput) csvLine(cells []string) {
	q := make([]string, len(cells))
	for i, c := range cells {
		q[i] = csvCell(c)
	}
	fmt.Fprintln(o.stdout, strings.Join(q, ","))
}

// tableRow prints the header with the first row, then each row below it,
// with column widths fixed by the first row (long cells wrap).
func (o *experimentOutput) tableRow(cells []string) {
	w := o.stdout
	if o.widths == nil {
		caps := []int{6, 40, 50, 40}
		for i, h := range o.header {
			c := 30
			if i < len(caps) {
				c = caps[i]
			}
			width := max(utf8.RuneCountInString(h), min(c, maxLineLen(cells[i])))
			o.widths = append(o.widths, max(width, 1))
		}
		fmt.Fprintln(w, o.border("┌", "┬", "┐"))
		o.printCells(o.header)
		fmt.Fprintln(w, o.border("├", "┼", "┤"))
	} else {
		fmt.Fprintln(w, o.border("├", "┼", "┤"))
	}
	o.printCells(cells)
}

func maxLineLen(s string) int {
	m := 0
	for _, l := range strings.Split(s, "\n") {
		m = max(m, utf8.RuneCountInString(l))
	}
	return m
}

func (o *experimentOutput) border(l, m, r string) string {
	parts := make([]string, len(o.widths))
	for i, wd := range o.widths {
		parts[i] = strings.Repeat("─", wd+2)
	}
	return l + strings.Join(parts, m) + r
}

func wrapCell(s string, width int) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		r := []rune(line)
		if len(r) == 0 {
			out = append(out, "")
		}
		for len(r) > 0 {
			n := min(width, len(r))
			if n < len(r) {
				// Break after the last space that fits, when there is one.
				for k := n; k > width/2; k-- {
					if r[k-1] == ' ' {
						n = k
						break
					}
				}
			}
			out = append(out, strings.TrimRight(string(r[:n]), " "))
			r = r[n:]
		}
	}
	return out
}

func (o *experimentOutput) printCells(cells []string) {
	cols := make([][]string, len(cells))
	h := 1
	for i, c := range cells {
		cols[i] = wrapCell(c, o.widths[i])
		h = max(h, len(cols[i]))
	}
	var b strings.Builder
	for ln := 0; ln < h; ln++ {
		b.WriteString("│")
		for i := range cells {
			t := ""
			if ln < len(cols[i]) {
				t = cols[i][ln]
			}
			b.WriteString(" " + t + strings.Repeat(" ", o.widths[i]-utf8.RuneCountInString(t)) + " │")
		}
		b.WriteString("\n")
	}
	io.WriteString(o.stdout, b.String())
}

// finish ends the streamed output (table border, buffered JSON).
func (o *experimentOutput) finish() {
	o.progress.clear()
	switch o.format {
	case "table":
		if o.widths != nil {
			fmt.Fprintln(o.stdout, o.border("└", "┴", "┘"))
		}
	case "json":
		if len(o.jsonRows) > 0 {
			fmt.Fprintln(o.stdout, jsvalue.StringifyIndent(o.jsonRows, "  "))
		}
	}
}

// printAggregates prints per-eval pass counts and mean scores (table).
func (o *experimentOutput) printAggregates() {
	if !o.evalEnabled || len(o.rows) == 0 {
		return
	}
	type agg struct {
		passed, counted, scored int
		sum                     float64
	}
	var names []string
	aggs := map[string]*agg{}
	for _, r := range o.rows {
		for _, e := range r.Evals {
			a, ok := aggs[e.Name]
			if !ok {
				a = &agg{}
				aggs[e.Name] = a
				names = append(names, e.Name)
			}
			if e.Passed != nil {
				a.counted++
				if *e.Passed {
					a.passed++
				}
			}
			if e.Score != nil {
				a.scored++
				a.sum += *e.Score
			}
		}
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(o.stdout, "\nEvals (%d rows", len(o.rows))
	if o.errors > 0 {
		fmt.Fprintf(o.stdout, ", %d failed", o.errors)
	}
	fmt.Fprintln(o.stdout, "):")
	wn := 0
	for _, n := range names {
		wn = max(wn, utf8.RuneCountInString(n))
	}
	for _, n := range names {
		a := aggs[n]
		line := fmt.Sprintf("  %s%s", n, strings.Repeat(" ", wn-utf8.RuneCountInString(n)))
		if a.counted > 0 {
			line += fmt.Sprintf("  %d/%d passed (%d%%)", a.passed, a.counted, a.passed*100/a.counted)
		}
		if a.scored > 0 {
			line += fmt.Sprintf("  mean score %s", strconv.FormatFloat(a.sum/float64(a.scored), 'f', 3, 64))
		}
		fmt.Fprintln(o.stdout, line)
	}
}

// junitRows are the rows with inputs and outputs (kept for junit only).
func (o *experimentOutput) junitRows() []eval.GateRow { return o.rows }

// runExperimentOnServer sends a dataset-run job to a runner and renders
// its NDJSON answer (cli-eval-deploy §A.3 steps 8-9).
func runExperimentOnServer(ctx context.Context, server string, s *experimentState, a *experimentArgs, out *experimentOutput) (string, error) {
	data := jsvalue.NewObject()
	data.Set("ast", jsvalue.FromGo(s.tpl.AST()))
	if s.projectRoot != "" {
		if cfg, err := project.LoadConfig(s.projectRoot); err == nil {
			if rel, err := filepath.Rel(cfg.PromptDir(s.projectRoot), s.abs); err == nil && !strings.HasPrefix(rel, "..") {
				data.Set("promptPath", filepath.ToSlash(rel))
			}
		}
	}
	if s.datasetPath != "" {
		data.Set("datasetPath", s.datasetPath)
	}
	if s.promptName != "" {
		data.Set("experimentId", s.promptName)
	}
	data.Set("experimentKey", s.key)
	if a.sampling.Active() || a.sampling.Seed != nil {
		sm := jsvalue.NewObject()
		if a.sampling.Sample > 0 {
			sm.Set("sample", float64(a.sampling.Sample))
		}
		if a.sampling.Rows != nil {
			rows := make([]jsvalue.Value, len(a.sampling.Rows))
			for i, r := range a.sampling.Rows {
				rows[i] = float64(r)
			}
			sm.Set("rows", rows)
		}
		if a.sampling.Split != nil {
			sp := jsvalue.NewObject()
			sp.Set("portion", a.sampling.Split.Portion)
			sp.Set("percentage", float64(a.sampling.Split.Percentage))
			sm.Set("split", sp)
		}
		if a.sampling.Seed != nil {
			sm.Set("seed", float64(*a.sampling.Seed))
		}
		data.Set("sampling", sm)
	}
	if s.commitSHA != "" {
		data.Set("sourceTreeHash", s.commitSHA)
	}
	if a.concurrency > 0 {
		data.Set("concurrency", float64(a.concurrency))
	}
	body := jsvalue.NewObject()
	body.Set("type", "dataset-run")
	body.Set("data", data)
	js, _ := jsvalue.Stringify(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server, strings.NewReader(js))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var ne interface{ Timeout() bool }
		if strings.Contains(err.Error(), "connection refused") || errors.As(err, &ne) {
			return "", fmt.Errorf("❌ Could not connect to AgentMark server at %s\n   Start it with `agentmark dev` (or pass --server)", server)
		}
		return "", fmt.Errorf("Network error connecting to %s: %v", server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		var parsed struct {
			Error   any    `json:"error"`
			Message string `json:"message"`
		}
		msg := ""
		if json.Unmarshal(raw, &parsed) == nil {
			if s, ok := parsed.Error.(string); ok {
				msg = s
			} else if parsed.Message != "" {
				msg = parsed.Message
			}
		}
		if msg == "" {
			msg = string(raw)
			if len(msg) > 2000 {
				msg = msg[:2000]
			}
		}
		if msg == "" {
			msg = "Unknown error"
		}
		text := fmt.Sprintf("Runner request failed. HTTP %d %s — Content-Type: %s\nURL: %s\nError: %s",
			resp.StatusCode, http.StatusText(resp.StatusCode), resp.Header.Get("Content-Type"), server, msg)
		switch resp.StatusCode {
		case 404:
			text += "\nTip: The dev server endpoint was not found. Make sure you are running the latest version."
		case 400:
			text += "\nTip: The request was malformed. Check that your prompt file and dataset are valid."
		case 500:
			text += "\nTip: The server encountered an error. Check the dev server logs for more details."
		case 502, 503:
			text += "\nTip: The server is unavailable. Make sure the dev server is running with: npx @agentmark-ai/cli dev"
		}
		return "", errors.New(text)
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	runID := ""
	for {
		line, rerr := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var ch struct {
				Type   string          `json:"type"`
				Error  json.RawMessage `json:"error"`
				RunID  string          `json:"runId"`
				Trace  string          `json:"traceId"`
				Result *struct {
					Input          json.RawMessage `json:"input"`
					ExpectedOutput json.RawMessage `json:"expectedOutput"`
					ActualOutput   json.RawMessage `json:"actualOutput"`
					Tokens         *int            `json:"tokens"`
					Evals          []eval.Named    `json:"evals"`
				} `json:"result"`
			}
			if json.Unmarshal(line, &ch) == nil {
				switch {
				case ch.Type == "error":
					var m string
					if json.Unmarshal(ch.Error, &m) != nil {
						var eo struct {
							Message string `json:"message"`
						}
						if json.Unmarshal(ch.Error, &eo) == nil && eo.Message != "" {
							m = eo.Message
						} else {
							m = string(ch.Error)
						}
					}
					out.rowError(m)
				case ch.Type == "dataset" && ch.Result != nil:
					if runID == "" {
						runID = ch.RunID
					}
					r := rowOut{input: parseJSValue(ch.Result.Input, jsvalue.NewObject()),
						expected: parseJSValue(ch.Result.ExpectedOutput, jsvalue.Undefined),
						tokens:   ch.Result.Tokens, traceID: ch.Trace, runID: ch.RunID, evals: ch.Result.Evals}
					if len(ch.Result.ActualOutput) > 0 {
						var str string
						if json.Unmarshal(ch.Result.ActualOutput, &str) == nil {
							r.output = str
						} else {
							r.output = ch.Result.ActualOutput
						}
					}
					if r.evals == nil {
						r.evals = []eval.Named{}
					}
					out.row(r)
				}
			}
		}
		if rerr != nil {
			if rerr != io.EOF && ctx.Err() != nil {
				return runID, ctx.Err()
			}
			break
		}
	}
	return runID, nil
}

func parseJSValue(raw json.RawMessage, def jsvalue.Value) jsvalue.Value {
	if len(raw) == 0 {
		return def
	}
	v, err := jsvalue.ParseJSON(raw)
	if err != nil {
		return def
	}
	if v == nil && jsvalue.IsUndefined(def) {
		return def
	}
	return v
}
