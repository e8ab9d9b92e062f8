// Package webhook signs, verifies and delivers AgentMark webhooks: the
// x-agentmark-signature-256 HMAC (cli-eval-deploy §C.6), the event
// payloads of the webhook endpoint ({"event":{"type","data"}}: prompt-run,
// dataset-run, alert), and a delivery client with retries, exponential
// backoff with jitter, per-attempt timeouts and a delivery log.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/agentmark-go/agentmark/jsvalue"
)

// SignatureHeader carries the HMAC-SHA256 signature of a request body.
const SignatureHeader = "x-agentmark-signature-256"

// DefaultSecret is the key used when the secret is empty (on both ends,
// like the reference implementation).
const DefaultSecret = "DEFAULT"

func key(secret string) []byte {
	if secret == "" {
		secret = DefaultSecret
	}
	return []byte(secret)
}

// Sign returns the header value "sha256=<64 lowercase hex>" of
// HMAC-SHA256(secret, payload). An empty secret signs with "DEFAULT".
func Sign(secret string, payload []byte) string {
	m := hmac.New(sha256.New, key(secret))
	m.Write(payload)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks header against HMAC-SHA256(secret, payload) in constant
// time. Like the reference verifier, the algorithm prefix is not checked
// (the hex is what follows the first "="), and an empty secret means
// "DEFAULT". A header without "=" never verifies.
func Verify(secret, header string, payload []byte) bool {
	_, hexSig, ok := strings.Cut(header, "=")
	if !ok {
		return false
	}
	if i := strings.IndexByte(hexSig, '='); i >= 0 { // split("=")[1]
		hexSig = hexSig[:i]
	}
	got := decodeHexLenient(hexSig)
	m := hmac.New(sha256.New, key(secret))
	m.Write(payload)
	return hmac.Equal(got, m.Sum(nil))
}

// decodeHexLenient decodes pairs of hex digits like the reference
// (parseInt per pair: an invalid pair is 0, an odd trailing digit is
// dropped).
func decodeHexLenient(s string) []byte {
	out := make([]byte, len(s)/2)
	for i := range out {
		b, err := hex.DecodeString(s[2*i : 2*i+2])
		if err == nil {
			out[i] = b[0]
		} else if v, ok := parseHexPrefix(s[2*i : 2*i+2]); ok {
			out[i] = v
		}
	}
	return out
}

// parseHexPrefix mimics parseInt(pair, 16) on a pair with a valid first
// digit only ("a*" → 10).
func parseHexPrefix(p string) (byte, bool) {
	b, err := hex.DecodeString("0" + p[:1])
	if err != nil {
		return 0, false
	}
	return b[0], true
}

// VerifyBody checks a received body: first the raw bytes, then (because
// the reference senders and verifiers hash JSON.stringify of the parsed
// body) the body re-serialized as JavaScript's compact JSON.
func VerifyBody(secret, header string, body []byte) bool {
	if Verify(secret, header, body) {
		return true
	}
	if c, ok := JSCompact(body); ok && string(c) != string(body) {
		return Verify(secret, header, c)
	}
	return false
}

// JSCompact re-serializes a JSON document the way JavaScript's
// JSON.stringify(JSON.parse(doc)) does (key order kept, no HTML escaping,
// JS number formatting).
func JSCompact(doc []byte) ([]byte, bool) {
	v, err := jsvalue.ParseJSON(doc)
	if err != nil {
		return nil, false
	}
	s, ok := jsvalue.Stringify(v)
	if !ok {
		return nil, false
	}
	return []byte(s), true
}
