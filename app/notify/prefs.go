package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Mode is how a user wants to hear of one kind of event outside the bell,
// which shows every notice whatever the mode.
type Mode string

// The modes.
const (
	// InApp: the bell only, no e-mail.
	InApp Mode = "inapp"
	// Immediate: an e-mail per notice, as it happens (the default).
	Immediate Mode = "email"
	// Digest: one e-mail a day gathering the notices of the day.
	Digest Mode = "digest"
)

// Modes lists the modes, in the order a form offers them.
var Modes = []Mode{InApp, Immediate, Digest}

// DefaultMode is the mode of an event a user has not chosen one for.
const DefaultMode = Immediate

// ValidMode reports whether m is one of Modes.
func ValidMode(m Mode) bool { return slices.Contains(Modes, m) }

// ValidEvent reports whether e is the name of an event of Rules.
func ValidEvent(e string) bool { return slices.Contains(Events(), e) }

// Prefs are a user's modes by event name; an event missing has
// DefaultMode.
type Prefs map[string]Mode

// Of is the mode of event e.
func (p Prefs) Of(e string) Mode {
	if m, ok := p[e]; ok {
		return m
	}
	return DefaultMode
}

// UnsubscribeToken is the token of an e-mail's unsubscribe link: it names
// the user and the event and is signed with key (a server key), so the
// link works without signing in and cannot be made for another user.
func UnsubscribeToken(key []byte, user uint, event string) string {
	body := strconv.FormatUint(uint64(user), 10) + "." + event
	return base64.RawURLEncoding.EncodeToString([]byte(body)) + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(key, body))
}

// ParseUnsubscribeToken checks a token made by UnsubscribeToken and
// returns its user and event.
func ParseUnsubscribeToken(key []byte, token string) (uint, string, error) {
	b64, sig, ok := strings.Cut(token, ".")
	if !ok {
		return 0, "", fmt.Errorf("notify: malformed unsubscribe token")
	}
	body, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return 0, "", fmt.Errorf("notify: malformed unsubscribe token")
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, unsubscribeMAC(key, string(body))) {
		return 0, "", fmt.Errorf("notify: unsubscribe token not signed by this server")
	}
	uid, event, _ := strings.Cut(string(body), ".")
	id, err := strconv.ParseUint(uid, 10, 32)
	if err != nil || id == 0 || !ValidEvent(event) {
		return 0, "", fmt.Errorf("notify: unsubscribe token names no user or event")
	}
	return uint(id), event, nil
}

func unsubscribeMAC(key []byte, body string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("unsubscribe\x00" + body))
	return h.Sum(nil)[:16]
}
