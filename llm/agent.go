package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DefaultMaxCallsWithTools is the step bound of prompts that declare tools
// but no max_calls. (Upstream's AI SDK adapters default to 1 step for text
// prompts, which stops right after the first tool call; we run the loop
// to the model's answer instead, as they do for object prompts.)
const DefaultMaxCallsWithTools = 10

// Generator runs Calls: it resolves the model, the tools, and runs the
// multi-step tool loop. The zero value is not usable: set Registry.
type Generator struct {
	Registry *Registry
	// Tools are Go tools by name (the client's tool registry).
	Tools map[string]Tool
	// ToolSource resolves mcp:// tool URIs; nil: MCP tools are an error.
	ToolSource ToolSource
	// OutputDir, when set, receives generated images and audio
	// (image-<n>-<ts>.<ext>, audio-<ts>.<ext>); Result.Files lists them.
	OutputDir string
	// Now stamps output files; nil: time.Now.
	Now func() time.Time
	// Observer, when set, is told about every model and tool call
	// (tracing); nil observes nothing.
	Observer Observer
}

// Event types of a streamed run.
const (
	EvTextDelta  = "text-delta"
	EvToolCall   = "tool-call"
	EvToolResult = "tool-result"
	EvStepFinish = "step-finish"
	EvObject     = "object"
)

// Event is one thing that happened during a streamed run.
type Event struct {
	Type       string
	Step       int // 0-based step (model call) index
	Text       string
	ToolCall   *ToolCall
	ToolResult *ToolResult
	// EvStepFinish: the step's finish reason and usage.
	FinishReason string
	Usage        Usage
	// EvObject: the final, validated object.
	Object json.RawMessage
}

// ToolResult is the outcome of one tool call. Result is what the tool
// returned (JSON); on failure IsError is set and Result is the message.
type ToolResult struct {
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Result     json.RawMessage `json:"result"`
	IsError    bool            `json:"isError,omitempty"`
}

// Step is one model call of a run.
type Step struct {
	Text         string       `json:"text"`
	ToolCalls    []ToolCall   `json:"toolCalls"`
	ToolResults  []ToolResult `json:"toolResults"`
	FinishReason string       `json:"finishReason"`
	Usage        Usage        `json:"usage"`
}

// Result is the outcome of a run.
type Result struct {
	Kind      string
	ModelName string // as written in the prompt
	Provider  string // provider instance name
	Model     string // provider model id
	// Text prompts: the final text. Object prompts: the raw answer.
	Text string
	// Object prompts: the validated JSON value.
	Object json.RawMessage
	// Image prompts: the images; speech prompts: one audio file.
	Images []Media
	Audio  *Media
	// AudioFormat is the speech format ("mp3", "wav").
	AudioFormat string
	// Files are the paths written to OutputDir, when set.
	Files        []string
	Steps        []Step
	Usage        Usage
	FinishReason string
}

// ToolCalls lists the tool calls of every step.
func (r *Result) ToolCalls() []ToolCall {
	var out []ToolCall
	for _, s := range r.Steps {
		out = append(out, s.ToolCalls...)
	}
	return out
}

// ToolResults lists the tool results of every step.
func (r *Result) ToolResults() []ToolResult {
	var out []ToolResult
	for _, s := range r.Steps {
		out = append(out, s.ToolResults...)
	}
	return out
}

// ObjectError reports an object answer that is not valid JSON or does not
// match the schema. Text is the model's answer.
type ObjectError struct {
	Text   string
	Reason string
	Err    error
}

func (e *ObjectError) Error() string {
	t := e.Text
	if len(t) > 300 {
		t = t[:300] + "…"
	}
	return fmt.Sprintf("%s: %v (model output: %q)", e.Reason, e.Err, t)
}

func (e *ObjectError) Unwrap() error { return e.Err }

// UnsupportedError reports a provider that cannot do what the prompt asks.
type UnsupportedError struct{ Provider, What string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("provider %q does not support %s", e.Provider, e.What)
}

// Run executes c. With onEvent nil, model calls are not streamed; with
// onEvent set, they are, and every event is passed to it (returning an
// error from onEvent stops the run with that error).
func (g *Generator) Run(ctx context.Context, c *Call, onEvent func(Event) error) (*Result, error) {
	if g.Registry == nil {
		return nil, errors.New("llm: Generator.Registry is nil")
	}
	rm, err := g.Registry.Resolve(c.ModelName)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: c.Kind, ModelName: c.ModelName, Provider: rm.ProviderName, Model: rm.Model}
	switch c.Kind {
	case KindImage:
		return res, g.runImage(ctx, c, rm, res)
	case KindSpeech:
		return res, g.runSpeech(ctx, c, rm, res)
	case KindText, KindObject:
		return res, g.runText(ctx, c, rm, res, onEvent)
	}
	return nil, fmt.Errorf("unknown prompt kind %q", c.Kind)
}

