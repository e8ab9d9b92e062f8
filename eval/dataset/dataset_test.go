package dataset

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
)

func TestItemNameVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "conformance", "vectors", "dataset-item-name.json"))
	if err != nil {
		t.Skip("conformance vectors not available:", err)
	}
	var doc struct {
		Cases []struct {
			Name     string          `json:"name"`
			Input    json.RawMessage `json:"input"`
			Index    int             `json:"index"`
			Expected string          `json:"expected"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range doc.Cases {
		v, err := jsvalue.ParseJSON(c.Input)
		if err != nil {
			t.Fatal(err)
		}
		if got := ItemName(v, c.Index); got != c.Expected {
			t.Errorf("%s: ItemName = %q, want %q", c.Name, got, c.Expected)
		}
	}
}

func TestSeededRandomGolden(t *testing.T) {
	want := []float64{0.6011037519201636, 0.9998110907617956, 0.8361802322324365, 0.03719550580717623, 0.060074036940932274, 0.62949686544016}
	for i, w := range want {
		if got := SeededRandom(42, i); got != w {
			t.Errorf("SeededRandom(42,%d) = %v, want %v", i, got, w)
		}
	}
	if got := SeededRandom(0, 0); got != 0.26642920868471265 {
		t.Errorf("(0,0) = %v", got)
	}
	if got := SeededRandom(-1, 0); got != 0.8964226141106337 {
		t.Errorf("(-1,0) = %v", got)
	}
}

func TestParseRows(t *testing.T) {
	got, err := ParseRows("9,0,3-5,4")
	if err != nil || !reflect.DeepEqual(got, []int{0, 3, 4, 5, 9}) {
		t.Fatalf("got %v %v", got, err)
	}
	bad := map[string]string{
		"":      "Row selection cannot be empty",
		"1,,2":  "Row selection contains empty token",
		"1-2-3": `Invalid range format: "1-2-3"`,
		"5-2":   `Invalid range: start (5) is greater than end (2) in "5-2"`,
		"x":     `Invalid row index: "x" in "x"`,
		"1-y":   `Invalid row index: "y" in "1-y"`,
	}
	for in, want := range bad {
		if _, err := ParseRows(in); err == nil || err.Error() != want {
			t.Errorf("ParseRows(%q) err = %v, want %q", in, err, want)
		}
	}
}

func TestParseSplit(t *testing.T) {
	s, err := ParseSplit("test:80")
	if err != nil || *s != (Split{"test", 80}) {
		t.Fatal(s, err)
	}
	bad := map[string]string{
		"train":     `Invalid split format: expected "train:<percentage>" or "test:<percentage>", got "train"`,
		"dev:50":    `Invalid split portion: expected "train" or "test", got "dev"`,
		"train:x":   `Invalid split percentage: expected integer 1-99, got "x"`,
		"train:100": `Split percentage must be between 1 and 99, got 100`,
		"train:0":   `Split percentage must be between 1 and 99, got 0`,
	}
	for in, want := range bad {
		if _, err := ParseSplit(in); err == nil || err.Error() != want {
			t.Errorf("ParseSplit(%q) err = %v, want %q", in, err, want)
		}
	}
}

func writeDataset(t *testing.T, lines ...string) *File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "d.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func collect(t *testing.T, seq func(func(Row, error) bool)) ([]int, error) {
	var idx []int
	for r, err := range seq {
		if err != nil {
			return idx, err
		}
		idx = append(idx, r.Index)
	}
	return idx, nil
}

func TestReaderErrors(t *testing.T) {
	f := writeDataset(t, `{"input":{"a":1},"expected_output":"x"}`, ``, `{"input":"flat"}`, `{"input":{}}`)
	idx, err := collect(t, f.Rows())
	var re *RowError
	if !errors.As(err, &re) || re.Line != 3 || len(idx) != 1 {
		t.Fatalf("idx %v err %v", idx, err)
	}
	if err.Error() != "Invalid dataset row at line 3: missing or invalid 'input' field. Each row must have an 'input' object." {
		t.Fatal(err)
	}
	f = writeDataset(t, `{"input":{"a":1}}`, `{"input": {`)
	_, err = collect(t, f.Rows())
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to parse JSON at line 2 in dataset ") {
		t.Fatal(err)
	}
	f = writeDataset(t, ``, `  `)
	_, err = collect(t, f.Rows())
	if !errors.Is(err, ErrEmpty) || !strings.HasSuffix(err.Error(), "is empty or contains no valid rows") {
		t.Fatal(err)
	}
	if _, err := Open("x.json"); err == nil || err.Error() != "Dataset must be a JSON Lines file (.jsonl)" {
		t.Fatal(err)
	}
	for _, in := range []string{`null`, `{"input":null}`, `{"input":3}`, `[1]`} {
		if _, err := ParseRow([]byte(in)); err == nil {
			t.Errorf("%s: want error", in)
		}
	}
	r, err := ParseRow([]byte(`{"input":[1],"expected_output":null}`))
	if err != nil || !r.HasExpected() || r.ExpectedOutput != nil || r.HasExpected() == false {
		t.Fatal(r, err)
	}
}

func TestLongLineAndCRLF(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	f := writeDataset(t, `{"input":{"s":"`+long+`"}}`+"\r", `{"input":{"b":2}}`)
	n := 0
	for r, err := range f.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.Index == 0 {
			s, _ := r.Input.(*jsvalue.Object).Get("s")
			if len(s.(string)) != len(long) {
				t.Fatal("long line truncated")
			}
		}
	}
	if n != 2 {
		t.Fatal(n)
	}
}

func lines(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, `{"input":{"i":`+strings.Repeat("1", 1)+`}}`)
	}
	return out
}

func TestSamplingApply(t *testing.T) {
	f := writeDataset(t, lines(10)...)
	got, err := collect(t, Sampling{Rows: []int{1, 3, 4, 20}}.Apply(f))
	if err != nil || !reflect.DeepEqual(got, []int{1, 3, 4}) {
		t.Fatal(got, err)
	}
	got, _ = collect(t, Sampling{Split: &Split{"train", 80}}.Apply(f))
	if !reflect.DeepEqual(got, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatal(got)
	}
	got, _ = collect(t, Sampling{Split: &Split{"test", 80}}.Apply(f))
	if !reflect.DeepEqual(got, []int{8, 9}) {
		t.Fatal(got)
	}
	// Math.round(7*50/100) = 4 (3.5 rounds up).
	f7 := writeDataset(t, lines(7)...)
	got, _ = collect(t, Sampling{Split: &Split{"train", 50}}.Apply(f7))
	if !reflect.DeepEqual(got, []int{0, 1, 2, 3}) {
		t.Fatal(got)
	}
	seed := int64(42)
	// seed 42 draws: .601 .9998 .836 .037 .060 .629 ...
	got, _ = collect(t, Sampling{Sample: 50, Seed: &seed}.Apply(f))
	var want []int
	for i := 0; i < 10; i++ {
		if SeededRandom(42, i) < 0.5 {
			want = append(want, i)
		}
	}
	if !reflect.DeepEqual(got, want) || got[0] != 3 || got[1] != 4 {
		t.Fatal(got, want)
	}
	train, _ := collect(t, Sampling{Split: &Split{"train", 50}, Seed: &seed}.Apply(f))
	test, _ := collect(t, Sampling{Split: &Split{"test", 50}, Seed: &seed}.Apply(f))
	if !reflect.DeepEqual(train, want) || len(train)+len(test) != 10 {
		t.Fatal(train, test)
	}
	again, _ := collect(t, Sampling{Sample: 50, Seed: &seed}.Apply(f))
	if !reflect.DeepEqual(again, got) {
		t.Fatal("not reproducible")
	}
	if _, err := collect(t, Sampling{Sample: 5, Rows: []int{1}}.Apply(f)); err != ErrExclusive {
		t.Fatal(err)
	}
	all, _ := collect(t, Sampling{Seed: &seed}.Apply(f))
	if len(all) != 10 {
		t.Fatal(all)
	}
}
