// Package postgres is the PostgreSQL side of the store's dialect seam
// (store.Dialect), for deployments with several instances on one
// database: the pgx driver and its pool, advisory locks for the store's
// read-then-write paths and for migrations, the errors worth retrying
// (deadlocks, serialization failures), bulk loads without synchronous
// commit, and backups by pg_dump.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect is PostgreSQL. Its methods are the store.Dialect interface. URL
// is the database's, for the tools that connect on their own (pg_dump).
type Dialect struct{ URL string }

// Is reports whether target names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a SQLite file.
func Is(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// Name is the engine's name.
func (Dialect) Name() string { return "postgres" }

// MaxOpenConns bounds one instance's connections. Autosaves reach the
// database through one committer per instance (the store's group commit)
// and pages read beside it; several instances share the server's
// max_connections (100 by default), so each keeps well below it.
const MaxOpenConns = 16

// Open connects to the database the URL names. The server must be
// PostgreSQL 15 or later.
func (Dialect) Open(ctx context.Context, target string) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(target), &gorm.Config{Logger: logger.Discard, TranslateError: true})
	if err != nil {
		return nil, fmt.Errorf("store: open PostgreSQL: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(MaxOpenConns)
	sqlDB.SetMaxIdleConns(MaxOpenConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	var version int
	if err := db.WithContext(ctx).Raw("SELECT current_setting('server_version_num')::int").Scan(&version).Error; err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open PostgreSQL: %w", err)
	}
	if version < 150000 {
		sqlDB.Close()
		return nil, fmt.Errorf("store: PostgreSQL %d.%d is too old: 15 or later is needed", version/10000, version%10000)
	}
	return db, nil
}

// Lock takes transaction-scoped advisory locks on keys, in a fixed order
// so that two transactions locking overlapping keys cannot deadlock. They
// are released when tx ends. A read-then-write that must not interleave
// with another instance's (counting login failures before adding one)
// locks its keys first.
func (Dialect) Lock(tx *gorm.DB, keys ...string) error {
	return advisoryLocks(tx, "pg_advisory_xact_lock", keys)
}

// LockShared takes the keys' advisory locks in shared mode: transactions
// holding a key shared run side by side, and one locking it with Lock
// waits for all of them (and they for it). PostgreSQL queues a shared
// request behind a waiting exclusive one, so the exclusive is not starved.
func (Dialect) LockShared(tx *gorm.DB, keys ...string) error {
	return advisoryLocks(tx, "pg_advisory_xact_lock_shared", keys)
}

func advisoryLocks(tx *gorm.DB, fn string, keys []string) error {
	ids := make([]int64, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, lockID(k))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		if i > 0 && id == ids[i-1] {
			continue
		}
		if err := tx.Exec("SELECT "+fn+"(?)", id).Error; err != nil {
			return fmt.Errorf("store: lock: %w", err)
		}
	}
	return nil
}

// lockID maps a key to an advisory lock id. Two keys sharing an id only
// wait for each other needlessly.
func lockID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte("selfcheck\x00" + key))
	return int64(h.Sum64())
}

// migrationLock is the session advisory lock held while migrating, so
// that of several instances starting at once on one database exactly one
// migrates and the others wait, then find nothing left to do.
var migrationLock = lockID("schema migrations")

// Migrating runs fn holding the migration lock on one connection.
func (Dialect) Migrating(ctx context.Context, db *gorm.DB, fn func(db *gorm.DB) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLock).Error; err != nil {
			return fmt.Errorf("store: take the migration lock: %w", err)
		}
		defer conn.Session(&gorm.Session{Context: context.WithoutCancel(ctx)}).Exec("SELECT pg_advisory_unlock(?)", migrationLock)
		// A new session, so that each of fn's statements starts afresh on
		// the pinned connection.
		return fn(conn.Session(&gorm.Session{}))
	})
}

// Retryable reports whether err is a transaction PostgreSQL aborted only
// because another one ran at the same time (a deadlock, a serialization
// failure): run again, it succeeds.
func (Dialect) Retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}

// BulkLoad runs fn on one connection without synchronous commit: a crash
// may lose the last commits of a seed, never corrupt the database.
func (Dialect) BulkLoad(ctx context.Context, db *gorm.DB, fn func(db *gorm.DB) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		conn = conn.Session(&gorm.Session{})
		if err := conn.Exec("SET synchronous_commit = off").Error; err != nil {
			return fmt.Errorf("store: bulk load: %w", err)
		}
		defer conn.Session(&gorm.Session{Context: context.WithoutCancel(ctx)}).Exec("RESET synchronous_commit")
		return fn(conn)
	})
}

// ErrNoPgDump refuses a backup on a machine without PostgreSQL's client
// tools.
var ErrNoPgDump = errors.New("store: pg_dump is not installed: install PostgreSQL's client tools (Debian: postgresql-client) or back up with pg_dump on the database server (docs/DEPLOYMENT.md)")

// Backup writes a consistent snapshot of the database to dest with
// pg_dump, in its custom format (pg_restore reads it).
func (d Dialect) Backup(ctx context.Context, _ *gorm.DB, dest string) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return ErrNoPgDump
	}
	out, err := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+dest, "--dbname="+d.URL).CombinedOutput()
	if err != nil {
		return fmt.Errorf("store: pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// IntegrityCheck has nothing to do: PostgreSQL checks its pages as it reads
// them (and with data checksums, if the cluster has them).
func (Dialect) IntegrityCheck(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Exec("SELECT 1").Error
}

// Tables lists the tables of the current schema.
func (Dialect) Tables(ctx context.Context, db *gorm.DB) ([]string, error) {
	var names []string
	err := db.WithContext(ctx).Raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").Scan(&names).Error
	return names, err
}

// SkipLocked locks the rows a claim selects and passes over those another
// instance's claim holds, so two instances never take one row.
func (Dialect) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// ForUpdate locks the rows a SELECT reads until the transaction ends.
func (Dialect) ForUpdate() string { return " FOR UPDATE" }
