package store

import (
	"time"

	"github.com/agentmark-go/agentmark/span"
)

// Page is one page of a list plus the number of rows matching the query
// (not the size of the page).
type Page[T any] struct {
	Items []T
	Total int64
}

// Limits shared by the list queries; the HTTP layer validates its own
// per-route limits, the store clamps to these.
const (
	DefaultLimit     = 50
	MaxLimit         = 1000
	DefaultSpanLimit = 100
	MaxSpanLimit     = 500
)

// SortOrder is "asc" or "desc"; empty means the query's default.
type SortOrder string

// Sort orders.
const (
	Asc  SortOrder = "asc"
	Desc SortOrder = "desc"
)

// Trace status values (the API's UNSET|OK|ERROR).
const (
	StatusUnset = "UNSET"
	StatusOK    = "OK"
	StatusError = "ERROR"
)

// Trace sort fields (the API's sort_by whitelist).
const (
	TraceSortName      = "name"
	TraceSortStatus    = "status"
	TraceSortLatency   = "latency"
	TraceSortCost      = "cost"
	TraceSortTokens    = "tokens"
	TraceSortStartTime = "start_time"
)

// TraceQuery selects traces. Zero fields do not filter. All conditions are
// ANDed.
type TraceQuery struct {
	Limit  int // 1..MaxLimit; 0 means DefaultLimit
	Offset int

	// From/To bound the trace start time, both inclusive.
	From, To time.Time

	Status string // StatusOK or StatusError (or StatusUnset): the trace status

	// These match when any span of the trace carries the value exactly.
	UserID        string
	Model         string
	SessionID     string
	DatasetRunID  string
	ExperimentKey string
	CommitSHA     string
	PromptName    string
	Environment   string

	Name   string   // exact trace name
	Tags   []string // the trace has any of these tags
	Search string   // case-insensitive (ASCII) substring of trace ID, name or I/O previews

	// Filter is the filter DSL (package store/filter). Trace-level
	// semantics: status, latency_ms, cost, prompt_tokens, completion_tokens
	// and tags use the trace's own values; the other fields match when any
	// span of the trace matches (negative operators: when no span matches
	// the positive form); score__<name> matches a score on the trace or on
	// any of its spans.
	Filter string

	SortBy    string    // a TraceSort* field; empty means start_time
	SortOrder SortOrder // default Desc
}

// TraceSummary is the trace-level rollup maintained on write.
//
// Aggregation rules (the spec leaves several open; these are ours):
//   - roots are spans without a parent or whose parent is not stored;
//     the primary root is the earliest root without a parent (else the
//     earliest orphan);
//   - Name: the first non-empty TraceName among roots, else the primary
//     root's span name;
//   - Status: the maximum status among parentless roots (ERROR > OK >
//     UNSET), or over all spans when there is none; child errors do not
//     change it (ErrorCount counts them);
//   - Start: earliest span start; End: latest span end (not start);
//   - LatencyMs: the longest root duration;
//   - Cost/Tokens/InputTokens/OutputTokens: the sum over GENERATION
//     spans; when no GENERATION span has a value, the maximum over all
//     spans (one wrapper span carrying totals);
//   - Tags, Models: distinct union in start order; grouping fields
//     (session, user, dataset, prompt, commit, environment): the primary
//     root's value, else the first non-empty one in start order;
//   - InputPreview/OutputPreview: the root's input/output, else the first
//     (input) / last (output) GENERATION span's, cut to 160 characters.
type TraceSummary struct {
	ID            string
	Name          string
	Status        string // StatusUnset, StatusOK or StatusError
	StatusMessage string
	Start, End    time.Time
	LatencyMs     float64
	Cost          float64
	Tokens        int64
	InputTokens   int64
	OutputTokens  int64
	SpanCount     int64
	ErrorCount    int64

	Tags          []string
	Models        []string
	InputPreview  string
	OutputPreview string
	HasInput      bool // InputPreview was derived (it may be "")
	HasOutput     bool

	SessionID      string
	SessionName    string
	UserID         string
	DatasetRunID   string
	DatasetRunName string
	DatasetPath    string
	ExperimentKey  string
	PromptName     string
	CommitSHA      string
	Environment    string
	Metadata       map[string]string // the primary root's metadata
}

// Trace is a trace summary with all its spans (start ascending).
type Trace struct {
	TraceSummary
	Spans []span.Span
}

// Span sort fields.
const (
	SpanSortStartTime = "start_time"
	SpanSortLatency   = "latency"
	SpanSortCost      = "cost"
	SpanSortTokens    = "tokens"
	SpanSortName      = "name"
)

