// Package testdb gives each test a fresh, empty database of its own: a
// SQLite file in the test's temp dir, or, when SELFCHECK_TEST_DATABASE_URL
// names a PostgreSQL server (postgres://…), a database created on it for
// the test and dropped when the test ends. Every test that opens a
// database takes it from here, so the whole suite runs on either engine.
// Only tests import it.
package testdb

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the driver of the admin connection
)

// Env names the PostgreSQL server the tests run on, when set.
const Env = "SELFCHECK_TEST_DATABASE_URL"

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return os.Getenv(Env) != "" }

// URL is a fresh database for t (see the package comment); name is the
// SQLite file's name, which also tells a test's databases apart.
func URL(t testing.TB, name ...string) string {
	t.Helper()
	file := "test.db"
	if len(name) > 0 {
		file = name[0]
	}
	base := os.Getenv(Env)
	if base == "" {
		return filepath.Join(t.TempDir(), file)
	}
	u, err := url.Parse(base)
	if err != nil || !(u.Scheme == "postgres" || u.Scheme == "postgresql") {
		t.Fatalf("%s must be a postgres:// URL: %q", Env, base)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db, err := newName()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() { drop(base, db) })
	u.Path = "/" + db
	return u.String()
}

// copyMu serializes copies: CREATE DATABASE … TEMPLATE needs the template
// to itself, and copies made at once would only wait for each other.
var copyMu sync.Mutex

// Copy is a new database holding what the database from (a URL gives)
// holds, for t: a copy of the SQLite file and its write-ahead log in a
// temp dir of t's, or on PostgreSQL a database created from from as its
// template, dropped when t ends. Nothing may be connected to from: close
// every store on it first. It returns an error rather than failing t, so
// that goroutines of t may call it.
func Copy(t testing.TB, from string) (string, error) {
	if IsSQLite(from) {
		to := filepath.Join(t.TempDir(), filepath.Base(from))
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(from + suffix)
			if os.IsNotExist(err) && suffix != "" {
				continue
			}
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
				return "", err
			}
		}
		return to, nil
	}
	base := os.Getenv(Env)
	u, err := url.Parse(from)
	if err != nil || base == "" {
		return "", fmt.Errorf("testdb: copy %q: not a database of this run (%v)", from, err)
	}
	template := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	db, err := newName()
	if err != nil {
		return "", err
	}
	copyMu.Lock()
	defer copyMu.Unlock()
	// A store just closed may leave its server processes a moment to
	// exit; until then PostgreSQL says the template is in use (55006).
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		_, err = admin.Exec("CREATE DATABASE " + db + " TEMPLATE " + template)
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || pe.Code != "55006" || wait > 5*time.Second {
			break
		}
		time.Sleep(wait)
	}
	if err != nil {
		return "", fmt.Errorf("testdb: copy %s: %w", template, err)
	}
	t.Cleanup(func() { drop(base, db) })
	u.Path = "/" + db
	return u.String(), nil
}

// newName is a fresh database name.
func newName() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "selfcheck_test_" + hex.EncodeToString(b[:]), nil
}

// drop removes a test's database, ending any connection a test left open.
func drop(base, db string) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer admin.Close()
	admin.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)")
}

// IsSQLite reports whether url is a SQLite file path.
func IsSQLite(url string) bool { return !strings.Contains(url, "://") }
