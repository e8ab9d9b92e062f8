package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

func asFilterErr(err error) *store.InvalidFilterError {
	var fe *store.InvalidFilterError
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}

func asQueryErr(err error) *store.InvalidQueryError {
	var qe *store.InvalidQueryError
	if errors.As(err, &qe) {
		return qe
	}
	return nil
}

// traceSummary reads one trace's rollup through the list query (the
// trace_id predicate is the table key, so this is an index lookup).
func (a *app) traceSummary(r *http.Request, id string) (*store.TraceSummary, error) {
	page, err := a.Traces.ListTraces(r.Context(), a.AppID, store.TraceQuery{Limit: 1, Filter: "trace_id = " + quoteDSL(id)})
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, store.ErrNotFound
	}
	return &page.Items[0], nil
}

// spanRow is one row of the span tree / waterfall.
type spanRow struct {
	ID, Name, Type, Kind, Model, StatusMsg string
	Depth                                  int
	Kids                                   int
	Err                                    bool
	Left, Width                            string // waterfall position, percent of the trace
	DurMs                                  float64
	Cost                                   float64
	Tokens                                 int64
}

type tick struct {
	Left  string
	Label string
}

type traceData struct {
	Trace      *store.TraceSummary
	Rows       []spanRow
	Ticks      []tick
	Selected   string
	Detail     *spanDetail
	Scores     []store.Score
	Datasets   []string
	MaxDepth   int
	DurationMs float64
}

func pctStr(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// buildTree orders spans depth-first (children by start time) and lays
// them out on the trace's time axis. Spans must be sorted by start.
func buildTree(spans []span.Span) ([]spanRow, []tick, float64) {
	if len(spans) == 0 {
		return nil, nil, 0
	}
	byID := make(map[string]int, len(spans))
	start, end := spans[0].StartTimeNs, spans[0].EndTimeNs
	for i := range spans {
		byID[spans[i].SpanID] = i
		start = min(start, spans[i].StartTimeNs)
		end = max(end, spans[i].EndTimeNs)
	}
	kids := make([][]int, len(spans))
	var roots []int
	for i := range spans {
		p, ok := byID[spans[i].ParentSpanID]
		if spans[i].ParentSpanID == "" || !ok || p == i {
			roots = append(roots, i)
			continue
		}
		kids[p] = append(kids[p], i)
	}
	total := float64(max(end-start, 1))
	rows := make([]spanRow, 0, len(spans))
	type item struct{ i, depth int }
	stack := make([]item, 0, 64)
	for k := len(roots) - 1; k >= 0; k-- {
		stack = append(stack, item{roots[k], 0})
	}
	seen := make([]bool, len(spans))
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[it.i] {
			continue
		}
		seen[it.i] = true
		s := &spans[it.i]
		left := float64(s.StartTimeNs-start) / total * 100
		width := max(float64(s.EndTimeNs-s.StartTimeNs)/total*100, 0.25)
		if left+width > 100 {
			width = max(100-left, 0.25)
		}
		tokens := s.TotalTokens
		if tokens == 0 {
			tokens = s.InputTokens + s.OutputTokens
		}
		rows = append(rows, spanRow{ID: s.SpanID, Name: s.Name, Type: s.Type, Kind: s.SemanticKind, Model: s.Model,
			StatusMsg: s.StatusMsg, Depth: it.depth, Kids: len(kids[it.i]), Err: s.IsError(),
			Left: pctStr(left), Width: pctStr(width), DurMs: s.DurationMs(), Cost: s.Cost, Tokens: tokens})
		for k := len(kids[it.i]) - 1; k >= 0; k-- {
			stack = append(stack, item{kids[it.i][k], it.depth + 1})
		}
	}
	// Cycles (a parent chain that loops) leave spans unvisited: show them as roots.
	for i := range spans {
		if !seen[i] {
			s := &spans[i]
			rows = append(rows, spanRow{ID: s.SpanID, Name: s.Name, Type: s.Type, Kind: s.SemanticKind, Model: s.Model,
				Err: s.IsError(), Left: "0", Width: "0.25", DurMs: s.DurationMs(), Cost: s.Cost})
		}
	}
	totalMs := total / 1e6
	ticks := make([]tick, 0, 5)
	for k := 0; k <= 4; k++ {
		ticks = append(ticks, tick{Left: pctStr(float64(k) * 25), Label: fmtDur(totalMs * float64(k) / 4)})
	}
	return rows, ticks, totalMs
}

