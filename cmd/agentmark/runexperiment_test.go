package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// chatEcho is an OpenAI-compatible fake: it answers the last user message
// (after "say:" when present); a message containing "FAIL" gets a 400.
type chatEcho struct {
	calls atomic.Int64
	delay time.Duration
}

func (f *chatEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	var body struct {
		Stream   bool `json:"stream"`
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
	}
	data, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(data, &body)
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	last := ""
	for _, m := range body.Messages {
		if m.Role == "user" {
			if s, ok := m.Content.(string); ok {
				last = s
			} else {
				b, _ := json.Marshal(m.Content)
				last = string(b)
			}
		}
	}
	if strings.Contains(last, "FAIL") {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":{"message":"the model refused this row","type":"invalid_request_error"}}`)
		return
	}
	if _, after, ok := strings.Cut(last, "say:"); ok {
		last = strings.TrimSpace(after)
	}
	c, _ := json.Marshal(last)
	if body.Stream {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%s}}]}\n\n", c)
		fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n")
		io.WriteString(w, "data: [DONE]\n\n")
		return
	}
	fmt.Fprintf(w, `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`, c)
}

func startChatEcho(t testing.TB, f *chatEcho) {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	t.Setenv("OPENAI_API_KEY", "sk-test")
	t.Setenv("CI", "1")
}

const expPrompt = `---
name: classifier
text_config:
  model_name: openai/gpt-4o-mini
test_settings:
  dataset: ./data.jsonl
  evals:
    - exact_match
    - name: contains
      value: "o"
---

<User>say: {props.text}</User>
`

// expProject writes a project with the prompt and dataset lines.
func expProject(t testing.TB, promptSrc string, rows ...string) string {
	dir := t.TempDir()
	writeRPTree(t.(*testing.T), dir, map[string]string{
		"agentmark.json":              `{"version":"2.0.0","agentmarkPath":"."}`,
		"agentmark/exp.prompt.mdx":    promptSrc,
		"agentmark/data.jsonl":        strings.Join(rows, "\n") + "\n",
		"agentmark/judge.prompt.mdx":  "---\nname: judge\ntext_config:\n  model_name: openai/gpt-4o-mini\n---\n\n<User>\n<If condition={props.output == props.expected_output}>say: 1</If>\n<Else>say: 0.2</Else>\n</User>\n",
		"agentmark/nodata.prompt.mdx": "---\nname: nodata\ntext_config:\n  model_name: mock/echo\n---\n\n<User>x</User>\n",
	})
	return filepath.Join(dir, "agentmark", "exp.prompt.mdx")
}

func row(text, expected string) string {
	if expected == "" {
		return fmt.Sprintf(`{"input":{"text":%q}}`, text)
	}
	return fmt.Sprintf(`{"input":{"text":%q},"expected_output":%q}`, text, expected)
}

func jsonRows(t *testing.T, out string) []map[string]string {
	t.Helper()
	var rows []map[string]string
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&rows); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	return rows
}

func TestRunExperimentJSONAndThreshold(t *testing.T) {
	startChatEcho(t, &chatEcho{})
	file := expProject(t, expPrompt, row("hello", "hello"), row("world", "nope"), row("hi", "hi"))

	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "json", "--concurrency", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := jsonRows(t, out)
	if len(rows) != 3 {
		t.Fatalf("rows: %v", rows)
	}
	want := map[string]string{"#": "1", "Input": `{"text":"hello"}`, "AI Result": "hello", "Expected Output": "hello",
		"exact_match": "PASS (1.00)", "contains": "PASS (1.00)"}
	if !reflect.DeepEqual(rows[0], want) {
		t.Errorf("row 1 = %v", rows[0])
	}
	if rows[1]["exact_match"] != `FAIL (0.00 - Expected "nope", got "world")` || rows[2]["contains"] != `FAIL (0.00 - Output does not contain "o")` {
		t.Errorf("rows = %v", rows)
	}
	// Key order follows the header.
	if !strings.HasPrefix(strings.TrimSpace(out), "[\n  {\n    \"#\": \"1\",\n    \"Input\":") {
		t.Errorf("layout:\n%s", out)
	}

	// 4/6 evaluations pass: floor(66.66) = 66.
	out, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "json", "--threshold", "66")
	if code != 0 || !strings.Contains(out, "✅ Experiment passed threshold check\n   Pass rate: 66% (4/6 evaluations passed)\n   Threshold: 66%") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	_, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "json", "--threshold", "67")
	if code != 1 || !strings.Contains(errs, "❌ Experiment failed threshold check\n   Pass rate: 66% (4/6 evaluations passed)\n   Threshold: 67%\n   Difference: -1%") ||
		!strings.Contains(errs, "Experiment failed: pass rate 66% is below threshold 67%") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// parseInt leniency: 66.9 → 66.
	if _, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "jsonl", "--threshold", "66.9"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// --skip-eval: no eval columns, threshold inactive.
	out, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "json", "--threshold", "100", "--skip-eval")
	if code != 0 || strings.Contains(out, "exact_match") || strings.Contains(out, "threshold") {
		t.Fatalf("skip-eval exit %d\n%s\n%s", code, out, errs)
	}
}

