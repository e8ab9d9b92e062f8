package normalize

// ErrorMessage canonicalizes an arbitrary error shape into a readable
// string (the normalizeError contract of the SDK adapters): a non-empty
// string is itself; an object yields its message, error.message or
// data.error.message (first non-empty, in that order); an error value its
// Error(); anything else "Unknown error".
func ErrorMessage(v any) string {
	const unknown = "Unknown error"
	switch x := v.(type) {
	case nil:
		return unknown
	case string:
		if x == "" {
			return unknown
		}
		return x
	case error:
		if m := x.Error(); m != "" {
			return m
		}
		return unknown
	case map[string]any:
		if m, ok := x["message"].(string); ok && m != "" {
			return m
		}
		if e, ok := x["error"]; ok && e != nil {
			if s, ok := e.(string); ok && s != "" {
				return s
			}
			if em, ok := e.(map[string]any); ok {
				if m, ok := em["message"].(string); ok && m != "" {
					return m
				}
			}
		}
		if d, ok := x["data"].(map[string]any); ok {
			if em, ok := d["error"].(map[string]any); ok {
				if m, ok := em["message"].(string); ok && m != "" {
					return m
				}
			}
		}
	}
	return unknown
}
