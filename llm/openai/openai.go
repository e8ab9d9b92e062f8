// Package openai is the provider for the OpenAI API and every
// OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter, ...):
// chat completions (streaming or not, tools, structured outputs), image
// generation and text to speech, over plain net/http.
//
// It registers the "openai" provider type with llm.RegisterProviderFactory.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentmark-go/agentmark/llm"
)

func init() {
	llm.RegisterProviderFactory("openai", func(cfg llm.ProviderConfig) (llm.Provider, error) { return New(cfg) })
}

// DefaultBaseURL is the public OpenAI endpoint.
const DefaultBaseURL = "https://api.openai.com/v1"

// Provider talks to one OpenAI-compatible endpoint.
type Provider struct {
	name    string
	baseURL string
	apiKey  string
	headers map[string]string
	client  *http.Client
	// official is true for api.openai.com: parameters the public API
	// rejects (top_k) are then not sent.
	official bool
	// Timeout bounds one HTTP attempt (default 10 minutes; the caller's
	// context bounds the whole call).
	Timeout time.Duration
	// MaxRetries bounds the retries of 429, 408/409, 5xx, connection
	// failures and attempt timeouts (default 2).
	MaxRetries int
	// RetryBaseDelay is the first backoff (doubled each retry, with
	// jitter, capped at 8s) when the server sends no Retry-After.
	RetryBaseDelay time.Duration
	// MaxRetryAfter caps a server's Retry-After (default 60s); a longer
	// requested wait fails the call instead.
	MaxRetryAfter time.Duration
}

var defaultClient = &http.Client{Transport: &http.Transport{
	Proxy:               http.ProxyFromEnvironment,
	DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:   true,
	MaxIdleConns:        100,
	MaxIdleConnsPerHost: 32,
	IdleConnTimeout:     90 * time.Second,
	TLSHandshakeTimeout: 10 * time.Second,
}}

// New returns a provider for cfg. An empty BaseURL means the public
// OpenAI API, which then requires an API key.
func New(cfg llm.ProviderConfig) (*Provider, error) {
	name := cfg.Name
	if name == "" {
		name = "openai"
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("base URL %q must start with http:// or https://", base)
	}
	official := strings.HasPrefix(base, "https://api.openai.com")
	if official && cfg.APIKey == "" {
		env := cfg.APIKeyEnv
		if env == "" {
			env = "OPENAI_API_KEY"
		}
		return nil, fmt.Errorf("%s is not set (put it in the environment or in .env)", env)
	}
	p := &Provider{
		name: name, baseURL: base, apiKey: cfg.APIKey, headers: cfg.Headers,
		client: cfg.HTTPClient, official: official,
		Timeout: cfg.Timeout, MaxRetries: 2, RetryBaseDelay: 500 * time.Millisecond, MaxRetryAfter: 60 * time.Second,
	}
	if p.client == nil {
		p.client = defaultClient
	}
	if p.Timeout == 0 {
		p.Timeout = 10 * time.Minute
	}
	if cfg.MaxRetries != nil {
		p.MaxRetries = max(*cfg.MaxRetries, 0)
	}
	return p, nil
}

// Name implements llm.Provider.
func (p *Provider) Name() string { return p.name }

// BaseURL is the endpoint the provider calls.
func (p *Provider) BaseURL() string { return p.baseURL }

// do POSTs body to path with retries and returns a 2xx response (the
// caller closes its body) and the cancel func of the attempt's context.
func (p *Provider) do(ctx context.Context, path string, body []byte, stream bool) (*http.Response, context.CancelFunc, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		resp, cancel, err := p.once(ctx, path, body, stream)
		if err == nil {
			return resp, cancel, nil
		}
		lastErr = err
		if ctx.Err() != nil || !llm.IsRetryable(err) || attempt >= p.MaxRetries {
			return nil, nil, lastErr
		}
		wait := p.backoff(attempt)
		var ae *llm.APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			if ae.RetryAfter > p.MaxRetryAfter {
				return nil, nil, lastErr
			}
			wait = ae.RetryAfter
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, fmt.Errorf("%w (after %d attempt(s); last error: %v)", ctx.Err(), attempt+1, lastErr)
		case <-t.C:
		}
	}
}

func (p *Provider) backoff(attempt int) time.Duration {
	d := p.RetryBaseDelay << attempt
	if d > 8*time.Second || d <= 0 {
		d = 8 * time.Second
	}
	// ±20% jitter
	j := time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return j
}

func (p *Provider) once(ctx context.Context, path string, body []byte, stream bool) (*http.Response, context.CancelFunc, error) {
	actx, cancel := context.WithTimeout(ctx, p.Timeout)
	req, err := http.NewRequestWithContext(actx, http.MethodPost, p.baseURL+path, bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", "agentmark-go")
	if p.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.apiKey)
	}
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		timedOut := actx.Err() != nil
		cancel()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		msg := p.scrub(err.Error())
		if timedOut {
			msg = fmt.Sprintf("request timed out after %s", p.Timeout)
		} else {
			var ue interface{ Unwrap() error }
			if errors.As(err, &ue) {
				msg = p.scrub(ue.Unwrap().Error())
			}
			msg = fmt.Sprintf("could not reach %s: %s", p.baseURL, msg)
		}
		return nil, nil, &llm.APIError{Provider: p.name, Status: 0, Message: msg}
	}
	if resp.StatusCode/100 != 2 {
		defer cancel()
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, nil, p.apiError(resp, data)
	}
	return resp, cancel, nil
}

// apiError builds an llm.APIError from an error response.
func (p *Provider) apiError(resp *http.Response, data []byte) *llm.APIError {
	ae := &llm.APIError{Provider: p.name, Status: resp.StatusCode}
	code, msg := parseErrorBody(data)
	ae.Code = code
	if msg == "" {
		msg = strings.TrimSpace(resp.Status)
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
	}
	ae.Message = p.scrub(msg)
	ae.RetryAfter = retryAfter(resp.Header)
	return ae
}

// parseErrorBody reads {"error":{"message","code","type"}}, {"error":"..."},
// {"message":"..."} or {"detail":"..."}; otherwise the text itself.
func parseErrorBody(data []byte) (code, msg string) {
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  any             `json:"detail"`
	}
	if json.Unmarshal(data, &body) == nil {
		if len(body.Error) > 0 {
			var e struct {
				Message string `json:"message"`
				Type    string `json:"type"`
				Code    any    `json:"code"`
			}
			var s string
			if json.Unmarshal(body.Error, &s) == nil {
				return "", s
			}
			if json.Unmarshal(body.Error, &e) == nil {
				c := e.Type
				switch v := e.Code.(type) {
				case string:
					c = v
				case float64:
					c = strconv.FormatFloat(v, 'f', -1, 64)
				}
				return c, e.Message
			}
		}
		if body.Message != "" {
			return "", body.Message
		}
		if body.Detail != nil {
			if s, ok := body.Detail.(string); ok {
				return "", s
			}
			b, _ := json.Marshal(body.Detail)
			return "", string(b)
		}
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return "", s
}

func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// scrub removes the API key from s, should a server or transport echo it.
func (p *Provider) scrub(s string) string {
	if p.apiKey != "" && len(p.apiKey) >= 4 {
		s = strings.ReplaceAll(s, p.apiKey, "***")
	}
	return s
}
