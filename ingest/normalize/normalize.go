// Package normalize turns one OTLP span (with its resource and scope) into
// the normalized span model (span.Span): it picks a transformer by scope
// name or attribute sniffing (Vercel AI SDK, Mastra, AgentMark, OTel GenAI /
// pydantic-ai, OpenInference, OpenLLMetry), classifies the span as
// GENERATION or SPAN, extracts model, tokens, settings, I/O, tool calls,
// grouping attributes (session, user, tags, metadata), dataset / experiment
// fields and the semantic kind, and computes cost.
package normalize

import (
	"strconv"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/span"
)

// Pricer prices a model call. ok is false when the model has no price.
type Pricer interface {
	Cost(model string, u llm.Usage) (cost float64, ok bool)
}

// attrs is a flattened attribute map (values as produced by Value).
type attrs map[string]any

// Raw is one decoded OTLP span, before normalization.
type Raw struct {
	TraceID, SpanID, ParentSpanID, TraceState string

	Name          string
	Kind          int32 // OTel SpanKind (1 internal, 2 server, 3 client, 4 producer, 5 consumer)
	StartTimeNs   int64
	EndTimeNs     int64
	StatusCode    string // as sent; normalized by StatusCode
	StatusMessage string

	Attributes map[string]any
	Events     []span.Event
	Links      []span.Link
}

// Scope is the instrumentation scope of a span.
type Scope struct {
	Name, Version string
}

// Normalizer normalizes spans. The zero value normalizes without pricing
// (every cost is unknown unless the SDK reported one).
type Normalizer struct {
	// Pricer prices model calls at ingest (§F.3); nil prices nothing.
	Pricer Pricer
}

// Span normalizes a pdata span with its resource and scope, without
// pricing. See Normalizer.Span.
func Span(resource pcommon.Resource, scope pcommon.InstrumentationScope, sp ptrace.Span) span.Span {
	var n Normalizer
	return n.Span(resource, scope, sp)
}

// Span normalizes a pdata span with its resource and scope.
func (n *Normalizer) Span(resource pcommon.Resource, scope pcommon.InstrumentationScope, sp ptrace.Span) span.Span {
	return n.Normalize(Attributes(resource.Attributes()), Scope{Name: scope.Name(), Version: scope.Version()}, FromPdata(sp))
}

// FromPdata converts a pdata span to a Raw span: IDs as lowercase hex,
// attribute values via Value.
func FromPdata(sp ptrace.Span) Raw {
	r := Raw{
		Name:          sp.Name(),
		Kind:          int32(sp.Kind()),
		StartTimeNs:   int64(sp.StartTimestamp()),
		EndTimeNs:     int64(sp.EndTimestamp()),
		StatusCode:    strconv.Itoa(int(sp.Status().Code())),
		StatusMessage: sp.Status().Message(),
		TraceState:    sp.TraceState().AsRaw(),
		Attributes:    Attributes(sp.Attributes()),
	}
	if id := sp.TraceID(); !id.IsEmpty() {
		r.TraceID = id.String()
	}
	if id := sp.SpanID(); !id.IsEmpty() {
		r.SpanID = id.String()
	}
	if id := sp.ParentSpanID(); !id.IsEmpty() {
		r.ParentSpanID = id.String()
	}
	if evs := sp.Events(); evs.Len() > 0 {
		r.Events = make([]span.Event, evs.Len())
		for i := 0; i < evs.Len(); i++ {
			e := evs.At(i)
			r.Events[i] = span.Event{TimeNs: int64(e.Timestamp()), Name: e.Name()}
			if e.Attributes().Len() > 0 {
				r.Events[i].Attributes = Attributes(e.Attributes())
			}
		}
	}
	if ls := sp.Links(); ls.Len() > 0 {
		r.Links = make([]span.Link, ls.Len())
		for i := 0; i < ls.Len(); i++ {
			l := ls.At(i)
			r.Links[i] = span.Link{TraceState: l.TraceState().AsRaw()}
			if id := l.TraceID(); !id.IsEmpty() {
				r.Links[i].TraceID = id.String()
			}
			if id := l.SpanID(); !id.IsEmpty() {
				r.Links[i].SpanID = id.String()
			}
			if l.Attributes().Len() > 0 {
				r.Links[i].Attributes = Attributes(l.Attributes())
			}
		}
	}
	return r
}

// StatusCode normalizes an OTLP status code: "0"/"1"/"2" for the numeric
// and named forms, "0" when empty, anything else unchanged.
func StatusCode(c string) string {
	switch c {
	case "", "0", "STATUS_CODE_UNSET", "UNSET", "Unset":
		return "0"
	case "1", "STATUS_CODE_OK", "OK", "Ok":
		return "1"
	case "2", "STATUS_CODE_ERROR", "ERROR", "Error":
		return "2"
	}
	return c
}

