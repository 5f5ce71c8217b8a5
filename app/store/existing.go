package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	"selfcheck/app/store/postgres"
	"selfcheck/app/store/sqlite"
)

// ErrNoDatabase is a SQLite file that does not exist where a command
// expects one (only serve and restore create a database).
var ErrNoDatabase = errors.New("no database")

// CheckExists reports ErrNoDatabase, naming the path, when target is a
// SQLite file that is not there: opening would create it, and its
// directories, so a mistyped --db would quietly give a new, empty
// database. A PostgreSQL database is never created by opening it, and one
// that cannot be reached fails to open; it is not checked here.
func CheckExists(target string) error {
	if postgres.Is(target) {
		return nil
	}
	path, _, err := sqlite.SplitURI(target)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w at %s: check --db (or SELFCHECK_DB); `selfcheck serve` creates a new database", ErrNoDatabase, path)
		}
		return fmt.Errorf("store: %s: %w", path, err)
	}
	return nil
}

// OpenExisting opens a database that must exist (CheckExists) and
// migrates it, as the account commands need.
func OpenExisting(ctx context.Context, target string, log *slog.Logger) (*Store, error) {
	if err := CheckExists(target); err != nil {
		return nil, err
	}
	return Open(ctx, target, log)
}

// OpenReadOnly opens an existing database for reading only, without
// migrating it or writing anything: a copy on read-only media or in a
// read-only directory can be inspected (audit verify). SQLite opens the
// file with mode=ro; PostgreSQL sessions are read-only
// (default_transaction_read_only). Its schema must be the one this build
// migrates to. Nothing but reads may be called on it.
func OpenReadOnly(ctx context.Context, target string, log *slog.Logger) (*Store, error) {
	if err := CheckExists(target); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := DialectOf(target)
	ro := target
	if postgres.Is(target) {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		ro = target + sep + "default_transaction_read_only=on"
	} else {
		path, opts, err := sqlite.SplitURI(target)
		if err != nil {
			return nil, err
		}
		opts.Set("mode", "ro")
		ro = "file:" + path + "?" + opts.Encode()
	}
	db, err := d.Open(ctx, ro)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: d, log: log, blobs: dbBlobs{db}, snapshots: &snapshotCache{}, frozen: &frozenCache{},
		afterCommit: &atomic.Pointer[func()]{}}
	var version int
	err = db.WithContext(ctx).Model(&schemaMigration{}).Select("COALESCE(MAX(version), 0)").Scan(&version).Error
	if want := migrations[len(migrations)-1].version; err == nil && version != want {
		err = fmt.Errorf("its schema is at version %d, this build's is %d: open it once with this build's serve (or restore it) first", version, want)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s read-only: %w", target, err)
	}
	return s, nil
}
