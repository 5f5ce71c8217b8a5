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
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	db := "selfcheck_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() { drop(base, db) })
	u.Path = "/" + db
	return u.String()
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
