package markdown

import (
	"math/rand"
	"testing"
)

// TestSafeFastPath checks that mayNeedEscape is conservative: whenever it
// lets safe() return its input unchanged, the full escaping would too.
func TestSafeFastPath(t *testing.T) {
	const alphabet = "ab Z09 \t\r\n\\!\"#&'()*+-.<=>[]_`~{}é"
	contexts := []string{"", "\n", "\r", " ", "a", "1", "\\", "\\*", "*", "[", "]", "![", "<", "\n  ", "\n12", "x\n"}
	// Construct sets: single constructs, pairs and what handlers push.
	masks := []uint32{0}
	for c := construct(0); c < numConstructs; c++ {
		masks = append(masks, 1<<c, 1<<c|1<<cPhrasing)
	}
	masks = append(masks, fullPhrasingSpans|phr, fencedAll, cs(cPhrasing, cParagraph, cJsxFlow))
	rng := rand.New(rand.NewSource(1))
	for _, ps := range []*patternSet{mdxPatterns, frontmatterPatterns} {
		for iter := 0; iter < 20000; iter++ {
			n := 1 + rng.Intn(8)
			b := make([]byte, 0, n)
			for len(b) < n {
				b = append(b, alphabet[rng.Intn(len(alphabet))])
			}
			input := string(b)
			before := contexts[rng.Intn(len(contexts))]
			after := contexts[rng.Intn(len(contexts))]
			s := &state{patterns: ps, present: masks[rng.Intn(len(masks))]}
			if s.mayNeedEscape(input, before, after) {
				continue
			}
			if got := s.escape(input, before, after, ""); got != input {
				t.Fatalf("present %#x: safe(%q, %q, %q) = %q, fast path kept it unchanged", s.present, input, before, after, got)
			}
		}
	}
}
