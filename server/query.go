package server

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// query parses and validates query parameters, collecting the first problem
// of each parameter; err returns the 400 invalid_query_params.
type query struct {
	v       url.Values
	details map[string]string
}

func newQuery(v url.Values) *query { return &query{v: v} }

func (q *query) fail(name, format string, a ...any) {
	if q.details == nil {
		q.details = map[string]string{}
	}
	if _, ok := q.details[name]; !ok {
		q.details[name] = fmt.Sprintf(format, a...)
	}
}

func (q *query) err() error {
	if len(q.details) == 0 {
		return nil
	}
	return invalidQuery(q.details)
}

// str is a single string parameter ("" when absent). NUL bytes are
// stripped; invalid UTF-8 and repeated values are rejected.
func (q *query) str(name string) string {
	vals, ok := q.v[name]
	if !ok || len(vals) == 0 {
		return ""
	}
	if len(vals) > 1 {
		q.fail(name, "Expected string, received array")
		return ""
	}
	s := strings.ReplaceAll(vals[0], "\x00", "")
	if !utf8.ValidString(s) {
		q.fail(name, "String contains invalid UTF-8")
		return ""
	}
	if len(s) > 2048 {
		q.fail(name, "String must contain at most 2048 character(s)")
		return ""
	}
	return s
}

// list is a repeatable string parameter (?tag=a&tag=b; also "a,b" is
// kept as one value).
func (q *query) list(name string) []string {
	var out []string
	for _, s := range q.v[name] {
		s = strings.ReplaceAll(s, "\x00", "")
		if !utf8.ValidString(s) {
			q.fail(name, "String contains invalid UTF-8")
			return nil
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// integer parses an integer in [lo, hi] (def when absent).
func (q *query) integer(name string, def, lo, hi int) int {
	s := q.str(name)
	if s == "" {
		if _, present := q.v[name]; present && len(q.v[name]) == 1 {
			q.fail(name, "Expected number, received empty string")
		}
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		q.fail(name, "Expected number, received %q", s)
		return def
	}
	if f != math.Trunc(f) {
		q.fail(name, "Expected integer, received float")
		return def
	}
	if f < float64(lo) {
		q.fail(name, "Number must be greater than or equal to %d", lo)
		return def
	}
	if f > float64(hi) {
		q.fail(name, "Number must be less than or equal to %d", hi)
		return def
	}
	return int(f)
}

// optNumber parses an optional non-negative number.
func (q *query) optNumber(name string) *float64 {
	s := q.str(name)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		q.fail(name, "Expected number, received %q", s)
		return nil
	}
	if f < 0 {
		q.fail(name, "Number must be greater than or equal to 0")
		return nil
	}
	return &f
}

// enum is a parameter with a fixed set of values ("" when absent).
func (q *query) enum(name string, allowed ...string) string {
	s := q.str(name)
	if s == "" {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	q.fail(name, "Invalid enum value. Expected %s, received '%s'", quoteList(allowed), s)
	return ""
}

func quoteList(xs []string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = "'" + x + "'"
	}
	return strings.Join(parts, " | ")
}

// boolean parses true/false/1/0 strictly.
func (q *query) boolean(name string) bool {
	switch strings.ToLower(q.str(name)) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	default:
		q.fail(name, "Expected boolean, received %q", q.v.Get(name))
		return false
	}
}

var (
	minDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// date parses a YYYY-MM-DD date (an ISO date-time is accepted too). With
// endOfDay, a plain date means the last instant of that day, so an
// end_date is inclusive.
func (q *query) date(name string, endOfDay bool) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return q.inRange(name, t)
	}
	if t, ok := parseDateTime(s); ok {
		return q.inRange(name, t)
	}
	q.fail(name, "Invalid date: expected YYYY-MM-DD")
	return time.Time{}
}

// datetime parses an ISO-8601 date-time (a plain date is accepted too: the
// start of that day, or its end with endOfDay).
func (q *query) datetime(name string, endOfDay bool) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, ok := parseDateTime(s); ok {
		return q.inRange(name, t)
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return q.inRange(name, t)
	}
	q.fail(name, "Invalid datetime: expected ISO 8601 (e.g. 2026-01-02T15:04:05Z)")
	return time.Time{}
}

func (q *query) inRange(name string, t time.Time) time.Time {
	if t.Before(minDate) || !t.Before(maxDate) {
		q.fail(name, "Date must be between 1970-01-01 and 2200-01-01")
		return time.Time{}
	}
	return t.UTC()
}

func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// requireOrder checks from <= to.
func (q *query) requireOrder(fromName string, from, to time.Time) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		q.fail(fromName, "start_date must not be after end_date")
	}
}
