package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// auditDB makes a database whose audit log holds a few entries: the demo
// accounts created and some logins.
func auditDB(t *testing.T) string {
	t.Helper()
	db := testdb.URL(t, "audit.db")
	st := openTestStore(t, db)
	ctx := context.Background()
	if err := st.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{store.DemoPassword, "wrong", store.DemoPassword} {
		st.Authenticate(ctx, "firm@demo.local", pw)
	}
	st.Close()
	return db
}

// tamper runs raw SQL on the database, as someone with access to it could.
func tamper(t *testing.T, db, sql string) {
	t.Helper()
	g, err := store.DialectOf(db).Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := g.DB()
	defer sqlDB.Close()
	if err := g.Exec(sql).Error; err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerify(t *testing.T) {
	entries := len(store.DemoAccounts) + 3
	tests := []struct {
		name   string
		tamper string
		code   int
		stdout string
	}{
		{"untouched", "", 0, "audit log OK: " + strconv.Itoa(entries) + " entries\n"},
		{"detail altered", "UPDATE audit_events SET detail = 'nothing' WHERE seq = 2", 1, "audit log BROKEN at entry #2: entry #2 was altered"},
		{"middle entry removed", "DELETE FROM audit_events WHERE seq = 3", 1, "audit log BROKEN at entry #3: entry #3 is missing"},
		{"head row removed", "DELETE FROM audit_heads", 1, "audit log BROKEN: the log's head row"},
		{"last entry removed", "DELETE FROM audit_events WHERE seq = " + strconv.Itoa(entries), 1, "audit log BROKEN at entry #" + strconv.Itoa(entries) + ": entries #" + strconv.Itoa(entries)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := auditDB(t)
			if tt.tamper != "" {
				tamper(t, db, tt.tamper)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"audit", "verify", "--db", db}, &out, &errOut)
			if code != tt.code || !strings.HasPrefix(out.String(), tt.stdout) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out.String(), errOut.String(), tt.code, tt.stdout)
			}
		})
	}

	t.Run("database from SELFCHECK_DB", func(t *testing.T) {
		t.Setenv("SELFCHECK_DB", auditDB(t))
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"audit", "verify"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "audit log OK") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
		}
	})
	refused := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"audit"}, 2, "usage: selfcheck audit verify"},
		{"unknown subcommand", []string{"audit", "repair"}, 2, "usage: selfcheck audit verify"},
		{"extra argument", []string{"audit", "verify", "--db", "x.db", "more"}, 2, `unexpected argument "more"`},
		// A SQLite file on either engine's run: only a file can be missing.
		{"missing database is not created", []string{"audit", "verify", "--db", filepath.Join(t.TempDir(), "none.db")}, 1, "no database at"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code || out.Len() > 0 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out.String(), errOut.String(), tt.code, tt.want)
			}
		})
	}
}

// Issue 19, finding 7: audit verify works on a read-only copy of a
// database (a backup on read-only media, in a directory nobody may write)
// and changes nothing in it: the file is opened read-only (SQLite's
// mode=ro, which holds for root too), so even the journal mode is left
// as the copy has it.
func TestAuditVerifyReadOnlyCopy(t *testing.T) {
	db := auditDB(t)
	if !testdb.IsSQLite(db) {
		t.Skip("a read-only copy is a SQLite file; on PostgreSQL verify opens read-only sessions, which TestAuditVerify uses")
	}
	dir := filepath.Join(t.TempDir(), "copy")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(dir, "audit.db")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"backup", "--db", db, cp}, &out, &errOut); code != 0 {
		t.Fatalf("backup: exit %d %s", code, errOut.String())
	}
	before, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(cp, 0o444)
	os.Chmod(dir, 0o555)
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"audit", "verify", "--db", cp}, &out, &errOut)
	if code != 0 || !strings.HasPrefix(out.String(), "audit log OK: ") {
		t.Fatalf("audit verify on a read-only copy: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	after, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if !bytes.Equal(before, after) || len(entries) != 1 {
		t.Errorf("verifying changed the copy or left files beside it: same bytes %v, %d files", bytes.Equal(before, after), len(entries))
	}
}
