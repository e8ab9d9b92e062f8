package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"sync"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/jsvalue"
)

// experiment is one dataset-run.
type experiment struct {
	prompt         *agentmark.Prompt
	runID, runName string
	datasetPath    string
	experimentKey  string
	sourceTreeHash string
	evals          []evalRef
}

// evalRef is one test_settings.evals entry: a name, or {name, ...args}.
type evalRef struct {
	name string
	args map[string]any
}

func (s *Server) datasetRun(w http.ResponseWriter, r *http.Request, in *datasetRunIn) {
	p, err := s.loadAST(in.AST, in.PromptPath)
	if err != nil {
		s.log("dataset-run failed", "error", err)
		writeError(w, http.StatusInternalServerError, MsgExperimentFailed)
		return
	}
	dsPath := in.DatasetPath
	if dsPath == "" {
		dsPath = testSetting(p, "dataset")
	}
	if dsPath == "" {
		s.log("dataset-run failed", "error", MsgNoDataset)
		writeError(w, http.StatusInternalServerError, MsgExperimentFailed)
		return
	}
	e := s.newExperiment(p, in)
	e.datasetPath = dsPath
	conc := s.concurrency
	if in.Concurrency != nil && !math.IsNaN(*in.Concurrency) {
		conc = int(math.Max(1, math.Floor(*in.Concurrency)))
	}
	sw := startStream(w, streamContentType)
	rows := sampleRows(s.datasets.Rows(r.Context(), dsPath), in.Sampling)
	s.runRows(r.Context(), e, rows, conc, func(c *Chunk) { _ = sw.write(c) })
}

func (s *Server) newExperiment(p *agentmark.Prompt, in *datasetRunIn) *experiment {
	e := &experiment{prompt: p, runID: s.newID(), runName: in.ExperimentID, experimentKey: in.ExperimentKey,
		sourceTreeHash: in.SourceTreeHash}
	if e.runName == "" {
		e.runName = DefaultExperimentID
	}
	if e.sourceTreeHash == "" {
		e.sourceTreeHash = in.CommitSha
	}
	if ts := p.Template().TestSettings(); ts != nil {
		if v, ok := ts.Get("evals"); ok {
			if list, ok := v.([]jsvalue.Value); ok {
				registered := map[string]bool{}
				for _, n := range s.evals.EvalNames() {
					registered[n] = true
				}
				for _, item := range list {
					switch it := item.(type) {
					case string:
						if registered[it] {
							e.evals = append(e.evals, evalRef{name: it})
						}
					case *jsvalue.Object:
						n, _ := it.Get("name")
						name, _ := n.(string)
						if !registered[name] {
							continue
						}
						ref := evalRef{name: name, args: map[string]any{}}
						for _, k := range it.Keys() {
							if k != "name" {
								v, _ := it.Get(k)
								if js, ok := jsvalue.Stringify(v); ok {
									ref.args[k] = decodeAny(json.RawMessage(js))
								}
							}
						}
						e.evals = append(e.evals, ref)
					}
				}
			}
		}
	}
	return e
}

func testSetting(p *agentmark.Prompt, key string) string {
	ts := p.Template().TestSettings()
	if ts == nil {
		return ""
	}
	v, _ := ts.Get(key)
	sv, _ := v.(string)
	return sv
}

