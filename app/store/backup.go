package store

import (
	"context"
	"fmt"
	"os"

	"selfcheck/app/store/sqlite"
)

// Backups of a database file (BackupFile, InspectFile, CheckUnused) are
// SQLite-only: they copy the one database file, and a PostgreSQL deployment backs up with its own tools instead (pg_dump for a
// consistent logical snapshot of a running database, restored with
// pg_restore; or base backups with WAL archiving for point-in-time
// recovery). Evidence content lives in the blobs table behind Blobs, so a
// backup of the database holds every file.

// Backup writes a consistent snapshot of the database to dest, a file that
// must not exist or be empty. dest is not synced to disk: the caller syncs
// it before trusting it.
func (s *Store) Backup(ctx context.Context, dest string) error {
	return s.dialect.Backup(ctx, s.db, dest)
}

// BackupFile is Backup for the SQLite file src, which another process (a
// running server) may be using. Unlike Open it neither creates src nor
// migrates it: the snapshot is the database as it is.
func BackupFile(ctx context.Context, src, dest string) error {
	db, err := sqlite.OpenFile(src)
	if err != nil {
		return err
	}
	defer sqlite.Close(db)
	return sqlite.Dialect{}.Backup(ctx, db, dest)
}

// SchemaVersion is the latest migration this binary knows: a database at a
// higher version was written by a newer release.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// FileInfo is what a database file holds, as `selfcheck backup` reports it
// and `selfcheck restore` checks it.
type FileInfo struct {
	Size          int64 // bytes of the main file
	SchemaVersion int   // highest migration applied; 0 without schema_migrations
	Firms         int64
	Users         int64
	Assessments   int64
	Answers       int64
	EvidenceFiles int64 // attached and not removed
	Blobs         int64 // distinct file contents
	BlobBytes     int64
}

// ErrDamaged is a file that is not a SQLite database or fails its integrity check.
var ErrDamaged = sqlite.ErrDamaged

// ErrInUse is a database file another connection has open, such as a
// running server's.
var ErrInUse = sqlite.ErrInUse

// CheckUnused reports ErrInUse when another connection, in this process or
// another, has the SQLite file at path open (see sqlite.CheckUnused).
func CheckUnused(ctx context.Context, path string) error { return sqlite.CheckUnused(ctx, path) }

// InspectFile checks the SQLite file at path with PRAGMA integrity_check
// and reads its schema version and what it holds. It never creates path
// and writes nothing but SQLite's own lock and WAL files; callers inspect
// a copy they own (a fresh backup, a restore's temporary file).
func InspectFile(ctx context.Context, path string) (FileInfo, error) {
	var info FileInfo
	st, err := os.Stat(path)
	if err != nil {
		return info, fmt.Errorf("store: inspect: %w", err)
	}
	info.Size = st.Size()
	db, err := sqlite.OpenFile(path)
	if err != nil {
		return info, err
	}
	defer sqlite.Close(db)
	db = db.WithContext(ctx)
	d := sqlite.Dialect{}
	if err := d.IntegrityCheck(ctx, db); err != nil {
		return info, err
	}
	tables, err := d.Tables(ctx, db)
	if err != nil {
		return info, fmt.Errorf("store: inspect %s: %w", path, err)
	}
	has := map[string]bool{}
	for _, t := range tables {
		has[t] = true
	}
	// Each count reads a table only if this schema version has it.
	counts := []struct {
		table, where string
		dst          *int64
	}{
		{"firms", "", &info.Firms},
		{"users", "", &info.Users},
		{"assessments", "", &info.Assessments},
		{"answers", "", &info.Answers},
		{"evidences", "deleted_at IS NULL", &info.EvidenceFiles},
		{"blobs", "", &info.Blobs},
	}
	for _, c := range counts {
		if !has[c.table] {
			continue
		}
		tx := db.Table(c.table)
		if c.where != "" {
			tx = tx.Where(c.where)
		}
		if err := tx.Count(c.dst).Error; err != nil {
			return info, fmt.Errorf("store: inspect %s: count %s: %w", path, c.table, err)
		}
	}
	if has["blobs"] {
		if err := db.Table("blobs").Select("COALESCE(SUM(size), 0)").Scan(&info.BlobBytes).Error; err != nil {
			return info, fmt.Errorf("store: inspect %s: blob sizes: %w", path, err)
		}
	}
	if has["schema_migrations"] {
		if err := db.Table("schema_migrations").Select("COALESCE(MAX(version), 0)").Scan(&info.SchemaVersion).Error; err != nil {
			return info, fmt.Errorf("store: inspect %s: schema version: %w", path, err)
		}
	}
	return info, nil
}
