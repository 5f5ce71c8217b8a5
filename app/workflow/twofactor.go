package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/store"
	"selfcheck/app/twofactor"
)

// Two-factor sign-in. An account with an authenticator app confirmed signs
// in in two steps: Login checks the password and, instead of a session,
// answers *SecondFactorNeeded with a challenge token; CompleteLogin takes
// that token and a code and starts the session. The challenge lives in the
// database, so the code may reach any instance.

// LoginChallengeAge is how long a sign-in waits for its code after the
// password was right.
const LoginChallengeAge = 5 * time.Minute

// SecondFactorNeeded answers a right password of an account that signs in
// with a code: no session yet. Challenge is the token the browser keeps
// for the code step.
type SecondFactorNeeded struct{ Challenge string }

func (e *SecondFactorNeeded) Error() string { return "workflow: the sign-in needs a code" }

// Refusals of two-factor sign-in.
var (
	// ErrWrongCode refuses a code that is wrong, too old, or already used.
	ErrWrongCode = errors.New("workflow: wrong or used code")
	// ErrChallengeExpired refuses a code step without a live challenge: it
	// timed out, finished, or never began; the password is asked again.
	ErrChallengeExpired = errors.New("workflow: the sign-in timed out")
	// ErrTwoFactorUnavailable refuses an enrolment on a server without a
	// key to seal secrets with.
	ErrTwoFactorUnavailable = twofactor.ErrNoKey
	// ErrTwoFactorOn refuses an enrolment while one is confirmed.
	ErrTwoFactorOn = store.ErrSecondFactorOn
	// ErrTwoFactorOff refuses to confirm or turn off what is not there.
	ErrTwoFactorOff = errors.New("workflow: two-factor sign-in is not on")
)

// TwoFactor is the state of p's two-factor sign-in, for the page that
// manages it.
type TwoFactor struct {
	On           bool
	Required     bool // p's role must sign in with a code (serve --require-2fa)
	Available    bool // the server can keep new secrets
	RecoveryLeft int
	// Pending is an enrolment begun and not yet confirmed: the secret to
	// type into an app and its otpauth:// URI for the QR code.
	Pending *Enrollment
}

// Enrollment is an authenticator secret being set up.
type Enrollment struct {
	Secret string
	URL    string
}

// TwoFactorRequired reports whether accounts of p's role must sign in
// with a code.
func (s *Service) TwoFactorRequired(p access.Principal) bool {
	return slices.Contains(s.RequireTwoFactor, p.Role)
}

// TwoFactorSetupNeeded reports whether p must set up an authenticator
// before doing anything else: the role requires one and p has none.
func (s *Service) TwoFactorSetupNeeded(ctx context.Context, p access.Principal) (bool, error) {
	if p.ID == 0 || !s.TwoFactorRequired(p) {
		return false, nil
	}
	on, err := s.Store.HasSecondFactor(ctx, p.ID)
	return !on, err
}

// TwoFactorStatus is p's two-factor state.
func (s *Service) TwoFactorStatus(ctx context.Context, p access.Principal) (TwoFactor, error) {
	st := TwoFactor{Required: s.TwoFactorRequired(p), Available: s.Sealer != nil}
	f, err := s.Store.SecondFactorOf(ctx, p.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return st, nil
	case err != nil:
		return st, err
	case f.ConfirmedAt != nil:
		st.On = true
		st.RecoveryLeft, err = s.Store.RecoveryCodesLeft(ctx, p.ID)
		return st, err
	case s.Sealer != nil:
		secret, err := s.Sealer.Open(p.ID, f.Secret)
		if err != nil {
			// Sealed under another key: the enrolment is begun again.
			return st, nil
		}
		st.Pending = &Enrollment{Secret: secret, URL: twofactor.URL(p.Email, secret)}
	}
	return st, nil
}

