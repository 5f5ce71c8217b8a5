package store

import (
	"context"
	"net"
	"time"

	"gorm.io/gorm"
)

// Login throttling. Every failed password check, and every API token
// refused, is a row of login_failures under two keys: the account (the
// normalised email tried, whether or not such an account exists) and the
// client's address (an IPv6 address by its /64, which one client usually
// holds whole). A key with too many rows inside the window is locked until
// the oldest of those rows leaves it. The rows live in the database, so a
// lock holds across restarts and across instances sharing the database.
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
	throttleAccount = "account"
	throttleAddress = "address"
)

// loginFailure is one failed attempt under one key.
type loginFailure struct {
	ID      uint
	Kind    string
	Subject string
	At      time.Time
}

// throttleKey is one key an attempt counts under, with its limit.
type throttleKey struct {
	kind    string
	subject string
	limit   int
}

// throttleKeys are the keys of an attempt for email from ip. An empty email
// (an API token) or address has no key.
func throttleKeys(email, ip string) []throttleKey {
	var keys []throttleKey
	if e := NormalizeEmail(email); e != "" {
		keys = append(keys, throttleKey{throttleAccount, clipAudit(e, maxAuditActor), MaxAccountFailures})
	}
	if a := addressKey(ip); a != "" {
		keys = append(keys, throttleKey{throttleAddress, a, MaxAddressFailures})
	}
	return keys
}

// addressKey is what an address is throttled as: an IPv4 address itself,
// an IPv6 address its /64 network.
func addressKey(ip string) string {
	parsed := net.ParseIP(ip)
	switch {
	case parsed == nil:
		return clipAudit(ip, maxAuditIP)
	case parsed.To4() != nil:
		return parsed.To4().String()
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// LoginAttempt is a password check allowed by BeginLogin. It is counted as
// a failure from the start; LoginSucceeded takes that back.
type LoginAttempt struct {
	account   string // the account key, "" without one
	addressID uint   // the row counted against the address, 0 without one
}

// LoginAllowed reports whether a password check for email from ip may run
// at now, and if not, when it may again. It only reads: the API checks it on
// every request. An empty email checks the address alone.
func (s *Store) LoginAllowed(ctx context.Context, email, ip string, now time.Time) (retryAt time.Time, ok bool, err error) {
	return loginAllowed(s.db.WithContext(ctx), email, ip, now)
}

// RecordLoginFailure counts a failure for email (if any) and ip at now, and
// deletes the failures that have left the window.
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string, now time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := recordLoginFailure(tx, email, ip, now)
		return err
	})
}

// BeginLogin is LoginAllowed and, when allowed, RecordLoginFailure in one
// transaction: counting the attempt before the password is checked means
// parallel attempts cannot all pass the check before any is counted. A
// successful check must call LoginSucceeded; a failed one needs nothing more.
// The price: attempts still running count, so more simultaneous logins for
// one key than its limit (within a bcrypt's time) are refused even when
// their passwords are right.
func (s *Store) BeginLogin(ctx context.Context, email, ip string, now time.Time) (a LoginAttempt, retryAt time.Time, ok bool, err error) {
	// Look first without the write lock: under attack most attempts are
	// refused, and they need not queue behind the application's writes.
	if retryAt, ok, err = s.LoginAllowed(ctx, email, ip, now); err != nil || !ok {
		return a, retryAt, ok, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if retryAt, ok, err = loginAllowed(tx, email, ip, now); err != nil || !ok {
			return err
		}
		a, err = recordLoginFailure(tx, email, ip, now)
		return err
	})
	return a, retryAt, ok && err == nil, err
}

// LoginSucceeded clears the account's failures, all of them: whoever knows
// the password is no longer guessing it. Of the address's failures it
// removes only the attempt's own, so logging into one's own account does
// not reset the count of an address trying others.
func (s *Store) LoginSucceeded(ctx context.Context, a LoginAttempt) error {
	err := s.db.WithContext(ctx).
		Where("(kind = ? AND subject = ?) OR id = ?", throttleAccount, a.account, a.addressID).
		Delete(&loginFailure{}).Error
	return translate(err, "clear login failures")
}

func loginAllowed(db *gorm.DB, email, ip string, now time.Time) (retryAt time.Time, ok bool, err error) {
	for _, k := range throttleKeys(email, ip) {
		until, locked, err := lockedUntil(db, k, now)
		if err != nil {
			return time.Time{}, false, err
		}
		if locked && until.After(retryAt) {
			retryAt = until
		}
	}
	return retryAt, retryAt.IsZero(), nil
}

// lockedUntil finds the limit-th newest failure of k inside the window; if
// there is one, k is locked until it leaves the window. One range scan of
// the index on (kind, subject, at).
func lockedUntil(db *gorm.DB, k throttleKey, now time.Time) (time.Time, bool, error) {
	var at []time.Time
	err := db.Model(&loginFailure{}).
		Where("kind = ? AND subject = ? AND at > ?", k.kind, k.subject, now.Add(-ThrottleWindow).UTC()).
		Order("at DESC").Offset(k.limit-1).Limit(1).Pluck("at", &at).Error
	if err != nil {
		return time.Time{}, false, translate(err, "count login failures of %s", k.kind)
	}
	if len(at) == 0 {
		return time.Time{}, false, nil
	}
	return at[0].Add(ThrottleWindow).UTC(), true, nil
}

func recordLoginFailure(tx *gorm.DB, email, ip string, now time.Time) (LoginAttempt, error) {
	now = now.UTC()
	// Pruning is a range delete on the index of at; it keeps the table at
	// one window of failures, whatever the keys.
	if err := tx.Where("at <= ?", now.Add(-ThrottleWindow)).Delete(&loginFailure{}).Error; err != nil {
		return LoginAttempt{}, translate(err, "prune login failures")
	}
	var a LoginAttempt
	for _, k := range throttleKeys(email, ip) {
		f := loginFailure{Kind: k.kind, Subject: k.subject, At: now}
		if err := tx.Create(&f).Error; err != nil {
			return LoginAttempt{}, translate(err, "record login failure")
		}
		if k.kind == throttleAccount {
			a.account = k.subject
		} else {
			a.addressID = f.ID
		}
	}
	return a, nil
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
