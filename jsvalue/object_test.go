package jsvalue

import (
	"fmt"
	"slices"
	"testing"
)

// TestObjectSmallAndIndexed exercises objects below and above the size
// where a key index is built, against a plain map.
func TestObjectSmallAndIndexed(t *testing.T) {
	for _, n := range []int{0, 1, smallObject, smallObject + 1, 40} {
		o := NewObject()
		want := map[string]Value{}
		var order []string
		for i := 0; i < n; i++ {
			k := fmt.Sprintf("k%d", i)
			o.Set(k, float64(i))
			want[k] = float64(i)
			order = append(order, k)
		}
		// Replace keeps the position; delete removes.
		if n > 2 {
			o.Set("k1", "x")
			want["k1"] = "x"
			o.Delete("k0")
			delete(want, "k0")
			order = order[1:]
			o.Delete("missing")
		}
		for _, c := range []*Object{o, o.Clone()} {
			if c.Len() != len(want) || !slices.Equal(c.Keys(), order) {
				t.Fatalf("n=%d: keys %v, want %v", n, c.Keys(), order)
			}
			for k, v := range want {
				if got, ok := c.Get(k); !ok || got != v {
					t.Fatalf("n=%d: Get(%q) = %v, %v", n, k, got, ok)
				}
			}
			if c.Has("missing") || (n > 2 && c.Has("k0")) {
				t.Fatalf("n=%d: unexpected key", n)
			}
		}
	}
	var zero Object
	zero.Set("a", 1.0)
	if v, ok := zero.Get("a"); !ok || v != 1.0 {
		t.Fatal("zero Object")
	}
}
