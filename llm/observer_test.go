package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/mock"
)

type ctxKey struct{}

// recorder is an Observer that logs calls and tags the contexts it
// returns, to check that tools run under their model call's context.
type recorder struct {
	mu  sync.Mutex
	log []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.log = append(r.log, s)
	r.mu.Unlock()
}

func (r *recorder) ModelCall(ctx context.Context, info llm.ModelCallInfo) (context.Context, func(llm.ModelCallEnd)) {
	r.add(fmt.Sprintf("model %d %s %s stream=%v msgs=%d", info.Step, info.Provider, info.Model, info.Stream, len(info.Text.Messages)))
	return context.WithValue(ctx, ctxKey{}, fmt.Sprint("step", info.Step)), func(e llm.ModelCallEnd) {
		r.add(fmt.Sprintf("model end %d finish=%s calls=%d err=%v", info.Step, e.Response.FinishReason, len(e.Response.ToolCalls), e.Err))
	}
}

func (r *recorder) ToolCall(ctx context.Context, call llm.ToolCall) (context.Context, func(llm.ToolResult)) {
	r.add(fmt.Sprintf("tool %s under %v", call.Name, ctx.Value(ctxKey{})))
	return context.WithValue(ctx, ctxKey{}, "tool"), func(res llm.ToolResult) {
		r.add(fmt.Sprintf("tool end %s %s err=%v", res.ToolName, res.Result, res.IsError))
	}
}

func TestObserverHooks(t *testing.T) {
	reg := llm.NewRegistry()
	reg.AddProvider("mock", mock.New())
	rec := &recorder{}
	var toolCtx any
	g := &llm.Generator{Registry: reg, Observer: rec, Tools: map[string]llm.Tool{"lookup": {Name: "lookup",
		Parameters: json.RawMessage(`{"type":"object","properties":{}}`),
		Execute: func(ctx context.Context, args json.RawMessage) (any, error) {
			toolCtx = ctx.Value(ctxKey{})
			return 42, nil
		}}}}
	call := &llm.Call{Kind: llm.KindText, ModelName: "mock/echo", ToolNames: []string{"lookup"},
		Request: llm.TextRequest{Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{{Type: llm.PartText, Text: "hi"}}}}}}
	for _, stream := range []bool{false, true} {
		rec.log = nil
		var onEvent func(llm.Event) error
		if stream {
			onEvent = func(llm.Event) error { return nil }
		}
		if _, err := g.Run(context.Background(), call, onEvent); err != nil {
			t.Fatal(err)
		}
		want := []string{
			fmt.Sprintf("model 0 mock echo stream=%v msgs=1", stream),
			"model end 0 finish=tool-calls calls=1 err=<nil>",
			"tool lookup under step0",
			"tool end lookup 42 err=false",
			fmt.Sprintf("model 1 mock echo stream=%v msgs=3", stream),
			"model end 1 finish=stop calls=0 err=<nil>",
		}
		if fmt.Sprint(rec.log) != fmt.Sprint(want) {
			t.Errorf("stream=%v:\n got %q\nwant %q", stream, rec.log, want)
		}
		if toolCtx != "tool" {
			t.Errorf("tool ran with %v", toolCtx)
		}
	}
}
