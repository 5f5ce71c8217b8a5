package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"selfcheck/app/store"
)

const auditUsage = "selfcheck audit verify [--db PATH]"

// errBroken is a verification that found the audit log tampered with; the
// report itself is already printed.
var errBroken = errors.New("audit log broken")

// auditCmd runs `selfcheck audit verify`: it walks the audit log's hash chain
// and prints OK with the number of entries (exit 0) or the first entry that
// was altered or removed (exit 1).
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintf(stderr, "usage: %s\n", auditUsage)
		return 2
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", auditUsage)
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file or postgres:// URL (env SELFCHECK_DB)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "selfcheck: audit verify: unexpected argument %q\nusage: %s\n", fs.Arg(0), auditUsage)
		return 2
	}
	// Read-only: verifying is for a copy too (on read-only media, a
	// backup in a read-only directory), and must not change what it
	// checks; a missing file is a mistake to report, not an empty log to
	// bless.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err := func() error {
		st, err := store.OpenReadOnly(ctx, *db, log)
		if err != nil {
			return err
		}
		defer st.Close()
		r, err := st.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		if r.OK {
			fmt.Fprintf(stdout, "audit log OK: %d entries\n", r.Entries)
			return nil
		}
		if r.Seq == 0 {
			fmt.Fprintf(stdout, "audit log BROKEN: %s\n", r.Detail)
		} else {
			fmt.Fprintf(stdout, "audit log BROKEN at entry #%d: %s\n", r.Seq, r.Detail)
		}
		return errBroken
	}()
	switch {
	case errors.Is(err, errBroken):
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "selfcheck: audit verify: %v\n", err)
		return 1
	}
	return 0
}
