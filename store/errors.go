package store

import (
	"errors"
	"fmt"

	"github.com/agentmark-go/agentmark/store/filter"
)

// ErrNotFound is returned (possibly wrapped) when the requested trace, span,
// session or score does not exist in the app. Test with errors.Is.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a create would overwrite an existing record.
var ErrConflict = errors.New("store: already exists")

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("store: closed")

// InvalidFilterError reports a filter expression that does not parse or uses
// an unsupported field or operator. It is a client error (HTTP 400
// invalid_filter); Offset is the byte offset of the problem in Filter.
type InvalidFilterError struct {
	Filter string
	Offset int
	Msg    string
}

func (e *InvalidFilterError) Error() string {
	return fmt.Sprintf("invalid filter at offset %d: %s", e.Offset, e.Msg)
}

// InvalidQueryError reports an invalid query parameter, such as an unknown
// sort field. It is a client error (HTTP 400 invalid_query_params).
type InvalidQueryError struct {
	Param string
	Msg   string
}

func (e *InvalidQueryError) Error() string {
	return fmt.Sprintf("invalid query parameter %s: %s", e.Param, e.Msg)
}

// ParseFilter parses a filter expression (the string DSL, or the JSON form
// when it starts with '[' or '{'), converting syntax errors into
// *InvalidFilterError. An empty string gives a nil filter.
func ParseFilter(s string) (*filter.Filter, error) {
	f, err := filter.Parse(s)
	if err != nil {
		var fe *filter.Error
		if errors.As(err, &fe) {
			return nil, &InvalidFilterError{Filter: s, Offset: fe.Offset, Msg: fe.Msg}
		}
		return nil, &InvalidFilterError{Filter: s, Msg: err.Error()}
	}
	return f, nil
}
