package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// Datasets (api.md §B.8): the project's *.jsonl files under the prompt
// directory. datasetName is the path without ".jsonl".

var datasetNameRe = regexp.MustCompile(`^[\w./-]+$`)

// datasetLocks serializes appends per file (O_APPEND writes one line in one
// write; the lock keeps line_number exact under concurrency).
var datasetLocks sync.Map // path -> *sync.Mutex

func lockDataset(p string) func() {
	m, _ := datasetLocks.LoadOrStore(p, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

func badDatasetPath(msg string) *Error {
	return &Error{Status: 400, Code: codeInvalidPath, Message: "Invalid path parameters", Details: map[string]string{"datasetName": msg}}
}

// datasetFile resolves datasetName to its file, confined to the prompt
// directory.
func (s *Server) datasetFile(r *http.Request) (string, string, error) {
	name := r.PathValue("datasetName")
	name = strings.TrimSuffix(name, ".jsonl")
	if name == "" {
		return "", "", badDatasetPath("String must contain at least 1 character(s)")
	}
	if !datasetNameRe.MatchString(name) {
		return "", "", badDatasetPath("Invalid dataset name")
	}
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) {
		return "", "", badDatasetPath("Absolute paths are not allowed")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "", "", badDatasetPath("Invalid path: path traversal detected")
		}
	}
	rel := path.Clean(name)
	if rel == "." || strings.HasPrefix(rel, "../") {
		return "", "", badDatasetPath("Invalid dataset name")
	}
	if s.promptDir == "" {
		return "", "", notFoundErr("not_found", "Dataset not found")
	}
	full, err := project.Confine(s.promptDir, filepath.FromSlash(rel+".jsonl"))
	if err != nil {
		return "", "", badDatasetPath("Invalid path: path outside the project")
	}
	return rel, full, nil
}

// DatasetJSON is a dataset in the list.
type DatasetJSON struct {
	Name      string `json:"name"`
	RowCount  int    `json:"row_count"`
	CreatedAt string `json:"created_at"`
}

// countRows counts the non-empty lines of a file.
func countRows(p string) (int, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n, sc.Err()
}

