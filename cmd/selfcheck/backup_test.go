package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// The tests of this file are about SQLite files (a file's online backup,
// restoring one, refusing a file in use or not a Selfcheck database), so
// they keep using SQLite files when the suite runs on PostgreSQL
// (SELFCHECK_TEST_DATABASE_URL): they still run there, unchanged.

// TestBackupWhileServing backs up the database of a running server while
// clients keep saving answers, restores the backup to a new path and checks
// that it holds the same firms, users and assessments, the answers as of
// the backup (every save acknowledged before it began, each item exactly at
// an acknowledged version with its whole history and audit entries, so no
// save is half in it), the evidence file byte for byte (downloaded from a
// server started on the restored file), and passes integrity_check.
func TestBackupWhileServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	clients, _ := loadConfig(t)
	fx := setupLoad(t, live, clients).firstClients(20)
	base, logs, stop := startServeLogged(t, "--db", live)

	api := fx.clients[1] // odd clients use the API
	a := fx.assessments[api.assessment]
	// 4 MiB, so that the copy takes a while.
	content := []byte("整改证据 evidence kept in the database\n" + strings.Repeat("0123456789abcdef\n", 4<<20/17))
	evURL := uploadEvidence(t, base, api.credential, a.id, a.items[0], "证据.txt", content)

	loaded := make(chan *loadResult)
	go func() { loaded <- driveLoad(ctx, t, base, fx, 4*time.Second, false) }()
	time.Sleep(1500 * time.Millisecond) // saves are flowing
	out := filepath.Join(dir, "backups", "snapshot.db")
	if err := os.Mkdir(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	began := time.Now()
	code := run(ctx, []string{"backup", "--db", live, out}, &stdout, &stderr)
	ended := time.Now()
	res := <-loaded
	if code := stop(); code != 0 {
		t.Errorf("serve stopped with exit %d", code)
	}
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	t.Logf("backup took %v during the load; %s", ended.Sub(began).Round(time.Millisecond), res.summary(len(fx.clients)))
	for _, w := range []string{"written to " + out, "integrity check ok", "firms           5", "assessments     5", "evidence files  1 (1 distinct"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("backup output lacks %q:\n%s", w, stdout.String())
		}
	}
	res.checkNoProblems(t)
	checkServerLog(t, logs.String())
	before, during, after := 0, 0, 0
	for _, s := range res.acked {
		switch {
		case s.ackedAt.Before(began):
			before++
		case s.ackedAt.After(ended):
			after++
		default:
			during++
		}
	}
	t.Logf("saves acknowledged before the backup: %d, while it ran: %d, after: %d", before, during, after)
	if before == 0 || after == 0 {
		t.Error("the load must run on both sides of the backup")
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("the backup directory holds %d files, want the backup alone", len(entries))
	}

	restored := filepath.Join(dir, "restored", "selfcheck.db")
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, []string{"restore", "--db", restored, out}, &stdout, &stderr); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, w := range []string{"restored " + out + " to " + restored, "integrity check ok", "start the server again"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("restore output lacks %q:\n%s", w, stdout.String())
		}
	}

	liveInfo, err := store.InspectFile(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.InspectFile(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	if got.Firms != liveInfo.Firms || got.Users != liveInfo.Users || got.Assessments != liveInfo.Assessments ||
		got.EvidenceFiles != 1 || got.Blobs != 1 || got.BlobBytes != int64(len(content)) || got.SchemaVersion != store.SchemaVersion() {
		t.Errorf("restored %+v; live %+v", got, liveInfo)
	}
	checkSnapshot(t, restored, fx, res, began)
	checkDatabase(t, restored)

	// The restored file serves the evidence as uploaded.
	base2, _, stop2 := startServeLogged(t, "--db", restored)
	defer stop2()
	req, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(base2, "/")+evURL, nil)
	req.Header.Set("Authorization", "Bearer "+api.credential)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Errorf("evidence from the restored database: status %d, %d bytes, want the %d bytes uploaded", r.StatusCode, len(body), len(content))
	}
}

// uploadEvidence attaches a file through the API and returns its download path.
func uploadEvidence(t *testing.T, base, token string, id uint, item, name string, content []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%sapi/v1/assessments/%d/answers/%s/evidence", base, id, item), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var v struct {
		URL string `json:"url"`
	}
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil || r.StatusCode != http.StatusCreated || v.URL == "" {
		t.Fatalf("upload evidence: status %d, %v", r.StatusCode, err)
	}
	return v.URL
}

