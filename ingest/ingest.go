// Package ingest decodes OTLP/HTTP trace export requests (protobuf or JSON,
// optionally gzip/deflate-compressed) and normalizes their spans into
// span.Span values (see package normalize).
//
// The HTTP layer reads the body with ReadBody (413 on *TooLargeError),
// calls Process, answers 400 on *BadRequestError, and reports
// Result.Rejected as OTLP partial success.
package ingest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentmark-go/agentmark/ingest/normalize"
	"github.com/agentmark-go/agentmark/span"
)

// DefaultMaxBodyBytes is the largest accepted request body, compressed or
// decompressed (10 MB, as the reference local server).
const DefaultMaxBodyBytes = 10 << 20

// Error codes of BadRequestError.
const (
	CodeProtobufDecodeFailed       = "protobuf_decode_failed"
	CodeInvalidOTLPPayload         = "invalid_otlp_payload"
	CodeUnsupportedContentType     = "unsupported_content_type"
	CodeUnsupportedContentEncoding = "unsupported_content_encoding"
	CodeDecompressionFailed        = "decompression_failed"
)

// BadRequestError is a malformed or unsupported request (HTTP 400).
type BadRequestError struct {
	Code    string // one of the Code* constants
	Message string
	Err     error
}

func (e *BadRequestError) Error() string { return e.Message }
func (e *BadRequestError) Unwrap() error { return e.Err }

// StatusCode is the HTTP status to answer with.
func (e *BadRequestError) StatusCode() int { return 400 }

// TooLargeError is a body over the size limit (HTTP 413).
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("request body exceeds the %d byte limit", e.Limit)
}

// StatusCode is the HTTP status to answer with.
func (e *TooLargeError) StatusCode() int { return 413 }

// ReadBody reads at most limit bytes (DefaultMaxBodyBytes when limit <= 0)
// and returns *TooLargeError when r holds more.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return b, nil
}

// Decode decodes an OTLP/HTTP ExportTraceServiceRequest body. contentType
// selects protobuf (application/x-protobuf, application/protobuf) or JSON
// (application/json); when empty, the body is sniffed. contentEncoding may
// be gzip, deflate or identity; gzip is also detected by its magic bytes.
// The decompressed body is limited to DefaultMaxBodyBytes.
func Decode(body []byte, contentType, contentEncoding string) (ptrace.Traces, error) {
	return DecodeLimit(body, contentType, contentEncoding, DefaultMaxBodyBytes)
}

// DecodeLimit is Decode with a limit on the decompressed size.
func DecodeLimit(body []byte, contentType, contentEncoding string, maxDecoded int64) (td ptrace.Traces, err error) {
	defer func() {
		if r := recover(); r != nil {
			td, err = ptrace.Traces{}, &BadRequestError{Code: CodeInvalidOTLPPayload, Message: fmt.Sprintf("Invalid OTLP payload: %v", r)}
		}
	}()
	body, err = decompress(body, contentEncoding, maxDecoded)
	if err != nil {
		return ptrace.Traces{}, err
	}
	isJSON, err := mediaType(contentType, body)
	if err != nil {
		return ptrace.Traces{}, err
	}
	if isJSON {
		return decodeJSON(body)
	}
	var u ptrace.ProtoUnmarshaler
	td, err = u.UnmarshalTraces(body)
	if err != nil {
		return ptrace.Traces{}, &BadRequestError{Code: CodeProtobufDecodeFailed, Message: "Failed to decode protobuf: " + err.Error(), Err: err}
	}
	return td, nil
}

func mediaType(contentType string, body []byte) (isJSON bool, err error) {
	if strings.TrimSpace(contentType) == "" {
		t := bytes.TrimLeft(body, " \t\r\n")
		return len(t) > 0 && t[0] == '{', nil
	}
	mt, _, perr := mime.ParseMediaType(contentType)
	if perr != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch mt {
	case "application/json":
		return true, nil
	case "application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf":
		return false, nil
	}
	return false, &BadRequestError{Code: CodeUnsupportedContentType,
		Message: fmt.Sprintf("Unsupported content type %q: use application/json or application/x-protobuf", contentType)}
}

func decompress(body []byte, enc string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	enc = strings.ToLower(strings.TrimSpace(enc))
	isGzip := len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b
	var r io.Reader
	switch {
	case isGzip && (enc == "" || enc == "identity" || enc == "gzip" || enc == "x-gzip"):
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, &BadRequestError{Code: CodeDecompressionFailed, Message: "Invalid gzip body: " + err.Error(), Err: err}
		}
		r = zr
	case enc == "" || enc == "identity":
		return body, nil
	case enc == "gzip" || enc == "x-gzip":
		return nil, &BadRequestError{Code: CodeDecompressionFailed, Message: "Invalid gzip body: missing gzip header"}
	case enc == "deflate":
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(body))
		}
	default:
		return nil, &BadRequestError{Code: CodeUnsupportedContentEncoding,
			Message: fmt.Sprintf("Unsupported content encoding %q: use gzip, deflate or identity", enc)}
	}
	out, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, &BadRequestError{Code: CodeDecompressionFailed, Message: "Failed to decompress body: " + err.Error(), Err: err}
	}
	if int64(len(out)) > max {
		return nil, &TooLargeError{Limit: max}
	}
	return out, nil
}

