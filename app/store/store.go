// Package store keeps Selfcheck's data. All GORM calls live here and in its
// subpackages (the SQLite dialect, the load seeder for tests and the
// benchmark); callers get our own types and errors. Queries that return a
// firm's data take the acting user, and the scoping rule lives in one place
// (scopeAssessments). What differs between database engines is behind
// Dialect (dialect.go).
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"gorm.io/gorm"

	"selfcheck/app/store/postgres"
	"selfcheck/app/store/sqlite"
)

// Errors callers map to user-facing answers.
var (
	ErrNotFound  = errors.New("store: not found")
	ErrDuplicate = errors.New("store: already exists")
)

// Store is the database.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	log     *slog.Logger
	blobs   Blobs

	snapshots *snapshotCache
	frozen    *frozenCache // what each assessment fixed when it started (frozen.go)
	commits   *committer   // runs autosaves in shared transactions: see groupcommit.go

	// afterCommit wakes the outbox dispatcher (outbox.go); a pointer, so
	// that a copy of the Store (tests trace one) shares it.
	afterCommit *atomic.Pointer[func()]
}

// Open opens (creating if needed) the SQLite database at path and migrates it.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	return OpenDialect(ctx, DialectOf(path), path, log)
}

// DialectOf is the engine target names: PostgreSQL for a postgres:// (or
// postgresql://) URL, otherwise SQLite, target being a file path.
func DialectOf(target string) Dialect {
	if postgres.Is(target) {
		return postgres.Dialect{URL: target}
	}
	return sqlite.Dialect{}
}

// Engine is the name of the engine the store runs on: sqlite or postgres.
func (s *Store) Engine() string { return s.dialect.Name() }

// OpenDialect opens the database target names on the engine d speaks and
// migrates it.
func OpenDialect(ctx context.Context, d Dialect, target string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := d.Open(ctx, target)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: d, log: log, blobs: dbBlobs{db}, snapshots: &snapshotCache{}, frozen: &frozenCache{},
		afterCommit: &atomic.Pointer[func()]{}}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.backfillResults(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := registerJobMarks(db); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: register callbacks: %w", err)
	}
	s.commits = newCommitter(db, func(tx *gorm.DB) error { return d.LockShared(tx, writeLock) }, d.Retryable, s.logWarn, s.logError, s.eventsCommitted)
	return s, nil
}

// Close lets the queued saves commit, then closes the database.
func (s *Store) Close() error {
	if s.commits != nil {
		s.commits.close()
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// logError logs through the store's logger, if it has one.
func (s *Store) logWarn(msg string, args ...any) {
	if s.log != nil {
		s.log.Warn(msg, args...)
	}
}

func (s *Store) logError(msg string, args ...any) {
	if s.log != nil {
		s.log.Error(msg, args...)
	}
}

// groupWrite runs fn, a save to items of the assessment id that locks their
// rows in item order, as one save of a group-commit batch (see
// groupcommit.go) and returns once it is committed, or failed alone.
func (s *Store) groupWrite(ctx context.Context, id uint, items []string, fn func(tx *gorm.DB) error) error {
	if s.commits == nil { // a Store not made by Open
		return s.change(ctx, fn)
	}
	key := saveKey{assessment: id}
	if len(items) > 0 {
		key.item = slices.Min(items)
	}
	return s.commits.do(ctx, key, fn)
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// translate maps GORM's errors to ours.
func translate(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("store: %s: %w", msg, ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("store: %s: %w", msg, ErrDuplicate)
	}
	return fmt.Errorf("store: %s: %w", msg, err)
}