// out is the transformer output plus what the pipeline needs to know but
// span.Span cannot say (whether a token count was reported at all).
type out struct {
	s        *span.Span
	meta     map[string]string
	hasIn    bool
	hasOut   bool
	sdkCost  float64
	hasCost  bool
	hasTotal bool
	amMeta   []metaKV // agentmark.metadata.*
	aiMeta   []metaKV // ai.telemetry.metadata.*
}

func (o *out) setIn(v int64)  { o.s.InputTokens, o.hasIn = v, true }
func (o *out) setOut(v int64) { o.s.OutputTokens, o.hasOut = v, true }
func (o *out) setTotal(v int64) {
	o.s.TotalTokens, o.hasTotal = v, true
}

// deriveTotal sets total = in + out when no total was reported and both
// counts were.
func (o *out) deriveTotal() {
	if !o.hasTotal && o.hasIn && o.hasOut {
		o.setTotal(o.s.InputTokens + o.s.OutputTokens)
	}
}

func (o *out) setMeta(k, v string) {
	if o.meta == nil {
		o.meta = map[string]string{}
	}
	o.meta[k] = v
}

// transformer is one integration's attribute mapping.
type transformer interface {
	classify(r *Raw, a attrs) string
	transform(r *Raw, a attrs, o *out)
}

// Normalize runs the normalization pipeline (§B.2) on one span.
func (n *Normalizer) Normalize(resourceAttrs map[string]any, scope Scope, r Raw) span.Span {
	// 1. all = {...resource, ...span} (a pooled map: nothing keeps a
	// reference to it once the span is normalized)
	a := attrsPool.Get().(attrs)
	for k, v := range resourceAttrs {
		a[k] = v
	}
	for k, v := range r.Attributes {
		a[k] = v
	}

	// 2. transformer + classification
	t := pick(scope.Name, a, r.Events)
	s := span.Span{Type: t.classify(&r, a)}

	// 3. base fields
	s.TraceID, s.SpanID, s.ParentSpanID, s.TraceState = r.TraceID, r.SpanID, r.ParentSpanID, r.TraceState
	s.StartTimeNs, s.EndTimeNs = r.StartTimeNs, r.EndTimeNs
	s.Name = r.Name
	s.Kind = strconv.Itoa(int(r.Kind))
	if v, ok := resourceAttrs["service.name"]; ok && v != nil {
		s.ServiceName = jsString(v)
	}
	s.StatusCode = StatusCode(r.StatusCode)
	s.StatusMsg = r.StatusMessage
	if len(resourceAttrs) > 0 {
		s.ResourceAttributes = resourceAttrs
	}
	if len(r.Attributes) > 0 {
		s.SpanAttributes = r.Attributes
	}
	s.Events, s.Links = r.Events, r.Links

	// 4. transformer output
	o := &out{s: &s}
	scanMetadata(a, o)
	t.transform(&r, a, o)

	// Universal snake_case promotion from agentmark.metadata.* (fills only
	// what the transformer left empty; §K.7 resolved as "promote
	// universally").
	parseMetadata(a, prefixAMMeta, o, true)

	// 5. agentmark.* direct keys override transformer output.
	parseAgentMarkAttributes(a, &s)

	// SDK-reported cost (Claude Agent SDK adapter), used when no registry
	// price applies.
	if c, ok := number(a["agentmark.usage.cost_usd"]); ok && c > 0 {
		o.sdkCost, o.hasCost = c, true
	}

	// 5a. custom agentmark.metadata.* wins over transformer metadata.
	extractCustomMetadata(a, prefixAMMeta, o)
	if len(o.meta) > 0 {
		s.Metadata = o.meta
	}

	// 5b. gen_ai.conversation.id fallback.
	if s.SessionID == "" {
		if v, ok := a["gen_ai.conversation.id"]; ok && v != nil {
			s.SessionID = jsString(v)
		}
	}

	// 6. semantic kind
	s.SemanticKind = resolveSemanticKind(&s, a, r.Events)

	// Tags (§B.6) and cost (§F.3).
	s.Tags = Tags(a["agentmark.tags"])
	n.cost(o)
	if len(a) <= maxPooledAttrs {
		clear(a)
		attrsPool.Put(a)
	}
	return s
}

// attrsPool recycles the merged attribute maps of Normalize (clear keeps
// a map's buckets); maps that grew past maxPooledAttrs are dropped.
var attrsPool = sync.Pool{New: func() any { return make(attrs, 64) }}

const maxPooledAttrs = 256
