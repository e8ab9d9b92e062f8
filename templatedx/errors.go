package templatedx

import (
	"errors"
	"fmt"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
	"github.com/agentmark-go/agentmark/templatedx/mdx"
)

// Error is a template error with the source location it applies to.
// Line and Column are 1-based; zero when unknown. File is the template or
// component path when known.
type Error struct {
	Message string
	File    string
	Line    int
	Column  int
	Offset  int
}

func (e *Error) Error() string {
	loc := ""
	switch {
	case e.File != "" && e.Line > 0:
		loc = fmt.Sprintf("%s:%d:%d: ", e.File, e.Line, e.Column)
	case e.File != "":
		loc = e.File + ": "
	case e.Line > 0:
		loc = fmt.Sprintf("%d:%d: ", e.Line, e.Column)
	}
	return loc + e.Message
}

// Located reports whether the error carries a position.
func (e *Error) Located() bool { return e.Line > 0 }

func errorAt(pos *mdast.Position, format string, args ...any) *Error {
	e := &Error{Message: fmt.Sprintf(format, args...)}
	if pos != nil {
		e.Line, e.Column, e.Offset = pos.Start.Line, pos.Start.Column, pos.Start.Offset
	}
	return e
}

// asError converts any error into an *Error, keeping positions from parser
// errors.
func asError(err error, file string) *Error {
	var te *Error
	if errors.As(err, &te) {
		if te.File == "" {
			c := *te
			c.File = file
			return &c
		}
		return te
	}
	var pe *mdx.Error
	if errors.As(err, &pe) {
		return &Error{Message: pe.Message, File: file, Line: pe.Line, Column: pe.Column, Offset: pe.Offset}
	}
	return &Error{Message: err.Error(), File: file}
}
