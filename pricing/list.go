package pricing

// Prices returns a copy of every priced model id with its price (USD per
// token), custom prices included. Added for GET /v1/pricing.
func (t *Table) Prices() map[string]Price {
	out := make(map[string]Price, len(t.prices))
	for id, p := range t.prices {
		out[id] = p
	}
	return out
}
