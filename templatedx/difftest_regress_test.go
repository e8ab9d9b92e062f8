package templatedx

import "testing"

// Regressions found by differential testing against upstream TemplateDX
// (internal/difftest). Expected values are upstream's
// stringify(transform(parse(src), props)).
func TestDifftestRegressions(t *testing.T) {
	tests := []struct {
		name, src, props string
		fs               files
		want             string
	}{
		{
			name:  "component in a ForEach body",
			src:   "import Item from './item.mdx';\n\n<ForEach arr={props.xs}>\n{(x, i) => (<Item name={x} n={i} />)}\n</ForEach>",
			props: `{"xs":["a","b*"]}`,
			fs:    files{"/p/item.mdx": "- {props.n}: {props.name}\n"},
			want:  "* 0: a\n* 1: b\\*\n",
		},
		{
			// A literal prop becomes text, so after the body is rewritten it
			// is a paragraph of its own, not a glued expression.
			name:  "literal prop in a ForEach body",
			src:   "import Item from './item.mdx';\n\n<ForEach arr={props.xs}>\n{(x) => (\n<>\n<Item name={x} b=\"# h\" />\n</>\n)}\n</ForEach>",
			props: `{"xs":["a","b"]}`,
			fs:    files{"/p/item.mdx": "<item>{props.name}</item>\n\n{props.b}\n"},
			want:  "<item>\n  a\n</item>\n\n\\# h\n\n<item>\n  b\n</item>\n\n\\# h\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustRender(t, New(), tt.src, tt.props, tt.fs)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
