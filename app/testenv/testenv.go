// Package testenv builds the parts of Selfcheck that tests of the web pages
// and of the API both need: a migrated SQLite file in a temp dir holding the
// demo data and campaign, the built-in catalog, the message catalog and the
// PDF renderer. Only tests import it.
package testenv

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	"selfcheck"
	"selfcheck/app/catalog"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/report"
	"selfcheck/app/reporting"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
	"selfcheck/app/twofactor"
	"selfcheck/app/workflow"
)

// PublicURL is the address the test reports' verification links use.
const PublicURL = "https://selfcheck.test"

// Env is one test's application state.
type Env struct {
	Store    *store.Store
	Builtin  *checklist.Catalog // the built-in checklists, as loaded
	Catalog  *catalog.Source    // built-in plus uploads, as the app offers them
	Messages *i18n.Catalog
	Reports  *reporting.Service
	Work     *workflow.Service // the use cases over all of the above
	Log      *slog.Logger
}

// New builds an Env; everything is closed when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	return NewAt(t, testdb.URL(t))
}

// NewAt builds an Env on the database url (from testdb), for a test that
// opens the same database again another way.
func NewAt(t testing.TB, url string) *Env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, url, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, _, err := checklist.Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatal(err)
	}
	var themes []string
	for _, cl := range cat.Checklists {
		themes = append(themes, cl.ID)
	}
	if err := st.EnsureDemo(ctx, themes); err != nil {
		t.Fatal(err)
	}
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	font, err := selfcheck.Static.ReadFile("static/fonts/wqy-microhei.ttf")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.New(font)
	if err != nil {
		t.Fatal(err)
	}
	src, err := catalog.New(selfcheck.Checklists, "checklists", st)
	if err != nil {
		t.Fatal(err)
	}
	reports := &reporting.Service{Store: st, Renderer: rep, Messages: msgs, PublicURL: PublicURL}
	work := workflow.New(workflow.Deps{Store: st, Catalog: src, Reports: reports, Log: log, Sealer: Sealer()})
	return &Env{Store: st, Builtin: cat, Catalog: src, Messages: msgs, Reports: reports, Work: work, Log: log}
}

// Sealer seals two-factor secrets in tests, with a fixed key.
func Sealer() *twofactor.Sealer {
	s, err := twofactor.NewSealer(bytes.Repeat([]byte("k"), twofactor.KeySize))
	if err != nil {
		panic(err) // the key has the right length
	}
	return s
}
