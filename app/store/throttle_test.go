package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"selfcheck/app/auth"
)

// t0 is the moment the throttling tests start at; they move the clock by
// passing later times.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// failLogins makes n failed attempts for email from ip, gap apart from at,
// each admitted; it returns the time after the last.
func failLogins(t *testing.T, s *Store, n int, email, ip string, at time.Time, gap time.Duration) time.Time {
	t.Helper()
	for i := 0; i < n; i++ {
		a, retryAt, ok, err := s.BeginLogin(context.Background(), email, ip, at)
		if err != nil || !ok {
			t.Fatalf("attempt %d for %s from %s at %s refused until %s: %v", i+1, email, ip, at, retryAt, err)
		}
		if err := s.LoginFailed(context.Background(), a, at); err != nil {
			t.Fatal(err)
		}
		at = at.Add(gap)
	}
	return at
}

func allowed(t *testing.T, s *Store, email, ip string, at time.Time) (time.Time, bool) {
	t.Helper()
	retryAt, ok, err := s.LoginAllowed(context.Background(), email, ip, at)
	if err != nil {
		t.Fatal(err)
	}
	return retryAt, ok
}

// The attack of issue 19: five wrong passwords for an account from one
// address lock that address out of it, but the owner at another address
// waits a second at most, not the window.
func TestThrottleLocksThePairNotTheAccount(t *testing.T) {
	s, _ := newTestStore(t)
	at := failLogins(t, s, auth.MaxPairFailures, "Admin@Demo.local ", "203.0.113.1", t0, time.Second)
	last := at.Add(-time.Second)
	retryAt, ok := allowed(t, s, "admin@demo.local", "203.0.113.1", at)
	if ok || !retryAt.Equal(t0.Add(auth.ThrottleWindow)) {
		t.Errorf("the guessing address: allowed %v until %s, want locked until %s", ok, retryAt, t0.Add(auth.ThrottleWindow))
	}
	retryAt, ok = allowed(t, s, "admin@demo.local", "198.51.100.7", last)
	if ok || !retryAt.Equal(last.Add(auth.AccountDelay(auth.MaxPairFailures))) || auth.AccountDelay(auth.MaxPairFailures) > time.Second {
		t.Errorf("another address right after: allowed %v until %s, want a delay of a second", ok, retryAt)
	}
	if _, ok := allowed(t, s, "admin@demo.local", "198.51.100.7", last.Add(time.Second)); !ok {
		t.Error("another address is locked out of the account")
	}
	// A refused attempt is not counted: the lock does not grow.
	if _, _, ok, _ := s.BeginLogin(context.Background(), "admin@demo.local", "203.0.113.1", at); ok {
		t.Fatal("the locked pair was admitted")
	}
	if r, _ := allowed(t, s, "admin@demo.local", "203.0.113.1", at.Add(time.Minute)); !r.Equal(t0.Add(auth.ThrottleWindow)) {
		t.Errorf("after a refused attempt the lock runs until %s", r)
	}
	// Other accounts from the guessing address are not affected: everyone
	// behind one proxy does not share a lock.
	if _, ok := allowed(t, s, "auditor@demo.local", "203.0.113.1", at); !ok {
		t.Error("another account from the same address is locked too")
	}
	if _, ok := allowed(t, s, "admin@demo.local", "203.0.113.1", t0.Add(auth.ThrottleWindow)); !ok {
		t.Error("still locked when the first failure has left the window")
	}
}

