package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// ProviderConfig configures one provider instance. The registry fills
// APIKey and BaseURL from the environment (APIKeyEnv / BaseURLEnv, or the
// type's defaults such as OPENAI_API_KEY) before calling the factory, so a
// factory only reads the struct.
type ProviderConfig struct {
	// Name is the instance name used in model names ("openai", "ollama",
	// "local" in "local/llama3").
	Name string
	// Type selects the factory: "openai" (also every OpenAI-compatible
	// server), "anthropic", "google", "mock".
	Type string
	// BaseURL of the API, e.g. "http://localhost:11434/v1". Empty: the
	// provider's public endpoint.
	BaseURL string
	// APIKey, when empty, is read from APIKeyEnv.
	APIKey string
	// APIKeyEnv and BaseURLEnv name environment variables to read.
	APIKeyEnv  string
	BaseURLEnv string
	// Headers are sent with every request.
	Headers map[string]string
	// HTTPClient, when set, is used instead of a default client.
	HTTPClient *http.Client
	// Timeout bounds each HTTP attempt (0: provider default).
	Timeout time.Duration
	// MaxRetries bounds retries of retryable failures (429, 5xx,
	// timeouts). Nil: provider default (2).
	MaxRetries *int
	// Options holds provider-specific settings.
	Options map[string]any
}

// ProviderFactory builds a provider from its configuration.
type ProviderFactory func(cfg ProviderConfig) (Provider, error)

var (
	factoriesMu sync.RWMutex
	factories   = map[string]ProviderFactory{}
)

// RegisterProviderFactory makes a provider type available to every
// registry (like database/sql drivers). Provider packages call it from
// init: llm/openai registers "openai", llm/mock "mock", llm/anthropic
// "anthropic", llm/gemini "google". Import
// github.com/agentmark-go/agentmark/llm/providers to get them all.
// Registering a type twice replaces the earlier factory.
func RegisterProviderFactory(typ string, f ProviderFactory) {
	factoriesMu.Lock()
	defer factoriesMu.Unlock()
	factories[typ] = f
}

func lookupFactory(typ string) (ProviderFactory, bool) {
	factoriesMu.RLock()
	defer factoriesMu.RUnlock()
	f, ok := factories[typ]
	return f, ok
}