var errNoResourceSpans = errors.New("expected ExportTraceServiceRequest with resourceSpans array")

func decodeJSON(body []byte) (ptrace.Traces, error) {
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces(body)
	if err != nil {
		return ptrace.Traces{}, &BadRequestError{Code: CodeInvalidOTLPPayload, Message: "Invalid OTLP payload: " + err.Error(), Err: err}
	}
	if td.ResourceSpans().Len() > 0 {
		return td, nil
	}
	// Nothing decoded: the body must still be an object with a
	// resourceSpans array (an empty one is fine).
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return ptrace.Traces{}, &BadRequestError{Code: CodeInvalidOTLPPayload, Message: "Invalid OTLP payload: " + errNoResourceSpans.Error(), Err: errNoResourceSpans}
	}
	rs, ok := top["resourceSpans"]
	if !ok {
		rs, ok = top["resource_spans"]
	}
	if !ok || !bytes.HasPrefix(bytes.TrimLeft(rs, " \t\r\n"), []byte("[")) {
		return ptrace.Traces{}, &BadRequestError{Code: CodeInvalidOTLPPayload, Message: "Invalid OTLP payload: " + errNoResourceSpans.Error(), Err: errNoResourceSpans}
	}
	return td, nil
}

// Rejection is a span that could not be normalized.
type Rejection struct {
	TraceID string `json:"traceId,omitempty"`
	SpanID  string `json:"spanId,omitempty"`
	Name    string `json:"name,omitempty"`
	Reason  string `json:"reason"`
}

// Result is the outcome of normalizing one request.
type Result struct {
	Spans    []span.Span
	Rejected []Rejection
}

// PartialSuccess is the OTLP ExportTracePartialSuccess for r: nil when
// every span was accepted.
func (r Result) PartialSuccess() *PartialSuccess {
	if len(r.Rejected) == 0 {
		return nil
	}
	reasons := make([]string, 0, 3)
	for i, rj := range r.Rejected {
		if i == 3 {
			reasons = append(reasons, fmt.Sprintf("and %d more", len(r.Rejected)-3))
			break
		}
		reasons = append(reasons, fmt.Sprintf("span %q (%s): %s", rj.SpanID, rj.Name, rj.Reason))
	}
	return &PartialSuccess{RejectedSpans: int64(len(r.Rejected)), ErrorMessage: strings.Join(reasons, "; ")}
}

// PartialSuccess is OTLP's partial-success answer.
type PartialSuccess struct {
	RejectedSpans int64  `json:"rejectedSpans,string"`
	ErrorMessage  string `json:"errorMessage,omitempty"`
}

// Normalize normalizes every span of td. Spans without a valid trace or
// span id, or whose normalization fails, are rejected with a reason;
// nothing is dropped silently.
func Normalize(td ptrace.Traces, n *normalize.Normalizer) Result {
	if n == nil {
		n = &normalize.Normalizer{}
	}
	res := Result{Spans: make([]span.Span, 0, td.SpanCount())}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		resAttrs := normalize.Attributes(rs.Resource().Attributes())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			scope := normalize.Scope{Name: ss.Scope().Name(), Version: ss.Scope().Version()}
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				if s, rej := one(n, resAttrs, scope, sp); rej != nil {
					res.Rejected = append(res.Rejected, *rej)
				} else {
					res.Spans = append(res.Spans, s)
				}
			}
		}
	}
	return res
}

func one(n *normalize.Normalizer, resAttrs map[string]any, scope normalize.Scope, sp ptrace.Span) (s span.Span, rej *Rejection) {
	raw := normalize.FromPdata(sp)
	reject := func(reason string) *Rejection {
		return &Rejection{TraceID: raw.TraceID, SpanID: raw.SpanID, Name: raw.Name, Reason: reason}
	}
	if raw.TraceID == "" {
		return s, reject("missing or all-zero trace id")
	}
	if raw.SpanID == "" {
		return s, reject("missing or all-zero span id")
	}
	defer func() {
		if r := recover(); r != nil {
			s, rej = span.Span{}, reject(fmt.Sprintf("normalization failed: %v", r))
		}
	}()
	return n.Normalize(resAttrs, scope, raw), nil
}

// Process decodes body and normalizes its spans.
func Process(body []byte, contentType, contentEncoding string, n *normalize.Normalizer) (Result, error) {
	td, err := Decode(body, contentType, contentEncoding)
	if err != nil {
		return Result{}, err
	}
	return Normalize(td, n), nil
}
