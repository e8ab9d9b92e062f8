package jsvalue

import (
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// numberToStringSlow is the general ECMAScript Number::toString algorithm
// (shortest digits, then placement); NumberToString has fast paths.
func numberToStringSlow(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expStr)
	k := len(digits)
	n := exp + 1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	s := sign + digits[:1]
	if k > 1 {
		s += "." + digits[1:]
	}
	if n-1 >= 0 {
		s += "e+"
	} else {
		s += "e"
	}
	return s + strconv.Itoa(n-1)
}

func TestNumberToString(t *testing.T) {
	fixed := []float64{1, -1, 0.5, 49.5, 15.25, 120, 1001, 1e-6, 1e-7, 9.99999e-7, 1e20, 1e21, 123456789012345680000,
		math.MaxInt64, 1 << 53, 1<<53 + 2, 0.1 + 0.2, 1.0 / 3, 5e-324, math.MaxFloat64, -1e-6, -2.5e20}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		fixed = append(fixed, math.Float64frombits(rng.Uint64()))
		fixed = append(fixed, (rng.Float64()-0.5)*math.Pow(10, float64(rng.Intn(50)-25)))
		fixed = append(fixed, math.Round(rng.Float64()*math.Pow(10, float64(rng.Intn(22)))))
	}
	for _, f := range fixed {
		if got, want := NumberToString(f), numberToStringSlow(f); got != want {
			t.Fatalf("NumberToString(%v) = %q, want %q", f, got, want)
		}
	}
}
