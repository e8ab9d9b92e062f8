package prompt

import (
	"errors"
	"strings"
	"testing"
)

// fm builds a prompt with the given frontmatter and a body without tags
// (valid for every kind).
func fm(yaml string) string {
	return "---\n" + yaml + "\n---\n\nhi\n"
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"name missing", "text_config:\n  model_name: m",
			`[{"path":["name"],"message":"Required"}]`},
		{"name number", "name: 5\ntext_config:\n  model_name: m",
			`[{"path":["name"],"message":"Expected string, received number"}]`},
		{"name null", "name:\ntext_config:\n  model_name: m",
			`[{"path":["name"],"message":"Expected string, received null"}]`},
		{"config not object", "name: t\ntext_config: 3",
			`[{"path":["text_config"],"message":"Expected object, received number"}]`},
		{"config is a list", "name: t\ntext_config: [a]",
			`[{"path":["text_config"],"message":"Expected object, received array"}]`},
		{"model_name missing", "name: t\ntext_config:\n  temperature: 0.5",
			`[{"path":["text_config","model_name"],"message":"Required"}]`},
		{"model_name number", "name: t\ntext_config:\n  model_name: 4",
			`[{"path":["text_config","model_name"],"message":"Expected string, received number"}]`},
		{"temperature as string", "name: t\ntext_config:\n  model_name: m\n  temperature: '0.5'",
			`[{"path":["text_config","temperature"],"message":"Expected number, received string"}]`},
		{"every number field", "name: t\ntext_config:\n  model_name: m\n  max_tokens: '1'\n  temperature: '1'\n  max_calls: '1'\n  top_p: '1'\n  top_k: '1'\n  presence_penalty: '1'\n  frequency_penalty: '1'\n  seed: '1'\n  max_retries: '1'",
			`[{"path":["text_config","max_tokens"],"message":"Expected number, received string"},` +
				`{"path":["text_config","temperature"],"message":"Expected number, received string"},` +
				`{"path":["text_config","max_calls"],"message":"Expected number, received string"},` +
				`{"path":["text_config","top_p"],"message":"Expected number, received string"},` +
				`{"path":["text_config","top_k"],"message":"Expected number, received string"},` +
				`{"path":["text_config","presence_penalty"],"message":"Expected number, received string"},` +
				`{"path":["text_config","frequency_penalty"],"message":"Expected number, received string"},` +
				`{"path":["text_config","seed"],"message":"Expected number, received string"},` +
				`{"path":["text_config","max_retries"],"message":"Expected number, received string"}]`},
		{"number is null", "name: t\ntext_config:\n  model_name: m\n  max_tokens: ~",
			`[{"path":["text_config","max_tokens"],"message":"Expected number, received null"}]`},
		{"number is nan", "name: t\ntext_config:\n  model_name: m\n  temperature: .nan",
			`[{"path":["text_config","temperature"],"message":"Expected number, received nan"}]`},
		{"number is bool", "name: t\ntext_config:\n  model_name: m\n  seed: true",
			`[{"path":["text_config","seed"],"message":"Expected number, received boolean"}]`},
		{"tools not array", "name: t\ntext_config:\n  model_name: m\n  tools: calc",
			`[{"path":["text_config","tools"],"message":"Expected array, received string"}]`},
		{"tools entry not string", "name: t\ntext_config:\n  model_name: m\n  tools: [calc, 1, {a: b}]",
			`[{"path":["text_config","tools",1],"message":"Expected string, received number"},` +
				`{"path":["text_config","tools",2],"message":"Expected string, received object"}]`},
		{"stop_sequences", "name: t\ntext_config:\n  model_name: m\n  stop_sequences: [a, 2]",
			`[{"path":["text_config","stop_sequences",1],"message":"Expected string, received number"}]`},
		{"tool_choice bad string", "name: t\ntext_config:\n  model_name: m\n  tool_choice: sometimes",
			`[{"path":["text_config","tool_choice"],"message":"Invalid input"}]`},
		{"tool_choice number", "name: t\ntext_config:\n  model_name: m\n  tool_choice: 1",
			`[{"path":["text_config","tool_choice"],"message":"Invalid input"}]`},
		{"tool_choice object other type", "name: t\ntext_config:\n  model_name: m\n  tool_choice: {type: function, tool_name: x}",
			`[{"path":["text_config","tool_choice"],"message":"Invalid input"}]`},
		{"tool_choice object without name", "name: t\ntext_config:\n  model_name: m\n  tool_choice: {type: tool}",
			`[{"path":["text_config","tool_choice","tool_name"],"message":"Required"}]`},
		{"tool_choice object name number", "name: t\ntext_config:\n  model_name: m\n  tool_choice: {type: tool, tool_name: 3}",
			`[{"path":["text_config","tool_choice","tool_name"],"message":"Expected string, received number"}]`},
		{"object schema required", "name: t\nobject_config:\n  model_name: m",
			`[{"path":["object_config","schema"],"message":"Required"}]`},
		{"object schema not object", "name: t\nobject_config:\n  model_name: m\n  schema: x",
			`[{"path":["object_config","schema"],"message":"Expected object, received string"}]`},
		{"object schema_name and description", "name: t\nobject_config:\n  model_name: m\n  schema: {}\n  schema_name: 1\n  schema_description: [x]",
			`[{"path":["object_config","schema_name"],"message":"Expected string, received number"},` +
				`{"path":["object_config","schema_description"],"message":"Expected string, received array"}]`},
		{"object numbers", "name: t\nobject_config:\n  model_name: m\n  schema: {}\n  max_calls: x",
			`[{"path":["object_config","max_calls"],"message":"Expected number, received string"}]`},
		{"image model_name", "name: t\nimage_config:\n  size: 1x1",
			`[{"path":["image_config","model_name"],"message":"Required"}]`},
		{"image size upper X", "name: t\nimage_config:\n  model_name: m\n  size: 1024X1024",
			`[{"path":["image_config","size"],"message":"Invalid"}]`},
		{"image size number", "name: t\nimage_config:\n  model_name: m\n  size: 1024",
			`[{"path":["image_config","size"],"message":"Expected string, received number"}]`},
		{"image size with spaces", "name: t\nimage_config:\n  model_name: m\n  size: 1024 x 1024",
			`[{"path":["image_config","size"],"message":"Invalid"}]`},
		{"image aspect ratio slash", "name: t\nimage_config:\n  model_name: m\n  aspect_ratio: 16/9",
			`[{"path":["image_config","aspect_ratio"],"message":"Invalid"}]`},
		{"image numbers", "name: t\nimage_config:\n  model_name: m\n  num_images: two\n  seed: '1'",
			`[{"path":["image_config","num_images"],"message":"Expected number, received string"},` +
				`{"path":["image_config","seed"],"message":"Expected number, received string"}]`},
		{"speech fields", "name: t\nspeech_config:\n  model_name: m\n  voice: 1\n  output_format: [mp3]\n  instructions: 2\n  speed: fast",
			`[{"path":["speech_config","voice"],"message":"Expected string, received number"},` +
				`{"path":["speech_config","output_format"],"message":"Expected string, received array"},` +
				`{"path":["speech_config","instructions"],"message":"Expected string, received number"},` +
				`{"path":["speech_config","speed"],"message":"Expected number, received string"}]`},
		{"speech model_name", "name: t\nspeech_config:\n  voice: nova",
			`[{"path":["speech_config","model_name"],"message":"Required"}]`},
		{"test_settings not object", "name: t\ntext_config:\n  model_name: m\ntest_settings: 3",
			`[{"path":["test_settings"],"message":"Expected object, received number"}]`},
		{"test_settings fields", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  props: [1]\n  dataset: 1\n  evals: e\n  experiment_key: 2",
			`[{"path":["test_settings","props"],"message":"Expected object, received array"},` +
				`{"path":["test_settings","dataset"],"message":"Expected string, received number"},` +
				`{"path":["test_settings","evals"],"message":"Expected array, received string"},` +
				`{"path":["test_settings","experiment_key"],"message":"Expected string, received number"}]`},
		{"test_settings evals entries", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  evals: [a, 1]",
			`[{"path":["test_settings","evals",1],"message":"Expected string, received number"}]`},
		{"test_settings eval object without name", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  evals: [a, {name: contains, value: x}, {pattern: y}, {name: 3}]",
			`[{"path":["test_settings","evals",2,"name"],"message":"Required"},` +
				`{"path":["test_settings","evals",3,"name"],"message":"Expected string, received number"}]`},
		{"regression_tolerance above 1", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  regression_tolerance: 1.5",
			`[{"path":["test_settings","regression_tolerance"],"message":"Number must be less than or equal to 1"}]`},
		{"regression_tolerance below 0", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  regression_tolerance: -0.1",
			`[{"path":["test_settings","regression_tolerance"],"message":"Number must be greater than or equal to 0"}]`},
		{"regression_tolerance string", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  regression_tolerance: '0.1'",
			`[{"path":["test_settings","regression_tolerance"],"message":"Expected number, received string"}]`},
		{"score_thresholds bounds", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  score_thresholds:\n    ok: 0.5\n    high: 2\n    low: -1\n    str: x",
			`[{"path":["test_settings","score_thresholds","high"],"message":"Number must be less than or equal to 1"},` +
				`{"path":["test_settings","score_thresholds","low"],"message":"Number must be greater than or equal to 0"},` +
				`{"path":["test_settings","score_thresholds","str"],"message":"Expected number, received string"}]`},
		{"score_thresholds not object", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  score_thresholds: [1]",
			`[{"path":["test_settings","score_thresholds"],"message":"Expected object, received array"}]`},
		{"issues in schema order", "text_config:\n  temperature: hot\ntest_settings:\n  dataset: 1",
			`[{"path":["name"],"message":"Required"},` +
				`{"path":["text_config","model_name"],"message":"Required"},` +
				`{"path":["text_config","temperature"],"message":"Expected number, received string"},` +
				`{"path":["test_settings","dataset"],"message":"Expected string, received number"}]`},
		{"key needing JSON escapes", "name: t\ntext_config:\n  model_name: m\ntest_settings:\n  score_thresholds:\n    'a\"b': 3",
			`[{"path":["test_settings","score_thresholds","a\"b"],"message":"Number must be less than or equal to 1"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(fm(tt.yaml), Options{Path: "p/x.prompt.mdx"})
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %T %v", err, err)
			}
			if got, want := err.Error(), "p/x.prompt.mdx: ZodError: "+tt.want; got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if ve.File != "p/x.prompt.mdx" || len(ve.Issues) == 0 {
				t.Errorf("bad error fields: %+v", ve)
			}
		})
	}
}

func TestValidationErrorWithoutFile(t *testing.T) {
	_, err := Parse(fm("text_config:\n  model_name: m"), Options{})
	if err == nil || err.Error() != `ZodError: [{"path":["name"],"message":"Required"}]` {
		t.Fatalf("got %v", err)
	}
}

func TestValidConfigs(t *testing.T) {
	for _, y := range []string{
		"name: t\ntext_config:\n  model_name: m",
		"name: t\ntext_config:\n  model_name: m\n  max_tokens: 10\n  temperature: 0.5\n  max_calls: 3\n  top_p: 1\n  top_k: 2\n  presence_penalty: 0\n  frequency_penalty: -1\n  seed: 7\n  max_retries: 0\n  stop_sequences: [a, b]\n  tools: [calc, 'mcp://docs/*']\n  tool_choice: auto",
		"name: t\ntext_config:\n  model_name: m\n  tool_choice: none",
		"name: t\ntext_config:\n  model_name: m\n  tool_choice: required",
		"name: t\ntext_config:\n  model_name: m\n  tool_choice: {type: tool, tool_name: calc}",
		"name: t\ntext_config:\n  model_name: m\n  temperature: 5\n  custom: {any: thing}",
		"name: t\ntext_config:\n  model_name: m\ninput_schema: 3\nunknown: [x]\nagentmark_meta: 5",
		"name: t\nobject_config:\n  model_name: m\n  schema: {type: object}\n  schema_name: s\n  schema_description: d\n  tools: [x]",
		// tool_choice is not part of object_config: tolerated as an unknown key.
		"name: t\nobject_config:\n  model_name: m\n  schema: {}\n  tool_choice: whatever",
		"name: t\nimage_config:\n  model_name: m\n  num_images: 2\n  size: 1024x1024\n  aspect_ratio: 16:9\n  seed: 1",
		"name: t\nimage_config:\n  model_name: m\n  aspect_ratio: 1:1",
		"name: t\nspeech_config:\n  model_name: m\n  voice: nova\n  output_format: mp3\n  instructions: x\n  speed: 1.5",
		"name: t\ntext_config:\n  model_name: m\ntest_settings:\n  props: null",
		"name: t\ntext_config:\n  model_name: m\ntest_settings:\n  props: {a: 1}\n  dataset: d.jsonl\n  evals: [e]\n  experiment_key: k\n  regression_tolerance: 0\n  score_thresholds: {a: 0, b: 1}",
		"name: t\ntext_config:\n  model_name: m\ntest_settings:\n  regression_tolerance: 1",
	} {
		src := fm(y)
		if strings.Contains(y, "image_config") {
			src = "---\n" + y + "\n---\n\n<ImagePrompt>p</ImagePrompt>\n"
		} else if strings.Contains(y, "speech_config") {
			src = "---\n" + y + "\n---\n\n<SpeechPrompt>p</SpeechPrompt>\n"
		}
		if _, err := Parse(src, Options{}); err != nil {
			t.Errorf("%q: %v", y, err)
		}
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		yaml, body string
		kind       Kind
		err        string
	}{
		{"name: t\ntext_config:\n  model_name: m", "<User>x</User>", KindText, ""},
		{"name: t\nobject_config:\n  model_name: m\n  schema: {}", "<User>x</User>", KindObject, ""},
		{"name: t\nimage_config:\n  model_name: m", "<ImagePrompt>x</ImagePrompt>", KindImage, ""},
		{"name: t\nspeech_config:\n  model_name: m", "<SpeechPrompt>x</SpeechPrompt>", KindSpeech, ""},
		{"name: t", "<User>x</User>", "",
			"p.prompt.mdx: No valid config found in frontmatter. Please specify one of: image_config, speech_config, text_config, or object_config."},
		{"name: t\nmetadata:\n  model:\n    name: m", "<User>x</User>", "",
			"p.prompt.mdx: No valid config found in frontmatter. Please specify one of: image_config, speech_config, text_config, or object_config."},
		{"name: t\ntext_config:\n  model_name: m\nobject_config:\n  model_name: m\n  schema: {}", "<User>x</User>", "",
			"p.prompt.mdx: Frontmatter has more than one config block (text_config, object_config): a prompt has exactly one of image_config, speech_config, text_config or object_config."},
		{"name: t\nimage_config:\n  model_name: m\nspeech_config:\n  model_name: m", "<ImagePrompt>x</ImagePrompt>", "",
			"p.prompt.mdx: Frontmatter has more than one config block (image_config, speech_config): a prompt has exactly one of image_config, speech_config, text_config or object_config."},
		// The tag set follows the kind: User is not an image tag.
		{"name: t\nimage_config:\n  model_name: m", "<User>x</User>", "",
			"Unsupported tag '<User>'. Only native MDX elements, and registered tags are supported. Registered tags: Else, ElseIf, ForEach, If, ImagePrompt, Raw."},
		{"name: t\nspeech_config:\n  model_name: m", "<User>x</User>", "",
			"Unsupported tag '<User>'. Only native MDX elements, and registered tags are supported. Registered tags: Else, ElseIf, ForEach, If, Raw, SpeechPrompt, System."},
		{"name: t\ntext_config:\n  model_name: m", "<ImagePrompt>x</ImagePrompt>", "",
			"Unsupported tag '<ImagePrompt>'. Only native MDX elements, and registered tags are supported. Registered tags: Assistant, Else, ElseIf, FileAttachment, ForEach, If, ImageAttachment, Raw, System, User."},
	}
	for _, tt := range tests {
		tpl, err := Parse("---\n"+tt.yaml+"\n---\n\n"+tt.body+"\n", Options{Path: "p.prompt.mdx"})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got error %v, want %q", tt.yaml, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		if tpl.Kind() != tt.kind {
			t.Errorf("%q: kind %s, want %s", tt.yaml, tpl.Kind(), tt.kind)
		}
		if ConfigKey(tt.kind) != string(tt.kind)+"_config" {
			t.Errorf("ConfigKey(%s) = %s", tt.kind, ConfigKey(tt.kind))
		}
	}
}

func TestEngineKindFromSource(t *testing.T) {
	for src, want := range map[string]Kind{
		"---\nname: a\nimage_config:\n  x: 1\n---\n":            KindImage,
		"---\r\nname: a\r\nspeech_config:\r\n  x: 1\r\n---\r\n": KindSpeech,
		"---\nname: a\ntext_config:\n  x: 1\n---\n":             KindText,
		"no frontmatter image_config:":                          KindText,
		// A substring match, like upstream: a comment counts.
		"---\nname: a # image_config: x\n---\n": KindImage,
	} {
		if got := engineKindFromSource(src); got != want {
			t.Errorf("%q: %s, want %s", src, got, want)
		}
	}
}
