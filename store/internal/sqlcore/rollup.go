package sqlcore

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/agentmark-go/agentmark/store"
)

// PreviewChars is the length of the trace I/O previews.
const PreviewChars = 160

// rollSpan is the part of a span the trace rollup reads.
type rollSpan struct {
	spanID, parentID, typ                      string
	start, end                                 int64
	dur                                        float64
	name, status, statusMsg, model             string
	inTok, outTok, totTok                      int64
	cost                                       float64
	sessionID, sessionName, userID, traceName  string
	runID, runName, dsPath, expKey, promptName string
	commit, env, metadata, tags                string
	inPrev, outPrev                            string
}

const rollSelect = `s.trace_id, s.span_id, s.parent_span_id, s.type, s.start_ns, s.end_ns, s.duration_ms, s.name,
 s.status_code, s.status_message, s.model, s.input_tokens, s.output_tokens, s.total_tokens, s.cost, s.session_id,
 s.session_name, s.user_id, s.trace_name, s.dataset_run_id, s.dataset_run_name, s.dataset_path, s.experiment_key,
 s.prompt_name, s.commit_sha, s.environment, s.metadata, s.tags, substr(s.input, 1, 160), substr(s.output, 1, 160)`

// TraceCols are the traces table columns, in TraceArgs / scan order.
var TraceCols = []string{
	"app_id", "trace_id", "name", "status_code", "status_message", "start_ns", "end_ns", "latency_ms", "cost",
	"tokens", "input_tokens", "output_tokens", "span_count", "error_count", "tags", "models", "input_preview",
	"output_preview", "has_input", "has_output", "session_id", "session_name", "user_id", "dataset_run_id",
	"dataset_run_name", "dataset_path", "experiment_key", "prompt_name", "commit_sha", "environment", "metadata",
}

func statusRank(code string) int {
	switch code {
	case "2":
		return 2
	case "1":
		return 1
	}
	return 0
}

