package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"selfcheck/app/testdb"
)

// Issue 19, finding 5: every command but serve and restore refuses a
// database that does not exist, naming the path, and creates nothing (no
// directory, no file), where `firm create … --db /nonexistent/dir/x.db`
// used to create both and exit 0.
func TestCommandsRefuseAMissingDatabase(t *testing.T) {
	root := t.TempDir()
	db := filepath.Join(root, "nonexistent", "dir", "x.sqlite")
	for _, args := range [][]string{
		{"firm", "create", "--name", "甲公司", "--credit-code", goodCode(t, "91310115MA1K3YJ2X")},
		{"user", "create", "--email", "a@b.example", "--name", "A", "--role", "admin"},
		{"token", "create", "--email", "a@b.example"},
		{"audit", "verify"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(args, "--db", db), &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), "no database at "+db) {
			t.Errorf("%s: exit %d, stderr %q", strings.Join(args[:2], " "), code, errOut.String())
		}
	}
	if _, err := os.Stat(filepath.Join(root, "nonexistent")); !os.IsNotExist(err) {
		t.Errorf("a command created %s: %v", filepath.Join(root, "nonexistent"), err)
	}
}

// On PostgreSQL nothing is created either: a database that does not exist
// is an error that says it cannot be opened.
func TestCommandsRefuseAMissingPostgresDatabase(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("needs PostgreSQL: set " + testdb.Env)
	}
	base := testdb.URL(t)
	i := strings.LastIndex(base, "/")
	j := strings.Index(base[i:], "?")
	missing := base[:i] + "/selfcheck_no_such_db" + base[i+j:]
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"firm", "create", "--name", "甲公司", "--credit-code", goodCode(t, "91310115MA1K3YJ2X"), "--db", missing}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "selfcheck_no_such_db") || !strings.Contains(errOut.String(), "does not exist") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
