package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"

	"github.com/agentmark-go/agentmark/webhook"
)

// DefaultServerURL is where the CLI looks for a runner.
const DefaultServerURL = "http://localhost:9417"

// ServerURL is the runner URL the CLI uses: flag, else
// $AGENTMARK_WEBHOOK_URL, else http://localhost:9417.
func ServerURL(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("AGENTMARK_WEBHOOK_URL"); env != "" {
		return env
	}
	return DefaultServerURL
}

var httpURLRE = regexp.MustCompile(`(?i)^https?://`)

// ValidURL reports whether u is an http(s) URL (the CLI's check).
func ValidURL(u string) bool { return httpURLRE.MatchString(u) }

// Client sends jobs to a runner.
type Client struct {
	// URL is the runner's endpoint (jobs are POSTed to it as is).
	URL string
	// HTTPClient sends requests; nil: http.DefaultClient.
	HTTPClient *http.Client
	// Secret, when set, signs bodies (x-agentmark-signature-256).
	Secret string
	// Header is added to every request.
	Header http.Header
}

// NewClient returns a client for the runner at url.
func NewClient(url string) *Client { return &Client{URL: url} }

// HTTPError is a non-2xx answer. Message is the body's "error" (string)
// or "message", else the raw body (2000 bytes at most), else "Unknown
// error".
type HTTPError struct {
	URL         string
	StatusCode  int
	StatusText  string
	ContentType string
	Message     string
	Body        []byte
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("Runner request failed. HTTP %d %s — Content-Type: %s\nURL: %s\nBody: %s",
		e.StatusCode, e.StatusText, e.ContentType, e.URL, e.Message)
}

// Tip is run-experiment's hint for the status ("" when none).
func (e *HTTPError) Tip() string {
	switch e.StatusCode {
	case 404:
		return "Tip: The dev server endpoint was not found. Make sure you are running the latest version."
	case 400:
		return "Tip: The request was malformed. Check that your prompt file and dataset are valid."
	case 500:
		return "Tip: The server encountered an error. Check the dev server logs for more details."
	case 502, 503:
		return "Tip: The server is unavailable. Make sure the dev server is running with: npx @agentmark-ai/cli dev"
	}
	return ""
}

// ConnectError is a failure to reach the runner. Refused is set when
// nothing listens there.
type ConnectError struct {
	URL     string
	Refused bool
	Err     error
}

