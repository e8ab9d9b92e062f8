package experiment

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/eval"
	"github.com/agentmark-go/agentmark/eval/dataset"
	"github.com/agentmark-go/agentmark/jsvalue"
)

type hooks struct {
	mu    sync.Mutex
	items []*Item
	ended int
}

func (h *hooks) StartItem(ctx context.Context, it *Item) (context.Context, func(*Row)) {
	h.mu.Lock()
	h.items = append(h.items, it)
	h.mu.Unlock()
	return ctx, func(*Row) { h.mu.Lock(); h.ended++; h.mu.Unlock() }
}

func rows(n int) dataset.Slice {
	var s dataset.Slice
	for i := 0; i < n; i++ {
		o := jsvalue.NewObject()
		o.Set("i", float64(i))
		s = append(s, dataset.Row{Input: o, ExpectedOutput: "x", Metadata: jsvalue.Undefined})
	}
	return s
}

func TestRunConcurrencyHooksAndFailures(t *testing.T) {
	var inflight, peak atomic.Int64
	h := &hooks{}
	var got []*Row
	runID, err := Run(context.Background(), Config{
		Rows: rows(50).Rows(), Concurrency: 5, RunName: "n", ExperimentKey: "k", DatasetPath: "d.jsonl", Hooks: h,
		Task: func(ctx context.Context, it *Item) (Output, error) {
			n := inflight.Add(1)
			defer inflight.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			if c, ok := FromContext(ctx); !ok || c != it {
				t.Error("item not in context")
			}
			switch it.Index {
			case 3:
				return Output{}, errors.New("provider down")
			case 4:
				panic("boom")
			}
			return Output{Value: "x"}, nil
		},
		Evaluators: []Evaluator{{Name: "eq", Func: func(ctx context.Context, p eval.Params) (eval.Result, error) {
			if p.Input.(map[string]any)["i"] == 5.0 {
				return eval.Result{}, errors.New("eval broke")
			}
			return eval.PassFail(p.Output == p.ExpectedOutput, ""), nil
		}}},
		OnRow: func(r *Row) { got = append(got, r) },
	})
	if err != nil || runID == "" {
		t.Fatal(err)
	}
	if len(got) != 50 || peak.Load() > 5 || peak.Load() < 2 || len(h.items) != 50 || h.ended != 50 {
		t.Fatalf("rows %d peak %d hooks %d/%d", len(got), peak.Load(), len(h.items), h.ended)
	}
	fails := map[int]string{}
	for _, r := range got {
		if r.Item.RunID != runID || r.Item.RunName != "n" || r.Item.ExperimentKey != "k" || r.Item.DatasetPath != "d.jsonl" || r.Item.ItemName == "" {
			t.Fatalf("item %+v", r.Item)
		}
		if r.Err != nil {
			fails[r.Item.Index] = r.Err.Error()
		} else if len(r.Evals) != 1 || !*r.Evals[0].Passed {
			t.Errorf("row %d evals %+v", r.Item.Index, r.Evals)
		}
	}
	if len(fails) != 3 || fails[3] != "provider down" || !strings.Contains(fails[4], "panic: boom") || fails[5] != "eval eq: eval broke" {
		t.Fatal(fails)
	}
}

func TestRunStopsAtDatasetError(t *testing.T) {
	bad := func(yield func(dataset.Row, error) bool) {
		for i, r := range rows(3) {
			r.Index = i
			if !yield(r, nil) {
				return
			}
		}
		yield(dataset.Row{}, errors.New("bad row"))
	}
	n := 0
	_, err := Run(context.Background(), Config{Rows: bad, Concurrency: 2,
		Task:  func(ctx context.Context, it *Item) (Output, error) { return Output{Value: "x"}, nil },
		OnRow: func(r *Row) { n++ }})
	if err == nil || err.Error() != "bad row" || n != 3 {
		t.Fatal(err, n)
	}
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Run(ctx, Config{Rows: rows(1000).Rows(), Concurrency: 2,
		Task: func(ctx context.Context, it *Item) (Output, error) {
			if it.Ordinal == 5 {
				cancel()
			}
			return Output{Value: "x"}, nil
		},
		OnRow: func(r *Row) { n++ }})
	if !errors.Is(err, context.Canceled) || n > 20 {
		t.Fatal(err, n)
	}
}
