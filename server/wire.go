package server

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// Wire shapes (snake_case, ISO-8601 UTC times with milliseconds).

func isoTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// statusName maps a stored span status code to UNSET|OK|ERROR.
func statusName(code string) string {
	switch code {
	case "1", store.StatusOK:
		return store.StatusOK
	case "2", store.StatusError:
		return store.StatusError
	default:
		return store.StatusUnset
	}
}

// reservedMeta reports metadata keys the API does not expose (the graph
// namespace, served as the trace graph instead).
func reservedMeta(k string) bool { return strings.HasPrefix(k, "graph.node.") }

// publicMeta is m without reserved keys (never nil).
func publicMeta(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !reservedMeta(k) {
			out[k] = v
		}
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// jsonStr is s as a JSON string, or null when empty.
func jsonStr(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return mustJSON(s)
}

// rawStr is a stored JSON value shipped as a JSON string (the API carries
// input, output_object, tool_calls and settings as strings), or null.
func rawStr(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return json.RawMessage("null")
	}
	return mustJSON(string(r))
}

// TraceJSON is one row of GET /v1/traces.
type TraceJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Status        string   `json:"status"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	LatencyMs     float64  `json:"latency_ms"`
	Cost          float64  `json:"cost"`
	Tokens        int64    `json:"tokens"`
	SpanCount     int64    `json:"span_count"`
	Tags          []string `json:"tags"`
	InputPreview  *string  `json:"input_preview,omitempty"`
	OutputPreview *string  `json:"output_preview,omitempty"`

	// Additive fields.
	StatusMessage  string   `json:"status_message,omitempty"`
	InputTokens    int64    `json:"input_tokens"`
	OutputTokens   int64    `json:"output_tokens"`
	ErrorCount     int64    `json:"error_count"`
	Models         []string `json:"models,omitempty"`
	SessionID      string   `json:"session_id,omitempty"`
	UserID         string   `json:"user_id,omitempty"`
	DatasetRunID   string   `json:"dataset_run_id,omitempty"`
	DatasetRunName string   `json:"dataset_run_name,omitempty"`
	DatasetPath    string   `json:"dataset_path,omitempty"`
	PromptName     string   `json:"prompt_name,omitempty"`
	CommitSHA      string   `json:"commit_sha,omitempty"`
	Environment    string   `json:"environment,omitempty"`
}

func traceJSON(t *store.TraceSummary) TraceJSON {
	out := TraceJSON{
		ID: t.ID, Name: t.Name, Status: statusName(t.Status), Start: isoTime(t.Start), End: isoTime(t.End),
		LatencyMs: t.LatencyMs, Cost: t.Cost, Tokens: t.Tokens, SpanCount: t.SpanCount, Tags: t.Tags,
		StatusMessage: t.StatusMessage, InputTokens: t.InputTokens, OutputTokens: t.OutputTokens, ErrorCount: t.ErrorCount,
		Models: t.Models, SessionID: t.SessionID, UserID: t.UserID, DatasetRunID: t.DatasetRunID,
		DatasetRunName: t.DatasetRunName, DatasetPath: t.DatasetPath, PromptName: t.PromptName,
		CommitSHA: t.CommitSHA, Environment: t.Environment,
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if t.HasInput {
		s := t.InputPreview
		out.InputPreview = &s
	}
	if t.HasOutput {
		s := t.OutputPreview
		out.OutputPreview = &s
	}
	return out
}

// SpanJSON is a span in trace detail, trace spans and span lists. The
// heavy fields are shipped only in trace detail (absent key: fetch the span
// I/O; null: shipped and empty).
type SpanJSON struct {
	ID              string            `json:"id"`
	TraceID         string            `json:"trace_id"`
	ParentID        *string           `json:"parent_id"`
	Name            string            `json:"name"`
	Status          string            `json:"status"`
	StatusMessage   string            `json:"status_message"`
	DurationMs      float64           `json:"duration_ms"`
	Timestamp       string            `json:"timestamp"`
	Type            string            `json:"type"`
	Model           *string           `json:"model"`
	InputTokens     int64             `json:"input_tokens"`
	OutputTokens    int64             `json:"output_tokens"`
	Tokens          int64             `json:"tokens"`
	ReasoningTokens int64             `json:"reasoning_tokens,omitempty"`
	Cost            float64           `json:"cost"`
	SpanKind        string            `json:"span_kind"`
	ServiceName     string            `json:"service_name"`
	PromptName      *string           `json:"prompt_name"`
	Metadata        map[string]string `json:"metadata"`

	Input        json.RawMessage `json:"input,omitempty"`
	Output       json.RawMessage `json:"output,omitempty"`
	OutputObject json.RawMessage `json:"output_object,omitempty"`
	ToolCalls    json.RawMessage `json:"tool_calls,omitempty"`
	Props        json.RawMessage `json:"props,omitempty"`
	FinishReason json.RawMessage `json:"finish_reason,omitempty"`
	Settings     json.RawMessage `json:"settings,omitempty"`

	// Additive fields.
	SemanticKind string   `json:"semantic_kind,omitempty"`
	EndTime      string   `json:"end_time"`
	CachedTokens int64    `json:"cached_input_tokens,omitempty"`
	SessionID    string   `json:"session_id,omitempty"`
	UserID       string   `json:"user_id,omitempty"`
	Tags         []string `json:"tags,omitempty"`
}

func tokensOf(s *span.Span) int64 {
	if s.TotalTokens > 0 {
		return s.TotalTokens
	}
	return s.InputTokens + s.OutputTokens
}

func spanJSON(s *span.Span, heavy bool) SpanJSON {
	out := SpanJSON{
		ID: s.SpanID, TraceID: s.TraceID, ParentID: strPtr(s.ParentSpanID), Name: s.Name, Status: statusName(s.StatusCode),
		StatusMessage: s.StatusMsg, DurationMs: s.DurationMs(), Timestamp: isoTime(nsTime(s.StartTimeNs)), Type: s.Type,
		Model: strPtr(s.Model), InputTokens: s.InputTokens, OutputTokens: s.OutputTokens, Tokens: tokensOf(s),
		ReasoningTokens: s.ReasoningTokens, Cost: s.Cost, SpanKind: s.Kind, ServiceName: s.ServiceName,
		PromptName: strPtr(s.PromptName), Metadata: publicMeta(s.Metadata),
		SemanticKind: s.SemanticKind, EndTime: isoTime(nsTime(s.EndTimeNs)), CachedTokens: s.CachedTokens,
		SessionID: s.SessionID, UserID: s.UserID, Tags: s.Tags,
	}
	if out.Type == "" {
		out.Type = span.TypeSpan
	}
	if heavy {
		out.Input = rawStr(s.Input)
		out.Output = jsonStr(s.Output)
		out.OutputObject = rawStr(s.OutputObject)
		out.ToolCalls = rawStr(s.ToolCalls)
		out.Props = jsonStr(s.Props)
		out.FinishReason = jsonStr(s.FinishReason)
		out.Settings = rawStr(s.Settings)
	}
	return out
}

// GraphNode is one agent-workflow graph node.
type GraphNode struct {
	ParentNodeID string `json:"parentNodeId,omitempty"`
	NodeID       string `json:"nodeId"`
	SpanID       string `json:"spanId"`
	NodeType     string `json:"nodeType"`
	DisplayName  string `json:"displayName"`
	SpanName     string `json:"spanName"`
}

// graphOf builds the graph from the spans' graph.node.* metadata, in span
// start order (spans must be sorted).
func graphOf(spans []span.Span) []GraphNode {
	nodes := []GraphNode{}
	for i := range spans {
		m := spans[i].Metadata
		id := m["graph.node.id"]
		if id == "" {
			continue
		}
		base := GraphNode{NodeID: id, SpanID: spans[i].SpanID, NodeType: m["graph.node.type"],
			DisplayName: m["graph.node.display_name"], SpanName: spans[i].Name}
		if base.DisplayName == "" {
			base.DisplayName = spans[i].Name
		}
		var parents []string
		if p := m["graph.node.parent_ids"]; p != "" {
			if err := json.Unmarshal([]byte(p), &parents); err != nil {
				parents = nil
			}
		}
		if len(parents) == 0 && m["graph.node.parent_id"] != "" {
			parents = []string{m["graph.node.parent_id"]}
		}
		if len(parents) == 0 {
			nodes = append(nodes, base)
			continue
		}
		for _, p := range parents {
			n := base
			n.ParentNodeID = p
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// ScoreJSON is a score.
type ScoreJSON struct {
	ID          string  `json:"id"`
	ResourceID  string  `json:"resource_id"`
	Name        string  `json:"name"`
	Score       float64 `json:"score"`
	Label       string  `json:"label"`
	Reason      string  `json:"reason"`
	Source      string  `json:"source"`
	UserID      *string `json:"user_id,omitempty"`
	DataType    string  `json:"data_type,omitempty"`
	Environment string  `json:"environment,omitempty"`
	CreatedAt   string  `json:"created_at"`
}

func scoreJSON(s *store.Score) ScoreJSON {
	return ScoreJSON{ID: s.ID, ResourceID: s.ResourceID, Name: s.Name, Score: s.Value, Label: s.Label, Reason: s.Reason,
		Source: s.Source, UserID: strPtr(s.UserID), DataType: s.DataType, Environment: s.Environment, CreatedAt: isoTime(s.CreatedAt)}
}

// SessionJSON is one row of GET /v1/sessions.
type SessionJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Start       string   `json:"start"`
	End         string   `json:"end"`
	TraceCount  int64    `json:"trace_count"`
	TotalCost   float64  `json:"total_cost"`
	TotalTokens int64    `json:"total_tokens"`
	LatencyMs   float64  `json:"latency_ms"`
	Tags        []string `json:"tags"`
	UserIDs     []string `json:"user_ids"`
}

func sessionJSON(s *store.Session) SessionJSON {
	out := SessionJSON{ID: s.ID, Name: s.Name, Start: isoTime(s.Start), End: isoTime(s.End), TraceCount: s.TraceCount,
		TotalCost: s.TotalCost, TotalTokens: s.TotalTokens, LatencyMs: s.LatencyMs, Tags: s.Tags, UserIDs: s.UserIDs}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.UserIDs == nil {
		out.UserIDs = []string{}
	}
	return out
}
