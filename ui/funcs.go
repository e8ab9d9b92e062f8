package ui

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/store"
)

func (a *app) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": a.assetURL,
		"u":     func(p string) string { return a.BasePath + p },
		"dur":   fmtDur,
		"cost":  fmtCost,
		"num":   fmtInt,
		"pct":   func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"f2":    func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
		"score": fmtScore,
		"ts":    func(t time.Time) string { return fmtTS(t) },
		"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"rel":   func(t time.Time) string { return fmtRel(a.Now(), t) },
		"trunc": trunc,
		"qset":  qset,
		"qdel":  qdel,
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"join":  strings.Join,
		"lower": strings.ToLower,
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		},
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"long":    func(s string) bool { return len(s) > 600 || strings.Count(s, "\n") > 12 },
		"status":  statusClass,
		"preview": previewText,
		"mulf":    func(a, b float64) float64 { return a * b },
		"i2f":     func(n int64) float64 { return float64(n) },
		"scoreOf": func(it store.ExperimentItem, name string) *store.ItemScore {
			if s, ok := scoreOf(it, name); ok {
				return &s
			}
			return nil
		},
		"barw": func(v, maxv float64) string {
			if maxv <= 0 {
				return "0"
			}
			return strconv.FormatFloat(math.Max(v/maxv*100, 0.5), 'f', 1, 64)
		},
	}
}

func fmtDur(ms float64) string {
	switch {
	case ms <= 0:
		return "0 ms"
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case ms < 60_000:
		return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
	default:
		m := int(ms / 60_000)
		return fmt.Sprintf("%dm %ds", m, int(math.Mod(ms, 60_000)/1000))
	}
}

func fmtCost(c float64) string {
	switch {
	case c == 0:
		return "$0"
	case c < 0.0001:
		return "$" + strconv.FormatFloat(c, 'f', 6, 64)
	case c < 1:
		return "$" + strconv.FormatFloat(c, 'f', 4, 64)
	default:
		return "$" + strconv.FormatFloat(c, 'f', 2, 64)
	}
}

func fmtInt(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case float64:
		v = int64(x)
	}
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtScore(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e9 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

func fmtTS(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func fmtRel(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return fmtTS(t)
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h ago"
	case d < 60*24*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + "d ago"
	}
	return t.Local().Format("2006-01-02")
}

func trunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// qset returns "?query" with key set to val (an empty val deletes it) and
// the page offset reset unless key is the offset.
func qset(q url.Values, kv ...string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	reset := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			c.Del(kv[i])
		} else {
			c.Set(kv[i], kv[i+1])
		}
		if kv[i] == "offset" {
			reset = false
		}
	}
	if reset {
		c.Del("offset")
	}
	s := c.Encode()
	if s == "" {
		return "?"
	}
	return "?" + s
}

func qdel(q url.Values, keys ...string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	for _, k := range keys {
		c.Del(k)
	}
	return "?" + c.Encode()
}

func statusClass(s string) string {
	switch s {
	case "ERROR", "2":
		return "err"
	case "OK", "1":
		return "ok"
	}
	return "unset"
}

// previewText makes a trace I/O preview readable: a (possibly cut) JSON
// message array shows its last text content instead of raw JSON.
func previewText(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[{") && !strings.HasPrefix(t, "{") {
		return s
	}
	const key = `"content":"`
	i := strings.LastIndex(t, key)
	if i < 0 {
		return s
	}
	rest := t[i+len(key):]
	var b strings.Builder
	for j := 0; j < len(rest); j++ {
		c := rest[j]
		if c == '\\' && j+1 < len(rest) {
			j++
			switch rest[j] {
			case 'n':
				b.WriteByte(' ')
			default:
				b.WriteByte(rest[j])
			}
			continue
		}
		if c == '"' {
			break
		}
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}
