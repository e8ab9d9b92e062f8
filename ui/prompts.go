package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	_ "github.com/agentmark-go/agentmark/llm/providers" // register the built-in providers for DefaultRunner
	"github.com/agentmark-go/agentmark/pricing"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/store"
)

// RunRequest is one playground run.
type RunRequest struct {
	Path  string         // prompt path relative to the prompt dir
	Props map[string]any // the prompt's props
}

// RunEvent is a streamed piece of output.
type RunEvent struct {
	Text string
}

// RunResult is the end of a run.
type RunResult struct {
	Text         string
	Object       json.RawMessage
	Model        string
	InputTokens  int
	OutputTokens int
	Cost         float64
	CostKnown    bool
	FinishReason string
	TraceID      string // the run's trace, when the runner knows it
}

// RunFunc runs a prompt, calling emit with streamed output. The dev command
// supplies one wired to its tracing so runs show up as traces.
type RunFunc func(ctx context.Context, req RunRequest, emit func(RunEvent)) (*RunResult, error)

// DefaultRunner runs prompts from promptDir with agentmark.New: built-in
// providers, the project's agentmark.json (when found) and the default
// tracing (the enclosing provider, if any).
func DefaultRunner(promptDir string) RunFunc {
	return func(ctx context.Context, req RunRequest, emit func(RunEvent)) (*RunResult, error) {
		opts := []agentmark.Option{agentmark.WithSourceDir(promptDir)}
		if root, ok := project.FindRoot(promptDir); ok {
			opts = append(opts, agentmark.WithProjectConfig(filepath.Join(root, project.ConfigFile)))
		}
		c := agentmark.New(opts...)
		tpl, err := agentmark.SourceLoader{Dir: promptDir}.LoadPrompt(req.Path, prompt.Options{})
		if err != nil {
			return nil, err
		}
		var p *agentmark.Prompt
		switch tpl.Kind() {
		case prompt.KindObject:
			p, err = c.LoadObjectPrompt(req.Path)
		case prompt.KindText:
			p, err = c.LoadTextPrompt(req.Path)
		default:
			return nil, fmt.Errorf("the playground runs text and object prompts; this is a %s prompt", tpl.Kind())
		}
		if err != nil {
			return nil, err
		}
		st := p.Stream(ctx, req.Props)
		for ev, err := range st.Events() {
			if err != nil {
				return nil, err
			}
			if ev.Type == llm.EvTextDelta && ev.Text != "" {
				emit(RunEvent{Text: ev.Text})
			}
		}
		res := st.Result()
		if res == nil {
			return nil, fmt.Errorf("the run ended without a result")
		}
		out := &RunResult{Text: res.Text, Object: res.Object, Model: res.ModelName, InputTokens: res.Usage.InputTokens,
			OutputTokens: res.Usage.OutputTokens, FinishReason: res.FinishReason}
		if price, ok := pricing.Default().Lookup(res.Model); ok {
			out.Cost, out.CostKnown = price.Cost(res.Usage), true
		}
		return out, nil
	}
}

func (a *app) promptDir() string {
	if a.PromptDir != "" {
		return a.PromptDir
	}
	if a.ProjectDir == "" {
		return ""
	}
	if cfg, err := project.LoadConfig(a.ProjectDir); err == nil {
		return cfg.PromptDir(a.ProjectDir)
	}
	return filepath.Join(a.ProjectDir, "agentmark")
}

type promptInfo struct {
	Path  string
	Name  string
	Kind  string
	Model string
	Err   string
}

func loadTemplate(dir, rel string) (*prompt.Template, error) {
	return agentmark.SourceLoader{Dir: dir}.LoadPrompt(rel, prompt.Options{})
}

