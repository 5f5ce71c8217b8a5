package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestCodeFormatAndDeterminism(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	h := hashOf("report")
	c := Code(h, at)
	if len(c) != Length || !Valid(c) {
		t.Fatalf("Code = %q: not %d characters of the alphabet", c, Length)
	}
	// The same content and moment give the same code, whatever the zone
	// and below the microsecond (what the database gives back).
	for _, same := range []time.Time{at.UTC(), at.Truncate(time.Microsecond), at.In(time.Local)} {
		if got := Code(h, same); got != c {
			t.Errorf("Code(%v) = %q, want %q", same, got, c)
		}
	}
	// Different content or a different moment give a different code.
	if Code(hashOf("other"), at) == c {
		t.Error("different content, same code")
	}
	if Code(h, at.Add(time.Microsecond)) == c {
		t.Error("different time, same code")
	}
	// Pinned, so the derivation cannot change unnoticed: codes already
	// printed on paper must keep verifying.
	if got, want := Code(strings.Repeat("0", 64), time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)), pinned; got != want {
		t.Errorf("pinned code = %q, want %q", got, want)
	}
}

// pinned is Code(64 zeros, 2026-01-02T03:04:05.000006Z), computed
// independently: SHA-256 of "000…000|2026-01-02T03:04:05.000006Z", base32
// (RFC 4648) mapped onto the Crockford alphabet, first 20 characters.
const pinned = "30WFRK2X1MMD39X2HFP9"

func TestValidAndNormalize(t *testing.T) {
	good := Code(hashOf("x"), time.Unix(0, 0))
	tests := []struct {
		in    string
		valid bool   // Valid(in)
		norm  string // Normalize(in); "" when not ok
	}{
		{good, true, good},
		{strings.ToLower(good), false, good},
		{Format(good), false, good},
		{strings.ReplaceAll(Format(good), "-", " "), false, good},
		{"0000-1111-2222-3333-4444", false, "00001111222233334444"},
		{"oooo-iiii-llll-3333-4444", false, "00001111111133334444"},
		{"", false, ""},
		{good[:Length-1], false, ""},
		{good + "A", false, ""},
		{"UUUUUUUUUUUUUUUUUUUU", false, ""}, // U is not in the alphabet
		{"ABCDEFGHJKMNPQRSTVW!", false, ""},
		{"ABCDEFGHJKMNPQRSTVW%", false, ""},
		{"ÄBCDEFGHJKMNPQRSTVWX", false, ""},
		{strings.Repeat("-", 100) + good, false, ""},
	}
	for _, tt := range tests {
		if got := Valid(tt.in); got != tt.valid {
			t.Errorf("Valid(%q) = %v, want %v", tt.in, got, tt.valid)
		}
		got, ok := Normalize(tt.in)
		if ok != (tt.norm != "") || got != tt.norm {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, ok, tt.norm)
		}
	}
}

func TestFormat(t *testing.T) {
	if got := Format("ABCDEFGHJKMNPQRSTVWX"); got != "ABCD-EFGH-JKMN-PQRS-TVWX" {
		t.Errorf("Format = %q", got)
	}
	if got := Format("nope"); got != "nope" {
		t.Errorf("Format of an invalid code = %q", got)
	}
}

func TestURL(t *testing.T) {
	const code = "ABCDEFGHJKMNPQRSTVWX"
	tests := []struct{ base, want string }{
		{"https://selfcheck.example", "https://selfcheck.example/verify/" + code},
		{"https://selfcheck.example/", "https://selfcheck.example/verify/" + code},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/verify/" + code},
		{"https://example.com/selfcheck", "https://example.com/selfcheck/verify/" + code},
		{"https://example.com/selfcheck/", "https://example.com/selfcheck/verify/" + code},
	}
	for _, tt := range tests {
		if got := URL(tt.base, code); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}

func TestCheckPublicURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "https://selfcheck.example/", "https://example.com/sc"} {
		if err := CheckPublicURL(ok); err != nil {
			t.Errorf("CheckPublicURL(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "selfcheck.example", "/verify", "ftp://x.example", "https://", "http:x.example",
		"https://x.example/?a=1", "https://x.example/?", "https://x.example/#top", "https://x.example/#", "https://u:p@x.example", "https://x.example/%zz"} {
		if err := CheckPublicURL(bad); err == nil {
			t.Errorf("CheckPublicURL(%q) accepted", bad)
		}
	}
}

func TestQR(t *testing.T) {
	a, err := QR(URL("https://selfcheck.example", Code(hashOf("a"), time.Unix(1, 0))))
	if err != nil {
		t.Fatal(err)
	}
	// A 54-character URL needs version 3 or 4 at medium correction: 29 or
	// 33 modules a side, without the quiet zone.
	n := len(a)
	if (n-17)%4 != 0 || n < 29 || n > 33 {
		t.Fatalf("%d modules a side: not a version 3 or 4 symbol", n)
	}
	for y, row := range a {
		if len(row) != n {
			t.Fatalf("row %d has %d modules, want %d", y, len(row), n)
		}
	}
	// The finder patterns sit in three corners, with no quiet zone before
	// them: a dark 7×7 ring around a light ring around a dark 3×3 core.
	for _, c := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				ring := max(abs(x-3), abs(y-3))
				if want := ring != 2; a[c[1]+y][c[0]+x] != want {
					t.Fatalf("finder at %v: module (%d,%d) = %v, want %v", c, x, y, !want, want)
				}
			}
		}
	}
	b, err := QR(URL("https://selfcheck.example", Code(hashOf("b"), time.Unix(1, 0))))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == n && equal(a, b) {
		t.Error("different content gives the same symbol")
	}
	if _, err := QR(strings.Repeat("x", 4000)); err == nil {
		t.Error("content too long for any QR code was accepted")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func equal(a, b [][]bool) bool {
	for y := range a {
		for x := range a[y] {
			if a[y][x] != b[y][x] {
				return false
			}
		}
	}
	return true
}
