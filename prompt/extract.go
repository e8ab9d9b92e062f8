package prompt

import (
	"fmt"

	"github.com/agentmark-go/agentmark/jsvalue"
	"github.com/agentmark-go/agentmark/templatedx"
	"github.com/agentmark-go/agentmark/templatedx/expr"
	"github.com/agentmark-go/agentmark/templatedx/markdown"
	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// extraction collects what the message tags render, in document order.
type extraction struct {
	fields []*field
	// user is the innermost <User> being rendered; attachments go there.
	user *field
}

// field is one rendered message tag.
type field struct {
	tag   string
	text  string
	parts []jsvalue.Value
}

// registerPromptTags adds the tags of a kind to an engine.
func registerPromptTags(e *templatedx.Engine, k Kind) {
	switch k {
	case KindImage:
		e.RegisterTag(messageTag(false), "ImagePrompt")
	case KindSpeech:
		e.RegisterTag(messageTag(false), "System", "SpeechPrompt")
	default:
		e.RegisterTag(messageTag(false), "System", "Assistant")
		e.RegisterTag(messageTag(true), "User")
		e.RegisterTag(templatedx.TagFunc(attachment), "ImageAttachment", "FileAttachment")
	}
}

func stateOf(ctx *templatedx.TagContext) (*extraction, error) {
	st, ok := ctx.State.(*extraction)
	if !ok {
		return nil, fmt.Errorf("<%s> can only be rendered as part of a prompt", ctx.TagName)
	}
	return st, nil
}

// messageTag renders a message tag's children to Markdown text. The slot is
// taken before the children render, so nested message tags come after
// their parent (document order). User renders in a child scope.
func messageTag(childScope bool) templatedx.TagFunc {
	return func(_ *jsvalue.Object, children []*mdast.Node, ctx *templatedx.TagContext) ([]*mdast.Node, error) {
		st, err := stateOf(ctx)
		if err != nil {
			return nil, err
		}
		f := &field{tag: ctx.TagName}
		st.fields = append(st.fields, f)
		scope := ctx.Scope
		outer := st.user
		if childScope {
			scope = scope.Child()
			st.user = f
		}
		nodes, err := ctx.Transform(children, scope)
		st.user = outer
		if err != nil {
			return nil, err
		}
		if hasYAML(nodes) {
			// Message text is serialized without the frontmatter
			// extension: a component's own frontmatter cannot be printed.
			return nil, fmt.Errorf("Cannot handle unknown node `yaml`")
		}
		f.text = markdown.TrimJS(markdown.ToMarkdown(&mdast.Node{Type: mdast.Root, Children: nodes}))
		return nil, nil
	}
}

func hasYAML(nodes []*mdast.Node) bool {
	for _, n := range nodes {
		if n.Type == mdast.YAML || hasYAML(n.Children) {
			return true
		}
	}
	return false
}

// attachment adds an image or file part to the enclosing User message.
func attachment(props *jsvalue.Object, _ []*mdast.Node, ctx *templatedx.TagContext) ([]*mdast.Node, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if st.user == nil {
		return nil, fmt.Errorf("ImageAttachment and FileAttachment tags must be inside User tag.")
	}
	part := jsvalue.NewObject()
	if ctx.TagName == "ImageAttachment" {
		image, ok := props.Get("image")
		if !ok || jsvalue.IsUndefined(image) {
			return nil, fmt.Errorf("ImageAttachment must contain an image prop")
		}
		if !expr.Truthy(image) {
			return nil, nil
		}
		part.Set("type", "image")
		part.Set("image", image)
		if mime, _ := props.Get("mimeType"); expr.Truthy(mime) {
			part.Set("mimeType", mime)
		}
	} else {
		data, okD := props.Get("data")
		mime, okM := props.Get("mimeType")
		if !okD || !okM || jsvalue.IsUndefined(data) || jsvalue.IsUndefined(mime) {
			return nil, fmt.Errorf("FileAttachment must contain data and mimeType props")
		}
		if !expr.Truthy(data) || !expr.Truthy(mime) {
			return nil, nil
		}
		part.Set("type", "file")
		part.Set("data", data)
		part.Set("mimeType", mime)
	}
	st.user.parts = append(st.user.parts, part)
	return nil, nil
}

var roles = map[string]string{"System": "system", "User": "user", "Assistant": "assistant"}

// messages turns extracted fields into chat messages. System may only come
// first.
func (st *extraction) messages() ([]jsvalue.Value, error) {
	out := make([]jsvalue.Value, 0, len(st.fields))
	for i, f := range st.fields {
		role, ok := roles[f.tag]
		if !ok {
			continue
		}
		if role == "system" && i > 0 {
			return nil, fmt.Errorf("System message may only be the first message: %s", f.text)
		}
		m := jsvalue.NewObject()
		m.Set("role", role)
		if len(f.parts) > 0 {
			text := jsvalue.NewObject()
			text.Set("type", "text")
			text.Set("text", f.text)
			m.Set("content", append([]jsvalue.Value{text}, f.parts...))
		} else {
			m.Set("content", f.text)
		}
		out = append(out, m)
	}
	return out, nil
}

// first returns the text of the first field rendered by tag, or "".
func (st *extraction) first(tag string) string {
	for _, f := range st.fields {
		if f.tag == tag {
			return f.text
		}
	}
	return ""
}
