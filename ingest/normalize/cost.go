package normalize

import (
	"github.com/agentmark-go/agentmark/llm"
)

// cost implements §F.3: a span with a model and both token counts is
// priced by the Pricer (never when it ended in error); otherwise, or when
// the model has no price, the SDK-reported cost (agentmark.usage.cost_usd)
// is kept. CostKnown says whether the cost is known; gen_ai.usage.cost is
// injected into SpanAttributes whenever it is.
func (n *Normalizer) cost(o *out) {
	s := o.s
	if s.Model != "" && o.hasIn && o.hasOut {
		if n.Pricer != nil && s.StatusCode != "2" {
			u := llm.Usage{
				InputTokens:       int(s.InputTokens),
				OutputTokens:      int(s.OutputTokens),
				TotalTokens:       int(s.TotalTokens),
				CachedInputTokens: int(s.CachedTokens),
				ReasoningTokens:   int(s.ReasoningTokens),
			}
			if c, ok := n.Pricer.Cost(s.Model, u); ok {
				s.Cost, s.CostKnown = c, true
				injectCost(s.SpanAttributes, o)
				return
			}
		}
		if o.hasCost {
			s.Cost, s.CostKnown = o.sdkCost, true
			injectCost(s.SpanAttributes, o)
		}
		return
	}
	if o.hasCost {
		s.Cost, s.CostKnown = o.sdkCost, true
	}
}

func injectCost(m map[string]any, o *out) {
	if m == nil {
		m = map[string]any{}
		o.s.SpanAttributes = m
	}
	m["gen_ai.usage.cost"] = o.s.Cost
}

// Usage is a token usage with optional fields (nil = not reported).
type Usage struct {
	InputTokens  *int64 `json:"inputTokens"`
	OutputTokens *int64 `json:"outputTokens"`
	TotalTokens  *int64 `json:"totalTokens"`
}

// FinalizeUsage fills in TotalTokens when the provider omitted it (input +
// output, a missing side counting as 0) and trusts it when reported. It
// returns nil when nothing was reported.
func FinalizeUsage(u Usage) *Usage {
	if u.InputTokens == nil && u.OutputTokens == nil && u.TotalTokens == nil {
		return nil
	}
	r := u
	if r.TotalTokens == nil {
		var t int64
		if r.InputTokens != nil {
			t += *r.InputTokens
		}
		if r.OutputTokens != nil {
			t += *r.OutputTokens
		}
		r.TotalTokens = &t
	}
	return &r
}
