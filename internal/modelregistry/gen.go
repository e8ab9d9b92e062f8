//go:build ignore

// gen.go derives modes.json (model id -> mode, grouped by mode) from the
// model registry's models.json (@agentmark-ai/model-registry format:
// {version, generatedAt, sources, models: {<id>: {mode, ...}}}) and,
// optionally, its overrides file (same shape; entries win).
//
//	go run gen.go -in path/to/models.json [-overrides path/to/model-overrides.json] -out modes.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
)

type registry struct {
	Version     string `json:"version"`
	GeneratedAt string `json:"generatedAt"`
	Models      map[string]struct {
		Mode string `json:"mode"`
	} `json:"models"`
}

// derived is the shape of modes.json.
type derived struct {
	Source      string              `json:"source"`
	Version     string              `json:"version"`
	GeneratedAt string              `json:"generatedAt"`
	Modes       map[string][]string `json:"modes"`
}

func main() {
	in := flag.String("in", "", "models.json of the model registry")
	overrides := flag.String("overrides", "", "optional overrides file (same shape)")
	out := flag.String("out", "modes.json", "output file")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "usage: go run gen.go -in models.json [-overrides model-overrides.json] [-out modes.json]")
		os.Exit(2)
	}
	reg, err := read(*in)
	if err != nil {
		fail(err)
	}
	modes := map[string]string{}
	for id, m := range reg.Models {
		modes[id] = m.Mode
	}
	if *overrides != "" {
		o, err := read(*overrides)
		if err != nil {
			fail(err)
		}
		for id, m := range o.Models {
			modes[id] = m.Mode
		}
	}
	d := derived{
		Source:      "@agentmark-ai/model-registry models.json (+ overrides)",
		Version:     reg.Version,
		GeneratedAt: reg.GeneratedAt,
		Modes:       map[string][]string{},
	}
	for id, mode := range modes {
		if mode == "" {
			mode = "unknown"
		}
		d.Modes[mode] = append(d.Modes[mode], id)
	}
	for _, ids := range d.Modes {
		sort.Strings(ids)
	}
	data, err := json.MarshalIndent(d, "", " ")
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d models (registry %s, %s)\n", *out, len(modes), reg.Version, reg.GeneratedAt)
}

func read(path string) (*registry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r registry
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
