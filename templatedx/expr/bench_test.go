package expr

import (
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
)

func benchScope(b *testing.B) mapScope {
	v, err := jsvalue.ParseJSON([]byte(`{"user":{"name":"Alice","age":30},"items":[1,2,3]}`))
	if err != nil {
		b.Fatal(err)
	}
	return mapScope{"props": v}
}

func BenchmarkEvaluate(b *testing.B) {
	scope := benchScope(b)
	for _, src := range []string{"props.user.name", "upper(props.user.name)", "props.user.age + 1 > 30 && 'old'"} {
		b.Run(src, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Evaluate(src, scope, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("truncate(props.user.name, 3) + ' ' + join(props.items, '-')"); err != nil {
			b.Fatal(err)
		}
	}
}