// summarize computes the rollup of one trace (see store.TraceSummary).
func summarize(traceID string, spans []rollSpan) traceRow {
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].spanID < spans[j].spanID
	})
	ids := make(map[string]bool, len(spans))
	for i := range spans {
		ids[spans[i].spanID] = true
	}
	r := traceRow{id: traceID}
	var roots []*rollSpan
	primary := -1
	for i := range spans {
		s := &spans[i]
		if s.parentID == "" || !ids[s.parentID] {
			roots = append(roots, s)
			if primary < 0 || (spans[primary].parentID != "" && s.parentID == "") {
				primary = i
			}
		}
	}
	if primary < 0 { // a cycle: no root
		primary = 0
	}
	p := &spans[primary]

	// name
	for _, s := range roots {
		if s.traceName != "" {
			r.name = s.traceName
			break
		}
	}
	if r.name == "" {
		r.name = p.name
	}
	// status: parentless roots, else all spans
	found := false
	for i := range spans {
		if spans[i].parentID == "" {
			found = true
			if statusRank(spans[i].status) >= r.status {
				r.status = statusRank(spans[i].status)
				if spans[i].statusMsg != "" || r.statusMsg == "" {
					r.statusMsg = spans[i].statusMsg
				}
			}
		}
	}
	if !found {
		for i := range spans {
			if statusRank(spans[i].status) > r.status {
				r.status = statusRank(spans[i].status)
				r.statusMsg = spans[i].statusMsg
			}
		}
	}
	r.start, r.end = spans[0].start, spans[0].end
	var genCost, maxCost float64
	var genTok, genIn, genOut, maxTok, maxIn, maxOut int64
	tagSeen, modelSeen := map[string]bool{}, map[string]bool{}
	for i := range spans {
		s := &spans[i]
		r.end = max(r.end, s.end)
		r.spanCount++
		if s.status == "2" {
			r.errorCount++
		}
		tok := s.totTok
		if tok == 0 {
			tok = s.inTok + s.outTok
		}
		if s.typ == "GENERATION" {
			genCost += s.cost
			genTok += tok
			genIn += s.inTok
			genOut += s.outTok
		}
		maxCost, maxTok, maxIn, maxOut = max(maxCost, s.cost), max(maxTok, tok), max(maxIn, s.inTok), max(maxOut, s.outTok)
		if s.tags != "" && s.tags != "[]" {
			var tags []string
			if json.Unmarshal([]byte(s.tags), &tags) == nil {
				for _, t := range tags {
					if !tagSeen[t] {
						tagSeen[t] = true
						r.tags = append(r.tags, t)
					}
				}
			}
		}
		if s.model != "" && !modelSeen[s.model] {
			modelSeen[s.model] = true
			r.models = append(r.models, s.model)
		}
	}
	r.cost, r.tokens, r.inTok, r.outTok = genCost, genTok, genIn, genOut
	if genCost == 0 {
		r.cost = maxCost
	}
	if genTok == 0 {
		r.tokens, r.inTok, r.outTok = maxTok, maxIn, maxOut
	}
	for _, s := range roots {
		r.latency = max(r.latency, s.dur)
	}
	// grouping fields: the primary root's value, else the first non-empty
	pick := func(get func(*rollSpan) string) string {
		if v := get(p); v != "" {
			return v
		}
		for i := range spans {
			if v := get(&spans[i]); v != "" {
				return v
			}
		}
		return ""
	}
	r.sessionID = pick(func(s *rollSpan) string { return s.sessionID })
	r.sessionName = pick(func(s *rollSpan) string { return s.sessionName })
	r.userID = pick(func(s *rollSpan) string { return s.userID })
	r.runID = pick(func(s *rollSpan) string { return s.runID })
	r.runName = pick(func(s *rollSpan) string { return s.runName })
	r.dsPath = pick(func(s *rollSpan) string { return s.dsPath })
	r.expKey = pick(func(s *rollSpan) string { return s.expKey })
	r.promptName = pick(func(s *rollSpan) string { return s.promptName })
	r.commit = pick(func(s *rollSpan) string { return s.commit })
	r.env = pick(func(s *rollSpan) string { return s.env })
	r.metadata = p.metadata
	// previews (B.10)
	if usable(p.inPrev) {
		r.inPrev, r.hasIn = p.inPrev, true
	} else {
		for i := range spans {
			if spans[i].typ == "GENERATION" && usable(spans[i].inPrev) {
				r.inPrev, r.hasIn = spans[i].inPrev, true
				break
			}
		}
	}
	if usable(p.outPrev) {
		r.outPrev, r.hasOut = p.outPrev, true
	} else {
		for i := len(spans) - 1; i >= 0; i-- {
			if spans[i].typ == "GENERATION" && usable(spans[i].outPrev) {
				r.outPrev, r.hasOut = spans[i].outPrev, true
				break
			}
		}
	}
	return r
}

func usable(s string) bool { return s != "" && s != "null" }

type traceRow struct {
	id, name, statusMsg                   string
	status                                int
	start, end                            int64
	latency, cost                         float64
	tokens, inTok, outTok                 int64
	spanCount, errorCount                 int64
	tags, models                          []string
	inPrev, outPrev                       string
	hasIn, hasOut                         bool
	sessionID, sessionName, userID, runID string
	runName, dsPath, expKey, promptName   string
	commit, env, metadata                 string
}

func (r *traceRow) args(appID string) []any {
	return []any{
		appID, r.id, r.name, int64(r.status), r.statusMsg, r.start, r.end, r.latency, r.cost, r.tokens,
		r.inTok, r.outTok, r.spanCount, r.errorCount, jsonText(r.tags, "[]"), jsonText(r.models, "[]"),
		r.inPrev, r.outPrev, boolInt(r.hasIn), boolInt(r.hasOut), r.sessionID, r.sessionName, r.userID,
		r.runID, r.runName, r.dsPath, r.expKey, r.promptName, r.commit, r.env, orEmpty(r.metadata, "{}"),
	}
}

func orEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// UpsertSQL returns "INSERT INTO table (cols) VALUES (...)xrows ON CONFLICT
// (key) DO UPDATE SET every non-key column".
func UpsertSQL(d *Dialect, table string, cols []string, key []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	n := 0
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(d.InsertPlaceholder(n))
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT (" + strings.Join(key, ", ") + ") DO UPDATE SET ")
	isKey := map[string]bool{}
	for _, k := range key {
		isKey[k] = true
	}
	first := true
	for _, c := range cols {
		if isKey[c] {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(c + " = excluded." + c)
	}
	return b.String()
}

// RollupSelect is the select list of the span columns the trace rollup
// reads, from spans s (the first column is the trace ID).
const RollupSelect = rollSelect

// Rollup computes the traces rows of a span batch incrementally: the spans
// the batch's traces held before the batch (read with Read or Scan, before
// the spans upsert, in the same transaction) are merged in memory with the
// batch (whose rows replace stored rows of the same span), which is exactly
// the set of spans the traces hold after the upsert. Fresh traces cost one
// index probe; no span is read back after the write.
type Rollup struct {
	pre map[string][]rollSpan
}

// Read loads the stored rollup columns of the spans of traceIDs.
func (r *Rollup) Read(ctx context.Context, d *Dialect, q Querier, appID string, traceIDs []string) error {
	const chunk = 200
	for len(traceIDs) > 0 {
		n := min(chunk, len(traceIDs))
		ids := traceIDs[:n]
		traceIDs = traceIDs[n:]
		b := &builder{d: d}
		app := b.arg(appID)
		phs := make([]string, len(ids))
		for i, id := range ids {
			phs[i] = b.arg(clean(id))
		}
		sql := "SELECT " + rollSelect + " FROM spans s WHERE s.app_id = " + app + " AND s.trace_id IN (" + strings.Join(phs, ", ") + ")"
		rows, err := q.Query(ctx, sql, b.args...)
		if err != nil {
			return err
		}
		if err := r.Scan(rows); err != nil {
			return err
		}
	}
	return nil
}

// Scan reads (and closes) rows of a "SELECT RollupSelect FROM spans s"
// query.
func (r *Rollup) Scan(rows Rows) error {
	if r.pre == nil {
		r.pre = map[string][]rollSpan{}
	}
	for rows.Next() {
		var tid string
		var s rollSpan
		if err := rows.Scan(&tid, &s.spanID, &s.parentID, &s.typ, &s.start, &s.end, &s.dur, &s.name, &s.status,
			&s.statusMsg, &s.model, &s.inTok, &s.outTok, &s.totTok, &s.cost, &s.sessionID, &s.sessionName,
			&s.userID, &s.traceName, &s.runID, &s.runName, &s.dsPath, &s.expKey, &s.promptName, &s.commit,
			&s.env, &s.metadata, &s.tags, &s.inPrev, &s.outPrev); err != nil {
			rows.Close()
			return err
		}
		r.pre[tid] = append(r.pre[tid], s)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// TraceRows returns the traces rows (TraceCols order) of the traces of a
// batch, given the batch's span rows (SpanArgs of each span, with the
// cleaned appID) and its trace IDs (as Dedupe returns them).
func (r *Rollup) TraceRows(appID string, spanRows [][]any, traceIDs []string) [][]any {
	batch := make(map[string][]rollSpan, len(traceIDs))
	for _, a := range spanRows {
		tid := a[colTraceID].(string)
		batch[tid] = append(batch[tid], rollOf(a))
	}
	out := make([][]any, 0, len(traceIDs))
	done := make(map[string]bool, len(traceIDs))
	for _, id := range traceIDs {
		id = clean(id)
		if done[id] {
			continue
		}
		done[id] = true
		spans := batch[id]
		if pre := r.pre[id]; len(pre) > 0 {
			replaced := make(map[string]bool, len(spans))
			for i := range spans {
				replaced[spans[i].spanID] = true
			}
			for _, s := range pre {
				if !replaced[s.spanID] {
					spans = append(spans, s)
				}
			}
		}
		if len(spans) > 0 {
			tr := summarize(id, spans)
			out = append(out, tr.args(appID))
		}
	}
	return out
}

// Indexes into a SpanArgs row.
var (
	colTraceID = spanCol("trace_id")
	colSpanID  = spanCol("span_id")
	colParent  = spanCol("parent_span_id")
	colType    = spanCol("type")
	colStart   = spanCol("start_ns")
	colEnd     = spanCol("end_ns")
	colDur     = spanCol("duration_ms")
	colName    = spanCol("name")
	colStatus  = spanCol("status_code")
	colStMsg   = spanCol("status_message")
	colModel   = spanCol("model")
	colInTok   = spanCol("input_tokens")
	colOutTok  = spanCol("output_tokens")
	colTotTok  = spanCol("total_tokens")
	colCost    = spanCol("cost")
	colSessID  = spanCol("session_id")
	colSessNm  = spanCol("session_name")
	colUserID  = spanCol("user_id")
	colTrName  = spanCol("trace_name")
	colRunID   = spanCol("dataset_run_id")
	colRunName = spanCol("dataset_run_name")
	colDsPath  = spanCol("dataset_path")
	colExpKey  = spanCol("experiment_key")
	colPrompt  = spanCol("prompt_name")
	colCommit  = spanCol("commit_sha")
	colEnv     = spanCol("environment")
	colMeta    = spanCol("metadata")
	colTags    = spanCol("tags")
	colInput   = spanCol("input")
	colOutput  = spanCol("output")
)

func spanCol(name string) int {
	for i, c := range SpanInsertCols {
		if c == name {
			return i
		}
	}
	panic("sqlcore: no span column " + name)
}

// rollOf is the rollSpan of a SpanArgs row: what reading the stored row
// back with rollSelect returns.
func rollOf(a []any) rollSpan {
	str := func(i int) string { return a[i].(string) }
	i64 := func(i int) int64 { return a[i].(int64) }
	return rollSpan{
		spanID: str(colSpanID), parentID: str(colParent), typ: str(colType),
		start: i64(colStart), end: i64(colEnd), dur: a[colDur].(float64),
		name: str(colName), status: str(colStatus), statusMsg: str(colStMsg), model: str(colModel),
		inTok: i64(colInTok), outTok: i64(colOutTok), totTok: i64(colTotTok), cost: a[colCost].(float64),
		sessionID: str(colSessID), sessionName: str(colSessNm), userID: str(colUserID), traceName: str(colTrName),
		runID: str(colRunID), runName: str(colRunName), dsPath: str(colDsPath), expKey: str(colExpKey),
		promptName: str(colPrompt), commit: str(colCommit), env: str(colEnv),
		metadata: str(colMeta), tags: str(colTags),
		inPrev: runePrefix(str(colInput), PreviewChars), outPrev: runePrefix(str(colOutput), PreviewChars),
	}
}

// runePrefix is SQL substr(s, 1, n) on valid UTF-8 text: the first n
// characters.
func runePrefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	c := 0
	for i := range s {
		if c == n {
			return s[:i]
		}
		c++
	}
	return s
}

// traceSelect is the select list of a trace summary from traces t.
var traceSelect = selectList("t", TraceCols[1:])

func scanTrace(r Rows) (store.TraceSummary, error) {
	var t store.TraceSummary
	var status, hasIn, hasOut int64
	var start, end int64
	var tags, models, metadata string
	err := r.Scan(&t.ID, &t.Name, &status, &t.StatusMessage, &start, &end, &t.LatencyMs, &t.Cost, &t.Tokens,
		&t.InputTokens, &t.OutputTokens, &t.SpanCount, &t.ErrorCount, &tags, &models, &t.InputPreview,
		&t.OutputPreview, &hasIn, &hasOut, &t.SessionID, &t.SessionName, &t.UserID, &t.DatasetRunID,
		&t.DatasetRunName, &t.DatasetPath, &t.ExperimentKey, &t.PromptName, &t.CommitSHA, &t.Environment, &metadata)
	if err != nil {
		return t, err
	}
	t.Status = [...]string{store.StatusUnset, store.StatusOK, store.StatusError}[min(max(status, 0), 2)]
	t.Start, t.End = nsTime(start), nsTime(end)
	t.HasInput, t.HasOutput = hasIn != 0, hasOut != 0
	if tags != "[]" && tags != "" {
		_ = json.Unmarshal([]byte(tags), &t.Tags)
	}
	if models != "[]" && models != "" {
		_ = json.Unmarshal([]byte(models), &t.Models)
	}
	if metadata != "{}" && metadata != "" {
		_ = json.Unmarshal([]byte(metadata), &t.Metadata)
	}
	return t, nil
}
