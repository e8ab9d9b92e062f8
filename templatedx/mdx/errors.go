package mdx

import "fmt"

// Error is a located parse error. Messages follow micromark, remark-mdx and
// mdast-util-mdx-jsx wording. Line and Column are 1-based (columns count
// UTF-16 code units, like upstream); Offset is a 0-based byte offset into the
// source (after a leading BOM, which is dropped like upstream does).
type Error struct {
	Message string
	Line    int
	Column  int
	Offset  int
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message)
}

// parseError is what the parser panics with internally; Parse recovers it.
type parseError struct{ err *Error }

// fail aborts the parse with a message located at byte offset off.
func (p *parser) fail(off int, msg string) {
	pt := p.point(off)
	panic(parseError{&Error{Message: msg, Line: pt.Line, Column: pt.Column, Offset: pt.Offset}})
}

// failf is fail with formatting.
func (p *parser) failf(off int, format string, args ...any) {
	p.fail(off, fmt.Sprintf(format, args...))
}
