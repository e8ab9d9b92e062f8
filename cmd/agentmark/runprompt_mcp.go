package main

import (
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/mcp"
)

// mcpToolSource builds the MCP client for agentmark.json "mcpServers"
// (nil when there are none). Servers connect lazily, on the first
// mcp:// tool a prompt uses.
func mcpToolSource(cfg *jsvalue.Object) (llm.ToolSource, func(), error) {
	if cfg == nil {
		return nil, nil, nil
	}
	v, ok := cfg.Get("mcpServers")
	if !ok || v == nil || jsvalue.IsUndefined(v) {
		return nil, nil, nil
	}
	s, _ := jsvalue.Stringify(v)
	servers, err := mcp.ParseServers([]byte(s))
	if err != nil {
		return nil, nil, err
	}
	if len(servers) == 0 {
		return nil, nil, nil
	}
	c, err := mcp.New(servers)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { _ = c.Close() }, nil
}
