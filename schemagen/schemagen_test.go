package schemagen

import (
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/agentmark-go/agentmark/internal/jsyaml"
	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/prompt"
)

var testModels = map[string]string{
	"gpt-4o":   "chat",
	"dall-e-3": "image_generation",
	"tts-1":    "audio_speech",
	"ada-002":  "embedding",
}

func testRegistry(id string) (string, bool) {
	if i := strings.IndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	m, ok := testModels[id]
	return m, ok
}

var builtIn = []string{"openai/gpt-4o", "openai/dall-e-3", "openai/tts-1", "acme/mystery", "openai/ada-002", "openai/gpt-4o"}

func compile(t *testing.T, schema *jsvalue.Object) *jsonschema.Schema {
	t.Helper()
	text, _ := jsvalue.Stringify(schema)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource("prompt.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	// The schema itself must be valid draft-07 (the compiler validates it
	// against the metaschema).
	s, err := c.Compile("prompt.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// instance decodes YAML frontmatter into what the validator expects.
func instance(t *testing.T, yaml string) any {
	t.Helper()
	v, err := jsyaml.Load(yaml)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := jsvalue.Stringify(v)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestModelEnums(t *testing.T) {
	e := ModelEnums(builtIn, testRegistry)
	want := map[prompt.Kind]string{
		prompt.KindText:   "openai/gpt-4o,acme/mystery,openai/ada-002",
		prompt.KindObject: "openai/gpt-4o,acme/mystery,openai/ada-002",
		prompt.KindImage:  "openai/dall-e-3,acme/mystery,openai/ada-002",
		prompt.KindSpeech: "openai/tts-1,acme/mystery,openai/ada-002",
	}
	for k, w := range want {
		if got := strings.Join(e[k], ","); got != w {
			t.Errorf("%s: %s, want %s", k, got, w)
		}
	}
	if n := CountModels(builtIn); n != 5 {
		t.Errorf("CountModels = %d", n)
	}
	if e := ModelEnums([]string{"x/y"}, nil); len(e[prompt.KindImage]) != 1 {
		t.Errorf("nil registry: %v", e)
	}
}

func TestFrontmatterSchemaValidates(t *testing.T) {
	s := compile(t, FrontmatterSchema(builtIn, testRegistry))
	valid := map[string]string{
		"text": `name: t
text_config:
  model_name: openai/gpt-4o
  temperature: 0.7
  max_tokens: 100
  tools: [search, "mcp://server/*"]
  tool_choice: auto
  max_calls: 3
  stop_sequences: ["END"]
  custom_provider_option: true
input_schema:
  type: object
  properties: {q: {type: string}}
test_settings:
  props: {q: hi}
  dataset: data.jsonl
  evals: [exact_match]
  regression_tolerance: 0.1
  score_thresholds: {exact_match: 0.9}
agentmark_meta: {team: a}
other_key: ignored`,
		"tool_choice object": `name: t
text_config: {model_name: acme/mystery, tool_choice: {type: tool, tool_name: search}}`,
		"object": `name: o
object_config:
  model_name: openai/gpt-4o
  schema: {type: object, properties: {a: {type: string}}}
  schema_name: Out
  tools: [lookup]`,
		"image":          "name: i\nimage_config: {model_name: openai/dall-e-3, size: 1024x1024, aspect_ratio: '16:9', num_images: 2}",
		"speech":         "name: s\nspeech_config: {model_name: openai/tts-1, voice: alloy, speed: 1.2}",
		"null props":     "name: t\ntext_config: {model_name: openai/gpt-4o}\ntest_settings: {props: null}",
		"unknown models": "name: s\nspeech_config: {model_name: acme/mystery}",
	}
	for name, y := range valid {
		if err := s.Validate(instance(t, y)); err != nil {
			t.Errorf("%s: valid frontmatter rejected: %v", name, err)
		}
	}
	invalid := map[string]string{
		"no name":             "text_config: {model_name: openai/gpt-4o}",
		"no config":           "name: x",
		"two configs":         "name: x\ntext_config: {model_name: openai/gpt-4o}\nobject_config: {model_name: openai/gpt-4o, schema: {}}",
		"model not built in":  "name: x\ntext_config: {model_name: openai/gpt-5}",
		"image model in text": "name: x\ntext_config: {model_name: openai/dall-e-3}",
		"chat model in image": "name: x\nimage_config: {model_name: openai/gpt-4o}",
		"no model":            "name: x\ntext_config: {temperature: 1}",
		"string number":       "name: x\ntext_config: {model_name: openai/gpt-4o, temperature: '0.5'}",
		"bad tool_choice":     "name: x\ntext_config: {model_name: openai/gpt-4o, tool_choice: sometimes}",
		"tool_choice no name": "name: x\ntext_config: {model_name: openai/gpt-4o, tool_choice: {type: tool}}",
		"tools not strings":   "name: x\ntext_config: {model_name: openai/gpt-4o, tools: [1]}",
		"object no schema":    "name: x\nobject_config: {model_name: openai/gpt-4o}",
		"bad size":            "name: x\nimage_config: {model_name: openai/dall-e-3, size: 1024X1024}",
		"bad aspect":          "name: x\nimage_config: {model_name: openai/dall-e-3, aspect_ratio: wide}",
		"tolerance > 1":       "name: x\ntext_config: {model_name: openai/gpt-4o}\ntest_settings: {regression_tolerance: 2}",
		"threshold string":    "name: x\ntext_config: {model_name: openai/gpt-4o}\ntest_settings: {score_thresholds: {a: high}}",
		"evals not array":     "name: x\ntext_config: {model_name: openai/gpt-4o}\ntest_settings: {evals: a}",
		"name number":         "name: 5\ntext_config: {model_name: openai/gpt-4o}",
	}
	for name, y := range invalid {
		if err := s.Validate(instance(t, y)); err == nil {
			t.Errorf("%s: invalid frontmatter accepted", name)
		}
	}
}

func TestFrontmatterSchemaWithoutModels(t *testing.T) {
	schema := FrontmatterSchema(nil, nil)
	s := compile(t, schema)
	if err := s.Validate(instance(t, "name: x\ntext_config: {model_name: anything/at-all}")); err != nil {
		t.Errorf("no builtInModels: model_name should be free: %v", err)
	}
	text, _ := jsvalue.Stringify(schema)
	if strings.Contains(text, `"enum":["auto"`) == false || strings.Contains(text, `"model_name":{"type":"string","description":"Model id, e.g. openai/gpt-4o (builtInModels in agentmark.json).","enum"`) {
		t.Errorf("unexpected schema: %s", text)
	}
	if strings.Contains(text, `"additionalProperties":false`) {
		t.Error("configs must stay open (unknown keys are passed through)")
	}
}
