package mdast

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// MarshalJSON writes n in the unist/mdast JSON shape: "type" first, then the
// fields of that node type (null where mdast has null), children, position
// and data.
func (n *Node) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	n.write(&b)
	return []byte(b.String()), nil
}

type jw struct {
	b     *strings.Builder
	first bool
}

func (w *jw) key(k string) {
	if !w.first {
		w.b.WriteByte(',')
	}
	w.first = false
	jsvalue.QuoteJSON(w.b, k)
	w.b.WriteByte(':')
}
func (w *jw) str(k, v string) { w.key(k); jsvalue.QuoteJSON(w.b, v) }
func (w *jw) optStr(k string, v *string) {
	if v == nil {
		w.key(k)
		w.b.WriteString("null")
		return
	}
	w.str(k, *v)
}
func (w *jw) boolean(k string, v bool) { w.key(k); w.b.WriteString(strconv.FormatBool(v)) }
func (w *jw) raw(k string, v []byte)   { w.key(k); w.b.Write(v) }

func (n *Node) write(b *strings.Builder) {
	w := &jw{b: b, first: true}
	b.WriteByte('{')
	w.str("type", n.Type)
	switch n.Type {
	case Text, InlineCode, YAML, HTML, MdxFlowExpression, MdxTextExpression, MdxjsEsm:
		w.str("value", n.Value)
	case Heading:
		w.key("depth")
		b.WriteString(strconv.Itoa(n.Depth))
	case Code:
		w.optStr("lang", n.Lang)
		w.optStr("meta", n.Meta)
		w.str("value", n.Value)
	case List:
		w.boolean("ordered", n.Ordered)
		w.key("start")
		if n.Start == nil {
			b.WriteString("null")
		} else {
			b.WriteString(strconv.Itoa(*n.Start))
		}
		w.boolean("spread", n.Spread)
	case ListItem:
		w.boolean("spread", n.Spread)
		w.key("checked")
		if n.Checked == nil {
			b.WriteString("null")
		} else {
			b.WriteString(strconv.FormatBool(*n.Checked))
		}
	case Link:
		w.optStr("title", n.Title)
		w.str("url", n.URL)
	case Image:
		w.optStr("title", n.Title)
		w.str("url", n.URL)
		w.optStr("alt", n.Alt)
	case LinkReference, ImageReference:
		if n.Type == ImageReference {
			w.optStr("alt", n.Alt)
		}
		w.optStr("label", n.Label)
		w.str("identifier", n.Identifier)
		w.str("referenceType", n.ReferenceType)
	case Definition:
		w.str("identifier", n.Identifier)
		w.optStr("label", n.Label)
		w.optStr("title", n.Title)
		w.str("url", n.URL)
	case MdxJsxFlowElement, MdxJsxTextElement:
		w.optStr("name", n.Name)
		w.key("attributes")
		b.WriteByte('[')
		for i, a := range n.Attributes {
			if i > 0 {
				b.WriteByte(',')
			}
			a.write(b)
		}
		b.WriteByte(']')
	}
	if IsParent(n.Type) {
		w.key("children")
		b.WriteByte('[')
		for i, c := range n.Children {
			if i > 0 {
				b.WriteByte(',')
			}
			c.write(b)
		}
		b.WriteByte(']')
	}
	if n.Position != nil {
		p, _ := json.Marshal(n.Position)
		w.raw("position", p)
	}
	if len(n.Data) > 0 {
		w.raw("data", n.Data)
	}
	b.WriteByte('}')
}

