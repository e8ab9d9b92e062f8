package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Prompt kinds of a Call.
const (
	KindText   = "text"
	KindObject = "object"
	KindImage  = "image"
	KindSpeech = "speech"
)

// Call is one prompt run, built from a prompt's neutral format() output:
// the model name, the request for its kind, and the tools to resolve.
type Call struct {
	Kind      string
	Name      string // the prompt's name
	ModelName string // model_name as written ("openai/gpt-4o", "mock/echo")
	// Text and object prompts.
	Request TextRequest
	// ToolNames are text_config/object_config.tools, in order: Go tool
	// names or mcp:// URIs.
	ToolNames []string
	// MaxCalls is max_calls (0: not set).
	MaxCalls int
	// Image and speech prompts.
	Image  *ImageRequest
	Speech *SpeechRequest
}

// CallFromFormatted converts the neutral request returned by
// prompt.Template.Format (§C.4 of the format spec) into a Call.
func CallFromFormatted(out *jsvalue.Object) (*Call, error) {
	if out == nil {
		return nil, fmt.Errorf("no formatted prompt")
	}
	c := &Call{}
	if n, ok := out.Get("name"); ok {
		c.Name, _ = n.(string)
	}
	var cfg *jsvalue.Object
	for _, k := range []struct{ key, kind string }{
		{"text_config", KindText}, {"object_config", KindObject}, {"image_config", KindImage}, {"speech_config", KindSpeech},
	} {
		if v, ok := out.Get(k.key); ok {
			if o, isObj := v.(*jsvalue.Object); isObj {
				cfg, c.Kind = o, k.kind
				break
			}
		}
	}
	if cfg == nil {
		return nil, fmt.Errorf("the prompt has no text_config, object_config, image_config or speech_config")
	}
	c.ModelName = str(cfg, "model_name")
	if c.ModelName == "" {
		return nil, fmt.Errorf("%s_config.model_name is required", c.Kind)
	}
	switch c.Kind {
	case KindImage:
		c.Image = &ImageRequest{Prompt: str(cfg, "prompt"), Size: str(cfg, "size"), AspectRatio: str(cfg, "aspect_ratio")}
		if n, ok := intOf(cfg, "num_images"); ok {
			c.Image.N = n
		}
		if s, ok := intOf(cfg, "seed"); ok {
			v := int64(s)
			c.Image.Seed = &v
		}
		return c, nil
	case KindSpeech:
		c.Speech = &SpeechRequest{Text: str(cfg, "text"), Voice: str(cfg, "voice"), Instructions: str(cfg, "instructions"),
			OutputFormat: str(cfg, "output_format")}
		if f, ok := floatOf(cfg, "speed"); ok {
			c.Speech.Speed = &f
		}
		return c, nil
	}
	msgs, _ := out.Get("messages")
	list, _ := msgs.([]jsvalue.Value)
	for i, m := range list {
		msg, err := messageFrom(m)
		if err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", i, err)
		}
		c.Request.Messages = append(c.Request.Messages, msg)
	}
	s, err := settingsFrom(cfg)
	if err != nil {
		return nil, err
	}
	c.Request.Settings = s
	if n, ok := intOf(cfg, "max_calls"); ok {
		c.MaxCalls = n
	}
	if t, ok := cfg.Get("tools"); ok && !jsvalue.IsUndefined(t) && t != nil {
		tl, isList := t.([]jsvalue.Value)
		if !isList {
			return nil, fmt.Errorf("%s_config.tools must be a list of tool names or mcp:// URIs", c.Kind)
		}
		for _, e := range tl {
			s, isStr := e.(string)
			if !isStr {
				return nil, fmt.Errorf("Invalid tool entry: expected a string (tool name or MCP URI), got %s", jsTypeof(e))
			}
			c.ToolNames = append(c.ToolNames, s)
		}
	}
	if c.Kind == KindObject {
		sch, ok := cfg.Get("schema")
		if !ok || jsvalue.IsUndefined(sch) {
			return nil, fmt.Errorf("object_config.schema is required")
		}
		js, _ := jsvalue.Stringify(sch)
		c.Request.Schema = json.RawMessage(js)
		c.Request.SchemaName = str(cfg, "schema_name")
		c.Request.SchemaDescription = str(cfg, "schema_description")
	}
	return c, nil
}

func jsTypeof(v jsvalue.Value) string {
	switch v.(type) {
	case nil, *jsvalue.Object, []jsvalue.Value:
		return "object"
	case bool:
		return "boolean"
	case float64:
		return "number"
	}
	return "undefined"
}

