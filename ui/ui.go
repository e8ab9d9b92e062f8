// Package ui is the web UI of `agentmark dev` and of the team server:
// server-rendered html/template pages enhanced with htmx (vendored under
// static/vendor), inline SVG charts and no build step.
//
// The UI reads only through the store interfaces the /v1 read API uses
// (store.TraceReader, SpanReader, SessionReader, ScoreStore, MetricsReader
// and the optional ExperimentReader), so it works on every backend.
package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/agentmark-go/agentmark/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the UI needs. The store readers are required; every other
// field is optional.
type Deps struct {
	Traces   store.TraceReader
	Spans    store.SpanReader
	Sessions store.SessionReader
	Scores   store.ScoreStore
	Metrics  store.MetricsReader
	// Experiments lists dataset runs; nil shows an explanatory empty state.
	Experiments store.ExperimentReader

	// AppID scopes every store call.
	AppID string
	// ProjectDir is the project root (agentmark.json). Datasets written by
	// "add to dataset" stay inside it.
	ProjectDir string
	// PromptDir is where .prompt.mdx files live; empty means the project
	// config's prompt dir (<ProjectDir>/<agentmarkPath>/agentmark).
	PromptDir string
	// BasePath is the URL prefix the handler is mounted at ("" or "/ui").
	BasePath string

	// Run runs a prompt for the playground; nil uses DefaultRunner.
	Run RunFunc
	// Logf logs handler errors; nil uses the log package.
	Logf func(format string, args ...any)
	// Now is the clock (tests); nil uses time.Now.
	Now func() time.Time
}

// FromStore fills the store readers of Deps from one store.Store (and its
// ExperimentReader when it implements one).
func FromStore(s store.Store, appID, projectDir string) Deps {
	d := Deps{Traces: s, Spans: s, Sessions: s, Scores: s, Metrics: s, AppID: appID, ProjectDir: projectDir}
	if er, ok := s.(store.ExperimentReader); ok {
		d.Experiments = er
	}
	return d
}

type app struct {
	Deps
	pages  map[string]*template.Template
	assets map[string]asset // by file name
	runs   runRegistry
}

type asset struct {
	data []byte
	hash string
	ct   string
}

// Handler returns the UI. Mount it at Deps.BasePath (with the prefix
// stripped, e.g. http.StripPrefix).
func Handler(deps Deps) http.Handler {
	a := &app{Deps: deps, runs: runRegistry{m: map[string]*pendingRun{}}}
	a.BasePath = strings.TrimRight(a.BasePath, "/")
	if a.Now == nil {
		a.Now = time.Now
	}
	if a.Logf == nil {
		a.Logf = log.Printf
	}
	if a.Run == nil {
		a.Run = DefaultRunner(a.promptDir())
	}
	a.loadAssets()
	a.pages = a.parsePages()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/{hash}/{file...}", a.serveStatic)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, a.BasePath+"/traces", http.StatusFound)
	})
	mux.HandleFunc("GET /traces", a.handleTraces)
	mux.HandleFunc("GET /traces/new", a.handleTracesNew)
	mux.HandleFunc("GET /traces/{id}", a.handleTrace)
	mux.HandleFunc("GET /traces/{id}/spans/{spanID}", a.handleSpan)
	mux.HandleFunc("POST /traces/{id}/dataset", a.handleAddToDataset)
	mux.HandleFunc("GET /sessions", a.handleSessions)
	mux.HandleFunc("GET /sessions/{id}", a.handleSession)
	mux.HandleFunc("GET /sessions/{id}/turns/{traceID}", a.handleSessionTurn)
	mux.HandleFunc("GET /experiments", a.handleExperiments)
	mux.HandleFunc("GET /experiments/compare", a.handleCompare)
	mux.HandleFunc("GET /experiments/{id}", a.handleExperiment)
	mux.HandleFunc("GET /prompts", a.handlePrompts)
	mux.HandleFunc("GET /prompts/view", a.handlePrompt)
	mux.HandleFunc("POST /prompts/render", a.handleRender)
	mux.HandleFunc("POST /prompts/run", a.handleRunStart)
	mux.HandleFunc("GET /prompts/stream/{id}", a.handleRunStream)
	mux.HandleFunc("GET /dashboard", a.handleDashboard)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.errorPage(w, r, http.StatusNotFound, "Page not found", "There is nothing at "+r.URL.Path+".")
	})
	return a.recoverer(a.securityHeaders(mux))
}

