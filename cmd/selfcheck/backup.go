package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"selfcheck/app/store"
	"selfcheck/app/store/postgres"
)

const (
	backupUsage  = "selfcheck backup [--db PATH] OUT"
	restoreUsage = "selfcheck restore [--db PATH] [--force] BACKUP   (stop the server first)"
)

// backupCmd runs `selfcheck backup`: a consistent snapshot of the database,
// evidence files included, taken while the server keeps serving. The copy
// is written to a temporary file beside OUT, synced, checked with PRAGMA
// integrity_check and only then given its name, so OUT is either a whole,
// checked backup or absent. An existing OUT is never overwritten.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", backupUsage)
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file or postgres:// URL to back up (env SELFCHECK_DB)")
	if code, ok := parseBackupFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "selfcheck: backup: give one output file\nusage: %s\n", backupUsage)
		return 2
	}
	out := fs.Arg(0)
	if postgres.Is(*db) {
		if err := backupPostgres(ctx, *db, out); err != nil {
			fmt.Fprintf(stderr, "selfcheck: backup: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "backup of the PostgreSQL database written to %s by pg_dump (custom format: restore it with pg_restore, see docs/DEPLOYMENT.md)\n", out)
		return 0
	}
	info, err := backup(ctx, *db, out)
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (integrity check ok)\n", *db, out)
	printDBInfo(stdout, info)
	return 0
}

// backupPostgres writes a pg_dump of the database url names to out, through
// a temporary file beside it, never over an existing file.
func backupPostgres(ctx context.Context, url, out string) error {
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists: choose a new name (a backup never overwrites a file)", out)
	}
	tmp, err := tempFileBeside(out, ".backup-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := store.DialectOf(url).Backup(ctx, nil, tmp); err != nil {
		return err
	}
	if err := fsyncFile(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

func backup(ctx context.Context, db, out string) (store.FileInfo, error) {
	// Opening would create a missing database: backing up one that is not
	// there is a mistake to report, not an empty database to save.
	if _, err := os.Stat(db); err != nil {
		return store.FileInfo{}, err
	}
	if _, err := os.Lstat(out); err == nil {
		return store.FileInfo{}, fmt.Errorf("%s already exists: choose a new name (a backup never overwrites a file)", out)
	}
	tmp, err := tempFileBeside(out, ".backup-")
	if err != nil {
		return store.FileInfo{}, err
	}
	defer os.Remove(tmp) // gone once renamed; removes a half backup otherwise
	if err := store.BackupFile(ctx, db, tmp); err != nil {
		return store.FileInfo{}, err
	}
	if err := fsyncFile(tmp); err != nil {
		return store.FileInfo{}, err
	}
	info, err := store.InspectFile(ctx, tmp)
	if err != nil {
		return info, fmt.Errorf("the copy failed its check, nothing written: %w", err)
	}
	// A hard link fails when out appeared meanwhile, where a rename would
	// replace it; the rename is the fallback for file systems without links.
	if err := os.Link(tmp, out); err != nil {
		if _, serr := os.Lstat(out); serr == nil {
			return info, fmt.Errorf("%s already exists: choose a new name (a backup never overwrites a file)", out)
		}
		if err := os.Rename(tmp, out); err != nil {
			return info, err
		}
	}
	return info, fsyncDir(filepath.Dir(out))
}

// restoreCmd runs `selfcheck restore`: it checks a backup (a SQLite file
// that passes integrity_check, with a schema this binary knows) and puts a
// copy in place of the database. The server must be stopped first; a
// server holding the database open is detected and the restore refused. An
// existing database is replaced only with --force, and then kept beside as
// PATH.before-restore-TIME, with its -wal and -shm files.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", restoreUsage)
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file to restore into (env SELFCHECK_DB)")
	force := fs.Bool("force", false, "replace an existing database (kept as PATH.before-restore-TIME)")
	if code, ok := parseBackupFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "selfcheck: restore: give one backup file\nusage: %s\n", restoreUsage)
		return 2
	}
	if postgres.Is(*db) {
		fmt.Fprintf(stderr, "selfcheck: restore: a PostgreSQL database is restored with pg_restore, with every instance stopped: see \"Backups\" in docs/DEPLOYMENT.md\n")
		return 1
	}
	res, err := restore(ctx, fs.Arg(0), *db, *force, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: restore: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "restored %s to %s (integrity check ok)\n", fs.Arg(0), *db)
	printDBInfo(stdout, res.info)
	if res.keptAs != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", res.keptAs)
	}
	if v := store.SchemaVersion(); res.info.SchemaVersion < v {
		fmt.Fprintf(stdout, "the backup's schema (version %d) is migrated to version %d when the server starts\n", res.info.SchemaVersion, v)
	}
	fmt.Fprintf(stdout, "start the server again: selfcheck serve --db %s\n", *db)
	return 0
}

