package twofactor

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 6238's test vectors, "12345678901234567890", in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// The RFC 6238 appendix B vectors (SHA-1), cut to six digits as RFC 4226
// truncation does.
func TestRFC6238Vectors(t *testing.T) {
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		got, err := Code(rfcSecret, Step(time.Unix(v.unix, 0)))
		if err != nil || got != v.want {
			t.Errorf("T=%d: %q %v, want %q", v.unix, got, err, v.want)
		}
	}
}

// A code is accepted one step either side of now, once, and never after a
// later one was used.
func TestMatch(t *testing.T) {
	now := time.Unix(1234567890, 0)
	cur := Step(now)
	code := func(step int64) string { c, _ := Code(rfcSecret, step); return c }
	for _, c := range []struct {
		name     string
		code     string
		lastUsed int64
		want     int64
	}{
		{"current", code(cur), 0, cur},
		{"with spaces", code(cur)[:3] + " " + code(cur)[3:], 0, cur},
		{"previous step", code(cur - 1), 0, cur - 1},
		{"next step", code(cur + 1), 0, cur + 1},
		{"too old", code(cur - 2), 0, 0},
		{"too new", code(cur + 2), 0, 0},
		{"replayed", code(cur), cur, 0},
		{"older than the last used", code(cur - 1), cur, 0},
		{"wrong", "000000", 0, 0},
		{"short", code(cur)[:5], 0, 0},
		{"letters", "abcdef", 0, 0},
	} {
		step, err := Match(rfcSecret, c.code, now, c.lastUsed)
		if c.want == 0 {
			if err != ErrWrongCode {
				t.Errorf("%s: step %d, err %v; want ErrWrongCode", c.name, step, err)
			}
			continue
		}
		if err != nil || step != c.want {
			t.Errorf("%s: step %d, err %v; want %d", c.name, step, err, c.want)
		}
	}
}

func TestURL(t *testing.T) {
	u := URL("张三@example.com", "ABC")
	for _, want := range []string{"otpauth://totp/Selfcheck:", "secret=ABC", "issuer=Selfcheck", "digits=6", "period=30"} {
		if !strings.Contains(u, want) {
			t.Errorf("%s lacks %s", u, want)
		}
	}
	s, err := NewSecret()
	if err != nil || len(s) != 32 {
		t.Fatalf("secret %q %v", s, err)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, err := NewRecoveryCodes()
	if err != nil || len(codes) != RecoveryCodes {
		t.Fatal(codes, err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || !IsRecoveryCode(c) || seen[HashRecoveryCode(c)] {
			t.Errorf("code %q", c)
		}
		seen[HashRecoveryCode(c)] = true
		if HashRecoveryCode(strings.ToUpper(strings.ReplaceAll(c, "-", " "))) != HashRecoveryCode(c) {
			t.Errorf("%q typed in capitals with a space must match", c)
		}
	}
	if IsRecoveryCode("123456") {
		t.Error("an app's code is not a recovery code")
	}
}

func TestSeal(t *testing.T) {
	k, _ := NewKey()
	key, err := ParseKey([]byte(k + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := NewSealer(key)
	sealed, err := s.Seal(7, rfcSecret)
	if err != nil || strings.Contains(sealed, rfcSecret) {
		t.Fatalf("sealed %q %v", sealed, err)
	}
	if got, err := s.Open(7, sealed); err != nil || got != rfcSecret {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.Open(8, sealed); err == nil {
		t.Error("a secret copied to another account must not open")
	}
	other, _ := NewSealer(bytes.Repeat([]byte{1}, KeySize))
	if _, err := other.Open(7, sealed); err == nil {
		t.Error("another key must not open it")
	}
	if _, err := ParseKey([]byte("c2hvcnQ=")); err == nil {
		t.Error("a short key must be refused")
	}
}
