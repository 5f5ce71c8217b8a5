package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"selfcheck/app/testdb"
)

func TestValidateChecklists(t *testing.T) {
	bad := filepath.Join("..", "..", "app", "checklist", "testdata", "bad")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{name: "built-in catalog", code: 0, stdout: []string{"checklists/user-rights.yaml: ok", "checklists/popups.yaml: ok", "checklists/data-security.yaml: ok"}},
		{name: "valid directory", args: []string{filepath.Join("..", "..", "app", "checklist", "testdata", "valid")}, code: 0, stdout: []string{"mini.yaml: ok — mini v1.0", "2 items"}},
		{name: "every problem with file and line", args: []string{bad}, code: 1, noStdout: true, stderr: []string{
			filepath.Join(bad, "unknown_key.yaml") + `:48: unknown key "colour" in item`,
			filepath.Join(bad, "weight_range.yaml") + ":33: weight 7 is out of range 1–5",
			filepath.Join(bad, "empty_section.yaml") + `:53: section "empty" has no items`,
			"problem(s) found",
		}},
		{name: "missing directory", args: []string{"no/such/dir"}, code: 1, stderr: []string{"no/such/dir: not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"checklists", "validate"}, tt.args...), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:%s\nstderr:%s", code, tt.code, out.String(), errOut.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
			if tt.noStdout && out.Len() > 0 {
				t.Errorf("an invalid catalog printed a summary: %s", out.String())
			}
		})
	}
}

func TestServeRefusesInvalidCatalog(t *testing.T) {
	var out, errOut bytes.Buffer
	bad := filepath.Join("..", "..", "app", "checklist", "testdata", "bad")
	code := run(context.Background(), []string{"serve", "--db", testdb.URL(t, "x.db"), "--checklists", bad}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "refusing to start") || !strings.Contains(errOut.String(), "dup_item.yaml:35: duplicate item id") {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, args := range [][]string{{"serve", "--addr", "nonsense"}, {"serve", "--db", ""}, {"serve", "extra"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
}

var addrLine = regexp.MustCompile(`running at (http://[^/]+/)`)

// startServe runs `selfcheck serve` on a free port until the test ends and
// returns its base URL and what it printed up to then.
func startServe(t *testing.T, args ...string) (base, printed string, stop func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), pw, &errOut)
		pw.Close()
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if m := addrLine.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	if base == "" {
		stop()
		t.Fatalf("no address printed; stderr:\n%s", errOut.String())
	}
	return base, out.String(), stop
}

// TestServeDemo starts the real command, checks /healthz and the demo
// accounts it prints, and stops it as SIGINT would.
func TestServeDemo(t *testing.T) {
	db := testdb.URL(t, "demo.db")
	if testdb.IsSQLite(db) { // serve creates the file and its folder
		db = filepath.Join(filepath.Dir(db), "sub", filepath.Base(db))
	}
	base, printed, stop := startServe(t, "--demo", "--db", db)
	for _, w := range []string{"firm@demo.local", "auditor@demo.local", "admin@demo.local", "demo12345", "91110108MA01C8XK7H"} {
		if !strings.Contains(printed, w) {
			t.Errorf("start-up output lacks %q", w)
		}
	}
	r, err := http.Get(base + "healthz")
	if err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", err, r)
	}
	if code := stop(); code != 0 {
		t.Errorf("graceful shutdown: exit %d", code)
	}
	if _, err := os.Stat(db); testdb.IsSQLite(db) && err != nil {
		t.Errorf("database not created: %v", err)
	}
	// A second --demo start on the same file changes nothing and works.
	_, _, stop = startServe(t, "--demo", "--db", db)
	if code := stop(); code != 0 {
		t.Errorf("second demo start: exit %d", code)
	}
}

func TestFirstStartCreatesAdminOnce(t *testing.T) {
	db := testdb.URL(t, "a.db")
	t.Setenv("SELFCHECK_ADMIN_PASSWORD", "")
	_, printed, stop := startServe(t, "--db", db)
	stop()
	m := regexp.MustCompile(`Created admin admin@selfcheck.local with password (\S+) `).FindStringSubmatch(printed)
	if m == nil || len(m[1]) < 12 {
		t.Fatalf("first start output:\n%s", printed)
	}
	_, printed, stop = startServe(t, "--db", db)
	stop()
	if strings.Contains(printed, "Created admin") {
		t.Errorf("second start created the admin again:\n%s", printed)
	}
}
