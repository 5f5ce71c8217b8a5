package auth

import "testing"

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("demo12345")
	if err != nil {
		t.Fatal(err)
	}
	if h == "demo12345" || !CheckPassword(h, "demo12345") {
		t.Fatal("hash must differ from the password and verify it")
	}
	for _, wrong := range []string{"demo1234", "Demo12345", ""} {
		if CheckPassword(h, wrong) {
			t.Errorf("CheckPassword accepted %q", wrong)
		}
	}
	if CheckPassword("", "demo12345") {
		t.Error("an unknown user must never log in")
	}
	if _, err := HashPassword("short"); err != ErrWeakPassword {
		t.Errorf("short password: err = %v", err)
	}
}

func TestTokens(t *testing.T) {
	a, _ := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens must be long and unique: %q %q", a, b)
	}
	if HashToken(a) == a || HashToken(a) != HashToken(a) {
		t.Error("HashToken must be a stable one-way function of the token")
	}
}