func (e *ConnectError) Error() string {
	if e.Refused {
		return fmt.Sprintf("❌ Could not connect to AgentMark server at %s\n   Start it with `agentmark dev` (or pass --server)", e.URL)
	}
	return fmt.Sprintf("Network error connecting to %s: %v", e.URL, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Body encodes a job as the CLI sends it: {"type","data"} compact, in
// field order, re-serialized like JavaScript's JSON.stringify.
func Body(job Job) ([]byte, error) { return webhook.Marshal(job) }

// Post sends a job and returns the (2xx) response; the caller closes its
// body. Non-2xx answers are *HTTPError, transport failures *ConnectError.
func (c *Client) Post(ctx context.Context, job Job) (*http.Response, error) {
	body, err := Body(job)
	if err != nil {
		return nil, err
	}
	return c.PostRaw(ctx, body)
}

// PostRaw sends an encoded body.
func (c *Client) PostRaw(ctx context.Context, body []byte) (*http.Response, error) {
	if !ValidURL(c.URL) {
		return nil, fmt.Errorf("--server must be an http(s) URL, got %q", c.URL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Secret != "" {
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(c.Secret, body))
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var op *net.OpError
		refused := errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial")
		return nil, &ConnectError{URL: c.URL, Refused: refused, Err: err}
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, &HTTPError{URL: c.URL, StatusCode: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode),
			ContentType: resp.Header.Get("Content-Type"), Message: errorMessage(raw), Body: raw}
	}
	return resp, nil
}

// errorMessage is parsed.error || parsed.message || raw[:2000] ||
// "Unknown error".
func errorMessage(raw []byte) string {
	var parsed map[string]any
	if json.Unmarshal(raw, &parsed) == nil {
		for _, k := range []string{"error", "message"} {
			switch v := parsed[k].(type) {
			case string:
				if v != "" {
					return v
				}
			case nil:
			default:
				if k == "error" {
					if m, ok := v.(map[string]any); ok {
						if s, ok := m["message"].(string); ok && s != "" {
							return s
						}
					}
				}
			}
		}
	}
	s := string(raw)
	if len(s) > 2000 {
		s = s[:2000]
	}
	if s == "" {
		return "Unknown error"
	}
	return s
}

// PromptResponse is a non-streaming prompt-run answer (any kind).
type PromptResponse struct {
	Type         string           `json:"type"`
	Result       json.RawMessage  `json:"result,omitempty"`
	Usage        *WireUsage       `json:"usage,omitempty"`
	FinishReason string           `json:"finishReason,omitempty"`
	ToolCalls    []WireToolCall   `json:"toolCalls,omitempty"`
	ToolResults  []WireToolResult `json:"toolResults,omitempty"`
	TraceID      string           `json:"traceId,omitempty"`
	// Raw is the whole body.
	Raw json.RawMessage `json:"-"`
}

// Text is the result of a text answer.
func (p *PromptResponse) Text() string {
	var s string
	_ = json.Unmarshal(p.Result, &s)
	return s
}

// Media decodes the images of an image answer, or the audio of a speech
// answer (one element).
func (p *PromptResponse) Media() ([]MediaFile, error) {
	switch p.Type {
	case KindImage:
		var out []MediaFile
		err := json.Unmarshal(p.Result, &out)
		return out, err
	case KindSpeech:
		var one MediaFile
		if err := json.Unmarshal(p.Result, &one); err != nil {
			return nil, err
		}
		return []MediaFile{one}, nil
	}
	return nil, fmt.Errorf("a %s answer has no media", p.Type)
}

// Decode returns the bytes of a media file (base64, or a data: URL).
func (m MediaFile) Decode() ([]byte, error) {
	s := m.Base64
	if i := strings.Index(s, ";base64,"); i >= 0 && strings.HasPrefix(s, "data:") {
		s = s[i+8:]
	}
	return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
}

// PromptRun is the answer to a prompt-run: a stream of chunks when
// Streaming (the AgentMark-Streaming header was set), else Response.
type PromptRun struct {
	Streaming bool
	Response  *PromptResponse
	body      io.ReadCloser
}

// Chunks yields the stream's chunks (unparsable lines are skipped) and
// closes the body at the end. Empty for non-streaming answers.
func (r *PromptRun) Chunks() iter.Seq2[*Chunk, error] {
	return func(yield func(*Chunk, error) bool) {
		if r.body == nil {
			return
		}
		defer r.body.Close()
		for c, err := range ReadChunks(r.body) {
			if !yield(c, err) {
				return
			}
		}
	}
}

// Close releases the answer.
func (r *PromptRun) Close() error {
	if r.body != nil {
		return r.body.Close()
	}
	return nil
}

// RunPrompt sends a prompt-run job. Options.ShouldStream defaults to
// true when Options is nil (as the CLI sends it).
func (c *Client) RunPrompt(ctx context.Context, data PromptRunData) (*PromptRun, error) {
	if data.Options == nil {
		data.Options = &PromptRunOptions{ShouldStream: Bool(true)}
	}
	resp, err := c.Post(ctx, Job{Type: JobPromptRun, Data: data})
	if err != nil {
		return nil, err
	}
	if resp.Header.Get(StreamingHeader) != "" {
		return &PromptRun{Streaming: true, body: resp.Body}, nil
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	pr := &PromptResponse{}
	if err := json.Unmarshal(raw, pr); err != nil {
		return nil, fmt.Errorf("the runner's answer is not JSON: %v", err)
	}
	pr.Raw = raw
	return &PromptRun{Response: pr}, nil
}

// Dataset decodes the result of a dataset chunk.
func (c *Chunk) Dataset() (*DatasetResult, error) {
	if c.Type != ChunkDataset {
		return nil, fmt.Errorf("not a dataset chunk: %q", c.Type)
	}
	var r DatasetResult
	if err := json.Unmarshal(c.Result, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// RunDataset sends a dataset-run job and yields the stream's chunks
// (rows in completion order, error chunks, other lines as they come; the
// body is read as NDJSON whatever the headers). A failed request yields
// one error (*HTTPError, *ConnectError).
func (c *Client) RunDataset(ctx context.Context, data DatasetRunData) iter.Seq2[*Chunk, error] {
	return func(yield func(*Chunk, error) bool) {
		resp, err := c.Post(ctx, Job{Type: JobDatasetRun, Data: data})
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		for ch, err := range ReadChunks(resp.Body) {
			if !yield(ch, err) {
				return
			}
		}
	}
}

// GetEvals asks the runner for its eval names (sorted).
func (c *Client) GetEvals(ctx context.Context) ([]string, error) {
	resp, err := c.Post(ctx, Job{Type: JobGetEvals, Data: struct{}{}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var er EvalsResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil {
		return nil, err
	}
	if er.Type != "evals" {
		return nil, fmt.Errorf("unexpected get-evals answer type %q", er.Type)
	}
	var names []string
	if err := json.Unmarshal([]byte(er.Result), &names); err != nil {
		return nil, fmt.Errorf("get-evals result: %v", err)
	}
	return names, nil
}

// ReadChunks parses an NDJSON stream: one chunk per line, unparsable and
// blank lines skipped, a last line without newline accepted. Chunk.Raw
// holds the line.
func ReadChunks(r io.Reader) iter.Seq2[*Chunk, error] {
	return func(yield func(*Chunk, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if t := bytes.TrimSpace(line); len(t) > 0 {
				var c Chunk
				if json.Unmarshal(t, &c) == nil {
					c.Raw = append(json.RawMessage(nil), t...)
					if !yield(&c, nil) {
						return
					}
				}
			}
			if err != nil {
				if err != io.EOF {
					yield(nil, err)
				}
				return
			}
		}
	}
}