func (a *app) securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

func (a *app) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Logf("ui: panic serving %s: %v", r.URL.Path, v)
				a.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "The page could not be rendered.")
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// ---- assets ----

func (a *app) loadAssets() {
	a.assets = map[string]asset{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		a.assets[name] = asset{data: data, hash: hex.EncodeToString(sum[:6]), ct: ct}
		return nil
	})
}

// assetURL is the content-hashed URL of a static file.
func (a *app) assetURL(name string) string {
	as, ok := a.assets[name]
	if !ok {
		return a.BasePath + "/static/missing/" + name
	}
	return a.BasePath + "/static/" + as.hash + "/" + name
}

func (a *app) serveStatic(w http.ResponseWriter, r *http.Request) {
	as, ok := a.assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", as.ct)
	if r.PathValue("hash") == as.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+as.hash+`"`)
	if r.Header.Get("If-None-Match") == `"`+as.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(as.data)
}

// ---- templates ----

func (a *app) parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(a.funcs()).ParseFS(templateFS, "templates/_*.html"))
	pages := map[string]*template.Template{}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := path.Base(e)
		if strings.HasPrefix(name, "_") {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, e))
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages
}

// view is the data every full page gets.
type view struct {
	Title string
	Nav   string
	Base  string
	Query url.Values
	Data  any
}

// render executes a page ("layout") or, for htmx requests asking for a
// fragment, the named block of the page.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, page, block string, v view) {
	t, ok := a.pages[page]
	if !ok {
		a.errorPage(w, r, http.StatusInternalServerError, "Missing page", page)
		return
	}
	v.Base = a.BasePath
	if v.Query == nil {
		v.Query = r.URL.Query()
	}
	if block == "" {
		block = "layout"
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		a.Logf("ui: render %s/%s: %v", page, block, err)
		a.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "The page could not be rendered.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct {
	Status  int
	Heading string
	Message string
}

func (a *app) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	t := a.pages["error"]
	v := view{Title: heading, Base: a.BasePath, Query: r.URL.Query(), Data: errorData{status, heading, msg}}
	var buf bytes.Buffer
	block := "layout"
	if isHX(r) {
		block = "content"
	}
	if t == nil || t.ExecuteTemplate(&buf, block, v) != nil {
		http.Error(w, heading+": "+msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// storeError turns a store error into an error page: filters and queries
// the user typed are 400s with the message, missing things 404s.
func (a *app) storeError(w http.ResponseWriter, r *http.Request, err error, what string) {
	var fe *store.InvalidFilterError
	var qe *store.InvalidQueryError
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.errorPage(w, r, http.StatusNotFound, what+" not found", "It may have been deleted, or it belongs to another app.")
	case errors.As(err, &fe):
		a.errorPage(w, r, http.StatusBadRequest, "Invalid filter", fe.Error())
	case errors.As(err, &qe):
		a.errorPage(w, r, http.StatusBadRequest, "Invalid query", qe.Error())
	case errors.Is(err, context.Canceled):
	default:
		a.Logf("ui: %s %s: %v", r.Method, r.URL.Path, err)
		a.errorPage(w, r, http.StatusInternalServerError, "Could not load "+strings.ToLower(what), "The store returned an error. Check the server log.")
	}
}

func isHX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// ---- small helpers ----

func jsonPretty(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '{' && raw[0] != '[' && raw[0] != '"') {
		return string(raw), false
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw), false
	}
	return buf.String(), true
}

type runRegistry struct {
	mu sync.Mutex
	m  map[string]*pendingRun
}

func (rr *runRegistry) put(id string, p *pendingRun) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	now := time.Now()
	for k, v := range rr.m {
		if now.Sub(v.created) > 10*time.Minute {
			delete(rr.m, k)
		}
	}
	rr.m[id] = p
}

func (rr *runRegistry) take(id string) *pendingRun {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	p := rr.m[id]
	delete(rr.m, id)
	return p
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
