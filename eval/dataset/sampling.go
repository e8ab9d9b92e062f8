package dataset

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Sampling selects a subset of a dataset (cli-eval-deploy §E.5). At most
// one of Sample, Rows and Split is set; Seed makes Sample and Split
// reproducible (the same rows as upstream's TypeScript and Python for the
// same seed).
type Sampling struct {
	Sample int   // percent 1..100 (0: off); per-row Bernoulli
	Rows   []int // 0-based dataset positions, sorted and deduplicated
	Split  *Split
	Seed   *int64
}

// Split is a train/test split.
type Split struct {
	Portion    string // "train" or "test"
	Percentage int    // 1..99: the train share
}

// ErrExclusive is the mutual-exclusion error text.
var ErrExclusive = errors.New("Sampling options are mutually exclusive: only one of --sample, --rows, or --split may be used")

// Active reports whether the sampling filters anything.
func (s Sampling) Active() bool { return s.Sample > 0 || s.Rows != nil || s.Split != nil }

// Validate checks mutual exclusion.
func (s Sampling) Validate() error {
	n := 0
	if s.Sample > 0 {
		n++
	}
	if s.Rows != nil {
		n++
	}
	if s.Split != nil {
		n++
	}
	if n > 1 {
		return ErrExclusive
	}
	return nil
}

var digitsRE = regexp.MustCompile(`^\d+$`)

// ParseRows parses a --rows spec: comma-separated 0-based indices and
// inclusive ranges a-b. The result is sorted and deduplicated.
func ParseRows(spec string) ([]int, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("Row selection cannot be empty")
	}
	set := map[int]bool{}
	for _, tok := range strings.Split(spec, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			return nil, errors.New("Row selection contains empty token")
		}
		if strings.Contains(tok, "-") {
			parts := strings.Split(tok, "-")
			if len(parts) != 2 {
				return nil, fmt.Errorf("Invalid range format: %q", tok)
			}
			a, err := parseIndex(strings.TrimSpace(parts[0]), tok)
			if err != nil {
				return nil, err
			}
			b, err := parseIndex(strings.TrimSpace(parts[1]), tok)
			if err != nil {
				return nil, err
			}
			if a > b {
				return nil, fmt.Errorf("Invalid range: start (%d) is greater than end (%d) in %q", a, b, tok)
			}
			if b-a > 10_000_000 {
				return nil, fmt.Errorf("Invalid range format: %q", tok)
			}
			for i := a; i <= b; i++ {
				set[i] = true
			}
			continue
		}
		i, err := parseIndex(tok, tok)
		if err != nil {
			return nil, err
		}
		set[i] = true
	}
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	sort.Ints(out)
	return out, nil
}

func parseIndex(v, ctx string) (int, error) {
	if !digitsRE.MatchString(v) {
		return 0, fmt.Errorf("Invalid row index: %q in %q", v, ctx)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("Invalid row index: %q in %q", v, ctx)
	}
	return n, nil
}

// ParseSplit parses "train:<1-99>" or "test:<1-99>".
func ParseSplit(spec string) (*Split, error) {
	portion, pct, ok := strings.Cut(spec, ":")
	if !ok || strings.Contains(pct, ":") {
		return nil, fmt.Errorf(`Invalid split format: expected "train:<percentage>" or "test:<percentage>", got %q`, spec)
	}
	if portion != "train" && portion != "test" {
		return nil, fmt.Errorf(`Invalid split portion: expected "train" or "test", got %q`, portion)
	}
	if !digitsRE.MatchString(pct) {
		return nil, fmt.Errorf(`Invalid split percentage: expected integer 1-99, got %q`, pct)
	}
	n, err := strconv.Atoi(pct)
	if err != nil || n < 1 || n > 99 {
		return nil, fmt.Errorf("Split percentage must be between 1 and 99, got %d", n)
	}
	return &Split{Portion: portion, Percentage: n}, nil
}

// SeededRandom is upstream's seededRandom(seed, index): one mulberry32
// step in 32-bit integer arithmetic, a float in [0, 1).
func SeededRandom(seed int64, index int) float64 {
	h := int32(seed) + int32(index)
	h += 0x6D2B79F5
	t := imul(h^int32(uint32(h)>>15), 1|h)
	t = (t + imul(t^int32(uint32(t)>>7), 61|t)) ^ t
	return float64(uint32(t^int32(uint32(t)>>14))) / 4294967296
}

func imul(a, b int32) int32 { return int32(uint32(a) * uint32(b)) }

// Source is a dataset that can be read more than once (a File, or rows in
// memory).
type Source interface {
	Rows() iter.Seq2[Row, error]
}

// Counter is a Source that can count its rows cheaply.
type Counter interface {
	Count() (int, error)
}

// Slice is an in-memory dataset.
type Slice []Row

// Rows implements Source.
func (s Slice) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for i, r := range s {
			r.Index = i
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Count implements Counter.
func (s Slice) Count() (int, error) { return len(s), nil }

// Apply streams the rows of src that s selects, in dataset order. Only an
// unseeded split needs the row count first: it counts (a cheap extra pass
// over a File, no JSON parsing) instead of buffering rows as upstream
// does. Sampling never holds more than one row in memory.
func (s Sampling) Apply(src Source) iter.Seq2[Row, error] {
	if err := s.Validate(); err != nil {
		return func(yield func(Row, error) bool) { yield(Row{}, err) }
	}
	switch {
	case s.Rows != nil:
		want := s.Rows
		return func(yield func(Row, error) bool) {
			k := 0
			for r, err := range src.Rows() {
				if err != nil {
					yield(r, err)
					return
				}
				for k < len(want) && want[k] < r.Index {
					k++
				}
				if k >= len(want) {
					return // past the last selected row: stop reading
				}
				if want[k] == r.Index && !yield(r, nil) {
					return
				}
			}
		}
	case s.Sample > 0:
		p := float64(s.Sample) / 100
		return s.bernoulli(src, p, true)
	case s.Split != nil:
		p := float64(s.Split.Percentage) / 100
		train := s.Split.Portion == "train"
		if s.Seed != nil {
			return s.bernoulli(src, p, train)
		}
		return func(yield func(Row, error) bool) {
			total, err := countRows(src)
			if err != nil {
				yield(Row{}, err)
				return
			}
			cutoff := int(jsRound(float64(total) * float64(s.Split.Percentage) / 100))
			for r, err := range src.Rows() {
				if err != nil {
					yield(r, err)
					return
				}
				if (r.Index < cutoff) == train && !yield(r, nil) {
					return
				}
			}
		}
	}
	return src.Rows()
}

// bernoulli keeps a row when its draw < p (keep=true) or >= p (keep=false).
func (s Sampling) bernoulli(src Source, p float64, keep bool) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for r, err := range src.Rows() {
			if err != nil {
				yield(r, err)
				return
			}
			var x float64
			if s.Seed != nil {
				x = SeededRandom(*s.Seed, r.Index)
			} else {
				x = rand.Float64()
			}
			if (x < p) == keep && !yield(r, nil) {
				return
			}
		}
	}
}

func countRows(src Source) (int, error) {
	if c, ok := src.(Counter); ok {
		return c.Count()
	}
	n := 0
	for _, err := range src.Rows() {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// jsRound is Math.round: halves round up.
func jsRound(x float64) float64 {
	f := float64(int64(x))
	if x-f >= 0.5 {
		return f + 1
	}
	return f
}
