package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the CLI in-process in dir and returns stdout, stderr and the
// error Execute returned.
func runCLI(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	err := root.Execute()
	return stdout.String(), stderr.String(), err
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testProject is a small project: a text prompt with an input schema,
// an object prompt whose schema is a $ref to a JSON file, an image prompt
// and a speech prompt.
func testProject(t *testing.T) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"agentmark.json": `{"version": "2.0.0", "agentmarkPath": ".", "builtInModels": ["openai/gpt-4o", "openai/dall-e-3", "openai/tts-1", "acme/custom"]}`,
		"agentmark/math/addition.prompt.mdx": `---
name: addition
text_config:
  model_name: openai/gpt-4o
input_schema:
  type: object
  properties:
    num1: {type: number}
    num2: {type: number}
  required: [num1, num2]
---
<User>What is {props.num1} + {props.num2}?</User>
`,
		"agentmark/extract/person.prompt.mdx": `---
name: person
object_config:
  model_name: openai/gpt-4o
  schema:
    $ref: ./schemas/person.json
---
<User>Extract the person.</User>
`,
		"agentmark/extract/schemas/person.json": `{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name"]}`,
		"agentmark/images/logo.prompt.mdx": `---
name: logo
image_config:
  model_name: openai/dall-e-3
---
<ImagePrompt>A logo</ImagePrompt>
`,
		"agentmark/speech/narrate.prompt.mdx": `---
name: narrate
speech_config:
  model_name: openai/tts-1
---
<SpeechPrompt>Hello</SpeechPrompt>
`,
	})
	return dir
}

func TestGenerateTypesTypeScript(t *testing.T) {
	dir := testProject(t)
	stdout, stderr, err := runCLI(t, dir, "generate-types")
	if err != nil {
		t.Fatalf("error: %v\nstderr: %s", err, stderr)
	}
	for _, want := range []string{
		"export interface Math$AdditionIn {\n  num1: number;\n  num2: number;\n}",
		"export type Math$AdditionOut = string;",
		"export interface Extract$PersonOut {\n  name: string;\n  age?: number;\n}",
		"export type Images$LogoOut = { mimeType: string; base64: string }[];",
		`kind: "speech";`,
		`"math/addition.prompt.mdx": Math$Addition;`,
		`"math/addition.prompt": Math$Addition;`,
		`"math/addition": Math$Addition;`,
		"export default interface AgentmarkTypes {",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{"Generating type definitions...", "Done"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout, "Generating") {
		t.Error("progress went to stdout")
	}
	// The editor schema is refreshed alongside.
	if _, err := os.Stat(filepath.Join(dir, ".agentmark", "prompt.schema.json")); err != nil {
		t.Errorf("schema not refreshed: %v", err)
	}
}

func TestGenerateTypesGo(t *testing.T) {
	dir := testProject(t)
	stdout, stderr, err := runCLI(t, dir, "generate-types", "-l", "go", "--package", "prompts")
	if err != nil {
		t.Fatalf("error: %v\nstderr: %s", err, stderr)
	}
	for _, want := range []string{
		"package prompts",
		"type MathAdditionIn struct {",
		"Num1 float64 `json:\"num1\"`",
		"type ExtractPersonOut struct {",
		"Age  *int64 `json:\"age,omitempty\"`",
		"type ImagesLogoOut = []AgentmarkImage",
		"type SpeechNarrateOut = AgentmarkSpeech",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, _, err := runCLI(t, dir, "generate-types", "-l", "go", "--package", "not-a-name"); err == nil {
		t.Error("invalid --package accepted")
	}
}

func TestGenerateTypesRootDir(t *testing.T) {
	dir := t.TempDir() // no agentmark.json
	writeFiles(t, dir, map[string]string{
		"prompts/hello.prompt.mdx": "---\nname: hello\ntext_config:\n  model_name: x/y\n---\n<User>Hi</User>\n",
	})
	stdout, stderr, err := runCLI(t, dir, "generate-types", "--root-dir", "prompts")
	if err != nil {
		t.Fatalf("error: %v\nstderr: %s", err, stderr)
	}
	if !strings.Contains(stdout, `"hello.prompt.mdx": Hello;`) || !strings.Contains(stdout, "export interface HelloIn {\n  [key: string]: any;\n}") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, ".agentmark")); err == nil {
		t.Error("schema written without agentmark.json")
	}
}

