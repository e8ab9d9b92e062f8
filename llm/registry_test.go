package llm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/llm"
	_ "github.com/agentmark-go/agentmark/llm/mock"
	"github.com/agentmark-go/agentmark/llm/openai"
)

func TestResolve(t *testing.T) {
	reg := llm.NewRegistry()
	env := map[string]string{"OPENAI_API_KEY": "k", "OLLAMA_BASE_URL": "http://127.0.0.1:9/v1", "LOCAL_KEY": "lk"}
	reg.SetGetenv(func(k string) string { return env[k] })
	for name, want := range map[string]string{
		"openai/gpt-4o": "openai gpt-4o", "gpt-4o-mini": "openai gpt-4o-mini", "o3-mini": "openai o3-mini",
		"dall-e-3": "openai dall-e-3", "tts-1": "openai tts-1", "gpt-image-1": "openai gpt-image-1", "chatgpt-4o-latest": "openai chatgpt-4o-latest",
		"mock/echo": "mock echo", "ollama/llama3.2:3b": "ollama llama3.2:3b",
	} {
		rm, err := reg.Resolve(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := rm.ProviderName + " " + rm.Model; got != want {
			t.Errorf("%s: %s", name, got)
		}
	}
	rm, _ := reg.Resolve("ollama/llama3")
	if u := rm.Provider.(*openai.Provider).BaseURL(); u != "http://127.0.0.1:9/v1" {
		t.Errorf("ollama base URL %s", u)
	}
	if _, err := reg.Resolve("mystery-model"); err == nil || !strings.Contains(err.Error(), "No model function found for: 'mystery-model'") {
		t.Errorf("err = %v", err)
	}
	if _, err := reg.Resolve("acme/x"); err == nil || !strings.Contains(err.Error(), `Unknown provider "acme"`) {
		t.Errorf("err = %v", err)
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "agentmark.json")
	os.WriteFile(cfg, []byte(`{"version":"2.0.0","agentmarkPath":".","modelProviders":{"my-model":"local","alias":"mock/echo"},
		"providers":{"local":{"type":"openai","baseURL":"http://127.0.0.1:7/v1","apiKeyEnv":"LOCAL_KEY"}}}`), 0o644)
	if err := reg.LoadProjectConfig(cfg); err != nil {
		t.Fatal(err)
	}
	rm, err := reg.Resolve("my-model")
	if err != nil || rm.ProviderName != "local" || rm.Model != "my-model" || rm.Provider.(*openai.Provider).BaseURL() != "http://127.0.0.1:7/v1" {
		t.Errorf("my-model: %v %+v", err, rm)
	}
	if c, _ := reg.ProviderConfigFor("local"); c.APIKey != "lk" {
		t.Errorf("local key %q", c.APIKey)
	}
	if rm, _ := reg.Resolve("local/other"); rm == nil || rm.Model != "other" {
		t.Errorf("local/other: %+v", rm)
	}
	if rm, _ := reg.Resolve("alias"); rm == nil || rm.ProviderName != "mock" || rm.Model != "echo" {
		t.Errorf("alias: %+v", rm)
	}
	reg.MapPrefix("llama", "ollama")
	if rm, _ := reg.Resolve("llama3.1"); rm == nil || rm.ProviderName != "ollama" {
		t.Errorf("prefix: %+v", rm)
	}
	reg.AddProvider("custom", llm.Provider(nil))
}

func TestMissingOpenAIKey(t *testing.T) {
	reg := llm.NewRegistry()
	reg.SetGetenv(func(string) string { return "" })
	if _, err := reg.Resolve("gpt-4o"); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY is not set") {
		t.Errorf("err = %v", err)
	}
}

// With OPENAI_BASE_URL set, names we cannot classify go to that
// OpenAI-compatible endpoint unchanged (vLLM serves "org/model" ids).
func TestResolveFallsBackToConfiguredOpenAIEndpoint(t *testing.T) {
	reg := llm.NewRegistry()
	env := map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "x"}
	reg.SetGetenv(func(k string) string { return env[k] })
	for name, want := range map[string]string{
		"some-local-model":        "openai some-local-model",
		"meta-llama/Llama-3.1-8B": "openai meta-llama/Llama-3.1-8B",
		"gpt-4o":                  "openai gpt-4o",
		"ollama/llama3.2":         "ollama llama3.2",
		"mock/echo":               "mock echo",
	} {
		rm, err := reg.Resolve(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := rm.ProviderName + " " + rm.Model; got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
}
