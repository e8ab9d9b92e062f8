// Package dataset reads AgentMark experiment datasets: JSON Lines files
// whose rows are {"input": {...}, "expected_output"?: any, "metadata"?: {...}}
// (cli-eval-deploy §E.1). Reads stream: a Reader holds one line at a time,
// so datasets far larger than memory can run.
package dataset

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// MaxLineBytes bounds one dataset line (64 MiB); a longer line is an error
// instead of unbounded memory.
const MaxLineBytes = 64 << 20

// Row is one dataset row.
type Row struct {
	// Index is the 0-based position among the dataset's rows (blank lines
	// do not count); --rows and seeded sampling address rows by it.
	Index int
	// Line is the 1-based line number in the file (0 for in-memory rows).
	Line int
	// Input is the row's input object (props of the prompt).
	Input jsvalue.Value
	// ExpectedOutput is expected_output, or jsvalue.Undefined when absent.
	ExpectedOutput jsvalue.Value
	// Metadata is the row's metadata, or jsvalue.Undefined when absent.
	Metadata jsvalue.Value
}

// HasExpected reports whether the row has an expected_output.
func (r Row) HasExpected() bool { return !jsvalue.IsUndefined(r.ExpectedOutput) }

// RowError is an invalid dataset line. Its message is upstream's text.
type RowError struct {
	Path   string
	Line   int
	Reason string // "json" or "input"
	Err    error  // the JSON error, for Reason "json"
}

func (e *RowError) Error() string {
	if e.Reason == "json" {
		return fmt.Sprintf("Failed to parse JSON at line %d in dataset %s: %v", e.Line, e.Path, e.Err)
	}
	return fmt.Sprintf("Invalid dataset row at line %d: missing or invalid 'input' field. Each row must have an 'input' object.", e.Line)
}

func (e *RowError) Unwrap() error { return e.Err }

// ErrEmpty is returned (wrapped, with the path) when a dataset has no rows.
var ErrEmpty = errors.New("dataset is empty")

type emptyError struct{ path string }

func (e *emptyError) Error() string {
	return fmt.Sprintf("Dataset %s is empty or contains no valid rows", e.path)
}
func (e *emptyError) Unwrap() error { return ErrEmpty }

// CheckPath rejects paths that are not .jsonl files (upstream's text).
func CheckPath(path string) error {
	if !strings.HasSuffix(strings.ToLower(path), ".jsonl") {
		return errors.New("Dataset must be a JSON Lines file (.jsonl)")
	}
	return nil
}

// Reader reads rows from JSON Lines one at a time.
type Reader struct {
	br    *bufio.Reader
	name  string
	line  int
	index int
	buf   []byte
	done  bool
}

// NewReader reads rows from r; name is used in error messages.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 256<<10), name: name}
}

// readLine returns the next line without its terminator, or io.EOF.
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.buf = append(r.buf, chunk...)
		if len(r.buf) > MaxLineBytes {
			return nil, fmt.Errorf("line %d in dataset %s is longer than %d bytes", r.line+1, r.name, MaxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(r.buf) == 0 {
				return nil, io.EOF
			}
			break
		}
		if err != nil {
			return nil, err
		}
		break
	}
	return bytes.TrimRight(r.buf, "\r\n"), nil
}

// Next returns the next row, io.EOF after the last one, or a *RowError for
// an invalid line (the stream ends there). A dataset with no rows at all
// reports "Dataset <name> is empty or contains no valid rows".
func (r *Reader) Next() (Row, error) {
	if r.done {
		return Row{}, io.EOF
	}
	for {
		line, err := r.readLine()
		if err == io.EOF {
			r.done = true
			if r.index == 0 {
				return Row{}, &emptyError{r.name}
			}
			return Row{}, io.EOF
		}
		if err != nil {
			r.done = true
			return Row{}, err
		}
		r.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		row, err := ParseRow(line)
		if err != nil {
			r.done = true
			var re *RowError
			if errors.As(err, &re) {
				re.Path, re.Line = r.name, r.line
			}
			return Row{}, err
		}
		row.Line = r.line
		row.Index = r.index
		r.index++
		return row, nil
	}
}

// All yields the remaining rows; an error ends the sequence.
func (r *Reader) All() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(row, err) || err != nil {
				return
			}
		}
	}
}