// ProviderTypes lists the registered factory types, sorted.
func ProviderTypes() []string {
	factoriesMu.RLock()
	defer factoriesMu.RUnlock()
	var out []string
	for k := range factories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// builtinProviders are the provider names known without configuration.
// OpenAI-compatible services are "openai" instances with their own
// endpoint and key variables.
var builtinProviders = map[string]ProviderConfig{
	"openai":            {Type: "openai", APIKeyEnv: "OPENAI_API_KEY", BaseURLEnv: "OPENAI_BASE_URL"},
	"anthropic":         {Type: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY", BaseURLEnv: "ANTHROPIC_BASE_URL"},
	"google":            {Type: "google", APIKeyEnv: "GEMINI_API_KEY", BaseURLEnv: "GEMINI_BASE_URL"},
	"gemini":            {Type: "google", APIKeyEnv: "GEMINI_API_KEY", BaseURLEnv: "GEMINI_BASE_URL"},
	"mock":              {Type: "mock"},
	"ollama":            {Type: "openai", BaseURL: "http://localhost:11434/v1", APIKeyEnv: "OLLAMA_API_KEY", BaseURLEnv: "OLLAMA_BASE_URL"},
	"lmstudio":          {Type: "openai", BaseURL: "http://localhost:1234/v1", APIKeyEnv: "LMSTUDIO_API_KEY", BaseURLEnv: "LMSTUDIO_BASE_URL"},
	"vllm":              {Type: "openai", BaseURL: "http://localhost:8000/v1", APIKeyEnv: "VLLM_API_KEY", BaseURLEnv: "VLLM_BASE_URL"},
	"openai-compatible": {Type: "openai", APIKeyEnv: "OPENAI_COMPATIBLE_API_KEY", BaseURLEnv: "OPENAI_COMPATIBLE_BASE_URL"},
	"groq":              {Type: "openai", BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY", BaseURLEnv: "GROQ_BASE_URL"},
	"openrouter":        {Type: "openai", BaseURL: "https://openrouter.ai/api/v1", APIKeyEnv: "OPENROUTER_API_KEY", BaseURLEnv: "OPENROUTER_BASE_URL"},
	"together":          {Type: "openai", BaseURL: "https://api.together.xyz/v1", APIKeyEnv: "TOGETHER_API_KEY", BaseURLEnv: "TOGETHER_BASE_URL"},
	"deepseek":          {Type: "openai", BaseURL: "https://api.deepseek.com/v1", APIKeyEnv: "DEEPSEEK_API_KEY", BaseURLEnv: "DEEPSEEK_BASE_URL"},
	"xai":               {Type: "openai", BaseURL: "https://api.x.ai/v1", APIKeyEnv: "XAI_API_KEY", BaseURLEnv: "XAI_BASE_URL"},
	"mistral":           {Type: "openai", BaseURL: "https://api.mistral.ai/v1", APIKeyEnv: "MISTRAL_API_KEY", BaseURLEnv: "MISTRAL_BASE_URL"},
}

// Fallback key variables for the Google provider (checked in order after
// GEMINI_API_KEY).
var googleKeyEnvs = []string{"GOOGLE_GENERATIVE_AI_API_KEY", "GOOGLE_API_KEY"}

// prefixRule maps bare model names starting with Prefix to Provider.
type prefixRule struct {
	Prefix   string
	Provider string
}

var builtinPrefixes = []prefixRule{
	{"gpt-", "openai"}, {"o1", "openai"}, {"o3", "openai"}, {"o4", "openai"},
	{"chatgpt-", "openai"}, {"dall-e-", "openai"}, {"tts-", "openai"},
	{"gpt-image-", "openai"}, {"text-embedding-", "openai"}, {"whisper-", "openai"},
	{"claude-", "anthropic"},
	{"gemini-", "google"}, {"imagen-", "google"}, {"gemma-", "google"},
}

// Registry resolves model names to providers. The zero value is not
// usable; call NewRegistry. A Registry is safe for concurrent use.
//
// Resolution of a model_name, first match wins:
//  1. an exact user mapping (MapModel, agentmark.json "modelProviders");
//  2. "provider/model" where provider is a configured or built-in
//     provider name (the model id is everything after the first "/");
//  3. user prefix rules (MapPrefix), then the built-in prefix rules
//     (gpt-*, o1*, o3*, o4*, chatgpt-*, dall-e-*, tts-*, gpt-image-* →
//     openai; claude-* → anthropic; gemini-*, imagen-* → google).
type Registry struct {
	mu        sync.Mutex
	configs   map[string]ProviderConfig
	instances map[string]Provider
	models    map[string]string // exact model name -> provider name
	prefixes  []prefixRule      // user rules, checked before built-ins
	getenv    func(string) string
}

// NewRegistry returns a registry with the built-in providers, reading the
// environment with os.Getenv.
func NewRegistry() *Registry {
	return &Registry{
		configs:   map[string]ProviderConfig{},
		instances: map[string]Provider{},
		models:    map[string]string{},
		getenv:    os.Getenv,
	}
}

// SetGetenv replaces the environment lookup (tests, or a .env overlay).
func (r *Registry) SetGetenv(f func(string) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.getenv = f
	r.instances = map[string]Provider{}
}

// AddProvider registers a ready provider instance under name; it wins over
// any configuration of the same name.
func (r *Registry) AddProvider(name string, p Provider) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.instances[name] = p
	if _, ok := r.configs[name]; !ok {
		r.configs[name] = ProviderConfig{Name: name, Type: "instance"}
	}
}

// ConfigureProvider defines (or overrides) a named provider endpoint, e.g.
// ConfigureProvider("local", ProviderConfig{Type: "openai", BaseURL:
// "http://127.0.0.1:8080/v1", APIKeyEnv: "LOCAL_KEY"}). Unset fields of a
// built-in name keep their defaults.
func (r *Registry) ConfigureProvider(name string, cfg ProviderConfig) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if base, ok := builtinProviders[name]; ok {
		cfg = mergeConfig(base, cfg)
	}
	cfg.Name = name
	r.configs[name] = cfg
	delete(r.instances, name)
}

func mergeConfig(base, over ProviderConfig) ProviderConfig {
	out := base
	if over.Type != "" {
		out.Type = over.Type
	}
	if over.BaseURL != "" {
		out.BaseURL = over.BaseURL
	}
	if over.APIKey != "" {
		out.APIKey = over.APIKey
	}
	if over.APIKeyEnv != "" {
		out.APIKeyEnv = over.APIKeyEnv
	}
	if over.BaseURLEnv != "" {
		out.BaseURLEnv = over.BaseURLEnv
	}
	if over.Headers != nil {
		out.Headers = over.Headers
	}
	if over.HTTPClient != nil {
		out.HTTPClient = over.HTTPClient
	}
	if over.Timeout != 0 {
		out.Timeout = over.Timeout
	}
	if over.MaxRetries != nil {
		out.MaxRetries = over.MaxRetries
	}
	if over.Options != nil {
		out.Options = over.Options
	}
	return out
}

// MapModel routes the bare model name model to provider (a provider name,
// built-in or configured).
func (r *Registry) MapModel(model, provider string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.models[model] = provider
}

// MapPrefix routes bare model names starting with prefix to provider.
// User prefixes are checked before the built-in ones, longest first.
func (r *Registry) MapPrefix(prefix, provider string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prefixes = append(r.prefixes, prefixRule{prefix, provider})
	sort.SliceStable(r.prefixes, func(i, j int) bool { return len(r.prefixes[i].Prefix) > len(r.prefixes[j].Prefix) })
}

// ProjectConfig is the part of agentmark.json the registry reads:
//
//	{
//	  "modelProviders": {"my-model": "local", "llama3.2": "ollama"},
//	  "providers": {
//	    "local": {"type": "openai", "baseURL": "http://127.0.0.1:8080/v1", "apiKeyEnv": "LOCAL_KEY"}
//	  }
//	}
type ProjectConfig struct {
	ModelProviders map[string]string                `json:"modelProviders"`
	Providers      map[string]ProjectProviderConfig `json:"providers"`
}

// ProjectProviderConfig is one entry of agentmark.json "providers".
type ProjectProviderConfig struct {
	Type       string            `json:"type"`
	BaseURL    string            `json:"baseURL"`
	BaseURLEnv string            `json:"baseURLEnv"`
	APIKeyEnv  string            `json:"apiKeyEnv"`
	Headers    map[string]string `json:"headers"`
	TimeoutMs  int               `json:"timeoutMs"`
	MaxRetries *int              `json:"maxRetries"`
}

// Apply adds the project's providers and model mappings to r.
func (pc *ProjectConfig) Apply(r *Registry) error {
	names := make([]string, 0, len(pc.Providers))
	for n := range pc.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := pc.Providers[n]
		if strings.Contains(n, "/") || n == "" {
			return fmt.Errorf("agentmark.json: providers: invalid provider name %q", n)
		}
		if p.Type == "" {
			if _, ok := builtinProviders[n]; !ok {
				return fmt.Errorf("agentmark.json: providers.%s: \"type\" is required (e.g. \"openai\" for an OpenAI-compatible server)", n)
			}
		}
		cfg := ProviderConfig{Type: p.Type, BaseURL: p.BaseURL, BaseURLEnv: p.BaseURLEnv, APIKeyEnv: p.APIKeyEnv,
			Headers: p.Headers, MaxRetries: p.MaxRetries, Timeout: time.Duration(p.TimeoutMs) * time.Millisecond}
		r.ConfigureProvider(n, cfg)
	}
	for m, p := range pc.ModelProviders {
		r.MapModel(m, p)
	}
	return nil
}