func TestRunExperimentProviderFailureOnOneRow(t *testing.T) {
	startChatEcho(t, &chatEcho{})
	file := expProject(t, expPrompt, row("hello", "hello"), row("FAIL me", "x"), row("good", "good"))
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "jsonl", "--concurrency", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"AI Result":"good"`) {
		t.Fatalf("jsonl:\n%s", out)
	}
	if !strings.Contains(errs, "❌ Row 1 (item ") || !strings.Contains(errs, "the model refused this row") {
		t.Fatalf("stderr: %s", errs)
	}
	// Failed rows do not count toward the pass rate.
	_, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "jsonl", "--threshold", "100")
	if code != 0 || !strings.Contains(errs, "❌ Row 1") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Table output still renders the good rows.
	out, _, code = runPromptCLI(t, "run-experiment", file, "--concurrency", "1")
	if code != 0 || !strings.Contains(out, "Running prompt with dataset...\n🧪 Evaluations enabled\n┌") || !strings.Contains(out, "│ good ") ||
		!strings.Contains(out, "exact_match  2/2 passed (100%)  mean score 1.000") {
		t.Fatalf("table:\n%s", out)
	}
}

type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Errors    string `xml:"errors,attr"`
		Skipped   string `xml:"skipped,attr"`
		Time      string `xml:"time,attr"`
		Timestamp string `xml:"timestamp,attr"`
		Cases     []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Props     []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",cdata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// checkJUnit validates the common JUnit schema's structure: testsuites >
// testsuite > testcase (> properties > property, failure), the required
// attributes, and that the counts add up.
func checkJUnit(t *testing.T, out string) junitDoc {
	t.Helper()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<testsuites ") || !strings.HasSuffix(out, "</testsuite>\n</testsuites>\n") {
		t.Fatalf("layout:\n%s", out)
	}
	var d junitDoc
	if err := xml.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, out)
	}
	if len(d.Suites) != 1 {
		t.Fatalf("suites: %d", len(d.Suites))
	}
	s := d.Suites[0]
	fails := 0
	for _, c := range s.Cases {
		if c.Classname == "" || c.Name == "" || c.Time != "0.000" {
			t.Errorf("testcase attrs: %+v", c)
		}
		if c.Failure != nil {
			fails++
			if c.Failure.Message == "" || (c.Failure.Type != "EvalFailure" && c.Failure.Type != "ThresholdFailure") {
				t.Errorf("failure: %+v", c.Failure)
			}
		}
	}
	if d.Tests != len(s.Cases) || s.Tests != len(s.Cases) || d.Failures != fails || s.Failures != fails ||
		s.Errors != "0" || s.Skipped != "0" || d.Time != "0.000" || s.Time != "0.000" || d.Name != s.Name {
		t.Errorf("counts: %+v", d)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", s.Timestamp); err != nil {
		t.Errorf("timestamp %q", s.Timestamp)
	}
	return d
}

func TestRunExperimentJUnit(t *testing.T) {
	startChatEcho(t, &chatEcho{})
	src := strings.Replace(expPrompt, "      value: \"o\"\n", "      value: \"o\"\n  score_thresholds:\n    exact_match: 0.9\n", 1)
	file := expProject(t, src, row("hello", "hello"), row("world", "nope"))
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "junit", "--concurrency", "1", "--threshold", "10")
	if code != 1 || !strings.Contains(errs, `❌ Scorer "exact_match" mean 0.500 is below threshold 0.9 (n=2)`) ||
		!strings.Contains(errs, "Experiment failed: 0 regression(s), 1 scorer threshold(s)") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "✅") {
		t.Errorf("junit stdout has the banner:\n%s", out)
	}
	d := checkJUnit(t, out)
	s := d.Suites[0]
	if d.Name != "classifier" || len(s.Cases) != 5 || d.Failures != 2 {
		t.Fatalf("doc: %+v\n%s", d, out)
	}
	c := s.Cases[2] // exact_match, row-2
	if c.Classname != "exact_match" || c.Name != "row-2" || c.Failure == nil || c.Failure.Message != `Expected "nope", got "world"` ||
		!strings.Contains(c.Failure.Body, "Input:     {\"text\":\"world\"}\nActual:    world\nExpected:  nope\n") {
		t.Errorf("case: %+v", c)
	}
	props := map[string]string{}
	for _, p := range c.Props {
		props[p.Name] = p.Value
	}
	if props["scorer"] != "exact_match" || props["score"] != "0" || props["passed"] != "false" || props["prompt_path"] != "classifier" || props["run_id"] == "" {
		t.Errorf("props: %v", props)
	}
	last := s.Cases[4]
	if last.Name != "run-threshold" || last.Failure == nil || last.Failure.Type != "ThresholdFailure" ||
		last.Failure.Message != "exact_match mean 0.500 below threshold 0.9" || strings.TrimSpace(last.Failure.Body) != "mean=0.5 threshold=0.9 n=2" {
		t.Errorf("threshold case: %+v", last)
	}
	// A prompt without evals: one self-closing no-eval case per row.
	noEval := strings.Replace(expPrompt, "  evals:\n    - exact_match\n    - name: contains\n      value: \"o\"\n", "", 1)
	file = expProject(t, noEval, row("a", ""))
	out, _, code = runPromptCLI(t, "run-experiment", file, "--format", "junit")
	if code != 0 || !strings.Contains(out, `<testcase classname="no-eval" name="row-1" time="0.000"/>`) {
		t.Fatalf("exit %d\n%s", code, out)
	}
	checkJUnit(t, out)
}

func selectedInputs(t *testing.T, file string, args ...string) []string {
	t.Helper()
	out, errs, code := runPromptCLI(t, append([]string{"run-experiment", file, "--format", "jsonl"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		got = append(got, m["AI Result"])
	}
	sort.Slice(got, func(i, j int) bool { return len(got[i]) < len(got[j]) || len(got[i]) == len(got[j]) && got[i] < got[j] })
	return got
}

func TestRunExperimentSampling(t *testing.T) {
	var rows []string
	for i := 0; i < 10; i++ {
		rows = append(rows, row(fmt.Sprintf("r%d", i), ""))
	}
	src := strings.Replace(expPrompt, "openai/gpt-4o-mini", "mock/echo", 1)
	file := expProject(t, src, rows...)
	check := func(want []string, args ...string) {
		t.Helper()
		var w []string
		for _, x := range want {
			w = append(w, "say: "+x)
		}
		if got := selectedInputs(t, file, args...); !reflect.DeepEqual(got, w) {
			t.Errorf("%v: got %v, want %v", args, got, w)
		}
	}
	check([]string{"r0", "r3", "r4", "r5", "r9"}, "--rows", "0,3-5,9,42")
	check([]string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"}, "--split", "train:80")
	check([]string{"r8", "r9"}, "--split", "test:80")
	// Seed 42 draws for rows 0..5: .601 .9998 .836 .037 .060 .629 — so a 50%
	// sample takes rows 3 and 4 among those.
	first := selectedInputs(t, file, "--sample", "50", "--seed", "42")
	if len(first) < 2 || first[0] != "say: r3" || first[1] != "say: r4" {
		t.Errorf("seeded sample: %v", first)
	}
	if again := selectedInputs(t, file, "--sample", "50", "--seed", "42"); !reflect.DeepEqual(first, again) {
		t.Errorf("not reproducible: %v vs %v", first, again)
	}
	train := selectedInputs(t, file, "--split", "train:50", "--seed", "42")
	test := selectedInputs(t, file, "--split", "test:50", "--seed", "42")
	if !reflect.DeepEqual(train, first) || len(train)+len(test) != 10 {
		t.Errorf("seeded split: %v / %v", train, test)
	}
	if got := selectedInputs(t, file, "--seed", "7"); len(got) != 10 {
		t.Errorf("seed alone: %v", got)
	}
}

func TestRunExperimentArgErrors(t *testing.T) {
	file := expProject(t, expPrompt, row("a", "a"))
	cases := map[string][]string{
		"Format must be one of: table, csv, json, jsonl, junit":                                         {"--format", "xml"},
		"Threshold must be a number":                                                                    {"--threshold", "abc"},
		"Threshold must be between 0 and 100":                                                           {"--threshold", "101"},
		"Sample must be an integer between 1 and 100":                                                   {"--sample", "0"},
		"Seed must be a finite integer":                                                                 {"--seed", "1.5"},
		"Truncate must be a non-negative integer":                                                       {"--truncate", "-1"},
		"Concurrency must be a positive integer":                                                        {"--concurrency", "0"},
		"Sampling options are mutually exclusive: only one of --sample, --rows, or --split may be used": {"--sample", "5", "--rows", "1"},
		`Invalid split portion: expected "train" or "test", got "dev"`:                                  {"--split", "dev:5"},
		`Invalid range: start (5) is greater than end (2) in "5-2"`:                                     {"--rows", "5-2"},
		"File must be an .mdx or .json file":                                                            {},
	}
	for want, args := range cases {
		f := file
		if want == "File must be an .mdx or .json file" {
			f = strings.Replace(file, "exp.prompt.mdx", "data.jsonl", 1)
		}
		_, errs, code := runPromptCLI(t, append([]string{"run-experiment", f}, args...)...)
		if code != 1 || strings.TrimSpace(errs) != want {
			t.Errorf("%v: exit %d, stderr %q, want %q", args, code, errs, want)
		}
	}
	_, errs, code := runPromptCLI(t, "run-experiment", filepath.Join(filepath.Dir(file), "missing.prompt.mdx"))
	if code != 1 || !strings.Contains(errs, "Prompt file not found: ") || !strings.Contains(errs, "Please check that the file exists and the path is correct.") {
		t.Errorf("missing: %d %s", code, errs)
	}
	_, errs, code = runPromptCLI(t, "run-experiment", filepath.Join(filepath.Dir(file), "nodata.prompt.mdx"))
	if code != 1 || !strings.Contains(errs, "Loader or dataset is not defined for this prompt.") {
		t.Errorf("no dataset: %d %s", code, errs)
	}
}

func TestRunExperimentBadDatasetRow(t *testing.T) {
	src := strings.Replace(expPrompt, "openai/gpt-4o-mini", "mock/echo", 1)
	file := expProject(t, src, row("a", "say: a"), `{"input":"flat"}`, row("b", "b"))
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "jsonl", "--concurrency", "1")
	if code != 0 || !strings.Contains(errs, "❌ Invalid dataset row at line 2: missing or invalid 'input' field. Each row must have an 'input' object.") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := strings.Count(strings.TrimSpace(out), "\n") + 1; n != 1 {
		t.Errorf("rows after the bad one ran:\n%s", out)
	}
}

func TestRunExperimentRegressionGate(t *testing.T) {
	startChatEcho(t, &chatEcho{})
	src := strings.Replace(expPrompt, "test_settings:\n", "test_settings:\n  experiment_key: classifier-v1\n  regression_tolerance: 0.1\n", 1)
	file := expProject(t, src, row("hello", "hello"), row("world", "world"))
	// First run records the baseline (both exact_match scores 1).
	if _, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "json"); code != 0 {
		t.Fatalf("baseline run: %s", errs)
	}
	root := filepath.Dir(filepath.Dir(file))
	if m, _ := filepath.Glob(filepath.Join(root, ".agentmark", "experiments", "*", "*.json")); len(m) != 1 {
		t.Fatalf("recorded runs: %v", m)
	}
	// Same outputs: no regression.
	_, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "json", "--baseline-commit", "main")
	if code != 0 || !strings.Contains(errs, `⚠️  No run at main for "classifier-v1"; comparing against the most recent prior run instead.`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The dataset changes its expectation for "world": exact_match drops 1 → 0.
	if err := os.WriteFile(filepath.Join(filepath.Dir(file), "data.jsonl"), []byte(row("hello", "hello")+"\n"+row("world", "WORLD")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "junit", "--baseline-commit", "main", "--concurrency", "1")
	if code != 1 || !strings.Contains(errs, "❌ 1 scorer result(s) regressed beyond tolerance vs baseline") || !strings.Contains(errs, "Experiment failed: 1 regression(s)") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	d := checkJUnit(t, out)
	var reg *struct{ msg, body string }
	for _, c := range d.Suites[0].Cases {
		if c.Failure != nil && strings.Contains(c.Failure.Message, "regressed") {
			reg = &struct{ msg, body string }{c.Failure.Message, c.Failure.Body}
		}
	}
	if reg == nil || reg.msg != "exact_match regressed 100.0% vs baseline (tolerance 10.0%)" || !strings.Contains(reg.body, "Baseline:  1\nDrop:      100.0% (tolerance 10.0%)") {
		t.Fatalf("regression case: %+v\n%s", reg, out)
	}
	if !strings.Contains(out, `<property name="baseline_score" value="1"/>`) || !strings.Contains(out, `<property name="regression_tolerance" value="0.1"/>`) {
		t.Errorf("properties:\n%s", out)
	}
	// --skip-eval: no baseline, no gate.
	if _, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "json", "--baseline-commit", "main", "--skip-eval"); code != 0 {
		t.Fatalf("skip-eval: %s", errs)
	}
	// No baseline for another key.
	src2 := strings.Replace(src, "classifier-v1", "other", 1)
	os.WriteFile(file, []byte(src2), 0o644)
	_, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "json", "--baseline-commit", "main")
	if code != 0 || !strings.Contains(errs, `⚠️  No baseline run found for "other" — regression gate inactive.`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestRunExperimentLLMJudgeAndObject(t *testing.T) {
	startChatEcho(t, &chatEcho{})
	src := strings.Replace(expPrompt, "    - exact_match\n", "    - exact_match\n    - name: llm_judge\n      prompt: judge.prompt.mdx\n", 1)
	file := expProject(t, src, row("hello", "hello"), row("world", "nope"))
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--format", "jsonl", "--concurrency", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"llm_judge":"PASS (1.00)"`) || !strings.Contains(out, `"llm_judge":"FAIL (0.20)"`) {
		t.Errorf("judge:\n%s\n%s", out, errs)
	}
	obj := "---\nname: obj\nobject_config:\n  model_name: mock/echo\n  schema:\n    type: object\n    properties:\n      n: {type: number}\n    required: [n]\ntest_settings:\n  dataset: ./data.jsonl\n  evals: [json_valid, json_schema, {name: regex, pattern: '\"n\"'}]\n---\n\n<User>{props.text}</User>\n"
	file = expProject(t, obj, row("a", ""))
	out, errs, code = runPromptCLI(t, "run-experiment", file, "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "#,Input,AI Result,Expected Output,json_valid,json_schema,regex\n1,\"{\"\"text\"\":\"\"a\"\"}\",") ||
		strings.Count(out, "PASS (1.00)") != 3 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// fakeRunner answers a dataset-run job with NDJSON chunks.
func TestRunExperimentOnServer(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("AgentMark-Streaming", "true")
		io.WriteString(w, `{"type":"dataset","result":{"input":{"text":"a"},"expectedOutput":"A","actualOutput":"A","tokens":3,"evals":[{"name":"exact_match","score":1,"passed":true}]},"traceId":"t1","runId":"run-1","runName":"classifier"}`+"\n")
		io.WriteString(w, `{"type":"error","error":"row 2 exploded"}`+"\n")
		io.WriteString(w, "not json\n")
		io.WriteString(w, `{"type":"dataset","result":{"input":{"text":"b"},"actualOutput":"B","evals":[{"name":"exact_match","score":0,"passed":false,"reason":"no"}]},"runId":"run-1","runName":"classifier"}`+"\n")
	}))
	defer srv.Close()
	file := expProject(t, expPrompt, row("a", "A"))
	out, errs, code := runPromptCLI(t, "run-experiment", file, "--server", srv.URL, "--format", "json", "--rows", "0-1", "--seed", "3", "--concurrency", "4", "--threshold", "50")
	if code != 0 || !strings.Contains(errs, "❌ row 2 exploded") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := jsonRows(t, out)
	if len(rows) != 2 || rows[1]["Expected Output"] != "N/A" || rows[1]["exact_match"] != "FAIL (0.00 - no)" {
		t.Errorf("rows: %v", rows)
	}
	data, _ := got["data"].(map[string]any)
	if got["type"] != "dataset-run" || data["datasetPath"] != "./data.jsonl" || data["experimentId"] != "classifier" || data["promptPath"] != "exp.prompt.mdx" ||
		data["concurrency"] != 4.0 || !reflect.DeepEqual(data["sampling"], map[string]any{"rows": []any{0.0, 1.0}, "seed": 3.0}) || data["ast"] == nil {
		t.Errorf("job: %v", data)
	}
	_, errs, code = runPromptCLI(t, "run-experiment", file, "--server", srv.URL, "--format", "json", "--threshold", "60")
	if code != 1 || !strings.Contains(errs, "Pass rate: 50% (1/2 evaluations passed)") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
