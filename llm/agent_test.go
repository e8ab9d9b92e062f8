package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/llm"
	"github.com/agentmark-go/agentmark/llm/mock"
	_ "github.com/agentmark-go/agentmark/llm/openai"
)

func formatted(t *testing.T, js string) *llm.Call {
	t.Helper()
	v, err := jsvalue.ParseJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	c, err := llm.CallFromFormatted(v.(*jsvalue.Object))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func weatherTool(calls *atomic.Int32) llm.Tool {
	return llm.Tool{
		Name: "get_weather", Description: "Weather for a city",
		Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},"required":["city"]}`),
		Execute: func(ctx context.Context, args json.RawMessage) (any, error) {
			calls.Add(1)
			var a struct{ City, Unit string }
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			return map[string]any{"city": a.City, "temp": 21, "unit": a.Unit}, nil
		},
	}
}

func TestCallFromFormatted(t *testing.T) {
	c := formatted(t, `{"name":"p","messages":[{"role":"system","content":"sys"},
		{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","image":"https://e.com/i.png","mimeType":"image/png"},{"type":"file","data":"https://e.com/d.pdf","mimeType":"application/pdf"}]},
		{"role":"assistant","content":"ok"}],
		"text_config":{"model_name":"openai/gpt-4o","max_tokens":10,"temperature":0.5,"top_p":0.9,"top_k":3,"presence_penalty":0.1,
		"frequency_penalty":0.2,"stop_sequences":["x"],"seed":4,"tool_choice":{"type":"tool","tool_name":"t"},"max_calls":3,"tools":["t","mcp://s/x"]}}`)
	if c.Kind != llm.KindText || c.ModelName != "openai/gpt-4o" || c.MaxCalls != 3 || strings.Join(c.ToolNames, ",") != "t,mcp://s/x" {
		t.Errorf("%+v", c)
	}
	s := c.Request.Settings
	if *s.MaxTokens != 10 || *s.Temperature != 0.5 || *s.TopP != 0.9 || *s.TopK != 3 || *s.PresencePenalty != 0.1 ||
		*s.FrequencyPenalty != 0.2 || s.StopSequences[0] != "x" || *s.Seed != 4 || *s.ToolChoice != (llm.ToolChoice{Mode: "tool", ToolName: "t"}) {
		t.Errorf("settings %+v", s)
	}
	m := c.Request.Messages
	if len(m) != 3 || m[1].Parts[1] != (llm.Part{Type: llm.PartImage, Data: "https://e.com/i.png", MimeType: "image/png"}) ||
		m[1].Parts[2].Type != llm.PartFile || m[2].Text() != "ok" {
		t.Errorf("messages %+v", m)
	}
	img := formatted(t, `{"name":"i","image_config":{"model_name":"mock/x","num_images":2,"size":"256x256","aspect_ratio":"1:1","seed":3,"prompt":"cat"}}`)
	if img.Kind != llm.KindImage || img.Image.N != 2 || img.Image.Prompt != "cat" || *img.Image.Seed != 3 {
		t.Errorf("%+v", img.Image)
	}
	sp := formatted(t, `{"name":"s","speech_config":{"model_name":"mock/x","voice":"nova","speed":1.2,"output_format":"wav","text":"hi","instructions":"calm"}}`)
	if sp.Kind != llm.KindSpeech || sp.Speech.Voice != "nova" || *sp.Speech.Speed != 1.2 || sp.Speech.Instructions != "calm" {
		t.Errorf("%+v", sp.Speech)
	}
	v, _ := jsvalue.ParseJSON([]byte(`{"name":"p","messages":[],"text_config":{"model_name":"m","tools":[1]}}`))
	if _, err := llm.CallFromFormatted(v.(*jsvalue.Object)); err == nil || !strings.Contains(err.Error(), "Invalid tool entry: expected a string (tool name or MCP URI), got number") {
		t.Errorf("err = %v", err)
	}
}

func TestMockTextStreamAndUsage(t *testing.T) {
	g := &llm.Generator{Registry: llm.NewRegistry()}
	c := formatted(t, `{"name":"p","messages":[{"role":"system","content":"Be nice."},{"role":"user","content":"Hello there, world"}],"text_config":{"model_name":"mock/echo"}}`)
	res, err := g.Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "Hello there, world" || res.Usage != (llm.Usage{InputTokens: 5, OutputTokens: 3, TotalTokens: 8}) || res.FinishReason != llm.FinishStop || len(res.Steps) != 1 {
		t.Errorf("%+v", res)
	}
	var deltas []string
	res2, err := g.Run(context.Background(), c, func(ev llm.Event) error {
		if ev.Type == llm.EvTextDelta {
			deltas = append(deltas, ev.Text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(deltas, "|") != "Hello |there, |world" || res2.Text != res.Text || res2.Usage != res.Usage {
		t.Errorf("deltas %q res %+v", deltas, res2)
	}
}

func TestMockToolLoop(t *testing.T) {
	var calls atomic.Int32
	g := &llm.Generator{Registry: llm.NewRegistry(), Tools: map[string]llm.Tool{"get_weather": weatherTool(&calls)}}
	c := formatted(t, `{"name":"p","messages":[{"role":"user","content":"Weather in Paris?"}],"text_config":{"model_name":"mock/echo","tools":["get_weather"]}}`)
	var evs []string
	res, err := g.Run(context.Background(), c, func(ev llm.Event) error {
		evs = append(evs, ev.Type)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || len(res.Steps) != 2 || res.FinishReason != llm.FinishStop {
		t.Fatalf("calls=%d steps=%+v", calls.Load(), res.Steps)
	}
	tc := res.Steps[0].ToolCalls[0]
	if tc.Name != "get_weather" || string(tc.Args) != `{"city":"mock city","unit":"c"}` {
		t.Errorf("tool call %+v", tc)
	}
	tr := res.Steps[0].ToolResults[0]
	if tr.ToolCallID != tc.ID || string(tr.Result) != `{"city":"mock city","temp":21,"unit":"c"}` || tr.IsError {
		t.Errorf("tool result %+v", tr)
	}
	if !strings.Contains(res.Text, `get_weather: {"city":"mock city","temp":21,"unit":"c"}`) {
		t.Errorf("text %q", res.Text)
	}
	if res.Usage.TotalTokens != res.Steps[0].Usage.TotalTokens+res.Steps[1].Usage.TotalTokens {
		t.Errorf("usage not summed")
	}
	if strings.Join(evs, ",") != "tool-call,tool-result,step-finish,text-delta,text-delta,text-delta,text-delta,text-delta,text-delta,text-delta,text-delta,step-finish" {
		t.Logf("events %v", evs)
	}
}

func TestMaxCallsBoundsTheLoop(t *testing.T) {
	var calls atomic.Int32
	g := &llm.Generator{Registry: llm.NewRegistry(), Tools: map[string]llm.Tool{"get_weather": weatherTool(&calls)}}
	c := formatted(t, `{"name":"p","messages":[{"role":"user","content":"Weather?"}],"text_config":{"model_name":"mock/echo","tools":["get_weather"],"max_calls":1}}`)
	res, err := g.Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	// One model call; its tool call still runs (like stepCountIs(1)).
	if len(res.Steps) != 1 || calls.Load() != 1 || res.FinishReason != llm.FinishToolCalls || res.Text != "" {
		t.Errorf("steps=%d calls=%d %+v", len(res.Steps), calls.Load(), res)
	}
}

func TestToolErrors(t *testing.T) {
	g := &llm.Generator{Registry: llm.NewRegistry(), Tools: map[string]llm.Tool{
		"boom": {Name: "boom", Execute: func(context.Context, json.RawMessage) (any, error) { return nil, errors.New("kaput") }},
	}}
	c := formatted(t, `{"name":"p","messages":[{"role":"user","content":"go"}],"text_config":{"model_name":"mock/echo","tools":["boom"]}}`)
	res, err := g.Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr := res.Steps[0].ToolResults[0]; !tr.IsError || string(tr.Result) != `"Error: kaput"` {
		t.Errorf("%+v", tr)
	}
	c = formatted(t, `{"name":"p","messages":[{"role":"user","content":"go"}],"text_config":{"model_name":"mock/echo","tools":["nope"]}}`)
	if _, err := g.Run(context.Background(), c, nil); err == nil || err.Error() != "Tool 'nope' referenced in prompt config was not found in the provided tools record. Available tools: boom" {
		t.Errorf("err = %v", err)
	}
	c = formatted(t, `{"name":"p","messages":[{"role":"user","content":"go"}],"text_config":{"model_name":"mock/echo","tools":["mcp://docs/search"]}}`)
	if _, err := g.Run(context.Background(), c, nil); err == nil || !strings.Contains(err.Error(), "MCP server 'docs' not registered") {
		t.Errorf("err = %v", err)
	}
	g.ToolSource = llm.ToolSourceFunc(func(ctx context.Context, uri string) ([]llm.Tool, error) {
		if uri != "mcp://docs/search" {
			t.Errorf("uri %q", uri)
		}
		return []llm.Tool{{Name: "search", Execute: func(context.Context, json.RawMessage) (any, error) { return "found", nil }}}, nil
	})
	res, err = g.Run(context.Background(), c, nil)
	if err != nil || res.Steps[0].ToolResults[0].ToolName != "search" || !strings.Contains(res.Text, "search: found") {
		t.Errorf("mcp: %v %+v", err, res)
	}
}

const objSchema = `{"type":"object","properties":{"sentiment":{"type":"string","enum":["positive","negative"]},"score":{"type":"number","minimum":0,"maximum":1},
	"tags":{"type":"array","items":{"type":"string"},"minItems":2},"meta":{"type":"object","properties":{"lang":{"type":"string","minLength":8},"when":{"type":"string","format":"date-time"}},"required":["lang"]}},
	"required":["sentiment","score","tags"],"additionalProperties":false}`

func TestMockObject(t *testing.T) {
	g := &llm.Generator{Registry: llm.NewRegistry()}
	c := formatted(t, `{"name":"p","messages":[{"role":"user","content":"Rate this"}],"object_config":{"model_name":"mock/echo","schema":`+objSchema+`}}`)
	res, err := g.Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sentiment":"positive","score":1,"tags":["mock tags","mock tags"],"meta":{"lang":"mock lang","when":"2024-01-01T00:00:00Z"}}`
	if string(res.Object) != want {
		t.Errorf("object %s", res.Object)
	}
	var got []byte
	_, err = g.Run(context.Background(), c, func(ev llm.Event) error {
		if ev.Type == llm.EvObject {
			got = ev.Object
		}
		return nil
	})
	if err != nil || string(got) != want {
		t.Errorf("stream object %s %v", got, err)
	}
}

func TestMockSchemaValues(t *testing.T) {
	for _, s := range []string{
		`{"type":"integer","exclusiveMinimum":5,"multipleOf":3}`,
		`{"type":["null","string"],"maxLength":2}`,
		`{"$defs":{"n":{"type":"object","properties":{"v":{"const":7}},"required":["v"]}},"type":"object","properties":{"a":{"$ref":"#/$defs/n"},"b":{"anyOf":[{"type":"null"},{"type":"boolean"}]}},"required":["a","b"]}`,
		`{"type":"array","prefixItems":[{"type":"number"},{"type":"string"}],"items":false}`,
		`{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer","maximum":-3}},"required":["b"]}]}`,
		`{"type":"array","items":{"type":"string","format":"email"},"minItems":3,"uniqueItems":true}`,
		objSchema,
	} {
		v, err := mock.ValueForSchema(json.RawMessage(s))
		if err != nil {
			t.Fatal(err)
		}
		if err := llm.ValidateJSON(json.RawMessage(s), v); err != nil {
			t.Errorf("%s -> %s: %v", s, v, err)
		}
	}
}

func TestParseObject(t *testing.T) {
	sch := json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}`)
	for in, want := range map[string]string{
		"{\"a\": 1}":                       `{"a":1}`,
		"```json\n{\"a\": 2}\n```":         `{"a":2}`,
		"Sure! Here it is: {\"a\":3} Bye.": `{"a":3}`,
	} {
		got, err := llm.ParseObject(in, sch)
		if err != nil || string(got) != want {
			t.Errorf("%q: %s %v", in, got, err)
		}
	}
	_, err := llm.ParseObject("not json at all", sch)
	var oe *llm.ObjectError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "the model did not return valid JSON") {
		t.Errorf("err = %v", err)
	}
	_, err = llm.ParseObject(`{"a":"x"}`, sch)
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "does not match the schema") {
		t.Errorf("err = %v", err)
	}
}

