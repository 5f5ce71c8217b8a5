package store

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// openSQLite is the SQLite seam: the only place that knows SQLite-specific
// settings. Everything else speaks plain GORM, so a PostgreSQL dialector can
// take its place.
func openSQLite(path string) (*gorm.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create database directory: %w", err)
		}
	}
	q := url.Values{}
	// WAL lets readers run while one writer commits.
	q.Set("_journal_mode", "WAL")
	// FULL syncs the WAL on every commit: an acknowledged save survives a
	// power cut, not only a process crash.
	q.Set("_synchronous", "FULL")
	// Wait up to 5 s for the write lock instead of failing with "database is locked".
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	// Take the write lock when a transaction begins, so two transactions that
	// read then write cannot deadlock on the lock upgrade.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// One SQLite file allows one writer at a time; a few connections serve
	// concurrent readers without piling up waiting writers.
	sqlDB.SetMaxOpenConns(4)
	var mode string
	if err := db.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
		return nil, fmt.Errorf("store: read journal mode: %w", err)
	}
	if mode != "wal" {
		return nil, fmt.Errorf("store: journal mode is %q, want wal", mode)
	}
	return db, nil
}
