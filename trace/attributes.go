package trace

// ScopeName is the instrumentation scope of every span this package
// starts. The AgentMark normalizer routes scope "agentmark" to its
// AgentMark transformer (observe spec §B.2), which reads the attributes
// below.
const ScopeName = "agentmark"

// AgentMark attributes (observe spec §B.2, §B.6, §B.8, §B.9).
const (
	AttrSessionID      = "agentmark.session_id"
	AttrSessionName    = "agentmark.session_name"
	AttrUserID         = "agentmark.user_id"
	AttrTraceName      = "agentmark.trace_name"
	AttrTags           = "agentmark.tags"      // compact JSON array of strings
	AttrMetadataPrefix = "agentmark.metadata." // + key; values are strings

	AttrPromptName = "agentmark.prompt_name"
	AttrPromptPath = "agentmark.prompt_path"
	AttrProps      = "agentmark.props"  // JSON of the prompt's props
	AttrInput      = "agentmark.input"  // prompt span: JSON [{role, content}]
	AttrOutput     = "agentmark.output" // prompt span: text, or JSON of objects
	AttrSpanKind   = "agentmark.span.kind"
	AttrAppID      = "agentmark.app_id"
	AttrCostUSD    = "agentmark.usage.cost_usd"

	// Span()/Observe() I/O (the TS SDK's ctx.setInput/setOutput).
	AttrRequestInput   = "agentmark.request.input"
	AttrResponseOutput = "agentmark.response.output"

	AttrDatasetRunID          = "agentmark.dataset_run_id"
	AttrDatasetRunName        = "agentmark.dataset_run_name"
	AttrDatasetItemName       = "agentmark.dataset_item_name"
	AttrDatasetExpectedOutput = "agentmark.dataset_expected_output"
	AttrDatasetInput          = "agentmark.dataset_input"
	AttrDatasetPath           = "agentmark.dataset_path"
	AttrExperimentKey         = "agentmark.experiment_key"
	AttrSourceTreeHash        = "agentmark.source_tree_hash"

	// Evals run through agentmark.Client.RunEval.
	AttrEvalName   = "agentmark.eval.name"
	AttrEvalScore  = "agentmark.eval.score"
	AttrEvalPassed = "agentmark.eval.passed"
	AttrEvalLabel  = "agentmark.eval.label"
	AttrEvalReason = "agentmark.eval.reason"

	// OpenInference's span kind, set next to agentmark.span.kind by
	// Observe (§B.5).
	AttrOpenInferenceSpanKind = "openinference.span.kind"
)

// OpenTelemetry GenAI attributes. otel-go v1.47.0's semconv packages have
// no gen_ai keys, so they are defined here, by name.
const (
	GenAISystem         = "gen_ai.system"
	GenAIProviderName   = "gen_ai.provider.name"
	GenAIOperationName  = "gen_ai.operation.name"
	GenAIConversationID = "gen_ai.conversation.id"

	GenAIRequestModel            = "gen_ai.request.model"
	GenAIRequestTemperature      = "gen_ai.request.temperature"
	GenAIRequestMaxTokens        = "gen_ai.request.max_tokens"
	GenAIRequestTopP             = "gen_ai.request.top_p"
	GenAIRequestTopK             = "gen_ai.request.top_k"
	GenAIRequestPresencePenalty  = "gen_ai.request.presence_penalty"
	GenAIRequestFrequencyPenalty = "gen_ai.request.frequency_penalty"
	GenAIRequestStopSequences    = "gen_ai.request.stop_sequences"
	GenAIRequestSeed             = "gen_ai.request.seed"
	GenAIRequestInput            = "gen_ai.request.input" // JSON [{role, content}]
	GenAIToolDefinitions         = "gen_ai.tool.definitions"

	GenAIResponseModel         = "gen_ai.response.model"
	GenAIResponseOutput        = "gen_ai.response.output"
	GenAIResponseOutputObject  = "gen_ai.response.output_object"
	GenAIResponseFinishReasons = "gen_ai.response.finish_reasons"

	GenAIUsageInputTokens          = "gen_ai.usage.input_tokens"
	GenAIUsageOutputTokens         = "gen_ai.usage.output_tokens"
	GenAIUsageTotalTokens          = "gen_ai.usage.total_tokens"
	GenAIUsageCacheReadInputTokens = "gen_ai.usage.cache_read_input_tokens"
	GenAIUsageReasoningTokens      = "gen_ai.usage.reasoning_tokens"

	GenAIToolName   = "gen_ai.tool.name"
	GenAIToolCallID = "gen_ai.tool.call.id"
	GenAIToolInput  = "gen_ai.tool.input"  // the call's JSON arguments
	GenAIToolOutput = "gen_ai.tool.output" // the tool's result
)

// gen_ai.operation.name values.
const (
	OpChat           = "chat"
	OpExecuteTool    = "execute_tool"
	OpGenerateImage  = "generate_image"
	OpGenerateSpeech = "generate_speech"
)

// Kind is a span's semantic kind (agentmark.span.kind, §B.5).
type Kind string

// Semantic kinds.
const (
	KindFunction  Kind = "function"
	KindLLM       Kind = "llm"
	KindTool      Kind = "tool"
	KindAgent     Kind = "agent"
	KindRetrieval Kind = "retrieval"
	KindEmbedding Kind = "embedding"
	KindGuardrail Kind = "guardrail"
)

// openInference maps a kind to openinference.span.kind.
func (k Kind) openInference() string {
	switch k {
	case KindLLM:
		return "LLM"
	case KindTool:
		return "TOOL"
	case KindAgent:
		return "AGENT"
	case KindRetrieval:
		return "RETRIEVER"
	case KindEmbedding:
		return "EMBEDDING"
	case KindGuardrail:
		return "GUARDRAIL"
	}
	return "CHAIN"
}

// maxIOChars bounds recorded input/output values, like the TS SDK.
const maxIOChars = 1_000_000
