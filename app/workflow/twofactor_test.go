package workflow_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/twofactor"
	"selfcheck/app/workflow"
)

// clock gives the flow a clock the test moves, on a step boundary.
func (f *flow) clock() *time.Time {
	now := time.Unix(twofactor.Step(time.Now())*twofactor.Period, 0)
	f.Service.Now = func() time.Time { return now }
	return &now
}

// enrol turns p's two-factor sign-in on and returns its secret and
// recovery codes.
func (f *flow) enrol(p access.Principal) (string, []string) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.StartTwoFactor(ctx, p); err != nil {
		f.t.Fatal(err)
	}
	st, err := f.TwoFactorStatus(ctx, p)
	if err != nil || st.Pending == nil || st.On {
		f.t.Fatalf("after start: %+v %v", st, err)
	}
	codes, err := f.ConfirmTwoFactor(ctx, p, code(st.Pending.Secret, f.Service.Now()))
	if err != nil || len(codes) != twofactor.RecoveryCodes {
		f.t.Fatalf("confirm: %v %v", codes, err)
	}
	return st.Pending.Secret, codes
}

func code(secret string, t time.Time) string {
	c, _ := twofactor.Code(secret, twofactor.Step(t))
	return c
}

// challenge signs in with the password and returns the challenge token.
func (f *flow) challenge(email string) string {
	f.t.Helper()
	_, _, err := f.Login(context.Background(), email, store.DemoPassword, "192.0.2.9", "")
	var need *workflow.SecondFactorNeeded
	if !errors.As(err, &need) {
		f.t.Fatalf("login %s: %v, want a code asked for", email, err)
	}
	return need.Challenge
}