func (a *app) listPrompts() []promptInfo {
	dir := a.promptDir()
	if dir == "" {
		return nil
	}
	var out []promptInfo
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".prompt.mdx") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		info := promptInfo{Path: rel, Name: strings.TrimSuffix(d.Name(), ".prompt.mdx")}
		if tpl, err := loadTemplate(dir, rel); err != nil {
			info.Err = err.Error()
		} else {
			info.Name, info.Kind = tpl.Name(), string(tpl.Kind())
			if m, ok := tpl.Config().Get("model_name"); ok {
				info.Model, _ = m.(string)
			}
		}
		out = append(out, info)
		if len(out) >= 1000 {
			return fs.SkipAll
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

type promptsData struct {
	Dir     string
	Prompts []promptInfo
}

func (a *app) handlePrompts(w http.ResponseWriter, r *http.Request) {
	d := promptsData{Dir: a.promptDir(), Prompts: a.listPrompts()}
	a.render(w, r, http.StatusOK, "prompts", "", view{Title: "Prompts", Nav: "prompts", Data: d})
}

type promptData struct {
	Info        promptInfo
	Source      string
	Frontmatter string
	Props       string
	Rendered    *renderData
	Recent      []store.TraceSummary
}

type renderData struct {
	Messages []chatMsg
	Config   string
	Err      string
}

func (a *app) handlePrompt(w http.ResponseWriter, r *http.Request) {
	rel := r.URL.Query().Get("path")
	dir := a.promptDir()
	full, err := project.Confine(dir, filepath.FromSlash(rel))
	if rel == "" || dir == "" || err != nil {
		a.errorPage(w, r, http.StatusNotFound, "Prompt not found", "No prompt at “"+rel+"”.")
		return
	}
	src, err := os.ReadFile(full)
	if err != nil {
		a.errorPage(w, r, http.StatusNotFound, "Prompt not found", "No prompt at “"+rel+"”.")
		return
	}
	d := promptData{Info: promptInfo{Path: rel}, Source: string(src), Props: "{}"}
	tpl, err := loadTemplate(dir, rel)
	if err != nil {
		d.Info.Err = err.Error()
	} else {
		d.Info.Name, d.Info.Kind = tpl.Name(), string(tpl.Kind())
		if m, ok := tpl.Config().Get("model_name"); ok {
			d.Info.Model, _ = m.(string)
		}
		d.Frontmatter = jsvalue.StringifyIndent(tpl.Frontmatter(), "  ")
		if ts := tpl.TestSettings(); ts != nil {
			if v, ok := ts.Get("props"); ok && v != nil {
				d.Props = jsvalue.StringifyIndent(v, "  ")
			}
		}
		d.Rendered = renderPrompt(tpl, d.Props)
		if page, err := a.Traces.ListTraces(r.Context(), a.AppID, store.TraceQuery{PromptName: tpl.Name(), Limit: 5}); err == nil {
			d.Recent = page.Items
		}
	}
	a.render(w, r, http.StatusOK, "prompt", "", view{Title: "Prompt " + d.Info.Name, Nav: "prompts", Data: d})
}

func renderPrompt(tpl *prompt.Template, props string) *renderData {
	v, err := jsvalue.ParseJSON([]byte(props))
	if err != nil {
		return &renderData{Err: "Props are not valid JSON: " + err.Error()}
	}
	out, err := tpl.Format(v)
	if err != nil {
		return &renderData{Err: err.Error()}
	}
	rd := &renderData{}
	if msgs, ok := out.Get("messages"); ok {
		raw, _ := json.Marshal(jsonable(msgs))
		rd.Messages, _ = parseMessages(raw)
		out = out.Clone()
		out.Delete("messages")
	}
	rd.Config = jsvalue.StringifyIndent(out, "  ")
	return rd
}

// jsonable makes a jsvalue marshalable with encoding/json.
func jsonable(v jsvalue.Value) json.RawMessage {
	s, ok := jsvalue.Stringify(v)
	if !ok {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func (a *app) handleRender(w http.ResponseWriter, r *http.Request) {
	rel := r.FormValue("path")
	tpl, err := loadTemplate(a.promptDir(), rel)
	var rd *renderData
	if err != nil {
		rd = &renderData{Err: err.Error()}
	} else {
		rd = renderPrompt(tpl, r.FormValue("props"))
	}
	a.render(w, r, http.StatusOK, "prompt", "rendered", view{Data: rd})
}

// ---- streamed runs (htmx SSE extension) ----

type pendingRun struct {
	req     RunRequest
	created time.Time
}

type runStart struct {
	ID  string
	Err string
}

func (a *app) handleRunStart(w http.ResponseWriter, r *http.Request) {
	rel := r.FormValue("path")
	var props map[string]any
	if err := json.Unmarshal([]byte(r.FormValue("props")), &props); err != nil {
		a.render(w, r, http.StatusOK, "prompt", "runstart", view{Data: runStart{Err: "Props must be a JSON object."}})
		return
	}
	if _, err := project.Confine(a.promptDir(), filepath.FromSlash(rel)); err != nil || rel == "" {
		a.render(w, r, http.StatusOK, "prompt", "runstart", view{Data: runStart{Err: "Unknown prompt."}})
		return
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	a.runs.put(id, &pendingRun{req: RunRequest{Path: rel, Props: props}, created: time.Now()})
	a.render(w, r, http.StatusOK, "prompt", "runstart", view{Data: runStart{ID: id}})
}

type runDone struct {
	Res     *RunResult
	Err     string
	Elapsed float64
	TraceID string
}

func (a *app) handleRunStream(w http.ResponseWriter, r *http.Request) {
	p := a.runs.take(r.PathValue("id"))
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	send := func(event, html string) {
		fmt.Fprintf(w, "event: %s\n", event)
		for _, line := range strings.Split(html, "\n") {
			fmt.Fprintf(w, "data: %s\n", line)
		}
		fmt.Fprint(w, "\n")
		flusher.Flush()
	}
	done := func(d runDone) {
		var buf strings.Builder
		if err := a.pages["prompt"].ExecuteTemplate(&buf, "rundone", view{Base: a.BasePath, Data: d}); err != nil {
			a.Logf("ui: render rundone: %v", err)
		}
		send("done", buf.String())
	}
	if p == nil {
		done(runDone{Err: "This run was already started or has expired. Run the prompt again."})
		return
	}
	start := time.Now()
	res, err := a.Run(r.Context(), p.req, func(ev RunEvent) {
		send("chunk", template.HTMLEscapeString(ev.Text))
	})
	d := runDone{Res: res, Elapsed: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		d.Err = err.Error()
	}
	if res != nil {
		d.TraceID = res.TraceID
		if res.Text == "" && len(res.Object) > 0 {
			res.Text, _ = jsonPretty(res.Object)
		}
	}
	done(d)
}
