// Package mcp connects prompts to Model Context Protocol servers: it
// resolves the "mcp://server/tool" and "mcp://server/*" entries of a
// prompt's tools list to executable llm.Tools, using the official Go SDK
// (github.com/modelcontextprotocol/go-sdk) as the client.
//
// Servers come from agentmark.json "mcpServers" (ParseServers) and/or Go
// code (New, AddServer). Connections and tool listings are cached per
// server for the life of the Client; Close ends them (and stops stdio
// subprocesses).
//
// Error messages follow AgentMark (prompt-format §C.5):
//
//	Invalid MCP URI: must start with 'mcp://'
//	Invalid MCP URI: expected 'mcp://{server}/{tool}'
//	Invalid MCP URI: server part is empty
//	Invalid MCP URI: tool part is empty
//	MCP server '<name>' not registered. Available servers: <a, b>
//	MCP tool not found: <server>/<tool>. Available tools: <x, y>
//	Invalid MCP server config: expected 'url' or 'command'
//	Missing environment variable: <VAR>
//
// An empty list prints as "(none)".
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"

	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentmark-go/agentmark/llm"
)

// Client resolves MCP tool references against a set of servers. It
// implements llm.ToolSource and is safe for concurrent use.
type Client struct {
	lookup  func(string) (string, bool)
	hc      *http.Client
	impl    *sdkmcp.Implementation
	mu      sync.Mutex
	servers map[string]*server
	closed  bool
}

var _ llm.ToolSource = (*Client)(nil)

// server is one configured server and its cached connection.
type server struct {
	name string
	cfg  ServerConfig

	mu      sync.Mutex // serialises connecting and listing
	session *sdkmcp.ClientSession
	tools   []*sdkmcp.Tool
}

// Option configures a Client.
type Option func(*Client)

// WithLookupEnv replaces os.LookupEnv for env('VAR') interpolation and for
// the variables a stdio server inherits.
func WithLookupEnv(f func(string) (string, bool)) Option {
	return func(c *Client) { c.lookup = f }
}

// WithHTTPClient sets the HTTP client of URL servers (default: a new
// http.Client). Configured headers are added to every request.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// WithClientInfo sets the name and version the client reports to servers
// (default "agentmark").
func WithClientInfo(name, version string) Option {
	return func(c *Client) { c.impl = &sdkmcp.Implementation{Name: name, Version: version} }
}

// New returns a client for servers. Every config must name a url, a
// command or a Transport.
func New(servers map[string]ServerConfig, opts ...Option) (*Client, error) {
	c := &Client{
		lookup:  os.LookupEnv,
		impl:    &sdkmcp.Implementation{Name: "agentmark", Version: "1.0.0"},
		servers: map[string]*server{},
	}
	for _, o := range opts {
		o(c)
	}
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.AddServer(n, servers[n]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// AddServer registers (or replaces) a server. A replaced server's
// connection is closed.
func (c *Client) AddServer(name string, cfg ServerConfig) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("MCP server name is empty")
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("MCP server '%s': %w", name, err)
	}
	c.mu.Lock()
	old := c.servers[name]
	c.servers[name] = &server{name: name, cfg: cfg}
	c.mu.Unlock()
	if old != nil {
		old.close()
	}
	return nil
}

// Servers lists the registered server names, sorted.
func (c *Client) Servers() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.servers))
	for n := range c.servers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func list(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, ", ")
}

// ParseURI splits "mcp://server/tool" at the first "/" after the scheme;
// both parts are trimmed, and the tool part may contain further "/".
// tool is "*" for a whole-server reference.
func ParseURI(uri string) (serverName, tool string, err error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(uri), "mcp://")
	if !ok {
		return "", "", errors.New("Invalid MCP URI: must start with 'mcp://'")
	}
	s, t, ok := strings.Cut(rest, "/")
	if !ok {
		return "", "", errors.New("Invalid MCP URI: expected 'mcp://{server}/{tool}'")
	}
	s, t = strings.TrimSpace(s), strings.TrimSpace(t)
	if s == "" {
		return "", "", errors.New("Invalid MCP URI: server part is empty")
	}
	if t == "" {
		return "", "", errors.New("Invalid MCP URI: tool part is empty")
	}
	return s, t, nil
}

