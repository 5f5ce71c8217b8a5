package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/auth"
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

// Login checks a password for email from ip, under login throttling (a
// throttled check still costs one bcrypt comparison, so its timing tells
// nothing), and starts a new session. prior, the session the browser
// held, ends: a token planted before login is worthless after. For an
// account with two-factor sign-in on it answers *SecondFactorNeeded
// instead, and CompleteLogin starts the session.
func (s *Service) Login(ctx context.Context, email, password, ip, prior string) (access.Principal, string, error) {
	attempt, retryAt, ok, err := s.Store.BeginLogin(ctx, email, ip, s.Now())
	if err != nil {
		return access.Principal{}, "", err
	}
	if !ok {
		auth.CheckPassword("", password)
		s.Log.Warn("login throttled", "ip", ip, "retry_at", retryAt)
		return access.Principal{}, "", &ThrottledError{RetryAt: retryAt}
	}
	u, err := s.Store.Authenticate(ctx, email, password)
	if err != nil {
		return access.Principal{}, "", err
	}
	// With two-factor sign-in on, the attempt stays counted as a failure
	// until the code is right: a thief with the password must not reset the
	// count before each round of guessing codes.
	if on, err := s.Store.HasSecondFactor(ctx, u.ID); err != nil {
		return access.Principal{}, "", err
	} else if on {
		return access.Principal{}, "", s.awaitSecondFactor(ctx, u)
	}
	if err := s.Store.LoginSucceeded(ctx, attempt); err != nil {
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

// TokenPrincipal is who an API token belongs to. A refused token counts
// as a failed login of the address ip, so guessing tokens is throttled
// like guessing passwords.
func (s *Service) TokenPrincipal(ctx context.Context, token, ip, lang string) (access.Principal, error) {
	now := s.Now()
	if retryAt, ok, err := s.Store.LoginAllowed(ctx, "", ip, now); err != nil {
		return access.Principal{}, err
	} else if !ok {
		return access.Principal{}, &ThrottledError{RetryAt: retryAt}
	}
	u, err := s.Store.TokenUser(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		s.Log.Warn("api token refused", "ip", ip)
		if err := s.Store.RecordLoginFailure(ctx, "", ip, now); err != nil {
			return access.Principal{}, err
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
	attempt, retryAt, ok, err := s.Store.BeginLogin(ctx, p.Email, ip, s.Now())
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &ThrottledError{RetryAt: retryAt}
	}
	if err := s.Store.ChangePassword(ctx, actor(p), current, next); err != nil {
		return "", err
	}
	if err := s.Store.LoginSucceeded(ctx, attempt); err != nil {
		return "", err
	}
	s.Log.Info("password changed", "user", p.ID)
	return s.Store.CreateSession(ctx, p.ID)
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
