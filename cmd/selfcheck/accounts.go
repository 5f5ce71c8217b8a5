package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"selfcheck/app/clean"

	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/uscc"
)

// accountUsage is the usage line of each account command.
var accountUsage = map[string]string{
	"firm":  "selfcheck firm create --name NAME --credit-code CODE [--db PATH]",
	"user":  "selfcheck user create --email EMAIL --name NAME --role firm_member|firm_admin|auditor|admin [--firm CREDIT_CODE] [--db PATH] [< password]",
	"token": "selfcheck token create --email EMAIL [--name NAME] [--db PATH]",
}

// accountsCmd runs `selfcheck firm|user|token create`. stdin carries a new
// user's password (first line) when it is not a terminal.
func accountsCmd(ctx context.Context, kind string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if kind == "user" && len(args) > 0 && args[0] == "unlock" {
		return unlockCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintf(stderr, "usage: %s\n", accountUsage[kind])
		return 2
	}
	fs := flag.NewFlagSet(kind+" create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n", accountUsage[kind])
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file (env SELFCHECK_DB)")
	// check refuses bad flags before the database is opened (or created);
	// run does the work.
	var check func() error
	var run func(context.Context, *store.Store) error
	switch kind {
	case "firm":
		var f newFirmFlags
		fs.StringVar(&f.name, "name", "", "the firm's name")
		fs.StringVar(&f.code, "credit-code", "", "its unified social credit code (18 characters)")
		check = f.check
		run = func(ctx context.Context, st *store.Store) error { return createFirm(ctx, st, f, stdout) }
	case "user":
		var f newUserFlags
		fs.StringVar(&f.email, "email", "", "the account's email, used to log in")
		fs.StringVar(&f.name, "name", "", "the person's name")
		fs.StringVar(&f.role, "role", "", "firm_member, firm_admin, auditor or admin")
		fs.StringVar(&f.firm, "firm", "", "credit code of the firm (firm_member and firm_admin only)")
		check = f.check
		run = func(ctx context.Context, st *store.Store) error { return createUser(ctx, st, f, stdin, stdout) }
	case "token":
		email := fs.String("email", "", "the account the token acts as")
		name := fs.String("name", "", "a name to tell the token apart (default \"token\")")
		check = func() error {
			if strings.TrimSpace(*email) == "" {
				return errors.New("--email is required")
			}
			return nil
		}
		run = func(ctx context.Context, st *store.Store) error { return createToken(ctx, st, *email, *name, stdout) }
	default:
		fmt.Fprintf(stderr, "selfcheck: unknown command %q\n", kind)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// Names and e-mails typed here are text like any typed into the web
	// (app/clean); the database path is a file name, kept as given.
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "db" {
			f.Value.Set(clean.Text(f.Value.String()))
		}
	})
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "selfcheck: %s create: unexpected argument %q\nusage: %s\n", kind, fs.Arg(0), accountUsage[kind])
		return 2
	}
	if *db == "" {
		fmt.Fprintf(stderr, "selfcheck: %s create: --db must not be empty\n", kind)
		return 2
	}
	err := check()
	if err == nil {
		err = withStore(ctx, *db, stderr, run)
	}
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: %s create: %v\n", kind, err)
		return 1
	}
	return 0
}

// withStore opens the database as serve does (migrating it) for one
// command, refusing a SQLite file that does not exist: a mistyped --db
// must not create a new, empty database. Only warnings are logged, so
// stdout stays what the command prints.
func withStore(ctx context.Context, path string, stderr io.Writer, fn func(context.Context, *store.Store) error) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.OpenExisting(ctx, path, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(ctx, st)
}