func (c *Client) server(name string) (*server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("MCP client is closed")
	}
	s, ok := c.servers[name]
	if !ok {
		names := make([]string, 0, len(c.servers))
		for n := range c.servers {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("MCP server '%s' not registered. Available servers: %s", name, list(names))
	}
	return s, nil
}

// Tools implements llm.ToolSource: "mcp://server/tool" gives that tool
// (named by its bare tool name), "mcp://server/*" every tool of the server
// in the server's order.
func (c *Client) Tools(ctx context.Context, uri string) ([]llm.Tool, error) {
	sname, tname, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	s, err := c.server(sname)
	if err != nil {
		return nil, err
	}
	tools, err := c.listTools(ctx, s)
	if err != nil {
		return nil, err
	}
	if tname == "*" {
		out := make([]llm.Tool, 0, len(tools))
		for _, t := range tools {
			out = append(out, c.tool(s, t))
		}
		return out, nil
	}
	for _, t := range tools {
		if t.Name == tname {
			return []llm.Tool{c.tool(s, t)}, nil
		}
	}
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		names = append(names, t.Name)
	}
	return nil, fmt.Errorf("MCP tool not found: %s/%s. Available tools: %s", sname, tname, list(names))
}

// ListTools returns every tool of a server as executable llm.Tools.
func (c *Client) ListTools(ctx context.Context, serverName string) ([]llm.Tool, error) {
	return c.Tools(ctx, "mcp://"+serverName+"/*")
}

func (c *Client) tool(s *server, t *sdkmcp.Tool) llm.Tool {
	var params json.RawMessage
	if t.InputSchema != nil {
		if b, err := json.Marshal(t.InputSchema); err == nil && string(b) != "null" {
			params = b
		}
	}
	name := t.Name
	return llm.Tool{
		Name:        name,
		Description: t.Description,
		Parameters:  params,
		Execute: func(ctx context.Context, args json.RawMessage) (any, error) {
			return c.call(ctx, s, name, args)
		},
	}
}

// CallTool calls a tool of a server and returns its result (see
// ToolResult).
func (c *Client) CallTool(ctx context.Context, serverName, tool string, args json.RawMessage) (any, error) {
	s, err := c.server(serverName)
	if err != nil {
		return nil, err
	}
	return c.call(ctx, s, tool, args)
}

func (c *Client) call(ctx context.Context, s *server, tool string, args json.RawMessage) (any, error) {
	cs, err := c.connect(ctx, s)
	if err != nil {
		return nil, err
	}
	var arguments any = map[string]any{}
	if a := bytes.TrimSpace(args); len(a) > 0 && string(a) != "null" {
		if !json.Valid(a) {
			return nil, fmt.Errorf("MCP tool %s/%s: arguments are not valid JSON", s.name, tool)
		}
		arguments = json.RawMessage(a)
	}
	res, err := cs.CallTool(ctx, &sdkmcp.CallToolParams{Name: tool, Arguments: arguments})
	if err != nil {
		return nil, fmt.Errorf("MCP tool %s/%s: %w", s.name, tool, err)
	}
	return ToolResult(res)
}

// ToolResult converts a tool call result: the structured content when the
// server sent one, else the text of the content items joined by newlines
// (non-text items are described in brackets, e.g. "[image image/png]").
// A result flagged isError becomes an error carrying that text.
func ToolResult(res *sdkmcp.CallToolResult) (any, error) {
	if res == nil {
		return "", nil
	}
	var texts []string
	for _, ct := range res.Content {
		switch v := ct.(type) {
		case *sdkmcp.TextContent:
			texts = append(texts, v.Text)
		case *sdkmcp.ImageContent:
			texts = append(texts, fmt.Sprintf("[image %s]", v.MIMEType))
		case *sdkmcp.AudioContent:
			texts = append(texts, fmt.Sprintf("[audio %s]", v.MIMEType))
		case *sdkmcp.ResourceLink:
			texts = append(texts, fmt.Sprintf("[resource %s]", v.URI))
		case *sdkmcp.EmbeddedResource:
			if v.Resource != nil && v.Resource.Text != "" {
				texts = append(texts, v.Resource.Text)
			} else if v.Resource != nil {
				texts = append(texts, fmt.Sprintf("[resource %s]", v.Resource.URI))
			}
		}
	}
	text := strings.Join(texts, "\n")
	if res.IsError {
		if text == "" {
			text = "tool reported an error"
		}
		return nil, errors.New(text)
	}
	if res.StructuredContent != nil {
		return res.StructuredContent, nil
	}
	return text, nil
}

