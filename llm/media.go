package llm

import (
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strings"
)

// MediaSource is an image or file part's data as providers need it: a URL
// to pass along, or the decoded bytes.
type MediaSource struct {
	// URL is set when the part referenced remote content.
	URL string
	// MimeType comes from a data: URL, else from the part.
	MimeType string
	// Data holds inline content (data: URLs and bare base64).
	Data []byte
}

// Base64 is Data in standard base64.
func (m MediaSource) Base64() string { return base64.StdEncoding.EncodeToString(m.Data) }

// GuessMimeType returns MimeType, else a type guessed from the URL's file
// extension, else "".
func (m MediaSource) GuessMimeType() string {
	if m.MimeType != "" || m.URL == "" {
		return m.MimeType
	}
	p := m.URL
	if u, err := url.Parse(m.URL); err == nil {
		p = u.Path
	}
	return mime.TypeByExtension(path.Ext(p))
}

// ParseMediaSource reads a part's Data: a URL (http, https, and any extra
// schemes given, e.g. "gs"), a data: URL, or bare base64 text.
func ParseMediaSource(data, mimeType string, extraSchemes ...string) (MediaSource, error) {
	data = strings.TrimSpace(data)
	if data == "" {
		return MediaSource{}, errors.New("empty data")
	}
	for _, scheme := range append([]string{"http", "https"}, extraSchemes...) {
		if strings.HasPrefix(data, scheme+"://") {
			return MediaSource{URL: data, MimeType: mimeType}, nil
		}
	}
	if rest, ok := strings.CutPrefix(data, "data:"); ok {
		meta, payload, ok := strings.Cut(rest, ",")
		if !ok {
			return MediaSource{}, errors.New("malformed data: URL")
		}
		mt, isB64 := mimeType, false
		for i, f := range strings.Split(meta, ";") {
			if i == 0 && f != "" {
				mt = f
			} else if f == "base64" {
				isB64 = true
			}
		}
		var raw []byte
		if isB64 {
			b, err := decodeBase64(payload)
			if err != nil {
				return MediaSource{}, fmt.Errorf("data: URL: %w", err)
			}
			raw = b
		} else {
			s, err := url.PathUnescape(payload)
			if err != nil {
				return MediaSource{}, fmt.Errorf("data: URL: %w", err)
			}
			raw = []byte(s)
		}
		return MediaSource{MimeType: mt, Data: raw}, nil
	}
	raw, err := decodeBase64(data)
	if err != nil {
		return MediaSource{}, fmt.Errorf("expected a URL, a data: URL or base64 data: %w", err)
	}
	return MediaSource{MimeType: mimeType, Data: raw}, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not, with
// line breaks.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err == nil {
		return b, nil
	}
	if b, err := base64.URLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
