package server

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// openapiOps holds the request and response schemas of the documented
// operations, by operationId, taken from the published local OpenAPI
// document (shared/spec/reference). Routes without an entry get generated
// path parameters and generic responses.
//
//go:embed openapi_ops.json
var openapiOpsJSON []byte

var (
	opsOnce sync.Once
	ops     map[string]map[string]any
)

func documentedOps() map[string]map[string]any {
	opsOnce.Do(func() {
		if err := json.Unmarshal(openapiOpsJSON, &ops); err != nil {
			ops = map[string]map[string]any{}
		}
	})
	return ops
}

var pathParamRe = regexp.MustCompile(`\{([^}]+)\}`)

var errorSchema = map[string]any{
	"type": "object", "required": []string{"error"},
	"properties": map[string]any{"error": map[string]any{
		"type": "object", "required": []string{"code", "message"},
		"properties": map[string]any{
			"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
			"details": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		},
		"additionalProperties": true,
	}},
}

func errorResponse(desc string) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": errorSchema}}}
}

// OpenAPI builds the OpenAPI 3 document of the route table.
func (s *Server) OpenAPI(baseURL string) map[string]any {
	doc := documentedOps()
	paths := map[string]any{}
	tagSet := map[string]bool{}
	for _, rt := range s.routes {
		op := map[string]any{}
		if ref, ok := doc[rt.OperationID]; ok {
			for k, v := range ref {
				op[k] = v
			}
		} else {
			var params []any
			for _, m := range pathParamRe.FindAllStringSubmatch(rt.Path, -1) {
				params = append(params, map[string]any{"in": "path", "name": m[1], "required": true, "schema": map[string]any{"type": "string", "minLength": 1}})
			}
			if params != nil {
				op["parameters"] = params
			}
			op["responses"] = map[string]any{
				"200": map[string]any{"description": "Success", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}},
				"400": errorResponse("Invalid request"),
				"501": errorResponse("Not available on this server"),
			}
		}
		op["operationId"] = rt.OperationID
		op["summary"] = rt.Summary
		op["tags"] = []string{rt.Tag}
		if rt.Deprecated {
			op["deprecated"] = true
		}
		if rt.Permission == "" {
			op["security"] = []any{}
		} else {
			op["x-permission"] = rt.Permission
		}
		if responses, ok := op["responses"].(map[string]any); ok {
			if _, has := responses["500"]; !has {
				responses["500"] = errorResponse("Internal error")
			}
		}
		tagSet[rt.Tag] = true
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	tags := make([]string, 0, len(tagSet))
	for t := range tagSet {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	tagObjs := make([]any, len(tags))
	for i, t := range tags {
		tagObjs[i] = map[string]any{"name": t}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "AgentMark API (local)",
			"version":     "1.0",
			"description": "AgentMark API served by `agentmark dev`: OTLP trace ingestion and the observability read API over the local store, plus the project's prompts and datasets. No authentication; rows are scoped by X-Agentmark-App-Id (default \"local\").",
		},
		"servers": []any{map[string]any{"url": baseURL, "description": "Local agentmark dev server"}},
		"components": map[string]any{"securitySchemes": map[string]any{
			"BearerAuth": map[string]any{"type": "http", "scheme": "bearer", "description": "API key (sk_agentmark_*); ignored by the local server."},
		}},
		"security": []any{map[string]any{"BearerAuth": []any{}}},
		"tags":     tagObjs,
		"paths":    paths,
	}
}

// GET /v1/openapi.json
func getOpenAPI(s *Server, w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, s.OpenAPI(s.baseURL(r)))
}
