package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/store"
)

// ThrottledError refuses a password or token check while the account or
// the address is locked after too many failures; RetryAt is when it may
// be tried again.
type ThrottledError struct{ RetryAt time.Time }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("workflow: too many failures, retry at %s", e.RetryAt.UTC().Format(time.RFC3339))
}

// RetryAfter is the Retry-After of a refusal: whole seconds until RetryAt.
func (e *ThrottledError) RetryAfter(now time.Time) int {
	return auth.RetryAfterSeconds(e.RetryAt, now)
}

// ErrBadCredentials refuses a login: no such account, a disabled one or a
// wrong password, never told apart.
var ErrBadCredentials = auth.ErrBadCredentials

// ErrBadToken refuses an API token that names no live account.
var ErrBadToken = errors.New("workflow: the API token is not valid")

// Attempt is one check of a secret (a password, or a second factor) for
// an account from an address, admitted by the throttle (auth/throttle.go).
// It must end with Succeed, Fail or Abandon; only Fail counts against the
// account and address.
type Attempt struct {
	s *Service
	a store.LoginAttempt
}

// BeginAttempt admits a check of a secret for email from ip, or refuses it
// with a *ThrottledError saying when it may be tried again.
func (s *Service) BeginAttempt(ctx context.Context, email, ip string) (*Attempt, error) {
	a, retryAt, ok, err := s.Store.BeginLogin(ctx, email, ip, s.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		s.Log.Warn("login throttled", "ip", ip, "retry_at", retryAt)
		return nil, &ThrottledError{RetryAt: retryAt}
	}
	return &Attempt{s: s, a: a}, nil
}

// Succeed ends the attempt with the right secret: the address's failures
// on the account are forgiven.
func (a *Attempt) Succeed(ctx context.Context) error { return a.s.Store.LoginSucceeded(ctx, a.a) }

// Fail ends the attempt as a failure of the account from the address.
func (a *Attempt) Fail(ctx context.Context) error { return a.s.Store.LoginFailed(ctx, a.a, a.s.Now()) }

// Abandon ends an attempt that could not be decided (the store failed):
// nothing is counted.
func (a *Attempt) Abandon(ctx context.Context) error { return a.s.Store.LoginAbandoned(ctx, a.a) }

// RecordLoginFailure counts a failure of email from ip that happened
// outside an Attempt: a second factor refused after the right password.
func (s *Service) RecordLoginFailure(ctx context.Context, email, ip string) error {
	return s.Store.RecordLoginFailure(ctx, email, ip, s.Now())
}

// Login checks a password for email from ip, under login throttling (a
// throttled check still costs one bcrypt comparison, so its timing tells
// nothing), and starts a new session. prior, the session the browser
// held, ends: a token planted before login is worthless after. For an
// account with two-factor sign-in on it answers *SecondFactorNeeded
// instead, and CompleteLogin starts the session.
func (s *Service) Login(ctx context.Context, email, password, ip, prior string) (access.Principal, string, error) {
	attempt, err := s.BeginAttempt(ctx, email, ip)
	if err != nil {
		auth.CheckPassword("", password)
		return access.Principal{}, "", err
	}
	u, err := s.Store.Authenticate(ctx, email, password)
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		if ferr := attempt.Fail(ctx); ferr != nil {
			return access.Principal{}, "", ferr
		}
		return access.Principal{}, "", err
	case err != nil:
		_ = attempt.Abandon(ctx)
		return access.Principal{}, "", err
	}
	// With two-factor sign-in on, the right password neither counts nor
	// forgives: the code decides (underThrottle). A thief with the
	// password must not clear the failures of guessed codes by signing in
	// with it again.
	if on, err := s.Store.HasSecondFactor(ctx, u.ID); err != nil {
		_ = attempt.Abandon(ctx)
		return access.Principal{}, "", err
	} else if on {
		if err := attempt.Abandon(ctx); err != nil {
			return access.Principal{}, "", err
		}
		return access.Principal{}, "", s.awaitSecondFactor(ctx, u)
	}
	if err := attempt.Succeed(ctx); err != nil {
		return access.Principal{}, "", err
	}
	if prior != "" {
		_ = s.Store.DeleteSession(ctx, prior)
	}
	token, err := s.Store.CreateSession(ctx, u.ID)
	if err != nil {
		return access.Principal{}, "", err
	}
	s.Log.Info("login", "user", u.ID, "role", u.Role)
	return principalOf(u, ""), token, nil
}

// CSRFKey is the key anti-forgery tokens are made with, the same on every
// instance sharing the database (made once, by whichever asks first).
func (s *Service) CSRFKey(ctx context.Context) ([]byte, error) {
	return s.Store.ServerKey(ctx, "csrf")
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, token)
}