// Guesses from many addresses slow the account down, a delay that doubles
// with each failure up to auth.MaxAccountDelay, and never more.
func TestThrottleDelaysAGuessedAccount(t *testing.T) {
	s, _ := newTestStore(t)
	at := t0
	for i := 0; i < 40; i++ {
		if i >= auth.AccountFreeFailures {
			if _, ok := allowed(t, s, "firm@demo.local", "198.51.100.200", at.Add(-time.Millisecond)); ok && auth.AccountDelay(i) > 0 {
				// the delay since the last failure has not passed
				t.Fatalf("failure %d: no delay", i+1)
			}
			at = at.Add(auth.AccountDelay(i))
		}
		at = failLogins(t, s, 1, "firm@demo.local", fmt.Sprintf("203.0.113.%d", i+1), at, 0)
	}
	want := map[int]time.Duration{4: 0, 5: time.Second, 6: 2 * time.Second, 8: 8 * time.Second, 40: auth.MaxAccountDelay, 1000: auth.MaxAccountDelay}
	for n, d := range want {
		if got := auth.AccountDelay(n); got != d {
			t.Errorf("AccountDelay(%d) = %s, want %s", n, got, d)
		}
	}
	retryAt, ok := allowed(t, s, "firm@demo.local", "198.51.100.1", at)
	if ok || retryAt.Sub(at) != auth.MaxAccountDelay {
		t.Errorf("after 40 failures from 40 addresses: %v, retry in %s, want %s", ok, retryAt.Sub(at), auth.MaxAccountDelay)
	}
	if _, ok := allowed(t, s, "firm@demo.local", "198.51.100.1", retryAt); !ok {
		t.Error("a new address is locked out after the delay")
	}
}

