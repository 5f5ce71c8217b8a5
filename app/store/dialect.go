package store

import (
	"context"

	"gorm.io/gorm"
)

// Dialect is what differs between the database engines the store runs on:
// how a database is opened and its connections set up (including how
// writers are serialized, when the engine needs it), loading synthetic
// data fast, a backup, and the engine's own integrity check. Everything
// else in the store speaks GORM and SQL that both engines accept. The
// SQLite dialect is app/store/sqlite.
type Dialect interface {
	// Open opens the database target names (a file, a connection string),
	// creating it if the engine does, with the settings a server needs.
	Open(ctx context.Context, target string) (*gorm.DB, error)
	// BulkLoad runs fn on a connection tuned for seeding synthetic data,
	// which may trade durability for speed; it restores the connection's
	// settings before the connection serves anything else.
	BulkLoad(ctx context.Context, db *gorm.DB, fn func(db *gorm.DB) error) error
	// Backup writes a consistent snapshot of the running database to dest.
	Backup(ctx context.Context, db *gorm.DB, dest string) error
	// IntegrityCheck reports damage the engine finds in the database.
	IntegrityCheck(ctx context.Context, db *gorm.DB) error
	// Tables lists the database's tables.
	Tables(ctx context.Context, db *gorm.DB) ([]string, error)

	// Name is the engine's name: sqlite or postgres.
	Name() string
	// Lock serializes a read-then-write on keys with every other
	// transaction locking one of them, on every instance, until tx ends.
	// Where the engine already runs one writer at a time (SQLite's write
	// gate) it does nothing.
	Lock(tx *gorm.DB, keys ...string) error
	// LockShared takes keys in shared mode until tx ends: transactions
	// holding a key shared run together, and exclude one that Locks it.
	LockShared(tx *gorm.DB, keys ...string) error
	// Migrating runs fn while no other instance migrates the database.
	Migrating(ctx context.Context, db *gorm.DB, fn func(db *gorm.DB) error) error
	// Retryable reports whether err aborted a transaction only because
	// another ran at the same time (a deadlock): run again, it succeeds.
	Retryable(err error) bool
	// SkipLocked is the clause ending a SELECT that claims rows for this
	// transaction, passing over rows another transaction has claimed
	// (queue workers on several instances); "" where the engine runs one
	// writer at a time and a claim cannot meet another.
	SkipLocked() string
	// ForUpdate is the clause ending a SELECT that locks the rows it reads
	// until the transaction ends; "" where the write gate already holds
	// every row.
	ForUpdate() string
}
