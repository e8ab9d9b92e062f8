package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
	"github.com/agentmark-go/agentmark/webhook"
)

// Error messages of the protocol (cli-eval-deploy §C.2, §C.6).
const (
	MsgMissingType        = `Request must include a "type" field at the top level: {"type": "prompt-run", "data": {...}}`
	MsgMissingData        = `Request must include a "data" object with the prompt AST and options`
	MsgMissingAST         = `The request must include the prompt AST in data.ast (not data.prompt)`
	MsgExperimentFailed   = `An error occurred while running the experiment. Check that your prompt and dataset are valid.`
	MsgNoDataset          = `Loader or dataset is not defined for this prompt. Please provide valid loader and dataset.`
	MsgMissingSignature   = `Missing signature header: Expected x-agentmark-signature-256 header for webhook verification`
	MsgInvalidSignature   = `Invalid webhook signature - signature verification failed`
	MsgInvalidPrompt      = `Invalid prompt`
	DefaultMaxBodyBytes   = 10 << 20
	streamContentType     = "application/x-ndjson"
	StreamingHeader       = "AgentMark-Streaming"
	legacyAlertProcessed  = "Alert processed"
	legacyDatasetResponse = "ok"
)

// Server is a runner: an http.Handler serving the protocol with one
// agentmark client's models, tools and evals.
type Server struct {
	client      *agentmark.Client
	exec        Executor
	evals       Evaluator
	datasets    Datasets
	tracer      Tracer
	secret      string
	logger      *slog.Logger
	concurrency int
	newID       func() string
	maxBody     int64
	onAlert     func(ctx context.Context, data json.RawMessage) error
}

// Option configures a Server.
type Option func(*Server)

// WithExecutor replaces how prompts run (default: ClientExecutor, the
// client's models and tools).
func WithExecutor(e Executor) Option { return func(s *Server) { s.exec = e } }

// WithEvaluator replaces the eval registry (default: the client's evals).
func WithEvaluator(e Evaluator) Option { return func(s *Server) { s.evals = e } }

// WithDatasets sets how dataset paths are read (default: .jsonl files
// under the client's prompt directory).
func WithDatasets(d Datasets) Option { return func(s *Server) { s.datasets = d } }

// WithDatasetDir reads datasets under dir (the agentmark templates root).
func WithDatasetDir(dir string) Option { return WithDatasets(DirDatasets{Root: dir}) }

// WithAPIServer reads datasets from an AgentMark API server (e.g. the dev
// server at http://localhost:9418).
func WithAPIServer(baseURL string) Option { return WithDatasets(HTTPDatasets{BaseURL: baseURL}) }

// WithTracer sets the tracer of the runner's own spans: one per
// prompt-run (around the client's prompt span) and one per dataset row
// ("experiment-<run>-<index>", with the dataset attributes). Without it,
// prompt-runs get no extra span (their trace id is the one of the
// client's traced run, see agentmark.WithTracing) and rows get spans from
// the ambient trace provider (package trace; a no-op unless configured).
// An empty trace id means tracing is off: no traceId, no done event.
func WithTracer(t Tracer) Option { return func(s *Server) { s.tracer = t } }

// WithSecret requires requests to carry a valid x-agentmark-signature-256
// HMAC of the body (401 otherwise). An empty secret or "DEFAULT" turns
// verification off.
func WithSecret(secret string) Option { return func(s *Server) { s.secret = secret } }

// WithLogger logs each request and failure.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.logger = l } }

// WithConcurrency sets the default number of dataset rows run in
// parallel (20).
func WithConcurrency(n int) Option { return func(s *Server) { s.concurrency = n } }

// WithRunIDs sets the generator of dataset-run ids (default: random UUIDs).
func WithRunIDs(f func() string) Option { return func(s *Server) { s.newID = f } }

// WithMaxBodyBytes bounds request bodies (default 10 MiB).
func WithMaxBodyBytes(n int64) Option { return func(s *Server) { s.maxBody = n } }

// WithAlertHandler receives legacy {"event":{"type":"alert"}} webhooks
// (data is the event's data).
func WithAlertHandler(f func(ctx context.Context, data json.RawMessage) error) Option {
	return func(s *Server) { s.onAlert = f }
}

// Handler returns the runner for client as an http.Handler (mount it on
// any path; POST carries jobs, GET answers a landing text and /health).
func Handler(client *agentmark.Client, opts ...Option) http.Handler {
	return NewServer(client, opts...)
}

