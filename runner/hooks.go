package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark"
)

// Tracer opens the spans of runs: one per prompt-run, one per dataset
// row. A span's trace id is what the runner reports (the stream's done
// event, traceId in envelopes and dataset rows); an empty id means
// tracing is off.
type Tracer interface {
	Start(ctx context.Context, name string, attrs map[string]any) (context.Context, Span)
}

// Span is an open span.
type Span interface {
	TraceID() string
	SetAttributes(attrs map[string]any)
	// End closes the span; err marks it failed.
	End(err error)
}

// Span attribute keys set by the runner (cli-eval-deploy §C.5).
const (
	AttrPromptName      = "agentmark.prompt_name"
	AttrPromptPath      = "agentmark.prompt_path"
	AttrCommitSha       = "agentmark.metadata.commit_sha"
	AttrInput           = "agentmark.input"
	AttrOutput          = "agentmark.output"
	AttrProps           = "agentmark.props"
	AttrModel           = "gen_ai.request.model"
	AttrOperation       = "gen_ai.operation.name"
	AttrSpanKind        = "agentmark.span.kind"
	AttrInputTokens     = "gen_ai.usage.input_tokens"
	AttrOutputTokens    = "gen_ai.usage.output_tokens"
	AttrDatasetRunID    = "agentmark.dataset_run_id"
	AttrDatasetRunName  = "agentmark.dataset_run_name"
	AttrDatasetItemName = "agentmark.dataset_item_name"
	AttrDatasetExpected = "agentmark.dataset_expected_output"
	AttrDatasetPath     = "agentmark.dataset_path"
	AttrDatasetInput    = "agentmark.dataset_input"
	AttrExperimentKey   = "agentmark.experiment_key"
	AttrSourceTreeHash  = "agentmark.source_tree_hash"
)

// MemoryTracer is a Tracer that assigns random W3C trace ids and keeps
// the finished spans in memory (for tests, and for apps that only want
// trace ids).
type MemoryTracer struct {
	mu    sync.Mutex
	spans []*MemorySpan
}

// MemorySpan is a span recorded by MemoryTracer.
type MemorySpan struct {
	Name  string
	ID    string
	Attrs map[string]any
	Err   error
	Ended bool
	mu    *sync.Mutex
}

// Start implements Tracer.
func (t *MemoryTracer) Start(ctx context.Context, name string, attrs map[string]any) (context.Context, Span) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := &MemorySpan{Name: name, ID: hex.EncodeToString(b[:]), Attrs: map[string]any{}, mu: &t.mu}
	t.mu.Lock()
	for k, v := range attrs {
		s.Attrs[k] = v
	}
	t.spans = append(t.spans, s)
	t.mu.Unlock()
	return ctx, s
}

// Spans returns copies of the spans started so far.
func (t *MemoryTracer) Spans() []MemorySpan {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]MemorySpan, len(t.spans))
	for i, s := range t.spans {
		c := *s
		c.Attrs = map[string]any{}
		for k, v := range s.Attrs {
			c.Attrs[k] = v
		}
		c.mu = nil
		out[i] = c
	}
	return out
}

// TraceID implements Span.
func (s *MemorySpan) TraceID() string { return s.ID }

// SetAttributes implements Span.
func (s *MemorySpan) SetAttributes(attrs map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range attrs {
		s.Attrs[k] = v
	}
}

// End implements Span.
func (s *MemorySpan) End(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Err, s.Ended = err, true
}

type noSpan struct{}

func (noSpan) TraceID() string              { return "" }
func (noSpan) SetAttributes(map[string]any) {}
func (noSpan) End(error)                    {}

// EvalInput are the inputs of an eval (see eval.Params): the dataset
// row's input (the props), the formatted messages ([{role, content}],
// what upstream's runner passes as "input"), the run's output (text or
// decoded object), the row's expected_output and metadata, and the
// arguments of an object test_settings.evals entry.
type EvalInput struct {
	Input          any
	Messages       any
	Output         any
	ExpectedOutput any
	Metadata       any
	Args           map[string]any
}

// Evaluator runs evals by name.
type Evaluator interface {
	// EvalNames lists the registered evals.
	EvalNames() []string
	// Evaluate runs one eval; the result is a JSON object
	// ({score?, passed?, label?, reason?, ...}). ok is false when no eval
	// has that name.
	Evaluate(ctx context.Context, name string, in EvalInput) (result json.RawMessage, ok bool, err error)
}

// ClientEvals adapts the evals registered on an agentmark.Client
// (agentmark.WithEval); they run through Client.RunEval (traced). The
// eval's Input is the dataset row's input (the props), as in
// Client.RunExperiment.
func ClientEvals(c *agentmark.Client) Evaluator { return clientEvals{c} }

type clientEvals struct{ c *agentmark.Client }

func (e clientEvals) EvalNames() []string { return e.c.Evals() }

func (e clientEvals) Evaluate(ctx context.Context, name string, in EvalInput) (json.RawMessage, bool, error) {
	if fn, ok := e.c.Eval(name); !ok || fn == nil {
		return nil, false, nil
	}
	res, err := e.c.RunEval(ctx, name, agentmark.EvalParams{Input: in.Input, Output: in.Output, ExpectedOutput: in.ExpectedOutput})
	if err != nil {
		return nil, true, err
	}
	b, err := evalResultJSON(res)
	return b, true, err
}

// evalResultJSON encodes an eval result as a wire object: JSON field
// names as tagged, untagged Go field names with a lower-case first
// letter; empty label/reason strings are left out. Known keys come
// first (score, passed, label, reason), then the others sorted.
func evalResultJSON(res any) (json.RawMessage, error) {
	if raw, ok := res.(json.RawMessage); ok {
		return raw, nil
	}
	b, err := marshal(res)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return b, nil
	}
	out := map[string]json.RawMessage{}
	for k, v := range m {
		r, n := utf8.DecodeRuneInString(k)
		lk := string(unicode.ToLower(r)) + k[n:]
		if (lk == "label" || lk == "reason") && string(v) == `""` {
			continue
		}
		if string(v) == "null" {
			continue
		}
		out[lk] = v
	}
	order := map[string]int{"score": 0, "passed": 1, "label": 2, "reason": 3}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.Write(mustJSON(k))
		sb.WriteByte(':')
		sb.Write(out[k])
	}
	sb.WriteByte('}')
	return json.RawMessage(sb.String()), nil
}

// mergeEval builds {name, ...result} (a "name" in the result replaces
// the value, as the spread does, keeping the key first).
func mergeEval(name string, result json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(string(result)))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("eval result is not a JSON object")
	}
	nameVal := mustJSON(name)
	var rest strings.Builder
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if k == "name" {
			nameVal = v
			continue
		}
		rest.WriteByte(',')
		rest.Write(mustJSON(k))
		rest.WriteByte(':')
		rest.Write(v)
	}
	return json.RawMessage(`{"name":` + string(nameVal) + rest.String() + "}"), nil
}
