package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/agentmark-go/agentmark/ingest"
	"github.com/agentmark-go/agentmark/store"
)

// Error is an API error: an HTTP status and the {"error": {...}} body.
type Error struct {
	Status  int
	Code    string
	Message string
	// Details maps a located parameter or field ("limit", "scores.0.name",
	// "_" for the root) to its first problem (validation 400s).
	Details map[string]string
	// Extras are written flat inside "error" (retry_after_seconds, hint, ...).
	Extras map[string]any
	// Headers are set on the response (Retry-After).
	Headers map[string]string
	Err     error // cause, logged for 5xx
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// errorf builds an Error.
func errorf(status int, code, format string, a ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

// Validation codes and messages (the location of the bad input picks them).
const (
	codeInvalidQuery = "invalid_query_params"
	codeInvalidBody  = "invalid_request_body"
	codeInvalidPath  = "invalid_path_params"
)

func invalidQuery(details map[string]string) *Error {
	return &Error{Status: 400, Code: codeInvalidQuery, Message: "Invalid query parameters", Details: details}
}

func invalidBody(details map[string]string) *Error {
	return &Error{Status: 400, Code: codeInvalidBody, Message: "Invalid request body", Details: details}
}

func notFoundErr(code, msg string) *Error { return &Error{Status: 404, Code: code, Message: msg} }

func (s *Server) unavailable(msg string, cause error) *Error {
	secs := int(s.cfg.RetryAfter.Seconds() + 0.5)
	if secs < 1 {
		secs = 1
	}
	return &Error{Status: 503, Code: "service_unavailable", Message: msg,
		Extras:  map[string]any{"retry_after_seconds": secs},
		Headers: map[string]string{"Retry-After": strconv.Itoa(secs)}, Err: cause}
}

// asAPIError maps any handler error to an *Error: typed store and ingest
// errors become client errors, anything else a 500.
func (s *Server) asAPIError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var fe *store.InvalidFilterError
	if errors.As(err, &fe) {
		return &Error{Status: 400, Code: "invalid_filter", Message: "Invalid filter: " + fe.Msg,
			Details: map[string]string{"filter": fe.Msg}, Extras: map[string]any{"offset": fe.Offset}}
	}
	var qe *store.InvalidQueryError
	if errors.As(err, &qe) {
		return invalidQuery(map[string]string{qe.Param: qe.Msg})
	}
	var be *ingest.BadRequestError
	if errors.As(err, &be) {
		return &Error{Status: 400, Code: be.Code, Message: be.Message}
	}
	var tl *ingest.TooLargeError
	if errors.As(err, &tl) {
		return &Error{Status: 413, Code: "payload_too_large", Message: fmt.Sprintf("Request body exceeds the %d byte limit", tl.Limit),
			Extras: map[string]any{"limit": tl.Limit}}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: 413, Code: "payload_too_large", Message: fmt.Sprintf("Request body exceeds the %d byte limit", mbe.Limit),
			Extras: map[string]any{"limit": mbe.Limit}}
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFoundErr("not_found", "Not found")
	}
	if errors.Is(err, store.ErrConflict) {
		return &Error{Status: 409, Code: "conflict", Message: "Resource already exists"}
	}
	if errors.Is(err, store.ErrClosed) {
		return s.unavailable("Storage is unavailable", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: 503, Code: "query_timeout", Message: "The query timed out", Err: err,
			Headers: map[string]string{"Retry-After": "1"}, Extras: map[string]any{"retry_after_seconds": 1}}
	}
	return &Error{Status: 500, Code: "internal_error", Message: "Internal server error", Err: err}
}

// writeError writes err in the error envelope.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	ae := s.asAPIError(err)
	if ae.Status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", ae.Status,
			"request_id", w.Header().Get("X-Request-Id"), "error", err)
	}
	for k, v := range ae.Headers {
		w.Header().Set(k, v)
	}
	writeRaw(w, ae.Status, encodeError(ae))
}

// encodeError renders the envelope with the extras first, then code and
// message, then details.
func encodeError(e *Error) []byte {
	var b bytes.Buffer
	b.WriteString(`{"error":{`)
	keys := make([]string, 0, len(e.Extras))
	for k := range e.Extras {
		if k != "code" && k != "message" && k != "details" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.Write(mustJSON(k))
		b.WriteByte(':')
		b.Write(mustJSON(e.Extras[k]))
		b.WriteByte(',')
	}
	b.WriteString(`"code":`)
	b.Write(mustJSON(e.Code))
	b.WriteString(`,"message":`)
	b.Write(mustJSON(e.Message))
	if len(e.Details) > 0 {
		b.WriteString(`,"details":`)
		b.Write(mustJSON(e.Details))
	}
	b.WriteString("}}\n")
	return b.Bytes()
}

func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	writeRaw(w, status, b.Bytes())
	return nil
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// data writes {"data": v} with 200.
func data(w http.ResponseWriter, v any) error {
	return writeJSON(w, http.StatusOK, envelope{Data: v})
}

type envelope struct {
	Data any `json:"data"`
}

// Pagination is the page echo of list responses.
type Pagination struct {
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

type pageEnvelope struct {
	Data       any        `json:"data"`
	Pagination Pagination `json:"pagination"`
}

// page writes {"data": items, "pagination": {...}}.
func page(w http.ResponseWriter, items any, total int64, limit, offset int) error {
	return writeJSON(w, http.StatusOK, pageEnvelope{Data: items, Pagination: Pagination{Total: total, Limit: limit, Offset: offset}})
}

// notFound is the fallback for unknown routes.
func notFound(_ *Server, _ http.ResponseWriter, r *http.Request) error {
	return notFoundErr("not_found", "Cannot "+r.Method+" "+r.URL.Path)
}

// notAvailable is the 501 of routes this surface does not serve.
func notAvailable(hint string) func(*Server, http.ResponseWriter, *http.Request) error {
	return func(_ *Server, _ http.ResponseWriter, r *http.Request) error {
		return &Error{Status: 501, Code: "not_available_locally",
			Message: r.Method + " " + r.URL.Path + " is not available on the local server",
			Extras:  map[string]any{"hint": hint}}
	}
}
