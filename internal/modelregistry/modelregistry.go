// Package modelregistry classifies model ids by mode (chat,
// image_generation, audio_speech, embedding, ...), from a compact copy of
// the AgentMark model registry (@agentmark-ai/model-registry models.json
// plus its overrides) reduced to id -> mode.
//
// modes.json is derived, not edited: regenerate it with
//
//	AGENTMARK_MODELS_JSON=/path/to/models.json AGENTMARK_MODEL_OVERRIDES_JSON=/path/to/model-overrides.json go generate ./internal/modelregistry
//
// Source and version of the embedded copy: see Version and GeneratedAt.
package modelregistry

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

//go:generate go run gen.go -in ${AGENTMARK_MODELS_JSON} -overrides ${AGENTMARK_MODEL_OVERRIDES_JSON} -out modes.json

//go:embed modes.json
var modesJSON []byte

// The registry modes the CLI cares about.
const (
	ModeChat            = "chat"
	ModeImageGeneration = "image_generation"
	ModeAudioSpeech     = "audio_speech"
)

type data struct {
	Source      string              `json:"source"`
	Version     string              `json:"version"`
	GeneratedAt string              `json:"generatedAt"`
	Modes       map[string][]string `json:"modes"`
}

var (
	once   sync.Once
	loaded data
	byID   map[string]string
)

func load() {
	once.Do(func() {
		if err := json.Unmarshal(modesJSON, &loaded); err != nil {
			panic("modelregistry: embedded modes.json: " + err.Error())
		}
		byID = map[string]string{}
		for mode, ids := range loaded.Modes {
			for _, id := range ids {
				byID[id] = mode
			}
		}
	})
}

// Version is the registry version the embedded copy was derived from.
func Version() string { load(); return loaded.Version }

// GeneratedAt is when the source registry was generated.
func GeneratedAt() string { load(); return loaded.GeneratedAt }

// Len is the number of models known.
func Len() int { load(); return len(byID) }

// Mode looks up a registry id exactly (registry ids carry no provider
// prefix, e.g. "gpt-4o", though some contain slashes).
func Mode(id string) (string, bool) {
	load()
	m, ok := byID[id]
	return m, ok
}

// Classify finds the mode of a builtInModels entry ("provider/model"): the
// id without its first "provider/" segment is looked up, then the id as
// given.
func Classify(id string) (string, bool) {
	if i := strings.IndexByte(id, '/'); i >= 0 {
		if m, ok := Mode(id[i+1:]); ok {
			return m, true
		}
	}
	return Mode(id)
}

// IDs lists the known ids of a mode, sorted.
func IDs(mode string) []string {
	load()
	ids := append([]string(nil), loaded.Modes[mode]...)
	sort.Strings(ids)
	return ids
}
