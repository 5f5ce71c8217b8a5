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

// An attempt waits for the last of its locked keys; a key short of its
// limit is not locked.
func TestLoginAllowed(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	nth := map[string]time.Time{ThrottleAccount: now.Add(-10 * time.Minute), ThrottleAddress: now.Add(-5 * time.Minute)}
	lookup := func(locked ...string) NthFailure {
		return func(k ThrottleKey, since time.Time) (time.Time, bool, error) {
			if !since.Equal(now.Add(-ThrottleWindow)) {
				t.Errorf("since = %s", since)
			}
			for _, l := range locked {
				if l == k.Kind {
					return nth[l], true, nil
				}
			}
			return time.Time{}, false, nil
		}
	}
	keys := ThrottleKeys("a@example.com", "192.0.2.1")
	for _, c := range []struct {
		locked []string
		want   time.Time
	}{
		{nil, time.Time{}},
		{[]string{ThrottleAccount}, now.Add(5 * time.Minute)},
		{[]string{ThrottleAccount, ThrottleAddress}, now.Add(10 * time.Minute)},
	} {
		retryAt, ok, err := LoginAllowed(keys, now, lookup(c.locked...))
		if err != nil || ok != c.want.IsZero() || !retryAt.Equal(c.want) {
			t.Errorf("locked %v: %s %v %v, want %s", c.locked, retryAt, ok, err, c.want)
		}
	}
	if keys := ThrottleKeys("", ""); len(keys) != 0 {
		t.Errorf("no account and no address: keys %+v", keys)
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
