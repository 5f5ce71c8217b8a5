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

// Issue 19, finding 4: serve refuses to start on a database it cannot
// write, saying so and naming the database, instead of starting and
// failing every login and save. Two read-only conditions: SQLite's
// mode=ro, which holds for root too, and a file and directory without
// write permission, which holds only for other users (root writes through
// permissions, so that case is checked first and reported when it cannot
// hold).
func TestServeRefusesAReadOnlyDatabase(t *testing.T) {
	db := testdb.URL(t, "ro.db")
	if !testdb.IsSQLite(db) {
		db = filepath.Join(t.TempDir(), "ro.db") // read-only is a file's condition here
	}
	_, _, stop := startServe(t, "--db", db) // creates and migrates it
	if code := stop(); code != 0 {
		t.Fatalf("first start: exit %d", code)
	}
	refuses := func(t *testing.T, target string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", target}, &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), "the database cannot be written, refusing to start") ||
			!strings.Contains(errOut.String(), db) || strings.Contains(out.String(), "is running at") {
			t.Errorf("serve on %s: exit %d\nstdout: %s\nstderr: %s", target, code, out.String(), errOut.String())
		}
	}
	t.Run("mode=ro", func(t *testing.T) { refuses(t, "file:"+db+"?mode=ro") })
	t.Run("no write permission", func(t *testing.T) {
		dir := filepath.Dir(db)
		for _, p := range []string{db, db + "-wal", db + "-shm"} {
			if err := os.Chmod(p, 0o444); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755); os.Chmod(db, 0o644) })
		if f, err := os.OpenFile(db, os.O_WRONLY, 0); err == nil {
			f.Close()
			t.Skipf("running as uid %d, which writes through file permissions: the mode=ro case stands for this one", os.Geteuid())
		}
		refuses(t, db)
	})
}
