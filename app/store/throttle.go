package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/auth"
)

// The queries of login throttling (auth/throttle.go holds the rules):
// every failure, and every attempt in progress, is a row of
// login_failures: its kind, the account (subject) and the address.

// loginFailure is one failed attempt, refused token or attempt in progress.
type loginFailure struct {
	ID      uint
	Kind    string
	Subject string // the account; for a refused token, the address
	Address string
	At      time.Time
}

// AuditLoginUnlocked records an admin clearing a lock (throttle.go keeps it
// beside the locks rather than in the audit log's list of actions).
const AuditLoginUnlocked = "login_unlocked"

// pairKey is the throttled pair of an attempt for email from ip, made
// storable the way the audit log stores them.
func pairKey(email, ip string) (account, address string) {
	return clipAudit(NormalizeEmail(email), maxAuditActor), clipAudit(auth.AddressKey(ip), maxAuditIP)
}

// throttleLock is the lock every attempt of one account takes: its pair
// and its account-wide delay are read and decided under it.
func throttleLock(account string) string { return "throttle\x00" + account }

// LoginAttempt is a password check admitted by BeginLogin and in progress;
// it ends with LoginSucceeded, LoginFailed or LoginAbandoned.
type LoginAttempt struct {
	id               uint
	account, address string
}

// BeginLogin admits a password check for email from ip at now, or says
// when one may run again. An admitted attempt holds a place until it ends,
// so parallel attempts cannot all pass before any has failed; it is not a
// failure until LoginFailed says so.
func (s *Store) BeginLogin(ctx context.Context, email, ip string, now time.Time) (a LoginAttempt, retryAt time.Time, ok bool, err error) {
	account, address := pairKey(email, ip)
	// Look first without the write lock: under attack most attempts are
	// refused, and they need not queue behind the application's writes.
	if retryAt, ok, err = admit(s.db.WithContext(ctx), account, address, now); err != nil || !ok {
		return a, retryAt, ok, err
	}
	err = s.transact(ctx, func(tx *gorm.DB) error {
		// Read, then add, with every other attempt on this account waiting:
		// without the lock, parallel attempts on PostgreSQL (each instance
		// its own writer) would all read the same rows and all pass.
		if err := s.dialect.Lock(tx, throttleLock(account)); err != nil {
			return err
		}
		if retryAt, ok, err = admit(tx, account, address, now); err != nil || !ok {
			return err
		}
		row := loginFailure{Kind: auth.ThrottlePending, Subject: account, Address: address, At: now.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "begin login attempt")
		}
		a = LoginAttempt{id: row.ID, account: account, address: address}
		return nil
	})
	return a, retryAt, ok && err == nil, err
}

// LoginSucceeded ends a with the right password: its place and the
// pair's failures go. Other addresses' failures on the account stay, so a
// login by the owner does not reset the count of someone guessing.
func (s *Store) LoginSucceeded(ctx context.Context, a LoginAttempt) error {
	return translate(s.transact(ctx, func(tx *gorm.DB) error {
		return tx.Where("id = ? OR (kind = ? AND subject = ? AND address = ?)", a.id, auth.ThrottlePassword, a.account, a.address).
			Delete(&loginFailure{}).Error
	}), "clear login failures")
}

// LoginFailed ends a as a failure at now.
func (s *Store) LoginFailed(ctx context.Context, a LoginAttempt, now time.Time) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Delete(&loginFailure{}, a.id).Error; err != nil {
			return translate(err, "end login attempt")
		}
		return recordFailure(tx, auth.ThrottlePassword, a.account, a.address, now)
	})
}

// LoginAbandoned ends a without a verdict (the check itself failed): its
// place goes and nothing is counted.
func (s *Store) LoginAbandoned(ctx context.Context, a LoginAttempt) error {
	return translate(s.transact(ctx, func(tx *gorm.DB) error { return tx.Delete(&loginFailure{}, a.id).Error }), "abandon login attempt")
}

// LoginAllowed reports, without holding a place, whether a check of a
// secret of email from ip may run at now, and if not when it may again.
func (s *Store) LoginAllowed(ctx context.Context, email, ip string, now time.Time) (retryAt time.Time, ok bool, err error) {
	account, address := pairKey(email, ip)
	return admit(s.db.WithContext(ctx), account, address, now)
}