func (a *app) handleTrace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sum, err := a.traceSummary(r, id)
	if err != nil {
		a.storeError(w, r, err, "Trace")
		return
	}
	spans, err := a.Traces.ListTraceSpans(r.Context(), a.AppID, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.storeError(w, r, err, "Trace")
		return
	}
	d := traceData{Trace: sum}
	d.Rows, d.Ticks, d.DurationMs = buildTree(spans)
	for _, row := range d.Rows {
		d.MaxDepth = max(d.MaxDepth, row.Depth)
	}
	d.Selected = r.URL.Query().Get("span")
	if d.Selected == "" && len(d.Rows) > 0 {
		d.Selected = d.Rows[0].ID
	}
	if d.Selected != "" {
		d.Detail, err = a.spanDetail(r, id, d.Selected)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			a.storeError(w, r, err, "Span")
			return
		}
	}
	if a.Scores != nil {
		if sc, err := a.Scores.ListScores(r.Context(), a.AppID, store.ScoreQuery{ResourceID: id, Limit: 100}); err == nil {
			d.Scores = sc.Items
		}
	}
	d.Datasets = a.datasetFiles()
	a.render(w, r, http.StatusOK, "trace", "", view{Title: "Trace " + sum.Name, Nav: "traces", Data: d})
}

// ---- span detail ----

type chatPart struct {
	Kind string // text, tool-call, tool-result, media, json
	Name string
	Text string
}

type chatMsg struct {
	Role  string
	Parts []chatPart
}

type kv struct{ Key, Value string }

type spanDetail struct {
	TraceID      string
	Span         *span.Span
	Messages     []chatMsg
	InputRaw     string
	Output       string
	OutputObject string
	ToolCalls    string
	Settings     string
	Metadata     []kv
	Attributes   string
	Resource     string
	Events       []kv
	Scores       []store.Score
	DurMs        float64
	Tokens       int64
}

func (a *app) spanDetail(r *http.Request, traceID, spanID string) (*spanDetail, error) {
	s, err := a.Traces.GetSpan(r.Context(), a.AppID, traceID, spanID)
	if err != nil {
		return nil, err
	}
	d := &spanDetail{TraceID: traceID, Span: s, DurMs: s.DurationMs(), Tokens: s.TotalTokens}
	if d.Tokens == 0 {
		d.Tokens = s.InputTokens + s.OutputTokens
	}
	if len(s.Input) > 0 {
		if msgs, ok := parseMessages(s.Input); ok {
			d.Messages = msgs
		} else {
			d.InputRaw, _ = jsonPretty(s.Input)
		}
	}
	if s.Output != "" {
		d.Output, _ = jsonPretty([]byte(s.Output))
	}
	d.OutputObject, _ = jsonPretty(s.OutputObject)
	d.ToolCalls, _ = jsonPretty(s.ToolCalls)
	d.Settings, _ = jsonPretty(s.Settings)
	keys := make([]string, 0, len(s.Metadata))
	for k := range s.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d.Metadata = append(d.Metadata, kv{k, s.Metadata[k]})
	}
	for _, f := range []kv{{"Session", s.SessionID}, {"User", s.UserID}, {"Prompt", s.PromptName}, {"Props", s.Props},
		{"Dataset run", s.DatasetRunID}, {"Dataset item", s.DatasetItemName}, {"Experiment", s.ExperimentKey},
		{"Commit", s.CommitSHA}, {"Environment", s.Environment}, {"Service", s.ServiceName}, {"Finish reason", s.FinishReason}} {
		if f.Value != "" {
			d.Metadata = append(d.Metadata, f)
		}
	}
	if len(s.SpanAttributes) > 0 {
		b, _ := json.MarshalIndent(s.SpanAttributes, "", "  ")
		d.Attributes = string(b)
	}
	if len(s.ResourceAttributes) > 0 {
		b, _ := json.MarshalIndent(s.ResourceAttributes, "", "  ")
		d.Resource = string(b)
	}
	for _, ev := range s.Events {
		b, _ := json.Marshal(ev.Attributes)
		v := ""
		if len(ev.Attributes) > 0 {
			v = string(b)
		}
		d.Events = append(d.Events, kv{"+" + fmtDur(float64(ev.TimeNs-s.StartTimeNs)/1e6) + " " + ev.Name, v})
	}
	if a.Scores != nil {
		if sc, err := a.Scores.ListScores(r.Context(), a.AppID, store.ScoreQuery{ResourceID: spanID, Limit: 100}); err == nil {
			d.Scores = sc.Items
		}
	}
	return d, nil
}

