package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// CSRFToken is the anti-forgery token of binding (a session, or an
// anonymous visitor's random cookie) under the server's key: an HMAC, so
// only the server makes one, and only for the session it was made for. A
// cookie an attacker plants cannot be paired with a token of its choice,
// and every instance holding the same key agrees.
func CSRFToken(key []byte, binding string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("selfcheck csrf\x00"))
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
