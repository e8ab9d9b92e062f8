package server

import (
	"net/http"
	"net/url"
)

// Route is one API route. The table drives the ServeMux and the OpenAPI
// document.
type Route struct {
	Method      string
	Path        string // net/http pattern path, e.g. /v1/traces/{traceId}
	OperationID string
	Permission  string // "" for public routes
	Tag         string
	Summary     string
	Deprecated  bool
	// Successor is the Link target of a deprecated route.
	Successor func(*http.Request) string
	Handler   func(*Server, http.ResponseWriter, *http.Request) error
}

const hintLocal = "Use --remote to target a hosted backend, or check available endpoints with: agentmark api capabilities"

func (s *Server) routeTable() []Route {
	return []Route{
		{Method: "GET", Path: "/health", OperationID: "get-health", Tag: "Health", Summary: "Liveness", Handler: health},
		{Method: "GET", Path: "/v1/openapi.json", OperationID: "get-openapi", Tag: "Discovery", Summary: "OpenAPI document", Handler: getOpenAPI},
		{Method: "GET", Path: "/v1/capabilities", OperationID: "get-capabilities", Tag: "Capabilities", Summary: "Feature map of this server", Handler: capabilities},
		{Method: "GET", Path: "/v1/pricing", OperationID: "get-pricing", Tag: "Pricing", Summary: "Per-model prices (USD per 1K tokens)", Handler: getPricing},

		{Method: "POST", Path: "/v1/traces", OperationID: "ingest-traces", Permission: "trace.write", Tag: "Traces", Summary: "Ingest OTLP traces", Handler: ingestTraces},
		{Method: "GET", Path: "/v1/traces", OperationID: "list-traces", Permission: "trace.read", Tag: "Traces", Summary: "List traces", Handler: listTraces},
		{Method: "GET", Path: "/v1/traces/{traceId}", OperationID: "get-trace", Permission: "trace.read", Tag: "Traces", Summary: "Get trace", Handler: getTrace},
		{Method: "GET", Path: "/v1/traces/{traceId}/graph", OperationID: "get-trace-graph", Permission: "trace.read", Tag: "Traces", Summary: "Get trace graph",
			Deprecated: true, Successor: func(r *http.Request) string {
				return "/v1/traces/" + url.PathEscape(r.PathValue("traceId")) + "?fields=graph"
			}, Handler: getTraceGraph},
		{Method: "GET", Path: "/v1/traces/{traceId}/spans", OperationID: "list-trace-spans", Permission: "span.read", Tag: "Spans", Summary: "List spans for a trace", Handler: listTraceSpans},
		{Method: "GET", Path: "/v1/traces/{traceId}/spans/{spanId}", OperationID: "get-span-detail", Permission: "span.read", Tag: "Spans", Summary: "Get span I/O detail", Handler: getSpanDetail},
		{Method: "GET", Path: "/v1/spans", OperationID: "list-spans", Permission: "span.read", Tag: "Spans", Summary: "List spans", Handler: listSpans},
		{Method: "GET", Path: "/v1/requests", OperationID: "list-requests", Permission: "trace.read", Tag: "Requests", Summary: "List LLM requests (GENERATION spans)", Handler: listRequests},

		{Method: "GET", Path: "/v1/sessions", OperationID: "list-sessions", Permission: "session.read", Tag: "Sessions", Summary: "List sessions", Handler: listSessions},
		{Method: "GET", Path: "/v1/sessions/{sessionId}/traces", OperationID: "list-session-traces", Permission: "session.read", Tag: "Sessions", Summary: "List traces of a session",
			Deprecated: true, Successor: func(r *http.Request) string {
				return "/v1/traces?session_id=" + url.QueryEscape(r.PathValue("sessionId"))
			}, Handler: listSessionTraces},

		{Method: "POST", Path: "/v1/scores", OperationID: "create-score", Permission: "score.write", Tag: "Scoring", Summary: "Create score", Handler: createScore},
		{Method: "POST", Path: "/v1/scores/batch", OperationID: "create-scores-batch", Permission: "score.write", Tag: "Scoring", Summary: "Create scores in batch", Handler: createScoresBatch},
		{Method: "GET", Path: "/v1/scores", OperationID: "list-scores", Permission: "score.read", Tag: "Scoring", Summary: "List scores", Handler: listScores},
		{Method: "GET", Path: "/v1/scores/names", OperationID: "get-score-names", Permission: "score.read", Tag: "Scoring", Summary: "Distinct score names", Handler: scoreNames},
		{Method: "GET", Path: "/v1/scores/aggregations", OperationID: "get-score-aggregations", Permission: "score.read", Tag: "Scoring", Summary: "Score aggregations", Handler: scoreAggregations},
		{Method: "GET", Path: "/v1/scores/{scoreId}", OperationID: "get-score", Permission: "score.read", Tag: "Scoring", Summary: "Get score", Handler: getScore},
		{Method: "DELETE", Path: "/v1/scores/{scoreId}", OperationID: "delete-score", Permission: "score.delete", Tag: "Scoring", Summary: "Delete score", Handler: deleteScore},
		{Method: "GET", Path: "/v1/score-configs", OperationID: "list-score-configs", Permission: "score_config.read", Tag: "Score Configs", Summary: "List score configs", Handler: listScoreConfigs},
		{Method: "GET", Path: "/v1/score-configs/{name}", OperationID: "get-score-config", Permission: "score_config.read", Tag: "Score Configs", Summary: "Get score config", Handler: getScoreConfig},

		{Method: "GET", Path: "/v1/experiments", OperationID: "list-experiments", Permission: "experiment.read", Tag: "Experiments", Summary: "List experiments (dataset runs) with aggregates", Handler: listExperiments},
		{Method: "GET", Path: "/v1/experiments/baseline", OperationID: "get-experiment-baseline", Permission: "experiment.read", Tag: "Experiments", Summary: "Baseline per-(row x scorer) scores for the regression gate", Handler: getExperimentBaseline},
		{Method: "GET", Path: "/v1/experiments/compare", OperationID: "compare-experiments", Permission: "experiment.read", Tag: "Experiments", Summary: "Compare two experiment runs row by row (matched by input hash)", Handler: compareExperiments},
		{Method: "GET", Path: "/v1/experiments/{experimentId}", OperationID: "get-experiment", Permission: "experiment.read", Tag: "Experiments", Summary: "Get experiment with per-item details", Handler: getExperiment},

		{Method: "GET", Path: "/v1/datasets", OperationID: "list-datasets", Permission: "dataset.read", Tag: "Datasets", Summary: "List datasets with row counts", Handler: listDatasets},
		{Method: "GET", Path: "/v1/datasets/{datasetName}/rows", OperationID: "list-dataset-rows", Permission: "dataset.read", Tag: "Datasets", Summary: "List dataset rows (paginated)", Handler: listDatasetRows},
		{Method: "POST", Path: "/v1/datasets/{datasetName}/rows", OperationID: "append-dataset-row", Permission: "dataset.write", Tag: "Datasets", Summary: "Append one canonical row", Handler: appendDatasetRow},
		{Method: "POST", Path: "/v1/datasets/{datasetName}/rows/from-traces", OperationID: "import-dataset-rows-from-traces", Permission: "dataset.write", Tag: "Datasets", Summary: "Import traces as dataset rows", Handler: importRowsFromTraces},
		{Method: "POST", Path: "/v1/datasets/{datasetName}/rows/from-spans", OperationID: "import-dataset-rows-from-spans", Permission: "dataset.write", Tag: "Datasets", Summary: "Import spans as dataset rows", Handler: importRowsFromSpans},

		{Method: "GET", Path: "/v1/metrics", OperationID: "get-metrics", Permission: "metrics.read", Tag: "Metrics", Summary: "Get metrics", Handler: getMetrics},

		{Method: "GET", Path: "/v1/config", OperationID: "get-config", Permission: "template.read", Tag: "Config", Summary: "Get config", Handler: getConfig},
		{Method: "GET", Path: "/v1/templates", OperationID: "get-template", Permission: "template.read", Tag: "Templates", Summary: "Get template or dataset", Handler: getTemplate},
		{Method: "GET", Path: "/v1/prompts", OperationID: "list-prompts", Permission: "template.read", Tag: "Prompts", Summary: "List or look up prompts", Handler: listPrompts},

		{Method: "POST", Path: "/v1/traces/search", OperationID: "search-traces", Permission: "trace.read", Tag: "Traces", Summary: "Structured trace search (not available locally)", Handler: notAvailable(hintLocal)},
		{Method: "POST", Path: "/v1/spans/search", OperationID: "search-spans", Permission: "span.read", Tag: "Spans", Summary: "Structured span search (not available locally)", Handler: notAvailable(hintLocal)},
		{Method: "POST", Path: "/v1/scores/search", OperationID: "search-scores", Permission: "score.read", Tag: "Scoring", Summary: "Structured score search (not available locally)", Handler: notAvailable(hintLocal)},
		{Method: "GET", Path: "/v1/api-keys", OperationID: "list-api-keys", Permission: "api_key.read", Tag: "API Keys", Summary: "List API keys (cloud only)", Handler: notAvailable("API keys are managed in AgentMark Cloud")},
		{Method: "POST", Path: "/v1/api-keys", OperationID: "create-api-key", Permission: "api_key.insert", Tag: "API Keys", Summary: "Create API key (cloud only)", Handler: notAvailable("API keys are managed in AgentMark Cloud")},
		{Method: "DELETE", Path: "/v1/api-keys/{apiKeyId}", OperationID: "revoke-api-key", Permission: "api_key.delete", Tag: "API Keys", Summary: "Revoke API key (cloud only)", Handler: notAvailable("API keys are managed in AgentMark Cloud")},
		{Method: "GET", Path: "/v1/deployments", OperationID: "list-deployments", Permission: "deployment.read", Tag: "Deployments", Summary: "List deployments (cloud only)", Handler: notAvailable("Deployments exist in AgentMark Cloud only")},
		{Method: "GET", Path: "/v1/deployments/{deploymentId}", OperationID: "get-deployment", Permission: "deployment.read", Tag: "Deployments", Summary: "Get deployment (cloud only)", Handler: notAvailable("Deployments exist in AgentMark Cloud only")},
	}
}