// StartTwoFactor begins p's enrolment with a new secret, replacing one
// begun before; nothing changes at sign-in until ConfirmTwoFactor.
func (s *Service) StartTwoFactor(ctx context.Context, p access.Principal) error {
	if s.Sealer == nil {
		return ErrTwoFactorUnavailable
	}
	secret, err := twofactor.NewSecret()
	if err != nil {
		return err
	}
	sealed, err := s.Sealer.Seal(p.ID, secret)
	if err != nil {
		return err
	}
	return s.Store.StartSecondFactor(ctx, actor(p), sealed)
}

// ConfirmTwoFactor turns p's begun enrolment on when code is a current
// code of its secret, and returns the recovery codes: the only time they
// are seen, since the database keeps their hashes.
func (s *Service) ConfirmTwoFactor(ctx context.Context, p access.Principal, code string) ([]string, error) {
	f, err := s.Store.SecondFactorOf(ctx, p.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrTwoFactorOff
	case err != nil:
		return nil, err
	case f.ConfirmedAt != nil:
		return nil, ErrTwoFactorOn
	case s.Sealer == nil:
		return nil, ErrTwoFactorUnavailable
	}
	secret, err := s.Sealer.Open(p.ID, f.Secret)
	if err != nil {
		return nil, ErrTwoFactorOff
	}
	step, err := twofactor.Match(secret, code, s.Now(), f.LastStep)
	if err != nil {
		return nil, ErrWrongCode
	}
	codes, err := twofactor.NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = twofactor.HashRecoveryCode(c)
	}
	if err := s.Store.ConfirmSecondFactor(ctx, actor(p), step, hashes); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrTwoFactorOff
		}
		return nil, err
	}
	s.Log.Info("two-factor sign-in on", "user", p.ID)
	return codes, nil
}

// DisableTwoFactor turns p's two-factor sign-in off once both the password
// and a current code (not a recovery code: whoever turns it off should
// still hold the app) are shown. Both count as a sign-in under the login
// throttle: a stolen session must not become a way to guess either.
func (s *Service) DisableTwoFactor(ctx context.Context, p access.Principal, password, code, ip string) error {
	u := actor(p)
	return s.underThrottle(ctx, u.Email, ip, func() error {
		ok, err := s.Store.PasswordMatches(ctx, p.ID, password)
		if err != nil {
			return err
		}
		if !ok {
			return ErrWrongPassword
		}
		f, secret, err := s.confirmedSecret(ctx, p.ID)
		if err != nil {
			return err
		}
		step, err := twofactor.Match(secret, code, s.Now(), f.LastStep)
		if err == nil {
			err = s.Store.DisableSecondFactor(ctx, u, step)
		}
		if errors.Is(err, twofactor.ErrWrongCode) || errors.Is(err, store.ErrCodeUsed) {
			if err := s.Store.RecordSecondFactor(ctx, u, false, "turning two-factor sign-in off"); err != nil {
				return err
			}
			return ErrWrongCode
		}
		if err == nil {
			s.Log.Info("two-factor sign-in off", "user", p.ID)
		}
		return err
	})
}

