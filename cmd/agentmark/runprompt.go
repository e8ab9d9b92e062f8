package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/spf13/cobra"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	_ "github.com/agentmark-go/agentmark/llm/providers" // built-in providers
	"github.com/agentmark-go/agentmark/pricing"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/prompt/schemaref"
	"github.com/agentmark-go/agentmark/runner"
)

type runPromptOptions struct {
	props, propsFile, server string
	json                     bool
	timeout                  time.Duration
	trace                    bool
}

func runPromptCmd() *cobra.Command {
	var o runPromptOptions
	cmd := &cobra.Command{
		Use:   "run-prompt <file.prompt.mdx|file.json>",
		Short: "Run a prompt against its model and print the result",
		Long: `Render a prompt with props (default: its test_settings.props) and run it
in-process against the model in model_name: streamed text, tool calls and
results, the object (validated against its schema), or the saved image and
audio files, then the token usage and an estimated cost.

Models: "provider/model" (openai/gpt-4o, anthropic/claude-..., google/gemini-...,
ollama/llama3.2, mock/echo) or a bare name (gpt-4o, claude-..., gemini-...).
API keys and endpoints come from the environment and from .env in the
working directory: OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY,
GEMINI_API_KEY, OLLAMA_BASE_URL, ... Custom endpoints and model mappings go in
agentmark.json ("providers", "modelProviders").

Generated images and audio are written to .agentmark-outputs/ next to the
prompt. --json prints one machine-readable result object instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
			defer stop()
			if o.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, o.timeout)
				defer cancel()
			}
			if err := runPrompt(ctx, cmd.OutOrStdout(), args[0], o); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("Error running prompt: %w", err), raw: true}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.props, "props", "", "props as a JSON object")
	cmd.Flags().StringVar(&o.propsFile, "props-file", "", "read props from a JSON or YAML file")
	cmd.Flags().StringVar(&o.server, "server", "", "send the run to an AgentMark runner at this URL instead of running in-process")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON result object (no streaming)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "give up after this long (e.g. 60s; default: no limit)")
	cmd.Flags().BoolVar(&o.trace, "trace", false, "export the run's trace to the dev server (on by default when $AGENTMARK_TRACE_ENDPOINT or $AGENTMARK_BASE_URL is set)")
	return cmd
}

// loadDotEnv loads .env from the working directory without overriding
// variables already set.
func loadDotEnv() error {
	if _, err := os.Stat(".env"); err != nil {
		return nil
	}
	if err := godotenv.Load(".env"); err != nil {
		return fmt.Errorf(".env: %w", err)
	}
	return nil
}

func runPrompt(ctx context.Context, stdout io.Writer, file string, o runPromptOptions) error {
	if err := loadDotEnv(); err != nil {
		return err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err != nil || st.IsDir() {
		return fmt.Errorf("File not found: %s", abs)
	}
	ext := strings.ToLower(filepath.Ext(abs))
	if ext != ".mdx" && ext != ".json" {
		return errors.New("File must be an .mdx or .json file")
	}
	props, err := readProps(o.props, o.propsFile)
	if err != nil {
		return err
	}
	custom := o.props != "" || o.propsFile != ""
	var tpl *prompt.Template
	if ext == ".json" {
		tpl, err = prompt.BuiltLoader{Dir: filepath.Dir(abs)}.Load(filepath.Base(abs), prompt.Options{})
	} else {
		tpl, err = loadPromptFile(abs)
	}
	if err != nil {
		return err
	}
	if !custom {
		if ts := tpl.TestSettings(); ts != nil {
			if v, ok := ts.Get("props"); ok && v != nil && !jsvalue.IsUndefined(v) {
				props = v
			}
		}
	}
	promptDir := filepath.Dir(abs)
	if o.server != "" {
		return runOnServer(ctx, stdout, o.server, tpl, props, custom, abs)
	}
	out, err := tpl.Format(props)
	if err != nil {
		return err
	}
	if err := resolveObjectSchemaRefs(out, promptDir); err != nil {
		return err
	}
	call, err := llm.CallFromFormatted(out)
	if err != nil {
		return err
	}

	reg := llm.NewRegistry()
	prices := pricing.Default()
	var projectRaw *jsvalue.Object
	if root, ok := project.FindRoot(promptDir); ok {
		cfgPath := filepath.Join(root, project.ConfigFile)
		if err := reg.LoadProjectConfig(cfgPath); err != nil {
			return err
		}
		if cfg, err := project.LoadConfig(root); err == nil {
			projectRaw = cfg.Raw
		}
	}
	if projectRaw != nil {
		if ms, ok := projectRaw.Get("modelSchemas"); ok {
			if s, ok := jsvalue.Stringify(ms); ok {
				if custom, err := pricing.ParseModelSchemas([]byte(s)); err == nil && len(custom) > 0 {
					prices = prices.WithCustom(custom)
				}
			}
		}
	}
	gen := &llm.Generator{Registry: reg, OutputDir: filepath.Join(promptDir, ".agentmark-outputs")}
	if ts, closeFn, err := mcpToolSource(projectRaw); err != nil {
		return err
	} else if ts != nil {
		gen.ToolSource = ts
		defer closeFn()
	}

	streamed := !o.json && (call.Kind == llm.KindText || call.Kind == llm.KindObject)
	ctx, tr := startRunTrace(ctx, o.trace, call, props, promptDir, abs, streamed)
	if o.json {
		res, err := gen.Run(ctx, call, tr.observe(gen, nil))
		tr.end(res, err)
		traceID := tr.finish()
		if err != nil {
			return err
		}
		return writeJSONResult(stdout, res, prices, traceID)
	}

	if custom {
		fmt.Fprintln(stdout, "Running prompt with custom props...")
	} else {
		fmt.Fprintln(stdout, "Running prompt with test props...")
	}
	fmt.Fprintf(stdout, "\n=== %s Prompt Results ===\n", kindTitle(call.Kind))
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	r := &streamRenderer{w: w}
	var onEvent func(llm.Event) error
	if call.Kind == llm.KindText || call.Kind == llm.KindObject {
		onEvent = r.event
	}
	res, err := gen.Run(ctx, call, tr.observe(gen, onEvent))
	tr.end(res, err)
	if err != nil {
		tr.finish()
		w.Flush()
		if r.atLineStart == false && r.wrote {
			fmt.Fprintln(stdout)
		}
		return err
	}
	switch call.Kind {
	case llm.KindText:
		if !r.wrote {
			fmt.Fprint(w, "(no content)")
			r.wrote = true
		}
	case llm.KindObject:
		var buf bytes.Buffer
		if json.Indent(&buf, res.Object, "", "  ") == nil {
			fmt.Fprint(w, buf.String())
		} else {
			fmt.Fprint(w, string(res.Object))
		}
		r.wrote = true
	case llm.KindImage:
		fmt.Fprintf(w, "Saved %d image(s) to:\n", len(res.Files))
		for _, f := range res.Files {
			fmt.Fprintf(w, "- %s\n", displayPath(f))
		}
	case llm.KindSpeech:
		for _, f := range res.Files {
			fmt.Fprintf(w, "Saved audio to: %s\n", displayPath(f))
		}
	}
	if r.wrote {
		fmt.Fprintln(w)
	}
	u := res.Usage
	if u.InputTokens+u.OutputTokens+u.TotalTokens > 0 && (call.Kind == llm.KindText || call.Kind == llm.KindObject || u.TotalTokens > 0) {
		total := u.TotalTokens
		if total == 0 {
			total = u.InputTokens + u.OutputTokens
		}
		line := strings.Repeat("─", 60)
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "🪙 %s in, %s out, %s total", thousands(u.InputTokens), thousands(u.OutputTokens), thousands(total))
		var extra []string
		if u.CachedInputTokens > 0 {
			extra = append(extra, thousands(u.CachedInputTokens)+" cached")
		}
		if u.ReasoningTokens > 0 {
			extra = append(extra, thousands(u.ReasoningTokens)+" reasoning")
		}
		if len(extra) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(extra, ", "))
		}
		fmt.Fprintln(w)
		if usd, ok := costOf(prices, res); ok {
			fmt.Fprintf(w, "💰 %s estimated cost (%s)\n", formatUSD(usd), res.ModelName)
		}
		fmt.Fprintln(w, line)
	}
	if traceID := tr.finish(); streamed {
		printTraceLink(w, tr.projectRoot(), traceID)
	}
	return nil
}

func kindTitle(k string) string {
	switch k {
	case llm.KindObject:
		return "Object"
	case llm.KindImage:
		return "Image"
	case llm.KindSpeech:
		return "Speech"
	}
	return "Text"
}

// displayPath shows a path relative to the working directory when it is
// below it.
func displayPath(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}

// streamRenderer prints run events like upstream's run-prompt.
type streamRenderer struct {
	w             *bufio.Writer
	wrote         bool // printed result text
	atLineStart   bool
	sawToolResult bool
	textAfterTool bool
}

func (r *streamRenderer) event(ev llm.Event) error {
	switch ev.Type {
	case llm.EvTextDelta:
		if ev.Text == "" {
			return nil
		}
		if r.sawToolResult && !r.textAfterTool {
			fmt.Fprint(r.w, "\n📝 ")
			r.textAfterTool = true
		}
		fmt.Fprint(r.w, ev.Text)
		r.wrote = true
		r.atLineStart = strings.HasSuffix(ev.Text, "\n")
		return r.w.Flush()
	case llm.EvToolCall:
		fmt.Fprintf(r.w, "\n\n🔧→ %s(%s)\n", ev.ToolCall.Name, compact(ev.ToolCall.Args))
		r.textAfterTool = false
		return r.w.Flush()
	case llm.EvToolResult:
		fmt.Fprintf(r.w, "🔧← %s\n", compact(ev.ToolResult.Result))
		r.sawToolResult = true
		r.textAfterTool = false
		return r.w.Flush()
	}
	return nil
}

func compact(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// thousands formats n with comma separators (1,234,567).
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatUSD(usd float64) string {
	switch {
	case usd == 0:
		return "$0"
	case usd < 0.01:
		s := strconv.FormatFloat(usd, 'f', 6, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		return "$" + s
	}
	return "$" + strconv.FormatFloat(usd, 'f', 4, 64)
}

// costOf prices a result with the table: the model name as written, then
// the provider's model id.
func costOf(t *pricing.Table, res *llm.Result) (float64, bool) {
	if t == nil || res.Provider == "mock" {
		return 0, false
	}
	if usd, ok := t.Cost(res.ModelName, res.Usage); ok {
		return usd, true
	}
	return t.Cost(res.Model, res.Usage)
}

type jsonResult struct {
	Kind         string           `json:"kind"`
	Model        string           `json:"model"`
	Provider     string           `json:"provider"`
	Text         *string          `json:"text,omitempty"`
	Object       json.RawMessage  `json:"object,omitempty"`
	Files        []string         `json:"files,omitempty"`
	FinishReason string           `json:"finishReason,omitempty"`
	Usage        llm.Usage        `json:"usage"`
	Cost         *jsonCost        `json:"cost"`
	Steps        []llm.Step       `json:"steps,omitempty"`
	ToolCalls    []llm.ToolCall   `json:"toolCalls,omitempty"`
	ToolResults  []llm.ToolResult `json:"toolResults,omitempty"`
	TraceID      string           `json:"traceId,omitempty"`
}

type jsonCost struct {
	USD           float64 `json:"usd"`
	PricesVersion string  `json:"pricesVersion,omitempty"`
}

func writeJSONResult(w io.Writer, res *llm.Result, prices *pricing.Table, traceID string) error {
	jr := jsonResult{Kind: res.Kind, Model: res.ModelName, Provider: res.Provider, FinishReason: res.FinishReason,
		Usage: res.Usage, Files: res.Files, Steps: res.Steps, TraceID: traceID}
	switch res.Kind {
	case llm.KindText:
		t := res.Text
		jr.Text = &t
	case llm.KindObject:
		jr.Object = res.Object
	}
	if jr.Usage.TotalTokens == 0 {
		jr.Usage.TotalTokens = jr.Usage.InputTokens + jr.Usage.OutputTokens
	}
	jr.ToolCalls, jr.ToolResults = res.ToolCalls(), res.ToolResults()
	if usd, ok := costOf(prices, res); ok && jr.Usage.TotalTokens > 0 {
		jr.Cost = &jsonCost{USD: usd, PricesVersion: prices.Version()}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(jr)
}

// resolveObjectSchemaRefs inlines file $refs of object_config.schema,
// confined to the prompt's directory (like upstream run-prompt).
func resolveObjectSchemaRefs(out *jsvalue.Object, dir string) error {
	v, ok := out.Get("object_config")
	cfg, isObj := v.(*jsvalue.Object)
	if !ok || !isObj {
		return nil
	}
	sch, ok := cfg.Get("schema")
	if !ok || !schemaref.ContainsRef(sch) {
		return nil
	}
	r, err := schemaref.Resolve(sch, filepath.ToSlash(dir), schemaref.DirLoader(dir))
	if err != nil {
		return err
	}
	cfg = cfg.Clone()
	cfg.Set("schema", r)
	out.Set("object_config", cfg)
	return nil
}

// httpURLRE checks --server URLs (as runner.ValidURL does).
var httpURLRE = regexp.MustCompile(`(?i)^https?://`)

// runOnServer sends the prompt to an AgentMark runner (cli-eval-deploy
// §A.2 step 7) and renders its JSON or NDJSON answer. Bodies are signed
// when AGENTMARK_WEBHOOK_SECRET is set.
func runOnServer(ctx context.Context, stdout io.Writer, server string, tpl *prompt.Template, props jsvalue.Value, custom bool, abs string) error {
	if !runner.ValidURL(server) {
		return fmt.Errorf("--server must be an http(s) URL, got %q", server)
	}
	job := runner.PromptRunData{AST: tpl.AST(), Options: &runner.PromptRunOptions{ShouldStream: runner.Bool(true)}}
	if custom {
		job.CustomProps = props
	}
	if root, ok := project.FindRoot(filepath.Dir(abs)); ok {
		if cfg, err := project.LoadConfig(root); err == nil {
			if rel, err := filepath.Rel(cfg.PromptDir(root), abs); err == nil && !strings.HasPrefix(rel, "..") {
				job.PromptPath = filepath.ToSlash(rel)
			}
		}
	}
	if custom {
		fmt.Fprintln(stdout, "Running prompt with custom props...")
	} else {
		fmt.Fprintln(stdout, "Running prompt with test props...")
	}
	client := runner.NewClient(server)
	client.Secret = os.Getenv("AGENTMARK_WEBHOOK_SECRET")
	run, err := client.RunPrompt(ctx, job)
	if err != nil {
		return err
	}
	defer run.Close()
	kind := llm.KindText
	switch tpl.Kind() {
	case prompt.KindObject:
		kind = llm.KindObject
	case prompt.KindImage:
		kind = llm.KindImage
	case prompt.KindSpeech:
		kind = llm.KindSpeech
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	outDir := filepath.Join(filepath.Dir(abs), ".agentmark-outputs")
	root, _ := project.FindRoot(filepath.Dir(abs))
	if run.Streaming {
		fmt.Fprintf(w, "\n=== %s Prompt Results ===\n", kindTitle(kind))
		traceID, err := renderChunks(w, run)
		if err != nil {
			return err
		}
		if kind == llm.KindText || kind == llm.KindObject {
			printTraceLink(w, root, traceID)
		}
		return nil
	}
	if err := renderRunnerJSON(w, run.Response.Raw, outDir); err != nil {
		return err
	}
	if t := run.Response.Type; t == llm.KindText || t == llm.KindObject {
		printTraceLink(w, root, run.Response.TraceID)
	}
	return nil
}

type wireUsage struct {
	InputTokens      *int `json:"inputTokens"`
	OutputTokens     *int `json:"outputTokens"`
	TotalTokens      *int `json:"totalTokens"`
	PromptTokens     *int `json:"promptTokens"`
	CompletionTokens *int `json:"completionTokens"`
}

func (u *wireUsage) print(w io.Writer) {
	if u == nil {
		return
	}
	get := func(ps ...*int) int {
		for _, p := range ps {
			if p != nil {
				return *p
			}
		}
		return 0
	}
	in, out := get(u.PromptTokens, u.InputTokens), get(u.CompletionTokens, u.OutputTokens)
	total := get(u.TotalTokens)
	if total == 0 {
		total = in + out
	}
	line := strings.Repeat("─", 60)
	fmt.Fprintf(w, "\n%s\n🪙 %s in, %s out, %s total\n%s\n", line, thousands(in), thousands(out), thousands(total), line)
}

// renderChunks prints a runner stream; it returns the done event's trace
// id.
func renderChunks(w *bufio.Writer, run *runner.PromptRun) (string, error) {
	var usage *wireUsage
	traceID := ""
	var object json.RawMessage
	sawToolResult, textAfter := false, false
	for ch, err := range run.Chunks() {
		if err != nil {
			return traceID, err
		}
		switch {
		case ch.Type == runner.ChunkDone:
			traceID = ch.TraceID
		case ch.Type == runner.ChunkError:
			w.Flush()
			fmt.Fprintf(os.Stderr, "❌ %s\n", ch.ErrorMessage())
		case ch.ToolCall != nil:
			fmt.Fprintf(w, "\n\n🔧→ %s(%s)\n", ch.ToolCall.ToolName, compact(ch.ToolCall.Args))
			textAfter = false
		case ch.ToolResult != nil:
			fmt.Fprintf(w, "🔧← %s\n", compact(ch.ToolResult.Result))
			sawToolResult, textAfter = true, false
		case ch.Type == runner.ChunkText && len(ch.Result) > 0:
			var s string
			if json.Unmarshal(ch.Result, &s) == nil {
				if sawToolResult && !textAfter {
					fmt.Fprint(w, "\n📝 ")
					textAfter = true
				}
				fmt.Fprint(w, s)
			}
		case ch.Type == runner.ChunkObject && len(ch.Result) > 0 && string(ch.Result) != "null":
			object = ch.Result
		}
		if ch.Usage != nil {
			var u wireUsage
			if json.Unmarshal(ch.Raw, &struct {
				Usage *wireUsage `json:"usage"`
			}{&u}) == nil {
				usage = &u
			}
		}
		w.Flush()
	}
	if object != nil {
		var buf bytes.Buffer
		if json.Indent(&buf, object, "", "  ") == nil {
			fmt.Fprint(w, buf.String())
		}
	}
	fmt.Fprintln(w)
	usage.print(w)
	return traceID, nil
}

func renderRunnerJSON(w *bufio.Writer, raw []byte, outDir string) error {
	var r struct {
		Type   string          `json:"type"`
		Result json.RawMessage `json:"result"`
		Usage  *wireUsage      `json:"usage"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("the runner's answer is not JSON: %v", err)
	}
	fmt.Fprintf(w, "\n=== %s Prompt Results ===\n", kindTitle(r.Type))
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	switch r.Type {
	case "text":
		var s string
		if json.Unmarshal(r.Result, &s) != nil || s == "" {
			s = "(no content)"
		}
		fmt.Fprintln(w, s)
	case "object":
		var buf bytes.Buffer
		if json.Indent(&buf, r.Result, "", "  ") == nil {
			fmt.Fprintln(w, buf.String())
		}
	case "image", "speech":
		var media []struct{ MimeType, Base64, Format string }
		if r.Type == "speech" {
			var one struct{ MimeType, Base64, Format string }
			_ = json.Unmarshal(r.Result, &one)
			media = append(media, one)
		} else {
			_ = json.Unmarshal(r.Result, &media)
		}
		var paths []string
		for i, m := range media {
			data, err := decodeBase64(m.Base64)
			if err != nil {
				return err
			}
			_, sub, _ := strings.Cut(m.MimeType, "/")
			name := ""
			if r.Type == "image" {
				if sub == "" {
					sub = "png"
				}
				name = fmt.Sprintf("image-%d-%s.%s", i+1, ts, sub)
			} else {
				e := m.Format
				if e == "" {
					e = sub
				}
				if e == "" {
					e = "mp3"
				}
				name = fmt.Sprintf("audio-%s.%s", ts, e)
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			p := filepath.Join(outDir, name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
			paths = append(paths, displayPath(p))
		}
		if r.Type == "image" {
			fmt.Fprintf(w, "Saved %d image(s) to:\n", len(paths))
			for _, p := range paths {
				fmt.Fprintf(w, "- %s\n", p)
			}
		} else if len(paths) > 0 {
			fmt.Fprintf(w, "Saved audio to: %s\n", paths[0])
		}
	default:
		fmt.Fprintln(w, "(no content)")
	}
	r.Usage.print(w)
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	if i := strings.Index(s, ";base64,"); i >= 0 && strings.HasPrefix(s, "data:") {
		s = s[i+8:]
	}
	return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
}