func TestMockImageAndSpeechFiles(t *testing.T) {
	dir := t.TempDir()
	g := &llm.Generator{Registry: llm.NewRegistry(), OutputDir: filepath.Join(dir, ".agentmark-outputs")}
	res, err := g.Run(context.Background(), formatted(t, `{"name":"i","image_config":{"model_name":"mock/img","num_images":2,"prompt":"cat"}}`), nil)
	if err != nil || len(res.Files) != 2 || len(res.Images) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	data, _ := os.ReadFile(res.Files[0])
	if !strings.HasPrefix(string(data), "\x89PNG") || !strings.HasSuffix(res.Files[0], ".png") || !strings.Contains(filepath.Base(res.Files[1]), "image-2-") {
		t.Errorf("files %v", res.Files)
	}
	res, err = g.Run(context.Background(), formatted(t, `{"name":"s","speech_config":{"model_name":"mock/tts","text":"hi","instructions":""}}`), nil)
	if err != nil || len(res.Files) != 1 || !strings.HasSuffix(res.Files[0], ".wav") || res.AudioFormat != "wav" {
		t.Fatalf("%v %+v", err, res)
	}
	data, _ = os.ReadFile(res.Files[0])
	if string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		t.Errorf("not a WAV")
	}
}

// fakeOpenAI answers like OpenAI: a tool call on the first request, then
// text after seeing the tool result. It records the requests.
func fakeOpenAI(t *testing.T, reqs *[]map[string]any) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &b)
		*reqs = append(*reqs, b)
		msgs := b["messages"].([]any)
		last := msgs[len(msgs)-1].(map[string]any)
		if last["role"] == "tool" {
			io.WriteString(w, fmt.Sprintf(`{"choices":[{"message":{"content":"It is sunny: %s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":4,"total_tokens":24}}`, strings.ReplaceAll(last["content"].(string), `"`, `\"`)))
			return
		}
		io.WriteString(w, `{"choices":[{"message":{"content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestToolLoopAgainstFakeOpenAI(t *testing.T) {
	var reqs []map[string]any
	srv := fakeOpenAI(t, &reqs)
	reg := llm.NewRegistry()
	reg.SetGetenv(func(k string) string {
		return map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "x"}[k]
	})
	var calls atomic.Int32
	g := &llm.Generator{Registry: reg, Tools: map[string]llm.Tool{"get_weather": weatherTool(&calls)}}
	c := formatted(t, `{"name":"p","messages":[{"role":"user","content":"Weather?"}],"text_config":{"model_name":"gpt-4o","tools":["get_weather"]}}`)
	res, err := g.Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != `It is sunny: {"city":"Paris","temp":21,"unit":""}` || len(reqs) != 2 || calls.Load() != 1 {
		t.Fatalf("text %q reqs %d", res.Text, len(reqs))
	}
	if res.Usage != (llm.Usage{InputTokens: 30, OutputTokens: 7, TotalTokens: 37}) || res.Provider != "openai" || res.Model != "gpt-4o" {
		t.Errorf("%+v", res)
	}
	second, _ := json.Marshal(reqs[1]["messages"])
	if string(second) != `[{"content":"Weather?","role":"user"},{"content":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"c1","type":"function"}]},{"content":"{\"city\":\"Paris\",\"temp\":21,\"unit\":\"\"}","role":"tool","tool_call_id":"c1"}]` {
		t.Errorf("second request messages %s", second)
	}
}