// CompleteLogin is the second step of a sign-in: code (from the app, or a
// recovery code) for the account whose password opened challenge, under
// the login throttle. It starts a session and ends prior, the session the
// browser held. A wrong code is ErrWrongCode and counts as a failed login;
// a challenge that is gone is ErrChallengeExpired.
func (s *Service) CompleteLogin(ctx context.Context, challenge, code, ip, prior string) (access.Principal, string, error) {
	u, err := s.Store.LoginChallengeUser(ctx, challenge, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return access.Principal{}, "", ErrChallengeExpired
	}
	if err != nil {
		return access.Principal{}, "", err
	}
	var how string
	err = s.underThrottle(ctx, u.Email, ip, func() error {
		how, err = s.checkSecondFactor(ctx, u, code)
		if errors.Is(err, ErrWrongCode) {
			if err := s.Store.RecordSecondFactor(ctx, u, false, "sign-in"); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		return access.Principal{}, "", err
	}
	if err := s.Store.EndLoginChallenge(ctx, challenge); err != nil {
		return access.Principal{}, "", err
	}
	if prior != "" {
		_ = s.Store.DeleteSession(ctx, prior)
	}
	token, err := s.Store.CreateSession(ctx, u.ID)
	if err != nil {
		return access.Principal{}, "", err
	}
	if err := s.Store.RecordSecondFactor(ctx, u, true, how); err != nil {
		return access.Principal{}, "", err
	}
	s.Log.Info("login", "user", u.ID, "role", u.Role, "second_factor", how)
	return principalOf(u, ""), token, nil
}

// awaitSecondFactor answers a right password of an account that signs in
// with a code: a challenge instead of a session.
func (s *Service) awaitSecondFactor(ctx context.Context, u *store.User) error {
	token, err := s.Store.CreateLoginChallenge(ctx, u, s.Now().Add(LoginChallengeAge))
	if err != nil {
		return err
	}
	return &SecondFactorNeeded{Challenge: token}
}

// underThrottle runs check, a test of a second factor for email from ip,
// as a login attempt: refused while the account or address is locked,
// counted as a failure unless check succeeds. It is the one place two-factor
// sign-in meets the login throttle.
func (s *Service) underThrottle(ctx context.Context, email, ip string, check func() error) error {
	attempt, err := s.BeginAttempt(ctx, email, ip)
	if err != nil {
		return err
	}
	err = check()
	switch {
	case err == nil:
		return attempt.Succeed(ctx)
	case errors.Is(err, ErrWrongCode), errors.Is(err, ErrWrongPassword):
		if ferr := attempt.Fail(ctx); ferr != nil {
			return ferr
		}
		return err
	default:
		_ = attempt.Abandon(ctx)
		return err
	}
}

// checkSecondFactor accepts code for u, spending it, and says how it was
// given. Recovery codes need no key: they still work on a server that lost
// it.
func (s *Service) checkSecondFactor(ctx context.Context, u *store.User, code string) (string, error) {
	if twofactor.IsRecoveryCode(code) {
		left, err := s.Store.UseRecoveryCode(ctx, u, twofactor.HashRecoveryCode(code))
		if errors.Is(err, store.ErrCodeUsed) {
			return "", ErrWrongCode
		}
		return fmt.Sprintf("recovery code, %d left", left), err
	}
	f, secret, err := s.confirmedSecret(ctx, u.ID)
	if err != nil {
		return "", err
	}
	step, err := twofactor.Match(secret, code, s.Now(), f.LastStep)
	if err == nil {
		err = s.Store.UseSecondFactorStep(ctx, u, step)
	}
	if errors.Is(err, twofactor.ErrWrongCode) || errors.Is(err, store.ErrCodeUsed) {
		return "", ErrWrongCode
	}
	return "authenticator app", err
}

// confirmedSecret is userID's confirmed authenticator and its secret.
func (s *Service) confirmedSecret(ctx context.Context, userID uint) (*store.SecondFactor, string, error) {
	f, err := s.Store.SecondFactorOf(ctx, userID)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && f.ConfirmedAt == nil):
		return nil, "", ErrTwoFactorOff
	case err != nil:
		return nil, "", err
	case s.Sealer == nil:
		return nil, "", fmt.Errorf("workflow: user %d has two-factor sign-in on, and the server has no key to open its secret: %w", userID, ErrTwoFactorUnavailable)
	}
	secret, err := s.Sealer.Open(userID, f.Secret)
	if err != nil {
		return nil, "", fmt.Errorf("workflow: the secret of user %d: %w", userID, err)
	}
	return f, secret, nil
}

// CheckTwoFactorKey makes sure, at start, that the server's key opens the
// secrets already stored: with another key every app code would be
// refused as wrong, and the users locked out by the throttle, with nothing
// to say why. Without a key it only reports whether anyone depends on one.
func (s *Service) CheckTwoFactorKey(ctx context.Context) (inUse bool, err error) {
	f, err := s.Store.AnySecondFactor(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if s.Sealer == nil {
		return true, nil
	}
	if _, err := s.Sealer.Open(f.UserID, f.Secret); err != nil {
		return true, fmt.Errorf("the two-factor key does not open the secrets stored in the database (another key file?): %w", err)
	}
	return true, nil
}
