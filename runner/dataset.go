package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/agentmark-go/agentmark"
	"github.com/agentmark-go/agentmark/eval/dataset"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
)

// DatasetRow is one row of a dataset file.
type DatasetRow struct {
	Input          json.RawMessage `json:"input"`
	ExpectedOutput json.RawMessage `json:"expected_output,omitempty"`
	Metadata       json.RawMessage `json:"metadata,omitempty"`
}

// Datasets reads datasets by path (test_settings.dataset or a job's
// datasetPath). A bad row ends the sequence with an error.
type Datasets interface {
	Rows(ctx context.Context, path string) iter.Seq2[DatasetRow, error]
}

// DirDatasets reads .jsonl datasets under Root (the agentmark templates
// root): the path is resolved against Root (a leading "./" stripped,
// confined to Root), falling back to Root/templates/<basename>.
type DirDatasets struct{ Root string }

// Rows implements Datasets.
func (d DirDatasets) Rows(ctx context.Context, p string) iter.Seq2[DatasetRow, error] {
	return func(yield func(DatasetRow, error) bool) {
		if !strings.HasSuffix(strings.ToLower(p), ".jsonl") {
			yield(DatasetRow{}, errors.New("Dataset must be a JSON Lines file (.jsonl)"))
			return
		}
		rel := strings.TrimPrefix(filepath.ToSlash(p), "./")
		full, err := project.Confine(d.Root, filepath.FromSlash(rel))
		if err == nil {
			if _, serr := os.Stat(full); serr != nil {
				err = serr
			}
		}
		if err != nil {
			alt := filepath.Join(d.Root, "templates", path.Base(rel))
			if _, serr := os.Stat(alt); serr == nil {
				full, err = alt, nil
			}
		}
		if err != nil {
			yield(DatasetRow{}, fmt.Errorf("Dataset not found: %s. Ensure it was included in 'agentmark build' output.", p))
			return
		}
		f, err := os.Open(full)
		if err != nil {
			yield(DatasetRow{}, err)
			return
		}
		defer f.Close()
		readJSONL(ctx, f, p, yield)
	}
}

// HTTPDatasets reads datasets from an AgentMark API server (the local dev
// server on :9418 or the platform): GET <BaseURL>/v1/templates?path=<p>
// with Accept: application/x-ndjson (a JSON array body works too).
type HTTPDatasets struct {
	BaseURL string
	Client  *http.Client
	Header  http.Header
}

// Rows implements Datasets.
func (d HTTPDatasets) Rows(ctx context.Context, p string) iter.Seq2[DatasetRow, error] {
	return func(yield func(DatasetRow, error) bool) {
		u := strings.TrimRight(d.BaseURL, "/") + "/v1/templates?path=" + url.QueryEscape(p)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			yield(DatasetRow{}, err)
			return
		}
		for k, vs := range d.Header {
			req.Header[k] = vs
		}
		req.Header.Set("Accept", "application/x-ndjson")
		hc := d.Client
		if hc == nil {
			hc = http.DefaultClient
		}
		resp, err := hc.Do(req)
		if err != nil {
			yield(DatasetRow{}, err)
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
			yield(DatasetRow{}, fmt.Errorf("Failed to load dataset %s: HTTP %d %s", p, resp.StatusCode, strings.TrimSpace(string(b))))
			return
		}
		br := bufio.NewReader(resp.Body)
		first, _ := br.Peek(64)
		if t := bytes.TrimSpace(first); len(t) > 0 && t[0] == '[' {
			var rows []json.RawMessage
			if err := json.NewDecoder(br).Decode(&rows); err != nil {
				yield(DatasetRow{}, fmt.Errorf("Failed to parse JSON in dataset %s: %v", p, err))
				return
			}
			for _, r := range rows {
				row, err := parseRow(r)
				if err != nil {
					yield(DatasetRow{}, errors.New("Invalid dataset row: missing or invalid 'input' field. Each row must have an 'input' object."))
					return
				}
				if !yield(row, nil) {
					return
				}
			}
			return
		}
		readJSONL(ctx, br, p, yield)
	}
}

