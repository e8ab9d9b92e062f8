// Package schemagen builds the JSON Schema (draft-07) of prompt
// frontmatter that `agentmark generate-schema` writes for editors
// (.agentmark/prompt.schema.json).
//
// The schema follows what the prompt parser accepts: name, exactly one of
// text_config, object_config, image_config and speech_config, and the
// optional input_schema, test_settings and agentmark_meta. Unknown keys
// are allowed everywhere except where the parser rejects them, since the
// parser passes them through (upstream's schema closes text_config and
// forgets tools/tool_choice there; this one does not).
package schemagen

import (
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/prompt"
)

// SchemaURI is the draft the schema is written in.
const SchemaURI = "http://json-schema.org/draft-07/schema#"

// Registry modes that pick a model's config blocks.
const (
	modeChat   = "chat"
	modeImage  = "image_generation"
	modeSpeech = "audio_speech"
)

// ModelEnums classifies builtInModels by kind, in their order, without
// duplicates: registry(id) gives a model's mode (chat -> text and object,
// image_generation -> image, audio_speech -> speech); models that are
// unknown or have another mode go to every kind. registry may be nil (all
// unknown).
func ModelEnums(builtInModels []string, registry func(id string) (mode string, ok bool)) map[prompt.Kind][]string {
	enums := map[prompt.Kind][]string{}
	seen := map[string]bool{}
	for _, m := range builtInModels {
		if seen[m] {
			continue
		}
		seen[m] = true
		mode, ok := "", false
		if registry != nil {
			mode, ok = registry(m)
		}
		var kinds []prompt.Kind
		switch {
		case ok && mode == modeChat:
			kinds = []prompt.Kind{prompt.KindText, prompt.KindObject}
		case ok && mode == modeImage:
			kinds = []prompt.Kind{prompt.KindImage}
		case ok && mode == modeSpeech:
			kinds = []prompt.Kind{prompt.KindSpeech}
		default:
			kinds = prompt.Kinds
		}
		for _, k := range kinds {
			enums[k] = append(enums[k], m)
		}
	}
	return enums
}

// CountModels is the number of distinct builtInModels (what the
// "n model(s) in enum" message counts).
func CountModels(builtInModels []string) int {
	seen := map[string]bool{}
	for _, m := range builtInModels {
		seen[m] = true
	}
	return len(seen)
}

// FrontmatterSchema returns the frontmatter schema. Each config block's
// model_name is an enum of the builtInModels that fit its kind (see
// ModelEnums); a kind no model fits, or an empty builtInModels, leaves
// model_name a plain string.
func FrontmatterSchema(builtInModels []string, registry func(id string) (mode string, ok bool)) *jsvalue.Object {
	enums := ModelEnums(builtInModels, registry)

	root := obj(
		"$schema", SchemaURI,
		"title", "AgentMark prompt frontmatter",
		"description", "YAML frontmatter of a .prompt.mdx file: a name and exactly one of text_config, object_config, image_config or speech_config.",
		"type", "object",
	)
	props := jsvalue.NewObject()
	props.Set("name", obj("type", "string", "description", "Prompt name."))
	props.Set("text_config", textConfig(enums[prompt.KindText]))
	props.Set("object_config", objectConfig(enums[prompt.KindObject]))
	props.Set("image_config", imageConfig(enums[prompt.KindImage]))
	props.Set("speech_config", speechConfig(enums[prompt.KindSpeech]))
	props.Set("input_schema", obj("type", "object",
		"description", "JSON Schema of the props. Used for type generation and forms; props are not validated against it. $ref to local files is supported."))
	props.Set("test_settings", testSettings())
	props.Set("agentmark_meta", obj("type", "object", "description", "Free-form metadata, copied to the formatted output and to telemetry."))
	root.Set("properties", props)
	root.Set("required", list("name"))
	var one []jsvalue.Value
	for _, k := range prompt.Kinds {
		one = append(one, obj("required", list(prompt.ConfigKey(k))))
	}
	root.Set("oneOf", one)
	return root
}

func modelName(models []string) *jsvalue.Object {
	s := obj("type", "string", "description", "Model id, e.g. openai/gpt-4o (builtInModels in agentmark.json).")
	if len(models) > 0 {
		s.Set("enum", list(models...))
	}
	return s
}

func number(desc string) *jsvalue.Object {
	return obj("type", "number", "description", desc)
}

func stringArray(desc string) *jsvalue.Object {
	return obj("type", "array", "items", obj("type", "string"), "description", desc)
}

