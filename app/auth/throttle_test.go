package auth

import (
	"testing"
	"time"
)

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"::ffff:192.0.2.1":         "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:DB8:1:2::1":          "2001:db8:1:2::/64",
		"":                         "",
		"not-an-address":           "not-an-address",
		"fe80::1":                  "fe80::/64",
		"2001:db8:ffff:ffff:1::":   "2001:db8:ffff:ffff::/64",
		"2001:0db8:0000:0000::0:1": "2001:db8::/64",
	} {
		if got := AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A pair at its limit waits for its oldest failure to leave the window;
// an account past its free failures waits its delay after the last; only
// attempts in progress make a wait of a second.
func TestAdmit(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	five := []time.Time{ago(time.Minute), ago(2 * time.Minute), ago(3 * time.Minute), ago(4 * time.Minute), ago(10 * time.Minute)}
	for _, c := range []struct {
		name string
		f    Failures
		want time.Time
	}{
		{"nothing", Failures{}, time.Time{}},
		{"four of the pair", Failures{Pair: five[:4], Account: 4, AccountLast: ago(time.Minute)}, time.Time{}},
		{"five of the pair", Failures{Pair: five, Account: 5, AccountLast: ago(time.Minute)}, ago(10 * time.Minute).Add(ThrottleWindow)},
		{"four and one running", Failures{Pair: five[:4], PairPending: 1, Account: 4}, now.Add(time.Second)},
		{"account delayed", Failures{Account: 7, AccountLast: ago(time.Second)}, ago(time.Second).Add(4 * time.Second)},
		{"account delay over", Failures{Account: 7, AccountLast: ago(time.Minute)}, time.Time{}},
		{"delayed account, one running", Failures{Account: 7, AccountLast: ago(time.Minute), AccountPending: 1}, now.Add(time.Second)},
		{"undelayed account, many running", Failures{Account: 2, AccountPending: 9}, time.Time{}},
	} {
		retryAt, ok := Admit(c.f, now)
		if ok != c.want.IsZero() || !retryAt.Equal(c.want) {
			t.Errorf("%s: %v until %s, want %s", c.name, ok, retryAt, c.want)
		}
	}
}

// A session ends MaxSessionAge after login or IdleTimeout after its last
// use, whichever comes first.
func TestSessionExpiry(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewSession(start)
	if s.Expired(start.Add(IdleTimeout)) || !s.Expired(start.Add(IdleTimeout+time.Second)) {
		t.Error("idle timeout")
	}
	s.LastSeen = start.Add(MaxSessionAge - time.Hour)
	if s.Expired(start.Add(MaxSessionAge)) || !s.Expired(start.Add(MaxSessionAge+time.Second)) {
		t.Error("absolute expiry")
	}
	if s.NeedsTouch(s.LastSeen.Add(TouchEvery)) || !s.NeedsTouch(s.LastSeen.Add(TouchEvery+time.Second)) {
		t.Error("touch")
	}
}
