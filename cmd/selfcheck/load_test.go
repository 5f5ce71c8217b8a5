package main

// The load and crash tests live here, beside the command, rather than in
// app/web: they run what an operator runs. The load test starts `serve`
// in-process (the race detector then watches the server under load) on a
// real SQLite file opened by store.Open exactly as in production (WAL,
// synchronous=FULL); the crash test builds the binary and kills it.
//
//	SELFCHECK_LOAD_SECONDS=20 SELFCHECK_LOAD_CLIENTS=100 go test -run 'TestLoad|TestCrash' -v ./cmd/selfcheck

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"selfcheck/app/testdb"
)

// TestLoadNoLostSaves runs SELFCHECK_LOAD_CLIENTS clients (default 100)
// for SELFCHECK_LOAD_SECONDS (default 20) against the real server (in this
// process, or with SELFCHECK_LOAD_CHILD=1 built and run as a child), then
// checks: no 5xx, no response or log line mentioning a lock, and for every
// item the database holds exactly the last acknowledged save, with one
// history row per acknowledged change and one audit entry per save.
func TestLoadNoLostSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: not in -short mode")
	}
	clients, duration := loadConfig(t)
	db := testdb.URL(t, "load.db")
	fx := setupLoad(t, db, clients)
	if os.Getenv("SELFCHECK_LOAD_CHILD") != "" {
		// The server in a process of its own, as deployed: the clients
		// then take no CPU from its scheduler.
		child, base := startChild(t, buildSelfcheck(t, t.TempDir()), db)
		res := driveLoad(context.Background(), t, base, fx, duration, false)
		child.Process.Signal(syscall.SIGTERM)
		if err := child.Wait(); err != nil {
			t.Errorf("serve stopped: %v", err)
		}
		t.Logf("load (server in a child process): %s", res.summary(clients))
		res.checkNoProblems(t)
		checkAcknowledged(t, db, fx, res, true)
		checkDatabase(t, db)
		return
	}
	base, logs, stop := startServeLogged(t, "--db", db)
	res := driveLoad(context.Background(), t, base, fx, duration, false)
	if code := stop(); code != 0 {
		t.Errorf("serve stopped with exit %d", code)
	}
	t.Logf("load: %s", res.summary(clients))
	res.checkNoProblems(t)
	checkServerLog(t, logs.String())
	checkAcknowledged(t, db, fx, res, true)
	checkDatabase(t, db)
}

// TestCrashKeepsAcknowledgedSaves builds the binary, serves a temp
// database from a child process, drives the same load and kills the child
// with SIGKILL in the middle of it; restarted on the same file, the server
// must hold every save it acknowledged, and the file must pass
// PRAGMA integrity_check.
func TestCrashKeepsAcknowledgedSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short mode")
	}
	clients, duration := loadConfig(t)
	killAfter := min(5*time.Second, duration/2)
	dir := t.TempDir()
	bin := buildSelfcheck(t, dir)
	db := testdb.URL(t, "crash.db")
	fx := setupLoad(t, db, clients)

	child, base := startChild(t, bin, db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *loadResult)
	go func() { done <- driveLoad(ctx, t, base, fx, time.Hour, true) }()
	time.Sleep(killAfter)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	cancel()
	res := <-done
	t.Logf("until SIGKILL: %s; %d saves under way when it came", res.summary(clients), len(res.unknown))
	res.checkNoProblems(t)
	if len(res.unknown) == 0 {
		t.Error("no save was under way when the server was killed")
	}

	// The restarted server recovers the WAL and serves again.
	child, base = startChild(t, bin, db)
	if r, err := http.Get(base + "healthz"); err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("restarted server: healthz %v %v", r, err)
	}
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
	checkAcknowledged(t, db, fx, res, false)
	checkDatabase(t, db)
}

// startServeLogged runs `selfcheck serve` in-process on a free port until
// stop is called, keeping its log.
func startServeLogged(t *testing.T, args ...string) (base string, logs *syncBuffer, stop func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	logs = &syncBuffer{}
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), pw, logs)
		pw.Close()
	}()
	base = readAddress(pr)
	go io.Copy(io.Discard, pr)
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	if base == "" {
		stop()
		t.Fatalf("serve printed no address; log:\n%s", logs.String())
	}
	return base, logs, stop
}

var runningAt = regexp.MustCompile(`running at (http://[^/]+/)`)

// readAddress reads serve's output up to the line with the address it
// listens on (it prints it once the port is open).
func readAddress(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := runningAt.FindStringSubmatch(sc.Text()); m != nil {
			return m[1]
		}
	}
	return ""
}

// buildSelfcheck builds the command into dir. Building is the test: it is
// skipped only when no Go tool is there to build with.
func buildSelfcheck(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if root := os.Getenv("GOROOT"); root != "" {
			goTool = filepath.Join(root, "bin", "go")
		}
		if _, serr := os.Stat(goTool); goTool == "" || serr != nil {
			t.Skipf("no go tool to build the server with: %v", err)
		}
	}
	bin := filepath.Join(dir, "selfcheck")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startChild runs `selfcheck serve` from bin on db as a child process and
// waits for the address it prints. The child is killed when the test ends.
func startChild(t *testing.T, bin, db string) (*exec.Cmd, string) {
	t.Helper()
	cmd, base, _ := startServeChild(t, bin, "--db", db)
	return cmd, base
}

// startServeChild runs `selfcheck serve --addr 127.0.0.1:0` with args from
// bin as a child process, waits for the address it prints, and returns it
// with the child's log. The child is killed when the test ends.
func startServeChild(t *testing.T, bin string, args ...string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		found <- readAddress(out)
		io.Copy(io.Discard, out)
	}()
	select {
	case base := <-found:
		if base != "" {
			return cmd, base, logs
		}
	case <-time.After(30 * time.Second):
	}
	t.Fatalf("the server printed no address; its log:\n%s", strings.TrimSpace(logs.String()))
	return nil, "", nil
}
