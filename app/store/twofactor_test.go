package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Of several requests spending one code (the same time step, or the same
// recovery code) at once, exactly one succeeds, whichever instance they
// reach: the check and the write are one conditional update.
func TestSecondFactorCodesSpentOnce(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	if err := s.StartSecondFactor(ctx, u, "v1:sealed"); err != nil {
		t.Fatal(err)
	}
	if err := s.UseSecondFactorStep(ctx, u, 5); !errors.Is(err, ErrCodeUsed) {
		t.Errorf("a step of an unconfirmed factor: %v", err)
	}
	if err := s.ConfirmSecondFactor(ctx, u, 100, []string{"h1", "h2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.StartSecondFactor(ctx, u, "v1:other"); !errors.Is(err, ErrSecondFactorOn) {
		t.Errorf("an enrolment over a confirmed one: %v", err)
	}
	race := func(use func() error) (won int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				err := use()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case !errors.Is(err, ErrCodeUsed):
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return won
	}
	if won := race(func() error { return s.UseSecondFactorStep(ctx, u, 101) }); won != 1 {
		t.Errorf("step 101 spent %d times", won)
	}
	if err := s.UseSecondFactorStep(ctx, u, 100); !errors.Is(err, ErrCodeUsed) {
		t.Errorf("an earlier step after a later one: %v", err)
	}
	if won := race(func() error { _, err := s.UseRecoveryCode(ctx, u, "h1"); return err }); won != 1 {
		t.Errorf("a recovery code spent %d times", won)
	}
	if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 1 {
		t.Errorf("%d recovery codes left, want 1", n)
	}
	if won := race(func() error { return s.DisableSecondFactor(ctx, u, 102) }); won != 1 {
		t.Errorf("turned off %d times", won)
	}
	if on, _ := s.HasSecondFactor(ctx, u.ID); on {
		t.Error("still on")
	}
}

// A challenge names its account until it expires, never after, and not
// once the account is disabled.
func TestLoginChallenges(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	now := time.Now()
	token, err := s.CreateLoginChallenge(ctx, u, now.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoginChallengeUser(ctx, token, now); err != nil || got.ID != u.ID {
		t.Fatalf("live challenge: %v %v", got, err)
	}
	if _, err := s.LoginChallengeUser(ctx, token, now.Add(6*time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired challenge: %v", err)
	}
	if _, err := s.LoginChallengeUser(ctx, "not-a-token", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	var stored int64
	s.db.Model(&loginChallenge{}).Where("token_hash = ?", token).Count(&stored)
	if stored != 0 {
		t.Error("the token itself must not be stored, only its hash")
	}
	if err := s.EndLoginChallenge(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoginChallengeUser(ctx, token, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("ended challenge: %v", err)
	}
	token, _ = s.CreateLoginChallenge(ctx, u, now.Add(5*time.Minute))
	if err := s.db.Model(&User{}).Where("id = ?", u.ID).Update("disabled_at", now.UTC()).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoginChallengeUser(ctx, token, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("challenge of a disabled account: %v", err)
	}
}
