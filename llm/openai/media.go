package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/agentmark-go/agentmark/llm"
)

type imageRequest struct {
	Model          string `json:"model,omitempty"`
	Prompt         string `json:"prompt"`
	N              int    `json:"n,omitempty"`
	Size           string `json:"size,omitempty"`
	ResponseFormat string `json:"response_format,omitempty"`
}

type imageResponse struct {
	Data []struct {
		B64JSON string `json:"b64_json"`
		URL     string `json:"url"`
	} `json:"data"`
	OutputFormat string     `json:"output_format"`
	Usage        *wireUsage `json:"usage"`
}

// sizeFor maps an aspect ratio to a size the model accepts.
func sizeFor(model, aspect string) string {
	parts := strings.SplitN(aspect, ":", 2)
	if len(parts) != 2 {
		return ""
	}
	w, err1 := strconv.Atoi(parts[0])
	h, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return ""
	}
	dalle3 := strings.HasPrefix(model, "dall-e-3")
	switch {
	case w == h:
		return "1024x1024"
	case w > h && dalle3:
		return "1792x1024"
	case w > h:
		return "1536x1024"
	case dalle3:
		return "1024x1792"
	default:
		return "1024x1536"
	}
}

// GenerateImage implements llm.ImageProvider (POST /images/generations).
// dall-e models are asked for b64_json; gpt-image models always answer
// with it. Images returned as URLs are downloaded.
func (p *Provider) GenerateImage(ctx context.Context, req *llm.ImageRequest) (*llm.ImageResponse, error) {
	ir := imageRequest{Model: req.Model, Prompt: req.Prompt, N: req.N, Size: req.Size}
	if ir.Size == "" && req.AspectRatio != "" {
		ir.Size = sizeFor(req.Model, req.AspectRatio)
	}
	if strings.HasPrefix(req.Model, "dall-e") {
		ir.ResponseFormat = "b64_json"
	}
	body, err := p.encode(ir)
	if err != nil {
		return nil, err
	}
	resp, cancel, err := p.do(ctx, "/images/generations", body, false)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, p.readErr(ctx, err)
	}
	var w imageResponse
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: "invalid JSON in the image response: " + err.Error()}
	}
	out := &llm.ImageResponse{Usage: w.Usage.toUsage()}
	for i, d := range w.Data {
		var img []byte
		switch {
		case d.B64JSON != "":
			img, err = decodeB64(d.B64JSON)
			if err != nil {
				return nil, &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: fmt.Sprintf("image %d: invalid base64: %v", i+1, err)}
			}
		case d.URL != "":
			img, err = p.download(ctx, d.URL)
			if err != nil {
				return nil, err
			}
		default:
			continue
		}
		out.Images = append(out.Images, llm.Media{MimeType: http.DetectContentType(img), Data: img})
	}
	if len(out.Images) == 0 {
		return nil, &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: "the response has no images"}
	}
	return out, nil
}

func (p *Provider) download(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, &llm.APIError{Provider: p.name, Message: "downloading the image: " + p.scrub(err.Error())}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, &llm.APIError{Provider: p.name, Status: resp.StatusCode, Message: "downloading the image failed"}
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

type speechRequest struct {
	Model          string   `json:"model"`
	Input          string   `json:"input"`
	Voice          string   `json:"voice"`
	Instructions   string   `json:"instructions,omitempty"`
	ResponseFormat string   `json:"response_format,omitempty"`
	Speed          *float64 `json:"speed,omitempty"`
}

var audioMime = map[string]string{
	"mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac", "flac": "audio/flac",
	"wav": "audio/wav", "pcm": "audio/pcm",
}

// GenerateSpeech implements llm.SpeechProvider (POST /audio/speech). The
// voice defaults to "alloy" and the format to mp3.
func (p *Provider) GenerateSpeech(ctx context.Context, req *llm.SpeechRequest) (*llm.SpeechResponse, error) {
	sr := speechRequest{Model: req.Model, Input: req.Text, Voice: req.Voice, Instructions: req.Instructions,
		ResponseFormat: req.OutputFormat, Speed: req.Speed}
	if sr.Voice == "" {
		sr.Voice = "alloy"
	}
	body, err := p.encode(sr)
	if err != nil {
		return nil, err
	}
	resp, cancel, err := p.do(ctx, "/audio/speech", body, false)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	audio, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, p.readErr(ctx, err)
	}
	format := req.OutputFormat
	if format == "" {
		format = "mp3"
	}
	mime := audioMime[format]
	if mime == "" {
		mime = resp.Header.Get("Content-Type")
		if mime == "" {
			mime = "application/octet-stream"
		}
	}
	return &llm.SpeechResponse{Audio: llm.Media{MimeType: mime, Data: audio}, Format: format}, nil
}
