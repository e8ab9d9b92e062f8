// Command mdtool exposes our MDX parser and Markdown serializer line by line,
// for differential testing against the JavaScript originals
// (oracle/mdtool.mjs has the same interface).
//
//	go run ./internal/difftest/mdtool parse     < {id, src} lines  -> {id, ok, tree | error}
//	go run ./internal/difftest/mdtool stringify < {id, tree} lines -> {id, out}
//
// "stringify" serializes the way message text is extracted (root, MDX
// extensions, no trim).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/agentmark-go/agentmark/templatedx/markdown"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
	"github.com/agentmark-go/agentmark/templatedx/mdx"
)

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "parse" && os.Args[1] != "stringify") {
		fmt.Fprintln(os.Stderr, "usage: mdtool parse|stringify < input.jsonl")
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		var c struct {
			ID   string          `json:"id"`
			Src  string          `json:"src"`
			Tree json.RawMessage `json:"tree"`
		}
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad input:", err)
			os.Exit(2)
		}
		res := map[string]any{"id": c.ID}
		func() {
			defer func() {
				if r := recover(); r != nil {
					res["ok"] = false
					res["error"] = fmt.Sprintf("PANIC: %v", r)
				}
			}()
			if os.Args[1] == "parse" {
				root, err := mdx.Parse(c.Src)
				if err != nil {
					res["ok"] = false
					res["error"] = err.Error()
					return
				}
				res["ok"] = true
				res["tree"] = root
				return
			}
			var root mdast.Node
			if err := json.Unmarshal(c.Tree, &root); err != nil {
				res["ok"] = false
				res["error"] = err.Error()
				return
			}
			res["ok"] = true
			res["out"] = markdown.ToMarkdown(&root)
		}()
		line, _ := json.Marshal(res)
		out.Write(line)
		out.WriteByte('\n')
	}
}