// ResolveTools resolves tool names and mcp:// URIs in order; later
// entries replace earlier ones of the same name.
func (g *Generator) ResolveTools(ctx context.Context, names []string) ([]Tool, error) {
	var out []Tool
	idx := map[string]int{}
	add := func(t Tool) {
		if i, ok := idx[t.Name]; ok {
			out[i] = t
			return
		}
		idx[t.Name] = len(out)
		out = append(out, t)
	}
	for _, n := range names {
		if strings.HasPrefix(strings.TrimSpace(n), "mcp://") || strings.Contains(n, "://") {
			if !IsMCPURI(n) {
				return nil, errors.New("Invalid MCP URI: must start with 'mcp://'")
			}
			if g.ToolSource == nil {
				server := strings.TrimPrefix(strings.TrimSpace(n), "mcp://")
				if i := strings.Index(server, "/"); i >= 0 {
					server = server[:i]
				}
				return nil, fmt.Errorf("MCP server '%s' not registered. Available servers: (none)", strings.TrimSpace(server))
			}
			ts, err := g.ToolSource.Tools(ctx, strings.TrimSpace(n))
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				add(t)
			}
			continue
		}
		t, ok := g.Tools[n]
		if !ok {
			var avail []string
			for k := range g.Tools {
				avail = append(avail, k)
			}
			sort.Strings(avail)
			list := strings.Join(avail, ", ")
			if list == "" {
				list = "(none)"
			}
			return nil, fmt.Errorf("Tool '%s' referenced in prompt config was not found in the provided tools record. Available tools: %s", n, list)
		}
		if t.Name == "" {
			t.Name = n
		}
		add(t)
	}
	return out, nil
}

func (g *Generator) runText(ctx context.Context, c *Call, rm *ResolvedModel, res *Result, onEvent func(Event) error) error {
	tp, ok := rm.Provider.(TextProvider)
	if !ok {
		return &UnsupportedError{rm.ProviderName, "text generation"}
	}
	tools, err := g.ResolveTools(ctx, c.ToolNames)
	if err != nil {
		return err
	}
	var schema *jsonschema.Schema
	if c.Kind == KindObject {
		if schema, err = compileSchema(c.Request.Schema); err != nil {
			return fmt.Errorf("object_config.schema: %w", err)
		}
	}
	req := c.Request // copy; Messages grows per step
	req.Model = rm.Model
	req.Messages = append([]Message(nil), c.Request.Messages...)
	byName := map[string]Tool{}
	for _, t := range tools {
		req.Tools = append(req.Tools, t.Def())
		byName[t.Name] = t
	}
	maxCalls := c.MaxCalls
	if maxCalls <= 0 {
		maxCalls = 1
		if len(tools) > 0 {
			maxCalls = DefaultMaxCallsWithTools
		}
	}
	emit := func(ev Event) error {
		if onEvent == nil {
			return nil
		}
		return onEvent(ev)
	}
	for step := 0; step < maxCalls; step++ {
		sctx, endCall := g.observeModel(ctx, ModelCallInfo{Kind: c.Kind, Step: step, ModelName: c.ModelName,
			Provider: rm.ProviderName, Model: rm.Model, Stream: onEvent != nil, Text: &req})
		r, err := g.textCall(sctx, tp, &req, c.Kind, step, onEvent != nil, emit)
		if err != nil {
			endCall(ModelCallEnd{Err: err})
			return err
		}
		endCall(ModelCallEnd{Response: r, Usage: r.Usage})
		st := Step{Text: r.Text, ToolCalls: r.ToolCalls, FinishReason: r.FinishReason, Usage: r.Usage}
		if st.ToolCalls == nil {
			st.ToolCalls = []ToolCall{}
		}
		st.ToolResults = []ToolResult{}
		res.Usage = res.Usage.Add(r.Usage)
		res.FinishReason = r.FinishReason
		res.Text = r.Text
		if len(r.ToolCalls) > 0 {
			req.Messages = append(req.Messages, Message{Role: RoleAssistant, Parts: textParts(r.Text), ToolCalls: r.ToolCalls})
			for i := range r.ToolCalls {
				if err := emit(Event{Type: EvToolCall, Step: step, ToolCall: &r.ToolCalls[i]}); err != nil {
					return err
				}
			}
			results := g.execTools(sctx, byName, r.ToolCalls)
			for i, tr := range results {
				st.ToolResults = append(st.ToolResults, tr)
				req.Messages = append(req.Messages, Message{Role: RoleTool, ToolCallID: tr.ToolCallID, ToolName: tr.ToolName,
					Parts: []Part{{Type: PartText, Text: resultText(tr.Result)}}})
				if err := emit(Event{Type: EvToolResult, Step: step, ToolResult: &results[i]}); err != nil {
					return err
				}
			}
		}
		res.Steps = append(res.Steps, st)
		if err := emit(Event{Type: EvStepFinish, Step: step, FinishReason: r.FinishReason, Usage: r.Usage}); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(r.ToolCalls) == 0 {
			break
		}
	}
	if c.Kind == KindObject {
		obj, err := parseObject(res.Text, schema)
		if err != nil {
			return err
		}
		res.Object = obj
		return emit(Event{Type: EvObject, Object: obj})
	}
	return nil
}

