package llm

import (
	"context"
	"encoding/json"
	"strings"
)

// ToolHandler runs a tool. args is the JSON object the model sent (already
// checked to be JSON). The result is sent back to the model: a string as
// is, anything else JSON-encoded.
type ToolHandler func(ctx context.Context, args json.RawMessage) (any, error)

// Tool is an executable tool: its definition for the model plus a handler.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments object. Nil means
	// {"type":"object","properties":{}}.
	Parameters json.RawMessage
	Execute    ToolHandler
}

// Def is the tool's definition as sent to a model.
func (t Tool) Def() ToolDef {
	params := t.Parameters
	if len(params) == 0 {
		params = json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return ToolDef{Name: t.Name, Description: t.Description, Parameters: params}
}

// ToolSource supplies tools named by URI, e.g. MCP servers:
// "mcp://server/tool" (one tool, keyed by its bare name) or
// "mcp://server/*" (every tool of the server). The llm/mcp package
// implements it. Errors follow the upstream texts (prompt-format §C.5):
// "MCP server '<name>' not registered. Available servers: ...",
// "MCP tool not found: <server>/<tool>. Available tools: ...".
type ToolSource interface {
	Tools(ctx context.Context, uri string) ([]Tool, error)
}

// ToolSourceFunc adapts a function to ToolSource.
type ToolSourceFunc func(ctx context.Context, uri string) ([]Tool, error)

// Tools implements ToolSource.
func (f ToolSourceFunc) Tools(ctx context.Context, uri string) ([]Tool, error) { return f(ctx, uri) }

// IsMCPURI reports whether a tools entry is an MCP reference.
func IsMCPURI(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "mcp://") }
