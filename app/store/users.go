package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/uscc"
)

// NormalizeEmail is how emails are compared and stored.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateFirm adds a firm after validating its credit code.
func (s *Store) CreateFirm(ctx context.Context, name, creditCode string) (*Firm, error) {
	code := uscc.Normalize(creditCode)
	if err := uscc.Validate(code); err != nil {
		return nil, err
	}
	f := &Firm{Name: strings.TrimSpace(name), CreditCode: code, Profile: "[]"}
	err := s.db.WithContext(ctx).Create(f).Error
	return f, translate(err, "create firm %q", name)
}

// FirmByCreditCode finds a firm by its unified social credit code.
func (s *Store) FirmByCreditCode(ctx context.Context, code string) (*Firm, error) {
	var f Firm
	err := s.db.WithContext(ctx).Where("credit_code = ?", uscc.Normalize(code)).First(&f).Error
	return &f, translate(err, "firm %s", code)
}

// NewUser describes an account to create.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Role     auth.Role
	FirmID   *uint
}

// CreateUser adds an account with a bcrypt-hashed password.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	if !nu.Role.Valid() {
		return nil, fmt.Errorf("store: create user: unknown role %q", nu.Role)
	}
	if (nu.Role == auth.FirmMember) != (nu.FirmID != nil) {
		return nil, fmt.Errorf("store: create user: firm members, and only they, belong to a firm")
	}
	hash, err := auth.HashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: NormalizeEmail(nu.Email), Name: nu.Name, PasswordHash: hash, Role: nu.Role, FirmID: nu.FirmID}
	err = s.db.WithContext(ctx).Create(u).Error
	return u, translate(err, "create user %s", u.Email)
}

// Authenticate returns the user whose email and password match. Every
// failure is auth.ErrBadCredentials and costs one bcrypt comparison.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Preload("Firm").Where("email = ?", NormalizeEmail(email)).First(&u).Error
	if err != nil && !errors.Is(translate(err, ""), ErrNotFound) {
		return nil, translate(err, "find user")
	}
	if !auth.CheckPassword(u.PasswordHash, password) {
		return nil, auth.ErrBadCredentials
	}
	return &u, nil
}

// Session lifetimes: a session ends after IdleTimeout without use or
// MaxSessionAge after login, whichever comes first.
const (
	IdleTimeout   = 8 * time.Hour
	MaxSessionAge = 7 * 24 * time.Hour
	touchEvery    = time.Minute
)

// CreateSession starts a session and returns the token for the cookie.
func (s *Store) CreateSession(ctx context.Context, userID uint) (string, error) {
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	sess := Session{TokenHash: auth.HashToken(token), UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(MaxSessionAge)}
	if err := s.db.WithContext(ctx).Create(&sess).Error; err != nil {
		return "", translate(err, "create session")
	}
	return token, nil
}

// SessionUser returns the user of a live session and extends its idle
// deadline. Expired sessions are deleted and reported as ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, token string) (*User, error) {
	db := s.db.WithContext(ctx)
	var sess Session
	if err := db.Where("token_hash = ?", auth.HashToken(token)).First(&sess).Error; err != nil {
		return nil, translate(err, "session")
	}
	now := time.Now().UTC()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > IdleTimeout {
		db.Delete(&sess)
		return nil, fmt.Errorf("store: session expired: %w", ErrNotFound)
	}
	var u User
	if err := db.Preload("Firm").First(&u, sess.UserID).Error; err != nil {
		return nil, translate(err, "session user %d", sess.UserID)
	}
	// Writing on every request would serialise reads behind the write lock;
	// a minute's precision is plenty for an idle timeout of hours.
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := db.Model(&sess).Update("last_seen_at", now).Error; err != nil {
			return nil, translate(err, "touch session")
		}
	}
	return &u, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	err := s.db.WithContext(ctx).Where("token_hash = ?", auth.HashToken(token)).Delete(&Session{}).Error
	return translate(err, "delete session")
}