// checkCreditCode normalizes a credit code and says what is wrong with it.
func checkCreditCode(flagName, code string) (string, error) {
	code = uscc.Normalize(code)
	if code == "" {
		return "", fmt.Errorf("--%s is required", flagName)
	}
	err := uscc.Validate(code)
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, uscc.ErrLength):
		for i, r := range []rune(code) {
			if r > unicode.MaxASCII {
				return "", fmt.Errorf("--%s %q is not a valid unified social credit code: %w: %q at position %d", flagName, code, uscc.ErrChar, r, i+1)
			}
		}
		return "", fmt.Errorf("--%s %q is not a valid unified social credit code: %w (it has %d)", flagName, code, err, utf8.RuneCountInString(code))
	}
	return "", fmt.Errorf("--%s %q is not a valid unified social credit code: %w", flagName, code, err)
}

type newFirmFlags struct {
	name, code string
}

func (f *newFirmFlags) check() error {
	f.name = strings.TrimSpace(f.name)
	if f.name == "" {
		return errors.New("--name is required")
	}
	var err error
	f.code, err = checkCreditCode("credit-code", f.code)
	return err
}

// createFirm adds a checked firm and prints its id.
func createFirm(ctx context.Context, st *store.Store, f newFirmFlags, stdout io.Writer) error {
	firm, err := st.CreateFirm(ctx, f.name, f.code)
	if errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("a firm with the credit code %s already exists", f.code)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, firm.ID)
	return nil
}

type newUserFlags struct {
	email, name, role, firm string
}

func (f *newUserFlags) check() error {
	f.email, f.name = strings.TrimSpace(f.email), strings.TrimSpace(f.name)
	role := auth.Role(f.role)
	switch {
	case f.email == "":
		return errors.New("--email is required")
	case !store.ValidEmail(f.email):
		return fmt.Errorf("--email %q is not an email address", f.email)
	case f.name == "":
		return errors.New("--name is required")
	case !role.Valid():
		return fmt.Errorf("--role %q: choose firm_member, firm_admin, auditor or admin", f.role)
	case role.InFirm() && f.firm == "":
		return fmt.Errorf("--firm CREDIT_CODE is required for the role %s", role)
	case !role.InFirm() && f.firm != "":
		return fmt.Errorf("--firm is for firm_member and firm_admin only; the role %s belongs to no firm", role)
	case role.InFirm():
		var err error
		f.firm, err = checkCreditCode("firm", f.firm)
		return err
	}
	return nil
}

// createUser adds a checked account. The password is the first line of
// stdin when stdin is not a terminal and not empty; otherwise a random one
// is printed once.
func createUser(ctx context.Context, st *store.Store, f newUserFlags, stdin io.Reader, stdout io.Writer) error {
	nu := store.NewUser{Email: f.email, Name: f.name, Role: auth.Role(f.role)}
	if nu.Role.InFirm() {
		firm, err := st.FirmByCreditCode(ctx, f.firm)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no firm has the credit code %s (add it with: selfcheck firm create)", f.firm)
		}
		if err != nil {
			return err
		}
		nu.FirmID = &firm.ID
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	generated := password == ""
	if generated {
		if password, err = auth.RandomPassword(); err != nil {
			return err
		}
	} else if len(password) < auth.MinPasswordLen {
		return fmt.Errorf("the password from standard input is shorter than %d characters", auth.MinPasswordLen)
	}
	nu.Password = password
	u, err := st.CreateUser(ctx, nu)
	if errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("an account with the email %s already exists", store.NormalizeEmail(nu.Email))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %d: %s (%s)\n", u.ID, u.Email, u.Role)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n(shown once: hand it over securely)\n", password)
	}
	return nil
}

// readPassword returns the first line of stdin, or "" when stdin is a
// terminal (nobody is piping a password) or empty.
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", nil
	}
	if f, ok := stdin.(*os.File); ok {
		st, err := f.Stat()
		if err != nil || st.Mode()&os.ModeCharDevice != 0 {
			return "", nil
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// createToken makes a personal API token and prints only the token, for scripts.
func createToken(ctx context.Context, st *store.Store, email, name string, stdout io.Writer) error {
	u, err := st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no active account has the email %s", store.NormalizeEmail(email))
	}
	if err != nil {
		return err
	}
	token, err := st.CreateToken(ctx, u.ID, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}
