// Package providers registers every built-in provider type with the llm
// registry. Import it for its side effect:
//
//	import _ "github.com/agentmark-go/agentmark/llm/providers"
package providers

import (
	_ "github.com/agentmark-go/agentmark/llm/anthropic" // "anthropic"
	_ "github.com/agentmark-go/agentmark/llm/gemini"    // "google" (alias "gemini")
	_ "github.com/agentmark-go/agentmark/llm/mock"      // "mock"
	_ "github.com/agentmark-go/agentmark/llm/openai"    // "openai" and OpenAI-compatible servers
)