// runRows runs rows with a bounded pool, sending each row's chunk (or an
// error chunk) to out as rows complete. A dataset error emits one error
// chunk and stops dispatching.
func (s *Server) runRows(ctx context.Context, e *experiment, rows iter.Seq2[indexedRow, error], conc int, out func(*Chunk)) {
	if conc < 1 {
		conc = 1
	}
	jobs := make(chan indexedRow)
	var wg sync.WaitGroup
	var mu sync.Mutex
	send := func(c *Chunk) {
		mu.Lock()
		defer mu.Unlock()
		out(c)
	}
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ir := range jobs {
				send(s.runRow(ctx, e, ir))
			}
		}()
	}
	for ir, err := range rows {
		if err != nil {
			send(ErrorChunk(NormalizeError(err)))
			break
		}
		select {
		case jobs <- ir:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(jobs)
	wg.Wait()
}

// runRow runs one dataset row: render with the row's input as props, run
// without streaming, run the evals, build the row chunk.
func (s *Server) runRow(ctx context.Context, e *experiment, ir indexedRow) (chunk *Chunk) {
	defer func() {
		if p := recover(); p != nil {
			chunk = ErrorChunk(fmt.Sprintf("panic: %v", p))
		}
	}()
	row := ir.row
	props, err := jsvalue.ParseJSON(row.Input)
	if err != nil {
		return ErrorChunk(err.Error())
	}
	x, err := s.prepare(e.prompt, props)
	if err != nil {
		return ErrorChunk(NormalizeError(err))
	}
	x.PropsGiven = true
	attrs := map[string]any{
		AttrDatasetRunID:    e.runID,
		AttrDatasetRunName:  e.runName,
		AttrDatasetItemName: DatasetItemName(row.Input, ir.index),
		AttrDatasetPath:     e.datasetPath,
	}
	for k, v := range promptAttrs(x, "", nil) {
		attrs[k] = v
	}
	if c, ok := compactJS(row.Input); ok {
		attrs[AttrProps] = c
		attrs[AttrDatasetInput] = c
	}
	if exp := nonNull(row.ExpectedOutput); exp != nil {
		var sv string
		if json.Unmarshal(exp, &sv) == nil {
			attrs[AttrDatasetExpected] = sv
		} else if c, ok := compactJS(exp); ok {
			attrs[AttrDatasetExpected] = c
		}
	}
	if e.experimentKey != "" {
		attrs[AttrExperimentKey] = e.experimentKey
	}
	if e.sourceTreeHash != "" {
		attrs[AttrSourceTreeHash] = e.sourceTreeHash
	}
	ctx, span := s.startRowSpan(ctx, fmt.Sprintf("experiment-%s-%d", e.runName, ir.index), attrs)
	out, err := s.exec.Execute(ctx, x, nil)
	if err != nil {
		span.End(err)
		return ErrorChunk(NormalizeError(err))
	}
	span.SetAttributes(outputAttrs(x.Kind, out))
	args := DatasetRowArgs{Input: row.Input, ExpectedOutput: row.ExpectedOutput, RunID: e.runID, RunName: e.runName}
	actual, actualValue := outputValue(x.Kind, out)
	args.ActualOutput = actual
	if x.Kind == KindImage || x.Kind == KindSpeech {
		span.End(nil)
		return DatasetRowToWire(args)
	}
	if out.Usage != nil {
		t := out.Usage.Total()
		args.Tokens = &t
	}
	evals, err := s.runEvals(ctx, e.evals, EvalInput{Input: decodeAny(row.Input), Messages: decodeAny(messagesJSON(x.Formatted)),
		Output: actualValue, ExpectedOutput: decodeAny(nonNull(row.ExpectedOutput)), Metadata: decodeAny(nonNull(row.Metadata))})
	if err != nil {
		span.End(err)
		return ErrorChunk(NormalizeError(err))
	}
	args.Evals = evals
	args.TraceID = span.TraceID()
	if out.TraceID != "" {
		args.TraceID = out.TraceID
	}
	span.End(nil)
	return DatasetRowToWire(args)
}

// runEvals runs the named evals concurrently; results keep the names'
// order. The first failure fails the row.
func (s *Server) runEvals(ctx context.Context, refs []evalRef, in EvalInput) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			name, in := ref.name, in
			in.Args = ref.args
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("eval %q panicked: %v", name, p)
				}
			}()
			res, ok, err := s.evals.Evaluate(ctx, name, in)
			if err != nil {
				errs[i] = err
				return
			}
			if !ok {
				return
			}
			if isNullish(res) {
				res = json.RawMessage("{}")
			}
			out[i], errs[i] = mergeEval(name, res)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res := make([]json.RawMessage, 0, len(out))
	for _, r := range out {
		if r != nil {
			res = append(res, r)
		}
	}
	return res, nil
}

func decodeAny(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

func compactJS(raw json.RawMessage) (string, bool) {
	v, err := jsvalue.ParseJSON(raw)
	if err != nil {
		return "", false
	}
	return jsvalue.Stringify(v)
}

// legacyDatasetRun serves the seed-002 dataset-run: the rows inline (or
// datasetPath), the prompt by promptPath (or an AST); every row runs with
// tracing, and the answer is {"message":"ok"}.
func (s *Server) legacyDatasetRun(w http.ResponseWriter, r *http.Request, in *datasetRunIn) {
	var p *agentmark.Prompt
	var err error
	if !isNullish(in.AST) {
		p, err = s.loadAST(in.AST, in.PromptPath)
	} else if in.PromptPath != "" {
		p, err = s.client.LoadPrompt(in.PromptPath)
	} else {
		err = errors.New("dataset-run needs data.promptPath")
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var rows iter.Seq2[DatasetRow, error]
	if in.Dataset != nil {
		rows = func(yield func(DatasetRow, error) bool) {
			for _, raw := range in.Dataset {
				row, err := parseRow(raw)
				if err != nil {
					yield(DatasetRow{}, errors.New("Invalid dataset row: missing or invalid 'input' field. Each row must have an 'input' object."))
					return
				}
				if !yield(row, nil) {
					return
				}
			}
		}
	} else if in.DatasetPath != "" {
		rows = s.datasets.Rows(r.Context(), in.DatasetPath)
	} else {
		writeError(w, http.StatusBadRequest, "dataset-run needs data.dataset or data.datasetPath")
		return
	}
	e := s.newExperiment(p, in)
	if in.RunID != "" {
		e.runID = in.RunID
	}
	if in.RunName != "" {
		e.runName = in.RunName
	}
	e.datasetPath = in.DatasetPath
	var failures []string
	s.runRows(r.Context(), e, sampleRows(rows, nil), s.concurrency, func(c *Chunk) {
		if c.Type == ChunkError {
			failures = append(failures, c.ErrorMessage())
		}
	})
	for _, f := range failures {
		s.log("legacy dataset-run row failed", "error", f)
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": legacyDatasetResponse})
}
