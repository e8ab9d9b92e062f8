package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// member is one key/value of a JSON object, in source order.
type member struct {
	Key   string
	Value json.RawMessage
}

// objectMembers splits a JSON object into its members, keeping their order
// (encoding/json maps would sort them, and property order drives the
// field order of structured output).
func objectMembers(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON object")
	}
	return out, nil
}

func writeObject(members []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// openAPIKeys are the JSON Schema keywords Gemini's OpenAPI-subset Schema
// (generationConfig.responseSchema, functionDeclarations[].parameters)
// accepts.
var openAPIKeys = map[string]bool{
	"type": true, "format": true, "title": true, "description": true, "nullable": true,
	"enum": true, "maxItems": true, "minItems": true, "properties": true, "required": true,
	"minProperties": true, "maxProperties": true, "minLength": true, "maxLength": true,
	"pattern": true, "example": true, "anyOf": true, "propertyOrdering": true,
	"default": true, "items": true, "minimum": true, "maximum": true,
}

// toOpenAPISchema converts a JSON Schema to Gemini's OpenAPI subset: it
// drops unsupported keywords ($schema, additionalProperties, ...), turns
// ["T","null"] types into T + nullable, const into a one-value enum, and
// adds propertyOrdering so the output keeps the schema's field order.
func toOpenAPISchema(raw json.RawMessage) (json.RawMessage, error) {
	ms, err := objectMembers(raw)
	if err != nil {
		return nil, err
	}
	var out []member
	nullable := false
	for _, m := range ms {
		switch m.Key {
		case "type":
			var types []string
			if json.Unmarshal(m.Value, &types) == nil {
				var keep []string
				for _, t := range types {
					if t == "null" {
						nullable = true
					} else {
						keep = append(keep, t)
					}
				}
				if len(keep) > 0 {
					v, _ := json.Marshal(keep[0])
					out = append(out, member{"type", v})
				}
				continue
			}
			out = append(out, m)
		case "const":
			out = append(out, member{"enum", json.RawMessage("[" + string(m.Value) + "]")})
		case "properties":
			props, err := objectMembers(m.Value)
			if err != nil {
				return nil, fmt.Errorf("properties: %w", err)
			}
			order := make([]string, 0, len(props))
			for i, p := range props {
				conv, err := toOpenAPISchema(p.Value)
				if err != nil {
					return nil, fmt.Errorf("properties.%s: %w", p.Key, err)
				}
				props[i].Value = conv
				order = append(order, p.Key)
			}
			out = append(out, member{"properties", writeObject(props)})
			if !hasKey(ms, "propertyOrdering") && len(order) > 0 {
				v, _ := json.Marshal(order)
				out = append(out, member{"propertyOrdering", v})
			}
		case "items":
			conv, err := toOpenAPISchema(m.Value)
			if err != nil {
				return nil, fmt.Errorf("items: %w", err)
			}
			out = append(out, member{"items", conv})
		case "anyOf":
			var alts []json.RawMessage
			if err := json.Unmarshal(m.Value, &alts); err != nil {
				return nil, fmt.Errorf("anyOf: %w", err)
			}
			var b bytes.Buffer
			b.WriteByte('[')
			for i, a := range alts {
				conv, err := toOpenAPISchema(a)
				if err != nil {
					return nil, fmt.Errorf("anyOf[%d]: %w", i, err)
				}
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(conv)
			}
			b.WriteByte(']')
			out = append(out, member{"anyOf", b.Bytes()})
		default:
			if openAPIKeys[m.Key] {
				out = append(out, m)
			}
		}
	}
	if nullable && !hasKey(out, "nullable") {
		out = append(out, member{"nullable", json.RawMessage("true")})
	}
	return writeObject(out), nil
}

func hasKey(ms []member, key string) bool {
	for _, m := range ms {
		if m.Key == key {
			return true
		}
	}
	return false
}

// cleanJSONSchema removes "$schema" from the top level of a schema sent as
// responseJsonSchema / parametersJsonSchema, keeping key order.
func cleanJSONSchema(raw json.RawMessage) (json.RawMessage, error) {
	ms, err := objectMembers(raw)
	if err != nil {
		return nil, err
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Key != "$schema" {
			out = append(out, m)
		}
	}
	return writeObject(out), nil
}
