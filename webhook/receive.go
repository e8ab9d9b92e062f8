package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Errors of Receive; both deserve a 401.
var (
	ErrMissingSignature = errors.New("Missing x-agentmark-signature-256 header")
	ErrInvalidSignature = errors.New("Invalid signature")
)

// Incoming is a received webhook event.
type Incoming struct {
	Type string
	// Data is the event's data (decode it into AlertData, PromptRunData
	// or DatasetRunData by Type).
	Data json.RawMessage
	// Body is the request body as received.
	Body []byte
}

// Receive reads a webhook request (at most maxBytes; 0: 10 MiB), verifies
// its signature with secret (raw body, then JavaScript re-serialization)
// and decodes {"event":{"type","data"}}. Answer 401 on ErrMissingSignature
// and ErrInvalidSignature, 400 on other errors.
func Receive(r *http.Request, secret string, maxBytes int64) (*Incoming, error) {
	if maxBytes <= 0 {
		maxBytes = 10 << 20
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("webhook body larger than %d bytes", maxBytes)
	}
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return nil, ErrMissingSignature
	}
	if !VerifyBody(secret, sig, body) {
		return nil, ErrInvalidSignature
	}
	var env struct {
		Event struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		} `json:"event"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("invalid webhook body: %v", err)
	}
	if env.Event.Type == "" {
		return nil, errors.New("invalid webhook body: missing event.type")
	}
	return &Incoming{Type: env.Event.Type, Data: env.Event.Data, Body: body}, nil
}