// textCall makes one model call, streamed (events passed to emit) or not.
func (g *Generator) textCall(ctx context.Context, tp TextProvider, req *TextRequest, kind string, step int, stream bool, emit func(Event) error) (*TextResponse, error) {
	if !stream {
		return tp.Generate(ctx, req)
	}
	r := &TextResponse{}
	var b strings.Builder
	for ev, serr := range tp.Stream(ctx, req) {
		if serr != nil {
			return nil, serr
		}
		switch ev.Type {
		case EventTextDelta:
			b.WriteString(ev.TextDelta)
			if kind == KindText {
				if err := emit(Event{Type: EvTextDelta, Step: step, Text: ev.TextDelta}); err != nil {
					return nil, err
				}
			}
		case EventToolCall:
			r.ToolCalls = append(r.ToolCalls, *ev.ToolCall)
		case EventFinish:
			r.FinishReason, r.Usage = ev.FinishReason, ev.Usage
		}
	}
	r.Text = b.String()
	return r, nil
}

func textParts(s string) []Part {
	if s == "" {
		return nil
	}
	return []Part{{Type: PartText, Text: s}}
}

// resultText is what a tool result looks like to the model: strings as
// they are, other values as JSON.
func resultText(r json.RawMessage) string {
	var s string
	if len(r) > 0 && r[0] == '"' && json.Unmarshal(r, &s) == nil {
		return s
	}
	return string(r)
}

// execTools runs the calls of one step concurrently; results keep the
// calls' order. Failures become error results the model sees.
func (g *Generator) execTools(ctx context.Context, byName map[string]Tool, calls []ToolCall) []ToolResult {
	out := make([]ToolResult, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		out[i] = ToolResult{ToolCallID: call.ID, ToolName: call.Name}
		tctx, endTool := g.observeTool(ctx, call)
		t, ok := byName[call.Name]
		if !ok || t.Execute == nil {
			out[i].IsError = true
			out[i].Result, _ = json.Marshal(fmt.Sprintf("Error: tool %q is not available", call.Name))
			endTool(out[i])
			continue
		}
		wg.Add(1)
		go func(ctx context.Context, i int, call ToolCall, t Tool) {
			defer wg.Done()
			defer func() { endTool(out[i]) }()
			defer func() {
				if p := recover(); p != nil {
					out[i].IsError = true
					out[i].Result, _ = json.Marshal(fmt.Sprintf("Error: tool %q panicked: %v", call.Name, p))
				}
			}()
			args := bytes.TrimSpace(call.Args)
			if len(args) == 0 {
				args = []byte("{}")
			}
			if !json.Valid(args) || args[0] != '{' {
				out[i].IsError = true
				out[i].Result, _ = json.Marshal(fmt.Sprintf("Error: the arguments of %q are not a JSON object: %s", call.Name, args))
				return
			}
			v, err := t.Execute(ctx, json.RawMessage(args))
			if err != nil {
				out[i].IsError = true
				out[i].Result, _ = json.Marshal("Error: " + err.Error())
				return
			}
			switch x := v.(type) {
			case json.RawMessage:
				if json.Valid(x) {
					out[i].Result = x
					return
				}
				out[i].Result, _ = json.Marshal(string(x))
			case []byte:
				out[i].Result, _ = json.Marshal(string(x))
			default:
				b, err := json.Marshal(v)
				if err != nil {
					out[i].IsError = true
					out[i].Result, _ = json.Marshal("Error: cannot encode the tool result: " + err.Error())
					return
				}
				out[i].Result = b
			}
		}(tctx, i, call, t)
	}
	wg.Wait()
	return out
}

var schemaCache sync.Map // string(schema) -> *jsonschema.Schema

// noLoader refuses every remote or file $ref: prompt schemas are
// resolved before they get here.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("$ref %q cannot be loaded (only local #/ references are supported)", url)
}

