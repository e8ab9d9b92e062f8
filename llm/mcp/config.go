package mcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"

	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"
)

// ServerConfig is one MCP server: {url, headers?} (streamable HTTP, with a
// fallback to the legacy HTTP+SSE transport) or {command, args?, cwd?,
// env?} (a stdio subprocess), as in agentmark.json "mcpServers" and the
// client option of the same name. Transport is a Go-only alternative (an
// in-process server, a custom transport); it wins over URL and Command.
//
// String values that are entirely env('VAR') or env("VAR") (VAR made of
// A-Z, 0-9, _) are replaced by that environment variable when the server
// is first connected; substrings are not interpolated.
type ServerConfig struct {
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Cwd     string            `json:"cwd,omitempty"`
	Env     map[string]string `json:"env,omitempty"`

	Transport sdkmcp.Transport `json:"-"`
}

// ErrInvalidConfig is the upstream message for a config with neither url
// nor command.
var ErrInvalidConfig = errors.New("Invalid MCP server config: expected 'url' or 'command'")

// Validate checks that c names a transport.
func (c ServerConfig) Validate() error {
	if c.Transport == nil && c.URL == "" && c.Command == "" {
		return ErrInvalidConfig
	}
	return nil
}

var envRef = regexp.MustCompile(`^env\(['"]([A-Z0-9_]+)['"]\)$`)

// MissingEnvError reports an env('VAR') reference to an unset variable.
type MissingEnvError struct{ Var string }

func (e *MissingEnvError) Error() string { return "Missing environment variable: " + e.Var }

// InterpolateString resolves s when it is entirely env('VAR'): the value
// of VAR, or a *MissingEnvError when it is unset. Other strings are
// returned unchanged.
func InterpolateString(s string, lookup func(string) (string, bool)) (string, error) {
	m := envRef.FindStringSubmatch(s)
	if m == nil {
		return s, nil
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	v, ok := lookup(m[1])
	if !ok {
		return "", &MissingEnvError{Var: m[1]}
	}
	return v, nil
}

// Interpolate returns c with every string value (url, header values,
// command, args, cwd, env values) interpolated by InterpolateString.
func (c ServerConfig) Interpolate(lookup func(string) (string, bool)) (ServerConfig, error) {
	out := c
	var err error
	str := func(s string) string {
		if err != nil {
			return s
		}
		var v string
		v, err = InterpolateString(s, lookup)
		return v
	}
	strMap := func(m map[string]string) map[string]string {
		if m == nil {
			return nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic: the first missing variable in key order
		o := make(map[string]string, len(m))
		for _, k := range keys {
			o[k] = str(m[k])
		}
		return o
	}
	out.URL = str(c.URL)
	out.Headers = strMap(c.Headers)
	out.Command = str(c.Command)
	if c.Args != nil {
		out.Args = make([]string, len(c.Args))
		for i, a := range c.Args {
			out.Args[i] = str(a)
		}
	}
	out.Cwd = str(c.Cwd)
	out.Env = strMap(c.Env)
	if err != nil {
		return ServerConfig{}, err
	}
	return out, nil
}

// ParseServers decodes an "mcpServers" object ({"<name>": {url, headers?}
// | {command, args?, cwd?, env?}}) from agentmark.json. Each entry must
// name a url or a command, and may not mix the two kinds.
func ParseServers(data []byte) (map[string]ServerConfig, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("mcpServers: %w", err)
	}
	out := make(map[string]ServerConfig, len(raw))
	for name, v := range raw {
		if !validName.MatchString(name) {
			return nil, fmt.Errorf("mcpServers: invalid server name %q (letters, digits, '_' and '-')", name)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(v, &keys); err != nil {
			return nil, fmt.Errorf("mcpServers.%s: %w", name, ErrInvalidConfig)
		}
		var c ServerConfig
		dec := json.NewDecoder(bytesReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("mcpServers.%s: %w", name, err)
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("mcpServers.%s: %w", name, err)
		}
		if c.URL != "" && (c.Command != "" || c.Args != nil || c.Cwd != "" || c.Env != nil) {
			return nil, fmt.Errorf("mcpServers.%s: URL servers accept only 'url' and 'headers'", name)
		}
		if c.Command != "" && c.Headers != nil {
			return nil, fmt.Errorf("mcpServers.%s: stdio servers accept only 'command', 'args', 'cwd' and 'env'", name)
		}
		out[name] = c
	}
	return out, nil
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
