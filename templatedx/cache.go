package templatedx

import (
	"sync"
	"sync/atomic"
)

// maxCachedTexts bounds each per-engine cache of parsed template pieces.
const maxCachedTexts = 4096

// textCache memoizes a pure function of template source text. It is
// emptied when it reaches maxCachedTexts entries, so templates edited in a
// long-running server (agentmark dev) cannot grow it without limit.
type textCache[V any] struct {
	m sync.Map
	n atomic.Int64
}

func (c *textCache[V]) get(key string, compute func() V) V {
	if v, ok := c.m.Load(key); ok {
		return v.(V)
	}
	v := compute()
	if c.n.Add(1) > maxCachedTexts {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(key, v)
	return v
}
