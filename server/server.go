// Package server is the AgentMark HTTP API: OTLP trace ingestion
// (POST /v1/traces) and the read API over a store.Store (traces, spans,
// sessions, scores, metrics), plus the project-backed routes (templates,
// prompts, score configs, config), pricing, capabilities, health and the
// OpenAPI document generated from the route table.
//
// It is what `agentmark dev` serves on its API port. There is no
// authentication (local dev): every row is scoped by an app id, the fixed
// Config.AppID unless the request carries X-Agentmark-App-Id.
//
// Wire shapes follow the AgentMark REST API: {"data": T} for one resource or
// an unpaginated list, {"data": [T], "pagination": {total, limit, offset}}
// for a page, {"error": {"code", "message", ...}} for errors.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/agentmark-go/agentmark/ingest"
	"github.com/agentmark-go/agentmark/ingest/normalize"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/pricing"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/store"
)

// DefaultAppID is the app every row belongs to when a request names none.
const DefaultAppID = "local"

// DefaultPort is the API port of `agentmark dev`.
const DefaultPort = 9418

// Config configures a Server. Only Store is required.
type Config struct {
	// Store holds traces, spans and scores.
	Store store.Store

	// AppID scopes requests without X-Agentmark-App-Id (DefaultAppID).
	AppID string

	// ProjectRoot is the directory holding agentmark.json. Empty: the
	// project routes (templates, prompts, score configs, config) answer
	// 404 or an empty list.
	ProjectRoot string
	// PromptDir is where prompts and datasets live; empty: the project's
	// <agentmarkPath>/agentmark directory.
	PromptDir string

	// Pricing prices model calls at ingest and serves /v1/pricing. Nil:
	// the embedded table plus agentmark.json modelSchemas custom costs.
	Pricing *pricing.Table

	// MaxBodyBytes bounds request bodies (ingest.DefaultMaxBodyBytes, 10 MB).
	MaxBodyBytes int64

	// MaxInflightIngest bounds concurrent ingest requests; a request that
	// cannot start within IngestQueueWait gets 503 with Retry-After.
	// Defaults: 64 and 10 s.
	MaxInflightIngest int
	IngestQueueWait   time.Duration

	// Writers is the number of concurrent store transactions ingestion
	// uses (default 1: SQLite has one writer; Postgres benefits from more).
	// Concurrent ingest requests are group-committed: requests arriving
	// while a write is in flight share the next transaction (at most
	// GroupMaxSpans spans, default 5000).
	Writers       int
	GroupMaxSpans int

	// RetryAfter is the Retry-After of 503 answers (default 5 s).
	RetryAfter time.Duration

	// BaseURL is this server's public URL (capabilities, OpenAPI
	// servers). Empty: derived from each request's Host.
	BaseURL string

	// Logger logs failures (5xx). Nil: slog.Default().
	Logger *slog.Logger
}

// Server is the HTTP API. Build one with New.
type Server struct {
	cfg        Config
	store      store.Store
	prices     *pricing.Table
	normalizer *normalize.Normalizer
	promptDir  string
	log        *slog.Logger
	ingestSem  chan struct{}
	writer     *groupWriter
	routes     []Route
	handler    http.Handler
	pricing    pricingCache
}

// New builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: Config.Store is required")
	}
	if cfg.AppID == "" {
		cfg.AppID = DefaultAppID
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = ingest.DefaultMaxBodyBytes
	}
	if cfg.MaxInflightIngest <= 0 {
		cfg.MaxInflightIngest = 64
	}
	if cfg.IngestQueueWait <= 0 {
		cfg.IngestQueueWait = 10 * time.Second
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 5 * time.Second
	}
	if cfg.GroupMaxSpans <= 0 {
		cfg.GroupMaxSpans = 5000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, ingestSem: make(chan struct{}, cfg.MaxInflightIngest)}
	if cfg.ProjectRoot != "" {
		root, err := filepath.Abs(cfg.ProjectRoot)
		if err != nil {
			return nil, err
		}
		s.cfg.ProjectRoot = root
	}
	s.promptDir = cfg.PromptDir
	var pcfg *project.Config
	if s.cfg.ProjectRoot != "" {
		c, err := project.LoadConfig(s.cfg.ProjectRoot)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		pcfg = c
		if s.promptDir == "" {
			if pcfg == nil {
				pcfg = &project.Config{}
			}
			s.promptDir = pcfg.PromptDir(s.cfg.ProjectRoot)
		}
	}
	if s.promptDir != "" {
		abs, err := filepath.Abs(s.promptDir)
		if err != nil {
			return nil, err
		}
		s.promptDir = abs
	}
	s.prices = cfg.Pricing
	if s.prices == nil {
		s.prices = pricing.Default()
		if pcfg != nil && pcfg.Raw != nil {
			if ms, ok := pcfg.Get("modelSchemas"); ok {
				if js, ok := jsvalue.Stringify(ms); ok {
					if custom, err := pricing.ParseModelSchemas([]byte(js)); err == nil && len(custom) > 0 {
						s.prices = s.prices.WithCustom(custom)
					}
				}
			}
		}
	}
	s.normalizer = &normalize.Normalizer{Pricer: s.prices}
	s.writer = newGroupWriter(cfg.Store, cfg.Writers, cfg.GroupMaxSpans)
	s.routes = s.routeTable()
	s.handler = s.build()
	return s, nil
}

// Handler is the whole API as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (a copy).
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// PromptDir is the directory templates and prompts are served from ("" when
// there is no project).
func (s *Server) PromptDir() string { return s.promptDir }

// build mounts every route on a ServeMux and wraps it in the middleware.
func (s *Server) build() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	mux.Handle("/", s.wrap(Route{Handler: notFound}))
	return s.middleware(mux)
}

// wrap adapts a route handler: it runs it and writes its error.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Deprecated {
			h := w.Header()
			h.Set("Deprecation", "true")
			h.Set("Sunset", "Tue, 21 Oct 2026 00:00:00 GMT")
			if rt.Successor != nil {
				h.Set("Link", "<"+rt.Successor(r)+`>; rel="successor-version"`)
			}
		}
		if err := rt.Handler(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// appID is the app a request is scoped to.
func (s *Server) appID(r *http.Request) string {
	if v, ok := r.Context().Value(appIDKey{}).(string); ok && v != "" {
		return v
	}
	return s.cfg.AppID
}

type appIDKey struct{}

// baseURL is the server's public URL for r.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ctx bounds store calls of a request.
func reqCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 60*time.Second)
}
