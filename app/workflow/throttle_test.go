package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/workflow"
)

// The functions a second factor calls (issue 19, items 2 and 8): a failure
// recorded outside a password attempt counts against the account and the
// address like a wrong password, and an attempt of any secret runs under
// the same rules.
func TestSecondFactorFailuresCountTowardTheThrottle(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f.Now = func() time.Time { return now }
	for range auth.MaxPairFailures {
		if err := f.RecordLoginFailure(ctx, "firm@demo.local", "203.0.113.4"); err != nil {
			t.Fatal(err)
		}
	}
	var te *workflow.ThrottledError
	if _, err := f.BeginAttempt(ctx, "firm@demo.local", "203.0.113.4"); !errors.As(err, &te) || !te.RetryAt.Equal(now.Add(auth.ThrottleWindow)) {
		t.Fatalf("after five failed codes the pair is not locked: %v", err)
	}
	now = now.Add(auth.AccountDelay(auth.MaxPairFailures))
	a, err := f.BeginAttempt(ctx, "firm@demo.local", "198.51.100.4")
	if err != nil {
		t.Fatalf("another address after the delay: %v", err)
	}
	if err := a.Fail(ctx); err != nil {
		t.Fatal(err)
	}
	// Six failures now: the next attempt waits two seconds after the last.
	if _, err := f.BeginAttempt(ctx, "firm@demo.local", "198.51.100.4"); !errors.As(err, &te) || !te.RetryAt.Equal(now.Add(2*time.Second)) {
		t.Fatalf("the account's delay does not grow: %v", err)
	}
	now = now.Add(2 * time.Second)
	if a, err = f.BeginAttempt(ctx, "firm@demo.local", "198.51.100.4"); err != nil {
		t.Fatal(err)
	}
	if err := a.Succeed(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.BeginAttempt(ctx, "firm@demo.local", "203.0.113.4"); !errors.As(err, &te) {
		t.Error("a success elsewhere lifted the guessing address's lock")
	}
}