// languageProps are the keys text_config and object_config share.
func languageProps(models []string) *jsvalue.Object {
	p := jsvalue.NewObject()
	p.Set("model_name", modelName(models))
	p.Set("max_tokens", number("Maximum number of tokens to generate."))
	p.Set("temperature", number("Sampling temperature (providers typically accept 0-2 or 0-1)."))
	p.Set("max_calls", number("Maximum number of model calls (agent steps) when tools are used."))
	p.Set("top_p", number("Nucleus sampling."))
	p.Set("top_k", number("Top-k sampling."))
	p.Set("presence_penalty", number("Presence penalty."))
	p.Set("frequency_penalty", number("Frequency penalty."))
	p.Set("stop_sequences", stringArray("Sequences that stop generation."))
	p.Set("seed", number("Seed for deterministic sampling."))
	p.Set("max_retries", number("Maximum number of retries."))
	p.Set("tools", stringArray("Tool names, or MCP references: mcp://<server>/<tool> or mcp://<server>/*."))
	return p
}

func textConfig(models []string) *jsvalue.Object {
	p := languageProps(models)
	p.Set("tool_choice", obj(
		"description", `"auto", "none", "required", or {type: tool, tool_name: <name>}.`,
		"oneOf", []jsvalue.Value{
			obj("type", "string", "enum", list("auto", "none", "required")),
			obj("type", "object",
				"properties", obj("type", obj("const", "tool"), "tool_name", obj("type", "string")),
				"required", list("type", "tool_name")),
		}))
	return obj("type", "object", "description", "Text generation settings.",
		"properties", p, "required", list("model_name"))
}

func objectConfig(models []string) *jsvalue.Object {
	p := languageProps(models)
	p.Set("schema", obj("type", "object", "description", "JSON Schema of the generated object. $ref to local files is supported."))
	p.Set("schema_name", obj("type", "string", "description", "Name of the output schema."))
	p.Set("schema_description", obj("type", "string", "description", "Description of the output schema."))
	return obj("type", "object", "description", "Structured (object) generation settings.",
		"properties", p, "required", list("model_name", "schema"))
}

func imageConfig(models []string) *jsvalue.Object {
	p := jsvalue.NewObject()
	p.Set("model_name", modelName(models))
	p.Set("num_images", number("Number of images to generate."))
	p.Set("size", obj("type", "string", "pattern", `^\d+x\d+$`, "description", "Image size as <width>x<height>, e.g. 1024x1024."))
	p.Set("aspect_ratio", obj("type", "string", "pattern", `^\d+:\d+$`, "description", "Aspect ratio as <w>:<h>, e.g. 16:9."))
	p.Set("seed", number("Seed for deterministic generation."))
	return obj("type", "object", "description", "Image generation settings. The prompt text comes from <ImagePrompt>.",
		"properties", p, "required", list("model_name"))
}

func speechConfig(models []string) *jsvalue.Object {
	p := jsvalue.NewObject()
	p.Set("model_name", modelName(models))
	p.Set("voice", obj("type", "string", "description", "Voice name."))
	p.Set("output_format", obj("type", "string", "description", "Audio format, e.g. mp3."))
	p.Set("instructions", obj("type", "string", "description", "Ignored: the instructions come from <System>."))
	p.Set("speed", number("Speech speed."))
	return obj("type", "object", "description", "Speech (text-to-speech) settings. The text comes from <SpeechPrompt>.",
		"properties", p, "required", list("model_name"))
}

func testSettings() *jsvalue.Object {
	unit := func(desc string) *jsvalue.Object {
		return obj("type", "number", "minimum", 0.0, "maximum", 1.0, "description", desc)
	}
	p := jsvalue.NewObject()
	p.Set("props", obj("type", list("object", "null"), "description", "Default props for formatWithTestProps and run-prompt."))
	p.Set("dataset", obj("type", "string", "description", "Dataset (.jsonl) path, relative to the agentmark directory."))
	p.Set("evals", stringArray("Eval (scorer) names."))
	p.Set("experiment_key", obj("type", "string", "description", "Stable experiment identity for regression gating."))
	p.Set("regression_tolerance", unit("Allowed score drop, 0-1."))
	p.Set("score_thresholds", obj("type", "object", "additionalProperties", unit("Minimum score, 0-1."),
		"description", "Minimum score per eval."))
	return obj("type", "object", "description", "Test and experiment settings.", "properties", p)
}

// obj builds an object from key, value pairs (values: Value or Go data).
func obj(kv ...any) *jsvalue.Object {
	o := jsvalue.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), jsvalue.FromGo(kv[i+1]))
	}
	return o
}

func list(items ...string) []jsvalue.Value {
	out := make([]jsvalue.Value, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}
