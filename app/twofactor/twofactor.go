// Package twofactor holds the rules of the second sign-in factor: time-based
// one-time codes (RFC 6238) from an authenticator app, the one-time recovery
// codes that stand in for a lost app, and the sealing of the app's secret
// for storage. It knows no HTTP and no database: app/workflow decides when
// each rule applies and app/store keeps what they produce.
package twofactor

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// The parameters every authenticator app understands: SHA-1, six digits,
// thirty seconds. Several apps ignore any others they are told.
const (
	Period = 30
	Digits = 6
	// Skew is how many steps either side of now a code is accepted in: a
	// phone's clock a little off, a code typed as it turned over.
	Skew = 1
)

// Issuer names the application in the user's authenticator app.
const Issuer = "Selfcheck"

// ErrWrongCode refuses a code that matches no step in the window, or only
// one already used: the two are not told apart, so a replay teaches nothing.
var ErrWrongCode = errors.New("twofactor: wrong or used code")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret is a random 160-bit secret (RFC 4226's recommended length) in
// base32, as authenticator apps take it typed in.
func NewSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("twofactor: random secret: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// URL is the otpauth:// URI a QR code carries to an authenticator app: the
// secret of account, labelled with the issuer.
func URL(account, secret string) string {
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", Issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", strconv.Itoa(Digits))
	q.Set("period", strconv.Itoa(Period))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + Issuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}

// Step is the RFC 6238 time step of t.
func Step(t time.Time) int64 { return t.Unix() / Period }

// Code is the code of secret at step.
func Code(secret string, step int64) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// Match finds the step within Skew of now whose code is code, considering
// only steps after lastUsed: a code works once, and once a later one was
// used, an earlier one no longer does. The caller stores the step returned
// as the new lastUsed, atomically with checking that it still is later.
func Match(secret, code string, now time.Time, lastUsed int64) (int64, error) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != Digits {
		return 0, ErrWrongCode
	}
	cur := Step(now)
	for step := cur - Skew; step <= cur+Skew; step++ {
		if step <= lastUsed {
			continue
		}
		want, err := Code(secret, step)
		if err != nil {
			return 0, fmt.Errorf("twofactor: code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, nil
		}
	}
	return 0, ErrWrongCode
}

// RecoveryCodes is how many recovery codes an account gets.
const RecoveryCodes = 10

// recoveryAlphabet has no letters that read like digits or like each other
// (no 0/o, 1/l/i), for codes copied from paper.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// recoveryLen is a code's length without its dash: 10 characters of a
// 31-letter alphabet, about 49 bits, far beyond guessing under the login
// throttle.
const recoveryLen = 10

// NewRecoveryCodes makes RecoveryCodes random codes, written "xxxxx-xxxxx".
func NewRecoveryCodes() ([]string, error) {
	out := make([]string, RecoveryCodes)
	b := make([]byte, recoveryLen)
	for i := range out {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("twofactor: random recovery code: %w", err)
		}
		var s strings.Builder
		for j, c := range b {
			if j == recoveryLen/2 {
				s.WriteByte('-')
			}
			// 256 is not a multiple of 31: the first letters are a little
			// likelier, which costs well under a bit of the code's strength.
			s.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
		}
		out[i] = s.String()
	}
	return out, nil
}

// normalRecovery is a typed recovery code as it was issued: lower case,
// without dashes or spaces.
func normalRecovery(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// IsRecoveryCode reports whether code is shaped like a recovery code
// rather than an app's code.
func IsRecoveryCode(code string) bool { return len(normalRecovery(code)) == recoveryLen }

// HashRecoveryCode is what the database keeps of a recovery code. A fast
// hash is enough: the codes are random and long, unlike passwords.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("selfcheck-recovery\x00" + normalRecovery(code)))
	return hex.EncodeToString(sum[:])
}
