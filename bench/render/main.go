// Command render times our TemplateDX engine on the benchmark templates:
// parse (bundle) + transform + stringify, like upstream.mjs does for
// upstream. It prints {"<file>": {"median_us": N, "bytes": N}} as JSON.
//
//	go run ./bench/render <templates dir> <props.json> <iterations>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
)

type result struct {
	MedianUS float64 `json:"median_us"`
	Bytes    int     `json:"bytes"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: render <templates dir> <props.json> [iterations]")
		os.Exit(2)
	}
	dir, propsFile := os.Args[1], os.Args[2]
	iters := 2000
	if len(os.Args) > 3 {
		iters, _ = strconv.Atoi(os.Args[3])
	}
	data, err := os.ReadFile(propsFile)
	check(err)
	props, err := jsvalue.ParseJSON(data)
	check(err)
	files, err := filepath.Glob(filepath.Join(dir, "*.mdx"))
	check(err)
	sort.Strings(files)
	engine := templatedx.New()
	out := map[string]result{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		check(err)
		once := func() {
			ast, err := engine.Parse(string(src), templatedx.ParseOptions{Path: f})
			check(err)
			tree, err := engine.Transform(ast, templatedx.RenderOptions{Props: props})
			check(err)
			_ = markdown.Stringify(tree)
		}
		for i := 0; i < 50; i++ {
			once()
		}
		times := make([]float64, iters)
		for i := range times {
			t0 := time.Now()
			once()
			times[i] = float64(time.Since(t0).Nanoseconds()) / 1000
		}
		sort.Float64s(times)
		out[filepath.Base(f)] = result{MedianUS: times[len(times)/2], Bytes: len(src)}
	}
	enc := json.NewEncoder(os.Stdout)
	check(enc.Encode(out))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