// Close ends every connection. The client cannot be used afterwards.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	servers := make([]*server, 0, len(c.servers))
	for _, s := range c.servers {
		servers = append(servers, s)
	}
	c.mu.Unlock()
	var errs []error
	for _, s := range servers {
		if err := s.close(); err != nil {
			errs = append(errs, fmt.Errorf("MCP server '%s': %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}

func (s *server) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.session == nil {
		return nil
	}
	err := s.session.Close()
	s.session, s.tools = nil, nil
	return err
}

// listTools returns the server's cached tool listing, fetching it (every
// page) on first use.
func (c *Client) listTools(ctx context.Context, s *server) ([]*sdkmcp.Tool, error) {
	if _, err := c.connect(ctx, s); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tools != nil {
		return s.tools, nil
	}
	if s.session == nil {
		return nil, fmt.Errorf("MCP server '%s': connection closed", s.name)
	}
	tools := []*sdkmcp.Tool{}
	for t, err := range s.session.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("MCP server '%s': list tools: %w", s.name, err)
		}
		tools = append(tools, t)
	}
	s.tools = tools
	return tools, nil
}

// connect returns the server's session, connecting on first use. A failed
// connection is not cached.
func (c *Client) connect(ctx context.Context, s *server) (*sdkmcp.ClientSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.session != nil {
		return s.session, nil
	}
	cfg, err := s.cfg.Interpolate(c.lookup)
	if err != nil {
		return nil, err
	}
	client := sdkmcp.NewClient(c.impl, nil)
	var cs *sdkmcp.ClientSession
	switch {
	case cfg.Transport != nil:
		cs, err = client.Connect(ctx, cfg.Transport, nil)
	case cfg.URL != "":
		hc := c.httpClient(cfg.Headers)
		cs, err = client.Connect(ctx, &sdkmcp.StreamableClientTransport{Endpoint: cfg.URL, HTTPClient: hc, MaxRetries: 1}, nil)
		if err != nil && ctx.Err() == nil {
			// Servers speaking the older HTTP+SSE transport.
			if cs2, err2 := client.Connect(ctx, &sdkmcp.SSEClientTransport{Endpoint: cfg.URL, HTTPClient: hc}, nil); err2 == nil {
				cs, err = cs2, nil
			}
		}
	default:
		cmd := exec.Command(cfg.Command, cfg.Args...)
		cmd.Dir = cfg.Cwd
		cmd.Env = c.stdioEnv(cfg.Env)
		cmd.Stderr = os.Stderr
		cs, err = client.Connect(ctx, &sdkmcp.CommandTransport{Command: cmd}, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("MCP server '%s': connect: %w", s.name, err)
	}
	s.session = cs
	return cs, nil
}

// inheritedEnv are the variables a stdio server inherits from this
// process (like the MCP TypeScript SDK's default environment); the
// config's env adds to them. Secrets in other variables are not passed on.
var inheritedEnv = map[string][]string{
	"windows": {"APPDATA", "HOMEDRIVE", "HOMEPATH", "LOCALAPPDATA", "PATH", "PROCESSOR_ARCHITECTURE", "SYSTEMDRIVE", "SYSTEMROOT", "TEMP", "USERNAME", "USERPROFILE", "PROGRAMFILES"},
	"":        {"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TMPDIR", "LANG"},
}

func (c *Client) stdioEnv(extra map[string]string) []string {
	names := inheritedEnv[runtime.GOOS]
	if names == nil {
		names = inheritedEnv[""]
	}
	var env []string
	for _, n := range names {
		if v, ok := c.lookup(n); ok {
			env = append(env, n+"="+v)
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+extra[k])
	}
	return env
}

func (c *Client) httpClient(headers map[string]string) *http.Client {
	base := c.hc
	if base == nil {
		base = &http.Client{}
	}
	if len(headers) == 0 {
		return base
	}
	hc := *base
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = headerTransport{base: rt, headers: headers}
	return &hc
}

type headerTransport struct {
	base    http.RoundTripper
	headers map[string]string
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.headers {
		r.Header.Set(k, v)
	}
	return t.base.RoundTrip(r)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
