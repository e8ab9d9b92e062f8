package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentmark-go/agentmark/ingest"
)

// IngestResponse is the body of a successful POST /v1/traces: the request
// id (AgentMark) and, when some spans were rejected, OTLP's partialSuccess
// (at the top level, where OTLP/JSON clients read it).
type IngestResponse struct {
	Data           IngestData             `json:"data"`
	PartialSuccess *ingest.PartialSuccess `json:"partialSuccess,omitempty"`
}

// IngestData is the data of IngestResponse.
type IngestData struct {
	RequestID     string `json:"requestId"`
	AcceptedSpans int    `json:"acceptedSpans"`
	RejectedSpans int    `json:"rejectedSpans"`
}

// POST /v1/traces: decode (protobuf or JSON, gzip/deflate), normalize,
// store; answer 200 only after the store confirmed the durable write.
func ingestTraces(s *Server, w http.ResponseWriter, r *http.Request) error {
	reqID := w.Header().Get("X-Request-Id")

	// Bound concurrent ingests: past the bound, wait a little, then shed
	// load with 503 + Retry-After instead of queueing without limit.
	select {
	case s.ingestSem <- struct{}{}:
	default:
		t := time.NewTimer(s.cfg.IngestQueueWait)
		select {
		case s.ingestSem <- struct{}{}:
			t.Stop()
		case <-t.C:
			return s.unavailable("Ingestion is overloaded, retry later", nil)
		case <-r.Context().Done():
			t.Stop()
			return r.Context().Err()
		}
	}
	defer func() { <-s.ingestSem }()

	body, err := ingest.ReadBody(r.Body, s.cfg.MaxBodyBytes)
	if err != nil {
		var mbe *http.MaxBytesError
		var tl *ingest.TooLargeError
		if errors.As(err, &mbe) || errors.As(err, &tl) {
			return err
		}
		return &Error{Status: 400, Code: "missing_body", Message: "Could not read the request body", Err: err}
	}
	res, err := ingest.Process(body, r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"), s.normalizer)
	if err != nil {
		return err
	}
	if len(res.Spans) > 0 {
		if err := s.writer.write(s.appID(r), res.Spans); err != nil {
			return s.unavailable("Could not store the spans, retry later", err)
		}
	}
	ps := res.PartialSuccess()
	if wantsProtobuf(r) {
		resp := ptraceotlp.NewExportResponse()
		if ps != nil {
			resp.PartialSuccess().SetRejectedSpans(ps.RejectedSpans)
			resp.PartialSuccess().SetErrorMessage(ps.ErrorMessage)
		}
		b, err := resp.MarshalProto()
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return nil
	}
	return writeJSON(w, http.StatusOK, IngestResponse{
		Data:           IngestData{RequestID: reqID, AcceptedSpans: len(res.Spans), RejectedSpans: len(res.Rejected)},
		PartialSuccess: ps,
	})
}

// wantsProtobuf: an OTLP protobuf client that asks for a protobuf answer
// (Accept: application/x-protobuf) gets an ExportTraceServiceResponse.
func wantsProtobuf(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/x-protobuf")
}