// SpanQuery selects spans (the /v1/spans and /v1/requests lists).
type SpanQuery struct {
	Limit  int // 1..MaxSpanLimit; 0 means DefaultSpanLimit
	Offset int

	TraceID     string
	Type        string // span.TypeSpan, span.TypeGeneration, span.TypeEvent
	Status      string // StatusUnset, StatusOK, StatusError
	Name        string // case-sensitive substring of the span name
	Model       string // case-sensitive substring of the model
	ModelEquals string // exact model
	UserID      string
	SessionID   string
	PromptName  string
	Environment string

	MinDurationMs, MaxDurationMs *float64  // inclusive
	From, To                     time.Time // span start, inclusive

	Filter string // the filter DSL, evaluated on the span itself

	IncludeIO bool // include heavy fields (input, output, tool calls, raw attributes)

	SortBy    string    // a SpanSort* field; empty means start_time
	SortOrder SortOrder // default Desc
}

// Session sort fields.
const (
	SessionSortName        = "name"
	SessionSortStart       = "start"
	SessionSortEnd         = "end"
	SessionSortTraceCount  = "trace_count"
	SessionSortTotalCost   = "total_cost"
	SessionSortTotalTokens = "total_tokens"
	SessionSortLatency     = "latency_ms"
)

// SessionQuery selects sessions.
type SessionQuery struct {
	Limit  int
	Offset int

	From, To time.Time // session start, inclusive
	Search   string    // case-insensitive (ASCII) substring of the session ID or name
	UserID   string    // some span of the session carries this user

	SortBy    string    // a SessionSort* field; empty means start
	SortOrder SortOrder // default Desc
}

// Session is one session: the traces whose spans carry its ID. Totals sum the
// trace-level rollups (TraceSummary rules), so a wrapper span and its LLM
// child are not counted twice.
type Session struct {
	ID          string
	Name        string // first non-empty session name, else prompt name, else trace name
	Start, End  time.Time
	TraceCount  int64
	TotalCost   float64
	TotalTokens int64
	LatencyMs   float64 // the longest trace latency
	Tags        []string
	UserIDs     []string
}

// Score sources.
const (
	SourceAPI        = "api"
	SourceExperiment = "experiment"
	SourceAnnotation = "annotation"
	SourceEval       = "eval" // legacy, read only
)

// Score is one score on a trace or a span.
type Score struct {
	ID          string
	ResourceID  string // a trace ID or a span ID
	Name        string
	Value       float64
	Label       string
	Reason      string
	Source      string
	UserID      string
	DataType    string // boolean|numeric|categorical or ""
	Environment string
	CreatedAt   time.Time
}

// ScoreQuery selects scores. Zero fields do not filter.
type ScoreQuery struct {
	Limit  int
	Offset int

	From, To     time.Time // created_at, inclusive
	ResourceID   string
	ResourceType string // "trace" or "span": the resource ID is a stored trace / span ID
	Name         string
	Source       string
	SessionID    string // the resource is a trace of the session or one of its spans
}

// ScoreAggregationQuery bounds ScoreAggregations.
type ScoreAggregationQuery struct {
	From, To time.Time // created_at, inclusive; zero is open
}

// ScoreAggregation is the per-name statistics of scores.
type ScoreAggregation struct {
	Name  string
	Count int64
	Avg   float64
	Min   float64
	Max   float64
}

// MetricsQuery selects GENERATION spans for Metrics.
type MetricsQuery struct {
	From, To time.Time     // span start in [From, To); To zero means open
	Bucket   time.Duration // time-series bucket; 0 means one hour

	// Optional exact-match filters.
	Model       string
	UserID      string
	PromptName  string
	Environment string
	Status      string // StatusOK (not ERROR) or StatusError
}

// MetricValues are the numbers computed for one group of requests.
// Successes are requests whose status is not ERROR. Latency percentiles use
// linear interpolation between closest ranks.
type MetricValues struct {
	Requests     int64
	Successes    int64
	Errors       int64
	ErrorRate    float64 // Errors/Requests, 0 without requests
	Cost         float64
	Tokens       int64
	InputTokens  int64
	OutputTokens int64
	AvgLatencyMs float64
	P50LatencyMs float64
	P90LatencyMs float64
	P95LatencyMs float64
	P99LatencyMs float64
	UniqueUsers  int64 // distinct non-empty user IDs
	ModelCount   int64 // distinct non-empty models
}

// MetricsBucket is one time-series bucket.
type MetricsBucket struct {
	Start time.Time
	MetricValues
}

// GroupMetrics is the metrics of one model or prompt.
type GroupMetrics struct {
	Key string // model or prompt name ("" groups spans without one)
	MetricValues
}

// Metrics is the result of MetricsReader.Metrics.
type Metrics struct {
	Summary  MetricValues
	Series   []MetricsBucket // ascending, buckets with requests only
	ByModel  []GroupMetrics  // by descending request count, ties by key
	ByPrompt []GroupMetrics
}
