package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"selfcheck"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
	"selfcheck/app/testenv"
	"selfcheck/app/workflow"
)

// Issue 19, finding 4: on a database that answers but takes no write,
// /readyz and /healthz say 503 (a load balancer stops sending traffic
// there), while /livez still says the process answers; on a writable one
// all three say 200.
func TestReadyzNeedsAWritableDatabase(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	for _, path := range []string{"/livez", "/readyz", "/healthz"} {
		if r := c.get(path); r.Status != http.StatusOK || !strings.Contains(r.Body, `"ok"`) {
			t.Errorf("%s on a writable database: %d %s", path, r.Status, r.Body)
		}
	}

	// The same database, opened read-only: SQLite's mode=ro, which holds
	// for root too; on PostgreSQL, sessions whose transactions are
	// read-only.
	url := testdb.URL(t, "ro.db")
	env := testenv.NewAt(t, url)
	// The keys a server reads at start-up exist once a writable instance
	// has run, as they would before a disk turned read-only.
	if _, err := env.Store.ServerKey(context.Background(), "csrf"); err != nil {
		t.Fatal(err)
	}
	roURL := "file:" + url + "?mode=ro"
	if !testdb.IsSQLite(url) {
		roURL = url + "&default_transaction_read_only=on"
	}
	ro, err := store.Open(context.Background(), roURL, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.CheckWrite(context.Background()); err == nil {
		t.Fatal("the read-only database took a write: the condition under test does not hold")
	}
	s, err := New(Deps{Work: workflow.New(workflow.Deps{Store: ro, Catalog: env.Catalog, Reports: env.Reports, Log: env.Log}),
		Messages: env.Messages, Templates: selfcheck.Templates, Static: selfcheck.Static, Log: env.Log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	roClient := a.client()
	roClient.base = hs.URL
	if r := roClient.get("/livez"); r.Status != http.StatusOK {
		t.Errorf("/livez on a read-only database: %d, want 200 (the process answers)", r.Status)
	}
	for _, path := range []string{"/readyz", "/healthz"} {
		if r := roClient.get(path); r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s on a read-only database: %d %s, want 503", path, r.Status, r.Body)
		}
	}
}
