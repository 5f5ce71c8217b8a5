// Package auth holds roles, password hashing, session tokens and the rules
// of sessions (their lifetimes) and of login throttling; the store keeps
// the rows these rules decide over.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a user may do.
type Role string

// The roles.
const (
	FirmMember Role = "firm_member"
	FirmAdmin  Role = "firm_admin" // a firm member who also manages the firm's team
	Auditor    Role = "auditor"
	Admin      Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.InFirm() || r == Auditor || r == Admin }

// InFirm reports whether the role belongs to a firm (member or firm admin).
func (r Role) InFirm() bool { return r == FirmMember || r == FirmAdmin }

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// ErrWeakPassword is returned for passwords shorter than MinPasswordLen.
var ErrWeakPassword = fmt.Errorf("auth: password shorter than %d characters", MinPasswordLen)

// HashPassword hashes a password with bcrypt at the default cost.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLen {
		return "", ErrWeakPassword
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the account does not exist, so a
// failed login takes as long for an unknown email as for a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("selfcheck-no-such-user"), bcrypt.DefaultCost)

// CheckPassword reports whether password matches hash. An empty hash (no
// such user) still costs one bcrypt comparison.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	return err == nil
}

// NewToken returns a random URL-safe token with 256 bits of entropy.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is what the database keeps of a session token, so a leaked
// database copy does not hand out live sessions.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RandomPassword returns a password for a generated account.
func RandomPassword() (string, error) {
	t, err := NewToken()
	if err != nil {
		return "", err
	}
	return t[:16], nil
}

// ErrBadCredentials is the one answer to a failed login, whatever the cause.
var ErrBadCredentials = errors.New("auth: wrong email or password")