func compileSchema(schema json.RawMessage) (*jsonschema.Schema, error) {
	key := string(schema)
	if s, ok := schemaCache.Load(key); ok {
		return s.(*jsonschema.Schema), nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	comp.UseLoader(noLoader{})
	const loc = "agentmark:///schema.json"
	if err := comp.AddResource(loc, doc); err != nil {
		return nil, err
	}
	s, err := comp.Compile(loc)
	if err != nil {
		return nil, err
	}
	schemaCache.Store(key, s)
	return s, nil
}

// ValidateJSON checks a JSON value against a JSON Schema.
func ValidateJSON(schema, value json.RawMessage) error {
	s, err := compileSchema(schema)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(value))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// ParseObject extracts the JSON value of an object answer (tolerating
// ```json fences) and validates it against schema.
func ParseObject(text string, schema json.RawMessage) (json.RawMessage, error) {
	s, err := compileSchema(schema)
	if err != nil {
		return nil, err
	}
	return parseObject(text, s)
}

func parseObject(text string, schema *jsonschema.Schema) (json.RawMessage, error) {
	t := trimJSONFence(text)
	if t == "" {
		return nil, &ObjectError{Text: text, Reason: "the model returned no JSON", Err: errors.New("empty answer")}
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(t))
	if err != nil {
		// Prose around a JSON object: take the outermost braces.
		i, j := strings.IndexByte(t, '{'), strings.LastIndexByte(t, '}')
		if i >= 0 && j > i {
			if inst2, err2 := jsonschema.UnmarshalJSON(strings.NewReader(t[i : j+1])); err2 == nil {
				inst, err, t = inst2, nil, t[i:j+1]
			}
		}
		if err != nil {
			return nil, &ObjectError{Text: text, Reason: "the model did not return valid JSON", Err: err}
		}
	}
	if schema != nil {
		if err := schema.Validate(inst); err != nil {
			return nil, &ObjectError{Text: text, Reason: "the model's JSON does not match the schema", Err: err}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(t)); err != nil {
		return nil, &ObjectError{Text: text, Reason: "the model did not return valid JSON", Err: err}
	}
	return buf.Bytes(), nil
}

func (g *Generator) runImage(ctx context.Context, c *Call, rm *ResolvedModel, res *Result) error {
	ip, ok := rm.Provider.(ImageProvider)
	if !ok {
		return &UnsupportedError{rm.ProviderName, "image generation"}
	}
	req := *c.Image
	req.Model = rm.Model
	octx, endCall := g.observeModel(ctx, ModelCallInfo{Kind: c.Kind, ModelName: c.ModelName, Provider: rm.ProviderName, Model: rm.Model, Image: &req})
	r, err := ip.GenerateImage(octx, &req)
	if err != nil {
		endCall(ModelCallEnd{Err: err})
		return err
	}
	endCall(ModelCallEnd{Usage: r.Usage})
	res.Images, res.Usage, res.FinishReason = r.Images, r.Usage, FinishStop
	if g.OutputDir == "" {
		return nil
	}
	ts := g.stamp()
	for i, img := range r.Images {
		p, err := g.save(fmt.Sprintf("image-%d-%s.%s", i+1, ts, ext(img.MimeType, "png")), img.Data)
		if err != nil {
			return err
		}
		res.Files = append(res.Files, p)
	}
	return nil
}

func (g *Generator) runSpeech(ctx context.Context, c *Call, rm *ResolvedModel, res *Result) error {
	sp, ok := rm.Provider.(SpeechProvider)
	if !ok {
		return &UnsupportedError{rm.ProviderName, "speech generation"}
	}
	req := *c.Speech
	req.Model = rm.Model
	octx, endCall := g.observeModel(ctx, ModelCallInfo{Kind: c.Kind, ModelName: c.ModelName, Provider: rm.ProviderName, Model: rm.Model, Speech: &req})
	r, err := sp.GenerateSpeech(octx, &req)
	if err != nil {
		endCall(ModelCallEnd{Err: err})
		return err
	}
	endCall(ModelCallEnd{})
	a := r.Audio
	res.Audio, res.AudioFormat, res.FinishReason = &a, r.Format, FinishStop
	if g.OutputDir == "" {
		return nil
	}
	e := r.Format
	if e == "" {
		e = ext(a.MimeType, "mp3")
	}
	p, err := g.save(fmt.Sprintf("audio-%s.%s", g.stamp(), e), a.Data)
	if err != nil {
		return err
	}
	res.Files = append(res.Files, p)
	return nil
}

func (g *Generator) stamp() string {
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	return fmt.Sprint(now().UnixMilli())
}

func (g *Generator) save(name string, data []byte) (string, error) {
	if err := os.MkdirAll(g.OutputDir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(g.OutputDir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return "", err
	}
	return p, nil
}

// ext is the file extension of a MIME type (its subtype, "mpeg" → mp3).
func ext(mt, def string) string {
	mt, _, _ = mime.ParseMediaType(mt)
	_, sub, ok := strings.Cut(mt, "/")
	if !ok || sub == "" || sub == "octet-stream" {
		return def
	}
	switch sub {
	case "mpeg":
		return "mp3"
	case "svg+xml":
		return "svg"
	case "x-wav", "wave":
		return "wav"
	}
	return sub
}