func readJSONL(ctx context.Context, r io.Reader, p string, yield func(DatasetRow, error) bool) {
	br := bufio.NewReader(r)
	n, sawRow := 0, false
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			n++
			if cerr := ctx.Err(); cerr != nil {
				yield(DatasetRow{}, cerr)
				return
			}
			trimmed := bytes.TrimSpace(line)
			if !json.Valid(trimmed) {
				var v any
				perr := json.Unmarshal(trimmed, &v)
				yield(DatasetRow{}, fmt.Errorf("Failed to parse JSON at line %d in dataset %s: %v", n, p, perr))
				return
			}
			row, rerr := parseRow(trimmed)
			if rerr != nil {
				yield(DatasetRow{}, fmt.Errorf("Invalid dataset row at line %d: missing or invalid 'input' field. Each row must have an 'input' object.", n))
				return
			}
			sawRow = true
			if !yield(row, nil) {
				return
			}
		} else {
			n++
		}
		if err != nil {
			if err != io.EOF {
				yield(DatasetRow{}, err)
			} else if !sawRow {
				yield(DatasetRow{}, fmt.Errorf("Dataset %s is empty or contains no valid rows", p))
			}
			return
		}
	}
}

// parseRow checks a row: input must be an object or an array.
func parseRow(b []byte) (DatasetRow, error) {
	var row DatasetRow
	if err := json.Unmarshal(b, &row); err != nil {
		return row, err
	}
	in := bytes.TrimSpace(row.Input)
	if len(in) == 0 || (in[0] != '{' && in[0] != '[') {
		return row, errors.New("invalid input")
	}
	return row, nil
}

// datasetsFor picks the dataset reader of a client: its loader's
// directory (source or built prompts), else ./agentmark.
func datasetsFor(c *agentmark.Client) Datasets {
	switch l := c.Loader().(type) {
	case agentmark.SourceLoader:
		return DirDatasets{Root: l.Dir}
	case agentmark.BuiltLoader:
		return DirDatasets{Root: l.Dir}
	case *agentmark.SourceLoader:
		return DirDatasets{Root: l.Dir}
	case *agentmark.BuiltLoader:
		return DirDatasets{Root: l.Dir}
	}
	return DirDatasets{Root: "agentmark"}
}

// indexedRow is a row with its post-sampling ordinal.
type indexedRow struct {
	index int
	row   DatasetRow
}

// sampleRows applies sampling (cli-eval-deploy §E.5) to a row sequence;
// indexes are post-filter ordinals.
func sampleRows(rows iter.Seq2[DatasetRow, error], s *Sampling) iter.Seq2[indexedRow, error] {
	return func(yield func(indexedRow, error) bool) {
		out := 0
		emit := func(r DatasetRow) bool {
			ok := yield(indexedRow{index: out, row: r}, nil)
			out++
			return ok
		}
		if s != nil && s.Split != nil && s.Seed == nil {
			// Unseeded split: an exact positional cutoff over all rows.
			var all []DatasetRow
			for r, err := range rows {
				if err != nil {
					yield(indexedRow{}, err)
					return
				}
				all = append(all, r)
			}
			cutoff := jsRound(float64(len(all)) * s.Split.Percentage / 100)
			for i, r := range all {
				train := i < cutoff
				if train == (s.Split.Portion == "train") {
					if !emit(r) {
						return
					}
				}
			}
			return
		}
		var keep map[int]bool
		if s != nil && len(s.Rows) > 0 {
			keep = map[int]bool{}
			for _, i := range s.Rows {
				keep[i] = true
			}
		}
		i := -1
		for r, err := range rows {
			if err != nil {
				yield(indexedRow{}, err)
				return
			}
			i++
			if s != nil {
				switch {
				case keep != nil:
					if !keep[i] {
						continue
					}
				case s.Split != nil:
					train := SeededRandom(*s.Seed, i) < s.Split.Percentage/100
					if train != (s.Split.Portion == "train") {
						continue
					}
				case s.Sample != nil:
					var x float64
					if s.Seed != nil {
						x = SeededRandom(*s.Seed, i)
					} else {
						x = rand.Float64()
					}
					if x >= *s.Sample/100 {
						continue
					}
				}
			}
			if !emit(r) {
				return
			}
		}
	}
}

func jsRound(x float64) int {
	f := float64(int64(x))
	if x-f >= 0.5 {
		return int(f) + 1
	}
	return int(f)
}

// SeededRandom is the reference sampler's mulberry32 step (shared with
// run-experiment's sampling in eval/dataset).
func SeededRandom(seed int64, index int) float64 { return dataset.SeededRandom(seed, index) }

// DatasetItemName is the 12-hex md5 of the input's sorted-key compact
// JSON (non-ASCII escaped), or the index when there is nothing to hash.
func DatasetItemName(input json.RawMessage, index int) string {
	t := bytes.TrimSpace(input)
	if len(t) == 0 {
		return fmt.Sprint(index)
	}
	v, err := jsvalue.ParseJSON(t)
	if err != nil {
		return fmt.Sprint(index)
	}
	return dataset.ItemName(v, index)
}