// RecordLoginFailure counts a failure of (email, ip) at now outside a
// password attempt: a second factor that failed after the right password.
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string, now time.Time) error {
	account, address := pairKey(email, ip)
	return s.transact(ctx, func(tx *gorm.DB) error {
		if err := s.dialect.Lock(tx, throttleLock(account)); err != nil {
			return err
		}
		return recordFailure(tx, auth.ThrottlePassword, account, address, now)
	})
}

// TokenRefused counts an API token refused from ip at now, unless the
// address has refused tokens enough already: then it says until when the
// client should wait, and adds nothing (the table stays bounded however
// hard a client retries).
func (s *Store) TokenRefused(ctx context.Context, ip string, now time.Time) (retryAt time.Time, wait bool, err error) {
	_, address := pairKey("", ip)
	err = s.transact(ctx, func(tx *gorm.DB) error {
		if err := s.dialect.Lock(tx, "throttle-token\x00"+address); err != nil {
			return err
		}
		at, err := newest(tx, auth.ThrottleToken, address, "", auth.ThrottleSince(now), auth.MaxTokenFailures)
		if err != nil {
			return err
		}
		if retryAt, wait = auth.TokenRetry(len(at), last(at)); wait {
			return nil
		}
		return recordFailure(tx, auth.ThrottleToken, address, address, now)
	})
	return retryAt, wait, err
}

func last(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[len(ts)-1]
}

// admit reads what auth.Admit decides on: each a range scan of the index
// on (kind, subject, address, at) or of its prefix.
func admit(db *gorm.DB, account, address string, now time.Time) (time.Time, bool, error) {
	var f auth.Failures
	since, busy := auth.ThrottleSince(now), now.Add(-auth.AttemptTimeout).UTC()
	var err error
	if f.Pair, err = newest(db, auth.ThrottlePassword, account, address, since, auth.MaxPairFailures); err != nil {
		return time.Time{}, false, err
	}
	var n int64
	if err := db.Model(&loginFailure{}).Where("kind = ? AND subject = ? AND address = ? AND at > ?",
		auth.ThrottlePending, account, address, busy).Count(&n).Error; err != nil {
		return time.Time{}, false, translate(err, "count login attempts")
	}
	f.PairPending = int(n)
	if err := db.Model(&loginFailure{}).Where("kind = ? AND subject = ? AND at > ?",
		auth.ThrottlePassword, account, since).Count(&n).Error; err != nil {
		return time.Time{}, false, translate(err, "count login failures")
	}
	f.Account = int(n)
	if f.Account >= auth.AccountFreeFailures {
		lastAt, err := newest(db, auth.ThrottlePassword, account, "", since, 1)
		if err != nil {
			return time.Time{}, false, err
		}
		f.AccountLast = last(lastAt)
		if err := db.Model(&loginFailure{}).Where("kind = ? AND subject = ? AND at > ?",
			auth.ThrottlePending, account, busy).Count(&n).Error; err != nil {
			return time.Time{}, false, translate(err, "count login attempts")
		}
		f.AccountPending = int(n)
	}
	retryAt, ok := auth.Admit(f, now)
	return retryAt, ok, nil
}

// newest is up to limit times of kind and subject (and address, unless
// "") after since, newest first.
func newest(db *gorm.DB, kind, subject, address string, since time.Time, limit int) ([]time.Time, error) {
	q := db.Model(&loginFailure{}).Where("kind = ? AND subject = ?", kind, subject)
	if address != "" {
		q = q.Where("address = ?", address)
	}
	var at []time.Time
	err := q.Where("at > ?", since).Order("at DESC").Limit(limit).Pluck("at", &at).Error
	return at, translate(err, "read login failures of %s", kind)
}

func recordFailure(tx *gorm.DB, kind, subject, address string, now time.Time) error {
	now = now.UTC()
	// Pruning is a range delete on the index of at; it keeps the table at
	// one window of rows, whatever the keys.
	if err := tx.Where("at <= ?", auth.ThrottleSince(now)).Delete(&loginFailure{}).Error; err != nil {
		return translate(err, "prune login failures")
	}
	f := loginFailure{Kind: kind, Subject: subject, Address: address, At: now}
	return translate(tx.Create(&f).Error, "record login failure")
}

// Kinds of locks an admin sees and clears.
const (
	LockPair    = "pair"    // an address locked out of an account
	LockAccount = "account" // an account whose attempts are delayed
	LockToken   = "token"   // an address whose refused tokens wait
)