func listDatasets(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL.Query())
	limit := q.integer("limit", store.DefaultLimit, 1, store.MaxLimit)
	offset := q.integer("offset", 0, 0, 1<<31-1)
	leaf := q.str("name")
	if err := q.err(); err != nil {
		return err
	}
	out := []DatasetJSON{}
	if s.promptDir != "" {
		err := filepath.WalkDir(s.promptDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == s.promptDir {
					return err
				}
				return nil
			}
			if d.IsDir() {
				if p != s.promptDir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(d.Name(), ".jsonl") || !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(s.promptDir, p)
			if err != nil {
				return nil
			}
			name := strings.TrimSuffix(filepath.ToSlash(rel), ".jsonl")
			if leaf != "" && path.Base(name) != strings.TrimSuffix(leaf, ".jsonl") {
				return nil
			}
			n, err := countRows(p)
			if err != nil {
				return nil
			}
			ds := DatasetJSON{Name: name, RowCount: n}
			if info, err := d.Info(); err == nil {
				ds.CreatedAt = isoTime(info.ModTime())
			}
			out = append(out, ds)
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	total := int64(len(out))
	lo := min(offset, len(out))
	hi := min(lo+limit, len(out))
	return page(w, out[lo:hi], total, limit, offset)
}

// DatasetRowJSON is a stored row with its 0-based line number.
type DatasetRowJSON struct {
	LineNumber     int             `json:"line_number"`
	Input          json.RawMessage `json:"input"`
	ExpectedOutput json.RawMessage `json:"expected_output"`
	Metadata       json.RawMessage `json:"metadata"`
}

func listDatasetRows(s *Server, w http.ResponseWriter, r *http.Request) error {
	_, full, err := s.datasetFile(r)
	if err != nil {
		return err
	}
	q := newQuery(r.URL.Query())
	limit := q.integer("limit", store.DefaultLimit, 1, store.MaxLimit)
	offset := q.integer("offset", 0, 0, 1<<31-1)
	if err := q.err(); err != nil {
		return err
	}
	f, err := os.Open(full)
	if err != nil {
		return notFoundErr("not_found", "Dataset not found")
	}
	defer f.Close()
	rows := []DatasetRowJSON{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	n := 0
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		idx := n
		n++
		if idx < offset || idx >= offset+limit {
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return &Error{Status: 500, Code: "internal_error", Message: fmt.Sprintf("Failed to read dataset: row %d is not a JSON object", idx)}
		}
		row := DatasetRowJSON{LineNumber: idx, Input: m["input"], ExpectedOutput: m["expected_output"], Metadata: m["metadata"]}
		if row.Input == nil {
			row.Input = json.RawMessage("null")
		}
		if row.ExpectedOutput == nil {
			row.ExpectedOutput = json.RawMessage("null")
		}
		if row.Metadata == nil {
			row.Metadata = json.RawMessage("{}")
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return &Error{Status: 500, Code: "internal_error", Message: "Failed to read dataset", Err: err}
	}
	return page(w, rows, int64(n), limit, offset)
}

// canonicalRow validates a row body: {input, expected_output?, metadata?},
// strict. It returns the row's JSON line.
func canonicalRow(v any, prefix string) ([]byte, map[string]string) {
	details := map[string]string{}
	m, ok := v.(map[string]any)
	if !ok {
		details[strings.TrimSuffix(prefix, ".")+orRoot(prefix)] = "Expected object, received " + jsonType(v)
		return nil, details
	}
	for k := range m {
		if k != "input" && k != "expected_output" && k != "metadata" {
			details[prefix+k] = "Unrecognized key"
		}
	}
	in, ok := m["input"]
	if !ok {
		details[prefix+"input"] = "Required"
	}
	md := map[string]any{}
	if raw, ok := m["metadata"]; ok && raw != nil {
		if mm, ok := raw.(map[string]any); ok {
			md = mm
		} else {
			details[prefix+"metadata"] = "Expected object, received " + jsonType(raw)
		}
	}
	if len(details) > 0 {
		return nil, details
	}
	type row struct {
		Input          any            `json:"input"`
		ExpectedOutput any            `json:"expected_output"`
		Metadata       map[string]any `json:"metadata"`
	}
	b, err := json.Marshal(row{Input: in, ExpectedOutput: m["expected_output"], Metadata: md})
	if err != nil {
		details[prefix+"_"] = err.Error()
		return nil, details
	}
	return b, nil
}

// appendRows appends lines to the dataset file (creating it and its
// directories), one write under the file's lock, and returns the 0-based
// line number of the first.
func appendRows(full string, lines [][]byte) (int, error) {
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return 0, err
	}
	unlock := lockDataset(full)
	defer unlock()
	n, err := countRows(full)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	var buf bytes.Buffer
	if st, err := os.Stat(full); err == nil && st.Size() > 0 {
		// Make sure the previous row is terminated.
		f, err := os.Open(full)
		if err != nil {
			return 0, err
		}
		last := make([]byte, 1)
		_, rerr := f.ReadAt(last, st.Size()-1)
		f.Close()
		if rerr != nil && rerr != io.EOF {
			return 0, rerr
		}
		if last[0] != '\n' {
			buf.WriteByte('\n')
		}
	}
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	return n, f.Close()
}

func appendDatasetRow(s *Server, w http.ResponseWriter, r *http.Request) error {
	_, full, err := s.datasetFile(r)
	if err != nil {
		return err
	}
	v, err := readJSONBody(r)
	if err != nil {
		return err
	}
	line, details := canonicalRow(v, "")
	if details != nil {
		return invalidBody(details)
	}
	n, err := appendRows(full, [][]byte{line})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, envelope{Data: map[string]int{"line_number": n}})
}

// rowMapping is the import mapping: JSONPath-subset paths.
type rowMapping struct {
	Input, Expected string
	Metadata        map[string]string
}

var pathSegRe = regexp.MustCompile(`^([A-Za-z_$][\w$-]*)?((?:\[\d+\])*)$`)

func validPath(p string) bool {
	if p == "$" {
		return true
	}
	if !strings.HasPrefix(p, "$.") && !strings.HasPrefix(p, "$[") {
		return false
	}
	rest := strings.TrimPrefix(p, "$")
	rest = strings.TrimPrefix(rest, ".")
	for _, seg := range strings.Split(rest, ".") {
		if seg == "" || !pathSegRe.MatchString(seg) {
			return false
		}
	}
	return true
}

