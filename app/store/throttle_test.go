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

// failLogins makes n failed attempts for email from ip, a second apart from at,
// each allowed; it returns the time after the last.
func failLogins(t *testing.T, s *Store, n int, email, ip string, at time.Time) time.Time {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, retryAt, ok, err := s.BeginLogin(context.Background(), email, ip, at); err != nil || !ok {
			t.Fatalf("attempt %d for %s from %s at %s refused until %s: %v", i+1, email, ip, at, retryAt, err)
		}
		at = at.Add(time.Second)
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

func TestThrottleLocksAnAccount(t *testing.T) {
	s, _ := newTestStore(t)
	// Five failures from five addresses: the account, not an address, locks.
	at := t0
	for i := 0; i < auth.MaxAccountFailures; i++ {
		at = failLogins(t, s, 1, "Firm@Demo.local ", fmt.Sprintf("203.0.113.%d", i+1), at)
	}
	_, retryAt, ok, err := s.BeginLogin(context.Background(), "firm@demo.local", "198.51.100.7", at)
	if err != nil || ok {
		t.Fatalf("sixth attempt: ok %v, err %v", ok, err)
	}
	if want := t0.Add(auth.ThrottleWindow); !retryAt.Equal(want) {
		t.Errorf("retry at %s, want %s (when the first failure leaves the window)", retryAt, want)
	}
	// A refused attempt is not counted: the lock does not grow.
	if r, _ := allowed(t, s, "firm@demo.local", "198.51.100.7", at.Add(time.Minute)); !r.Equal(retryAt) {
		t.Errorf("after a refused attempt the lock runs until %s, not %s", r, retryAt)
	}
	// Another account, from another address, is not affected.
	if _, ok := allowed(t, s, "auditor@demo.local", "198.51.100.8", at); !ok {
		t.Error("another account is locked too")
	}
	if _, ok := allowed(t, s, "firm@demo.local", "", retryAt.Add(-time.Nanosecond)); ok {
		t.Error("unlocked before the retry time")
	}
	if _, ok := allowed(t, s, "firm@demo.local", "", retryAt); !ok {
		t.Error("still locked at the retry time")
	}
}

func TestThrottleLocksAnAddress(t *testing.T) {
	s, _ := newTestStore(t)
	at := t0
	for i := 0; i < auth.MaxAddressFailures; i++ {
		at = failLogins(t, s, 1, fmt.Sprintf("guess%d@demo.local", i), "203.0.113.9", at)
	}
	retryAt, ok := allowed(t, s, "fresh@demo.local", "203.0.113.9", at)
	if ok || !retryAt.Equal(t0.Add(auth.ThrottleWindow)) {
		t.Errorf("the address tried %d accounts and is not locked: %v %s", auth.MaxAddressFailures, ok, retryAt)
	}
	if _, ok := allowed(t, s, "fresh@demo.local", "203.0.113.10", at); !ok {
		t.Error("another address is locked too")
	}
	// IPv6 clients are counted by /64: a client owns the whole network.
	at = failLogins(t, s, auth.MaxAddressFailures, "", "2001:db8:1:2::1", at)
	if _, ok := allowed(t, s, "", "2001:db8:1:2:ffff::9", at); ok {
		t.Error("another address of the same /64 is not locked")
	}
	if _, ok := allowed(t, s, "", "2001:db8:1:3::1", at); !ok {
		t.Error("another /64 is locked")
	}
}

// An address that is not one is throttled as it was given, clipped as the
// audit log clips it (auth's TestAddressKey covers the rest).
func TestThrottleKeysClipSubjects(t *testing.T) {
	for in, want := range map[string]string{
		"2001:DB8:1:2::1":        "2001:db8:1:2::/64",
		"not-an-address":         "not-an-address",
		strings.Repeat("x", 100): strings.Repeat("x", maxAuditIP-1) + "…",
	} {
		keys := throttleKeys("", in)
		if len(keys) != 1 || keys[0].Kind != auth.ThrottleAddress || keys[0].Subject != want {
			t.Errorf("throttleKeys(%q) = %+v, want the address %q", in, keys, want)
		}
	}
}

// A successful login clears the account's failures, but of the address's
// only its own attempt: logging into one's own account does not hide the
// address's guesses at others.
func TestLoginSucceededClearsTheAccount(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	ip := "203.0.113.20"
	at := failLogins(t, s, auth.MaxAccountFailures-1, "firm@demo.local", ip, t0)
	at = failLogins(t, s, 3, "other@demo.local", ip, at)
	a, _, ok, err := s.BeginLogin(ctx, "firm@demo.local", ip, at)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.LoginSucceeded(ctx, a); err != nil {
		t.Fatal(err)
	}
	count := func(kind, subject string) (n int64) {
		s.db.Model(&loginFailure{}).Where("kind = ? AND subject = ?", kind, subject).Count(&n)
		return n
	}
	if n := count(auth.ThrottleAccount, "firm@demo.local"); n != 0 {
		t.Errorf("the account keeps %d failures", n)
	}
	if n := count(auth.ThrottleAccount, "other@demo.local"); n != 3 {
		t.Errorf("another account has %d failures, want 3", n)
	}
	if n := count(auth.ThrottleAddress, ip); n != auth.MaxAccountFailures-1+3 {
		t.Errorf("the address has %d failures, want %d (the successful attempt's own removed)", n, auth.MaxAccountFailures-1+3)
	}
	// The account may fail its full allowance again.
	failLogins(t, s, auth.MaxAccountFailures, "firm@demo.local", "198.51.100.1", at)
}

// Parallel attempts cannot all pass the check before any is counted.
func TestThrottleHoldsUnderConcurrentAttempts(t *testing.T) {
	s, _ := newTestStore(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for i := 0; i < 3*auth.MaxAccountFailures; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, ok, err := s.BeginLogin(context.Background(), "firm@demo.local", fmt.Sprintf("203.0.113.%d", i+1), t0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if passed != auth.MaxAccountFailures {
		t.Errorf("%d parallel attempts passed, want %d", passed, auth.MaxAccountFailures)
	}
}

// Failures are rows in the database: a restarted server (a new Store on
// the same file) keeps the lock.
func TestThrottleSurvivesARestart(t *testing.T) {
	s, path := newTestStore(t)
	at := failLogins(t, s, auth.MaxAccountFailures, "firm@demo.local", "203.0.113.30", t0)
	s.Close()
	again, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, ok := allowed(t, again, "firm@demo.local", "198.51.100.1", at); ok {
		t.Error("the lock is gone after a restart")
	}
}

// Writing prunes what has left the window, and counting is a range scan of
// the index, not of the table.
func TestThrottlePrunesAndUsesTheIndex(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	failLogins(t, s, 3, "firm@demo.local", "203.0.113.40", t0)
	later := t0.Add(auth.ThrottleWindow + time.Minute)
	if err := s.RecordLoginFailure(ctx, "", "203.0.113.41", later); err != nil {
		t.Fatal(err)
	}
	var n int64
	s.db.Model(&loginFailure{}).Count(&n)
	if n != 1 {
		t.Errorf("%d rows after pruning, want 1", n)
	}
	count := "SELECT at FROM login_failures WHERE kind = ? AND subject = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET 4"
	prune := "DELETE FROM login_failures WHERE at <= ?"
	switch s.Engine() {
	case "postgres":
		// No Sort node: the index gives the order (pgPlan makes a sort
		// prohibitive, so one remains only when no index can avoid it).
		nodes := pgPlan(t, s.db, count, auth.ThrottleAccount, "firm@demo.local", t0)
		if !slices.ContainsFunc(nodes, func(n pgPlanNode) bool { return n.indexScan("idx_login_failure_key") }) ||
			slices.ContainsFunc(nodes, func(n pgPlanNode) bool { return n.NodeType == "Sort" }) {
			t.Errorf("counting does not use the index alone: %+v", nodes)
		}
		nodes = pgPlan(t, s.db, prune, t0)
		if !slices.ContainsFunc(nodes, func(n pgPlanNode) bool { return n.indexScan("idx_login_failure_at") }) {
			t.Errorf("pruning does not use the index: %+v", nodes)
		}
	default:
		var plan []struct{ Detail string }
		s.db.Raw("EXPLAIN QUERY PLAN "+count, auth.ThrottleAccount, "firm@demo.local", t0).Scan(&plan)
		if len(plan) != 1 || !strings.Contains(plan[0].Detail, "idx_login_failure_key") || strings.Contains(plan[0].Detail, "TEMP B-TREE") {
			t.Errorf("counting does not use the index alone: %+v", plan)
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
