package auth

import (
	"net"
	"time"
)

// Login throttling. A failed password check (or a failed second factor)
// counts against the pair (account, client address): the normalised email
// tried, whether or not such an account exists, and the address (an IPv6
// address by its /64, which one client usually holds whole). The store
// keeps the failures, so the rules hold across restarts and across
// instances sharing the database.
//
//   - A pair with MaxPairFailures failures inside ThrottleWindow is locked
//     until the oldest of those leaves the window: that address may not
//     try that account, whatever the password.
//   - Per account, failures from every address together only slow
//     guessing down: past AccountFreeFailures each attempt waits a delay
//     after the last failure that doubles with every failure, up to
//     MaxAccountDelay. A correct password from another address is never
//     locked out for longer than that, so a stranger who knows an email
//     cannot keep its owner out; the second factor is the real defence of
//     an account guessed from many addresses.
//   - An attempt counts as a failure only once it has failed. While it
//     runs it holds a place, so parallel guesses cannot all pass the check
//     before any is counted: a pair has at most MaxPairFailures failures
//     and attempts together, and a slowed account one attempt at a time.
//   - Refused API tokens are counted apart, by address, and never lock a
//     password or a valid token: past MaxTokenFailures a refused token is
//     told to wait (429) instead of 401, so a client retrying a revoked
//     token backs off without shutting out its neighbours.
//
// The answers do not say which rule refused, and are the same for an
// account that exists and one that does not.
const (
	// ThrottleWindow is how far back failures count.
	ThrottleWindow = 15 * time.Minute
	// MaxPairFailures is how many failures one address makes on one
	// account in a window; the next attempt from there is refused.
	MaxPairFailures = 5
	// AccountFreeFailures is how many failures an account takes in a
	// window, over all addresses, before its attempts are delayed.
	AccountFreeFailures = 5
	// MaxAccountDelay caps the delay of a guessed account.
	MaxAccountDelay = time.Minute
	// MaxTokenFailures is how many refused API tokens one address sends in
	// a window before the next refused one answers 429.
	MaxTokenFailures = 20
	// AttemptTimeout is how long an attempt in progress holds its place;
	// one older was abandoned (a crashed instance) and no longer counts.
	AttemptTimeout = time.Minute
)

// Kinds of throttle rows.
const (
	ThrottlePassword = "password" // a failed password or second factor of (account, address)
	ThrottleToken    = "token"    // a refused API token from address
	ThrottlePending  = "pending"  // an attempt of (account, address) in progress
)

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

// Failures is what is stored about an attempt's account and pair inside
// the window.
type Failures struct {
	// Pair are the pair's newest failures, newest first, at most
	// MaxPairFailures of them.
	Pair []time.Time
	// PairPending is how many attempts of the pair are in progress.
	PairPending int
	// Account is how many failures the account has from all addresses,
	// AccountLast the newest.
	Account     int
	AccountLast time.Time
	// AccountPending is how many attempts of the account are in progress.
	AccountPending int
}

// AccountDelay is how long after its last failure an account with n
// failures in the window makes the next attempt wait.
func AccountDelay(n int) time.Duration {
	if n < AccountFreeFailures {
		return 0
	}
	d := time.Second << min(n-AccountFreeFailures, 10)
	return min(d, MaxAccountDelay)
}

// busyRetry is when to come back when only attempts in progress stand in
// the way: they end within a bcrypt comparison.
const busyRetry = time.Second

// Admit decides whether an attempt with f may run at now, and if not,
// when it may again.
func Admit(f Failures, now time.Time) (retryAt time.Time, ok bool) {
	later := func(t time.Time) {
		if t.After(retryAt) {
			retryAt = t.UTC()
		}
	}
	switch {
	case len(f.Pair) >= MaxPairFailures:
		later(f.Pair[MaxPairFailures-1].Add(ThrottleWindow))
	case len(f.Pair)+f.PairPending >= MaxPairFailures:
		later(now.Add(busyRetry))
	}
	if d := AccountDelay(f.Account); d > 0 {
		if until := f.AccountLast.Add(d); until.After(now) {
			later(until)
		} else if f.AccountPending > 0 {
			later(now.Add(busyRetry))
		}
	}
	return retryAt, retryAt.IsZero()
}

// TokenRetry decides whether a refused token from an address with n
// refused tokens in the window, the oldest of the newest MaxTokenFailures
// at nth, is told to wait until retryAt.
func TokenRetry(n int, nth time.Time) (retryAt time.Time, wait bool) {
	if n < MaxTokenFailures {
		return time.Time{}, false
	}
	return nth.Add(ThrottleWindow).UTC(), true
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
