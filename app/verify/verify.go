// Package verify derives the verification code an issued report carries,
// the public URL where anyone can check it, and the QR code pointing there.
// It is plain Go: the store records issued reports, the web layer shows the
// verification page, and the report draws the QR code's modules.
//
// A code is 20 characters of Crockford's base32 (digits and upper-case
// letters without I, L, O and U, so nothing reads as something else), the
// first 100 bits of SHA-256(contentHash + "|" + generation time). It is
// shown grouped for reading, ABCD-EFGH-JKMN-PQRS-TVWX; URLs and the database
// use the 20 characters alone.
package verify

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
)

// Length is the number of characters of a code, without separators.
const Length = 20

// group is how many characters Format puts between hyphens.
const group = 4

// alphabet is Crockford's base32 alphabet.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var crockford = base32.NewEncoding(alphabet).WithPadding(base32.NoPadding)

// Code is the verification code of a report whose canonical content has the
// SHA-256 contentHash (hex) and which was generated at generatedAt. The time
// counts in UTC to the microsecond, what every database keeps, so a code
// recomputed from stored values matches. Two reports of the same content
// generated at different times get different codes.
func Code(contentHash string, generatedAt time.Time) string {
	at := generatedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	sum := sha256.Sum256([]byte(contentHash + "|" + at))
	return crockford.EncodeToString(sum[:])[:Length]
}

// Valid reports whether code is a code in canonical form: exactly Length
// characters of the alphabet, upper case, no separators. Normalize turns
// what a person types into that form.
func Valid(code string) bool {
	if len(code) != Length {
		return false
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(alphabet, code[i]) < 0 {
			return false
		}
	}
	return true
}

// Normalize turns a code as a person may type or a link may carry it
// (lower case, grouped with hyphens or spaces, O for 0, I or L for 1, as
// Crockford's base32 allows) into canonical form. ok is false when the
// result is not a valid code.
func Normalize(s string) (code string, ok bool) {
	if len(s) > 2*Length { // a code with a separator between every character at most
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	code = b.String()
	if !Valid(code) {
		return "", false
	}
	return code, true
}

// Format groups a canonical code for reading: ABCD-EFGH-JKMN-PQRS-TVWX.
// Anything else is returned unchanged.
func Format(code string) string {
	if !Valid(code) {
		return code
	}
	parts := make([]string, 0, Length/group)
	for i := 0; i < Length; i += group {
		parts = append(parts, code[i:i+group])
	}
	return strings.Join(parts, "-")
}

// URL is the verification page of code under publicURL, the address the
// application is reached at (with or without a trailing slash, possibly
// with a path prefix): URL("https://x.example/sc/", c) is
// "https://x.example/sc/verify/" + c.
func URL(publicURL, code string) string {
	return strings.TrimRight(publicURL, "/") + "/verify/" + url.PathEscape(code)
}

// CheckPublicURL says what is wrong with a --public-url value, or nil: it
// must be an absolute http or https URL with a host, no user information,
// no query and no fragment, since verification URLs are built by appending
// to it.
func CheckPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("use an absolute http:// or https:// URL")
	case u.Host == "" || u.Opaque != "":
		return errors.New("the URL has no host")
	case u.User != nil:
		return errors.New("the URL must not carry a user name or password")
	case u.RawQuery != "" || u.ForceQuery:
		return errors.New("the URL must not have a query (?…)")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return errors.New("the URL must not have a fragment (#…)")
	}
	return nil
}

// QR encodes content (a verification URL) as a QR code with medium error
// correction (15 % of the symbol may be lost) and returns its modules:
// m[y][x] is true for a dark module. The quiet zone is NOT included: whoever
// draws the symbol leaves a light margin of 4 modules around it. The matrix
// is square, 17 + 4×version modules a side.
func QR(content string) ([][]bool, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("verify: QR code of %d bytes: %w", len(content), err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}
