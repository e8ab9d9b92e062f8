package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Delivery defaults.
const (
	DefaultMaxAttempts    = 5
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultTimeout        = 10 * time.Second
)

// Sender delivers signed webhook events to one endpoint, retrying
// failures (network errors, timeouts, 408, 425, 429 and 5xx) with
// exponential backoff and full jitter, and records every attempt in Log.
// The zero value (with URL set) uses the defaults above.
type Sender struct {
	URL    string
	Secret string
	// Client sends the requests; nil: a client without a global timeout
	// (each attempt is bounded by Timeout).
	Client *http.Client
	// MaxAttempts bounds the attempts per delivery (0: DefaultMaxAttempts).
	MaxAttempts int
	// InitialBackoff is the base delay before the 2nd attempt; it doubles
	// per attempt up to MaxBackoff. The actual delay is uniform in
	// [0, backoff] ("full jitter"). A Retry-After header, when longer,
	// wins (capped at MaxBackoff).
	InitialBackoff, MaxBackoff time.Duration
	// Timeout bounds one attempt (0: DefaultTimeout).
	Timeout time.Duration
	// Header is added to every request.
	Header http.Header
	// Log records deliveries and attempts; nil: not recorded.
	Log DeliveryLog
	// Sleep waits between attempts; nil: a timer honoring ctx. (Tests.)
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a value in [0,1); nil: math/rand.
	Jitter func() float64
	// Now stamps attempts; nil: time.Now.
	Now func() time.Time
}

// Attempt is one HTTP attempt of a delivery.
type Attempt struct {
	Number     int           `json:"number"`
	Start      time.Time     `json:"start"`
	Duration   time.Duration `json:"duration"`
	StatusCode int           `json:"statusCode,omitempty"`
	// Response is the start of the response body (at most 4 KiB).
	Response string `json:"response,omitempty"`
	Error    string `json:"error,omitempty"`
	// Delay is the wait before the next attempt (0 on the last one).
	Delay time.Duration `json:"delay,omitempty"`
}

// Delivery is the record of one event sent to one endpoint.
type Delivery struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	EventType string    `json:"eventType"`
	Payload   []byte    `json:"payload"`
	Signature string    `json:"signature"`
	Attempts  []Attempt `json:"attempts"`
	// Succeeded: some attempt got a 2xx.
	Succeeded  bool      `json:"succeeded"`
	StatusCode int       `json:"statusCode,omitempty"`
	Error      string    `json:"error,omitempty"`
	Created    time.Time `json:"created"`
	Finished   time.Time `json:"finished"`
}

// DeliveryLog stores delivery records.
type DeliveryLog interface {
	// Record stores d (called on creation, after every attempt, and when
	// the delivery finishes; the same ID is recorded again as it
	// progresses).
	Record(ctx context.Context, d Delivery) error
}

// DeliveryError is returned when every attempt failed or the endpoint
// answered with a non-retryable status.
type DeliveryError struct {
	Delivery *Delivery
}

func (e *DeliveryError) Error() string {
	d := e.Delivery
	if d.StatusCode != 0 {
		return fmt.Sprintf("webhook delivery to %s failed after %d attempt(s): HTTP %d", d.URL, len(d.Attempts), d.StatusCode)
	}
	return fmt.Sprintf("webhook delivery to %s failed after %d attempt(s): %s", d.URL, len(d.Attempts), d.Error)
}

// Send delivers ev wrapped as {"event":{"type","data"}}.
func (s *Sender) Send(ctx context.Context, ev Event) (*Delivery, error) {
	body, err := Marshal(Envelope{Event: ev})
	if err != nil {
		return nil, err
	}
	return s.SendRaw(ctx, ev.Type, body)
}

