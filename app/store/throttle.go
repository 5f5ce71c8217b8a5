package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/auth"
)

// The queries of login throttling (auth/throttle.go holds the rules):
// every failure is a row of login_failures under each of its keys.

// loginFailure is one failed attempt under one key.
type loginFailure struct {
	ID      uint
	Kind    string
	Subject string
	At      time.Time
}

// throttleKeys are auth's keys of an attempt for email from ip, with
// subjects made storable the way the audit log stores them.
func throttleKeys(email, ip string) []auth.ThrottleKey {
	keys := auth.ThrottleKeys(NormalizeEmail(email), ip)
	for i, k := range keys {
		n := maxAuditActor
		if k.Kind == auth.ThrottleAddress {
			n = maxAuditIP
		}
		keys[i].Subject = clipAudit(k.Subject, n)
	}
	return keys
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
	return s.transact(ctx, func(tx *gorm.DB) error {
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
	err = s.transact(ctx, func(tx *gorm.DB) error {
		// Count, then add, with every other attempt on these keys waiting:
		// without the lock, parallel attempts on PostgreSQL (each instance
		// its own writer) would all count the same failures and all pass.
		if err := s.dialect.Lock(tx, throttleLockKeys(email, ip)...); err != nil {
			return err
		}
		if retryAt, ok, err = loginAllowed(tx, email, ip, now); err != nil || !ok {
			return err
		}
		a, err = recordLoginFailure(tx, email, ip, now)
		return err
	})
	return a, retryAt, ok && err == nil, err
}

// throttleLockKeys are the lock keys of an attempt: one per throttle key.
func throttleLockKeys(email, ip string) []string {
	var out []string
	for _, k := range throttleKeys(email, ip) {
		out = append(out, "throttle\x00"+k.Kind+"\x00"+k.Subject)
	}
	return out
}

// LoginSucceeded clears the account's failures, all of them: whoever knows
// the password is no longer guessing it. Of the address's failures it
// removes only the attempt's own, so logging into one's own account does
// not reset the count of an address trying others.
func (s *Store) LoginSucceeded(ctx context.Context, a LoginAttempt) error {
	err := s.db.WithContext(ctx).
		Where("(kind = ? AND subject = ?) OR id = ?", auth.ThrottleAccount, a.account, a.addressID).
		Delete(&loginFailure{}).Error
	return translate(err, "clear login failures")
}

func loginAllowed(db *gorm.DB, email, ip string, now time.Time) (retryAt time.Time, ok bool, err error) {
	return auth.LoginAllowed(throttleKeys(email, ip), now, func(k auth.ThrottleKey, since time.Time) (time.Time, bool, error) {
		return nthFailure(db, k, since)
	})
}

// nthFailure finds the k.Limit-th newest failure of k after since: one
// range scan of the index on (kind, subject, at).
func nthFailure(db *gorm.DB, k auth.ThrottleKey, since time.Time) (time.Time, bool, error) {
	var at []time.Time
	err := db.Model(&loginFailure{}).
		Where("kind = ? AND subject = ? AND at > ?", k.Kind, k.Subject, since).
		Order("at DESC").Offset(k.Limit-1).Limit(1).Pluck("at", &at).Error
	if err != nil {
		return time.Time{}, false, translate(err, "count login failures of %s", k.Kind)
	}
	if len(at) == 0 {
		return time.Time{}, false, nil
	}
	return at[0], true, nil
}

func recordLoginFailure(tx *gorm.DB, email, ip string, now time.Time) (LoginAttempt, error) {
	now = now.UTC()
	// Pruning is a range delete on the index of at; it keeps the table at
	// one window of failures, whatever the keys.
	if err := tx.Where("at <= ?", auth.ThrottleSince(now)).Delete(&loginFailure{}).Error; err != nil {
		return LoginAttempt{}, translate(err, "prune login failures")
	}
	var a LoginAttempt
	for _, k := range throttleKeys(email, ip) {
		f := loginFailure{Kind: k.Kind, Subject: k.Subject, At: now}
		if err := tx.Create(&f).Error; err != nil {
			return LoginAttempt{}, translate(err, "record login failure")
		}
		if k.Kind == auth.ThrottleAccount {
			a.account = k.Subject
		} else {
			a.addressID = f.ID
		}
	}
	return a, nil
}
