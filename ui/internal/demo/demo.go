// Package demo seeds a store and a project directory with realistic data
// for the UI's tests, benchmarks and browser tests: traces with nested
// agent/LLM/tool spans, errors, sessions, two experiment runs with scores,
// one very large trace and a small AgentMark project.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/agentmark-go/agentmark/span"
	"github.com/agentmark-go/agentmark/store"
)

// IDs of notable seeded traces.
const (
	BigTrace   = "big-trace-000000000000000000000001"
	ErrorTrace = "err-trace-000000000000000000000001"
	RunA       = "run-baseline-0001"
	RunB       = "run-candidate-0002"
	Session    = "session-demo-001"
)

var questions = []string{
	"Where is my order #%d?", "Can I change the shipping address for order %d?", "How do I reset my password?",
	"What is your refund policy for item %d?", "Summarise ticket %d for the on-call engineer.",
	"Translate the release notes of v1.%d to French.", "Which plan fits a team of %d people?",
}

// Seed writes n ordinary traces ending near now (plus the notable ones)
// into appID.
func Seed(ctx context.Context, s store.Store, appID string, now time.Time, n int) error {
	r := rand.New(rand.NewSource(7))
	var batch []span.Span
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.WriteSpans(ctx, appID, batch)
		batch = batch[:0]
		return err
	}
	models := []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "o3"}
	prompts := []string{"support-agent", "summarize", "translate", "classify"}
	for i := 0; i < n; i++ {
		start := now.Add(-time.Duration(float64(7*24*time.Hour) * float64(i) / float64(max(n, 1)))).Add(-time.Duration(r.Intn(60)) * time.Second)
		tid := fmt.Sprintf("%032x", r.Uint64())
		q := fmt.Sprintf(questions[i%len(questions)], 1000+i)
		sess := ""
		if i%3 == 0 {
			sess = fmt.Sprintf("session-%03d", i%40)
		}
		if i < 6 {
			sess = Session
		}
		batch = append(batch, conversationTrace(r, tid, start, q, models[i%len(models)], prompts[i%len(prompts)],
			fmt.Sprintf("user-%d", i%12), sess, i%11 == 5)...)
		if len(batch) >= 400 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	batch = append(batch, conversationTrace(r, ErrorTrace, now.Add(-3*time.Minute), "Cancel my subscription", "gpt-4o", "support-agent", "user-err", "", true)...)
	batch = append(batch, bigTrace(r, BigTrace, now.Add(-10*time.Minute), 2000)...)
	if err := flush(); err != nil {
		return err
	}
	return seedExperiments(ctx, s, appID, now, r)
}

func msgs(system, user string) json.RawMessage {
	b, _ := json.Marshal([]map[string]any{{"role": "system", "content": system}, {"role": "user", "content": user}})
	return b
}