type restored struct {
	info   store.FileInfo
	keptAs string // where the replaced database went, or ""
}

func restore(ctx context.Context, backup, db string, force bool, now time.Time) (restored, error) {
	var res restored
	st, err := os.Stat(backup)
	if err != nil {
		return res, err
	}
	if !st.Mode().IsRegular() {
		return res, fmt.Errorf("%s is not a file", backup)
	}
	// A backup written by `selfcheck backup` has no WAL. One beside it means
	// a live database or a copy taken without it: part of its data would be
	// left behind.
	if w, err := os.Stat(backup + "-wal"); err == nil && w.Size() > 0 {
		return res, fmt.Errorf("%s has a write-ahead log beside it (%s-wal): it is a database in use or a copy of one; restore a file made by `selfcheck backup`", backup, backup)
	}
	_, err = os.Lstat(db)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return res, err
	case exists && !force:
		return res, fmt.Errorf("%s exists: stop the server, then restore with --force to replace it (it is kept as %s.before-restore-TIME)", db, db)
	case exists:
		if err := store.CheckUnused(ctx, db); err != nil {
			if errors.Is(err, store.ErrInUse) {
				return res, fmt.Errorf("%s is in use, probably by a running `selfcheck serve`: stop the server first", db)
			}
			return res, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o750); err != nil {
		return res, err
	}
	// Check a copy, not the backup: what is checked is what goes in place,
	// and the backup itself is never opened for writing.
	tmp, err := tempFileBeside(db, ".restore-")
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp)
	if err := copyFileInto(backup, tmp); err != nil {
		return res, err
	}
	res.info, err = store.InspectFile(ctx, tmp)
	switch {
	case err != nil:
		return res, fmt.Errorf("%s is not a usable backup: %w", backup, err)
	case res.info.SchemaVersion == 0:
		return res, fmt.Errorf("%s is not a Selfcheck database (no schema version)", backup)
	case res.info.SchemaVersion > store.SchemaVersion():
		return res, fmt.Errorf("%s has schema version %d, newer than this binary's %d: restore it with the release that wrote it", backup, res.info.SchemaVersion, store.SchemaVersion())
	}
	if err := fsyncFile(tmp); err != nil {
		return res, err
	}
	if exists {
		res.keptAs = fmt.Sprintf("%s.before-restore-%s", db, now.UTC().Format("20060102T150405Z"))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			err := os.Rename(db+suffix, res.keptAs+suffix)
			if err != nil && !(suffix != "" && errors.Is(err, os.ErrNotExist)) {
				return res, fmt.Errorf("move the current database aside: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, db); err != nil {
		return res, err
	}
	return res, fsyncDir(filepath.Dir(db))
}

// parseBackupFlags parses flags; ok false means return code now (help: 0, a bad
// flag: 2, already reported).
func parseBackupFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

func printDBInfo(w io.Writer, info store.FileInfo) {
	fmt.Fprintf(w, "  size            %s\n", humanBytes(info.Size))
	fmt.Fprintf(w, "  schema version  %d\n", info.SchemaVersion)
	fmt.Fprintf(w, "  firms           %d\n", info.Firms)
	fmt.Fprintf(w, "  users           %d\n", info.Users)
	fmt.Fprintf(w, "  assessments     %d\n", info.Assessments)
	fmt.Fprintf(w, "  answers         %d\n", info.Answers)
	fmt.Fprintf(w, "  evidence files  %d (%d distinct, %s)\n", info.EvidenceFiles, info.Blobs, humanBytes(info.BlobBytes))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// tempFileBeside creates an empty temporary file in the directory of path (so a
// rename onto path stays on one file system), readable only by its owner:
// a backup holds every firm's data.
func tempFileBeside(path, prefix string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+prefix+"*.tmp")
	if err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

func copyFileInto(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func fsyncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fsyncDir makes a rename in dir durable.
func fsyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
