package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/mcp"
)

const stdioFlag = "AGENTMARK_MCP_TEST_STDIO_SERVER"

// TestMain doubles as a stdio MCP server: the stdio tests re-run this test
// binary with stdioFlag set.
func TestMain(m *testing.M) {
	if os.Getenv(stdioFlag) == "1" {
		srv := newTestServer("stdio")
		if err := srv.Run(context.Background(), &sdkmcp.StdioTransport{}); err != nil {
			fmt.Fprintln(os.Stderr, "stdio server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type addIn struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

type sumOut struct {
	Sum float64 `json:"sum"`
}

// newTestServer has three tools: echo (text), add (structured output) and
// fail (an isError result), plus env, which reports an environment
// variable of the server process.
func newTestServer(label string) *sdkmcp.Server {
	s := sdkmcp.NewServer(&sdkmcp.Implementation{Name: "test-" + label, Version: "0.0.1"}, nil)
	s.AddTool(&sdkmcp.Tool{
		Name:        "echo",
		Description: "Echo the text back",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`),
	}, func(ctx context.Context, req *sdkmcp.CallToolRequest) (*sdkmcp.CallToolResult, error) {
		var in struct{ Text string }
		json.Unmarshal(req.Params.Arguments, &in)
		return &sdkmcp.CallToolResult{Content: []sdkmcp.Content{
			&sdkmcp.TextContent{Text: label + ": " + in.Text},
			&sdkmcp.TextContent{Text: "second line"},
		}}, nil
	})
	sdkmcp.AddTool(s, &sdkmcp.Tool{Name: "add", Description: "Add two numbers"},
		func(ctx context.Context, req *sdkmcp.CallToolRequest, in addIn) (*sdkmcp.CallToolResult, sumOut, error) {
			return nil, sumOut{Sum: in.A + in.B}, nil
		})
	s.AddTool(&sdkmcp.Tool{Name: "fail", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *sdkmcp.CallToolRequest) (*sdkmcp.CallToolResult, error) {
			return &sdkmcp.CallToolResult{IsError: true, Content: []sdkmcp.Content{&sdkmcp.TextContent{Text: "boom"}}}, nil
		})
	s.AddTool(&sdkmcp.Tool{Name: "env", InputSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)},
		func(ctx context.Context, req *sdkmcp.CallToolRequest) (*sdkmcp.CallToolResult, error) {
			var in struct{ Name string }
			json.Unmarshal(req.Params.Arguments, &in)
			v, ok := os.LookupEnv(in.Name)
			if !ok {
				v = "<unset>"
			}
			wd, _ := os.Getwd()
			return &sdkmcp.CallToolResult{Content: []sdkmcp.Content{&sdkmcp.TextContent{Text: v + "|" + wd}}}, nil
		})
	return s
}

// inMemory returns a config whose transport is connected to a fresh
// in-process server.
func inMemory(t *testing.T, label string) mcp.ServerConfig {
	t.Helper()
	ct, st := sdkmcp.NewInMemoryTransports()
	ss, err := newTestServer(label).Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	return mcp.ServerConfig{Transport: ct}
}

func names(tools []llm.Tool) []string {
	var out []string
	for _, t := range tools {
		out = append(out, t.Name)
	}
	return out
}

func TestParseURI(t *testing.T) {
	cases := []struct{ uri, server, tool, err string }{
		{"mcp://docs/web-search", "docs", "web-search", ""},
		{"mcp:// docs / web-search ", "docs", "web-search", ""},
		{"mcp://docs/*", "docs", "*", ""},
		{"mcp://fs/read/deep/path", "fs", "read/deep/path", ""},
		{"docs/web-search", "", "", "Invalid MCP URI: must start with 'mcp://'"},
		{"MCP://docs/x", "", "", "Invalid MCP URI: must start with 'mcp://'"},
		{"mcp://docs", "", "", "Invalid MCP URI: expected 'mcp://{server}/{tool}'"},
		{"mcp:///tool", "", "", "Invalid MCP URI: server part is empty"},
		{"mcp:// /tool", "", "", "Invalid MCP URI: server part is empty"},
		{"mcp://docs/", "", "", "Invalid MCP URI: tool part is empty"},
		{"mcp://docs/  ", "", "", "Invalid MCP URI: tool part is empty"},
	}
	for _, c := range cases {
		s, tl, err := mcp.ParseURI(c.uri)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseURI(%q) error = %v, want %q", c.uri, err, c.err)
			}
			continue
		}
		if err != nil || s != c.server || tl != c.tool {
			t.Errorf("ParseURI(%q) = %q, %q, %v", c.uri, s, tl, err)
		}
	}
}

func TestInterpolation(t *testing.T) {
	env := map[string]string{"MCP_URL": "http://x/mcp", "TOKEN": "t0k", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cases := []struct{ in, want, err string }{
		{"env('MCP_URL')", "http://x/mcp", ""},
		{`env("TOKEN")`, "t0k", ""},
		{"env('EMPTY')", "", ""},
		{"Bearer env('TOKEN')", "Bearer env('TOKEN')", ""}, // substrings are not interpolated
		{"env(TOKEN)", "env(TOKEN)", ""},                   // quotes required
		{"env('token')", "env('token')", ""},               // upper case only
		{" env('TOKEN')", " env('TOKEN')", ""},             // anchored
		{"env('MISSING_1')", "", "Missing environment variable: MISSING_1"},
	}
	for _, c := range cases {
		got, err := mcp.InterpolateString(c.in, lookup)
		if c.err != "" {
			var me *mcp.MissingEnvError
			if err == nil || err.Error() != c.err || !errors.As(err, &me) {
				t.Errorf("InterpolateString(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("InterpolateString(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	cfg := mcp.ServerConfig{Command: "env('MCP_URL')", Args: []string{"-x", "env('TOKEN')"}, Cwd: "env('EMPTY')",
		Env: map[string]string{"K": "env('TOKEN')", "L": "plain"}, Headers: map[string]string{"Authorization": "env('TOKEN')"}, URL: "env(\"MCP_URL\")"}
	out, err := cfg.Interpolate(lookup)
	if err != nil {
		t.Fatal(err)
	}
	if out.Command != "http://x/mcp" || out.Args[1] != "t0k" || out.Env["K"] != "t0k" || out.Env["L"] != "plain" ||
		out.Headers["Authorization"] != "t0k" || out.URL != "http://x/mcp" || cfg.Args[1] != "env('TOKEN')" {
		t.Errorf("Interpolate = %+v (original %+v)", out, cfg)
	}
	if _, err := (mcp.ServerConfig{URL: "http://x", Headers: map[string]string{"A": "env('NOPE')"}}).Interpolate(lookup); err == nil ||
		err.Error() != "Missing environment variable: NOPE" {
		t.Errorf("missing header var: %v", err)
	}
}

func TestParseServers(t *testing.T) {
	got, err := mcp.ParseServers([]byte(`{
		"docs": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer x"}},
		"local-tools": {"command": "node", "args": ["./mcp-server.js"], "cwd": "/srv", "env": {"API_KEY": "env('KEY')"}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if got["docs"].URL != "https://example.com/mcp" || got["docs"].Headers["Authorization"] != "Bearer x" ||
		got["local-tools"].Command != "node" || got["local-tools"].Args[0] != "./mcp-server.js" || got["local-tools"].Env["API_KEY"] != "env('KEY')" {
		t.Errorf("ParseServers = %+v", got)
	}
	bad := map[string]string{
		`{"x": {}}`:                              "Invalid MCP server config: expected 'url' or 'command'",
		`{"x": {"args": ["a"]}}`:                 "Invalid MCP server config: expected 'url' or 'command'",
		`{"x": 5}`:                               "Invalid MCP server config: expected 'url' or 'command'",
		`{"x": {"url": "u", "command": "c"}}`:    "URL servers accept only",
		`{"x": {"command": "c", "headers": {}}}`: "stdio servers accept only",
		`{"x": {"url": "u", "timeout": 5}}`:      "unknown field",
		`{"bad name": {"url": "u"}}`:             "invalid server name",
		`[]`:                                     "mcpServers",
	}
	for in, want := range bad {
		if _, err := mcp.ParseServers([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseServers(%s) error = %v, want %q", in, err, want)
		}
	}
	if _, err := mcp.New(map[string]mcp.ServerConfig{"x": {}}); err == nil || !strings.Contains(err.Error(), "Invalid MCP server config: expected 'url' or 'command'") {
		t.Errorf("New with empty config: %v", err)
	}
}

func TestInMemoryTools(t *testing.T) {
	c, err := mcp.New(map[string]mcp.ServerConfig{"mem": inMemory(t, "mem"), "other": inMemory(t, "other")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	all, err := c.Tools(ctx, "mcp://mem/*")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(all), ","); got != "add,echo,env,fail" {
		t.Errorf("wildcard tools = %s", got)
	}
	one, err := c.Tools(ctx, "mcp://mem/echo")
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || one[0].Name != "echo" || one[0].Description != "Echo the text back" {
		t.Fatalf("echo tool = %+v", one)
	}
	var schema map[string]any
	if err := json.Unmarshal(one[0].Def().Parameters, &schema); err != nil || schema["type"] != "object" || schema["required"].([]any)[0] != "text" {
		t.Errorf("echo parameters = %s", one[0].Parameters)
	}

	// Text results are joined with newlines.
	res, err := one[0].Execute(ctx, json.RawMessage(`{"text":"hi"}`))
	if err != nil || res != "mem: hi\nsecond line" {
		t.Errorf("echo = %#v, %v", res, err)
	}
	// Structured content wins over text.
	add, _ := c.Tools(ctx, "mcp://mem/add")
	res, err = add[0].Execute(ctx, json.RawMessage(`{"a":2,"b":3.5}`))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(res); string(b) != `{"sum":5.5}` {
		t.Errorf("add = %s", b)
	}
	// isError results are errors with the tool's text.
	fail, _ := c.Tools(ctx, "mcp://mem/fail")
	if _, err := fail[0].Execute(ctx, nil); err == nil || err.Error() != "boom" {
		t.Errorf("fail = %v", err)
	}
	if _, err := one[0].Execute(ctx, json.RawMessage(`{bad`)); err == nil {
		t.Error("invalid JSON arguments accepted")
	}
	// CallTool by name.
	res, err = c.CallTool(ctx, "other", "echo", json.RawMessage(`{"text":"yo"}`))
	if err != nil || res != "other: yo\nsecond line" {
		t.Errorf("CallTool = %#v, %v", res, err)
	}

	// Error messages.
	errCases := map[string]string{
		"mcp://nope/echo":  "MCP server 'nope' not registered. Available servers: mem, other",
		"mcp://mem/nope":   "MCP tool not found: mem/nope. Available tools: add, echo, env, fail",
		"mcp://mem":        "Invalid MCP URI: expected 'mcp://{server}/{tool}'",
		"search":           "Invalid MCP URI: must start with 'mcp://'",
		"mcp://mem/ ":      "Invalid MCP URI: tool part is empty",
		"mcp:///something": "Invalid MCP URI: server part is empty",
	}
	for uri, want := range errCases {
		if _, err := c.Tools(ctx, uri); err == nil || err.Error() != want {
			t.Errorf("Tools(%q) error = %v, want %q", uri, err, want)
		}
	}
	empty, _ := mcp.New(nil)
	if _, err := empty.Tools(ctx, "mcp://a/b"); err == nil || err.Error() != "MCP server 'a' not registered. Available servers: (none)" {
		t.Errorf("no servers: %v", err)
	}
	if got := strings.Join(c.Servers(), ","); got != "mem,other" {
		t.Errorf("Servers() = %s", got)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := c.Tools(ctx, "mcp://mem/echo"); err == nil {
		t.Error("Tools after Close should fail")
	}
}

func TestStreamableHTTPWithHeadersAndCaching(t *testing.T) {
	var (
		mu       sync.Mutex
		auth     []string
		sessions atomic.Int32
		methods  = map[string]int{}
	)
	srv := newTestServer("http")
	handler := sdkmcp.NewStreamableHTTPHandler(func(r *http.Request) *sdkmcp.Server { return srv }, nil)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		if r.Method == http.MethodPost {
			var msg struct{ Method string }
			body := http.MaxBytesReader(w, r.Body, 1<<20)
			data := make([]byte, 0, 512)
			buf := make([]byte, 512)
			for {
				n, err := body.Read(buf)
				data = append(data, buf[:n]...)
				if err != nil {
					break
				}
			}
			json.Unmarshal(data, &msg)
			methods[msg.Method]++
			if msg.Method == "initialize" {
				sessions.Add(1)
			}
			r.Body = ioNopCloser(data)
		}
		mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	defer ts.Close()

	env := map[string]string{"MCP_URL": ts.URL, "MCP_TOKEN": "Bearer s3cret"}
	servers, err := mcp.ParseServers([]byte(`{"remote": {"url": "env('MCP_URL')", "headers": {"Authorization": "env('MCP_TOKEN')"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := mcp.New(servers, mcp.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		tools, err := c.Tools(ctx, "mcp://remote/echo")
		if err != nil {
			t.Fatal(err)
		}
		res, err := tools[0].Execute(ctx, json.RawMessage(`{"text":"over http"}`))
		if err != nil || res != "http: over http\nsecond line" {
			t.Fatalf("echo = %#v, %v", res, err)
		}
	}
	if _, err := c.Tools(ctx, "mcp://remote/*"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if sessions.Load() != 1 {
		t.Errorf("initialize sent %d times, want 1 (connections cached per server)", sessions.Load())
	}
	if methods["tools/list"] != 1 {
		t.Errorf("tools/list sent %d times, want 1 (listing cached)", methods["tools/list"])
	}
	if methods["tools/call"] != 3 {
		t.Errorf("tools/call sent %d times", methods["tools/call"])
	}
	for _, a := range auth {
		if a != "Bearer s3cret" {
			t.Errorf("Authorization header = %q", a)
			break
		}
	}

	// A missing variable surfaces when the server is used.
	c2, _ := mcp.New(map[string]mcp.ServerConfig{"r": {URL: "env('UNSET_MCP_URL_X')"}}, mcp.WithLookupEnv(func(string) (string, bool) { return "", false }))
	if _, err := c2.Tools(ctx, "mcp://r/*"); err == nil || err.Error() != "Missing environment variable: UNSET_MCP_URL_X" {
		t.Errorf("missing env: %v", err)
	}
	// An unreachable server is an error, and not cached as connected.
	c3, _ := mcp.New(map[string]mcp.ServerConfig{"down": {URL: "http://127.0.0.1:1/mcp"}})
	if _, err := c3.Tools(ctx, "mcp://down/*"); err == nil || !strings.Contains(err.Error(), "MCP server 'down'") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestStdioServer(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip("no test executable path")
	}
	dir := t.TempDir()
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": "/home/test", "SECRET_TOKEN": "do-not-pass", "FLAG": "1"}
	servers := map[string]mcp.ServerConfig{
		"local": {Command: exe, Args: []string{"-test.run=^$"}, Cwd: dir,
			Env: map[string]string{stdioFlag: "env('FLAG')", "GREETING": "hello"}},
	}
	c, err := mcp.New(servers, mcp.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	tools, err := c.Tools(ctx, "mcp://local/*")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(tools), ","); got != "add,echo,env,fail" {
		t.Errorf("tools = %s", got)
	}
	res, err := c.CallTool(ctx, "local", "echo", json.RawMessage(`{"text":"via stdio"}`))
	if err != nil || res != "stdio: via stdio\nsecond line" {
		t.Errorf("echo = %#v, %v", res, err)
	}
	check := map[string]string{
		"GREETING":     "hello",      // config env
		"HOME":         "/home/test", // inherited whitelist
		"SECRET_TOKEN": "<unset>",    // not inherited
	}
	for name, want := range check {
		res, err := c.CallTool(ctx, "local", "env", json.RawMessage(`{"name":"`+name+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		val, wd, _ := strings.Cut(res.(string), "|")
		if val != want {
			t.Errorf("server env %s = %q, want %q", name, val, want)
		}
		if wd != dir {
			t.Errorf("server cwd = %q, want %q", wd, dir)
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestToolSourceInterface(t *testing.T) {
	c, err := mcp.New(map[string]mcp.ServerConfig{"mem": inMemory(t, "mem")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var src llm.ToolSource = c
	tools, err := src.Tools(context.Background(), "mcp://mem/add")
	if err != nil || len(tools) != 1 {
		t.Fatalf("tools = %v, %v", tools, err)
	}
	// Concurrent first use connects once and lists once.
	c2, _ := mcp.New(map[string]mcp.ServerConfig{"mem": inMemory(t, "mem2")})
	defer c2.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tools, err := c2.Tools(context.Background(), "mcp://mem/echo")
			if err == nil {
				_, err = tools[0].Execute(context.Background(), json.RawMessage(`{"text":"x"}`))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