func conversationTrace(r *rand.Rand, tid string, start time.Time, q, model, promptName, user, session string, fail bool) []span.Span {
	ns := start.UnixNano()
	ms := func(n int) int64 { return int64(n) * int64(time.Millisecond) }
	total := 600 + r.Intn(3500)
	answer := fmt.Sprintf("Thanks for reaching out! I looked into it: %s The answer is that everything is on track, and you will get an email with the details shortly.", q)
	root := span.Span{TraceID: tid, SpanID: tid[:16], Type: span.TypeSpan, Name: "agent-run", SemanticKind: span.KindAgent,
		StartTimeNs: ns, EndTimeNs: ns + ms(total), StatusCode: "1", TraceName: promptName, UserID: user, SessionID: session,
		SessionName: map[bool]string{true: "Demo conversation", false: ""}[session == Session],
		Tags:        []string{"prod", []string{"team-a", "team-b"}[r.Intn(2)]}, Metadata: map[string]string{"env": []string{"prod", "staging"}[r.Intn(2)], "region": "eu-west-1"},
		Input: msgs("You are a helpful support agent.", q), Output: answer, PromptName: promptName,
		Props: fmt.Sprintf(`{"question":%q}`, q), ServiceName: "support-bot", Environment: "production"}
	in, out := int64(300+r.Intn(900)), int64(40+r.Intn(400))
	gen1 := span.Span{TraceID: tid, SpanID: tid[16:32], ParentSpanID: root.SpanID, Type: span.TypeGeneration, Name: "chat " + model,
		SemanticKind: span.KindLLM, StartTimeNs: ns + ms(20), EndTimeNs: ns + ms(total/2), StatusCode: "1", Model: model,
		InputTokens: in, OutputTokens: out / 3, TotalTokens: in + out/3, Cost: float64(in+out/3) * 0.000004, CostKnown: true,
		Input: msgs("You are a helpful support agent.", q), PromptName: promptName, FinishReason: "tool-calls",
		ToolCalls:      json.RawMessage(`[{"type":"tool-call","toolCallId":"call_1","toolName":"lookup_order","args":{"id":1234}}]`),
		Settings:       json.RawMessage(`{"temperature":0.3,"max_tokens":800}`),
		SpanAttributes: map[string]any{"gen_ai.system": "openai", "gen_ai.request.model": model}}
	tool := span.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", r.Uint64()), ParentSpanID: root.SpanID, Type: span.TypeSpan,
		Name: "lookup_order", SemanticKind: span.KindTool, StartTimeNs: ns + ms(total/2), EndTimeNs: ns + ms(total/2+80+r.Intn(200)),
		StatusCode: "1", Input: json.RawMessage(`{"id":1234}`), Output: `{"status":"shipped","carrier":"DHL","eta":"2026-03-02"}`}
	gen2 := span.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", r.Uint64()), ParentSpanID: root.SpanID, Type: span.TypeGeneration,
		Name: "chat " + model, SemanticKind: span.KindLLM, StartTimeNs: tool.EndTimeNs, EndTimeNs: ns + ms(total-10), StatusCode: "1",
		Model: model, InputTokens: in + 60, OutputTokens: out, TotalTokens: in + 60 + out, Cost: float64(in+60+out) * 0.000004, CostKnown: true,
		Output: answer, PromptName: promptName, FinishReason: "stop",
		Input: json.RawMessage(fmt.Sprintf(`[{"role":"user","content":%q},{"role":"assistant","content":[{"type":"tool-call","toolCallId":"call_1","toolName":"lookup_order","args":{"id":1234}}]},{"role":"tool","content":[{"type":"tool-result","toolCallId":"call_1","toolName":"lookup_order","result":{"status":"shipped"}}]}]`, q))}
	if fail {
		gen2.StatusCode, gen2.StatusMsg, gen2.Output = "2", "429 Too Many Requests: rate limit exceeded for "+model, ""
		root.StatusCode, root.StatusMsg, root.Output = "2", "upstream model call failed", ""
	}
	return []span.Span{root, gen1, tool, gen2}
}

// bigTrace is an agent that fans out into n spans, nested up to 4 deep.
func bigTrace(r *rand.Rand, tid string, start time.Time, n int) []span.Span {
	ns := start.UnixNano()
	out := make([]span.Span, 0, n)
	root := span.Span{TraceID: tid, SpanID: "root", Type: span.TypeSpan, Name: "research-agent", SemanticKind: span.KindAgent,
		StartTimeNs: ns, EndTimeNs: ns + int64(90*time.Second), StatusCode: "1", TraceName: "deep-research",
		Input: msgs("You are a research agent.", "Survey the literature on retrieval-augmented generation."), Output: "A long report…",
		UserID: "user-research", Tags: []string{"batch"}}
	out = append(out, root)
	parents := []string{"root"}
	for i := 1; i < n; i++ {
		p := parents[r.Intn(len(parents))]
		off := int64(r.Intn(85_000)) * int64(time.Millisecond)
		d := int64(20+r.Intn(4000)) * int64(time.Millisecond)
		sp := span.Span{TraceID: tid, SpanID: fmt.Sprintf("s%05d", i), ParentSpanID: p, StartTimeNs: ns + off, EndTimeNs: ns + off + d, StatusCode: "1"}
		switch i % 4 {
		case 0:
			sp.Type, sp.Name, sp.SemanticKind = span.TypeSpan, "plan-step", span.KindAgent
			if len(parents) < 300 {
				parents = append(parents, sp.SpanID)
			}
		case 1, 3:
			sp.Type, sp.Name, sp.SemanticKind, sp.Model = span.TypeGeneration, "chat", span.KindLLM, "gpt-4o-mini"
			sp.InputTokens, sp.OutputTokens = int64(100+r.Intn(500)), int64(20+r.Intn(200))
			sp.TotalTokens = sp.InputTokens + sp.OutputTokens
			sp.Cost, sp.CostKnown = float64(sp.TotalTokens)*0.0000006, true
			sp.Input = msgs("Summarise.", fmt.Sprintf("paper %d abstract", i))
			sp.Output = fmt.Sprintf("Paper %d proposes a retriever and shows gains on open-domain QA.", i)
		case 2:
			sp.Type, sp.Name, sp.SemanticKind = span.TypeSpan, "search_papers", span.KindRetrieval
			sp.Output = `{"hits":12}`
		}
		if i%97 == 0 {
			sp.StatusCode, sp.StatusMsg = "2", "timeout after 30s"
		}
		out = append(out, sp)
	}
	return out
}