// An attempt in progress is not a failure: simultaneous correct logins
// pass, from one address for many accounts and for one account; only the
// pair's limit of attempts at once holds.
func TestAttemptsInProgressAreNotFailures(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	var running []LoginAttempt
	for i := 0; i < 30; i++ {
		a, _, ok, err := s.BeginLogin(ctx, fmt.Sprintf("user%d@demo.local", i), "203.0.113.50", t0)
		if err != nil || !ok {
			t.Fatalf("login %d of 30 at once from one address refused: %v", i+1, err)
		}
		running = append(running, a)
	}
	for i := 0; i < auth.MaxPairFailures; i++ {
		a, _, ok, err := s.BeginLogin(ctx, "firm@demo.local", "203.0.113.50", t0)
		if err != nil || !ok {
			t.Fatalf("login %d at once for one account refused: %v", i+1, err)
		}
		running = append(running, a)
	}
	if retryAt, ok := allowed(t, s, "firm@demo.local", "203.0.113.50", t0); ok || retryAt.Sub(t0) > time.Second {
		t.Errorf("more attempts at once than the pair's limit: allowed %v, retry in %s", ok, retryAt.Sub(t0))
	}
	for _, a := range running {
		if err := s.LoginSucceeded(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	s.db.Model(&loginFailure{}).Count(&n)
	if n != 0 {
		t.Errorf("%d rows after every attempt succeeded", n)
	}
	// An attempt abandoned by a crashed instance frees its place in time.
	for i := 0; i < auth.MaxPairFailures; i++ {
		s.BeginLogin(ctx, "firm@demo.local", "203.0.113.51", t0)
	}
	if _, ok := allowed(t, s, "firm@demo.local", "203.0.113.51", t0.Add(auth.AttemptTimeout)); !ok {
		t.Error("abandoned attempts hold their places for ever")
	}
}

// A success forgives the address's failures on the account, not other
// addresses': the owner logging in does not reset someone's guessing.
func TestLoginSucceededForgivesThePair(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	at := failLogins(t, s, auth.MaxPairFailures-1, "firm@demo.local", "203.0.113.20", t0, time.Second)
	at = failLogins(t, s, 3, "firm@demo.local", "198.51.100.20", at, time.Minute)
	a, _, ok, err := s.BeginLogin(ctx, "firm@demo.local", "203.0.113.20", at.Add(time.Minute))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.LoginSucceeded(ctx, a); err != nil {
		t.Fatal(err)
	}
	count := func(address string) (n int64) {
		s.db.Model(&loginFailure{}).Where("subject = ? AND address = ?", "firm@demo.local", address).Count(&n)
		return n
	}
	if n := count("203.0.113.20"); n != 0 {
		t.Errorf("the pair keeps %d failures", n)
	}
	if n := count("198.51.100.20"); n != 3 {
		t.Errorf("the other address has %d failures, want 3", n)
	}
}

// Refused API tokens are counted apart: they never lock a password, and
// past the limit a refused token waits while a valid one (checked first,
// in workflow) is never counted at all.
func TestRefusedTokensAreCountedApart(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	at := t0
	for i := 0; i < auth.MaxTokenFailures; i++ {
		if _, wait, err := s.TokenRefused(ctx, "203.0.113.7", at); err != nil || wait {
			t.Fatalf("refused token %d: wait %v, %v", i+1, wait, err)
		}
		at = at.Add(time.Second)
	}
	retryAt, wait, err := s.TokenRefused(ctx, "203.0.113.7", at)
	if err != nil || !wait || !retryAt.Equal(t0.Add(auth.ThrottleWindow)) {
		t.Errorf("past the limit: wait %v until %s, %v", wait, retryAt, err)
	}
	if _, ok := allowed(t, s, "firm@demo.local", "203.0.113.7", at); !ok {
		t.Error("refused tokens lock passwords from the address")
	}
	var n int64
	s.db.Model(&loginFailure{}).Count(&n)
	if n != auth.MaxTokenFailures {
		t.Errorf("%d rows: a waiting client still adds rows", n)
	}
}

// Parallel attempts cannot all pass before any has failed: a pair gets
// its limit, a delayed account one at a time.
func TestThrottleHoldsUnderConcurrentAttempts(t *testing.T) {
	s, _ := newTestStore(t)
	parallel := func(n int, ip func(i int) string, at time.Time) int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed := 0
		for i := 0; i < n; i++ {
			wg.Go(func() {
				_, _, ok, err := s.BeginLogin(context.Background(), "firm@demo.local", ip(i), at)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return passed
	}
	if n := parallel(3*auth.MaxPairFailures, func(int) string { return "203.0.113.1" }, t0); n != auth.MaxPairFailures {
		t.Errorf("%d parallel attempts of one pair passed, want %d", n, auth.MaxPairFailures)
	}
	at := failLogins(t, s, auth.AccountFreeFailures, "firm@demo.local", "203.0.113.2", t0.Add(2*auth.AttemptTimeout), 0)
	at = at.Add(auth.AccountDelay(auth.AccountFreeFailures))
	if n := parallel(10, func(i int) string { return fmt.Sprintf("198.51.100.%d", i+1) }, at); n != 1 {
		t.Errorf("%d parallel attempts on a delayed account passed, want 1", n)
	}
}

// An admin sees the locks in force and clears one; each clearing is in
// the audit log.
func TestLoginLocksListedAndCleared(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	at := failLogins(t, s, auth.MaxPairFailures, "firm@demo.local", "203.0.113.1", t0, time.Second)
	for i := 0; i < auth.MaxTokenFailures; i++ {
		s.TokenRefused(ctx, "203.0.113.9", at)
	}
	// Asked half a second after the last failure, inside its delay.
	locks, err := s.LoginLocks(ctx, at.Add(-time.Second/2))
	if err != nil {
		t.Fatal(err)
	}
	want := []LoginLock{
		{Kind: LockPair, Account: "firm@demo.local", Address: "203.0.113.1", Failures: 5, Until: t0.Add(auth.ThrottleWindow)},
		{Kind: LockAccount, Account: "firm@demo.local", Failures: 5, Until: at.Add(-time.Second + auth.AccountDelay(5))},
		{Kind: LockToken, Address: "203.0.113.9", Failures: auth.MaxTokenFailures, Until: at.Add(auth.ThrottleWindow)},
	}
	if !slices.EqualFunc(locks, want, func(a, b LoginLock) bool {
		return a.Kind == b.Kind && a.Account == b.Account && a.Address == b.Address && a.Failures == b.Failures && a.Until.Equal(b.Until)
	}) {
		t.Errorf("locks\n%+v\nwant\n%+v", locks, want)
	}
	admin, err := s.UserByEmail(ctx, "admin@demo.local")
	if err != nil {
		demoMember(t, s)
		admin, _ = s.UserByEmail(ctx, "admin@demo.local")
	}
	if n, err := s.ClearLoginLock(ctx, admin, LockPair, "Firm@demo.local", "203.0.113.1"); err != nil || n != 5 {
		t.Fatalf("clear: %d %v", n, err)
	}
	if _, ok := allowed(t, s, "firm@demo.local", "203.0.113.1", at); !ok {
		t.Error("the pair is still locked")
	}
	if n, err := s.ClearLoginLock(ctx, nil, LockToken, "", "203.0.113.9"); err != nil || n != int64(auth.MaxTokenFailures) {
		t.Fatalf("clear token lock: %d %v", n, err)
	}
	if locks, _ := s.LoginLocks(ctx, at); len(locks) != 0 {
		t.Errorf("locks left: %+v", locks)
	}
	var evs []AuditEvent
	s.db.Where("action = ?", AuditLoginUnlocked).Order("id").Find(&evs)
	if len(evs) != 2 || evs[0].Actor != "admin@demo.local" || evs[0].Object != "account:firm@demo.local" ||
		!strings.Contains(evs[0].Detail, "203.0.113.1") || evs[1].Object != "address:203.0.113.9" {
		t.Errorf("audit entries %+v", evs)
	}
	if _, err := s.ClearLoginLock(ctx, admin, "everything", "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown kind: %v", err)
	}
}

// Failures are rows in the database: a restarted server (a new Store on
// the same file) keeps the lock.
func TestThrottleSurvivesARestart(t *testing.T) {
	s, path := newTestStore(t)
	at := failLogins(t, s, auth.MaxPairFailures, "firm@demo.local", "203.0.113.30", t0, time.Second)
	s.Close()
	again, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, ok := allowed(t, again, "firm@demo.local", "203.0.113.30", at); ok {
		t.Error("the lock is gone after a restart")
	}
}

// Writing prunes what has left the window, and reading a pair's failures
// is a range scan of the index, not of the table.
func TestThrottlePrunesAndUsesTheIndex(t *testing.T) {
	s, _ := newTestStore(t)
	failLogins(t, s, 3, "firm@demo.local", "203.0.113.40", t0, time.Second)
	later := t0.Add(auth.ThrottleWindow + time.Minute)
	if err := s.RecordLoginFailure(context.Background(), "x@demo.local", "203.0.113.41", later); err != nil {
		t.Fatal(err)
	}
	var n int64
	s.db.Model(&loginFailure{}).Count(&n)
	if n != 1 {
		t.Errorf("%d rows after pruning, want 1", n)
	}
	pair := "SELECT at FROM login_failures WHERE kind = ? AND subject = ? AND address = ? AND at > ? ORDER BY at DESC LIMIT 5"
	prune := "DELETE FROM login_failures WHERE at <= ?"
	args := []any{auth.ThrottlePassword, "firm@demo.local", "203.0.113.40", t0}
	switch s.Engine() {
	case "postgres":
		nodes := pgPlan(t, s.db, pair, args...)
		if !slices.ContainsFunc(nodes, func(n pgPlanNode) bool { return n.indexScan("idx_login_failure_pair") }) ||
			slices.ContainsFunc(nodes, func(n pgPlanNode) bool { return n.NodeType == "Sort" }) {
			t.Errorf("reading a pair does not use the index alone: %+v", nodes)
		}
		nodes = pgPlan(t, s.db, prune, t0)
		if !slices.ContainsFunc(nodes, func(n pgPlanNode) bool { return n.indexScan("idx_login_failure_at") }) {
			t.Errorf("pruning does not use the index: %+v", nodes)
		}
	default:
		var plan []struct{ Detail string }
		s.db.Raw("EXPLAIN QUERY PLAN "+pair, args...).Scan(&plan)
		if len(plan) != 1 || !strings.Contains(plan[0].Detail, "idx_login_failure_pair") || strings.Contains(plan[0].Detail, "TEMP B-TREE") {
			t.Errorf("reading a pair does not use the index alone: %+v", plan)
		}
		s.db.Raw("EXPLAIN QUERY PLAN "+prune, t0).Scan(&plan)
		if len(plan) == 0 || !strings.Contains(plan[0].Detail, "idx_login_failure_at") {
			t.Errorf("pruning does not use the index: %+v", plan)
		}
	}
}

// The session tests beside the throttling ones move the clock, which the
// store's session check takes as an argument here.

// A session used every hour still ends auth.MaxSessionAge after login; one left
// alone ends after auth.IdleTimeout.
func TestSessionTimeouts(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	token, err := s.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC()
	at := start
	for at.Before(start.Add(auth.MaxSessionAge - time.Hour)) {
		at = at.Add(time.Hour)
		if _, err := s.sessionUser(ctx, token, at); err != nil {
			t.Fatalf("a session in use ended after %s: %v", at.Sub(start), err)
		}
	}
	if _, err := s.sessionUser(ctx, token, start.Add(auth.MaxSessionAge+time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session in use outlived the absolute limit: %v", err)
	}
	if n := sessionsOf(s, u.ID); n != 0 {
		t.Errorf("the expired session is still stored (%d)", n)
	}

	token, _ = s.CreateSession(ctx, u.ID)
	start = time.Now().UTC()
	if _, err := s.sessionUser(ctx, token, start.Add(auth.IdleTimeout-time.Minute)); err != nil {
		t.Errorf("ended before the idle limit: %v", err)
	}
	// That use moved the idle deadline: another auth.IdleTimeout from it is fine…
	if _, err := s.sessionUser(ctx, token, start.Add(2*auth.IdleTimeout-2*time.Minute)); err != nil {
		t.Errorf("the idle deadline did not move with use: %v", err)
	}
	// …but a silence longer than auth.IdleTimeout ends it.
	if _, err := s.sessionUser(ctx, token, start.Add(3*auth.IdleTimeout)); !errors.Is(err, ErrNotFound) {
		t.Errorf("an idle session lived on: %v", err)
	}
}

func sessionsOf(s *Store, userID uint) (n int64) {
	s.db.Model(&Session{}).Where("user_id = ?", userID).Count(&n)
	return n
}

func TestChangePassword(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	for i := 0; i < 3; i++ {
		if _, err := s.CreateSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	token, err := s.CreateToken(ctx, u.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	var before User
	s.db.First(&before, u.ID)

	if err := s.ChangePassword(ctx, u, "wrong-password", "new-password-1"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, u, DemoPassword, "short"); !errors.Is(err, ErrBadUser) {
		t.Fatalf("short new password: %v", err)
	}
	var after User
	s.db.First(&after, u.ID)
	if after.PasswordHash != before.PasswordHash || sessionsOf(s, u.ID) != 3 {
		t.Fatal("a refused change changed something")
	}

	if err := s.ChangePassword(ctx, u, DemoPassword, "new-password-1"); err != nil {
		t.Fatal(err)
	}
	if n := sessionsOf(s, u.ID); n != 0 {
		t.Errorf("%d sessions survive the change", n)
	}
	if _, err := s.Authenticate(ctx, u.Email, DemoPassword); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	if _, err := s.Authenticate(ctx, u.Email, "new-password-1"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	if _, err := s.TokenUser(ctx, token); err != nil {
		t.Errorf("the API token was revoked: %v", err)
	}
	// The same current password cannot change it twice.
	if err := s.ChangePassword(ctx, u, DemoPassword, "new-password-2"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("the old password changed it again: %v", err)
	}
	var ev AuditEvent
	if err := s.db.Where("action = ?", AuditPasswordChanged).First(&ev).Error; err != nil {
		t.Fatal(err)
	}
	if ev.Actor != u.Email || ev.Object != fmt.Sprintf("user:%d", u.ID) || ev.Detail != "3 sessions ended" {
		t.Errorf("audit entry %+v", ev)
	}
	if strings.Contains(ev.Detail, "new-password") {
		t.Error("the audit log holds the password")
	}
}