// parseMessages reads a JSON array of {role, content} messages, where
// content is a string or an array of typed parts (AI SDK / AgentMark).
func parseMessages(raw json.RawMessage) ([]chatMsg, bool) {
	var msgs []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(raw, &msgs); err != nil || len(msgs) == 0 {
		return nil, false
	}
	out := make([]chatMsg, 0, len(msgs))
	for _, m := range msgs {
		if m.Role == "" {
			return nil, false
		}
		cm := chatMsg{Role: m.Role}
		var text string
		var parts []map[string]json.RawMessage
		switch {
		case len(m.Content) == 0 || string(m.Content) == "null":
		case json.Unmarshal(m.Content, &text) == nil:
			cm.Parts = append(cm.Parts, chatPart{Kind: "text", Text: text})
		case json.Unmarshal(m.Content, &parts) == nil:
			for _, p := range parts {
				cm.Parts = append(cm.Parts, partOf(p))
			}
		default:
			s, _ := jsonPretty(m.Content)
			cm.Parts = append(cm.Parts, chatPart{Kind: "json", Text: s})
		}
		out = append(out, cm)
	}
	return out, true
}

func partOf(p map[string]json.RawMessage) chatPart {
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(p[k], &s)
		return s
	}
	pretty := func(k string) string {
		s, _ := jsonPretty(p[k])
		return s
	}
	switch str("type") {
	case "text", "reasoning":
		return chatPart{Kind: "text", Text: str("text")}
	case "tool-call":
		args := pretty("args")
		if args == "" {
			args = pretty("input")
		}
		return chatPart{Kind: "tool-call", Name: str("toolName"), Text: args}
	case "tool-result":
		res := pretty("result")
		if res == "" {
			res = pretty("output")
		}
		return chatPart{Kind: "tool-result", Name: str("toolName"), Text: res}
	case "image", "file":
		u := str("image")
		if u == "" {
			u = str("data")
		}
		if u == "" {
			u = str("url")
		}
		return chatPart{Kind: "media", Name: str("mimeType") + str("mediaType"), Text: trunc(u, 200)}
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	return chatPart{Kind: "json", Text: string(b)}
}

func (a *app) handleSpan(w http.ResponseWriter, r *http.Request) {
	d, err := a.spanDetail(r, r.PathValue("id"), r.PathValue("spanID"))
	if err != nil {
		a.storeError(w, r, err, "Span")
		return
	}
	block := "spandetail"
	if !isHX(r) {
		http.Redirect(w, r, a.BasePath+"/traces/"+r.PathValue("id")+"?span="+r.PathValue("spanID"), http.StatusFound)
		return
	}
	a.render(w, r, http.StatusOK, "trace", block, view{Data: d})
}

// ---- add to dataset ----

