package webhook

import (
	"bytes"
	"encoding/json"
)

// Event types of the webhook endpoint.
const (
	TypePromptRun  = "prompt-run"
	TypeDatasetRun = "dataset-run"
	TypeAlert      = "alert"
)

// Envelope is the body of a webhook request: {"event":{"type","data"}}.
type Envelope struct {
	Event Event `json:"event"`
}

// Event is one webhook event; Data is its payload (one of the *Data types
// below, or raw JSON).
type Event struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// PromptRunData is the data of a prompt-run event: the prompt as an
// AgentMark AST.
type PromptRunData struct {
	Prompt json.RawMessage `json:"prompt"`
}

// DatasetRunData is the data of a dataset-run event.
type DatasetRunData struct {
	PromptPath  string            `json:"promptPath"`
	Dataset     []json.RawMessage `json:"dataset"`
	DatasetPath string            `json:"datasetPath"`
	RunID       string            `json:"runId"`
	RunName     string            `json:"runName"`
}

// Alert statuses and types.
const (
	AlertTriggered = "triggered"
	AlertResolved  = "resolved"

	AlertCost            = "cost"
	AlertLatency         = "latency"
	AlertErrorRate       = "error_rate"
	AlertEvaluationScore = "evaluation_score"
)

// AlertData is the data of an alert event (deploy/webhooks).
type AlertData struct {
	Alert   Alert  `json:"alert"`
	Message string `json:"message"`
	// Timestamp is Unix epoch milliseconds.
	Timestamp int64 `json:"timestamp"`
}

// Alert describes the alert that fired or resolved. CommitSha is omitted
// when unknown and always on resolved events; the Evaluation* fields only
// go with evaluation_score alerts.
type Alert struct {
	ID           string  `json:"id"`
	CurrentValue float64 `json:"currentValue"`
	Threshold    float64 `json:"threshold"`
	Status       string  `json:"status"`
	// TimeWindow is the measurement window in minutes.
	TimeWindow                   float64 `json:"timeWindow"`
	Type                         string  `json:"type"`
	CommitSha                    string  `json:"commitSha,omitempty"`
	EvaluationName               string  `json:"evaluationName,omitempty"`
	EvaluationAggregation        string  `json:"evaluationAggregation,omitempty"`
	EvaluationThresholdDirection string  `json:"evaluationThresholdDirection,omitempty"`
}

// AlertEvent builds an alert event, applying the documented omission
// rules (no commitSha on resolved alerts, evaluation fields only for
// evaluation_score).
func AlertEvent(d AlertData) Event {
	if d.Alert.Status == AlertResolved {
		d.Alert.CommitSha = ""
	}
	if d.Alert.Type != AlertEvaluationScore {
		d.Alert.EvaluationName, d.Alert.EvaluationAggregation, d.Alert.EvaluationThresholdDirection = "", "", ""
	}
	return Event{Type: TypeAlert, Data: d}
}

// PromptRunEvent builds a prompt-run event for a prompt AST (any JSON
// value, e.g. *mdast.Node or json.RawMessage).
func PromptRunEvent(ast any) (Event, error) {
	b, err := Marshal(ast)
	if err != nil {
		return Event{}, err
	}
	return Event{Type: TypePromptRun, Data: PromptRunData{Prompt: b}}, nil
}

// DatasetRunEvent builds a dataset-run event.
func DatasetRunEvent(d DatasetRunData) Event { return Event{Type: TypeDatasetRun, Data: d} }

// Marshal encodes v as compact JSON without HTML escaping, re-serialized
// like JavaScript's JSON.stringify so that receivers hashing
// JSON.stringify(await req.json()) see the same bytes we signed.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	if c, ok := JSCompact(b); ok {
		return c, nil
	}
	return b, nil
}
