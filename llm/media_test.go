package llm

import "testing"

func TestParseMediaSource(t *testing.T) {
	tests := []struct {
		name, data, mime string
		extra            []string
		want             MediaSource
		wantErr          bool
	}{
		{name: "url", data: "https://e.com/a.png", want: MediaSource{URL: "https://e.com/a.png"}},
		{name: "gs only when allowed", data: "gs://b/a.png", extra: []string{"gs"}, want: MediaSource{URL: "gs://b/a.png"}},
		{name: "data url base64", data: "data:image/png;base64,aGk=", want: MediaSource{MimeType: "image/png", Data: []byte("hi")}},
		{name: "data url text", data: "data:text/plain,a%20b", want: MediaSource{MimeType: "text/plain", Data: []byte("a b")}},
		{name: "bare base64 keeps the part's type", data: "aGk", mime: "image/jpeg", want: MediaSource{MimeType: "image/jpeg", Data: []byte("hi")}},
		{name: "empty", data: " ", wantErr: true},
		{name: "gs not allowed by default", data: "gs://b/a.png", wantErr: true},
		{name: "malformed data url", data: "data:image/png;base64", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMediaSource(tt.data, tt.mime, tt.extra...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (got.URL != tt.want.URL || got.MimeType != tt.want.MimeType || string(got.Data) != string(tt.want.Data)) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if m := (MediaSource{URL: "https://e.com/x/doc.pdf?sig=1"}); m.GuessMimeType() != "application/pdf" {
		t.Errorf("GuessMimeType = %q", m.GuessMimeType())
	}
}
