// Package sqlite is the SQLite side of the store's dialect seam
// (store.Dialect): connection settings, the write gate that serializes
// transactions, the bulk-load connection, backup by VACUUM INTO, the
// integrity check, and the checks on a database file that the backup and
// restore commands make. Nothing else in the application knows it runs on
// SQLite.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect is SQLite. Its methods are the store.Dialect interface.
type Dialect struct{}

// Open opens (creating it and its directory if needed) the SQLite database
// at path, with the settings every connection of a server needs.
func (Dialect) Open(_ context.Context, path string) (*gorm.DB, error) {
	path, given, err := SplitURI(path)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" && given.Get("mode") == "" {
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
	readOnly := given.Get("mode") == "ro"
	if readOnly {
		// Switching to WAL is a write; a reader takes the file's journal
		// mode as it is (a backup's copy is in rollback-journal mode).
		q.Del("_journal_mode")
	}
	for k, v := range given {
		q[k] = v
	}
	dsn := "file:" + path + "?" + q.Encode()
	// Transactions queue at a gate in Go rather than in SQLite's busy
	// handler: see gatedConnector.
	sqlDB := sql.OpenDB(&gatedConnector{dsn: dsn, driver: &sqlite3.SQLiteDriver{}, gate: make(chan struct{}, 1)})
	// One SQLite file allows one writer at a time, and autosaves reach it
	// through one committer (the store's groupcommit.go); the other connections serve
	// readers, which in WAL mode run beside the writer. Fewer left the
	// benchmark's autosave requests queued for a connection.
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: sqlDB}), &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true,
	})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	var mode string
	if err := db.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
		return nil, fmt.Errorf("store: read journal mode: %w", err)
	}
	if mode != "wal" && !readOnly {
		return nil, fmt.Errorf("store: journal mode is %q, want wal", mode)
	}
	return db, nil
}

// SplitURI splits a SQLite URI filename ("file:/data/x.db?mode=ro") into
// the file's path and its options; a plain path has none. The options
// reach SQLite as given: mode=ro opens a database read-only (which an
// operator, or a test running as root where file permissions stop no
// write, uses to check that the server refuses it).
func SplitURI(target string) (path string, opts url.Values, err error) {
	if !strings.HasPrefix(target, "file:") {
		return target, url.Values{}, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", nil, fmt.Errorf("store: database URI %q: %w", target, err)
	}
	path = u.Opaque
	if path == "" {
		path = u.Path
	}
	return path, u.Query(), nil
}

// writeWait bounds the wait at the write gate. It is far above any queue
// the load test builds, even under the race detector; reaching it means an
// overload far beyond that, or a transaction waiting for one its own
// goroutine holds, which then fails instead of hanging.
const writeWait = 60 * time.Second

// errWriteWait is a transaction that waited writeWait for the write gate.
var errWriteWait = errors.New("store: waited too long for the database write lock")

// gatedConnector opens connections whose transactions pass a gate, one at
// a time, first come first served.
//
// A SQLite file has one writer at a time, and every transaction here is a
// writer (_txlock=immediate). Left to SQLite, connections waiting for the
// lock poll it from the busy handler, sleeping longer after every miss (up
// to 100 ms): a connection that has waited long loses the lock again and
// again to newcomers that poll sooner, the lock sits free while waiters
// sleep, and when busy_timeout runs out the save fails with "database is
// locked". The load test in cmd/selfcheck showed it under heavy load: an
// HTTP 500 "database is locked" and few requests served, slowly; through
// the gate, several times as many requests, far faster, and no error
// (docs/BENCHMARKS.md). The gate hands the lock over as soon as it is
// released; busy_timeout is left for other processes (the command-line
// tools, a backup). Writes outside a transaction pass the gate too
// (gatedConn.ExecContext). Readers never wait at the gate: in WAL mode they
// run beside the writer.
type gatedConnector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
	gate   chan struct{} // holds a token while a transaction is open
}

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &gatedConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), gate: c.gate}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return c.driver }

// gatedConn is a SQLite connection whose transactions begin only once they
// hold the gate, and give it back when they end.
type gatedConn struct {
	*sqlite3.SQLiteConn
	gate chan struct{}
	inTx bool // a transaction of this connection holds the gate
}

func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.enter(ctx); err != nil {
		return nil, err
	}
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		<-c.gate
		return nil, err
	}
	c.inTx = true
	return &gatedTx{Tx: tx, conn: c}, nil
}

