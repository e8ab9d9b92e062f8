package openai

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentmark-go/agentmark/llm"
)

const benchResponse = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today? I can answer questions about your account, billing, or anything else."},"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":24,"total_tokens":66,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchResponse)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchRequest() *llm.TextRequest {
	req := fullRequest()
	req.Messages = req.Messages[:2]
	return req
}

// BenchmarkGenerate is one non-streaming call through the provider
// (request building, JSON, HTTP, parsing) against a local fake server.
func BenchmarkGenerate(b *testing.B) {
	srv := benchServer(b)
	p, err := New(llm.ProviderConfig{BaseURL: srv.URL + "/v1", APIKey: "k"})
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Generate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawHTTP is the baseline: the same request body POSTed with
// net/http and the answer read, without our layer. Overhead per call =
// BenchmarkGenerate - BenchmarkRawHTTP.
func BenchmarkRawHTTP(b *testing.B) {
	srv := benchServer(b)
	p, _ := New(llm.ProviderConfig{BaseURL: srv.URL + "/v1", APIKey: "k"})
	cr, _ := p.buildChat(benchRequest(), false)
	body, _ := p.encode(cr)
	client := defaultClient
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkBuildAndParse is our layer alone, no network: building and
// encoding the request and parsing the response.
func BenchmarkBuildAndParse(b *testing.B) {
	p, _ := New(llm.ProviderConfig{BaseURL: "http://127.0.0.1:1/v1", APIKey: "k"})
	req := benchRequest()
	data := []byte(benchResponse)
	b.ReportAllocs()
	for b.Loop() {
		cr, err := p.buildChat(req, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.encode(cr); err != nil {
			b.Fatal(err)
		}
		if _, err := p.parseCompletion(data); err != nil {
			b.Fatal(err)
		}
	}
}