// LoadProjectConfig reads the "providers" and "modelProviders" keys of an
// agentmark.json file and applies them. A missing file is not an error.
func (r *Registry) LoadProjectConfig(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	var pc ProjectConfig
	if err := json.Unmarshal(data, &pc); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return pc.Apply(r)
}

// ResolvedModel is a model name resolved to a provider.
type ResolvedModel struct {
	Provider Provider
	// ProviderName is the provider's instance name ("openai", "ollama").
	ProviderName string
	// Model is the provider's model id (without the "provider/" prefix).
	Model string
	// Name is the model name as written in the prompt.
	Name string
}

// Resolve maps a prompt's model_name to a provider and model id.
func (r *Registry) Resolve(modelName string) (*ResolvedModel, error) {
	name := strings.TrimSpace(modelName)
	if name == "" {
		return nil, fmt.Errorf("model_name is empty")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	provider, model := "", name
	if p, ok := r.models[name]; ok {
		provider = p
		// "my-alias" -> "local" keeps the name; a mapping may also point at
		// "provider/model" to rename the model.
		if i := strings.Index(p, "/"); i > 0 {
			provider, model = p[:i], p[i+1:]
		}
	} else if i := strings.Index(name, "/"); i > 0 && r.knownLocked(name[:i]) {
		provider, model = name[:i], name[i+1:]
	} else {
		for _, rule := range r.prefixes {
			if strings.HasPrefix(name, rule.Prefix) {
				provider = rule.Provider
				break
			}
		}
		if provider == "" {
			for _, rule := range builtinPrefixes {
				if strings.HasPrefix(name, rule.Prefix) {
					provider = rule.Provider
					break
				}
			}
		}
	}
	if provider == "" && r.getenv != nil && r.getenv("OPENAI_BASE_URL") != "" {
		// An explicitly configured OpenAI-compatible endpoint (vLLM, Ollama,
		// LM Studio, ...) serves model names we cannot classify, including
		// "org/model" ids; the whole name is the model id.
		provider, model = "openai", name
	}
	if provider == "" {
		if i := strings.Index(name, "/"); i > 0 {
			return nil, fmt.Errorf("No model function found for: '%s'. Unknown provider %q (known: %s); configure it in agentmark.json \"providers\" or map the model in \"modelProviders\"",
				name, name[:i], strings.Join(r.knownNamesLocked(), ", "))
		}
		return nil, fmt.Errorf("No model function found for: '%s'. Use \"provider/model\" (e.g. openai/gpt-4o, mock/echo) or map the model in agentmark.json \"modelProviders\"", name)
	}
	p, err := r.instanceLocked(provider)
	if err != nil {
		return nil, err
	}
	return &ResolvedModel{Provider: p, ProviderName: provider, Model: model, Name: name}, nil
}

// Provider returns the named provider instance, building it on first use.
func (r *Registry) Provider(name string) (Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.instanceLocked(name)
}

func (r *Registry) knownLocked(name string) bool {
	if _, ok := r.configs[name]; ok {
		return true
	}
	if _, ok := r.instances[name]; ok {
		return true
	}
	_, ok := builtinProviders[name]
	return ok
}

func (r *Registry) knownNamesLocked() []string {
	var out []string
	for n := range builtinProviders {
		out = append(out, n)
	}
	for n := range r.configs {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// ProviderConfigFor returns the effective configuration of a provider
// name, with environment variables applied.
func (r *Registry) ProviderConfigFor(name string) (ProviderConfig, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.configLocked(name)
}

func (r *Registry) configLocked(name string) (ProviderConfig, bool) {
	cfg, ok := r.configs[name]
	if !ok {
		cfg, ok = builtinProviders[name]
		if !ok {
			return ProviderConfig{}, false
		}
	}
	cfg.Name = name
	getenv := r.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.APIKey == "" && cfg.APIKeyEnv != "" {
		cfg.APIKey = getenv(cfg.APIKeyEnv)
	}
	if cfg.APIKey == "" && cfg.Type == "google" {
		for _, e := range googleKeyEnvs {
			if v := getenv(e); v != "" {
				cfg.APIKey = v
				break
			}
		}
	}
	if cfg.BaseURLEnv != "" {
		if v := getenv(cfg.BaseURLEnv); v != "" {
			cfg.BaseURL = v
		}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, true
}

func (r *Registry) instanceLocked(name string) (Provider, error) {
	if p, ok := r.instances[name]; ok {
		return p, nil
	}
	cfg, ok := r.configLocked(name)
	if !ok {
		return nil, fmt.Errorf("unknown provider %q (known: %s)", name, strings.Join(r.knownNamesLocked(), ", "))
	}
	f, ok := lookupFactory(cfg.Type)
	if !ok {
		return nil, fmt.Errorf("provider %q: provider type %q is not available (import github.com/agentmark-go/agentmark/llm/providers)", name, cfg.Type)
	}
	p, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("provider %q: %w", name, err)
	}
	r.instances[name] = p
	return p, nil
}
