package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

// A write outside a transaction waits at the gate like a transaction: while
// the gate is held, the write neither runs nor fails, and it runs as soon as
// the gate opens. Reads do not wait. Without the gate,
// such writes polled SQLite's lock from the busy handler and, under a load
// of gated transactions, failed with "database is locked".
func TestWritesOutsideTransactionsPassTheGate(t *testing.T) {
	ctx := context.Background()
	db, err := Dialect{}.Open(ctx, filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE cursors (name TEXT PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO cursors (name, n) VALUES ('a', 0)").Error; err != nil {
		t.Fatal(err)
	}
	// Hold the gate as a transaction would, without SQLite's own lock, so
	// that only the gate can hold the write back.
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	var gate chan struct{}
	if err := holder.Raw(func(dc any) error {
		gate = dc.(*gatedConn).gate
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	gate <- struct{}{}
	done := make(chan error, 1)
	go func() { done <- db.Exec("UPDATE cursors SET n = n + 10").Error }()
	var n int
	if err := db.Raw("SELECT n FROM cursors").Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("a read while the gate is held: %d %v, want 0 at once", n, err)
	}
	select {
	case err := <-done:
		t.Fatalf("the write ran while the gate was held: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	<-gate
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the write after the gate opened: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the write did not run after the gate opened")
	}
	if err := db.Raw("SELECT n FROM cursors").Scan(&n).Error; err != nil || n != 10 {
		t.Errorf("n = %d %v, want 10", n, err)
	}
	// The gate is free again: a transaction and a plain write both run.
	if err := db.Transaction(func(tx *gorm.DB) error { return tx.Exec("UPDATE cursors SET n = 0").Error }); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DELETE FROM cursors").Error; err != nil {
		t.Fatal(err)
	}
}

func TestIsWrite(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO t VALUES (1)":   true,
		"  update t SET n = 1":       true,
		"\n\tDELETE FROM t":          true,
		"REPLACE INTO t VALUES (1)":  true,
		"SELECT 1":                   false,
		"VACUUM INTO '/tmp/x.db'":    false,
		"PRAGMA wal_checkpoint":      false,
		"UPD":                        false,
		"(INSERT INTO t VALUES (1))": true,
	} {
		if got := isWrite(q); got != want {
			t.Errorf("isWrite(%q) = %v, want %v", q, got, want)
		}
	}
}