func seedExperiments(ctx context.Context, s store.Store, appID string, now time.Time, r *rand.Rand) error {
	items := []struct{ name, q, want string }{
		{"capital-fr", "What is the capital of France?", "Paris"},
		{"capital-jp", "What is the capital of Japan?", "Tokyo"},
		{"math-1", "What is 12 * 12?", "144"},
		{"math-2", "What is the square root of 81?", "9"},
		{"color", "What colour is the sky on a clear day?", "Blue"},
		{"planet", "Which planet is known as the red planet?", "Mars"},
	}
	var spans []span.Span
	var scores []store.Score
	for ri, run := range []struct{ id, name, model string }{{RunA, "baseline gpt-4o-mini", "gpt-4o-mini"}, {RunB, "candidate o3", "o3"}} {
		base := now.Add(-time.Duration(2-ri) * 2 * time.Hour)
		for i, it := range items {
			tid := fmt.Sprintf("exp%d-%02d-%024x", ri, i, r.Uint64())
			st := base.Add(time.Duration(i) * 3 * time.Second).UnixNano()
			outp := it.want
			correct := 1.0
			if (ri == 0 && i == 3) || (ri == 1 && i == 1) {
				outp, correct = "I am not sure.", 0
			}
			sp := span.Span{TraceID: tid, SpanID: fmt.Sprintf("%016x", r.Uint64()), Type: span.TypeGeneration, Name: "experiment-item",
				SemanticKind: span.KindLLM, StartTimeNs: st, EndTimeNs: st + int64(300+r.Intn(1500))*int64(time.Millisecond), StatusCode: "1",
				Model: run.model, InputTokens: 40, OutputTokens: 8, TotalTokens: 48, Cost: 0.0002 * float64(ri+1), CostKnown: true,
				DatasetRunID: run.id, DatasetRunName: run.name, DatasetPath: "datasets/qa.jsonl", DatasetItemName: it.name,
				DatasetInput: fmt.Sprintf(`{"question":%q}`, it.q), DatasetExpectedOutput: it.want, ExperimentKey: "qa-eval",
				PromptName: "qa", Input: msgs("Answer in one word.", it.q), Output: outp, TraceName: "qa"}
			spans = append(spans, sp)
			scores = append(scores,
				store.Score{ResourceID: tid, Name: "correctness", Value: correct, Label: map[bool]string{true: "PASS", false: "FAIL"}[correct == 1], Source: store.SourceExperiment, CreatedAt: time.Unix(0, st).Add(2 * time.Second)},
				store.Score{ResourceID: tid, Name: "conciseness", Value: float64(6+r.Intn(5)) / 10, Source: store.SourceExperiment, CreatedAt: time.Unix(0, st).Add(2 * time.Second)})
		}
	}
	if err := s.WriteSpans(ctx, appID, spans); err != nil {
		return err
	}
	scores = append(scores, store.Score{ResourceID: ErrorTrace, Name: "helpfulness", Value: 0.2, Reason: "did not cancel", Source: store.SourceAnnotation, CreatedAt: now})
	_, err := s.CreateScores(ctx, appID, scores)
	return err
}

// Project writes a small AgentMark project into dir: agentmark.json, two
// prompts (one using the offline mock provider) and a dataset.
func Project(dir string) error {
	files := map[string]string{
		"agentmark.json": `{"version":"2.0.0","agentmarkPath":".","mdxVersion":"1.0"}`,
		"agentmark/support-agent.prompt.mdx": `---
name: support-agent
text_config:
  model_name: mock/echo
test_settings:
  props:
    question: Where is my order 1042?
---

<System>You are a friendly support agent for an online shop. Answer in two sentences.</System>
<User>{props.question}</User>
`,
		"agentmark/classify.prompt.mdx": `---
name: classify
object_config:
  model_name: mock/echo
  schema:
    type: object
    properties:
      label:
        type: string
test_settings:
  props:
    text: I love this product
---

<System>Classify the sentiment of the text.</System>
<User>{props.text}</User>
`,
		"datasets/qa.jsonl": `{"input":{"question":"What is the capital of France?"},"expected_output":"Paris"}
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