// SessionPrincipal is who holds a live session token, in lang; ErrNotFound
// when the session is unknown, expired or idle too long.
func (s *Service) SessionPrincipal(ctx context.Context, token, lang string) (access.Principal, error) {
	u, err := s.Store.SessionUser(ctx, token)
	if err != nil {
		return access.Principal{}, err
	}
	return principalOf(u, lang), nil
}

// MaxSessionAge is how long a session cookie may live.
const MaxSessionAge = auth.MaxSessionAge

// TokenPrincipal is who an API token belongs to. Refused tokens are
// counted by address, apart from passwords: a valid token is never
// throttled, and past auth.MaxTokenFailures a refused one is a
// *ThrottledError instead of ErrBadToken, so a client retrying a revoked
// token is told to back off.
func (s *Service) TokenPrincipal(ctx context.Context, token, ip, lang string) (access.Principal, error) {
	u, err := s.Store.TokenUser(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		s.Log.Warn("api token refused", "ip", ip)
		retryAt, wait, err := s.Store.TokenRefused(ctx, ip, s.Now())
		switch {
		case err != nil:
			return access.Principal{}, err
		case wait:
			return access.Principal{}, &ThrottledError{RetryAt: retryAt}
		}
		return access.Principal{}, ErrBadToken
	}
	if err != nil {
		return access.Principal{}, err
	}
	return principalOf(u, lang), nil
}

// ChangePassword sets p's password after checking the current one, under
// login throttling (a wrong current password counts as a failed login),
// ends every session of the account and starts a new one for the browser
// that made the change. A wrong current password is ErrWrongPassword.
func (s *Service) ChangePassword(ctx context.Context, p access.Principal, current, next, ip string) (string, error) {
	attempt, err := s.BeginAttempt(ctx, p.Email, ip)
	if err != nil {
		return "", err
	}
	err = s.Store.ChangePassword(ctx, actor(p), current, next)
	switch {
	case errors.Is(err, store.ErrWrongPassword):
		if ferr := attempt.Fail(ctx); ferr != nil {
			return "", ferr
		}
		return "", err
	case err != nil:
		_ = attempt.Abandon(ctx)
		return "", err
	}
	if err := attempt.Succeed(ctx); err != nil {
		return "", err
	}
	s.Log.Info("password changed", "user", p.ID)
	return s.Store.CreateSession(ctx, p.ID)
}

// LoginLock is a lock of the login throttle an admin sees.
type LoginLock = store.LoginLock

// The kinds of LoginLock.
const (
	LockPair    = store.LockPair
	LockAccount = store.LockAccount
	LockToken   = store.LockToken
)

// LoginLocks lists the throttle's locks in force (admins).
func (s *Service) LoginLocks(ctx context.Context, p access.Principal) ([]LoginLock, error) {
	if p.Role != auth.Admin {
		return nil, fault.Forbidden("login locks: %s", p.Role)
	}
	return s.Store.LoginLocks(ctx, s.Now())
}

// ClearLoginLock lifts a lock (admins): kind LockPair needs the account
// and the address, LockAccount the account (every address's failures on
// it go), LockToken the address. It is recorded in the audit log.
func (s *Service) ClearLoginLock(ctx context.Context, p access.Principal, kind, email, address string) (int64, error) {
	if p.Role != auth.Admin {
		return 0, fault.Forbidden("clear login lock: %s", p.Role)
	}
	n, err := s.Store.ClearLoginLock(ctx, actor(p), kind, email, address)
	if err == nil {
		s.Log.Info("login lock cleared", "kind", kind, "failures", n, "by", p.ID)
	}
	return n, err
}

// UnlockAccount lifts every lock on email's account, from the shell
// (`selfcheck user unlock`); the audit log records the system as actor.
func (s *Service) UnlockAccount(ctx context.Context, email string) (int64, error) {
	return s.Store.ClearLoginLock(ctx, nil, LockAccount, email, "")
}

// Tokens lists p's API tokens.
func (s *Service) Tokens(ctx context.Context, p access.Principal) ([]AccessToken, error) {
	return s.Store.Tokens(ctx, p.ID)
}

// CreateToken issues an API token for p; the token is shown once.
func (s *Service) CreateToken(ctx context.Context, p access.Principal, name string) (string, error) {
	return s.Store.CreateToken(ctx, p.ID, name)
}

// RevokeToken revokes one of p's tokens.
func (s *Service) RevokeToken(ctx context.Context, p access.Principal, tokenID uint) error {
	return s.Store.RevokeToken(ctx, p.ID, tokenID)
}