// NewServer returns a runner for client.
func NewServer(client *agentmark.Client, opts ...Option) *Server {
	if client == nil {
		client = agentmark.New()
	}
	s := &Server{client: client, exec: ClientExecutor{}, evals: ClientEvals(client), datasets: datasetsFor(client),
		concurrency: DefaultConcurrency, newID: newUUID, maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *Server) log(msg string, args ...any) {
	if s.logger != nil {
		s.logger.Info(msg, args...)
	}
}

// writeJSON writes a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, mustJSON(map[string]string{"message": err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if strings.HasSuffix(r.URL.Path, "/health") {
			_, _ = io.WriteString(w, "ok")
			return
		}
		_, _ = io.WriteString(w, "AgentMark Go runner. POST {type, data} jobs to /.\n")
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed: "+r.Method)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Invalid request body: larger than %d bytes", mbe.Limit))
			return
		}
		writeError(w, http.StatusBadRequest, "Invalid request body: "+err.Error())
		return
	}
	if s.secret != "" && s.secret != webhook.DefaultSecret {
		sig := r.Header.Get(webhook.SignatureHeader)
		if sig == "" {
			writeError(w, http.StatusUnauthorized, MsgMissingSignature)
			return
		}
		if !webhook.VerifyBody(s.secret, sig, body) {
			writeError(w, http.StatusUnauthorized, MsgInvalidSignature)
			return
		}
	}
	var req wireRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: "+err.Error())
		return
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		writeError(w, http.StatusBadRequest, "Invalid request body: expected a JSON object")
		return
	}
	typ, hasType, typeStr := jobType(req.Type)
	if !hasType {
		if isObject(req.Event) {
			s.legacy(w, r, req.Event)
			return
		}
		writeError(w, http.StatusBadRequest, MsgMissingType)
		return
	}
	s.log("runner job", "type", typ, "remote", r.RemoteAddr)
	if typeStr && typ == JobGetEvals {
		writeJSON(w, http.StatusOK, BuildEvalsResponse(s.evals.EvalNames()))
		return
	}
	if !typeStr || (typ != JobPromptRun && typ != JobDatasetRun) {
		writeError(w, http.StatusBadRequest, "Expected event.type to be 'prompt-run', 'dataset-run', or 'get-evals', got: "+typ)
		return
	}
	if isFalsy(req.Data) {
		writeError(w, http.StatusBadRequest, MsgMissingData)
		return
	}
	var pin promptRunIn
	var din datasetRunIn
	var ast json.RawMessage
	var derr error
	if isObject(req.Data) {
		if typ == JobPromptRun {
			derr = json.Unmarshal(req.Data, &pin)
			ast = pin.AST
		} else {
			derr = json.Unmarshal(req.Data, &din)
			ast = din.AST
		}
	}
	if isFalsy(ast) {
		writeError(w, http.StatusBadRequest, MsgMissingAST)
		return
	}
	if t := jsTypeof(ast); t != "object" {
		writeError(w, http.StatusBadRequest, "The AST must be an object, got "+t)
		return
	}
	if derr != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: "+derr.Error())
		return
	}
	if typ == JobPromptRun {
		s.promptRun(w, r, &pin, false)
		return
	}
	s.datasetRun(w, r, &din)
}

// jobType reads "type": its text (JSON for non-strings), whether it is
// truthy, and whether it is a string.
func jobType(raw json.RawMessage) (string, bool, bool) {
	if isFalsy(raw) {
		return "", false, false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true, true
	}
	return string(bytes.TrimSpace(raw)), true, false
}

// isFalsy is JavaScript's !value for a JSON value (absent is falsy).
func isFalsy(raw json.RawMessage) bool {
	switch t := string(bytes.TrimSpace(raw)); t {
	case "", "null", "false", `""`, "0", "-0", "0.0":
		return true
	default:
		var f float64
		if json.Unmarshal([]byte(t), &f) == nil && f == 0 {
			return true
		}
	}
	return false
}

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

func jsTypeof(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "undefined"
	}
	switch t[0] {
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case '{', '[', 'n':
		return "object"
	}
	return "number"
}

// loadAST loads a job's prompt tree.
func (s *Server) loadAST(raw json.RawMessage, promptPath string) (*agentmark.Prompt, error) {
	var n mdast.Node
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("%s: %v", MsgInvalidPrompt, err)
	}
	return s.client.PromptFromAST(&n, promptPath)
}

func kindOf(p *agentmark.Prompt) string { return string(p.Template().Kind()) }