// resolvePath evaluates $, $.a.b and $.a[0]; ok is false when undefined.
func resolvePath(doc any, p string) (any, bool) {
	if p == "$" {
		return doc, true
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(p, "$"), ".")
	cur := doc
	for _, seg := range strings.Split(rest, ".") {
		name, idx := seg, ""
		if i := strings.IndexByte(seg, '['); i >= 0 {
			name, idx = seg[:i], seg[i:]
		}
		if name != "" {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[name]; !ok {
				return nil, false
			}
		}
		for idx != "" {
			j := strings.IndexByte(idx, ']')
			n, _ := strconv.Atoi(idx[1:j])
			idx = idx[j+1:]
			a, ok := cur.([]any)
			if !ok || n >= len(a) {
				return nil, false
			}
			cur = a[n]
		}
	}
	return cur, true
}

type importBody struct {
	ids     []string
	mapping rowMapping
}

func parseImportBody(v any, idsKey string) (importBody, error) {
	details := map[string]string{}
	var out importBody
	m, ok := v.(map[string]any)
	if !ok {
		return out, invalidBody(map[string]string{"_": "Expected object, received " + jsonType(v)})
	}
	for k := range m {
		if k != idsKey && k != "mapping" {
			details[k] = "Unrecognized key"
		}
	}
	ids, ok := m[idsKey].([]any)
	switch {
	case m[idsKey] == nil:
		details[idsKey] = "Required"
	case !ok:
		details[idsKey] = "Expected array, received " + jsonType(m[idsKey])
	case len(ids) < 1:
		details[idsKey] = "Array must contain at least 1 element(s)"
	case len(ids) > 100:
		details[idsKey] = "Array must contain at most 100 element(s)"
	}
	for i, x := range ids {
		sx, ok := x.(string)
		if !ok || sx == "" {
			details[fmt.Sprintf("%s.%d", idsKey, i)] = "String must contain at least 1 character(s)"
			continue
		}
		out.ids = append(out.ids, sx)
	}
	if raw, ok := m["mapping"]; ok && raw != nil {
		mm, ok := raw.(map[string]any)
		if !ok {
			details["mapping"] = "Expected object, received " + jsonType(raw)
		} else {
			str := func(k string) string {
				x, ok := mm[k]
				if !ok || x == nil {
					return ""
				}
				sx, ok := x.(string)
				if !ok || !validPath(sx) {
					details["mapping."+k] = "Invalid path: use $, $.a.b or $.a[0]"
					return ""
				}
				return sx
			}
			for k := range mm {
				if k != "input" && k != "expected_output" && k != "metadata" {
					details["mapping."+k] = "Unrecognized key"
				}
			}
			out.mapping.Input, out.mapping.Expected = str("input"), str("expected_output")
			if md, ok := mm["metadata"]; ok && md != nil {
				mdm, ok := md.(map[string]any)
				if !ok {
					details["mapping.metadata"] = "Expected object, received " + jsonType(md)
				} else {
					out.mapping.Metadata = map[string]string{}
					for k, x := range mdm {
						sx, ok := x.(string)
						if !ok || !validPath(sx) {
							details["mapping.metadata."+k] = "Invalid path: use $, $.a.b or $.a[0]"
							continue
						}
						out.mapping.Metadata[k] = sx
					}
				}
			}
		}
	}
	if len(details) > 0 {
		return out, invalidBody(details)
	}
	return out, nil
}

// parsed is stored JSON text decoded (the text itself when not JSON,
// nil when empty).
func parsed(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		return v
	}
	return s
}

func spanDoc(sp *span.Span) map[string]any {
	md := map[string]any{}
	for k, v := range sp.Metadata {
		md[k] = v
	}
	out := sp.Output
	var output any = parsed(out)
	if len(sp.OutputObject) > 0 {
		output = parsed(string(sp.OutputObject))
	}
	return map[string]any{
		"id": sp.SpanID, "trace_id": sp.TraceID, "parent_id": sp.ParentSpanID, "name": sp.Name, "type": sp.Type,
		"status": sp.StatusCode, "model": sp.Model, "start": isoTime(nsTime(sp.StartTimeNs)), "end": isoTime(nsTime(sp.EndTimeNs)),
		"duration_ms": sp.DurationMs(), "cost": sp.Cost, "input": parsed(string(sp.Input)), "output": output,
		"props": parsed(sp.Props), "metadata": md, "dataset_input": parsed(sp.DatasetInput),
		"dataset_expected_output": parsed(sp.DatasetExpectedOutput),
	}
}

