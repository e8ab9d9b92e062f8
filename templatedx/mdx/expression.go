package mdx

import "strings"

// Expressions: micromark-factory-mdx-expression. The expression runs from
// `{` to the first `}` after which the text between the braces parses as
// JavaScript (an expression, or nothing/comments where allowed); each
// failing `}` becomes part of the expression. Continuation lines lose up to
// two columns of indentation.

type exprKind uint8

const (
	exprFlow exprKind = iota
	exprText
	exprAttr   // attribute value: must not be empty
	exprSpread // `{...spread}` attribute
)

// scanExpr scans the expression whose `{` is at t.b[i]. It returns the raw
// value and the buffer offset after the closing `}`.
func (p *parser) scanExpr(t *vtext, i int, kind exprKind, allowLazy bool) (string, int) {
	startLine := p.lineOf(t.src(i))
	j := i + 1
	var b strings.Builder
	simple := true // value is t.b[i+1:j] so far
	// Otherwise the value is b followed by t.b[run:j].
	run := j
	var lastErr *jsError
	var lastVal string
	valueStart := j
	for {
		c := t.at(j)
		if c < 0 {
			if lastErr != nil {
				lastErr.pos = exprErrorPos(lastVal, kind)
				msg := lastErr.msg
				if msg == "" {
					msg = "Could not parse expression with acorn"
				}
				p.fail(p.exprErrorOffset(t, i, lastVal, lastErr.pos), msg)
			}
			p.fail(t.srcEnd(j), "Unexpected end of file in expression, expected a corresponding closing brace for `{`")
		}
		if c == '}' {
			var val string
			if simple {
				val = t.b[valueStart:j]
			} else {
				b.WriteString(t.b[run:j])
				run = j // the `}` starts the next run if val is not it
				val = b.String()
			}
			err := validateExpr(val, kind)
			if err == nil {
				return val, j + 1
			}
			if err.fatal {
				p.fail(p.exprErrorOffset(t, i, val, err.pos), err.msg)
			}
			lastErr, lastVal = err, val
			j++
			continue
		}
		if isEOL(c) {
			n := t.eolLen(j)
			simple = false
			b.WriteString(t.b[run:j]) // run == valueStart while simple
			b.WriteString(t.b[j : j+n])
			j += n
			if t.at(j) < 0 && t.lazyAt >= 0 {
				if !allowLazy && p.lineOf(t.lazyAt) != startLine {
					p.fail(t.lazyAt, "Unexpected lazy line in expression in container, expected line to be prefixed with `>` when in a block quote, whitespace when in a list, etc")
				}
			}
			// Up to two columns of line prefix are not part of the value.
			for k := 0; k < 2; k++ {
				if c := t.at(j); c == ' ' || c == '\t' {
					j++
				} else {
					break
				}
			}
			run = j
			continue
		}
		j++
	}
}

// exprErrorOffset maps a validation error inside val back to the source.
// Positions are approximate when the value spans lines.
func (p *parser) exprErrorOffset(t *vtext, open int, val string, pos int) int {
	if pos < 0 {
		pos = 0
	}
	if pos > len(val) {
		pos = len(val)
	}
	// Walk the buffer from after `{`, skipping stripped line prefixes.
	j := open + 1
	k := 0
	for k < pos {
		c := t.at(j)
		if c < 0 {
			break
		}
		if isEOL(c) {
			n := t.eolLen(j)
			j += n
			k += n
			for s := 0; s < 2; s++ {
				if c := t.at(j); c == ' ' || c == '\t' {
					j++
				} else {
					break
				}
			}
			continue
		}
		j++
		k++
	}
	return t.src(j)
}
