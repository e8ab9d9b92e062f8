package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"unicode/utf8"
)

// localOrigin is the CORS allow-list: localhost on any port (the UI).
var localOrigin = regexp.MustCompile(`^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$`)

const (
	corsAllowHeaders  = "Content-Type, Content-Encoding, Authorization, Accept, X-Request-Id, X-Agentmark-App-Id, X-Agentmark-Environment, X-Agentmark-Pr-Number"
	corsExposeHeaders = "X-Request-Id, Retry-After, Deprecation, Sunset, Link"
)

// statusWriter remembers whether the header was written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware: request id, panic recovery, CORS, app scoping, body limit.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &statusWriter{ResponseWriter: rw}
		reqID := r.Header.Get("X-Request-Id")
		if !validRequestID(reqID) {
			reqID = newUUID()
		}
		w.Header().Set("X-Request-Id", reqID)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "request_id", reqID,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if w.status == 0 {
					writeRaw(w, 500, encodeError(&Error{Code: "internal_error", Message: "Internal server error"}))
				}
			}
		}()

		if origin := r.Header.Get("Origin"); origin != "" && localOrigin.MatchString(origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}

		if v := r.Header.Get("X-Agentmark-App-Id"); v != "" {
			v = strings.TrimSpace(v)
			if len(v) > 128 || !utf8.ValidString(v) || strings.ContainsFunc(v, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
				s.writeError(w, r, &Error{Status: 400, Code: "invalid_field_value",
					Message: "Invalid X-Agentmark-App-Id header", Extras: map[string]any{"field": "X-Agentmark-App-Id"}})
				return
			}
			if v != "" {
				r = r.WithContext(context.WithValue(r.Context(), appIDKey{}, v))
			}
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// newUUID is a random (v4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