func TestGenerateTypesErrors(t *testing.T) {
	dir := t.TempDir()
	// Neither --root-dir nor agentmark.json.
	_, _, err := runCLI(t, dir, "generate-types")
	if err == nil || !strings.Contains(err.Error(), "Either --local or --root-dir must be specified") {
		t.Errorf("no root: %v", err)
	}
	// --local is not supported.
	_, _, err = runCLI(t, dir, "generate-types", "--local", "9418")
	if err == nil || !strings.Contains(err.Error(), "not supported yet") {
		t.Errorf("--local: %v", err)
	}
	// Unsupported language: message on stderr, exit 0.
	stdout, stderr, err := runCLI(t, dir, "generate-types", "-l", "python")
	if err != nil || stdout != "" || stderr != "Unsupported language: python. Supported: typescript, go.\n" {
		t.Errorf("python: err=%v stdout=%q stderr=%q", err, stdout, stderr)
	}
	// A broken prompt fails the run with exit code 1 and is named.
	writeFiles(t, dir, map[string]string{
		"p/good.prompt.mdx": "---\nname: good\ntext_config:\n  model_name: x/y\n---\n<User>Hi</User>\n",
		"p/bad.prompt.mdx":  "---\nname: bad\n---\n<User>Hi</User>\n",
		"p/ref.prompt.mdx":  "---\nname: ref\ntext_config:\n  model_name: x/y\ninput_schema:\n  $ref: ../../outside.json\n---\n<User>Hi</User>\n",
	})
	stdout, stderr, err = runCLI(t, dir, "generate-types", "--root-dir", "p")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "generating types") {
		t.Fatalf("broken prompt: %v", err)
	}
	if stdout != "" {
		t.Errorf("types printed despite errors: %s", stdout)
	}
	if !strings.Contains(stderr, "bad.prompt.mdx") || !strings.Contains(stderr, "ref.prompt.mdx") || strings.Contains(stderr, "good.prompt.mdx:") {
		t.Errorf("stderr should name the failing prompts:\n%s", stderr)
	}
}

func TestGenerateSchema(t *testing.T) {
	dir := testProject(t)
	_, stderr, err := runCLI(t, dir, "generate-schema")
	if err != nil {
		t.Fatal(err)
	}
	want := "Schema written to " + filepath.Join(".agentmark", "prompt.schema.json") + " (4 model(s) in enum)\n"
	if stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".agentmark", "prompt.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",") {
		t.Errorf("not 2-space JSON:\n%.200s", data)
	}
	var schema struct {
		Properties map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	enums := map[string]string{}
	for block, s := range schema.Properties {
		if m, ok := s.Properties["model_name"]; ok {
			enums[block] = strings.Join(m.Enum, ",")
		}
	}
	wantEnums := map[string]string{
		"text_config":   "openai/gpt-4o,acme/custom",
		"object_config": "openai/gpt-4o,acme/custom",
		"image_config":  "openai/dall-e-3,acme/custom",
		"speech_config": "openai/tts-1,acme/custom",
	}
	for block, w := range wantEnums {
		if enums[block] != w {
			t.Errorf("%s model_name enum = %q, want %q", block, enums[block], w)
		}
	}

	// -o elsewhere, and a project without agentmark.json.
	empty := t.TempDir()
	_, stderr, err = runCLI(t, empty, "generate-schema", "-o", "out/schemas")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "Schema written to "+filepath.Join("out", "schemas", "prompt.schema.json")+" (0 model(s) in enum)") {
		t.Errorf("stderr = %q", stderr)
	}
}