// enter takes the gate, waiting at most writeWait.
func (c *gatedConn) enter(ctx context.Context) error {
	select {
	case c.gate <- struct{}{}:
		return nil
	default:
	}
	timer := time.NewTimer(writeWait)
	defer timer.Stop()
	select {
	case c.gate <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return errWriteWait
	}
}

// ExecContext runs a statement. A write outside a transaction (the
// outbox's cursors and leases, a delivery's status, a user's language)
// passes the gate as a transaction does: left to busy_timeout, it lost the
// lock to the gated writers under load and failed with "database is
// locked". Other statements (VACUUM INTO, PRAGMA) do not wait at the gate:
// a backup reads beside the writers.
func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.inTx || !isWrite(query) {
		return c.SQLiteConn.ExecContext(ctx, query, args)
	}
	if err := c.enter(ctx); err != nil {
		return nil, err
	}
	defer func() { <-c.gate }()
	return c.SQLiteConn.ExecContext(ctx, query, args)
}

// isWrite reports whether query starts as a statement that writes rows.
func isWrite(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE", "REPLAC":
		return true
	}
	return false
}

// gatedTx gives the gate back once, when the transaction commits or rolls back.
type gatedTx struct {
	driver.Tx
	conn *gatedConn
	done bool
}

func (t *gatedTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *gatedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}

func (t *gatedTx) release() {
	if !t.done {
		t.done = true
		t.conn.inTx = false
		<-t.conn.gate
	}
}

// Backup writes a consistent snapshot of db to dest, a file that must not
// exist or be empty. It uses VACUUM INTO, which reads the database in one
// read transaction: in WAL mode the server keeps reading and committing
// while it runs, and the copy holds exactly the transactions committed when
// it started, compacted, in rollback-journal mode. dest is not synced to
// disk: the caller syncs it before trusting it.
func (Dialect) Backup(ctx context.Context, db *gorm.DB, dest string) error {
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error; err != nil {
		return fmt.Errorf("store: back up to %s: %w", dest, err)
	}
	return nil
}

// ErrDamaged is a file that is not a SQLite database or fails PRAGMA integrity_check.
var ErrDamaged = errors.New("store: the database file is damaged or not a SQLite database")

