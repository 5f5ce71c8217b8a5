package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"selfcheck/app/store"
)

const unlockUsage = "selfcheck user unlock --email EMAIL [--db PATH]"

// unlockCmd runs `selfcheck user unlock`: it forgets every failed login of
// the account, from every address, so a locked-out person gets in at once
// (the admins' /admin/locks page does the same per lock). The audit log
// records it with the system as actor.
func unlockCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("user unlock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", unlockUsage)
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file or PostgreSQL URL (env SELFCHECK_DB)")
	email := fs.String("email", "", "the account to unlock")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || strings.TrimSpace(*email) == "" || *db == "" {
		fmt.Fprintf(stderr, "usage: %s\n", unlockUsage)
		return 2
	}
	err := withStore(ctx, *db, stderr, func(ctx context.Context, st *store.Store) error {
		n, err := st.ClearLoginLock(ctx, nil, store.LockAccount, *email, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d failed logins forgotten\n", store.NormalizeEmail(*email), n)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: user unlock: %v\n", err)
		return 1
	}
	return 0
}
