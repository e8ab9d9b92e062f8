package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentmark-go/agentmark/webhook"
)

// Golden vectors of cli-eval-deploy §C.6.
func TestSignGolden(t *testing.T) {
	cases := []struct{ secret, payload, want string }{
		{"topsecret", "the-payload", "sha256=e2318c8346c48ec01fc9925c1c85c623a7912dc342ac7f3284367d6226c20ab2"},
		{"", "msg", "sha256=c64f760d4ac43efdf7fb2398257f0c0b43b5375bd5048e9485894264f8a09fd0"},
		{"s3cr3t", `{"type":"prompt-run","data":{"ast":{"type":"root","children":[]},"options":{"shouldStream":true}}}`,
			"sha256=cfc3b073a88e6b4c572d6882e316a34d059f3fab05e13db7a466bfa3820002c5"},
	}
	for _, c := range cases {
		if got := webhook.Sign(c.secret, []byte(c.payload)); got != c.want {
			t.Errorf("Sign(%q): %s want %s", c.secret, got, c.want)
		}
		if !webhook.Verify(c.secret, c.want, []byte(c.payload)) {
			t.Errorf("Verify(%q) failed", c.secret)
		}
		// The prefix is not checked (reference quirk).
		if !webhook.Verify(c.secret, "md5="+strings.TrimPrefix(c.want, "sha256="), []byte(c.payload)) {
			t.Error("prefix checked")
		}
	}
	if !webhook.Verify("DEFAULT", webhook.Sign("", []byte("x")), []byte("x")) {
		t.Error("empty secret must mean DEFAULT")
	}
	for _, bad := range []string{"", "nohex", "sha256=", "sha256=zz", webhook.Sign("other", []byte("msg"))} {
		if webhook.Verify("topsecret", bad, []byte("msg")) {
			t.Errorf("verified %q", bad)
		}
	}
}

func TestVerifyBodyReserialized(t *testing.T) {
	compact := `{"a":"<b>&","n":1}`
	sig := webhook.Sign("k", []byte(compact))
	if !webhook.VerifyBody("k", sig, []byte("{ \"a\": \"<b>&\",\n \"n\": 1.0 }")) {
		t.Error("JS re-serialization not accepted")
	}
	if webhook.VerifyBody("k", sig, []byte(`{"a":"x"}`)) {
		t.Error("different body verified")
	}
}