// propsFor: customProps when given, else test_settings.props, else {}.
func propsFor(p *agentmark.Prompt, custom json.RawMessage) (jsvalue.Value, bool, error) {
	if !isNullish(custom) {
		v, err := jsvalue.ParseJSON(custom)
		return v, true, err
	}
	if ts := p.Template().TestSettings(); ts != nil {
		if v, ok := ts.Get("props"); ok && v != nil && !jsvalue.IsUndefined(v) {
			return v, false, nil
		}
	}
	return jsvalue.NewObject(), false, nil
}

func isNullish(raw json.RawMessage) bool {
	t := string(bytes.TrimSpace(raw))
	return t == "" || t == "null"
}

// prepare renders a prompt with props into an Execution.
func (s *Server) prepare(p *agentmark.Prompt, props jsvalue.Value) (*Execution, error) {
	out, err := p.Format(props)
	if err != nil {
		return nil, err
	}
	call, err := p.Call(props)
	if err != nil {
		return nil, err
	}
	x := &Execution{Prompt: p, Kind: kindOf(p), Props: props, Formatted: out, Call: call}
	if _, isClient := s.exec.(ClientExecutor); isClient {
		if _, err := s.client.Registry().Resolve(call.ModelName); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// messagesJSON is the formatted messages as [{role, content}].
func messagesJSON(out *jsvalue.Object) json.RawMessage {
	m, ok := out.Get("messages")
	if !ok {
		return nil
	}
	s, ok := jsvalue.Stringify(m)
	if !ok {
		return nil
	}
	return json.RawMessage(s)
}

func modelName(x *Execution) string {
	if x.Call != nil {
		return x.Call.ModelName
	}
	return ""
}

func commitSha(out *jsvalue.Object) string {
	m, _ := out.Get("agentmark_meta")
	o, ok := m.(*jsvalue.Object)
	if !ok {
		return ""
	}
	v, _ := o.Get("commit_sha")
	sv, _ := v.(string)
	return sv
}

func (s *Server) startSpan(ctx context.Context, name string, attrs map[string]any) (context.Context, Span) {
	if s.tracer == nil {
		return ctx, noSpan{}
	}
	return s.tracer.Start(ctx, name, attrs)
}

func (s *Server) startRowSpan(ctx context.Context, name string, attrs map[string]any) (context.Context, Span) {
	if s.tracer == nil {
		return TraceTracer(nil).Start(ctx, name, attrs)
	}
	return s.tracer.Start(ctx, name, attrs)
}

func promptAttrs(x *Execution, promptPath string, customProps json.RawMessage) map[string]any {
	a := map[string]any{
		AttrPromptName: x.Prompt.Name(),
		AttrModel:      modelName(x),
		AttrOperation:  "chat",
	}
	if promptPath != "" {
		a[AttrPromptPath] = promptPath
	}
	if c := commitSha(x.Formatted); c != "" {
		a[AttrCommitSha] = c
	}
	if m := messagesJSON(x.Formatted); m != nil {
		a[AttrInput] = string(m)
	}
	if !isNullish(customProps) {
		if c, ok := webhook.JSCompact(customProps); ok {
			a[AttrProps] = string(c)
		}
	}
	if x.Kind == KindText || x.Kind == KindObject {
		a[AttrSpanKind] = "llm"
	}
	return a
}

func outputAttrs(kind string, out *Outcome) map[string]any {
	a := map[string]any{}
	if out == nil {
		return a
	}
	switch kind {
	case KindText:
		a[AttrOutput] = out.Text
	case KindObject:
		if out.Object != nil {
			a[AttrOutput] = string(out.Object)
		}
	}
	if out.Usage != nil {
		a[AttrInputTokens] = out.Usage.InputTokens
		a[AttrOutputTokens] = out.Usage.OutputTokens
	}
	return a
}

var errStopped = errors.New("runner: stream stopped")

// streamWriter writes NDJSON lines, flushing each one.
type streamWriter struct {
	mu  sync.Mutex
	w   http.ResponseWriter
	rc  *http.ResponseController
	err error
}

func startStream(w http.ResponseWriter, contentType string) *streamWriter {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set(StreamingHeader, "true")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	sw := &streamWriter{w: w, rc: http.NewResponseController(w)}
	_ = sw.rc.Flush()
	return sw
}

func (sw *streamWriter) write(c *Chunk) error {
	b, err := marshal(c)
	if err != nil {
		return err
	}
	return sw.writeRaw(append(b, '\n'))
}

func (sw *streamWriter) writeRaw(b []byte) error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.err != nil {
		return sw.err
	}
	if _, err := sw.w.Write(b); err != nil {
		sw.err = err
		return err
	}
	if err := sw.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		sw.err = err
		return err
	}
	return nil
}

