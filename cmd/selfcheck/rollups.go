package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"selfcheck/app/store"
)

const rollupsUsage = "selfcheck rollups rebuild [--db PATH]"

// rollupsCmd runs `selfcheck rollups rebuild`: it recomputes the running
// totals the dashboards read from the raw rows, for every campaign. They are
// kept by the writes of the release that added them; an older release run
// on the newer schema (a rollback, or instances upgraded one at a time
// across such a release) writes without them (docs/DEPLOYMENT.md).
func rollupsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprintf(stderr, "usage: %s\n", rollupsUsage)
		return 2
	}
	fs := flag.NewFlagSet("rollups rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", rollupsUsage)
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file or PostgreSQL URL (env SELFCHECK_DB)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *db == "" {
		fmt.Fprintf(stderr, "usage: %s\n", rollupsUsage)
		return 2
	}
	err := withStore(ctx, *db, stderr, func(ctx context.Context, st *store.Store) error {
		n, err := st.RebuildAllRollups(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt the running totals of %d campaigns\n", n)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: rollups rebuild: %v\n", err)
		return 1
	}
	return 0
}