func TestPayloadShapes(t *testing.T) {
	alert := webhook.AlertEvent(webhook.AlertData{Alert: webhook.Alert{ID: "a1", CurrentValue: 12.5, Threshold: 10, Status: "resolved",
		TimeWindow: 60, Type: "cost", CommitSha: "abc", EvaluationName: "x"}, Message: "Cost <high> & rising", Timestamp: 1712764245000})
	b, err := webhook.Marshal(webhook.Envelope{Event: alert})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event":{"type":"alert","data":{"alert":{"id":"a1","currentValue":12.5,"threshold":10,"status":"resolved","timeWindow":60,"type":"cost"},` +
		`"message":"Cost <high> & rising","timestamp":1712764245000}}}`
	if string(b) != want {
		t.Errorf("alert\n%s\nwant\n%s", b, want)
	}
	ev := webhook.AlertEvent(webhook.AlertData{Alert: webhook.Alert{ID: "a2", Status: "triggered", Type: "evaluation_score", CommitSha: "abc",
		EvaluationName: "acc", EvaluationAggregation: "avg", EvaluationThresholdDirection: "below"}})
	b, _ = webhook.Marshal(webhook.Envelope{Event: ev})
	for _, k := range []string{`"commitSha":"abc"`, `"evaluationName":"acc"`, `"evaluationAggregation":"avg"`, `"evaluationThresholdDirection":"below"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("missing %s in %s", k, b)
		}
	}
	pr, err := webhook.PromptRunEvent(json.RawMessage(`{"type":"root","children":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = webhook.Marshal(webhook.Envelope{Event: pr})
	if string(b) != `{"event":{"type":"prompt-run","data":{"prompt":{"type":"root","children":[]}}}}` {
		t.Errorf("prompt-run %s", b)
	}
	ds := webhook.DatasetRunEvent(webhook.DatasetRunData{PromptPath: "p.prompt.mdx", Dataset: []json.RawMessage{json.RawMessage(`{"input":{}}`)},
		DatasetPath: "d.jsonl", RunID: "r", RunName: "n"})
	b, _ = webhook.Marshal(webhook.Envelope{Event: ds})
	if string(b) != `{"event":{"type":"dataset-run","data":{"promptPath":"p.prompt.mdx","dataset":[{"input":{}}],"datasetPath":"d.jsonl","runId":"r","runName":"n"}}}` {
		t.Errorf("dataset-run %s", b)
	}
}

type receiver struct {
	mu       sync.Mutex
	statuses []int // answered in order, then 200
	bodies   []string
	sigs     []string
	delay    time.Duration
	header   http.Header
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, string(b))
	r.sigs = append(r.sigs, req.Header.Get(webhook.SignatureHeader))
	status := 200
	if n := len(r.bodies); n <= len(r.statuses) {
		status = r.statuses[n-1]
	}
	for k, v := range r.header {
		w.Header()[k] = v
	}
	delay := r.delay
	r.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"message":"Alert processed"}`)
}

func TestSenderRetriesWithBackoff(t *testing.T) {
	rec := &receiver{statuses: []int{503, 500, 429}, header: http.Header{}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var sleeps []time.Duration
	log := &webhook.MemoryLog{}
	s := &webhook.Sender{URL: srv.URL, Secret: "topsecret", InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second,
		Log: log, Jitter: func() float64 { return 0.5 },
		Sleep: func(ctx context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}
	d, err := s.Send(context.Background(), webhook.AlertEvent(webhook.AlertData{Alert: webhook.Alert{ID: "a", Status: "triggered", Type: "latency"}, Message: "m", Timestamp: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Succeeded || len(d.Attempts) != 4 || d.StatusCode != 200 {
		t.Fatalf("delivery %+v", d)
	}
	// Full jitter at 0.5: 50ms, 100ms, 200ms.
	want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}
	if len(sleeps) != 3 || sleeps[0] != want[0] || sleeps[1] != want[1] || sleeps[2] != want[2] {
		t.Errorf("sleeps %v want %v", sleeps, want)
	}
	for i, sig := range rec.sigs {
		if !webhook.Verify("topsecret", sig, []byte(rec.bodies[i])) || rec.bodies[i] != string(d.Payload) {
			t.Errorf("attempt %d signature %s", i, sig)
		}
	}
	got, ok := log.Get(d.ID)
	if !ok || !got.Succeeded || len(got.Attempts) != 4 || got.Attempts[0].StatusCode != 503 || got.Attempts[0].Delay != want[0] ||
		got.Attempts[3].Response != `{"message":"Alert processed"}` || len(log.List()) != 1 {
		t.Errorf("log %+v", got)
	}
}

func TestSenderRetryAfterAndGiveUp(t *testing.T) {
	rec := &receiver{statuses: []int{429, 502, 502, 502, 502}, header: http.Header{"Retry-After": {"2"}}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var sleeps []time.Duration
	s := &webhook.Sender{URL: srv.URL, MaxAttempts: 3, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 5 * time.Second,
		Jitter: func() float64 { return 0 },
		Sleep:  func(ctx context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}
	d, err := s.SendRaw(context.Background(), "alert", []byte(`{}`))
	var de *webhook.DeliveryError
	if !errors.As(err, &de) || d.Succeeded || len(d.Attempts) != 3 || d.StatusCode != 502 || !strings.Contains(err.Error(), "HTTP 502") {
		t.Fatalf("%v %+v", err, d)
	}
	if len(sleeps) != 2 || sleeps[0] != 2*time.Second || sleeps[1] != 2*time.Second {
		t.Errorf("Retry-After not honored: %v", sleeps)
	}
}

func TestSenderNoRetryOn4xx(t *testing.T) {
	rec := &receiver{statuses: []int{401}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	s := &webhook.Sender{URL: srv.URL, Sleep: func(context.Context, time.Duration) error { t.Error("slept"); return nil }}
	d, err := s.SendRaw(context.Background(), "alert", []byte(`{}`))
	if err == nil || len(d.Attempts) != 1 || d.StatusCode != 401 {
		t.Errorf("%v %+v", err, d)
	}
}

func TestSenderTimeoutAndNetworkErrors(t *testing.T) {
	rec := &receiver{delay: 300 * time.Millisecond}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var n atomic.Int32
	s := &webhook.Sender{URL: srv.URL, MaxAttempts: 2, Timeout: 50 * time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { n.Add(1); return nil }}
	d, err := s.SendRaw(context.Background(), "alert", []byte(`{}`))
	if err == nil || len(d.Attempts) != 2 || n.Load() != 1 || !strings.Contains(d.Attempts[0].Error, "deadline") {
		t.Errorf("timeout: %v %+v", err, d)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	s = &webhook.Sender{URL: url, MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil }}
	d, err = s.SendRaw(context.Background(), "alert", []byte(`{}`))
	if err == nil || len(d.Attempts) != 2 || d.Attempts[1].Error == "" {
		t.Errorf("network: %v %+v", err, d)
	}
	// Cancellation stops retrying.
	ctx, cancel := context.WithCancel(context.Background())
	s = &webhook.Sender{URL: url, MaxAttempts: 5, InitialBackoff: time.Hour}
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	if _, err := s.SendRaw(ctx, "alert", []byte(`{}`)); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("cancel: %v", err)
	}
}

func TestMemoryLogBounded(t *testing.T) {
	l := &webhook.MemoryLog{Max: 2}
	for _, id := range []string{"a", "b", "c", "c"} {
		_ = l.Record(context.Background(), webhook.Delivery{ID: id})
	}
	list := l.List()
	if len(list) != 2 || list[0].ID != "b" || list[1].ID != "c" {
		t.Errorf("%+v", list)
	}
}

// A Sender's delivery is accepted by Receive on the other end.
func TestSenderToReceiver(t *testing.T) {
	var got []*webhook.Incoming
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := webhook.Receive(r, "k", 0)
		switch {
		case errors.Is(err, webhook.ErrMissingSignature), errors.Is(err, webhook.ErrInvalidSignature):
			w.WriteHeader(401)
			return
		case err != nil:
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		got = append(got, in)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"message":"Alert processed"}`)
	}))
	defer srv.Close()
	s := &webhook.Sender{URL: srv.URL, Secret: "k"}
	if _, err := s.Send(context.Background(), webhook.AlertEvent(webhook.AlertData{Alert: webhook.Alert{ID: "x", Status: "triggered", Type: "cost"}, Timestamp: 5})); err != nil {
		t.Fatal(err)
	}
	var ad webhook.AlertData
	if len(got) != 1 || got[0].Type != "alert" || json.Unmarshal(got[0].Data, &ad) != nil || ad.Alert.ID != "x" || ad.Timestamp != 5 {
		t.Errorf("%+v", got)
	}
	bad := &webhook.Sender{URL: srv.URL, Secret: "wrong", MaxAttempts: 1}
	if d, err := bad.Send(context.Background(), webhook.AlertEvent(webhook.AlertData{})); err == nil || d.StatusCode != 401 {
		t.Errorf("wrong secret accepted: %v", err)
	}
}
