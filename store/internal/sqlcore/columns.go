package sqlcore

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/span"
)

// spanLightCols are the span columns every span read returns, in scan order.
var spanLightCols = []string{
	"trace_id", "span_id", "parent_span_id", "trace_state", "type", "start_ns", "end_ns", "name", "kind",
	"semantic_kind", "service_name", "status_code", "status_message", "model", "input_tokens",
	"output_tokens", "total_tokens", "cached_tokens", "reasoning_tokens", "cost", "cost_known",
	"finish_reason", "settings", "session_id", "session_name", "user_id", "trace_name", "dataset_run_id",
	"dataset_run_name", "dataset_path", "dataset_item_name", "experiment_key", "source_tree_hash",
	"prompt_name", "props", "commit_sha", "environment", "metadata", "tags",
}

// spanHeavyCols are returned only when I/O is asked for.
var spanHeavyCols = []string{
	"input", "output", "output_object", "tool_calls", "dataset_expected_output", "dataset_input",
	"resource_attributes", "span_attributes", "events", "links",
}

// SpanInsertCols is the column list of the spans upsert, in argument order.
var SpanInsertCols = append(append([]string{"app_id"}, spanLightCols...), append(append([]string{}, spanHeavyCols...), "duration_ms")...)

func selectList(alias string, cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = alias + "." + c
	}
	return strings.Join(parts, ", ")
}

// SpanSelect is the select list for spans aliased s.
func SpanSelect(heavy bool) string {
	if heavy {
		return selectList("s", spanLightCols) + ", " + selectList("s", spanHeavyCols)
	}
	return selectList("s", spanLightCols)
}

func jsonText(v any, empty string) string {
	switch x := v.(type) {
	case map[string]string:
		if len(x) == 0 {
			return empty
		}
	case []string:
		if len(x) == 0 {
			return empty
		}
	case map[string]any:
		if len(x) == 0 {
			return empty
		}
	case []span.Event:
		if len(x) == 0 {
			return empty
		}
	case []span.Link:
		if len(x) == 0 {
			return empty
		}
	}
	b, err := marshalJSON(v)
	if err != nil {
		return empty
	}
	return b
}

func rawText(r json.RawMessage) string {
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	return string(r)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// SpanArgs returns the insert arguments of one span in SpanInsertCols order.
// Strings are sanitized (NUL bytes and invalid UTF-8 are not storable in
// Postgres text).
func SpanArgs(appID string, s *span.Span) []any {
	c := clean
	return []any{
		c(appID),
		c(s.TraceID), c(s.SpanID), c(s.ParentSpanID), c(s.TraceState), c(s.Type), s.StartTimeNs, s.EndTimeNs,
		c(s.Name), c(s.Kind), c(s.SemanticKind), c(s.ServiceName), c(s.StatusCode), c(s.StatusMsg), c(s.Model),
		s.InputTokens, s.OutputTokens, s.TotalTokens, s.CachedTokens, s.ReasoningTokens, s.Cost, boolInt(s.CostKnown),
		c(s.FinishReason), c(rawText(s.Settings)), c(s.SessionID), c(s.SessionName), c(s.UserID), c(s.TraceName),
		c(s.DatasetRunID), c(s.DatasetRunName), c(s.DatasetPath), c(s.DatasetItemName), c(s.ExperimentKey),
		c(s.SourceTreeHash), c(s.PromptName), c(s.Props), c(s.CommitSHA), c(s.Environment),
		c(jsonText(s.Metadata, "{}")), c(jsonText(s.Tags, "[]")),
		c(rawText(s.Input)), c(s.Output), c(rawText(s.OutputObject)), c(rawText(s.ToolCalls)),
		c(s.DatasetExpectedOutput), c(s.DatasetInput),
		c(jsonText(s.ResourceAttributes, "")), c(jsonText(s.SpanAttributes, "")),
		c(jsonText(s.Events, "")), c(jsonText(s.Links, "")),
		float64(s.EndTimeNs-s.StartTimeNs) / 1e6,
	}
}

// clean makes a string storable everywhere: invalid UTF-8 is replaced and
// NUL bytes are dropped.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}

// spanScan holds scan destinations for one span row.
type spanScan struct {
	s                                  span.Span
	costKnown                          int64
	settings, metadata, tags           string
	input, outputObject, toolCalls     string
	resAttrs, spanAttrs, events, links string
	heavy                              bool
}

func (x *spanScan) dest() []any {
	s := &x.s
	d := []any{
		&s.TraceID, &s.SpanID, &s.ParentSpanID, &s.TraceState, &s.Type, &s.StartTimeNs, &s.EndTimeNs, &s.Name,
		&s.Kind, &s.SemanticKind, &s.ServiceName, &s.StatusCode, &s.StatusMsg, &s.Model, &s.InputTokens,
		&s.OutputTokens, &s.TotalTokens, &s.CachedTokens, &s.ReasoningTokens, &s.Cost, &x.costKnown,
		&s.FinishReason, &x.settings, &s.SessionID, &s.SessionName, &s.UserID, &s.TraceName, &s.DatasetRunID,
		&s.DatasetRunName, &s.DatasetPath, &s.DatasetItemName, &s.ExperimentKey, &s.SourceTreeHash,
		&s.PromptName, &s.Props, &s.CommitSHA, &s.Environment, &x.metadata, &x.tags,
	}
	if x.heavy {
		d = append(d, &x.input, &s.Output, &x.outputObject, &x.toolCalls, &s.DatasetExpectedOutput,
			&s.DatasetInput, &x.resAttrs, &x.spanAttrs, &x.events, &x.links)
	}
	return d
}

func (x *spanScan) finish(appID string) span.Span {
	s := x.s
	s.AppID = appID
	s.CostKnown = x.costKnown != 0
	if x.settings != "" {
		s.Settings = json.RawMessage(x.settings)
	}
	if x.metadata != "" && x.metadata != "{}" {
		_ = json.Unmarshal([]byte(x.metadata), &s.Metadata)
	}
	if x.tags != "" && x.tags != "[]" {
		_ = json.Unmarshal([]byte(x.tags), &s.Tags)
	}
	if x.heavy {
		if x.input != "" {
			s.Input = json.RawMessage(x.input)
		}
		if x.outputObject != "" {
			s.OutputObject = json.RawMessage(x.outputObject)
		}
		if x.toolCalls != "" {
			s.ToolCalls = json.RawMessage(x.toolCalls)
		}
		if x.resAttrs != "" {
			_ = json.Unmarshal([]byte(x.resAttrs), &s.ResourceAttributes)
		}
		if x.spanAttrs != "" {
			_ = json.Unmarshal([]byte(x.spanAttrs), &s.SpanAttributes)
		}
		if x.events != "" {
			_ = json.Unmarshal([]byte(x.events), &s.Events)
		}
		if x.links != "" {
			_ = json.Unmarshal([]byte(x.links), &s.Links)
		}
	}
	return s
}