// datasetFiles lists the project's .jsonl files (project-relative).
func (a *app) datasetFiles() []string {
	if a.ProjectDir == "" {
		return nil
	}
	var out []string
	root := a.ProjectDir
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			n := d.Name()
			if p != root && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "vendor") {
				return filepath.SkipDir
			}
			if rel, _ := filepath.Rel(root, p); strings.Count(rel, string(filepath.Separator)) > 4 {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".jsonl") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		if len(out) >= 100 {
			return fs.SkipAll
		}
		return nil
	})
	return out
}

type datasetResult struct {
	OK      bool
	Message string
	Path    string
}

func (a *app) handleAddToDataset(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	res := func(status int, d datasetResult) {
		a.render(w, r, status, "trace", "datasetresult", view{Data: d})
	}
	if a.ProjectDir == "" {
		res(http.StatusBadRequest, datasetResult{Message: "No project directory: start the UI from an AgentMark project."})
		return
	}
	rel := strings.TrimSpace(r.FormValue("dataset"))
	if rel == "" || !strings.HasSuffix(rel, ".jsonl") || filepath.IsAbs(rel) {
		res(http.StatusBadRequest, datasetResult{Message: "Give a project-relative path ending in .jsonl."})
		return
	}
	full, err := project.Confine(a.ProjectDir, filepath.FromSlash(rel))
	if err != nil {
		res(http.StatusBadRequest, datasetResult{Message: "The dataset must stay inside the project directory."})
		return
	}
	spans, err := a.Traces.ListTraceSpans(r.Context(), a.AppID, id)
	if err != nil || len(spans) == 0 {
		res(http.StatusNotFound, datasetResult{Message: "Trace not found."})
		return
	}
	rootID := spans[0].SpanID
	for _, s := range spans {
		if s.ParentSpanID == "" {
			rootID = s.SpanID
			break
		}
	}
	root, err := a.Traces.GetSpan(r.Context(), a.AppID, id, rootID)
	if err != nil {
		res(http.StatusNotFound, datasetResult{Message: "Trace not found."})
		return
	}
	row := map[string]any{}
	switch {
	case json.Valid([]byte(root.Props)) && strings.HasPrefix(strings.TrimSpace(root.Props), "{"):
		row["input"] = json.RawMessage(root.Props)
	case json.Valid([]byte(root.DatasetInput)) && root.DatasetInput != "":
		row["input"] = json.RawMessage(root.DatasetInput)
	case len(root.Input) > 0 && json.Valid(root.Input):
		row["input"] = map[string]any{"messages": json.RawMessage(root.Input)}
	default:
		row["input"] = map[string]any{}
	}
	switch {
	case root.Output != "":
		row["expected_output"] = root.Output
	case len(root.OutputObject) > 0 && json.Valid(root.OutputObject):
		row["expected_output"] = json.RawMessage(root.OutputObject)
	}
	row["metadata"] = map[string]string{"source_trace_id": id}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(row); err != nil {
		res(http.StatusInternalServerError, datasetResult{Message: "Could not encode the row."})
		return
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		res(http.StatusInternalServerError, datasetResult{Message: "Could not create the dataset folder."})
		return
	}
	// Start on a new line when the file does not end with one.
	if st, err := os.Stat(full); err == nil && st.Size() > 0 {
		if f, err := os.Open(full); err == nil {
			last := make([]byte, 1)
			if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
				buf = *bytes.NewBuffer(append([]byte{'\n'}, buf.Bytes()...))
			}
			f.Close()
		}
	}
	f, err := os.OpenFile(full, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		res(http.StatusInternalServerError, datasetResult{Message: "Could not open the dataset file."})
		return
	}
	_, werr := f.Write(buf.Bytes())
	cerr := f.Close()
	if werr != nil || cerr != nil {
		res(http.StatusInternalServerError, datasetResult{Message: "Could not write the dataset file."})
		return
	}
	res(http.StatusOK, datasetResult{OK: true, Message: "Added to", Path: rel})
}
