package templatedx

import (
	"fmt"
	"strings"
	"unicode"
)

// importStmt is `import local from "source"`.
type importStmt struct {
	local  string
	source string
}

// parseESM reads the import statements of an ESM block. Only default
// imports are allowed; exports, named, namespace and side-effect imports
// are errors naming the file and the statement.
func parseESM(src, file string) ([]importStmt, error) {
	var out []importStmt
	i := 0
	for {
		i = skipSpaceAndComments(src, i)
		if i >= len(src) {
			return out, nil
		}
		switch {
		case hasKeyword(src, i, "import"):
			end, clause, source, ok := scanImport(src, i)
			text := strings.TrimSpace(src[i:end])
			if !ok {
				return nil, fmt.Errorf("Invalid import in %s: %s", file, text)
			}
			clause = strings.TrimSpace(clause)
			switch {
			case clause == "":
				return nil, fmt.Errorf("Invalid import in %s: %s", file, text)
			case !isIdentifier(clause):
				return nil, fmt.Errorf("Only default imports are supported. Invalid import in %s: %s", file, text)
			}
			out = append(out, importStmt{local: clause, source: source})
			i = end
		case hasKeyword(src, i, "export"):
			end := statementEnd(src, i)
			return nil, fmt.Errorf("Exports are not supported. Found in %s: %s", file, strings.TrimSpace(src[i:end]))
		default:
			end := statementEnd(src, i)
			return nil, fmt.Errorf("Invalid import in %s: %s", file, strings.TrimSpace(src[i:end]))
		}
	}
}

func hasKeyword(s string, i int, kw string) bool {
	if !strings.HasPrefix(s[i:], kw) {
		return false
	}
	j := i + len(kw)
	return j == len(s) || !isIdentPart(rune(s[j]))
}

// scanImport finds the end of an import statement starting at i: the first
// string literal (the module source) and an optional semicolon. clause is
// the text between `import` and `from` (empty for `import "x"`).
func scanImport(s string, i int) (end int, clause, source string, ok bool) {
	j := i + len("import")
	for j < len(s) {
		c := s[j]
		if c == '\'' || c == '"' {
			k := strings.IndexByte(s[j+1:], c)
			if k < 0 {
				return len(s), "", "", false
			}
			source = s[j+1 : j+1+k]
			before := s[i+len("import") : j]
			if t := strings.TrimSpace(before); strings.HasSuffix(t, "from") && (len(t) == 4 || !isIdentPart(rune(t[len(t)-5]))) {
				clause = strings.TrimSpace(strings.TrimSuffix(t, "from"))
			} else if t != "" {
				return j + 1 + k + 1, "", "", false
			}
			end = j + 1 + k + 1
			e := skipSpaces(s, end)
			if e < len(s) && s[e] == ';' {
				end = e + 1
			}
			return end, clause, source, true
		}
		j++
	}
	return len(s), "", "", false
}

func statementEnd(s string, i int) int {
	for j := i; j < len(s); j++ {
		if s[j] == ';' {
			return j + 1
		}
		if s[j] == '\n' {
			return j
		}
	}
	return len(s)
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func skipSpaceAndComments(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ';':
			i++
		case strings.HasPrefix(s[i:], "//"):
			k := strings.IndexByte(s[i:], '\n')
			if k < 0 {
				return len(s)
			}
			i += k
		case strings.HasPrefix(s[i:], "/*"):
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return len(s)
			}
			i += k + 4
		default:
			return i
		}
	}
	return i
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && unicode.IsDigit(r) || !isIdentPart(r) {
			return false
		}
	}
	return true
}

func isIdentPart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