func str(o *jsvalue.Object, k string) string {
	v, _ := o.Get(k)
	s, _ := v.(string)
	return s
}

func floatOf(o *jsvalue.Object, k string) (float64, bool) {
	v, ok := o.Get(k)
	f, isNum := v.(float64)
	return f, ok && isNum && !math.IsNaN(f)
}

func intOf(o *jsvalue.Object, k string) (int, bool) {
	f, ok := floatOf(o, k)
	if !ok || math.IsInf(f, 0) {
		return 0, false
	}
	return int(f), true
}

func settingsFrom(cfg *jsvalue.Object) (Settings, error) {
	var s Settings
	if n, ok := intOf(cfg, "max_tokens"); ok {
		s.MaxTokens = &n
	}
	if n, ok := intOf(cfg, "top_k"); ok {
		s.TopK = &n
	}
	if n, ok := intOf(cfg, "seed"); ok {
		v := int64(n)
		s.Seed = &v
	}
	for _, f := range []struct {
		key string
		dst **float64
	}{{"temperature", &s.Temperature}, {"top_p", &s.TopP}, {"presence_penalty", &s.PresencePenalty}, {"frequency_penalty", &s.FrequencyPenalty}} {
		if v, ok := floatOf(cfg, f.key); ok {
			*f.dst = &v
		}
	}
	if v, ok := cfg.Get("stop_sequences"); ok {
		switch t := v.(type) {
		case []jsvalue.Value:
			for _, e := range t {
				if x, isStr := e.(string); isStr {
					s.StopSequences = append(s.StopSequences, x)
				}
			}
		case string:
			s.StopSequences = []string{t}
		}
	}
	if v, ok := cfg.Get("tool_choice"); ok && v != nil && !jsvalue.IsUndefined(v) {
		switch t := v.(type) {
		case string:
			switch t {
			case "auto", "none", "required":
				s.ToolChoice = &ToolChoice{Mode: t}
			default:
				return s, fmt.Errorf("tool_choice must be \"auto\", \"none\", \"required\" or {type: tool, tool_name}, got %q", t)
			}
		case *jsvalue.Object:
			name := str(t, "tool_name")
			if name == "" {
				name = str(t, "toolName")
			}
			if name == "" {
				return s, fmt.Errorf("tool_choice: tool_name is required")
			}
			s.ToolChoice = &ToolChoice{Mode: "tool", ToolName: name}
		}
	}
	return s, nil
}

func messageFrom(v jsvalue.Value) (Message, error) {
	o, ok := v.(*jsvalue.Object)
	if !ok {
		return Message{}, fmt.Errorf("a message must be an object")
	}
	m := Message{Role: str(o, "role")}
	switch m.Role {
	case RoleSystem, RoleUser, RoleAssistant:
	default:
		return m, fmt.Errorf("unsupported role %q", m.Role)
	}
	content, _ := o.Get("content")
	switch t := content.(type) {
	case string:
		m.Parts = []Part{{Type: PartText, Text: t}}
	case []jsvalue.Value:
		for _, p := range t {
			po, isObj := p.(*jsvalue.Object)
			if !isObj {
				continue
			}
			switch str(po, "type") {
			case "text":
				m.Parts = append(m.Parts, Part{Type: PartText, Text: str(po, "text")})
			case "image":
				m.Parts = append(m.Parts, Part{Type: PartImage, Data: str(po, "image"), MimeType: str(po, "mimeType")})
			case "file":
				mt := str(po, "mimeType")
				if mt == "" {
					mt = str(po, "mediaType")
				}
				m.Parts = append(m.Parts, Part{Type: PartFile, Data: str(po, "data"), MimeType: mt})
			}
		}
	case nil:
	default:
		if jsvalue.IsUndefined(t) {
			break
		}
		return m, fmt.Errorf("content must be a string or a list of parts")
	}
	return m, nil
}

// trimJSONFence strips a ```json ... ``` fence (and surrounding prose)
// around a model's JSON answer.
func trimJSONFence(s string) string {
	t := strings.TrimSpace(s)
	if i := strings.Index(t, "```"); i >= 0 {
		rest := t[i+3:]
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.ContainsAny(strings.TrimSpace(rest[:nl]), "{[\"") {
			rest = rest[nl+1:]
		}
		if j := strings.LastIndex(rest, "```"); j >= 0 {
			rest = rest[:j]
		}
		return strings.TrimSpace(rest)
	}
	return t
}