// IntegrityCheck runs PRAGMA integrity_check and reports ErrDamaged with
// the first problems it finds.
func (Dialect) IntegrityCheck(ctx context.Context, db *gorm.DB) error {
	var problems []string
	if err := db.WithContext(ctx).Raw("PRAGMA integrity_check(20)").Scan(&problems).Error; err != nil {
		return fmt.Errorf("%w (%v)", ErrDamaged, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("%w (integrity_check: %s)", ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// Tables lists the database's tables.
func (Dialect) Tables(ctx context.Context, db *gorm.DB) ([]string, error) {
	var tables []string
	if err := db.WithContext(ctx).Raw("SELECT name FROM sqlite_master WHERE type = 'table'").Scan(&tables).Error; err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
	return tables, nil
}

// openFile opens the SQLite file at path with the driver options q.
func openFile(path string, q url.Values) (*gorm.DB, error) {
	dsn := "file:" + path + "?" + q.Encode()
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

// closeDB closes a database opened by openFile.
func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// OpenFile opens the existing database file at path, which another process
// (a running server) may be using, for a backup or an inspection: it neither
// creates nor migrates it. A file SQLite cannot
// read as a database is ErrDamaged.
func OpenFile(path string) (*gorm.DB, error) {
	q := url.Values{}
	q.Set("mode", "rw") // rw, not ro: a WAL reader writes the shared-memory index
	q.Set("_busy_timeout", "5000")
	db, err := openFile(path, q)
	if _, ok := sqliteCode(err); ok {
		return nil, fmt.Errorf("%w (%v)", ErrDamaged, errors.Unwrap(err))
	}
	return db, err
}

// Close closes a database opened by OpenFile.
func Close(db *gorm.DB) { closeDB(db) }

// ErrInUse is a database file another connection has open, such as a
// running server's.
var ErrInUse = errors.New("store: the database is in use")

// CheckUnused reports ErrInUse when another connection, in this process or
// another, has the SQLite file at path open. A server holds its database
// open from start to stop (WAL connections keep a shared lock on the file),
// so this tells whether one is running on it; there is a window between
// the check and the caller's next step that it cannot close. The check
// takes an exclusive lock and lets it go, which also checkpoints a WAL left
// by an unclean stop into the main file. A file SQLite cannot read as a
// database is reported unused.
func CheckUnused(ctx context.Context, path string) error {
	q := url.Values{}
	q.Set("mode", "rw")
	q.Set("_locking_mode", "EXCLUSIVE")
	q.Set("_busy_timeout", "200")
	inUse := func(err error) error {
		switch code, _ := sqliteCode(err); code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("%w: %s", ErrInUse, path)
		case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
			// A file SQLite cannot read serves no one: replacing a
			// damaged database is what a restore is for.
			return nil
		}
		return err
	}
	// Opening reads the file already (the driver asks for the version),
	// so a lock held elsewhere may show here.
	db, err := openFile(path, q)
	if err != nil {
		return inUse(err)
	}
	defer closeDB(db)
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return inUse(fmt.Errorf("store: open %s: %w", path, err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE; COMMIT"); err != nil {
		return inUse(fmt.Errorf("store: lock %s: %w", path, err))
	}
	return nil
}

// sqliteCode is the SQLite result code err carries, if it comes from SQLite.
func sqliteCode(err error) (sqlite3.ErrNo, bool) {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code, true
	}
	return 0, false
}

// BulkLoad runs fn on one connection that commits without waiting for the
// disk and caches more pages: for seeding synthetic data (app/store/loadseed),
// whose loss in a crash costs only a rerun. Never for real data. Both
// settings are per connection, hence the one connection; they are put back
// before it returns to the pool.
func (Dialect) BulkLoad(ctx context.Context, db *gorm.DB, fn func(db *gorm.DB) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		// A new session, so that each statement below starts afresh on
		// the pinned connection.
		conn = conn.Session(&gorm.Session{})
		var cache int
		if err := conn.Raw("PRAGMA cache_size").Scan(&cache).Error; err != nil {
			return fmt.Errorf("store: read cache size: %w", err)
		}
		if err := conn.Exec("PRAGMA synchronous = OFF").Error; err != nil {
			return fmt.Errorf("store: bulk load: %w", err)
		}
		// 8 MB: the indexes that take rows out of order (plans by due
		// date, gaps by answer and due date) mostly stay in memory. A
		// larger cache seeded no faster and took the benchmark process
		// over its peak RSS target.
		if err := conn.Exec("PRAGMA cache_size = -8192").Error; err != nil {
			return fmt.Errorf("store: bulk load: %w", err)
		}
		defer restoreBulk(ctx, conn, cache)
		return fn(conn)
	})
}

// restoreBulk puts the pinned connection of BulkLoad back to FULL sync and
// its cache size, even when ctx was cancelled meanwhile, and throws the
// connection away if that fails: a connection that does not sync must
// never go back to the pool.
func restoreBulk(ctx context.Context, conn *gorm.DB, cache int) {
	sqlConn, ok := conn.Statement.ConnPool.(*sql.Conn)
	if !ok {
		return
	}
	ctx = context.WithoutCancel(ctx)
	_, err := sqlConn.ExecContext(ctx, "PRAGMA synchronous = FULL")
	if err == nil {
		_, err = sqlConn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cache))
	}
	var mode int
	if err == nil {
		err = sqlConn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&mode)
	}
	if err != nil || mode != 2 {
		// ErrBadConn from Raw makes database/sql close the connection.
		sqlConn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// Name is the engine's name.
func (Dialect) Name() string { return "sqlite" }

// Lock does nothing: the write gate lets one transaction write at a time,
// and a transaction takes the write lock when it begins (_txlock=immediate),
// so a read-then-write never interleaves with another.
func (Dialect) Lock(*gorm.DB, ...string) error { return nil }

// LockShared does nothing, as Lock.
func (Dialect) LockShared(*gorm.DB, ...string) error { return nil }

// Migrating runs fn: a SQLite file has one server process (restore refuses
// a file in use), and each migration's transaction holds the write lock.
func (Dialect) Migrating(ctx context.Context, db *gorm.DB, fn func(db *gorm.DB) error) error {
	return fn(db.WithContext(ctx))
}

// Retryable is false: the write gate queues writers instead of failing them.
func (Dialect) Retryable(error) bool { return false }

// SkipLocked is empty: the write gate runs one claiming transaction at a
// time, so no row is ever held by another.
func (Dialect) SkipLocked() string { return "" }

// ForUpdate is empty: the write gate already holds every row.
func (Dialect) ForUpdate() string { return "" }