// ParseRow parses one JSON line. Errors are *RowError without Path/Line.
func ParseRow(line []byte) (Row, error) {
	v, err := jsvalue.ParseJSON(line)
	if err != nil {
		return Row{}, &RowError{Reason: "json", Err: err}
	}
	obj, ok := v.(*jsvalue.Object)
	if !ok {
		return Row{}, &RowError{Reason: "input"}
	}
	in, ok := obj.Get("input")
	switch in.(type) {
	case *jsvalue.Object, []jsvalue.Value:
	default:
		ok = false
	}
	if !ok {
		return Row{}, &RowError{Reason: "input"}
	}
	row := Row{Input: in, ExpectedOutput: jsvalue.Undefined, Metadata: jsvalue.Undefined}
	if e, ok := obj.Get("expected_output"); ok {
		row.ExpectedOutput = e
	}
	if m, ok := obj.Get("metadata"); ok {
		row.Metadata = m
	}
	return row, nil
}

// File is a dataset on disk. Rows can be read any number of times (two
// passes are needed for an unseeded --split).
type File struct {
	Path string // as opened
	Name string // for messages (the path as configured)
}

// Open checks that path is an existing .jsonl file.
func Open(path string) (*File, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return nil, fmt.Errorf("Dataset not found: %s", path)
	}
	return &File{Path: path, Name: path}, nil
}

// Rows streams the file's rows.
func (f *File) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		fh, err := os.Open(f.Path)
		if err != nil {
			yield(Row{}, err)
			return
		}
		defer fh.Close()
		NewReader(fh, f.Name).All()(yield)
	}
}

// Count counts the rows (non-blank lines) without parsing them.
func (f *File) Count() (int, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	r := NewReader(fh, f.Name)
	n := 0
	for {
		line, err := r.readLine()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
}

// Resolve finds a dataset configured as test_settings.dataset: absolute
// paths as they are; relative ones (a leading "./" dropped) against each
// base directory in order, then <base>/templates/<basename> (upstream's
// dev-server fallback). The first existing file wins; when none exists the
// first candidate is returned.
func Resolve(path string, bases ...string) string {
	if filepath.IsAbs(path) {
		return path
	}
	rel := filepath.FromSlash(strings.TrimPrefix(path, "./"))
	var cands []string
	for _, b := range bases {
		if b != "" {
			cands = append(cands, filepath.Join(b, rel))
		}
	}
	for _, b := range bases {
		if b != "" {
			cands = append(cands, filepath.Join(b, "templates", filepath.Base(rel)))
		}
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	if len(cands) > 0 {
		return cands[0]
	}
	return rel
}

// ItemName is computeDatasetItemName (§E.2): index as a string for null,
// "" or {} input, else the first 12 hex chars of the md5 of the input as
// JSON with recursively sorted keys and non-ASCII escaped as \uXXXX.
func ItemName(input jsvalue.Value, index int) string {
	switch t := input.(type) {
	case nil:
		return fmt.Sprint(index)
	case string:
		if t == "" {
			return fmt.Sprint(index)
		}
	case *jsvalue.Object:
		if t.Len() == 0 {
			return fmt.Sprint(index)
		}
	}
	if jsvalue.IsUndefined(input) {
		return fmt.Sprint(index)
	}
	var b strings.Builder
	StableStringify(&b, input)
	sum := md5.Sum([]byte(escapeNonASCII(b.String())))
	return hex.EncodeToString(sum[:])[:12]
}

// StableStringify writes v as JSON.stringify would, with object keys
// sorted (UTF-16 order) at every level.
func StableStringify(b *strings.Builder, v jsvalue.Value) {
	switch t := v.(type) {
	case *jsvalue.Object:
		keys := t.Keys()
		sort.Slice(keys, func(i, j int) bool { return jsvalue.CompareUTF16(keys[i], keys[j]) < 0 })
		b.WriteByte('{')
		n := 0
		for _, k := range keys {
			e, _ := t.Get(k)
			if jsvalue.IsUndefined(e) {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			jsvalue.QuoteJSON(b, k)
			b.WriteByte(':')
			StableStringify(b, e)
		}
		b.WriteByte('}')
	case []jsvalue.Value:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			StableStringify(b, e)
		}
		b.WriteByte(']')
	default:
		s, ok := jsvalue.Stringify(v)
		if !ok {
			s = "null"
		}
		b.WriteString(s)
	}
}

func escapeNonASCII(s string) string {
	var b strings.Builder
	for _, u := range jsvalue.ToUTF16(s) {
		if u > 0x7f {
			fmt.Fprintf(&b, "\\u%04x", u)
		} else {
			b.WriteByte(byte(u))
		}
	}
	return b.String()
}
