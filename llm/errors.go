package llm

import (
	"errors"
	"fmt"
	"time"
)

// APIError is an error answer from a provider's API.
type APIError struct {
	Provider string
	// Status is the HTTP status (0 when the request never got an answer).
	Status int
	// Code and Message come from the provider's error body when present.
	Code    string
	Message string
	// RetryAfter is the server's requested wait, when it sent one.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "request failed"
	}
	hint := ""
	switch {
	case e.Status == 401 || e.Status == 403:
		hint = " (check the API key)"
	case e.Status == 429:
		hint = " (rate limited)"
	}
	if e.Status == 0 {
		return fmt.Sprintf("%s: %s", e.Provider, msg)
	}
	return fmt.Sprintf("%s: HTTP %d: %s%s", e.Provider, e.Status, msg, hint)
}

// Retryable reports whether the call may succeed if repeated: rate limits,
// server errors and timeouts.
func (e *APIError) Retryable() bool {
	return e.Status == 408 || e.Status == 409 || e.Status == 429 || e.Status >= 500 || e.Status == 0
}

// IsRetryable reports whether err is a retryable provider error.
func IsRetryable(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Retryable()
}