func traceDoc(t *store.Trace) map[string]any {
	var root *span.Span
	for i := range t.Spans {
		if t.Spans[i].ParentSpanID == "" {
			root = &t.Spans[i]
			break
		}
	}
	if root == nil && len(t.Spans) > 0 {
		root = &t.Spans[0]
	}
	spans := make([]any, 0, len(t.Spans))
	for i := range t.Spans {
		spans = append(spans, spanDoc(&t.Spans[i]))
	}
	doc := map[string]any{"id": t.ID, "name": t.Name, "spans": spans}
	if root != nil {
		rd := spanDoc(root)
		doc["root_span"] = rd
		for _, k := range []string{"input", "output", "props", "metadata", "status", "start", "end", "cost"} {
			doc[k] = rd[k]
		}
		doc["latency_ms"] = rd["duration_ms"]
	}
	return doc
}

// rowFromDoc maps a source document to a canonical row line.
func rowFromDoc(doc map[string]any, m rowMapping) ([]byte, error) {
	inPath := m.Input
	var input any
	var ok bool
	if inPath == "" {
		if p, isObj := doc["props"].(map[string]any); isObj && len(p) > 0 {
			input, ok, inPath = p, true, "$.props"
		} else {
			inPath = "$.input"
			input, ok = resolvePath(doc, inPath)
		}
	} else {
		input, ok = resolvePath(doc, inPath)
	}
	if !ok {
		return nil, fmt.Errorf("Mapping path %q did not resolve to an input value", inPath)
	}
	exPath := m.Expected
	if exPath == "" {
		exPath = "$.output"
	}
	expected, _ := resolvePath(doc, exPath)
	md := map[string]any{}
	for k, p := range m.Metadata {
		if v, ok := resolvePath(doc, p); ok {
			md[k] = v
		}
	}
	return json.Marshal(map[string]any{"input": input, "expected_output": expected, "metadata": md})
}

// ImportResultJSON is one source's outcome.
type ImportResultJSON struct {
	SourceID   string `json:"source_id"`
	Status     string `json:"status"`
	LineNumber *int   `json:"line_number,omitempty"`
	Error      string `json:"error,omitempty"`
}

func importRows(s *Server, w http.ResponseWriter, r *http.Request, idsKey string, load func(id string) (map[string]any, error)) error {
	_, full, err := s.datasetFile(r)
	if err != nil {
		return err
	}
	v, err := readJSONBody(r)
	if err != nil {
		return err
	}
	body, err := parseImportBody(v, idsKey)
	if err != nil {
		return err
	}
	results := make([]ImportResultJSON, len(body.ids))
	var lines [][]byte
	var okIdx []int
	for i, id := range body.ids {
		results[i] = ImportResultJSON{SourceID: id, Status: "failed"}
		doc, err := load(id)
		if errors.Is(err, store.ErrNotFound) {
			results[i].Error = "Source not found"
			continue
		}
		if err != nil {
			return err
		}
		line, err := rowFromDoc(doc, body.mapping)
		if err != nil {
			results[i].Error = err.Error()
			continue
		}
		lines = append(lines, line)
		okIdx = append(okIdx, i)
	}
	if len(lines) > 0 {
		first, err := appendRows(full, lines)
		if err != nil {
			return err
		}
		for k, i := range okIdx {
			n := first + k
			results[i].Status, results[i].LineNumber = "created", &n
		}
	}
	status := http.StatusCreated
	if len(lines) != len(body.ids) {
		status = http.StatusMultiStatus
	}
	return writeJSON(w, status, envelope{Data: map[string]any{"added": len(lines), "results": results}})
}

func importRowsFromTraces(s *Server, w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	return importRows(s, w, r, "trace_ids", func(id string) (map[string]any, error) {
		t, err := s.store.GetTrace(ctx, app, id)
		if err != nil {
			return nil, err
		}
		return traceDoc(t), nil
	})
}

func importRowsFromSpans(s *Server, w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := reqCtx(r)
	defer cancel()
	app := s.appID(r)
	finder, ok := s.store.(store.SpanFinder)
	if !ok {
		return &Error{Status: 501, Code: "not_available_locally", Message: "This storage backend cannot look spans up by id"}
	}
	return importRows(s, w, r, "span_ids", func(id string) (map[string]any, error) {
		sp, err := finder.FindSpan(ctx, app, id)
		if err != nil {
			return nil, err
		}
		return spanDoc(sp), nil
	})
}
