package templatedx

import (
	"strconv"
	"testing"
)

func TestTextCacheMemoizesAndStaysBounded(t *testing.T) {
	var c textCache[int]
	calls := 0
	compute := func() int { calls++; return calls }
	if c.get("a", compute) != 1 || c.get("a", compute) != 1 || calls != 1 {
		t.Fatalf("not memoized: %d calls", calls)
	}
	for i := 0; i < maxCachedTexts+10; i++ {
		c.get(strconv.Itoa(i), compute)
	}
	size := 0
	c.m.Range(func(any, any) bool { size++; return true })
	if size > maxCachedTexts {
		t.Errorf("cache holds %d entries, bound is %d", size, maxCachedTexts)
	}
}
