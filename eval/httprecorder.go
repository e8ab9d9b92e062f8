package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ScorePoster posts the scores of experiment rows to
// POST <BaseURL>/v1/scores (cli-eval-deploy §E.7): one score per eval,
// attached to the row's trace, fire-and-forget. Posting never fails a run:
// the first failure is reported once on ErrorLog. Wait bounds how long a
// caller waits for the posts in flight before exiting.
type ScorePoster struct {
	BaseURL string // e.g. http://localhost:9418
	APIKey  string // sent raw in Authorization (no "Bearer")
	AppID   string // X-Agentmark-App-Id
	// Client defaults to a client with a Timeout of 5 s.
	Client *http.Client
	// ErrorLog receives the first failure (nil: not reported).
	ErrorLog io.Writer

	wg       sync.WaitGroup
	mu       sync.Mutex
	reported bool
}

// ScoreBody is the POST /v1/scores body of one eval of a row (§E.7), and
// false when the eval has neither a numeric score nor a boolean passed.
func ScoreBody(traceID string, e Named) (map[string]any, bool) {
	var score float64
	label := e.Label
	switch {
	case e.DataType != "" && e.Score != nil && e.Label != "":
		score = *e.Score
	case e.Score != nil || e.Passed != nil:
		if label == "" {
			switch {
			case e.Passed == nil:
				label = "N/A"
			case *e.Passed:
				label = "PASS"
			default:
				label = "FAIL"
			}
		}
		switch {
		case e.Score != nil:
			score = *e.Score
		case *e.Passed:
			score = 1
		}
	default:
		return nil, false
	}
	return map[string]any{
		"resource_id": traceID, "name": e.Name, "score": score, "label": label, "reason": e.Reason,
		"type": "experiment", "source": "experiment", "data_type": e.DataType,
	}, true
}

// Post sends the scores of one row in the background. A row without a
// trace id or evals posts nothing.
func (p *ScorePoster) Post(traceID string, evals []Named) {
	if p == nil || p.BaseURL == "" || traceID == "" {
		return
	}
	for _, e := range evals {
		body, ok := ScoreBody(traceID, e)
		if !ok {
			continue
		}
		b, err := json.Marshal(body)
		if err != nil {
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.post(b)
		}()
	}
}

func (p *ScorePoster) post(body []byte) {
	c := p.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(p.BaseURL, "/")+"/v1/scores", bytes.NewReader(body))
	if err != nil {
		p.fail(err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if p.APIKey != "" {
		req.Header.Set("Authorization", p.APIKey)
	}
	if p.AppID != "" {
		req.Header.Set("X-Agentmark-App-Id", p.AppID)
	}
	resp, err := c.Do(req)
	if err != nil {
		p.fail(err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		p.fail(fmt.Errorf("HTTP %d", resp.StatusCode))
	}
}

func (p *ScorePoster) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reported || p.ErrorLog == nil {
		p.reported = true
		return
	}
	p.reported = true
	fmt.Fprintf(p.ErrorLog, "⚠️  AgentMark: could not post experiment scores to %s: %v\n", p.BaseURL, err)
}

// Wait waits for the posts in flight, at most timeout; it reports whether
// they all finished.
func (p *ScorePoster) Wait(timeout time.Duration) bool {
	if p == nil {
		return true
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}
