package auth

import (
	"net"
	"time"
)

// Login throttling. Every failed password check, and every API token
// refused, counts as a failure under two keys: the account (the normalised
// email tried, whether or not such an account exists) and the client's
// address (an IPv6 address by its /64, which one client usually holds
// whole). A key with too many failures inside the window is locked until
// the oldest of those failures leaves it. The store keeps the failures, so
// a lock holds across restarts and across instances sharing the database.
//
// While a key is locked no password is checked at all, so the right
// password is refused too; the answer does not say which key is locked, so
// it is the same for an account that exists and one that does not.
const (
	// ThrottleWindow is how far back failures count.
	ThrottleWindow = 15 * time.Minute
	// MaxAccountFailures is how many failures an account takes in a window;
	// the next attempt is refused.
	MaxAccountFailures = 5
	// MaxAddressFailures is how many failures one address makes in a window,
	// over all the accounts it tries and its API tokens.
	MaxAddressFailures = 20
)

// Kinds of throttling keys.
const (
	ThrottleAccount = "account"
	ThrottleAddress = "address"
)

// ThrottleKey is one key an attempt counts under, with its limit.
type ThrottleKey struct {
	Kind    string // ThrottleAccount or ThrottleAddress
	Subject string
	Limit   int
}

// ThrottleKeys are the keys of an attempt for account (a normalised email)
// from ip. An empty account (an API token) or address has no key.
func ThrottleKeys(account, ip string) []ThrottleKey {
	var keys []ThrottleKey
	if account != "" {
		keys = append(keys, ThrottleKey{ThrottleAccount, account, MaxAccountFailures})
	}
	if a := AddressKey(ip); a != "" {
		keys = append(keys, ThrottleKey{ThrottleAddress, a, MaxAddressFailures})
	}
	return keys
}

// AddressKey is what an address is throttled as: an IPv4 address itself,
// an IPv6 address its /64 network, anything else as it is.
func AddressKey(ip string) string {
	parsed := net.ParseIP(ip)
	switch {
	case parsed == nil:
		return ip
	case parsed.To4() != nil:
		return parsed.To4().String()
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// ThrottleSince is when the window that counts at now began: failures at
// or before it no longer count, and may be deleted.
func ThrottleSince(now time.Time) time.Time { return now.Add(-ThrottleWindow).UTC() }

// NthFailure finds the k.Limit-th newest failure of k after since, if k has
// that many.
type NthFailure func(k ThrottleKey, since time.Time) (at time.Time, found bool, err error)

// LoginAllowed decides whether an attempt under keys may run at now, and if
// not, when it may again: each key with Limit failures inside the window is
// locked until the Limit-th newest leaves it, and the attempt waits for the
// last of its keys.
func LoginAllowed(keys []ThrottleKey, now time.Time, nth NthFailure) (retryAt time.Time, ok bool, err error) {
	for _, k := range keys {
		at, locked, err := nth(k, ThrottleSince(now))
		if err != nil {
			return time.Time{}, false, err
		}
		if until := at.Add(ThrottleWindow).UTC(); locked && until.After(retryAt) {
			retryAt = until
		}
	}
	return retryAt, retryAt.IsZero(), nil
}

// RetryAfterSeconds is the wait until retryAt in whole seconds, rounded up
// and at least 1, for a Retry-After header.
func RetryAfterSeconds(retryAt, now time.Time) int {
	d := retryAt.Sub(now)
	if d <= 0 {
		return 1
	}
	return int((d + time.Second - 1) / time.Second)
}
