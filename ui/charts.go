package ui

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// Inline SVG charts rendered on the server: no JavaScript, themable through
// CSS classes (s1..s3 series colours), a <title> tooltip on every mark.

type point struct {
	T time.Time
	V float64
}

type series struct {
	Name   string
	Class  string
	Points []point
}

type timeAxis struct {
	From, To time.Time
	Bucket   time.Duration
}

const (
	chartW, chartH       = 640, 180
	padL, padR, padT, pB = 56, 8, 10, 22
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func (ax timeAxis) n() int {
	n := int(ax.To.Sub(ax.From)/ax.Bucket) + 1
	return max(min(n, 400), 1)
}

func (ax timeAxis) slot(t time.Time) int { return int(t.Sub(ax.From) / ax.Bucket) }

func (ax timeAxis) label(t time.Time) string {
	switch {
	case ax.Bucket >= 24*time.Hour:
		return t.Local().Format("Jan 2")
	case ax.To.Sub(ax.From) > 24*time.Hour:
		return t.Local().Format("Jan 2 15:04")
	}
	return t.Local().Format("15:04")
}

func frame(b *strings.Builder, ax timeAxis, top float64, format func(float64) string, legend []series) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" preserveAspectRatio="xMidYMid meet">`, chartW, chartH)
	plotH := float64(chartH - padT - pB)
	for k := 0; k <= 4; k++ {
		y := float64(padT) + plotH*float64(k)/4
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, chartW-padR, y, y)
		fmt.Fprintf(b, `<text class="ylab" x="%d" y="%.1f">%s</text>`, padL-6, y+4, esc(format(top*float64(4-k)/4)))
	}
	n := ax.n()
	plotW := float64(chartW - padL - padR)
	for k := 0; k < 4; k++ {
		t := ax.From.Add(time.Duration(float64(n-1)*float64(k)/3) * ax.Bucket)
		x := float64(padL) + plotW*(float64(ax.slot(t))+0.5)/float64(n)
		anchor := "middle"
		if k == 0 {
			anchor = "start"
			x = float64(padL)
		} else if k == 3 {
			anchor = "end"
			x = float64(chartW - padR)
		}
		fmt.Fprintf(b, `<text class="xlab" x="%.1f" y="%d" text-anchor="%s">%s</text>`, x, chartH-6, anchor, esc(ax.label(t)))
	}
	_ = legend
}

func legendHTML(ss []series) string {
	if len(ss) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(&b, `<span><i class="sw %s"></i>%s</span>`, esc(s.Class), esc(s.Name))
	}
	b.WriteString(`</div>`)
	return b.String()
}

// barChart stacks the series per time bucket.
func barChart(ax timeAxis, ss []series, format func(float64) string) template.HTML {
	n := ax.n()
	stack := make([]float64, n)
	vals := make([][]float64, len(ss))
	for i, s := range ss {
		vals[i] = make([]float64, n)
		for _, p := range s.Points {
			if k := ax.slot(p.T); k >= 0 && k < n {
				vals[i][k] += p.V
				stack[k] += p.V
			}
		}
	}
	top := 0.0
	for _, v := range stack {
		top = math.Max(top, v)
	}
	top = niceMax(top)
	var b strings.Builder
	b.WriteString(legendHTML(ss))
	frame(&b, ax, top, format, ss)
	plotW := float64(chartW - padL - padR)
	plotH := float64(chartH - padT - pB)
	bw := plotW / float64(n)
	gap := math.Min(bw*0.2, 2)
	base := make([]float64, n)
	for i, s := range ss {
		for k := 0; k < n; k++ {
			v := vals[i][k]
			if v <= 0 {
				continue
			}
			h := v / top * plotH
			y := float64(padT) + plotH - base[k] - h
			base[k] += h
			t := ax.From.Add(time.Duration(k) * ax.Bucket)
			fmt.Fprintf(&b, `<rect class="bar %s" x="%.2f" y="%.2f" width="%.2f" height="%.2f"><title>%s · %s: %s</title></rect>`,
				esc(s.Class), float64(padL)+float64(k)*bw+gap/2, y, math.Max(bw-gap, 0.5), h, esc(ax.label(t)), esc(s.Name), esc(format(v)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// lineChart draws one polyline per series through the buckets with data.
func lineChart(ax timeAxis, ss []series, format func(float64) string) template.HTML {
	n := ax.n()
	top := 0.0
	for _, s := range ss {
		for _, p := range s.Points {
			top = math.Max(top, p.V)
		}
	}
	top = niceMax(top)
	var b strings.Builder
	b.WriteString(legendHTML(ss))
	frame(&b, ax, top, format, ss)
	plotW := float64(chartW - padL - padR)
	plotH := float64(chartH - padT - pB)
	for _, s := range ss {
		var pts []string
		var dots strings.Builder
		for _, p := range s.Points {
			k := ax.slot(p.T)
			if k < 0 || k >= n {
				continue
			}
			x := float64(padL) + plotW*(float64(k)+0.5)/float64(n)
			y := float64(padT) + plotH - p.V/top*plotH
			pts = append(pts, fmt.Sprintf("%.2f,%.2f", x, y))
			fmt.Fprintf(&dots, `<circle class="dot %s" cx="%.2f" cy="%.2f" r="2.5"><title>%s · %s: %s</title></circle>`,
				esc(s.Class), x, y, esc(ax.label(p.T)), esc(s.Name), esc(format(p.V)))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline class="line %s" points="%s"/>`, esc(s.Class), strings.Join(pts, " "))
		}
		b.WriteString(dots.String())
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
