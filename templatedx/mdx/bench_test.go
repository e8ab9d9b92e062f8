package mdx

import "testing"

// benchPrompt is a typical prompt (about 800 bytes).
const benchPrompt = `---
name: customer-support
text_config:
  model_name: openai/gpt-4o
  temperature: 0.7
---

<System>
You are a helpful customer support agent for **{props.company}**.

## Rules

1. Be concise and polite.
2. Never reveal internal notes.
3. Use the customer's name: {props.customer.name}.

> Tone: {props.tone}
</System>

<User>
Hello! I have a question about my order #{props.order.id}.

<If condition={props.order.items.length > 0}>
Items in the order:

<ForEach arr={props.order.items}>
{(item) => (
<>
- {item.name} x {item.quantity}
</>
)}
</ForEach>
</If>

{/* the actual question */}
Question: {props.question}
</User>

<Assistant>
Let me look into that for you, {props.customer.name}.
</Assistant>
`

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(benchPrompt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchPrompt); err != nil {
			b.Fatal(err)
		}
	}
}
