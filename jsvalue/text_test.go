package jsvalue

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func TestTrimSpace(t *testing.T) {
	cases := map[string]string{
		" \t\n\v\f\r x \u00a0\ufeff": "x",
		"\u2028\u2029\u3000\u202f x": "x",
		"\u0085x\u0085":              "\u0085x\u0085", // NEL is not JS white space
		"\u200bx":                    "\u200bx",       // nor is ZERO WIDTH SPACE
		"\u2000\u200ax\u1680":        "x",
		"":                           "",
	}
	for in, want := range cases {
		if got := TrimSpace(in); got != want {
			t.Errorf("TrimSpace(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUTF16RoundTrip(t *testing.T) {
	for _, s := range []string{"", "abc", "é", "😀", "a😀b", "日本語", "\uffff\U00010000"} {
		u := ToUTF16(s)
		if want := utf16.Encode([]rune(s)); !equalUnits(u, want) {
			t.Errorf("ToUTF16(%q) = %x, want %x", s, u, want)
		}
		if got := FromUTF16(u); got != s {
			t.Errorf("FromUTF16(ToUTF16(%q)) = %q", s, got)
		}
		if UTF16Len(s) != len(u) {
			t.Errorf("UTF16Len(%q) = %d", s, UTF16Len(s))
		}
		if HasLoneSurrogate(s) {
			t.Errorf("HasLoneSurrogate(%q)", s)
		}
	}
	// Lone surrogates survive as WTF-8.
	lone := FromUTF16([]uint16{'a', 0xD83D, 'b', 0xDE00})
	if lone != "a\xed\xa0\xbdb\xed\xb8\x80" || !HasLoneSurrogate(lone) || UTF16Len(lone) != 4 {
		t.Fatalf("lone = %q", lone)
	}
	if u := ToUTF16(lone); !equalUnits(u, []uint16{'a', 0xD83D, 'b', 0xDE00}) {
		t.Fatalf("units %x", u)
	}
	// Half a pair then the other half rejoin.
	pair := ToUTF16("😀")
	if FromUTF16(pair[:1])+"" == "😀" || FromUTF16(pair) != "😀" {
		t.Fatal("pair")
	}
	var b strings.Builder
	QuoteJSON(&b, lone+"\x80")
	if got := b.String(); got != `"a\ud83db\ude00\ufffd"` {
		t.Fatalf("QuoteJSON = %s", got)
	}
}

func equalUnits(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCompareUTF16(t *testing.T) {
	lo := FromUTF16([]uint16{0xD83D})
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "b", -1}, {"b", "a", 1}, {"ab", "abc", -1}, {"abc", "ab", 1}, {"B", "a", -1},
		{"\uff5e", "😀", 1}, // U+FF5E > D83D: code-unit order differs from code-point order
		{"😀", "\ue000", -1},
		{"é", "z", 1},
		{lo, "😀", -1}, {"😀", lo, 1}, {lo + "\uffff", "😀", 1}, {"😀", "😁", -1}, {lo, lo, 0},
	}
	for _, c := range cases {
		if got := CompareUTF16(c.a, c.b); got != c.want {
			t.Errorf("CompareUTF16(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestParseJSONArrayIdentity(t *testing.T) {
	v, _ := ParseJSON([]byte(`[[],[]]`))
	a := v.([]Value)
	x, y := a[0].([]Value), a[1].([]Value)
	if cap(x) == 0 || &x[:1][0] == &y[:1][0] {
		t.Fatal("empty arrays share storage")
	}
}
