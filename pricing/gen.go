//go:build ignore

// gen.go derives prices.json, the embedded price table, from the AgentMark
// model registry (@agentmark-ai/model-registry models.json: {version,
// generatedAt, sources, models: {<id>: {pricing?: {inputCostPerToken,
// outputCostPerToken, cacheReadCostPerToken?, cacheCreationCostPerToken?},
// ...}}}) and its overrides file (same shape; each override entry is
// shallow-merged over the registry entry, so an override's "pricing"
// replaces the registry's). Models without pricing are left out.
//
// Paths come from the environment so no machine path is kept in the repo:
//
//	AGENTMARK_MODELS_JSON=.../models.json AGENTMARK_MODEL_OVERRIDES_JSON=.../model-overrides.json go generate ./pricing
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

type registry struct {
	Version     string                                `json:"version"`
	GeneratedAt string                                `json:"generatedAt"`
	Sources     json.RawMessage                       `json:"sources"`
	Models      map[string]map[string]json.RawMessage `json:"models"`
}

type pricing struct {
	Input      *float64 `json:"inputCostPerToken"`
	Output     *float64 `json:"outputCostPerToken"`
	CacheRead  *float64 `json:"cacheReadCostPerToken"`
	CacheWrite *float64 `json:"cacheCreationCostPerToken"`
}

func main() {
	in := os.Getenv("AGENTMARK_MODELS_JSON")
	over := os.Getenv("AGENTMARK_MODEL_OVERRIDES_JSON")
	out := "prices.json"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if in == "" {
		fail(fmt.Errorf("set AGENTMARK_MODELS_JSON (and optionally AGENTMARK_MODEL_OVERRIDES_JSON) to the model registry files"))
	}
	reg, err := read(in)
	if err != nil {
		fail(err)
	}
	overridden := 0
	if over != "" {
		o, err := read(over)
		if err != nil {
			fail(err)
		}
		for id, fields := range o.Models {
			m := reg.Models[id]
			if m == nil {
				m = map[string]json.RawMessage{}
				reg.Models[id] = m
			}
			for k, v := range fields {
				m[k] = v
			}
			overridden++
		}
	}
	ids := make([]string, 0, len(reg.Models))
	for id := range reg.Models {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	var b bytes.Buffer
	b.WriteString("{\n")
	fmt.Fprintf(&b, "  \"source\": %q,\n", "@agentmark-ai/model-registry models.json + model-overrides.json")
	fmt.Fprintf(&b, "  \"version\": %q,\n", reg.Version)
	fmt.Fprintf(&b, "  \"generatedAt\": %q,\n", reg.GeneratedAt)
	src, _ := json.Marshal(reg.Sources)
	fmt.Fprintf(&b, "  \"sources\": %s,\n", src)
	fmt.Fprintf(&b, "  \"overrides\": %d,\n", overridden)
	b.WriteString("  \"columns\": [\"input\", \"output\", \"cacheRead\", \"cacheWrite\"],\n")
	b.WriteString("  \"prices\": {")
	n := 0
	for _, id := range ids {
		raw, ok := reg.Models[id]["pricing"]
		if !ok || string(raw) == "null" {
			continue
		}
		var p pricing
		if err := json.Unmarshal(raw, &p); err != nil {
			fail(fmt.Errorf("%s: pricing: %w", id, err))
		}
		if p.Input == nil || p.Output == nil {
			continue
		}
		row := []float64{*p.Input, *p.Output, val(p.CacheRead), val(p.CacheWrite)}
		for len(row) > 2 && row[len(row)-1] == 0 {
			row = row[:len(row)-1]
		}
		key, _ := json.Marshal(id)
		vals, _ := json.Marshal(row)
		if n > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    %s: %s", key, vals)
		n++
	}
	b.WriteString("\n  }\n}\n")
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d priced models (registry %s, %s)\n", out, n, reg.Version, reg.GeneratedAt)
}

func val(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
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
	if r.Models == nil {
		r.Models = map[string]map[string]json.RawMessage{}
	}
	return &r, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pricing/gen:", err)
	os.Exit(1)
}
