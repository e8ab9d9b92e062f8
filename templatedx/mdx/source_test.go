package mdx

import (
	"math/rand"
	"slices"
	"testing"
)

// TestAppendLinesFastPath checks the \n-only fast path of appendLines
// against the general loop.
func TestAppendLinesFastPath(t *testing.T) {
	pieces := []string{"a", "bc ", "\n", "\n", "é", "😀", "  x", "\t", "", "0123456789abcdef"}
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 5000; iter++ {
		src := ""
		for n := rng.Intn(12); n > 0; n-- {
			src += pieces[rng.Intn(len(pieces))]
		}
		got, want := appendLines(nil, src), appendLinesSlow(nil, src)
		if !slices.Equal(got, want) {
			t.Fatalf("appendLines(%q) = %v, want %v", src, got, want)
		}
	}
}
