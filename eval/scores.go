package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// ScoreConfig is one agentmark.json "scores" entry (§E.4): metadata matched
// to evals by name.
type ScoreConfig struct {
	Name        string     `json:"name"`
	Type        string     `json:"type"` // boolean, numeric, categorical
	Description string     `json:"description,omitempty"`
	Min         *float64   `json:"min,omitempty"`
	Max         *float64   `json:"max,omitempty"`
	Categories  []Category `json:"categories,omitempty"`
}

// Category is a categorical score's label and value.
type Category struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// ParseScoreConfigs reads the "scores" object of agentmark.json (raw JSON).
// Invalid entries (unknown type, categorical without categories) are
// dropped, as upstream does.
func ParseScoreConfigs(raw []byte) map[string]ScoreConfig {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := map[string]ScoreConfig{}
	for name, r := range m {
		var c ScoreConfig
		if json.Unmarshal(r, &c) != nil {
			continue
		}
		c.Name = name
		switch c.Type {
		case "boolean", "numeric":
		case "categorical":
			var ok []Category
			for _, cat := range c.Categories {
				if cat.Label != "" {
					ok = append(ok, cat)
				}
			}
			if len(ok) == 0 {
				continue
			}
			c.Categories = ok
		default:
			continue
		}
		out[name] = c
	}
	return out
}

// Check validates a result against the config and sets r.DataType. It
// returns a description of each violation (nil: conforming).
func (c ScoreConfig) Check(r *Result) []string {
	r.DataType = c.Type
	var probs []string
	switch c.Type {
	case "boolean":
		if r.Passed == nil && r.Score == nil {
			probs = append(probs, "boolean score needs passed or score")
		}
		if r.Score != nil && *r.Score != 0 && *r.Score != 1 {
			probs = append(probs, fmt.Sprintf("boolean score must be 0 or 1, got %v", *r.Score))
		}
	case "numeric":
		if r.Score == nil || math.IsNaN(*r.Score) {
			probs = append(probs, "numeric score needs a numeric score")
			break
		}
		if c.Min != nil && *r.Score < *c.Min {
			probs = append(probs, fmt.Sprintf("score %v is below min %v", *r.Score, *c.Min))
		}
		if c.Max != nil && *r.Score > *c.Max {
			probs = append(probs, fmt.Sprintf("score %v is above max %v", *r.Score, *c.Max))
		}
	case "categorical":
		found := false
		for _, cat := range c.Categories {
			if r.Label == cat.Label {
				found = true
				if r.Score == nil {
					r.Score = Float(cat.Value)
				}
			}
		}
		if !found {
			labels := make([]string, len(c.Categories))
			for i, cat := range c.Categories {
				labels[i] = cat.Label
			}
			sort.Strings(labels)
			probs = append(probs, fmt.Sprintf("label %q is not one of %q", r.Label, labels))
		}
	}
	return probs
}
