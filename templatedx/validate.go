package templatedx

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentmark-go/agentmark/templatedx/mdast"
)

// validateTags checks every element of the main template: fragments, Raw,
// imported components, registered tags, HTML tags and lowercase XML-style
// tags pass; anything else is an error listing the registered tags.
func (e *Engine) validateTags(nodes []*mdast.Node, ns namespace) error {
	for _, n := range nodes {
		if n.IsElement() && n.Name != nil {
			name := *n.Name
			if name == "Raw" {
				continue // Raw's content is not markup
			}
			if !e.tagAllowed(name, ns) {
				msg := "Unsupported tag '<" + name + ">'. Only native MDX elements, and registered tags are supported."
				if names := e.TagNames(); len(names) > 0 {
					msg += " Registered tags: " + strings.Join(names, ", ") + "."
				}
				return errorAt(n.Position, "%s", msg)
			}
		}
		if err := e.validateTags(n.Children, ns); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) tagAllowed(name string, ns namespace) bool {
	if _, ok := ns[name]; ok {
		return true
	}
	if _, ok := e.tags[name]; ok {
		return true
	}
	if htmlTags[strings.ToLower(name)] {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name)
	return unicode.ToLower(r) == r && unicode.ToUpper(r) != r
}

// htmlTags are the HTML element names accepted in any letter case.
var htmlTags = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`base head link meta style title body address article aside footer header
		h1 h2 h3 h4 h5 h6 hgroup main nav section search blockquote dd div dl dt figcaption figure hr li menu ol
		p pre ul a abbr b bdi bdo br cite code data dfn em i kbd mark q rp rt ruby s samp small span strong sub
		sup time u var wbr area audio img map track video embed fencedframe iframe object picture source canvas
		noscript script del ins caption col colgroup table tbody td tfoot th thead tr button datalist fieldset
		form input label legend meter optgroup option output progress select selectedcontent textarea details
		dialog summary slot template svg math center font strike tt`) {
		m[t] = true
	}
	return m
}()