func (s *Server) promptRun(w http.ResponseWriter, r *http.Request, in *promptRunIn, legacy bool) {
	astRaw := in.AST
	if legacy && isNullish(astRaw) {
		astRaw = in.Prompt
	}
	p, err := s.loadAST(astRaw, in.PromptPath)
	if err != nil {
		s.log("prompt-run failed", "error", err)
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	props, given, err := propsFor(p, in.CustomProps)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: customProps: "+err.Error())
		return
	}
	x, err := s.prepare(p, props)
	if err != nil {
		s.log("prompt-run failed", "error", err)
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	stream := !legacy
	if in.Options != nil && in.Options.ShouldStream != nil {
		stream = *in.Options.ShouldStream
	}
	if x.Kind == KindImage || x.Kind == KindSpeech {
		stream = false
	}
	x.Stream, x.PropsGiven = stream, given
	name := x.Prompt.Name()
	if name == "" {
		name = "prompt-run"
	}
	ctx, span := s.startSpan(r.Context(), name, promptAttrs(x, in.PromptPath, in.CustomProps))
	switch {
	case stream && legacy:
		s.legacyStream(ctx, w, x, span)
	case stream:
		s.streamPrompt(ctx, w, x, span)
	default:
		s.jsonPrompt(ctx, w, x, span)
	}
}

func (s *Server) streamPrompt(ctx context.Context, w http.ResponseWriter, x *Execution, span Span) {
	sw := startStream(w, streamContentType)
	var text strings.Builder
	var object json.RawMessage
	var usage *AgentUsage
	stopped := false
	emit := func(ev AgentEvent) error {
		if stopped {
			return errStopped
		}
		switch ev.Type {
		case EventTextDelta:
			text.WriteString(ev.Text)
		case EventObjectDelta:
			object = ev.Partial
		case EventObjectFinal:
			object = ev.Value
		case EventFinish:
			usage = ev.Usage
		}
		c := EventToWire(x.Kind, ev)
		if c == nil {
			return nil
		}
		if err := sw.write(c); err != nil {
			stopped = true
			return err
		}
		if c.Type == ChunkError {
			stopped = true
			return errStopped
		}
		return nil
	}
	out, err := s.exec.Execute(ctx, x, emit)
	if err != nil && !stopped {
		_ = sw.write(ErrorChunk(NormalizeError(err)))
	}
	// The span records what was streamed, even after an error.
	partial := &Outcome{Text: text.String(), Object: object, Usage: usage}
	if out != nil {
		partial = out
	}
	span.SetAttributes(outputAttrs(x.Kind, partial))
	traceID := span.TraceID()
	if out != nil && out.TraceID != "" {
		traceID = out.TraceID
	}
	if errors.Is(err, errStopped) {
		err = nil
	}
	span.End(err)
	if traceID != "" {
		_ = sw.write(&Chunk{Type: ChunkDone, TraceID: traceID})
	}
}

func (s *Server) jsonPrompt(ctx context.Context, w http.ResponseWriter, x *Execution, span Span) {
	out, err := s.exec.Execute(ctx, x, nil)
	if err != nil {
		span.End(err)
		s.log("prompt-run failed", "error", err)
		writeError(w, http.StatusInternalServerError, NormalizeError(err))
		return
	}
	span.SetAttributes(outputAttrs(x.Kind, out))
	span.End(nil)
	traceID := span.TraceID()
	if out.TraceID != "" {
		traceID = out.TraceID
	}
	writeJSON(w, http.StatusOK, envelope(x.Kind, out, traceID))
}

// envelope is the non-streaming response of a run.
func envelope(kind string, out *Outcome, traceID string) any {
	switch kind {
	case KindObject:
		return ObjectResponseToWire(ObjectResponseArgs{Result: out.Object, Usage: out.Usage, FinishReason: out.FinishReason, TraceID: traceID})
	case KindImage:
		imgs := out.Images
		if imgs == nil {
			imgs = []MediaFile{}
		}
		return &ImageResponse{Type: KindImage, Result: imgs, TraceID: traceID}
	case KindSpeech:
		r := &SpeechResponse{Type: KindSpeech, TraceID: traceID}
		if out.Audio != nil {
			r.Result = *out.Audio
		}
		return r
	}
	return TextResponseToWire(TextResponseArgs{Result: out.Text, Usage: out.Usage, FinishReason: out.FinishReason,
		ToolCalls: out.ToolCalls, ToolResults: out.ToolResults, TraceID: traceID})
}

// usageLegacy is the seed-002 usage shape.
type usageLegacy struct {
	PromptTokens     int `json:"promptTokens"`
	CompletionTokens int `json:"completionTokens"`
	TotalTokens      int `json:"totalTokens"`
}

// legacyStream writes the seed-002 stream: {"result","type"} lines, then
// one metadata object without a trailing newline.
func (s *Server) legacyStream(ctx context.Context, w http.ResponseWriter, x *Execution, span Span) {
	sw := startStream(w, "application/json")
	emit := func(ev AgentEvent) error {
		switch {
		case ev.Type == EventTextDelta && x.Kind == KindText:
			return sw.writeRaw(append(mustJSON(struct {
				Result string `json:"result"`
				Type   string `json:"type"`
			}{ev.Text, KindText}), '\n'))
		case (ev.Type == EventObjectDelta || ev.Type == EventObjectFinal) && x.Kind == KindObject:
			v := ev.Partial
			if ev.Type == EventObjectFinal {
				v = ev.Value
			}
			return sw.writeRaw(append(mustJSON(struct {
				Result json.RawMessage `json:"result"`
				Type   string          `json:"type"`
			}{rawOrNull(v), KindObject}), '\n'))
		}
		return nil
	}
	out, err := s.exec.Execute(ctx, x, emit)
	if err != nil {
		span.End(err)
		_ = sw.writeRaw(mustJSON(map[string]string{"error": NormalizeError(err)}))
		return
	}
	span.SetAttributes(outputAttrs(x.Kind, out))
	span.End(nil)
	meta := struct {
		Usage        *usageLegacy     `json:"usage,omitempty"`
		ToolCalls    []WireToolCall   `json:"toolCalls,omitempty"`
		ToolResults  []WireToolResult `json:"toolResults,omitempty"`
		FinishReason string           `json:"finishReason,omitempty"`
	}{ToolCalls: out.ToolCalls, ToolResults: out.ToolResults, FinishReason: out.FinishReason}
	if out.Usage != nil {
		meta.Usage = &usageLegacy{out.Usage.InputTokens, out.Usage.OutputTokens, out.Usage.Total()}
	}
	if x.Kind == KindText {
		if meta.ToolCalls == nil {
			meta.ToolCalls = []WireToolCall{}
		}
		if meta.ToolResults == nil {
			meta.ToolResults = []WireToolResult{}
		}
	}
	_ = sw.writeRaw(mustJSON(meta))
}

// legacy serves the seed-002 body {"event":{"type","data"}}.
func (s *Server) legacy(w http.ResponseWriter, r *http.Request, raw json.RawMessage) {
	var ev struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil || ev.Type == "" {
		writeError(w, http.StatusBadRequest, MsgMissingType)
		return
	}
	s.log("runner legacy event", "type", ev.Type, "remote", r.RemoteAddr)
	switch ev.Type {
	case webhook.TypeAlert:
		if s.onAlert != nil {
			if err := s.onAlert(r.Context(), ev.Data); err != nil {
				writeError(w, http.StatusInternalServerError, err.Error())
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": legacyAlertProcessed})
	case JobPromptRun:
		var in promptRunIn
		if err := json.Unmarshal(ev.Data, &in); err != nil || (isNullish(in.Prompt) && isNullish(in.AST)) {
			writeError(w, http.StatusBadRequest, "The request must include the prompt AST in data.prompt")
			return
		}
		s.promptRun(w, r, &in, true)
	case JobDatasetRun:
		var in datasetRunIn
		if err := json.Unmarshal(ev.Data, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Invalid request body: "+err.Error())
			return
		}
		s.legacyDatasetRun(w, r, &in)
	case JobGetEvals:
		writeJSON(w, http.StatusOK, BuildEvalsResponse(s.evals.EvalNames()))
	default:
		writeError(w, http.StatusBadRequest, "Unknown event type: "+ev.Type)
	}
}

// resultText is an llm.Result-independent helper: the text of a run's
// output for evals.
func outputValue(kind string, out *Outcome) (json.RawMessage, any) {
	switch kind {
	case KindText:
		return mustJSON(out.Text), out.Text
	case KindObject:
		if out.Object == nil {
			return nil, nil
		}
		var v any
		_ = json.Unmarshal(out.Object, &v)
		return out.Object, v
	case KindImage:
		imgs := out.Images
		if imgs == nil {
			imgs = []MediaFile{}
		}
		return mustJSON(imgs), nil
	case KindSpeech:
		if out.Audio == nil {
			return nil, nil
		}
		return mustJSON(out.Audio), nil
	}
	return nil, nil
}
