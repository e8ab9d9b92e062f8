package normalize

import (
	"strings"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/span"
)

const (
	prefixAM       = "agentmark."
	prefixAMMeta   = "agentmark.metadata."
	prefixAIMeta   = "ai.telemetry.metadata."
	maxTags        = 20
	maxTagRuneSize = 100
)

// knownMetadataKeys are the metadata suffixes that are grouping / dataset
// fields rather than custom metadata (§B.2 extractCustomMetadata).
var knownMetadataKeys = map[string]bool{
	"session_id": true, "session_name": true, "user_id": true, "trace_name": true,
	"dataset_run_id": true, "dataset_run_name": true, "dataset_path": true,
	"dataset_item_name": true, "dataset_expected_output": true, "dataset_input": true,
	"prompt_name": true, "props": true,
}

// metaField maps a promoted metadata suffix to its span field.
func metaField(s *span.Span, key string) *string {
	switch key {
	case "session_id":
		return &s.SessionID
	case "session_name":
		return &s.SessionName
	case "user_id":
		return &s.UserID
	case "trace_name":
		return &s.TraceName
	case "dataset_run_id":
		return &s.DatasetRunID
	case "dataset_run_name":
		return &s.DatasetRunName
	case "dataset_path":
		return &s.DatasetPath
	case "dataset_item_name":
		return &s.DatasetItemName
	case "dataset_expected_output":
		return &s.DatasetExpectedOutput
	case "prompt_name":
		return &s.PromptName
	case "props":
		return &s.Props
	case "commit_sha":
		return &s.CommitSHA
	}
	return nil
}

// metaKV is one attribute under a metadata prefix.
type metaKV struct {
	suffix string
	value  any
}

// scanMetadata collects the agentmark.metadata.* and
// ai.telemetry.metadata.* attributes in one pass.
func scanMetadata(a attrs, o *out) {
	for k, v := range a {
		if len(k) < 10 {
			continue
		}
		switch k[0] {
		case 'a':
			if strings.HasPrefix(k, prefixAMMeta) && len(k) > len(prefixAMMeta) {
				o.amMeta = append(o.amMeta, metaKV{k[len(prefixAMMeta):], v})
			} else if strings.HasPrefix(k, prefixAIMeta) && len(k) > len(prefixAIMeta) {
				o.aiMeta = append(o.aiMeta, metaKV{k[len(prefixAIMeta):], v})
			}
		}
	}
}

// metaList returns the scanned attributes for a prefix.
func (o *out) metaList(prefix string) []metaKV {
	if prefix == prefixAIMeta {
		return o.aiMeta
	}
	return o.amMeta
}

// parseMetadata promotes the snake_case grouping keys under prefix to span
// fields (truthy values only). With fillOnly, fields already set are kept.
func parseMetadata(_ attrs, prefix string, o *out, fillOnly bool) {
	for _, kv := range o.metaList(prefix) {
		f := metaField(o.s, kv.suffix)
		if f == nil || !truthy(kv.value) {
			continue
		}
		if fillOnly && *f != "" {
			continue
		}
		*f = jsString(kv.value)
	}
}

// extractCustomMetadata copies every key under prefix whose suffix is
// non-empty, safe and not a known grouping key into the metadata map
// (values String()-ed). Later calls win on key conflicts.
func extractCustomMetadata(_ attrs, prefix string, o *out) {
	for _, kv := range o.metaList(prefix) {
		if unsafeKey(kv.suffix) || knownMetadataKeys[kv.suffix] || kv.value == nil {
			continue
		}
		o.setMeta(kv.suffix, jsString(kv.value))
	}
}

// parseAgentMarkAttributes applies the direct agentmark.* keys (truthy
// values only); they override transformer output (§B.2 step 5).
func parseAgentMarkAttributes(a attrs, s *span.Span) {
	set := func(key string, f *string) {
		if v, ok := a[key]; ok && truthy(v) {
			*f = jsString(v)
		}
	}
	set("agentmark.session_id", &s.SessionID)
	set("agentmark.session_name", &s.SessionName)
	set("agentmark.user_id", &s.UserID)
	set("agentmark.trace_name", &s.TraceName)
	set("agentmark.prompt_name", &s.PromptName)
	set("agentmark.props", &s.Props)
	set("agentmark.span.kind", &s.SemanticKind)
	set("agentmark.dataset_run_id", &s.DatasetRunID)
	set("agentmark.dataset_run_name", &s.DatasetRunName)
	set("agentmark.dataset_item_name", &s.DatasetItemName)
	set("agentmark.dataset_expected_output", &s.DatasetExpectedOutput)
	set("agentmark.dataset_input", &s.DatasetInput)
	set("agentmark.dataset_path", &s.DatasetPath)
	set("agentmark.experiment_key", &s.ExperimentKey)
	set("agentmark.source_tree_hash", &s.SourceTreeHash)
}

// Tags parses an agentmark.tags attribute value (§B.6): a native array, a
// JSON-array string, or a comma-separated string. A JSON string that parses
// to a non-array is one tag (the raw string); invalid JSON is split on
// commas. Tags are trimmed; empty ones and ones longer than 100 characters
// are dropped; the first 20 are kept. Other value types give no tags.
func Tags(v any) []string {
	var raw []string
	switch x := v.(type) {
	case []any:
		raw = make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				raw = append(raw, jsString(e))
			}
		}
	case string:
		if p, ok := parseJSON(x); ok {
			if arr, ok := p.([]any); ok {
				for _, e := range arr {
					if e != nil {
						raw = append(raw, jsString(e))
					}
				}
			} else {
				raw = []string{x}
			}
		} else {
			raw = strings.Split(x, ",")
		}
	default:
		return nil
	}
	var tags []string
	for _, t := range raw {
		t = strings.TrimSpace(t)
		if t == "" || utf8.RuneCountInString(t) > maxTagRuneSize {
			continue
		}
		tags = append(tags, t)
		if len(tags) == maxTags {
			break
		}
	}
	return tags
}