func (f *flow) auditCount(action string) int64 {
	f.t.Helper()
	_, n, err := f.Store.AuditLog(context.Background(), workflow.ActorOf(f.who("admin@demo.local")), store.AuditFilter{Action: action})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestTwoFactorEnrolAndSignIn(t *testing.T) {
	f := newFlow(t)
	now := f.clock()
	ctx := context.Background()
	p := f.who("firm@demo.local")
	if _, err := f.ConfirmTwoFactor(ctx, p, "123456"); !errors.Is(err, workflow.ErrTwoFactorOff) {
		t.Fatalf("confirm before start: %v", err)
	}
	if err := f.StartTwoFactor(ctx, p); err != nil {
		t.Fatal(err)
	}
	st, _ := f.TwoFactorStatus(ctx, p)
	if _, err := f.ConfirmTwoFactor(ctx, p, code(st.Pending.Secret, now.Add(-time.Hour))); !errors.Is(err, workflow.ErrWrongCode) {
		t.Fatalf("an old code confirmed the enrolment: %v", err)
	}
	// Until confirmed, the password alone still signs in.
	if _, token, err := f.Login(ctx, p.Email, store.DemoPassword, "192.0.2.9", ""); err != nil || token == "" {
		t.Fatalf("login before confirmation: %v", err)
	}
	secret, recovery := f.enrol(p)
	if f.auditCount(store.Audit2FAEnabled) != 1 {
		t.Error("enabling must be in the audit log")
	}
	if err := f.StartTwoFactor(ctx, p); !errors.Is(err, workflow.ErrTwoFactorOn) {
		t.Errorf("a second enrolment over a confirmed one: %v", err)
	}
	if st, _ := f.TwoFactorStatus(ctx, p); !st.On || st.RecoveryLeft != 10 || st.Pending != nil {
		t.Errorf("status after confirmation: %+v", st)
	}

	// The code that confirmed the enrolment is spent: replaying it at
	// sign-in fails, and counts.
	ch := f.challenge(p.Email)
	if _, _, err := f.CompleteLogin(ctx, ch, code(secret, *now), "192.0.2.9", ""); !errors.Is(err, workflow.ErrWrongCode) {
		t.Fatalf("replayed code: %v", err)
	}
	*now = now.Add(twofactor.Period * time.Second)
	got, token, err := f.CompleteLogin(ctx, ch, code(secret, *now), "192.0.2.9", "")
	if err != nil || token == "" || got.ID != p.ID {
		t.Fatalf("sign-in with the next code: %v %v", got, err)
	}
	if _, err := f.SessionPrincipal(ctx, token, "zh"); err != nil {
		t.Fatalf("the session does not work: %v", err)
	}
	if _, _, err := f.CompleteLogin(ctx, ch, code(secret, *now), "192.0.2.9", ""); !errors.Is(err, workflow.ErrChallengeExpired) {
		t.Errorf("a finished challenge used again: %v", err)
	}
	// A code already used does not work in a new sign-in either.
	if _, _, err := f.CompleteLogin(ctx, f.challenge(p.Email), code(secret, *now), "192.0.2.9", ""); !errors.Is(err, workflow.ErrWrongCode) {
		t.Errorf("replayed in a new sign-in: %v", err)
	}

	// A recovery code works once, typed any way.
	if _, _, err := f.CompleteLogin(ctx, f.challenge(p.Email), "  "+recovery[3]+" ", "192.0.2.9", ""); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	if _, _, err := f.CompleteLogin(ctx, f.challenge(p.Email), recovery[3], "192.0.2.9", ""); !errors.Is(err, workflow.ErrWrongCode) {
		t.Errorf("a recovery code used twice: %v", err)
	}
	if st, _ := f.TwoFactorStatus(ctx, p); st.RecoveryLeft != 9 {
		t.Errorf("recovery codes left: %d", st.RecoveryLeft)
	}

	// A challenge expires.
	ch = f.challenge(p.Email)
	*now = now.Add(workflow.LoginChallengeAge + time.Second)
	if _, _, err := f.CompleteLogin(ctx, ch, code(secret, *now), "192.0.2.9", ""); !errors.Is(err, workflow.ErrChallengeExpired) {
		t.Errorf("an expired challenge: %v", err)
	}
	if n := f.auditCount(store.Audit2FAPassed); n != 2 {
		t.Errorf("%d sign-ins with a code in the audit log, want 2", n)
	}
	if n := f.auditCount(store.Audit2FAFailed); n != 3 {
		t.Errorf("%d refused codes in the audit log, want 3", n)
	}
}

// Wrong codes count toward the login throttle as failed passwords do, and
// the password step does not clear them: after the limit, even the right
// code is refused.
func TestTwoFactorWrongCodesThrottled(t *testing.T) {
	f := newFlow(t)
	now := f.clock()
	ctx := context.Background()
	p := f.who("firm@demo.local")
	secret, _ := f.enrol(p)
	*now = now.Add(time.Minute)
	ch := f.challenge(p.Email)
	tries := 0
	for ; tries < 10; tries++ {
		_, _, err := f.CompleteLogin(ctx, ch, "000000", "192.0.2.9", "")
		var te *workflow.ThrottledError
		if errors.As(err, &te) {
			break
		}
		if !errors.Is(err, workflow.ErrWrongCode) {
			t.Fatalf("try %d: %v", tries, err)
		}
	}
	if tries != auth.MaxPairFailures {
		t.Fatalf("%d wrong codes before the throttle, want %d", tries, auth.MaxPairFailures)
	}
	var te *workflow.ThrottledError
	if _, _, err := f.CompleteLogin(ctx, ch, code(secret, *now), "192.0.2.9", ""); !errors.As(err, &te) {
		t.Errorf("the right code while locked: %v", err)
	}
	if _, _, err := f.Login(ctx, p.Email, store.DemoPassword, "192.0.2.9", ""); !errors.As(err, &te) {
		t.Errorf("the password while locked: %v", err)
	}
}

func TestDisableTwoFactor(t *testing.T) {
	f := newFlow(t)
	now := f.clock()
	ctx := context.Background()
	p := f.who("firm@demo.local")
	secret, recovery := f.enrol(p)
	for _, c := range []struct {
		name, password, code string
		want                 error
	}{
		{"wrong password", "wrong-password", code(secret, now.Add(30*time.Second)), workflow.ErrWrongPassword},
		{"wrong code", store.DemoPassword, "000000", workflow.ErrWrongCode},
		{"the code already used", store.DemoPassword, code(secret, *now), workflow.ErrWrongCode},
		{"a recovery code", store.DemoPassword, recovery[0], workflow.ErrWrongCode},
	} {
		if err := f.DisableTwoFactor(ctx, p, c.password, c.code, "192.0.2.10"); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if st, _ := f.TwoFactorStatus(ctx, p); !st.On {
		t.Fatal("a refused attempt turned it off")
	}
	if err := f.DisableTwoFactor(ctx, p, store.DemoPassword, code(secret, now.Add(30*time.Second)), "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.TwoFactorStatus(ctx, p); st.On || st.RecoveryLeft != 0 {
		t.Errorf("after turning it off: %+v", st)
	}
	if _, token, err := f.Login(ctx, p.Email, store.DemoPassword, "192.0.2.11", ""); err != nil || token == "" {
		t.Errorf("the password alone signs in again: %v", err)
	}
	if f.auditCount(store.Audit2FADisabled) != 1 {
		t.Error("turning it off must be in the audit log")
	}
}

func TestTwoFactorRequired(t *testing.T) {
	f := newFlow(t)
	f.clock()
	ctx := context.Background()
	f.RequireTwoFactor = []auth.Role{auth.Admin, auth.Auditor}
	admin, member := f.who("admin@demo.local"), f.who("firm@demo.local")
	if need, err := f.TwoFactorSetupNeeded(ctx, admin); err != nil || !need {
		t.Errorf("admin without a second factor: %v %v", need, err)
	}
	if need, _ := f.TwoFactorSetupNeeded(ctx, member); need {
		t.Error("a member is not required to")
	}
	f.enrol(admin)
	if need, _ := f.TwoFactorSetupNeeded(ctx, admin); need {
		t.Error("admin with a second factor")
	}
}

// Without a key, nothing new is enrolled; recovery codes still sign in.
// Another key stops the start.
func TestTwoFactorWithoutKey(t *testing.T) {
	f := newFlow(t)
	f.clock()
	ctx := context.Background()
	if inUse, err := f.CheckTwoFactorKey(ctx); inUse || err != nil {
		t.Errorf("nobody enrolled: %v %v", inUse, err)
	}
	p := f.who("firm@demo.local")
	secret, recovery := f.enrol(p)
	if inUse, err := f.CheckTwoFactorKey(ctx); !inUse || err != nil {
		t.Errorf("the right key: %v %v", inUse, err)
	}
	f.Sealer, _ = twofactor.NewSealer(bytes.Repeat([]byte("x"), twofactor.KeySize))
	if _, err := f.CheckTwoFactorKey(ctx); err == nil {
		t.Error("another key must be refused at start")
	}
	f.Sealer = nil
	if inUse, err := f.CheckTwoFactorKey(ctx); !inUse || err != nil {
		t.Errorf("no key: %v %v", inUse, err)
	}
	if _, _, err := f.CompleteLogin(ctx, f.challenge(p.Email), code(secret, f.Service.Now().Add(30*time.Second)), "192.0.2.9", ""); !errors.Is(err, workflow.ErrTwoFactorUnavailable) {
		t.Errorf("an app code without the key: %v", err)
	}

	if _, _, err := f.CompleteLogin(ctx, f.challenge(p.Email), recovery[0], "192.0.2.9", ""); err != nil {
		t.Errorf("recovery code without the key: %v", err)
	}
	other := f.who("firmadmin@demo.local")
	if err := f.StartTwoFactor(ctx, other); !errors.Is(err, workflow.ErrTwoFactorUnavailable) {
		t.Errorf("enrolment without a key: %v", err)
	}
}