// SendRaw delivers an already encoded body (signed as is).
func (s *Sender) SendRaw(ctx context.Context, eventType string, body []byte) (*Delivery, error) {
	if s.URL == "" {
		return nil, errors.New("webhook: Sender.URL is empty")
	}
	now := s.now()
	d := &Delivery{ID: newID(), URL: s.URL, EventType: eventType, Payload: body, Signature: Sign(s.Secret, body), Created: now}
	s.record(ctx, d)
	maxAttempts := s.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	for n := 1; ; n++ {
		a, retryAfter, retryable := s.attempt(ctx, d, n)
		d.StatusCode, d.Error = a.StatusCode, a.Error
		if a.StatusCode/100 == 2 {
			d.Succeeded = true
		}
		last := d.Succeeded || !retryable || n >= maxAttempts || ctx.Err() != nil
		if !last {
			a.Delay = s.backoff(n, retryAfter)
		}
		d.Attempts = append(d.Attempts, a)
		if last {
			d.Finished = s.now()
			s.record(ctx, d)
			if d.Succeeded {
				return d, nil
			}
			if d.Error == "" && ctx.Err() != nil {
				d.Error = ctx.Err().Error()
			}
			return d, &DeliveryError{Delivery: d}
		}
		s.record(ctx, d)
		if err := s.sleep(ctx, a.Delay); err != nil {
			d.Error = err.Error()
			d.Finished = s.now()
			s.record(ctx, d)
			return d, &DeliveryError{Delivery: d}
		}
	}
}

func (s *Sender) attempt(ctx context.Context, d *Delivery, n int) (a Attempt, retryAfter time.Duration, retryable bool) {
	a = Attempt{Number: n, Start: s.now()}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		a.Error = err.Error()
		return a, 0, false
	}
	for k, vs := range s.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, d.Signature)
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	a.Duration = s.now().Sub(a.Start)
	if err != nil {
		a.Error = err.Error()
		return a, 0, ctx.Err() == nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	a.StatusCode, a.Response = resp.StatusCode, string(b)
	a.Duration = s.now().Sub(a.Start)
	switch {
	case resp.StatusCode/100 == 2:
		return a, 0, false
	case resp.StatusCode == 408, resp.StatusCode == 425, resp.StatusCode == 429, resp.StatusCode >= 500:
		return a, parseRetryAfter(resp.Header.Get("Retry-After"), s.now()), true
	}
	return a, 0, false
}

// backoff is the wait after attempt n (1-based): full jitter over
// min(max, initial·2^(n-1)), or Retry-After when that is longer.
func (s *Sender) backoff(n int, retryAfter time.Duration) time.Duration {
	initial, maxB := s.InitialBackoff, s.MaxBackoff
	if initial <= 0 {
		initial = DefaultInitialBackoff
	}
	if maxB <= 0 {
		maxB = DefaultMaxBackoff
	}
	b := float64(initial) * math.Pow(2, float64(n-1))
	if b > float64(maxB) {
		b = float64(maxB)
	}
	j := mrand.Float64
	if s.Jitter != nil {
		j = s.Jitter
	}
	d := time.Duration(b * j())
	if retryAfter > d {
		d = min(retryAfter, maxB)
	}
	return d
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) record(ctx context.Context, d *Delivery) {
	if s.Log == nil {
		return
	}
	c := *d
	c.Attempts = append([]Attempt(nil), d.Attempts...)
	_ = s.Log.Record(ctx, c)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MemoryLog is an in-memory DeliveryLog that keeps the most recent Max
// deliveries (0: 1000).
type MemoryLog struct {
	Max int

	mu    sync.Mutex
	order []string
	byID  map[string]Delivery
}

// Record implements DeliveryLog.
func (l *MemoryLog) Record(_ context.Context, d Delivery) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID == nil {
		l.byID = map[string]Delivery{}
	}
	if _, ok := l.byID[d.ID]; !ok {
		l.order = append(l.order, d.ID)
		max := l.Max
		if max <= 0 {
			max = 1000
		}
		for len(l.order) > max {
			delete(l.byID, l.order[0])
			l.order = l.order[1:]
		}
	}
	l.byID[d.ID] = d
	return nil
}

// List returns the deliveries, oldest first.
func (l *MemoryLog) List() []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Delivery, 0, len(l.order))
	for _, id := range l.order {
		out = append(out, l.byID[id])
	}
	return out
}

// Get returns one delivery by ID.
func (l *MemoryLog) Get(id string) (Delivery, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, ok := l.byID[id]
	return d, ok
}
