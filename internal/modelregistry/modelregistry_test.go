package modelregistry

import "testing"

func TestClassify(t *testing.T) {
	cases := map[string]string{
		"openai/gpt-4o":                 ModeChat,
		"gpt-4o":                        ModeChat,
		"openai/dall-e-3":               ModeImageGeneration,
		"openai/tts-1":                  ModeAudioSpeech,
		"ollama/llama3.1":               ModeChat,
		"openai/text-embedding-3-small": "embedding",
		"azure/eu/gpt-4o-2024-08-06":    ModeChat,
		"openai/1024-x-1024/dall-e-2":   ModeImageGeneration,
	}
	for id, want := range cases {
		if got, ok := Classify(id); !ok || got != want {
			t.Errorf("Classify(%q) = %q, %v; want %q", id, got, ok, want)
		}
	}
	if _, ok := Classify("acme/unknown-model"); ok {
		t.Error("unknown model classified")
	}
	if Len() < 1000 || Version() == "" || GeneratedAt() == "" {
		t.Errorf("embedded registry: %d models, version %q, generated %q", Len(), Version(), GeneratedAt())
	}
	if ids := IDs(ModeAudioSpeech); len(ids) == 0 {
		t.Error("no speech models")
	}
}
