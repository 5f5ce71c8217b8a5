package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"selfcheck/app/auth"
	"selfcheck/app/store/postgres"
	"selfcheck/app/twofactor"
)

// parseRequire2FA reads --require-2fa: roles separated by commas, each a
// known role; empty for none.
func parseRequire2FA(v string) ([]auth.Role, error) {
	var out []auth.Role
	for _, f := range strings.Split(v, ",") {
		r := auth.Role(strings.TrimSpace(f))
		if r == "" {
			continue
		}
		if !r.Valid() {
			return nil, fmt.Errorf("--require-2fa: unknown role %q: use firm_member, firm_admin, auditor or admin, separated by commas", r)
		}
		out = append(out, r)
	}
	return out, nil
}

// defaultTOTPKeyFile is where a SQLite installation keeps its key when
// --totp-key-file is not given: beside the database file, so one machine's
// deployment needs no setup, yet outside it, so that `selfcheck backup`
// (one file) and a stolen copy of the database hold no key. PostgreSQL
// has no default: its instances run on several machines, which must be
// given one key.
func defaultTOTPKeyFile(db string) string {
	if postgres.Is(db) {
		return ""
	}
	// A SQLite URI (file:/path/x.db?mode=ro) names the file without its
	// scheme and parameters: the key goes beside that file, not into a
	// directory called "file:" under the working directory.
	path, _, _ := strings.Cut(strings.TrimPrefix(db, "file:"), "?")
	return path + ".totp-key"
}

// loadTOTPKey reads the key that seals two-factor secrets. A named file
// must exist (several instances must share one key; creating one each
// would lock users out on the others); the default file of a SQLite
// database is created on first start, readable by its owner only. No
// file at all (PostgreSQL without the flag) is no key: nobody can turn
// two-factor sign-in on.
func loadTOTPKey(named, db string) (key []byte, path string, err error) {
	path = named
	if path == "" {
		if path = defaultTOTPKeyFile(db); path == "" {
			return nil, "", nil
		}
		if err := createKeyFile(path); err != nil {
			return nil, "", err
		}
	}
	text, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, fmt.Errorf("--totp-key-file %s does not exist: create it once with `head -c 32 /dev/urandom | base64 > %s` (mode 600) and give every instance the same file", path, path)
	}
	if err != nil {
		return nil, path, fmt.Errorf("--totp-key-file: %w", err)
	}
	key, err = twofactor.ParseKey(text)
	if err != nil {
		return nil, path, fmt.Errorf("--totp-key-file %s: %w", path, err)
	}
	return key, path, nil
}

// createKeyFile writes a new key at path unless a file is there. The key
// is written under another name and linked into place, so an instance
// starting at the same moment reads either no file or a whole one.
func createKeyFile(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("two-factor key: %w", err)
	}
	key, err := twofactor.NewKey()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".totp-key-*")
	if err != nil {
		return fmt.Errorf("two-factor key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(key + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("two-factor key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("two-factor key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("two-factor key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("two-factor key: %w", err)
	}
	return nil
}
