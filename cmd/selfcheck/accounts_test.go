package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
	"selfcheck/app/uscc"
)

// cli runs one account command against db, which it creates first when
// missing (the commands refuse a database that does not exist), and
// returns its exit code and output.
func cli(t *testing.T, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	if store.CheckExists(db) != nil {
		openTestStore(t, db).Close()
	}
	var out, errOut bytes.Buffer
	code := accountsCmd(context.Background(), args[0], append(append([]string{}, args[1:]...), "--db", db), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func openTestStore(t *testing.T, db string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func goodCode(t *testing.T, first17 string) string {
	t.Helper()
	ch, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(ch)
}

func TestFirmCreate(t *testing.T) {
	db := testdb.URL(t, "cli.db")
	code := goodCode(t, "91310115MA1K3YJ2X")
	wrong := code[:17] + "0"
	if code[17] == '0' {
		wrong = code[:17] + "1"
	}

	exit, out, errOut := cli(t, db, "", "firm", "create", "--name", "甲公司", "--credit-code", strings.ToLower(code))
	if exit != 0 || !regexp.MustCompile(`^\d+\n$`).MatchString(out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", exit, out, errOut)
	}
	st := openTestStore(t, db)
	if f, err := st.FirmByCreditCode(context.Background(), code); err != nil || f.Name != "甲公司" {
		t.Fatalf("firm not stored: %v %v", f, err)
	}
	// A name with a NUL and bytes that are not UTF-8 is cleaned as the web
	// cleans it (app/clean), on every engine.
	code2 := goodCode(t, "91310115MA1K3YJ3X")
	if exit, _, errOut := cli(t, db, "", "firm", "create", "--name", "丙\x00公司\xff", "--credit-code", code2); exit != 0 {
		t.Fatalf("a name with control bytes: exit %d, stderr %q", exit, errOut)
	}
	if f, err := st.FirmByCreditCode(context.Background(), code2); err != nil || f.Name != "丙公司\uFFFD" {
		t.Fatalf("firm stored as %q (%v), want the name cleaned", f.Name, err)
	}

	refused := []struct {
		name string
		args []string
		want string
	}{
		{"wrong check character", []string{"--name", "乙", "--credit-code", wrong}, "the check character is wrong"},
		{"too short", []string{"--name", "乙", "--credit-code", code[:10]}, "must be 18 characters (it has 10)"},
		{"letter not allowed", []string{"--name", "乙", "--credit-code", "I" + code[1:]}, `not allowed: 'I' at position 1`},
		{"Chinese character", []string{"--name", "乙", "--credit-code", "中" + code[1:]}, `not allowed: '中' at position 1`},
		{"duplicate", []string{"--name", "乙", "--credit-code", code}, "a firm with the credit code " + code + " already exists"},
		{"no name", []string{"--credit-code", code}, "--name is required"},
		{"no code", []string{"--name", "乙"}, "--credit-code is required"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			exit, out, errOut := cli(t, db, "", append([]string{"firm", "create"}, tt.args...)...)
			if exit != 1 || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", exit, out, errOut, tt.want)
			}
		})
	}
	if exit, _, _ := cli(t, db, "", "firm", "list"); exit != 2 {
		t.Errorf("firm list: exit %d, want 2", exit)
	}
}

func TestUserCreate(t *testing.T) {
	ctx := context.Background()
	db := testdb.URL(t, "cli.db")
	code := goodCode(t, "91310115MA1K3YJ2X")
	if exit, _, errOut := cli(t, db, "", "firm", "create", "--name", "甲公司", "--credit-code", code); exit != 0 {
		t.Fatal(errOut)
	}
	st := openTestStore(t, db)

	// Password from standard input.
	exit, out, errOut := cli(t, db, "piped-password-1\nignored\n", "user", "create", "--email", "Ann@Firm.local", "--name", "Ann", "--role", "firm_admin", "--firm", code)
	if exit != 0 || strings.Contains(out, "password") {
		t.Fatalf("exit %d, stdout %q, stderr %q", exit, out, errOut)
	}
	u, err := st.Authenticate(ctx, "ann@firm.local", "piped-password-1")
	if err != nil || u.Role != auth.FirmAdmin || u.Firm == nil || u.Firm.CreditCode != code {
		t.Fatalf("piped password: %+v %v", u, err)
	}

	// Empty standard input: a random password, printed once.
	exit, out, errOut = cli(t, db, "", "user", "create", "--email", "bob@audit.local", "--name", "Bob", "--role", "auditor")
	if exit != 0 {
		t.Fatalf("exit %d, stderr %q", exit, errOut)
	}
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password printed: %q", out)
	}
	if _, err := st.Authenticate(ctx, "bob@audit.local", m[1]); err != nil {
		t.Errorf("the printed password does not work: %v", err)
	}

	refused := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"duplicate email", "", []string{"--email", "ANN@firm.local", "--name", "x", "--role", "firm_member", "--firm", code}, "an account with the email ann@firm.local already exists"},
		{"invalid credit code", "", []string{"--email", "c@firm.local", "--name", "x", "--role", "firm_member", "--firm", code[:17] + "I"}, "--firm"},
		{"unknown firm", "", []string{"--email", "c@firm.local", "--name", "x", "--role", "firm_member", "--firm", goodCode(t, "91440300MA5F0XYW1")}, "no firm has the credit code"},
		{"missing firm", "", []string{"--email", "c@firm.local", "--name", "x", "--role", "firm_member"}, "--firm CREDIT_CODE is required for the role firm_member"},
		{"firm for an auditor", "", []string{"--email", "c@firm.local", "--name", "x", "--role", "auditor", "--firm", code}, "--firm is for firm_member and firm_admin only"},
		{"firm for an admin", "", []string{"--email", "c@firm.local", "--name", "x", "--role", "admin", "--firm", code}, "the role admin belongs to no firm"},
		{"unknown role", "", []string{"--email", "c@firm.local", "--name", "x", "--role", "root"}, `--role "root"`},
		{"invalid email", "", []string{"--email", "nope", "--name", "x", "--role", "admin"}, `--email "nope" is not an email address`},
		{"short piped password", "short\n", []string{"--email", "c@firm.local", "--name", "x", "--role", "admin"}, "shorter than 8 characters"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			exit, out, errOut := cli(t, db, tt.stdin, append([]string{"user", "create"}, tt.args...)...)
			if exit != 1 || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", exit, out, errOut, tt.want)
			}
		})
	}
	if _, err := st.UserByEmail(ctx, "c@firm.local"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused account was created: %v", err)
	}
}

