package sqlcore

import (
	"encoding/json"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/agentmark-go/agentmark/span"
)

func randString(r *rand.Rand) string {
	parts := []string{"a", "Z", " ", `"`, `\`, "<", ">", "&", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f",
		"é", "日本", "🚀", "\u2028", "\u2029", "\xff", "\xe2\x80", "{\"role\":\"user\"}", "\ufffd"}
	var b strings.Builder
	for n := r.Intn(8); n > 0; n-- {
		b.WriteString(parts[r.Intn(len(parts))])
	}
	return b.String()
}

func randValue(r *rand.Rand, depth int) any {
	switch r.Intn(9) {
	case 0:
		return nil
	case 1:
		return r.Intn(2) == 0
	case 2:
		return r.Int63() - r.Int63()
	case 3:
		fs := []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-7, 1e-6, 123456789.125, 1e20, 1e21, 1e300, 5e-324, r.NormFloat64() * 1e10, r.Float64()}
		return fs[r.Intn(len(fs))]
	case 4, 5:
		return randString(r)
	case 6:
		if depth > 2 {
			return "leaf"
		}
		var a []any
		if r.Intn(5) > 0 {
			a = []any{}
		}
		for n := r.Intn(4); n > 0; n-- {
			a = append(a, randValue(r, depth+1))
		}
		return a
	default:
		if depth > 2 {
			return int64(7)
		}
		return randMap(r, depth+1)
	}
}

func randMap(r *rand.Rand, depth int) map[string]any {
	m := map[string]any{}
	for n := r.Intn(6); n > 0; n-- {
		m[randString(r)] = randValue(r, depth)
	}
	return m
}

// TestMarshalJSONMatchesEncodingJSON: the fast encoder's output is
// byte-identical to encoding/json's (stored data must not change).
func TestMarshalJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	check := func(v any) {
		t.Helper()
		want, werr := json.Marshal(v)
		got, gerr := marshalJSON(v)
		if (werr != nil) != (gerr != nil) || (werr == nil && got != string(want)) {
			t.Fatalf("%#v:\n got %q (%v)\nwant %q (%v)", v, got, gerr, want, werr)
		}
	}
	for i := 0; i < 20000; i++ {
		check(randMap(r, 0))
		check(randValue(r, 0))
		ms := map[string]string{}
		var tags []string
		for n := r.Intn(4); n > 0; n-- {
			ms[randString(r)] = randString(r)
			tags = append(tags, randString(r))
		}
		check(ms)
		check(tags)
		check([]span.Event{{TimeNs: r.Int63(), Name: randString(r)}, {Name: "x", Attributes: randMap(r, 0)}, {Attributes: map[string]any{}}})
		check([]span.Link{{TraceID: randString(r), SpanID: "s", TraceState: randString(r), Attributes: randMap(r, 1)}, {}})
	}
	check(map[string]any{"nan": math.NaN()})
	check(map[string]any{"inf": []any{math.Inf(-1)}})
	check(map[string]any{"n": json.Number("12.5"), "u": uint8(3)}) // fallback
	var nilMap map[string]any
	check(nilMap)
	check([]span.Event(nil))
}