func (a *Attribute) write(b *strings.Builder) {
	w := &jw{b: b, first: true}
	b.WriteByte('{')
	w.str("type", a.Type)
	if a.IsSpread() {
		w.str("value", deref(a.Expr))
	} else {
		w.str("name", a.Name)
		w.key("value")
		switch {
		case a.Expr != nil:
			b.WriteByte('{')
			inner := &jw{b: b, first: true}
			inner.str("type", MdxJsxAttrValueExp)
			inner.str("value", *a.Expr)
			if len(a.ExprData) > 0 {
				inner.raw("data", a.ExprData)
			}
			b.WriteByte('}')
		case a.Value != nil:
			jsvalue.QuoteJSON(b, *a.Value)
		default:
			b.WriteString("null")
		}
	}
	if a.Position != nil {
		p, _ := json.Marshal(a.Position)
		w.raw("position", p)
	}
	if len(a.Data) > 0 {
		w.raw("data", a.Data)
	}
	b.WriteByte('}')
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// wire is the union of every node field, for decoding.
type wire struct {
	Type          string            `json:"type"`
	Children      []*Node           `json:"children"`
	Value         json.RawMessage   `json:"value"`
	Depth         int               `json:"depth"`
	Ordered       bool              `json:"ordered"`
	Start         *int              `json:"start"`
	Spread        bool              `json:"spread"`
	Checked       *bool             `json:"checked"`
	Lang          *string           `json:"lang"`
	Meta          *string           `json:"meta"`
	URL           string            `json:"url"`
	Title         *string           `json:"title"`
	Alt           *string           `json:"alt"`
	Identifier    string            `json:"identifier"`
	Label         *string           `json:"label"`
	ReferenceType string            `json:"referenceType"`
	Name          *string           `json:"name"`
	Attributes    []json.RawMessage `json:"attributes"`
	Position      *Position         `json:"position"`
	Data          json.RawMessage   `json:"data"`
}

// UnmarshalJSON reads a node in the mdast JSON shape, with or without
// positions and data (upstream's `agentmark build` strips both).
func (n *Node) UnmarshalJSON(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	if w.Type == "" {
		return fmt.Errorf("mdast: node without a type")
	}
	*n = Node{
		Type: w.Type, Children: w.Children, Depth: w.Depth, Ordered: w.Ordered, Start: w.Start,
		Spread: w.Spread, Checked: w.Checked, Lang: w.Lang, Meta: w.Meta, URL: w.URL, Title: w.Title,
		Alt: w.Alt, Identifier: w.Identifier, Label: w.Label, ReferenceType: w.ReferenceType,
		Name: w.Name, Position: w.Position, Data: nullToNil(w.Data),
	}
	if len(w.Value) > 0 && string(w.Value) != "null" {
		if err := json.Unmarshal(w.Value, &n.Value); err != nil {
			return fmt.Errorf("mdast: %s value: %w", w.Type, err)
		}
	}
	for _, raw := range w.Attributes {
		a, err := decodeAttribute(raw)
		if err != nil {
			return err
		}
		n.Attributes = append(n.Attributes, a)
	}
	for i, c := range n.Children {
		if c == nil {
			return fmt.Errorf("mdast: %s child %d is null", w.Type, i)
		}
	}
	return nil
}

func decodeAttribute(raw []byte) (*Attribute, error) {
	var w struct {
		Type     string          `json:"type"`
		Name     string          `json:"name"`
		Value    json.RawMessage `json:"value"`
		Position *Position       `json:"position"`
		Data     json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("mdast: attribute: %w", err)
	}
	a := &Attribute{Type: w.Type, Name: w.Name, Position: w.Position, Data: nullToNil(w.Data)}
	v := bytes.TrimSpace(w.Value)
	switch {
	case len(v) == 0 || string(v) == "null":
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, err
		}
		if a.IsSpread() {
			a.Expr = &s
		} else {
			a.Value = &s
		}
	case v[0] == '{':
		var e struct {
			Value string          `json:"value"`
			Data  json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, err
		}
		a.Expr = &e.Value
		a.ExprData = nullToNil(e.Data)
	default:
		return nil, fmt.Errorf("mdast: attribute %q has an unsupported value %s", w.Name, v)
	}
	if a.Type == "" {
		a.Type = MdxJsxAttribute
	}
	return a, nil
}

func nullToNil(b json.RawMessage) []byte {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return b
}