func TestTokenCreate(t *testing.T) {
	ctx := context.Background()
	db := testdb.URL(t, "cli.db")
	if exit, _, errOut := cli(t, db, "", "user", "create", "--email", "ops@x.local", "--name", "Ops", "--role", "admin"); exit != 0 {
		t.Fatal(errOut)
	}
	exit, out, errOut := cli(t, db, "", "token", "create", "--email", "OPS@x.local", "--name", "deploy")
	if exit != 0 || !regexp.MustCompile(`^sc_[A-Za-z0-9_-]+\n$`).MatchString(out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", exit, out, errOut)
	}
	st := openTestStore(t, db)
	u, err := st.TokenUser(ctx, strings.TrimSpace(out))
	if err != nil || u.Email != "ops@x.local" {
		t.Fatalf("TokenUser: %v %v", u, err)
	}
	toks, err := st.Tokens(ctx, u.ID)
	if err != nil || len(toks) != 1 || toks[0].Name != "deploy" {
		t.Errorf("tokens: %+v %v", toks, err)
	}

	if exit, out, errOut := cli(t, db, "", "token", "create", "--email", "ghost@x.local"); exit != 1 || out != "" || !strings.Contains(errOut, "no active account has the email ghost@x.local") {
		t.Errorf("unknown email: exit %d, stdout %q, stderr %q", exit, out, errOut)
	}
	if exit, _, errOut := cli(t, db, "", "token", "create"); exit != 1 || !strings.Contains(errOut, "--email is required") {
		t.Errorf("no email: exit %d, stderr %q", exit, errOut)
	}
}

// The commands are reachable from run, with the process's standard input.
func TestAccountCommandsAreWired(t *testing.T) {
	db := testdb.URL(t, "cli.db")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"firm", "create", "--db", db, "--name", "甲", "--credit-code", "bad"}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "must be 18 characters") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	out.Reset()
	run(context.Background(), []string{"help"}, &out, &errOut)
	for _, w := range []string{"selfcheck firm create", "selfcheck user create", "selfcheck token create"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("usage lacks %q", w)
		}
	}
}
