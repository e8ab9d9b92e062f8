// Package prompt holds AgentMark prompt files (.prompt.mdx): frontmatter
// decoding and validation, the four prompt kinds, message extraction and the
// neutral format() output.
package prompt

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// Kind is what a prompt generates.
type Kind string

// The prompt kinds, one per frontmatter config block.
const (
	KindText   Kind = "text"
	KindObject Kind = "object"
	KindImage  Kind = "image"
	KindSpeech Kind = "speech"
)

// Kinds lists the kinds in the order their config blocks are checked.
var Kinds = []Kind{KindText, KindObject, KindImage, KindSpeech}

func configKey(k Kind) string { return string(k) + "_config" }

// ConfigKey is the frontmatter key of a kind's config block, e.g. "text_config".
func ConfigKey(k Kind) string { return configKey(k) }

// kindOf finds the prompt kind from the frontmatter: exactly one config
// block is allowed (upstream accepts several and behaves inconsistently).
func kindOf(fm *jsvalue.Object) (Kind, error) {
	var found []Kind
	for _, k := range Kinds {
		if v, ok := fm.Get(configKey(k)); ok && !jsvalue.IsUndefined(v) {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("No valid config found in frontmatter. Please specify one of: image_config, speech_config, text_config, or object_config.")
	case 1:
		return found[0], nil
	}
	keys := make([]string, len(found))
	for i, k := range found {
		keys[i] = configKey(k)
	}
	return "", fmt.Errorf("Frontmatter has more than one config block (%s): a prompt has exactly one of image_config, speech_config, text_config or object_config.", strings.Join(keys, ", "))
}

var frontmatterBlock = regexp.MustCompile(`^---\r?\n([\s\S]*?)\r?\n---`)

// engineKindFromSource guesses the kind before parsing, from the raw
// frontmatter text, to pick the tag set the template is validated against
// (image prompts only know ImagePrompt, speech prompts System and
// SpeechPrompt).
func engineKindFromSource(src string) Kind {
	m := frontmatterBlock.FindStringSubmatch(src)
	if m == nil {
		return KindText
	}
	switch {
	case strings.Contains(m[1], "image_config:"):
		return KindImage
	case strings.Contains(m[1], "speech_config:"):
		return KindSpeech
	}
	return KindText
}
