package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"selfcheck/app/auth"
)

func TestParseRequire2FA(t *testing.T) {
	got, err := parseRequire2FA(" admin, auditor ,")
	if err != nil || len(got) != 2 || got[0] != auth.Admin || got[1] != auth.Auditor {
		t.Errorf("admin,auditor: %v %v", got, err)
	}
	if got, err := parseRequire2FA(""); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
	if _, err := parseRequire2FA("admin,root"); err == nil || !strings.Contains(err.Error(), `"root"`) {
		t.Errorf("unknown role: %v", err)
	}
}

// A SQLite database gets its key file beside it on first start, readable
// by its owner only, and the same key after; a named file must exist;
// PostgreSQL has no default.
func TestLoadTOTPKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "selfcheck.db")
	key, path, err := loadTOTPKey("", db)
	if err != nil || len(key) != 32 || path != db+".totp-key" {
		t.Fatalf("default: %d bytes at %s, %v", len(key), path, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v", fi.Mode(), err)
	}
	again, _, err := loadTOTPKey("", db)
	if err != nil || string(again) != string(key) {
		t.Error("the second start must read the same key")
	}
	if _, _, err := loadTOTPKey(filepath.Join(dir, "missing"), db); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a named file that is missing: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("short"), 0o600)
	if _, _, err := loadTOTPKey(bad, db); err == nil {
		t.Error("a malformed key must stop the start")
	}
	if key, _, err := loadTOTPKey("", "postgres://u@h/db"); err != nil || key != nil {
		t.Errorf("PostgreSQL without a file: %v %v", key, err)
	}
	if key, _, err := loadTOTPKey(path, "postgres://u@h/db"); err != nil || len(key) != 32 {
		t.Errorf("PostgreSQL with a file: %v", err)
	}
}

// --require-2fa without a key would leave those roles unable to sign in:
// serve refuses to start, before it opens the database.
func TestServeRefusesRequire2FAWithoutKey(t *testing.T) {
	err := serve(context.Background(), []string{"--db", "postgres://nobody@127.0.0.1:1/none", "--require-2fa", "admin,auditor", "--addr", "127.0.0.1:0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--require-2fa needs --totp-key-file") {
		t.Errorf("serve: %v", err)
	}
	if _, err := parseServe([]string{"--require-2fa", "boss"}, io.Discard); err == nil {
		t.Error("an unknown role must stop the start")
	}
}

// The key of a SQLite database lies beside its file, however the database
// is named; PostgreSQL has none by default.
func TestDefaultTOTPKeyFile(t *testing.T) {
	for _, tt := range []struct{ db, want string }{
		{"selfcheck.db", "selfcheck.db.totp-key"},
		{"/var/lib/selfcheck/selfcheck.db", "/var/lib/selfcheck/selfcheck.db.totp-key"},
		{"file:/tmp/x/ro.db?mode=ro", "/tmp/x/ro.db.totp-key"},
		{"file:data.db", "data.db.totp-key"},
		{"postgres://u@h/db?sslmode=disable", ""},
	} {
		if got := defaultTOTPKeyFile(tt.db); got != tt.want {
			t.Errorf("defaultTOTPKeyFile(%q) = %q, want %q", tt.db, got, tt.want)
		}
	}
}
