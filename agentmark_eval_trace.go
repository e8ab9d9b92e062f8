package agentmark

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/experiment"
	"github.com/agentmark-go/agentmark/eval/exptrace"
	"github.com/agentmark-go/agentmark/llm"
	amtrace "github.com/agentmark-go/agentmark/trace"
)

// experimentTracing is RunExperiment's default row hooks: unless tracing
// is off, every row is traced as its own trace carrying the dataset fields
// (with the client's provider, like Run), and when AGENTMARK_BASE_URL names
// an API the row's scores are posted to its POST /v1/scores. o.Hooks, when
// set, is chained. finish waits briefly for the score posts and flushes
// the client's provider.
func (c *Client) experimentTracing(o ExperimentOptions, key string) (experiment.Hooks, func()) {
	if c.tracing.off {
		return o.Hooks, func() {}
	}
	h := &exptrace.Hooks{Provider: c.tracing.provider, PromptName: key, Next: o.Hooks}
	if o.Prompt != nil {
		h.PromptName, h.PromptPath = o.Prompt.Name(), c.promptPath(o.Prompt)
	}
	if base := os.Getenv(amtrace.EnvBaseURL); base != "" {
		h.Scores = &eval.ScorePoster{BaseURL: strings.TrimRight(base, "/"), APIKey: os.Getenv("AGENTMARK_API_KEY"),
			AppID: os.Getenv("AGENTMARK_APP_ID")}
	}
	return h, func() {
		if p := c.tracing.provider; p != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = p.Flush(ctx)
		}
		h.Scores.Wait(5 * time.Second)
	}
}

// experimentGenerator is the generator of experiment rows: its model and
// tool calls are spans under the row's span.
func (c *Client) experimentGenerator() *llm.Generator {
	g := c.generator()
	if !c.tracing.off {
		g.Observer = amtrace.NewObserver(c.tracing.provider)
	}
	return g
}