// checkSnapshot checks the answers of a backup taken at began while the
// load res ran: every save acknowledged before began is in it, and each
// item is exactly at one acknowledged version with the history and audit
// entries of the saves up to it and none after.
func checkSnapshot(t *testing.T, path string, fx *loadFixture, res *loadResult, began time.Time) {
	t.Helper()
	var rows []store.Answer
	if err := rawDB(t, path).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	at := map[itemKey]int{}
	for _, r := range rows {
		at[itemKey{r.AssessmentID, r.ItemID}] = r.Version
	}
	asOf := &loadResult{}
	for _, s := range res.acked {
		k := itemKey{s.assessment, s.item}
		if s.ackedAt.Before(began) && s.version > at[k] {
			t.Errorf("%v: version %d was acknowledged before the backup began, the backup has version %d", k, s.version, at[k])
		}
		if s.version <= at[k] {
			asOf.acked = append(asOf.acked, s)
		}
	}
	if len(asOf.acked) == 0 || len(asOf.acked) == len(res.acked) {
		t.Errorf("the backup holds %d of %d acknowledged saves: it should fall in the middle of the load", len(asOf.acked), len(res.acked))
	}
	checkAcknowledged(t, path, fx, asOf, true)
}

// TestBackupRestoreRefusals checks what backup and restore refuse, and that
// a refusal leaves every file as it was.
func TestBackupRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(t.TempDir(), "live.db")
	clients, _ := loadConfig(t)
	setupLoad(t, live, clients)
	good := filepath.Join(dir, "good.db")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"backup", "--db", live, good}, &stdout, &stderr); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr.String())
	}

	notSQLite := filepath.Join(dir, "notes.txt")
	os.WriteFile(notSQLite, []byte(strings.Repeat("not a database\n", 100)), 0o600)
	newer := filepath.Join(dir, "newer.db")
	copyTestFile(t, good, newer)
	tamper(t, newer, fmt.Sprintf("INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, 'from the future', CURRENT_TIMESTAMP)", store.SchemaVersion()+1))
	foreign := filepath.Join(dir, "foreign.db")
	tamper(t, foreign, "CREATE TABLE things (id INTEGER PRIMARY KEY)")
	withWAL := filepath.Join(dir, "withwal.db")
	copyTestFile(t, good, withWAL)
	os.WriteFile(withWAL+"-wal", []byte("frames"), 0o600)
	existing := filepath.Join(dir, "existing.db")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	target := filepath.Join(dir, "target", "selfcheck.db")
	copyTestFile(t, live, target)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"backup over an existing file", []string{"backup", "--db", live, existing}, 1, "already exists"},
		{"backup of a missing database", []string{"backup", "--db", filepath.Join(dir, "none.db"), filepath.Join(dir, "b1.db")}, 1, "no such file"},
		{"backup without OUT", []string{"backup", "--db", live}, 2, "usage: selfcheck backup"},
		{"restore over an existing database without --force", []string{"restore", "--db", target, good}, 1, "exists: stop the server, then restore with --force"},
		{"restore of a file that is not SQLite", []string{"restore", "--db", filepath.Join(dir, "r1", "x.db"), notSQLite}, 1, "is not a usable backup"},
		{"restore of a newer schema", []string{"restore", "--db", filepath.Join(dir, "r2", "x.db"), newer}, 1, fmt.Sprintf("schema version %d, newer than this binary's %d", store.SchemaVersion()+1, store.SchemaVersion())},
		{"restore of another SQLite database", []string{"restore", "--db", filepath.Join(dir, "r3", "x.db"), foreign}, 1, "not a Selfcheck database"},
		{"restore of a live copy with its WAL", []string{"restore", "--db", filepath.Join(dir, "r4", "x.db"), withWAL}, 1, "write-ahead log"},
		{"restore of a missing backup", []string{"restore", "--db", filepath.Join(dir, "r5", "x.db"), filepath.Join(dir, "none.db")}, 1, "no such file"},
		{"restore without BACKUP", []string{"restore", "--db", target}, 2, "usage: selfcheck restore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dirState(t, dir)
			var stdout, stderr bytes.Buffer
			code := run(ctx, tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) || stdout.Len() > 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout.String(), stderr.String(), tt.code, tt.want)
			}
			if after := dirState(t, dir); !maps.Equal(before, after) {
				t.Errorf("a refusal changed files:\nbefore %v\nafter  %v", before, after)
			}
		})
	}

	t.Run("restore --force while the server runs", func(t *testing.T) {
		_, _, stop := startServeLogged(t, "--db", target)
		defer stop()
		before := dirState(t, dir)
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{"restore", "--force", "--db", target, good}, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "is in use, probably by a running `selfcheck serve`: stop the server first") {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
		// The server's -wal and -shm may change; the files restore touches must not.
		after := dirState(t, dir)
		if before[target] != after[target] || len(globT(t, target+".before-restore-*")) > 0 {
			t.Errorf("a refused restore changed the database")
		}
	})

	t.Run("restore --force once the server is stopped", func(t *testing.T) {
		tamper(t, target, "INSERT INTO firms (name, credit_code, created_at, profile) VALUES ('只在旧库中', '91110000000000001X', CURRENT_TIMESTAMP, '[]')")
		var stdout, stderr bytes.Buffer
		if code := run(ctx, []string{"restore", "--force", "--db", target, good}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		kept := globT(t, target+".before-restore-*")
		if len(kept) != 1 || !strings.Contains(stdout.String(), "the previous database is kept as "+kept[0]) {
			t.Fatalf("kept %v; output:\n%s", kept, stdout.String())
		}
		old, err := store.InspectFile(ctx, kept[0])
		if err != nil {
			t.Fatal(err)
		}
		now, err := store.InspectFile(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		want, err := store.InspectFile(ctx, good)
		if err != nil {
			t.Fatal(err)
		}
		if now != want || old.Firms != want.Firms+1 {
			t.Errorf("restored %+v, backup %+v, kept %+v", now, want, old)
		}
	})
}

// TestRestoreOverDamagedDatabase replaces, with --force, a database file
// SQLite cannot read, and keeps it aside.
func TestRestoreOverDamagedDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	clients, _ := loadConfig(t)
	setupLoad(t, live, clients)
	good := filepath.Join(dir, "good.db")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"backup", "--db", live, good}, &stdout, &stderr); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr.String())
	}
	target := filepath.Join(dir, "data", "selfcheck.db")
	damaged := bytes.Repeat([]byte("overwritten by mistake "), 500)
	os.MkdirAll(filepath.Dir(target), 0o700)
	os.WriteFile(target, damaged, 0o600)
	stdout.Reset()
	if code := run(ctx, []string{"restore", "--force", "--db", target, good}, &stdout, &stderr); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, stderr.String())
	}
	kept := globT(t, target+".before-restore-*")
	if len(kept) != 1 {
		t.Fatalf("kept %v", kept)
	}
	if data, _ := os.ReadFile(kept[0]); !bytes.Equal(data, damaged) {
		t.Error("the damaged file was not kept as it was")
	}
	if _, err := store.InspectFile(ctx, target); err != nil {
		t.Error(err)
	}
}

// dirState is every file under dir with its size and modification time.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fmt.Sprintf("%d@%d", info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return out
}

func globT(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

func copyTestFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupOfPostgres: on PostgreSQL, backup writes pg_dump's custom
// format (which pg_restore reads) and never overwrites a file; restore
// refuses and names the documented procedure. It runs in the PostgreSQL
// pass of the suite (SELFCHECK_TEST_DATABASE_URL).
func TestBackupOfPostgres(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("needs PostgreSQL: runs with SELFCHECK_TEST_DATABASE_URL (the suite's PostgreSQL pass)")
	}
	url := testdb.URL(t)
	st, err := store.Open(context.Background(), url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	out := filepath.Join(t.TempDir(), "pg.dump")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"backup", "--db", url, out}, &stdout, &stderr); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("PGDMP")) {
		t.Fatalf("the backup is not pg_dump's custom format: %v %q", err, b[:min(len(b), 8)])
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup is readable by others: %v", fi.Mode())
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"backup", "--db", url, out}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "already exists") {
		t.Errorf("a second backup to the same file: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"restore", "--db", url, out}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "pg_restore") {
		t.Errorf("restore on PostgreSQL: exit %d: %s", code, stderr.String())
	}
}
