// Command selfcheck runs the Selfcheck web application and its tools.
//
//	selfcheck serve [--addr 127.0.0.1:8080] [--db ./data/selfcheck.db] [--demo]
//	selfcheck checklists validate|list [DIR]
//	selfcheck checklists export [--format csv|xlsx|md] [--out FILE] [DIR]
//	selfcheck checklists diff [--lang zh|en|plain] OLD [NEW]
//	selfcheck firm create --name NAME --credit-code CODE
//	selfcheck user create --email EMAIL --name NAME --role ROLE [--firm CREDIT_CODE]
//	selfcheck user unlock --email EMAIL
//	selfcheck token create --email EMAIL [--name NAME]
//	selfcheck audit verify [--db PATH]
//	selfcheck backup [--db PATH] OUT
//	selfcheck restore [--db PATH] [--force] BACKUP
//	selfcheck package verify [--key PUBLIC_KEY] FILE.zip
//
// The fill-in form posts about nine fields per item (answer, note, plan,
// evidence, the versions loaded), more than the 1,000 multipart parts Go
// reads by default once a campaign passes ~110 items; the request body
// limit still bounds the whole upload.
//
//go:debug multipartmaxparts=10000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	_ "time/tzdata" // time zones without the host's zoneinfo (minimal containers)
)

const usage = `Selfcheck: MIIT compliance self-examination.

Usage:
  selfcheck serve [--addr 127.0.0.1:8080] [--db ./data/selfcheck.db] [--demo]
  selfcheck checklists validate [DIR]     check checklist files, every problem as file:line: message
  selfcheck checklists list [DIR]         themes with version and item counts by severity
  selfcheck checklists export [--format csv|xlsx|md] [--out FILE] [DIR]
  selfcheck checklists diff [--lang zh|en|plain] OLD [NEW]
                                          items added, removed and changed between two catalogs
                                          (directories, or "builtin"; NEW defaults to builtin)
  selfcheck firm create --name NAME --credit-code CODE [--db PATH]
                                          add a firm; prints its id
  selfcheck user create --email EMAIL --name NAME --role firm_member|firm_admin|auditor|admin
                        [--firm CREDIT_CODE] [--db PATH]
                                          add an account; the password is the first line of
                                          standard input, or a random one printed once
  selfcheck user unlock --email EMAIL [--db PATH]
                                          forget the account's failed logins (every lock on it)
  selfcheck token create --email EMAIL [--name NAME] [--db PATH]
                                          print a new API token (Authorization: Bearer TOKEN)
  selfcheck audit verify [--db PATH]      check the audit log's hash chain: OK with the number of
                                          entries, or the first entry altered or removed (exit 1)
  selfcheck rollups rebuild [--db PATH]   recompute the dashboards' running totals from the raw rows
                                          (after an older release wrote to the database; see
                                          docs/DEPLOYMENT.md, upgrades)
  selfcheck backup [--db PATH] OUT        consistent snapshot of the database, evidence files
                                          included, while the server runs; never overwrites OUT
  selfcheck restore [--db PATH] [--force] BACKUP
                                          put a checked backup in place; stop the server first
                                          (--force replaces PATH, kept as PATH.before-restore-TIME)
  selfcheck package verify [--key PUBLIC_KEY] FILE.zip
                                          check a submission package offline: the manifest's signature
                                          (with the pinned key, else the one inside), every file's
                                          SHA-256 and size, nothing unlisted; exit 1 naming the first
                                          file or signature that does not match

Environment: SELFCHECK_ADDR, SELFCHECK_DB, SELFCHECK_ADMIN_PASSWORD.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "checklists":
		return checklistsCmd(args[1:], stdout, stderr)
	case "firm", "user", "token":
		return accountsCmd(ctx, args[0], args[1:], os.Stdin, stdout, stderr)
	case "audit":
		return auditCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		return backupCmd(ctx, args[1:], stdout, stderr)
	case "rollups":
		return rollupsCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args[1:], stdout, stderr)
	case "package":
		return packageCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "selfcheck: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return 1
	}
	return 0
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// envInt reads a whole number from the environment, or def when unset or
// not a number (the flag's own check then reports a bad value).
func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
