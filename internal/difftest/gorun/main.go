// Command gorun renders conformance-style cases with our engine, in process,
// the way `agentmark format` does: one JSON line per case on stdout.
//
//	go run ./internal/difftest/gorun [-compat-if] < cases.jsonl > results.jsonl
//
// With -compat-if the engine reproduces upstream's shared If flag, so that
// If-chain inputs can be compared against the upstream oracle too.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/project"
	"github.com/agentmark-go/agentmark/prompt"
	"github.com/agentmark-go/agentmark/templatedx"
)

type testCase struct {
	ID    string            `json:"id"`
	Entry string            `json:"entry"`
	Files map[string]string `json:"files"`
	Props json.RawMessage   `json:"props"`
}

func main() {
	compatIf := flag.Bool("compat-if", false, "share one If flag per scope, like upstream")
	flag.Parse()
	var engine *templatedx.Engine
	if *compatIf {
		engine = templatedx.New(templatedx.WithCompat(templatedx.Compat{SharedIfFlag: true}))
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		var c testCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad case:", err)
			os.Exit(2)
		}
		res := map[string]any{"id": c.ID}
		text, err := run(c, engine)
		if err != nil {
			res["ok"] = false
			res["error"] = err.Error()
		} else {
			res["ok"] = true
			res["output"] = json.RawMessage(text)
		}
		line, _ := json.Marshal(res)
		out.Write(line)
		out.WriteByte('\n')
	}
}

func run(c testCase, engine *templatedx.Engine) (_ string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	dir, err := os.MkdirTemp("", "difftest-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	for rel, text := range c.Files {
		f := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	entry := c.Entry
	if entry == "" {
		entry = "main.prompt.mdx"
	}
	props := jsvalue.Value(jsvalue.NewObject())
	if len(c.Props) > 0 {
		if props, err = jsvalue.ParseJSON(c.Props); err != nil {
			return "", err
		}
	}
	abs := filepath.Join(dir, filepath.FromSlash(entry))
	src, err := os.ReadFile(abs)
	if err != nil {
		return "", err
	}
	tpl, err := prompt.Parse(string(src), prompt.Options{Path: filepath.ToSlash(abs), Loader: project.FileLoader(dir), Engine: engine})
	if err != nil {
		return "", err
	}
	out, err := tpl.Format(props)
	if err != nil {
		return "", err
	}
	s, _ := jsvalue.Stringify(out)
	return s, nil
}