// LoginLock is one lock in force at the time LoginLocks was asked.
type LoginLock struct {
	Kind     string
	Account  string // "" for LockToken
	Address  string // "" for LockAccount
	Failures int
	Until    time.Time // when it ends by itself
}

// LoginLocks lists the locks in force at now: pairs locked out, accounts
// delayed (until their delay ends) and addresses whose refused tokens wait.
func (s *Store) LoginLocks(ctx context.Context, now time.Time) ([]LoginLock, error) {
	db := s.db.WithContext(ctx)
	since := auth.ThrottleSince(now)
	type group struct {
		Subject, Address string
		N                int
	}
	var locks []LoginLock
	for _, q := range []struct {
		kind, rowKind string
		by            string
		min           int
	}{
		{LockPair, auth.ThrottlePassword, "subject, address", auth.MaxPairFailures},
		{LockAccount, auth.ThrottlePassword, "subject", auth.AccountFreeFailures},
		{LockToken, auth.ThrottleToken, "subject, address", auth.MaxTokenFailures},
	} {
		var groups []group
		sel := q.by + ", COUNT(*) AS n"
		if q.by == "subject" {
			sel = "subject, '' AS address, COUNT(*) AS n"
		}
		err := db.Model(&loginFailure{}).Select(sel).Where("kind = ? AND at > ?", q.rowKind, since).
			Group(q.by).Having("COUNT(*) >= ?", q.min).Order(q.by).Scan(&groups).Error
		if err != nil {
			return nil, translate(err, "list login locks")
		}
		for _, g := range groups {
			l := LoginLock{Kind: q.kind, Account: g.Subject, Address: g.Address, Failures: g.N}
			switch q.kind {
			case LockPair:
				at, err := newest(db, q.rowKind, g.Subject, g.Address, since, auth.MaxPairFailures)
				if err != nil {
					return nil, err
				}
				l.Until = last(at).Add(auth.ThrottleWindow)
			case LockAccount:
				at, err := newest(db, q.rowKind, g.Subject, "", since, 1)
				if err != nil {
					return nil, err
				}
				l.Until = last(at).Add(auth.AccountDelay(g.N))
			case LockToken:
				at, err := newest(db, q.rowKind, g.Subject, g.Address, since, auth.MaxTokenFailures)
				if err != nil {
					return nil, err
				}
				l.Account, l.Until = "", last(at).Add(auth.ThrottleWindow)
			}
			if l.Until.After(now) {
				l.Until = l.Until.UTC()
				locks = append(locks, l)
			}
		}
	}
	return locks, nil
}

// ClearLoginLock lifts a lock and records who did (actor nil: the shell):
// LockPair the failures of account from address, LockAccount every
// failure of account from anywhere, LockToken the refused tokens of
// address. It returns how many failures it removed; none is not an error,
// as a lock may have ended by itself meanwhile.
func (s *Store) ClearLoginLock(ctx context.Context, actor *User, kind, email, ip string) (int64, error) {
	account, address := clipAudit(NormalizeEmail(email), maxAuditActor), clipAudit(ip, maxAuditIP)
	var q func(tx *gorm.DB) *gorm.DB
	var object string
	switch kind {
	case LockPair:
		q = func(tx *gorm.DB) *gorm.DB {
			return tx.Where("kind = ? AND subject = ? AND address = ?", auth.ThrottlePassword, account, address)
		}
		object = "account:" + account
	case LockAccount:
		q = func(tx *gorm.DB) *gorm.DB {
			return tx.Where("kind = ? AND subject = ?", auth.ThrottlePassword, account)
		}
		object = "account:" + account
	case LockToken:
		q = func(tx *gorm.DB) *gorm.DB { return tx.Where("kind = ? AND subject = ?", auth.ThrottleToken, address) }
		object = "address:" + address
	default:
		return 0, fmt.Errorf("store: no lock of kind %q: %w", kind, ErrNotFound)
	}
	if (kind != LockToken && account == "") || (kind != LockAccount && address == "") {
		return 0, fmt.Errorf("store: clear %s lock: %w", kind, ErrNotFound)
	}
	var n int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := q(tx).Delete(&loginFailure{})
		if res.Error != nil {
			return translate(res.Error, "clear login lock")
		}
		n = res.RowsAffected
		detail := fmt.Sprintf("%s lock cleared, %d failures", kind, n)
		if kind == LockPair {
			detail = fmt.Sprintf("%s lock from %s cleared, %d failures", kind, address, n)
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditLoginUnlocked, object, detail))
	})
	return n, err
}
